# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""XenMobile Server / Citrix Endpoint Management public REST API client.

Signs in with ``POST /xenmobile/api/v1/authentication/login`` (or the ``/login/cloud`` variant with a
Citrix Cloud bearer token), sends the ``auth_token`` header, signs in again once when a call gets
HTTP 401, and signs out when done. Replies carry a ``status``/``message`` envelope: a non-zero
``status`` is an error even with HTTP 200. Use the client as a context manager so the sign-out also
happens when something fails.

What the API offers per concept lives beside this module: :mod:`properties` (server properties),
:mod:`devices` (the device filter), :mod:`apps` (enterprise apps); :mod:`records` reads device records.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from urllib.parse import urlsplit

from ansible_collections.opencitrix.automation.plugins.module_utils import errors
from ansible_collections.opencitrix.automation.plugins.module_utils.argspec import (
    env_fallback, transport_argument_spec,
)
from ansible_collections.opencitrix.automation.plugins.module_utils.auth import TokenAuth, any_401
from ansible_collections.opencitrix.automation.plugins.module_utils.citrix_cloud.client import (
    REGION_API_HOSTS, TOKEN_PATH as OAUTH2_TOKEN_PATH, CloudClient,
)
from ansible_collections.opencitrix.automation.plugins.module_utils.citrix_cloud.trust import TrustClient
from ansible_collections.opencitrix.automation.plugins.module_utils.paging import iterate_pages
from ansible_collections.opencitrix.automation.plugins.module_utils.redaction import Redactor
from ansible_collections.opencitrix.automation.plugins.module_utils.transport import HttpClient, transport_options

API = '/xenmobile/api/v1'
LOGIN_PATH = API + '/authentication/login'
CLOUD_LOGIN_PATH = API + '/authentication/login/cloud'
LOGOUT_PATH = API + '/authentication/logout'
DEFAULT_PORT = 4443
SESSION_SECONDS = 24 * 3600.0  # an auth_token is logged out when the task ends, long before this
CREDENTIAL_HINT = ('check username and password (XENMOBILE_USER / XENMOBILE_PASSWORD); the account must be '
                   'a local XenMobile user whose role has the Public API access permission')
CLOUD_CREDENTIAL_HINT = 'check that the Citrix Cloud API client is an administrator of this Endpoint Management service'
CLOUD_TOKEN_ORDER = {'auto': ('trust', 'oauth2'), 'trust': ('trust',), 'oauth2': ('oauth2',)}
NO_PUBLIC_API_HINT = 'the user\'s RBAC role lacks the Public API access permission'
PERMISSION_HINT = ('the user\'s RBAC role lacks a permission this call needs: Public API access plus the '
                   'feature permission (Devices, Apps or Settings > Server Properties)')


def xenmobile_argument_spec():
    """Connection options of every XenMobile module (documented in the ``xenmobile`` doc fragment)."""
    spec = dict(
        url=dict(type='str', required=True, fallback=(env_fallback, ['XENMOBILE_URL'])),
        username=dict(type='str', fallback=(env_fallback, ['XENMOBILE_USER'])),
        password=dict(type='str', no_log=True, fallback=(env_fallback, ['XENMOBILE_PASSWORD'])),
        login_type=dict(type='str', default='password', choices=['password', 'cloud'],
                        fallback=(env_fallback, ['XENMOBILE_LOGIN_TYPE'])),
        cloud_client_id=dict(type='str', fallback=(env_fallback, ['CITRIX_CLIENT_ID'])),
        cloud_client_secret=dict(type='str', no_log=True, fallback=(env_fallback, ['CITRIX_CLIENT_SECRET'])),
        cloud_region=dict(type='str', default='us', choices=sorted(REGION_API_HOSTS),
                          fallback=(env_fallback, ['CITRIX_CLOUD_REGION'])),
        cloud_api_url=dict(type='str', fallback=(env_fallback, ['CITRIX_CLOUD_API_URL'])),
        cloud_customer_id=dict(type='str', fallback=(env_fallback, ['CITRIX_CUSTOMER_ID'])),
        cloud_trust_url=dict(type='str', fallback=(env_fallback, ['CITRIX_TRUST_URL', 'CITRIX_WORKSPACES_API_URL'])),
        cloud_token_kind=dict(type='str', default='auto', choices=list(CLOUD_TOKEN_ORDER),
                              fallback=(env_fallback, ['XENMOBILE_CLOUD_TOKEN_KIND'])),
    )
    spec.update(transport_argument_spec('XENMOBILE'))
    return spec


def server_url(url):
    """The server's base URL: a bare host name gets ``https://`` and the API's port 4443."""
    url = (url or '').strip()
    if url and '://' not in url:
        url = 'https://%s' % url
        if not urlsplit(url).port:
            url += ':%d' % DEFAULT_PORT
    return url


def filter_ids_text(filter_ids):
    """The API wants ``filterIds`` as one string holding a single-quoted list: "['a', 'b']"."""
    if not filter_ids:
        return None
    for item in filter_ids:
        if "'" in item:
            raise errors.InputError('Filter id %s contains a single quote, which the API cannot take' % item)
    return '[%s]' % ', '.join("'%s'" % item for item in filter_ids)


def filter_body(search=None, filter_ids=None, **sorting):
    """The body of a device or application filter: ``search``, ``filterIds`` and the listing's own
    sort fields (API names), leaving out what is not set."""
    fields = [('search', search), ('filterIds', filter_ids_text(filter_ids))] + sorted(sorting.items())
    return dict((key, value) for key, value in fields if value)


class CloudTokenSource:
    """One kind of Citrix Cloud token the cloud sign-in can offer: ``get()`` returns a bearer token,
    ``forget(token)`` drops a cached one XenMobile refused; ``label`` names it in messages."""

    def __init__(self, label, get, forget=None):
        self.label = label
        self.get = get
        self.forget = forget or (lambda token: None)


def cloud_token_sources(params, redactor=None, log=None, **transport):
    """The token kinds ``cloud_token_kind`` asks for, in the order they are tried: the legacy trust token the
    public REST API documents first, then the ``cctrustoauth2`` token."""
    sources = []
    for kind in CLOUD_TOKEN_ORDER[params.get('cloud_token_kind') or 'auto']:
        if kind == 'trust':
            sources.append(_trust_source(params, redactor, log, len(CLOUD_TOKEN_ORDER[params.get(
                'cloud_token_kind') or 'auto']) > 1, **transport))
        else:
            cloud = CloudClient(params.get('cloud_client_id'), params.get('cloud_client_secret'),
                                region=params.get('cloud_region') or 'us', api_url=params.get('cloud_api_url'),
                                redactor=redactor, log=log, **transport)
            label = 'cctrustoauth2 token (POST %s%s)' % (cloud.http.base_url, OAUTH2_TOKEN_PATH)
            sources.append(CloudTokenSource(label, cloud.token,
                                            lambda token: cloud.auth.cache.invalidate(cloud.auth.cache_key, token)))
    return sources


def _trust_source(params, redactor, log, optional, **transport):
    if optional and not params.get('cloud_customer_id'):
        def missing():
            raise errors.InputError('not tried, no customer id (cloud_customer_id / CITRIX_CUSTOMER_ID)')
        return CloudTokenSource('legacy trust token', missing)
    trust = TrustClient(params.get('cloud_client_id'), params.get('cloud_client_secret'),
                        params.get('cloud_customer_id'), trust_url=params.get('cloud_trust_url'),
                        region=params.get('cloud_region'), redactor=redactor, log=log, **transport)
    return CloudTokenSource('legacy trust token (POST %s)' % trust.token_url, trust.token, trust.forget)


class XenMobileClient:
    """One signed-in session with one XenMobile server."""

    def __init__(self, url, username=None, password=None, login_type='password', cloud_token=None,
                 cloud_tokens=None, redactor=None, **transport):
        """For ``login_type='cloud'``: ``cloud_tokens``, the :class:`CloudTokenSource` list tried in order,
        or ``cloud_token``, one callable returning a Citrix Cloud bearer token. ``transport``: HttpClient
        keyword arguments."""
        self.redact = redactor or Redactor()
        self.login_type = login_type
        self.username = username
        self._password = password
        if cloud_token is not None and not cloud_tokens:
            cloud_tokens = [CloudTokenSource('Citrix Cloud token', cloud_token)]
        self._cloud_tokens = list(cloud_tokens or ())
        if login_type == 'password':
            if not username or not password:
                raise errors.InputError('XenMobile user name or password is missing',
                                        hint='set username and password, or XENMOBILE_USER and XENMOBILE_PASSWORD')
            self.redact.add(password)
        elif not self._cloud_tokens:
            raise errors.InputError('login_type cloud needs Citrix Cloud API client credentials',
                                    hint='set cloud_client_id and cloud_client_secret, or CITRIX_CLIENT_ID and '
                                         'CITRIX_CLIENT_SECRET')
        self._credential_hint = CREDENTIAL_HINT if login_type == 'password' else CLOUD_CREDENTIAL_HINT
        # The auth_token lives as long as this client: it is logged out when the client is done.
        self.auth = TokenAuth(self._login, lambda token: {'auth_token': token}, any_401, redactor=self.redact)
        self.http = HttpClient(server_url(url), redactor=self.redact, service_name='XenMobile', auth=self.auth,
                               hint_for={401: self._credential_hint, 403: PERMISSION_HINT,
                                         'redirect': 'check url (XENMOBILE_URL) or a proxy rewriting answers'},
                               **transport)

    @classmethod
    def from_params(cls, params, redactor=None, log=None):
        """A client from module options (names as in ``xenmobile_argument_spec``)."""
        transport = transport_options(params)
        sources = None
        if params.get('login_type') == 'cloud':
            sources = cloud_token_sources(params, redactor=redactor, log=log, **transport)
        return cls(params.get('url'), params.get('username'), params.get('password'),
                   login_type=params.get('login_type') or 'password', cloud_tokens=sources,
                   redactor=redactor, log=log, **transport)

    @property
    def server(self):
        return self.http.base_url

    @property
    def stats(self):
        return self.http.stats

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        # Sign out also after a failure, unless the server could not be reached at all.
        if not isinstance(exc, errors.TransportError):
            self.logout()
        self.http.close()
        return False

    # -- session ------------------------------------------------------------------------------

    def login(self):
        """Sign in now (otherwise the first call does)."""
        return self.auth.token()

    def _login(self, _rejection=None):
        if self.login_type == 'cloud':
            return self._cloud_login()
        what = 'sign in to XenMobile server %s as "%s"' % (self.server, self.username)
        return self._session_token(self._post_login(LOGIN_PATH, {'login': self.username, 'password': self._password},
                                                    what), what)

    def _post_login(self, path, body, what):
        try:
            return self.http.request('POST', path, json_body=body, state_changing=False, what=what,
                                     authenticated=False)
        except errors.ApiError as exc:
            if exc.status in (400, 401):
                raise errors.AuthenticationError(exc.summary, status=exc.status, code=exc.code,
                                                 api_message=exc.api_message, method=exc.method, url=exc.url,
                                                 hint=self._credential_hint)
            if exc.status == 403:
                exc.hint = NO_PUBLIC_API_HINT
                raise exc.redacted(self.redact)
            raise

    def _session_token(self, response, what):
        reply = self._check_envelope(self.http.decode_json(response, what), what, response,
                                     errors.AuthenticationError, self._credential_hint)
        token = reply.get('auth_token')
        if not isinstance(token, str) or not token:
            raise errors.ResponseFormatError('Could not ' + what, api_message='the reply has no auth_token',
                                             url=self.redact(response.url))
        self.redact.add(token)
        return token, SESSION_SECONDS

    def _cloud_login(self):
        """Offer each kind of Citrix Cloud token in turn (the last one that worked first); a kind that
        cannot be had, or that XenMobile refuses, gives way to the next. All refused: one line naming each."""
        what = 'sign in to XenMobile server %s with a Citrix Cloud token' % self.server
        failures = []
        for source in self._cloud_tokens:
            try:
                bearer = source.get()
            except (errors.ApiError, errors.TransportError, errors.ResponseFormatError, errors.InputError) as exc:
                failures.append('%s -> not obtained (%s)' % (source.label, exc))
                continue
            self.redact.add(bearer)
            try:
                response = self._post_login(CLOUD_LOGIN_PATH, {'bearerToken': bearer}, what)
            except errors.AuthenticationError as exc:
                source.forget(bearer)
                failures.append('%s -> refused by XenMobile (HTTP %s%s)' % (
                    source.label, exc.status, ', %s' % exc.api_message if exc.api_message else ''))
                continue
            if self._cloud_tokens[0] is not source:  # start with the kind that works next time
                self._cloud_tokens.remove(source)
                self._cloud_tokens.insert(0, source)
            if failures and self.http.log:
                self.http.log('XenMobile cloud sign-in: %s' % '; '.join(failures))
            return self._session_token(response, what)
        raise errors.AuthenticationError('Could not ' + what, status=401,
                                         api_message=self.redact('; '.join(failures)),
                                         hint=CLOUD_CREDENTIAL_HINT + ' (tried in this order: %s)'
                                         % ', '.join(s.label.split(' (')[0] for s in self._cloud_tokens))

    def logout(self):
        """Sign out (best effort: a failure here never hides the outcome of the real work)."""
        token = self.auth.cache.get(self.auth.cache_key)
        if not token:
            return
        self.auth.forget()
        body = {'login': self.username} if self.login_type == 'password' else {}
        try:
            self.http.request('POST', LOGOUT_PATH, json_body=body, headers={'auth_token': token},
                              state_changing=False, what='sign out of XenMobile server %s' % self.server,
                              authenticated=False)
        except errors.CitrixError as exc:
            if self.http.log:
                self.http.log('XenMobile sign-out failed: %s' % exc)

    def _check_envelope(self, reply, what, response, error_class=errors.ApiError, hint=None):
        """A non-zero ``status`` is an error whatever the HTTP status was."""
        url = self.redact(response.url.split('?')[0])
        if not isinstance(reply, dict):
            raise errors.ResponseFormatError('Could not ' + what, url=url,
                                             api_message='expected a JSON object, got %s' % type(reply).__name__)
        status = reply.get('status')
        if status is not None and str(status) != '0':
            raise error_class('Could not ' + what, status=response.status_code, code='status %s' % status,
                              api_message=self.redact(str(reply.get('message') or 'no message')),
                              method=response.request.method, url=url, hint=hint)
        return reply

    def call(self, method, path, what, json_body=None, data=None, headers=None, state_changing=None, params=None,
             raw_status=False):
        """An authenticated call returning the checked JSON reply (a 401 gets one new sign-in and one
        resend, see :mod:`auth`). ``raw_status``: return a reply with a non-zero ``status`` instead of
        raising (bulk device actions name the devices that failed in it)."""
        response = self.http.request(method, path, params=params, json_body=json_body, data=data, headers=headers,
                                     state_changing=state_changing, what=what)
        reply = self.http.decode_json(response, what)
        if raw_status and isinstance(reply, dict):
            return reply
        return self._check_envelope(reply, what, response)

    def paged(self, path, body, page_size, what, items_of, count_of, numbers_as_text=False, key=None):
        """Items of a ``start``/``limit`` listing; ``start`` advances by the items a page returned (a 0-based
        offset). Counting is asked for on the first page only; paging stops at an empty or short page, or
        once that count of items was read, so N items take ceil(N / page size) requests.

        ``key``: the items' id field. Items whose id was already read are dropped and the count is of
        distinct ids, so a server that reads ``start`` as a 1-based position (which overlaps each page
        with the previous one by one item) neither repeats nor loses an item; it costs one request more."""
        total = {}
        seen = set()

        def distinct(items):
            if key is None:
                return list(items)
            fresh = []
            for item in items:
                ident = item.get(key) if isinstance(item, dict) else None
                if ident is None or ident not in seen:
                    fresh.append(item)
                    if ident is not None:
                        seen.add(ident)
            return fresh

        def fetch(start):
            start = start or 0
            page = dict(body, start=start, limit=page_size, enableCount=start == 0)
            if numbers_as_text:  # the device filter examples send every field as a string
                page = dict(page, start=str(start), limit=str(page_size), enableCount=str(start == 0).lower())
            reply = self.call('POST', path, what, json_body=page, state_changing=False)
            items = items_of(reply)
            if not isinstance(items, list):
                raise errors.ResponseFormatError('Could not ' + what, api_message='the item list is not a list')
            if start == 0:
                count = count_of(reply)
                total['count'] = int(count) if isinstance(count, (int, str)) and str(count).isdigit() else 0
            fresh = distinct(items)
            total['read'] = total.get('read', 0) + len(fresh)
            end = start + len(items)
            more = len(items) >= page_size and (not total['count'] or total['read'] < total['count'])
            return fresh, (end if more else None)

        return iterate_pages(fetch, new_items=len, what=what)
