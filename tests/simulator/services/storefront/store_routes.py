"""Routes of the store (Store Services API 3.0, resources v2): ``resources/v2`` (auto-provisioning),
``resources/v2/withoutautoprovision`` and ``resources/v2/{key}``, behind the ``CitrixAuth`` token check
of ``auth_routes``; ``scope``, ``group`` and ``subscriptionStatus`` parameters; hostile answers."""

from tests.simulator.base import Reply, Response, Route, Routes
from tests.simulator.services.storefront import hostile, rendering
from tests.simulator.services.storefront.auth_routes import accepts
from tests.simulator.services.storefront.rendering import (
    KNOWN_GROUPS, MEDIA_RESOURCE, MEDIA_RESOURCES, NO_STORE, STORE, text_response,
)

SCOPES = ('$PRELAUNCH$', '$ANONYMOUS_PRELAUNCH$')


class StoreRoutes(Routes):
    """Handlers of the store; ``auth`` (an :class:`~.auth_routes.AuthRoutes`) checks tokens."""

    @staticmethod
    def _groups(request):
        names = {g.strip().lower() for g in request.args('group') if g.strip()}
        if not names:
            return {'all'}
        return names & KNOWN_GROUPS or {'none'}  # "none" matches no element: only <id> is returned

    @staticmethod
    def _check_scope(request):
        scope = request.arg('scope')
        if scope is not None and scope.upper() not in SCOPES:
            raise Reply(text_response("Invalid scope '%s'. The allowed values are $PRELAUNCH$ and $ANONYMOUS_PRELAUNCH$."
                                      % scope))

    def _store_request(self, request, media):
        self.state.served(self.auth.check_token(request, self.state.store_realm)['user'])
        if not accepts(request, media):
            raise Reply(text_response('Not acceptable: %s is not served here; ask for %s.' % (
                request.header('Accept') or 'no Accept header', media), 406))
        self._check_scope(request)
        self.state.last_query = {k: request.args(k) for k in ('group', 'subscriptionStatus', 'scope', 'clientName',
                                                              'clientAddress', 'deviceId')}

    def list_resources(self, request, auto_provision):
        self._store_request(request, MEDIA_RESOURCES)
        state = self.state
        if state.hostile == 'gzip-bomb':
            return Response(200, hostile.gzip_bomb(), dict(NO_STORE, **{'Content-Encoding': 'gzip'}),
                            content_type=MEDIA_RESOURCES)
        if state.hostile:
            return Response(200, hostile.hostile_body(state.hostile), dict(NO_STORE), content_type=MEDIA_RESOURCES)
        visible = state.visible()
        if auto_provision and state.auto_provision(visible):
            self.service.sim.stats.record_write(request.route)
        statuses = {s.lower() for s in request.args('subscriptionStatus')}
        if statuses:
            visible = [r for r in visible if r['status'].lower() in statuses]
        body = rendering.resources_document(visible, self._groups(request), self.service.sim.url + STORE,
                                            state.enumeration, state.subscriptions_status)
        return Response(200, body, dict(NO_STORE), content_type=MEDIA_RESOURCES)

    def get_resource(self, request):
        self._store_request(request, MEDIA_RESOURCE)
        match = [r for r in self.state.visible() if r['key'] == request.params['key']]
        if not match:
            return Response(404, None, dict(NO_STORE, **{'X-Citrix-Error-Reason': 'ResourceNotFound'}))
        body = '<?xml version="1.0" encoding="utf-8"?>\n' + rendering.render_resource(
            match[0], self._groups(request), self.service.sim.url + STORE, self.state.subscriptions_status, True)
        return Response(200, body, dict(NO_STORE), content_type=MEDIA_RESOURCE)

    def routes(self):
        return [
            Route('GET', STORE + r'/resources/v2/?', lambda r: self.list_resources(r, True), 'storefront.resources'),
            Route('GET', STORE + r'/resources/v2/withoutautoprovision/?', lambda r: self.list_resources(r, False),
                  'storefront.resources_noauto'),
            Route('GET', STORE + r'/resources/v2/(?P<key>[^/]+)', self.get_resource, 'storefront.resource'),
        ]
