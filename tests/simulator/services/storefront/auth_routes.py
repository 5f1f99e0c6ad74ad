"""Routes of StoreFront's Authentication service: the ``CitrixAuth`` challenge and token check every
store request goes through, the token service (``auth/v1/token``), the protocol choices
(``auth/v1/protocols``) and the ExplicitForms conversation with its ``ASP.NET_SessionId`` cookie."""

import re
import secrets
from urllib.parse import parse_qsl

from defusedxml import ElementTree as SafeET

from tests.simulator.base import Reply, Response, Route, Routes
from tests.simulator.services.storefront import rendering
from tests.simulator.services.storefront.rendering import (
    AUTH, MEDIA_AUTH_RESPONSE, MEDIA_REQUEST_TOKEN, MEDIA_TOKEN_RESPONSE, NO_STORE, STORE, requirement, text_response,
)
from tests.simulator.services.storefront.state import PRIMARY_LIFETIME, SERVICE_LIFETIME

AUTH_HEADER = re.compile(r'^CitrixAuth ([A-Za-z0-9+/=_-]+)$')


def accepts(request, media):
    offered = [part.split(';', 1)[0].strip().lower() for part in (request.header('Accept') or '').split(',')]
    return media in offered


def request_token(request):
    """``{'for-service', 'for-service-url', 'requested-lifetime'}`` from a requesttoken body."""
    if (request.header('Content-Type') or '').split(';')[0].strip().lower() != MEDIA_REQUEST_TOKEN:
        raise Reply(text_response('The request must have Content-Type %s.' % MEDIA_REQUEST_TOKEN, 415))
    try:
        root = SafeET.fromstring(request.body or b'')
    except Exception:  # defusedxml raises its own and ElementTree's errors alike
        raise Reply(text_response('The requesttoken document could not be read.'))
    if root.tag != '{%s}requesttoken' % rendering.NS_REQUEST_TOKEN:
        raise Reply(text_response('Expected a requesttoken document.'))
    fields = {child.tag.split('}')[-1]: (child.text or '').strip() for child in root}
    if not fields.get('for-service') or 'for-service-url' not in fields or 'reqtokentemplate' not in fields:
        raise Reply(text_response('The requesttoken document lacks for-service, for-service-url or reqtokentemplate.'))
    return fields


def requested_lifetime(fields, default):
    match = re.match(r'^(?:(\d+)\.)?(\d+):(\d+):(\d+)', fields.get('requested-lifetime') or '')
    if not match:
        return default
    days, hours, minutes, seconds = (int(g or 0) for g in match.groups())
    return max(60, min(default, days * 86400 + hours * 3600 + minutes * 60 + seconds))


class AuthRoutes(Routes):
    """Handlers of StoreFront's Authentication service, and the token check of the store's."""

    # -- CitrixAuth -----------------------------------------------------------------------------

    def challenge(self, reason, token_service=False):
        base = self.service.sim.url
        if token_service:
            header = rendering.challenge_header(self.state.challenge_style, self.state.token_realm, reason,
                                                base + AUTH + '/auth/v1/protocols', base + AUTH + '/auth/v1/token', True)
        else:
            header = rendering.challenge_header(self.state.challenge_style, self.state.store_realm, reason,
                                                base + AUTH + '/auth/v1/token', base + STORE + '/resources/v2', False)
        headers = dict(NO_STORE)
        headers['WWW-Authenticate'] = header
        return Reply(Response(401, None, headers))

    def check_token(self, request, realm, token_service=False):
        """The token record behind ``Authorization: CitrixAuth <token>``, or a 401 challenge."""
        value = request.header('Authorization')
        if not value:
            raise self.challenge('notoken', token_service)
        match = AUTH_HEADER.match(value.strip())
        record = self.state.tokens.get(match.group(1)) if match else None
        if record is None:
            raise self.challenge('invalidtoken', token_service)
        if record['expires_at'] <= self.state.clock.now():
            raise self.challenge('expired', token_service)
        if record['realm'] != realm:
            raise self.challenge('notforthisservice', token_service)
        return record

    def issue(self, realm, user, lifetime):
        token = self.state.mint_token(user, realm == self.state.token_realm, lifetime)
        return rendering.token_response(realm, user, token, self.state.clock.now(), lifetime)

    # -- token service --------------------------------------------------------------------------

    def token(self, request):
        if not accepts(request, MEDIA_TOKEN_RESPONSE):
            return text_response('Not acceptable: this endpoint answers %s.' % MEDIA_TOKEN_RESPONSE, 406)
        fields = request_token(request)
        primary = self.check_token(request, self.state.token_realm, token_service=True)
        if fields['for-service'] != self.state.store_realm:
            return text_response('Unknown service "%s".' % fields['for-service'])
        return self.issue(self.state.store_realm, primary['user'], requested_lifetime(fields, SERVICE_LIFETIME))

    def protocols(self, request):
        fields = request_token(request)
        if fields['for-service'] != self.state.token_realm:
            return text_response('Unknown service "%s".' % fields['for-service'])
        return rendering.token_choices(self.service.sim.url, self.state.offered_protocols)

    # -- ExplicitForms --------------------------------------------------------------------------

    def forms_start(self, request):
        if not accepts(request, MEDIA_AUTH_RESPONSE):
            return text_response('Not acceptable: this endpoint answers %s.' % MEDIA_AUTH_RESPONSE, 406)
        fields = request_token(request)
        if fields['for-service'] != self.state.token_realm:
            return text_response('Unknown service "%s".' % fields['for-service'])
        session, state = self.state.start_conversation()
        response = rendering.logon_form(state, self.state.domain_field)
        response.headers['Set-Cookie'] = 'ASP.NET_SessionId=%s; path=/; HttpOnly' % session
        return response

    def _conversation(self, request):
        cookies = dict(part.strip().split('=', 1) for part in (request.header('Cookie') or '').split(';') if '=' in part)
        return cookies.get('ASP.NET_SessionId'), self.state.sessions.get(cookies.get('ASP.NET_SessionId'))

    def forms_postback(self, request):
        if (request.header('Content-Type') or '').split(';')[0].strip().lower() != 'application/x-www-form-urlencoded':
            return text_response('The form must be posted as application/x-www-form-urlencoded.', 415)
        form = dict(parse_qsl(request.body.decode('utf-8', 'replace'), keep_blank_values=True))
        sessions = self.state.sessions
        session_id, session = self._conversation(request)
        if session is None:
            return rendering.form('fail', None, status='error-sessionid-expired')
        if form.get('StateContext') != session['state']:
            sessions.pop(session_id, None)
            return rendering.form('fail', None, status='error-state-context-invalid')
        if session['stage'] == 'credentials':
            username = form.get('username') or ''
            if self.state.domain_field and form.get('domain') and not re.search(r'[\\@]', username):
                username = form['domain'] + '\\' + username
            if 'loginBtn' not in form or not self.state.password_matches(username, form.get('password', '')):
                sessions.pop(session_id, None)
                return rendering.form('fail', None, [requirement(
                    'explicitFormsAuthErrorMessage', 'none', 'Incorrect user name or password.', None, label_type='error')])
            session['user'] = username
            if self.state.second_factor:
                session['stage'] = 'passcode'
                session['state'] = secrets.token_hex(4)
                return rendering.passcode_form(session['state'])
        elif form.get('passcode') != self.state.passcode:
            sessions.pop(session_id, None)
            return rendering.form('fail', None, [requirement('err', 'none', 'Incorrect passcode.', None, 'error')])
        sessions.pop(session_id, None)
        return self.issue(self.state.token_realm, session['user'], PRIMARY_LIFETIME)

    def forms_cancel(self, request):
        session_id, _session = self._conversation(request)
        self.state.sessions.pop(session_id, None)
        return rendering.form('cancelled', None)

    def routes(self):
        return [
            Route('POST', AUTH + r'/auth/v1/token', self.token, 'storefront.token'),
            Route('POST', AUTH + r'/auth/v1/protocols', self.protocols, 'storefront.protocols'),
            Route('POST', AUTH + r'/ExplicitForms/Authenticate', self.forms_start, 'storefront.forms_start'),
            Route('POST', AUTH + r'/ExplicitForms', self.forms_postback, 'storefront.forms_postback'),
            Route('POST', AUTH + r'/ExplicitForms/Cancel', self.forms_cancel, 'storefront.forms_cancel'),
        ]
