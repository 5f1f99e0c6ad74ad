"""Sign-in routes of XenMobile (``authentication/login``, ``login/cloud``, ``logout``) and the check every
other route starts with (:meth:`AuthRoutes.session`): 401 without a body for a missing, unknown or
expired ``auth_token``, 403 without a body when the user lacks the route's RBAC permission."""

import secrets

from tests.simulator.base import Reply, Response, Route, Routes
from tests.simulator.services.xenmobile.rendering import failed
from tests.simulator.services.xenmobile.state import PUBLIC_API

API = '/xenmobile/api/v1'


class AuthRoutes(Routes):
    """Sign-in handlers of XenMobile, and the session check of every other route."""

    def instance(self, request):
        """The instance the request's listener serves, or the 404 an unknown path gets."""
        inst = self.state.instance_for(request.listener)
        if inst is None:
            raise Reply(Response(404, {'Message': 'No HTTP resource was found that matches the request URI.'}))
        return inst

    def session(self, request, permission=None):
        """The instance of an authenticated request; 401 (no body: none is documented) for a missing,
        unknown or expired ``auth_token``; 403 (no body) without the RBAC permission."""
        inst = self.instance(request)
        user = self.state.token_user(inst, request.header('auth_token'))
        if user is None:
            raise Reply(Response(401, None))
        if permission and permission not in user['permissions']:
            raise Reply(Response(403, None))
        return inst

    def login(self, request):
        inst = self.instance(request)
        body = request.json()
        if not isinstance(body, dict) or not isinstance(body.get('login'), str) \
                or not isinstance(body.get('password'), str):
            return failed('login and password are required', 400)
        with self.state.lock:
            user = inst.users.get(body['login'])
            if user is None or not secrets.compare_digest(user['password'], body['password']):
                return failed('Invalid user name or password.', 401)
            if PUBLIC_API not in user['permissions']:
                return Response(403, None)
            return self.state.issue_token(inst, body['login'])

    def login_cloud(self, request):
        inst = self.instance(request)
        body = request.json()
        bearer = body.get('bearerToken') if isinstance(body, dict) else None
        if not isinstance(bearer, str) or not bearer:
            return failed('bearerToken is required', 400)
        cloud = self.service.sim.services.get('cloud')
        record = cloud.tokens.get(bearer) if cloud else None
        if record is None or record['expires_at'] <= self.state.clock.now():
            return failed('The Citrix Cloud bearer token is invalid or expired.', 401)
        # [P21] §3.3.2 documents the legacy trust token; whether a cctrustoauth2 token is accepted too is
        # not known, so that is a knob (config cloud_token_kinds).
        if record.get('kind', 'oauth2') not in self.service.config.get('cloud_token_kinds', ('trust',)):
            return failed('The bearer token is not a token of the Citrix Cloud trust API.', 401)
        with self.state.lock:
            return self.state.issue_token(inst, 'cloud:%s' % record['client_id'])

    def logout(self, request):
        inst = self.instance(request)
        token = request.header('auth_token')
        with self.state.lock:
            record = inst.tokens.pop(token, None) if token else None
        if record is None:
            return Response(401, None)
        body = request.json() or {}
        return {'Status': 'user %s logged out successfully.' % (body.get('login') or record['login'])}

    def routes(self):
        return [
            Route('POST', API + r'/authentication/login', self.login, 'xenmobile.login'),
            Route('POST', API + r'/authentication/login/cloud', self.login_cloud, 'xenmobile.login_cloud'),
            Route('POST', API + r'/authentication/logout', self.logout, 'xenmobile.logout'),
        ]
