# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""StoreFront Store Services client: the CitrixAuth token flow; :mod:`resources` reads the store.

A request without a valid token gets ``401`` with a ``CitrixAuth`` challenge. The client then asks
the token service named by the challenge for a token; without a primary token that service challenges
in turn, pointing at its protocols endpoint, whose ``300`` answer lists the sign-in protocols. The
client holds the ExplicitForms conversation (its session cookie replayed by the HTTP session), gets a
primary token, exchanges it for a service token for the store's realm and repeats the request with
``Authorization: CitrixAuth <token>``. Every token and the password are registered with the redactor.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from urllib.parse import urlsplit

from ansible_collections.opencitrix.automation.plugins.module_utils import clock, errors
from ansible_collections.opencitrix.automation.plugins.module_utils.storefront import citrixauth as sfauth
from ansible_collections.opencitrix.automation.plugins.module_utils.argspec import (
    env_fallback, transport_argument_spec,
)
from ansible_collections.opencitrix.automation.plugins.module_utils.auth import TokenAuth
from ansible_collections.opencitrix.automation.plugins.module_utils.redaction import Redactor
from ansible_collections.opencitrix.automation.plugins.module_utils.responses import describe_body
from ansible_collections.opencitrix.automation.plugins.module_utils.token_cache import (
    TokenCache, cache_key, secret_fingerprint,
)
from ansible_collections.opencitrix.automation.plugins.module_utils.storefront.safe_xml import HAS_DEFUSEDXML, HAS_XMLTODICT
from ansible_collections.opencitrix.automation.plugins.module_utils.transport import (
    HAS_REQUESTS, HttpClient, transport_options,
)
from ansible_collections.opencitrix.automation.plugins.module_utils.urls import validate_url

# The libraries every StoreFront module needs (CitrixModule's ``libraries``).
LIBRARIES = (('requests', HAS_REQUESTS), ('xmltodict', HAS_XMLTODICT), ('defusedxml', HAS_DEFUSEDXML))

FORM_MEDIA = 'application/x-www-form-urlencoded'
EXPLICIT_FORMS = 'ExplicitForms'
MAX_FORMS = 5
SESSION_COOKIE = 'ASP.NET_SessionId'

CREDENTIAL_HINT = 'check username and password (STOREFRONT_USERNAME / STOREFRONT_PASSWORD)'
STORE_URL_HINT = 'check that store_url is a Store Services URL such as https://host/Citrix/Store'


def storefront_argument_spec():
    """Connection options of every StoreFront module."""
    spec = dict(
        store_url=dict(type='str', required=True, fallback=(env_fallback, ['STOREFRONT_URL'])),
        username=dict(type='str', fallback=(env_fallback, ['STOREFRONT_USERNAME'])),
        password=dict(type='str', no_log=True, fallback=(env_fallback, ['STOREFRONT_PASSWORD'])),
        domain=dict(type='str', fallback=(env_fallback, ['STOREFRONT_DOMAIN'])),
        token=dict(type='str', no_log=True, fallback=(env_fallback, ['STOREFRONT_TOKEN'])),
        token_cache=dict(type='bool', default=True, fallback=(env_fallback, ['STOREFRONT_TOKEN_CACHE'])),
    )
    spec.update(transport_argument_spec('STOREFRONT'))
    return spec


def media_type(response):
    return (response.headers.get('Content-Type') or '').split(';', 1)[0].strip().lower()


def token_rejected(response):
    """StoreFront answers a request it wants a (new) token for with 401 and a CitrixAuth challenge that
    names the token service; the sign-in reads the challenge (and says so when there is none)."""
    return response.status_code == 401


class StoreFrontHttp(HttpClient):
    """The transport, reading StoreFront's error shapes: the ``X-Citrix-Error-Reason`` header, plain-text
    bodies and the reason of a CitrixAuth challenge."""

    def error_from_response(self, response, summary, method, url, hint=None):
        if 'json' in media_type(response):  # not StoreFront's own answer: a proxy or gateway in between
            return super(StoreFrontHttp, self).error_from_response(response, summary, method, url, hint)
        code = response.headers.get('X-Citrix-Error-Reason')
        challenge = sfauth.parse_challenge(response.headers.get('WWW-Authenticate'))
        if challenge is not None and challenge.reason:
            code = code or 'reason %s' % challenge.reason
        message = None
        if response.content and media_type(response).startswith('text/plain'):
            message = ' '.join(response.text[:400].split())
        elif response.content:
            message = describe_body(response)
        status = response.status_code
        return errors.error_class_for_status(status)(
            summary, status=status, code=self.redact(code) if code else None,
            api_message=self.redact(message) if message else None, method=method, url=url,
            hint=hint or self.hint_for.get(status))


class StoreFrontClient:
    """Signs in to a StoreFront store (or uses a token from elsewhere) and reads its resources."""

    def __init__(self, store_url, username=None, password=None, domain=None, token=None, token_cache=True,
                 redactor=None, cache=None, **transport):
        """``transport``: HttpClient keyword arguments (validate_certs, ca_path, timeouts, retry,
        allow_plain_http, stats, log)."""
        if bool(username) != bool(password):
            raise errors.InputError('StoreFront username and password go together',
                                    hint='set both (STOREFRONT_USERNAME / STOREFRONT_PASSWORD), or neither')
        self.redact = redactor or Redactor()
        for secret in (password, token):
            self.redact.add(secret)
        self.username, self._password, self.domain = username, password, domain
        self.allow_plain_http = bool(transport.get('allow_plain_http'))
        use_file = bool(token_cache and password and not token)
        self.auth = TokenAuth(
            self._fetch_service_token, lambda token: {'Authorization': '%s %s' % (sfauth.SCHEME, token)},
            token_rejected, cache=(cache or TokenCache(use_file=True)) if use_file else None,
            cache_key=cache_key('storefront', validate_url(store_url, 'StoreFront', True), username, domain or '',
                                secret_fingerprint(password)),
            redactor=self.redact, proactive=False)
        self.http = StoreFrontHttp(
            store_url, redactor=self.redact, service_name='StoreFront', auth=self.auth,
            hint_for={401: CREDENTIAL_HINT,
                      'redirect': 'check store_url (STOREFRONT_URL) or a proxy rewriting answers',
                      406: 'StoreFront does not serve this media type at this URL; check store_url',
                      'max_response_bytes': 'raise max_response_size (MiB) if the store is that large'},
            **transport)
        self.max_bytes = self.http.max_response_bytes
        self.store_url = self.http.base_url
        self._service_token = token
        self.sign_in_seconds = 0.0  # time spent in the token flow
        self._primary_token = token  # a token from elsewhere may be a primary token: offered to the token service too
        if token:
            self.auth.store(token)

    @classmethod
    def from_params(cls, params, redactor=None, log=None):
        """Build a client from module options (names as in ``storefront_argument_spec``)."""
        return cls(params.get('store_url'), username=params.get('username'), password=params.get('password'),
                   domain=params.get('domain'), token=params.get('token'),
                   token_cache=params.get('token_cache', True),
                   redactor=redactor, log=log,
                   **transport_options(params))

    @property
    def stats(self):
        return self.http.stats

    # -- authenticated reads --------------------------------------------------------------------

    def get(self, url, accept, what, params=None):
        """GET with ``Accept: accept``; a CitrixAuth challenge is answered once (see :mod:`auth`)."""
        return self.http.request('GET', url, params=params, headers={'Accept': accept}, what=what)

    def _challenge(self, response, what):
        challenge = sfauth.parse_challenge(response.headers.get('WWW-Authenticate'))
        if challenge is None or not challenge.locations:
            raise errors.AuthenticationError(
                'Could not ' + what, status=401, method=response.request.method,
                url=self.redact(response.url.split('?', 1)[0]),
                api_message='the answer has no CitrixAuth challenge with a token service location '
                            '(WWW-Authenticate: %s)' % self.redact(response.headers.get('WWW-Authenticate') or 'absent'),
                hint=STORE_URL_HINT)
        return challenge

    def _fetch_service_token(self, rejection):
        """A service token for the resource that answered ``rejection`` with a CitrixAuth challenge (the time
        it takes adds to ``sign_in_seconds``)."""
        started = clock.current().monotonic()
        try:
            for_url = rejection.url.split('?', 1)[0]
            challenge = self._challenge(rejection, 'read %s' % self.redact(for_url))
            token, lifetime = self._obtain_service_token(challenge, for_url)
        finally:
            self.sign_in_seconds += clock.current().monotonic() - started
        self._service_token = token
        return token, lifetime

    # -- the token flow ---------------------------------------------------------------------------

    def secure(self, url):
        """Only send credentials and tokens to an https URL (or http with the explicit opt-in)."""
        return validate_url(url, 'StoreFront authentication', self.allow_plain_http)

    def _request_token(self, location, realm, for_url, template, bearer):
        """POST a requesttoken; returns ``(token, lifetime)`` or the token service's own challenge."""
        what = 'get a StoreFront token for realm %s' % realm
        headers = {'Content-Type': sfauth.MEDIA_REQUEST_TOKEN,
                   'Accept': '%s, %s' % (sfauth.MEDIA_TOKEN_RESPONSE, sfauth.MEDIA_TOKEN_CHOICES)}
        if bearer:
            headers['Authorization'] = '%s %s' % (sfauth.SCHEME, bearer)
        response = self.http.request('POST', self.secure(location), data=sfauth.request_token_body(realm, for_url, template),
                                     headers=headers, expected=(200, 401), state_changing=False, what=what,
                                     authenticated=False)
        if response.status_code == 401:
            return self._challenge(response, what)
        return self._token_from(response, what)

    def _token_from(self, response, what):
        token, lifetime = sfauth.parse_token_response(response.content, what, url=self.redact(response.url))
        self.redact.add(token)
        return token, lifetime

    def _obtain_service_token(self, challenge, for_url):
        """``(service token, lifetime seconds)`` for the realm of ``challenge``."""
        location = challenge.locations[0]

        def ask(bearer):
            return self._request_token(location, challenge.realm, for_url, challenge.reqtokentemplate, bearer)

        result = ask(self._primary_token)
        if isinstance(result, sfauth.Challenge):
            self._primary_token = self._sign_in(result, location)
            result = ask(self._primary_token)
        if isinstance(result, sfauth.Challenge):
            raise errors.AuthenticationError(
                'Could not get a StoreFront token for realm %s' % challenge.realm, status=401,
                code='reason %s' % (result.reason or 'none'), method='POST', url=self.redact(location),
                api_message='the token service refused the primary token it had just issued')
        return result[0], result[1] or 0

    def _sign_in(self, challenge, token_url):
        """A primary token from the protocols the token service offers (ExplicitForms)."""
        if not self._password:
            raise errors.AuthenticationError(
                'StoreFront asks for a sign-in', status=401, code='reason %s' % (challenge.reason or 'none'),
                api_message='no username and password were given, and no token was accepted',
                hint='set username and password (STOREFRONT_USERNAME / STOREFRONT_PASSWORD), or a valid token')
        what = 'list the StoreFront sign-in protocols'
        protocols_url = self.secure(challenge.locations[0])
        response = self.http.request(
            'POST', protocols_url, data=sfauth.request_token_body(challenge.realm, token_url, challenge.reqtokentemplate),
            headers={'Content-Type': sfauth.MEDIA_REQUEST_TOKEN,
                     'Accept': '%s, %s' % (sfauth.MEDIA_TOKEN_RESPONSE, sfauth.MEDIA_TOKEN_CHOICES)},
            expected=(300,), state_changing=False, what=what)
        choices = sfauth.parse_choices(response.content, what, url=protocols_url)
        location = next((loc for protocol, loc in choices if protocol.lower() == EXPLICIT_FORMS.lower()), None)
        if not location:
            raise errors.AuthenticationError(
                'Could not sign in to StoreFront as "%s"' % self.username, method='POST', url=protocols_url,
                api_message='the store offers %s but not ExplicitForms (user name and password)'
                            % (', '.join(p for p, _loc in choices) or 'no protocol'),
                hint='enable the "User name and password" method on the store, or pass a token obtained elsewhere')
        try:
            return self._explicit_forms(self.secure(location), challenge, token_url)
        finally:
            self._forget_session_cookie()

    def _explicit_forms(self, location, challenge, token_url):
        what = 'sign in to StoreFront as "%s"' % self.username
        accept = '%s, %s' % (sfauth.MEDIA_TOKEN_RESPONSE, sfauth.MEDIA_AUTH_RESPONSE)
        response = self.http.request(
            'POST', location, data=sfauth.request_token_body(challenge.realm, token_url, challenge.reqtokentemplate),
            headers={'Content-Type': sfauth.MEDIA_REQUEST_TOKEN, 'Accept': accept},
            state_changing=False, what=what)
        sent_password = False
        for _round in range(MAX_FORMS):
            if media_type(response) == sfauth.MEDIA_TOKEN_RESPONSE:
                return self._token_from(response, what)[0]
            form = sfauth.parse_form(response.content, what, url=response.url)
            if form.result != 'more-info' or form.status.lower() != 'success' or (
                    sent_password and form.asks_for('password')):
                raise self._form_error(form, what, response.url)
            sent_password = sent_password or form.asks_for('password')
            postback = self._postback_url(location, form.postback)
            response = self.http.request(
                'POST', postback, data=sfauth.answer_form(form, self.username, self._password, self.domain),
                headers={'Content-Type': FORM_MEDIA, 'Accept': accept}, state_changing=False, what=what)
        raise errors.AuthenticationError('Could not ' + what, url=self.redact(location),
                                         api_message='the logon conversation did not end after %d forms' % MAX_FORMS)

    def _postback_url(self, location, postback):
        if not postback:
            raise errors.ResponseFormatError('Could not sign in to StoreFront', url=self.redact(location),
                                             api_message='the logon form has no PostBack URL')
        if postback.startswith(('https://', 'http://')):
            return self.secure(postback)
        origin = urlsplit(location)
        return '%s://%s/%s' % (origin.scheme, origin.netloc, postback.lstrip('/'))

    def _form_error(self, form, what, url):
        result = form.result or 'no result'
        details = form.messages()
        hint = CREDENTIAL_HINT
        if form.result == 'update-credentials':
            hint = 'the password has expired and must be changed before automation can sign in'
        elif form.status.lower().startswith('error-'):
            hint = 'the logon conversation lost its state (%s); run again' % form.status
        elif form.result == 'more-info':
            result, details = 'fail', details or 'the credentials were asked for again'
        return errors.AuthenticationError('Could not ' + what, code=result, api_message=details or None,
                                          url=self.redact(url.split('?', 1)[0]), method='POST', hint=hint)

    def _forget_session_cookie(self):
        # The conversation is over (done or failed): its session must not leak into a later one.
        jar = self.http.session.cookies
        for cookie in [c for c in jar if c.name == SESSION_COOKIE]:
            jar.clear(cookie.domain, cookie.path, cookie.name)

    # -- answers ----------------------------------------------------------------------------------

    def expect(self, response, media, what):
        """Refuse an answer that is not of ``media`` (a Receiver for Web site or a proxy page)."""
        if media_type(response) != media:
            raise errors.ResponseFormatError(
                'Could not ' + what, status=response.status_code, method='GET',
                url=self.redact(response.url.split('?', 1)[0]),
                api_message='expected %s, got %s' % (media, describe_body(response)),
                hint=STORE_URL_HINT)
