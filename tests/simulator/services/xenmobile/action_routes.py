"""Device routes of XenMobile beyond the filters: one device's record (``GET device/{id}``, §3.16.4), the
bulk device actions (``POST device/{lock|unlock|locate|selwipe|wipe|revoke}`` and their ``/cancel``,
§3.16.24 ff., a JSON array of ids) and deletion (``DELETE device/{id}``, ``DELETE device`` with an array,
§3.16.57-58), with the ``DEVICES`` permission. Successful writes go to the instance's journal."""

from tests.simulator.base import Response, Route, Routes
from tests.simulator.services.xenmobile import actions
from tests.simulator.services.xenmobile.auth_routes import API
from tests.simulator.services.xenmobile.rendering import failed, invalid, ok, public

SEGMENTS = '|'.join(actions.ACTIONS)
QUERY_PARAMS = ('lockMessage', 'phoneNumber', 'newPinCode', 'resetPinCode', 'erasedMemoryCard', 'pinCode')


def device_ids(request):
    """The body of a bulk call: a JSON array of ids (integers on XenMobile Server, GUID strings on
    Endpoint Management), or a 400."""
    body = request.json()
    if not isinstance(body, list) or not body or not all(
            isinstance(i, (int, str)) and not isinstance(i, bool) for i in body):
        invalid('the request body must be a non-empty JSON array of device ids')
    return [str(i) for i in body]


def action_error(description, messages):
    """The documented error of a bulk device action: ``status -1`` and ``deviceActionMessages``."""
    return Response(200, {'status': -1, 'deviceActionMessages': {'devicesActionParameters': {
        'description': description, 'messageList': [{'id': i, 'message': m} for i, m in messages]}}})


class ActionRoutes(Routes):
    """Handlers over ``state``; ``auth`` (an :class:`~.auth_routes.AuthRoutes`) checks the session."""

    def __init__(self, service, auth=None):
        super().__init__(service, auth)
        self._named = {}

    def _by_id(self, inst):
        return dict((str(d['id']), d) for d in inst.devices)

    def get_device(self, request):
        inst = self.auth.session(request, 'DEVICES')
        with self.state.lock:
            device = self._by_id(inst).get(request.params['id'])
            if device is None:
                return failed('Device %s not found.' % request.params['id'])
            record = dict(public(device), **actions.flags(device))
        return ok(device=record)

    def _act(self, request, segment, apply, what):
        inst = self.auth.session(request, 'DEVICES')
        ids = device_ids(request)
        params = dict((k, request.arg(k)) for k in QUERY_PARAMS if request.arg(k) is not None)
        description, message = actions.ERROR_TEXT[segment]
        refused, done = [], []
        with self.state.lock:
            known = self._by_id(inst)
            for ident in ids:
                device = known.get(ident)
                if device is None or not apply(device, segment, params):
                    refused.append((ident, message % ident))
                else:
                    done.append(ident)
            if done:
                inst.journal.append({'route': what, 'names': ['%s/%s' % (segment, i) for i in done]})
        if refused:
            return action_error(description if not what.endswith('cancel') else 'Unable to cancel ' + segment,
                                refused)
        return ok()

    def send_action(self, request):
        return self._act(request, request.params['action'], actions.send, 'device_action')

    def cancel_action(self, request):
        return self._act(request, request.params['action'], lambda d, s, _p: actions.cancel(d, s), 'device_cancel')

    def _delete(self, inst, ids):
        with self.state.lock:
            known = self._by_id(inst)
            missing = [i for i in ids if i not in known]
            gone = set(i for i in ids if i in known)
            inst.devices = [d for d in inst.devices if str(d['id']) not in gone]
            if gone:
                inst.journal.append({'route': 'device_delete', 'names': ['delete/%s' % i for i in ids if i in gone]})
        return missing

    def delete_device(self, request):
        inst = self.auth.session(request, 'DEVICES')
        if self._delete(inst, [request.params['id']]):
            return failed('Device %s not found.' % request.params['id'])
        return {'status': '0', 'message': 'Device deleted successfully'}  # status as a string, as in §3.16.57

    def delete_devices(self, request):
        inst = self.auth.session(request, 'DEVICES')
        missing = self._delete(inst, device_ids(request))
        if missing:
            return action_error('Unable to delete list of devices.',
                                [(i, "Unable to delete devices '%s'" % i) for i in missing])
        return {'status': '0', 'message': 'Devices deleted successfully'}

    def routes(self):
        return [
            Route('GET', API + r'/device/(?P<id>[^/]+)', self.get_device, 'xenmobile.device_get'),
            Route('POST', API + r'/device/(?P<action>%s)' % SEGMENTS, self.send_action, 'xenmobile.device_action',
                  write=True, classify=self.classify),
            Route('POST', API + r'/device/(?P<action>%s)/cancel' % SEGMENTS, self.cancel_action,
                  'xenmobile.device_cancel', write=True),
            Route('DELETE', API + r'/device/(?P<id>[^/]+)', self.delete_device, 'xenmobile.device_delete', write=True),
            Route('DELETE', API + r'/device/?', self.delete_devices, 'xenmobile.device_delete', write=True),
        ]

    def classify(self, request):
        """One route name per action (``xenmobile.device_action.wipe``) so tests count them apart."""
        segment = request.params.get('action')
        if segment not in actions.ACTIONS:
            return None
        if segment not in self._named:
            self._named[segment] = Route('POST', API + r'/device/' + segment, self.send_action,
                                         'xenmobile.device_action.' + segment, write=True, service='xenmobile')
        return self._named[segment]
