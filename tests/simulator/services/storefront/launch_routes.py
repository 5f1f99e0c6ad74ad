"""Subscriptions and ICA launches of the store (Store Services API 3.0: subscriptions-service.md, launch.md),
behind the ``CitrixAuth`` token check of ``auth_routes``.

- ``POST {store}/resources/v2/subscriptions/{key}`` with a ``subscriptionUpdate`` (``updateType`` subscribe or
  unsubscribe): ``200`` with a ``subscriptionResult`` (the new status), ``200`` with a ``subscriptionConflict``
  (``ConflictingSubscriptionState`` when already in that state or mandatory, ``MissingSubscription``),
  ``202`` when the resource has an approval workflow, ``404`` with ``X-Citrix-Error-Reason``
  (``ResourceNotFound``, ``SubscriptionsDisabled``).
- ``POST {store}/resources/v2/{key}/launch/ica`` with ``launchparams``: a ``launch`` document of status
  ``success`` (the ICA file with fresh tickets and a ``logonTicket``), ``retry`` (a desktop that is off or
  suspended is started: reason ``rebooting`` or ``resuming``, a retry URL and ``after`` seconds) or
  ``failure`` (an error id); ``404`` with ``X-Citrix-Error-Reason`` for a disabled, unknown or (subscriptions
  enabled) unsubscribed one.
  ``POST .../launch/ica/{retrykey}`` retries; before ``after`` has passed on the simulator clock it answers
  ``retry`` again.
"""

import secrets

from defusedxml import ElementTree as SafeET

from tests.simulator.base import Reply, Response, Route, Routes
from tests.simulator.services.storefront import rendering
from tests.simulator.services.storefront.auth_routes import accepts
from tests.simulator.services.storefront.rendering import NO_STORE, STORE, text_response

NS_LAUNCHPARAMS = 'http://citrix.com/delivery-services/1-0/launchparams'
MEDIA_UPDATE = 'application/vnd.citrix.subscriptionupdate+xml'
MEDIA_LAUNCHPARAMS = 'application/vnd.citrix.launchparams+xml'
MEDIA_LAUNCHDATA = 'application/vnd.citrix.launchdata+xml'


def not_found(reason):
    return Reply(Response(404, None, dict(NO_STORE, **{'X-Citrix-Error-Reason': reason})))


def xml_body(request, media, root):
    """The children of a posted document as ``{name: text}`` plus its attributes, or a 400/415."""
    if (request.header('Content-Type') or '').split(';')[0].strip().lower() != media:
        raise Reply(text_response('The request must have Content-Type %s.' % media, 415))
    try:
        element = SafeET.fromstring(request.body or b'')
    except Exception:  # defusedxml raises its own and ElementTree's errors alike
        raise Reply(text_response('The %s document could not be read.' % root))
    if element.tag.split('}')[-1] != root:
        raise Reply(text_response('Expected a %s document.' % root))
    fields = dict((child.tag.split('}')[-1], (child.text or '').strip()) for child in element)
    fields.update(('@' + k, v) for k, v in element.attrib.items())
    return fields


class LaunchRoutes(Routes):
    """Handlers of subscriptions and launches; ``auth`` (an :class:`~.auth_routes.AuthRoutes`) checks tokens."""

    def _resource(self, request):
        self.state.served(self.auth.check_token(request, self.state.store_realm)['user'])
        match = [r for r in self.state.visible() if r['key'] == request.params['key']]
        if not match:
            raise not_found('ResourceNotFound')
        return match[0]

    # -- subscriptions ----------------------------------------------------------------------------

    def subscribe(self, request):
        resource = self._resource(request)
        if self.state.subscriptions_status == 'disabled':
            raise not_found('SubscriptionsDisabled')
        update = xml_body(request, MEDIA_UPDATE, 'subscriptionUpdate')
        kind = update.get('@updateType')
        if kind not in ('subscribe', 'unsubscribe', 'update'):
            return text_response('updateType must be subscribe, unsubscribe or update.')
        with self.state.lock:
            status = resource['status']
            if kind == 'update':
                if status == 'notSubscribed':
                    return rendering.subscription_conflict('MissingSubscription')
                return rendering.subscription_result(resource)
            if kind == 'subscribe' and status == 'subscribed':
                return rendering.subscription_conflict('ConflictingSubscriptionState')
            if kind == 'unsubscribe' and (status == 'notSubscribed' or resource['mandatory']):
                return rendering.subscription_conflict(
                    'MissingSubscription' if status == 'notSubscribed' else 'ConflictingSubscriptionState')
            self.service.sim.stats.record_write(request.route)
            self.state.subscription_log.append((resource['id'], kind))
            resource['never_subscribed'] = False
            if kind == 'subscribe' and resource['workflow']:
                resource['status'] = 'pendingApproval'
                return Response(202, None, dict(NO_STORE))
            resource['status'] = 'subscribed' if kind == 'subscribe' else 'notSubscribed'
            return rendering.subscription_result(resource)

    # -- launch -----------------------------------------------------------------------------------

    def _launch_params(self, request):
        if not accepts(request, MEDIA_LAUNCHDATA):
            raise Reply(text_response('Not acceptable: launches answer %s.' % MEDIA_LAUNCHDATA, 406))
        return xml_body(request, MEDIA_LAUNCHPARAMS, 'launchparams')

    def launch(self, request):
        resource = self._resource(request)
        params = self._launch_params(request)
        if not resource['enabled']:
            raise not_found('ResourceDisabled')
        # "If subscriptions are enabled, then unsubscribed resources are prevented from launching"; the
        # documented reason is that of a workflow resource, used here for every resource (our choice).
        if self.state.subscriptions_status == 'enabled' and resource['status'] not in ('subscribed', 'approved'):
            raise not_found('SubscriptionStatusInvalid')
        self.state.launch_log.append({'id': resource['id'], 'clientName': params.get('clientName'),
                                      'clientAddress': params.get('clientAddress'), 'deviceId': params.get('deviceId')})
        return self._answer(request, resource, params)

    def retry(self, request):
        resource = self._resource(request)
        params = self._launch_params(request)
        pending = self.state.retries.get(request.params['retry'])
        if pending is None or pending['id'] != resource['id']:
            return rendering.launch_error('GeneralAppLaunchError', 'The launch retry key is not known.')
        return self._answer(request, resource, params, request.params['retry'])

    def _answer(self, request, resource, params, retry_key=None):
        state = self.state
        error = state.launch_errors.get(resource['id'])
        if error:
            return rendering.launch_error(error, 'The resource could not be launched (%s).' % error)
        now = state.clock.now()
        with state.lock:
            if resource['type'] == 'Citrix.MPS.Desktop' and resource.get('power', 'on') != 'on' and retry_key is None:
                reason = 'resuming' if resource['power'] == 'suspended' else 'rebooting'
                key = secrets.token_hex(3)
                state.retries[key] = {'id': resource['id'], 'ready_at': now + state.retry_after}
                resource['power'] = 'starting'
                self.service.sim.stats.record_write(request.route)  # the store started the desktop
                url = self.service.sim.url + STORE + '/resources/v2/%s/launch/ica/%s' % (resource['key'], key)
                return rendering.launch_retry(url, state.retry_after, reason)
            if retry_key is not None:
                pending = state.retries[retry_key]
                if now < pending['ready_at']:
                    url = self.service.sim.url + request.path
                    return rendering.launch_retry(url, int(pending['ready_at'] - now) + 1, 'unknown')
                del state.retries[retry_key]
                resource['power'] = 'on'
            ticket = secrets.token_hex(15).upper()
            reference = secrets.token_hex(16).upper()
            state.issued_tickets.extend([ticket, reference])
        return rendering.launch_success(rendering.ica_file(resource, params, ticket, reference), ticket)

    def routes(self):
        return [
            # Writes are counted by the handler: a conflict answer (200) changes nothing.
            Route('POST', STORE + r'/resources/v2/subscriptions/(?P<key>[^/]+)', self.subscribe,
                  'storefront.subscription'),
            Route('POST', STORE + r'/resources/v2/(?P<key>[^/]+)/launch/ica', self.launch, 'storefront.launch'),
            Route('POST', STORE + r'/resources/v2/(?P<key>[^/]+)/launch/ica/(?P<retry>[^/]+)', self.retry,
                  'storefront.launch_retry'),
        ]
