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
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
from urllib.parse import urlsplit

from ansible_collections.opencitrix.automation.plugins.module_utils import errors
from ansible_collections.opencitrix.automation.plugins.module_utils.argspec import (
    env_fallback, transport_argument_spec,
)
from ansible_collections.opencitrix.automation.plugins.module_utils.citrix_cloud import REGION_API_HOSTS, CloudClient
from ansible_collections.opencitrix.automation.plugins.module_utils.concurrency import Outcome, run_bounded
from ansible_collections.opencitrix.automation.plugins.module_utils.transport import (
    HttpClient, Redactor, iterate_pages, require_keys, transport_options,
)

try:
    from urllib3.fields import RequestField
    from urllib3.filepost import encode_multipart_formdata
except ImportError:  # pragma: no cover - reported through HAS_REQUESTS by the module base
    RequestField = encode_multipart_formdata = None

API = '/xenmobile/api/v1'
LOGIN_PATH = API + '/authentication/login'
CLOUD_LOGIN_PATH = API + '/authentication/login/cloud'
LOGOUT_PATH = API + '/authentication/logout'
PROPERTIES_PATH = API + '/serverproperties'
DEVICE_FILTER_PATHS = {
    'legacy': API + '/device/filter',
    'endpoint_management': '/api/endpoint-management/devices/filter',
}
# The endpoint-management path requires a limit of at most 100; the legacy path documents no maximum.
DEVICE_PAGE_LIMITS = {'legacy': None, 'endpoint_management': 100}
DEFAULT_PAGE_SIZE = {'legacy': 1000, 'endpoint_management': 100}
APP_FILTER_PATH = API + '/application/filter'
DEFAULT_PORT = 4443
ENTERPRISE_PLATFORMS = ('ios', 'android', 'android_work', 'android_knox', 'windows', 'windows_tab')
CONTAINER_PLATFORMS = ('ios', 'android', 'android_knox', 'android_work', 'windows', 'windows_tab')
CREDENTIAL_HINT = ('check username and password (XENMOBILE_USER / XENMOBILE_PASSWORD); the account must be '
                   'a local XenMobile user whose role has the Public API access permission')
CLOUD_CREDENTIAL_HINT = 'check that the Citrix Cloud API client is an administrator of this Endpoint Management service'
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
    )
    spec.update(transport_argument_spec('XENMOBILE'))
    return spec


def device_listing_spec():
    """Options of the modules that list devices (documented in each module)."""
    return dict(
        api=dict(type='str', default='legacy', choices=sorted(DEVICE_FILTER_PATHS)),
        page_size=dict(type='int'),
        filter_ids=dict(type='list', elements='str'),
    )


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


class XenMobileClient:
    """One signed-in session with one XenMobile server."""

    def __init__(self, url, username=None, password=None, login_type='password', cloud_token=None,
                 redactor=None, **transport):
        """``cloud_token``: for ``login_type='cloud'``, a callable returning a Citrix Cloud bearer
        token. ``transport``: HttpClient keyword arguments."""
        self.redact = redactor or Redactor()
        self.login_type = login_type
        self.username = username
        self._password = password
        self._cloud_token = cloud_token
        if login_type == 'password':
            if not username or not password:
                raise errors.InputError('XenMobile user name or password is missing',
                                        hint='set username and password, or XENMOBILE_USER and XENMOBILE_PASSWORD')
            self.redact.add(password)
        elif cloud_token is None:
            raise errors.InputError('login_type cloud needs Citrix Cloud API client credentials',
                                    hint='set cloud_client_id and cloud_client_secret, or CITRIX_CLIENT_ID and '
                                         'CITRIX_CLIENT_SECRET')
        self.http = HttpClient(server_url(url), redactor=self.redact, service_name='XenMobile',
                               hint_for={403: PERMISSION_HINT,
                                         'redirect': 'check url (XENMOBILE_URL) or a proxy rewriting answers'},
                               **transport)
        self._credential_hint = CREDENTIAL_HINT if login_type == 'password' else CLOUD_CREDENTIAL_HINT
        self._token = None

    @classmethod
    def from_params(cls, params, redactor=None, log=None):
        """A client from module options (names as in ``xenmobile_argument_spec``)."""
        transport = transport_options(params)
        cloud_token = None
        if params.get('login_type') == 'cloud':
            cloud = CloudClient(params.get('cloud_client_id'), params.get('cloud_client_secret'),
                                region=params.get('cloud_region') or 'us', api_url=params.get('cloud_api_url'),
                                redactor=redactor, log=log, **transport)
            cloud_token = cloud.token
        return cls(params.get('url'), params.get('username'), params.get('password'),
                   login_type=params.get('login_type') or 'password', cloud_token=cloud_token,
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
        if self.login_type == 'cloud':
            what = 'sign in to XenMobile server %s with a Citrix Cloud token' % self.server
            path, body = CLOUD_LOGIN_PATH, {'bearerToken': self._cloud_token()}
        else:
            what = 'sign in to XenMobile server %s as "%s"' % (self.server, self.username)
            path, body = LOGIN_PATH, {'login': self.username, 'password': self._password}
        try:
            response = self.http.request('POST', path, json_body=body, state_changing=False, what=what)
        except errors.ApiError as exc:
            if exc.status in (400, 401):
                raise errors.AuthenticationError(exc.summary, status=exc.status, code=exc.code,
                                                 api_message=exc.api_message, method=exc.method, url=exc.url,
                                                 hint=self._credential_hint)
            if exc.status == 403:
                exc.hint = NO_PUBLIC_API_HINT
                raise exc.redacted(self.redact)
            raise
        reply = self._check_envelope(self.http.decode_json(response, what), what, response,
                                     errors.AuthenticationError, self._credential_hint)
        token = reply.get('auth_token')
        if not isinstance(token, str) or not token:
            raise errors.ResponseFormatError('Could not ' + what, api_message='the reply has no auth_token',
                                             url=self.redact(response.url))
        self.redact.add(token)
        self._token = token
        return token

    def logout(self):
        """Sign out (best effort: a failure here never hides the outcome of the real work)."""
        token, self._token = self._token, None
        if not token:
            return
        body = {'login': self.username} if self.login_type == 'password' else {}
        try:
            self.http.request('POST', LOGOUT_PATH, json_body=body, headers={'auth_token': token},
                              state_changing=False, what='sign out of XenMobile server %s' % self.server)
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

    def call(self, method, path, what, json_body=None, data=None, headers=None, state_changing=None):
        """An authenticated call returning the checked JSON reply. A 401 means the token expired or was
        revoked: sign in again once and repeat (the server did not process the rejected call)."""
        for attempt in (1, 2):
            token = self._token or self.login()
            merged = {'auth_token': token}
            merged.update(headers or {})
            try:
                response = self.http.request(method, path, json_body=json_body, data=data, headers=merged,
                                             state_changing=state_changing, what=what)
            except errors.AuthenticationError as exc:
                if exc.status != 401 or attempt == 2:
                    if exc.status == 401:
                        exc.hint = 'a fresh auth_token was refused too; ' + self._credential_hint
                        exc.redacted(self.redact)
                    raise
                self._token = None
                continue
            return self._check_envelope(self.http.decode_json(response, what), what, response)

    def _paged(self, path, body, page_size, what, items_of, count_of, numbers_as_text=False):
        """Items of a ``start``/``limit`` listing. Counting is asked for on the first page only; paging
        stops at a short page or once that count is reached, so N items take ceil(N / page size)
        requests."""
        total = {}

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
            end = start + len(items)
            more = len(items) >= page_size and (not total['count'] or end < total['count'])
            return items, (end if more else None)

        return iterate_pages(fetch)

    # -- server properties ----------------------------------------------------------------------

    def server_properties(self):
        """Every server property: ``{id, name, value, displayName, description, defaultValue}``."""
        what = 'list the server properties of %s' % self.server
        reply = require_keys(self.call('GET', PROPERTIES_PATH, what), ('allEwProperties',), what)
        records = reply['allEwProperties']
        if not isinstance(records, list) or not all(isinstance(r, dict) and 'name' in r for r in records):
            raise errors.ResponseFormatError('Could not ' + what, api_message='allEwProperties is not a list of properties')
        return records

    def add_server_property(self, record):
        return self.call('POST', PROPERTIES_PATH, 'add server property "%s"' % record['name'],
                         json_body=property_body(record))

    def edit_server_property(self, record):
        return self.call('PUT', PROPERTIES_PATH, 'edit server property "%s"' % record['name'],
                         json_body=property_body(record))

    def delete_server_properties(self, names):
        return self.call('DELETE', PROPERTIES_PATH, 'delete server properties %s' % ', '.join(names),
                         json_body=list(names))

    def reset_server_properties(self, names):
        return self.call('POST', PROPERTIES_PATH + '/reset', 'reset server properties %s' % ', '.join(names),
                         json_body={'names': list(names)})

    def apply_property_changes(self, changes):
        """Carry out planned changes: adds and edits one call each, deletes and resets one call for
        all of them. Returns one :class:`concurrency.Outcome` per change, in the order given; a
        failure does not stop the others."""
        single = {'add': self.add_server_property, 'edit': self.edit_server_property}
        grouped = {'delete': self.delete_server_properties, 'reset': self.reset_server_properties}
        done = {}
        for outcome in run_bounded([c for c in changes if c['action'] in single],
                                   lambda c: single[c['action']](c['after']), concurrency=1):
            done[outcome.item['name']] = outcome
        for action, func in grouped.items():
            batch = [c for c in changes if c['action'] == action]
            if batch:
                (outcome,) = run_bounded([batch], lambda b: func([c['name'] for c in b]), concurrency=1)
                done.update((c['name'], Outcome(c, outcome.value, outcome.error)) for c in batch)
        return [done[c['name']] for c in changes]

    # -- devices --------------------------------------------------------------------------------

    def devices(self, api='legacy', page_size=None, search=None, filter_ids=None, sort_column=None,
                sort_order=None):
        """Iterate devices through the device filter (paged with ``start``/``limit``)."""
        if api not in DEVICE_FILTER_PATHS:
            raise errors.InputError('Unknown device API "%s"' % api, hint='use legacy or endpoint_management')
        page_size = page_size or DEFAULT_PAGE_SIZE[api]
        cap = DEVICE_PAGE_LIMITS[api]
        if page_size < 1 or (cap and page_size > cap):
            raise errors.InputError('page_size %d is not allowed for the %s device API' % (page_size, api),
                                    hint='use 1 to %s' % (cap or 'any positive number'))
        body = {}
        for key, value in (('search', search), ('filterIds', filter_ids_text(filter_ids)),
                           ('sortColumn', sort_column), ('sortOrder', sort_order)):
            if value:
                body[key] = value
        return self._paged(DEVICE_FILTER_PATHS[api], body, page_size, 'list devices of %s' % self.server,
                           lambda r: r.get('filteredDevicesDataList'), lambda r: r.get('matchedRecords'),
                           numbers_as_text=True)

    # -- applications ---------------------------------------------------------------------------

    def apps(self, page_size=1000, search=None, filter_ids=None, sort_column=None, sort_order=None):
        """Iterate the app list of the application filter."""
        body = {}
        for key, value in (('search', search), ('filterIds', filter_ids_text(filter_ids)),
                           ('applicationSortColumn', sort_column), ('sortOrder', sort_order)):
            if value:
                body[key] = value

        def list_data(reply):
            return require_keys(reply, ('applicationListData',), 'list apps').get('applicationListData') or {}

        return self._paged(APP_FILTER_PATH, body, page_size, 'list apps of %s' % self.server,
                           lambda r: list_data(r).get('appList'), lambda r: list_data(r).get('totalMatchCount'))

    def app_container(self, container_id):
        what = 'read app %s of %s' % (container_id, self.server)
        return require_keys(self.call('GET', API + '/application/mobile/%s' % container_id, what),
                            ('container',), what)['container']

    def apps_named(self, name):
        """Apps whose name is exactly ``name`` (the filter's search matches substrings)."""
        return [app for app in self.apps(search=name) if app.get('name') == name]

    def upload_enterprise_app(self, platform, path, app_info, container_id=None):
        """Upload a package as a new enterprise app, or to a platform of an existing one; returns the
        container from the reply."""
        if platform not in ENTERPRISE_PLATFORMS:
            raise errors.InputError('Unknown platform "%s"' % platform, hint='use one of ' + ', '.join(ENTERPRISE_PLATFORMS))
        what = 'upload %s package %s of app "%s" to %s' % (platform, os.path.basename(path), app_info.get('name'),
                                                           self.server)
        try:
            with open(path, 'rb') as handle:
                content = handle.read()
        except (IOError, OSError) as exc:
            raise errors.InputError('Cannot read app package %s' % path, api_message=exc.strerror)
        info_part = RequestField('appInfo', json.dumps(app_info))
        info_part.make_multipart(content_type='application/json')
        file_part = RequestField('uploadFile', content, filename=os.path.basename(path))
        file_part.make_multipart(content_type='application/octet-stream')
        data, content_type = encode_multipart_formdata([info_part, file_part])
        url = API + '/application/mobile/enterprise/%s' % platform
        if container_id is not None:
            url += '/%s' % container_id
        reply = self.call('POST', url, what, data=data, headers={'Content-Type': content_type})
        return reply.get('container') or {}

    def delete_app(self, container_id, name=None):
        return self.call('DELETE', API + '/application/%s' % container_id,
                         'delete app "%s" (%s) from %s' % (name or container_id, container_id, self.server))


def property_body(record):
    return {'name': record['name'], 'value': record['value'], 'displayName': record.get('displayName') or record['name'],
            'description': record.get('description') or ''}


def platform_versions(container):
    """``{platform: appVersion}`` for the platforms of an app container that hold a package."""
    return {p: (container.get(p) or {}).get('appVersion') for p in CONTAINER_PLATFORMS if container.get(p)}
