# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Citrix Cloud client: OAuth client credentials, regional hosts, CwsAuth requests.

The same token serves the Citrix Cloud platform APIs (core, registry, notifications on the region's
Citrix Workspaces hosts, ``*.citrixworkspacesapi.net`` or ``*.citrixworkspacesapi.jp``; resource locations
on the API gateway) and Citrix DaaS. It is
cached per credential for every task and fork of a run (:mod:`token_cache`) and renewed once when
any Citrix Cloud service rejects it (:func:`auth.cloud_token_rejected`).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.opencitrix.automation.plugins.module_utils import errors
from ansible_collections.opencitrix.automation.plugins.module_utils.argspec import (
    env_fallback, transport_argument_spec,
)
from ansible_collections.opencitrix.automation.plugins.module_utils.auth import TokenAuth, cloud_token_rejected
from ansible_collections.opencitrix.automation.plugins.module_utils.redaction import Redactor
from ansible_collections.opencitrix.automation.plugins.module_utils.responses import require_keys, require_list
from ansible_collections.opencitrix.automation.plugins.module_utils.token_cache import (
    TokenCache, cache_key, secret_fingerprint,
)
from ansible_collections.opencitrix.automation.plugins.module_utils.transport import HttpClient, transport_options
from ansible_collections.opencitrix.automation.plugins.module_utils.urls import validate_url

WORKSPACES_NET = 'https://{service}.citrixworkspacesapi.net'
# Per region: the API gateway (tokens, resource locations, DaaS) and the template of the Citrix Workspaces
# platform hosts (core, registry, notifications, trust). Japan has its own Workspaces domain.
REGIONS = {
    'global': ('https://api.cloud.com', WORKSPACES_NET),
    'us': ('https://api-us.cloud.com', WORKSPACES_NET),
    'eu': ('https://api-eu.cloud.com', WORKSPACES_NET),
    'ap-s': ('https://api-ap-s.cloud.com', WORKSPACES_NET),
    'jp': ('https://api.citrixcloud.jp', 'https://{service}.citrixworkspacesapi.jp'),
}
REGION_API_HOSTS = dict((region, hosts[0]) for region, hosts in REGIONS.items())
TOKEN_PATH = '/cctrustoauth2/root/tokens/clients'

CREDENTIAL_HINT = ('check client_id and client_secret (CITRIX_CLIENT_ID / CITRIX_CLIENT_SECRET) and that the '
                   'API client was created in the region set by region (CITRIX_CLOUD_REGION)')


def cloud_argument_spec():
    """Connection options of every module that signs in to Citrix Cloud."""
    spec = dict(
        client_id=dict(type='str', required=True, fallback=(env_fallback, ['CITRIX_CLIENT_ID'])),
        client_secret=dict(type='str', required=True, no_log=True,
                           fallback=(env_fallback, ['CITRIX_CLIENT_SECRET'])),
        customer_id=dict(type='str', required=True, fallback=(env_fallback, ['CITRIX_CUSTOMER_ID'])),
        region=dict(type='str', default='us', choices=sorted(REGION_API_HOSTS),
                    fallback=(env_fallback, ['CITRIX_CLOUD_REGION'])),
        api_url=dict(type='str', fallback=(env_fallback, ['CITRIX_CLOUD_API_URL'])),
        workspaces_api_url=dict(type='str', fallback=(env_fallback, ['CITRIX_WORKSPACES_API_URL'])),
        token_cache=dict(type='bool', default=True, fallback=(env_fallback, ['CITRIX_TOKEN_CACHE'])),
    )
    spec.update(transport_argument_spec('CITRIX'))
    return spec


class CloudClient:
    """Signs in with API client credentials and sends authenticated requests to Citrix Cloud hosts."""

    def __init__(self, client_id, client_secret, customer_id=None, region='us', api_url=None,
                 workspaces_api_url=None, token_cache=True, redactor=None, cache=None, **transport):
        """``transport``: HttpClient keyword arguments (validate_certs, ca_path, timeouts, retry,
        allow_plain_http, max_response_bytes, stats, log)."""
        if region not in REGION_API_HOSTS:
            raise errors.InputError('Unknown Citrix Cloud region "%s"' % region,
                                    hint='use one of %s' % ', '.join(sorted(REGION_API_HOSTS)))
        if not client_id or not client_secret:
            raise errors.InputError('Citrix Cloud API client credentials are missing',
                                    hint='set client_id and client_secret, or CITRIX_CLIENT_ID and CITRIX_CLIENT_SECRET')
        self.client_id = client_id
        self.customer_id = customer_id
        self.region = region
        self.redact = redactor or Redactor()
        self.redact.add(client_secret)
        self._client_secret = client_secret
        region_api_url, region_template = REGIONS[region]
        template = workspaces_api_url or region_template
        if '{service}' not in template:
            raise errors.InputError('workspaces_api_url "%s" has no {service} placeholder' % template,
                                    hint='use a template such as https://{service}.citrixworkspacesapi.net')
        validate_url(template.replace('{service}', 'core'), 'Citrix Cloud', transport.get('allow_plain_http', False))
        self.workspaces_template = template.rstrip('/')
        base_url = api_url or region_api_url
        self.auth = TokenAuth(
            self._fetch_token, lambda token: {'Authorization': 'CwsAuth Bearer=%s' % token}, cloud_token_rejected,
            cache=cache or TokenCache(use_file=token_cache),
            cache_key=cache_key('citrix-cloud', validate_url(base_url, 'Citrix Cloud', True), client_id,
                                secret_fingerprint(client_secret)),
            redactor=self.redact)
        self.http = HttpClient(
            base_url, redactor=self.redact, service_name='Citrix Cloud', auth=self.auth,
            hint_for={401: 'check that the API client still exists and has access to this customer',
                      403: 'check the API client\'s administrator permissions',
                      406: 'the request must send Accept: application/json'},
            **transport)

    @classmethod
    def from_params(cls, params, redactor=None, log=None, **transport):
        """Build a client from module or plugin options (names as in ``cloud_argument_spec``)."""
        options = transport_options(params)
        options.update(transport)
        return cls(
            client_id=params.get('client_id'), client_secret=params.get('client_secret'),
            customer_id=params.get('customer_id'), region=params.get('region') or 'us',
            api_url=params.get('api_url'), workspaces_api_url=params.get('workspaces_api_url'),
            token_cache=params.get('token_cache', True), redactor=redactor, log=log, **options)

    @property
    def stats(self):
        return self.http.stats

    def require_customer_id(self):
        if not self.customer_id:
            raise errors.InputError('customer_id is required for this call',
                                    hint='set customer_id or CITRIX_CUSTOMER_ID (shown in the Citrix Cloud console)')
        return self.customer_id

    def workspaces_url(self, service, path):
        """URL on a Citrix Workspaces platform host of the region (``{service}.citrixworkspacesapi.net``, or
        ``.jp`` for Japan): core, registry, notifications..."""
        return self.workspaces_template.replace('{service}', service) + '/' + path.lstrip('/')

    def _fetch_token(self, _rejection=None):
        what = 'sign in to Citrix Cloud as API client "%s"' % self.client_id
        try:
            response = self.http.request(
                'POST', TOKEN_PATH, what=what, state_changing=False, authenticated=False,
                data={'grant_type': 'client_credentials', 'client_id': self.client_id,
                      'client_secret': self._client_secret})
        except errors.ApiError as exc:
            if exc.status in (400, 401) and (exc.code in ('invalid_client', 'unauthorized_client', None)
                                             or exc.status == 401):
                raise errors.AuthenticationError(
                    exc.summary, status=exc.status, code=exc.code, api_message=exc.api_message,
                    method=exc.method, url=exc.url, hint=CREDENTIAL_HINT)
            raise
        body = require_keys(self.http.decode_json(response, what), ('access_token',), what)
        token = body['access_token']
        if not isinstance(token, str) or not token:
            raise errors.ResponseFormatError('Could not ' + what, api_message='the token response has no access_token')
        self.redact.add(token)
        try:
            expires_in = float(body.get('expires_in', 3600))
        except (TypeError, ValueError):
            raise errors.ResponseFormatError('Could not ' + what,
                                             api_message='expires_in is not a number of seconds')
        return token, expires_in

    def token(self):
        """A bearer token valid for at least another minute (from the cache when possible)."""
        return self.auth.token()

    def request(self, method, url, **kwargs):
        """An authenticated request (see :meth:`transport.HttpClient.request`)."""
        return self.http.request(method, url, **kwargs)

    def call(self, method, url, what=None, **kwargs):
        """Authenticated request returning decoded JSON."""
        return self.http.call(method, url, what=what, **kwargs)

    def service_states(self):
        """The customer's services and their entitlement states (core ``serviceStates``)."""
        what = 'list Citrix Cloud service states'
        customer = self.require_customer_id()
        return require_list(self.call('GET', self.workspaces_url('core', '/%s/serviceStates' % customer), what=what),
                            'items', what)
