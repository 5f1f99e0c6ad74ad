# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The legacy Citrix Cloud trust API: ``POST https://trust.citrixworkspacesapi.net/{customerId}/tokens/clients``
with the JSON body ``{"ClientId": ..., "ClientSecret": ...}``, answered with a ``token`` field.

XenMobile's public REST API documents this token as the ``bearerToken`` of its cloud sign-in
(``authentication/login/cloud``), rather than the ``access_token`` of ``cctrustoauth2``. The token is
cached like the OAuth tokens (:mod:`token_cache`), keyed by the trust host, the customer, the client id and
a hash of the secret.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.opencitrix.automation.plugins.module_utils import errors
from ansible_collections.opencitrix.automation.plugins.module_utils.redaction import Redactor
from ansible_collections.opencitrix.automation.plugins.module_utils.responses import require_keys
from ansible_collections.opencitrix.automation.plugins.module_utils.token_cache import (
    TokenCache, cache_key, secret_fingerprint,
)
from ansible_collections.opencitrix.automation.plugins.module_utils.transport import HttpClient
from ansible_collections.opencitrix.automation.plugins.module_utils.urls import validate_url

TRUST_HOSTS = {'jp': 'https://trust.citrixworkspacesapi.jp'}
DEFAULT_TRUST_URL = 'https://trust.citrixworkspacesapi.net'
# The answer documents only "token"; a token without a stated lifetime is kept this long.
DEFAULT_LIFETIME = 3600.0


def trust_url_for(url=None, region=None):
    """The trust host: ``url`` (a Workspaces template's ``{service}`` becomes ``trust``), or the region's."""
    if url:
        return url.replace('{service}', 'trust').rstrip('/')
    return TRUST_HOSTS.get(region or 'us', DEFAULT_TRUST_URL)


class TrustClient:
    """Gets (and caches) a legacy trust token for one API client of one customer."""

    def __init__(self, client_id, client_secret, customer_id, trust_url=None, region=None, token_cache=True,
                 redactor=None, cache=None, **transport):
        if not client_id or not client_secret:
            raise errors.InputError('Citrix Cloud API client credentials are missing',
                                    hint='set cloud_client_id and cloud_client_secret, or CITRIX_CLIENT_ID and '
                                         'CITRIX_CLIENT_SECRET')
        if not customer_id:
            raise errors.InputError('The legacy trust token needs the Citrix Cloud customer id',
                                    hint='set cloud_customer_id or CITRIX_CUSTOMER_ID (shown in the Citrix Cloud console)')
        self.client_id, self.customer_id = client_id, customer_id
        self._secret = client_secret
        self.redact = redactor or Redactor()
        self.redact.add(client_secret)
        self.base_url = validate_url(trust_url_for(trust_url, region), 'Citrix Cloud trust',
                                     transport.get('allow_plain_http', False))
        self.cache = cache or TokenCache(use_file=token_cache)
        self.cache_key = cache_key('citrix-trust', self.base_url, customer_id, client_id,
                                   secret_fingerprint(client_secret))
        self.http = HttpClient(self.base_url, redactor=self.redact, service_name='Citrix Cloud trust', **transport)

    @property
    def token_url(self):
        return '%s/%s/tokens/clients' % (self.base_url, self.customer_id)

    def _fetch(self):
        what = 'get a legacy trust token for API client "%s"' % self.client_id
        response = self.http.request('POST', self.token_url, json_body={'ClientId': self.client_id,
                                                                        'ClientSecret': self._secret},
                                     headers={'Accept': 'application/json'}, state_changing=False, what=what,
                                     authenticated=False)
        body = require_keys(self.http.decode_json(response, what), ('token',), what)
        token = body['token']
        if not isinstance(token, str) or not token:
            raise errors.ResponseFormatError('Could not ' + what, api_message='the answer has no token')
        self.redact.add(token)
        lifetime = body.get('expiresIn')
        return token, float(lifetime) if isinstance(lifetime, (int, float)) and lifetime > 0 else DEFAULT_LIFETIME

    def token(self):
        token = self.cache.get_or_fetch(self.cache_key, self._fetch)
        self.redact.add(token)
        return token

    def forget(self, token=None):
        self.cache.invalidate(self.cache_key, token)
