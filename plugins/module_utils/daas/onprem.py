# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Signing in to the on-premises Orchestration API of a Delivery Controller (CVAD 2311 and later).

``POST https://{ddc}/citrix/orchestration/api/tokens`` with HTTP Basic credentials answers a token, sent
as ``Authorization: CWSAuth bearer=<token>``; the customer id is always ``CitrixOnPremises`` and resource
paths sit under ``.../{customerId}/{siteId}``. The token is cached per controller and administrator
(:mod:`token_cache`) and renewed once when the controller rejects it (:class:`auth.TokenAuth`).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import datetime

from ansible_collections.opencitrix.automation.plugins.module_utils import clock, errors
from ansible_collections.opencitrix.automation.plugins.module_utils.auth import TokenAuth, any_401
from ansible_collections.opencitrix.automation.plugins.module_utils.daas import transactions
from ansible_collections.opencitrix.automation.plugins.module_utils.redaction import Redactor
from ansible_collections.opencitrix.automation.plugins.module_utils.responses import require_keys
from ansible_collections.opencitrix.automation.plugins.module_utils.token_cache import (
    TokenCache, cache_key, secret_fingerprint,
)
from ansible_collections.opencitrix.automation.plugins.module_utils.transport import HttpClient
from ansible_collections.opencitrix.automation.plugins.module_utils.urls import validate_url

ONPREM_API_PATH = '/citrix/orchestration/api'
ONPREM_CUSTOMER_ID = 'CitrixOnPremises'
ONPREM_HINT = 'check client_id (DOMAIN\\user of a site administrator) and client_secret for the Delivery Controller'


def parse_expiry(value, now):
    """Seconds until an RFC 3339 ``ExpiresAt``; an hour when it is absent or unreadable."""
    if isinstance(value, (int, float)):
        return float(value)
    try:
        moment = datetime.datetime.fromisoformat(str(value).replace('Z', '+00:00'))
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=datetime.timezone.utc)
        return moment.timestamp() - now
    except ValueError:
        return 3600.0


class OnPremisesSession:
    """Signs in to a Delivery Controller's Orchestration API (a token for HTTP Basic credentials) and
    sends authenticated requests, with the same ``http`` / ``request()`` contract as ``CloudClient``."""

    def __init__(self, ddc_url, username, password, token_cache=True, redactor=None, cache=None, **transport):
        if not username or not password:
            raise errors.InputError('Delivery Controller credentials are missing',
                                    hint='set client_id (DOMAIN\\user) and client_secret, or CITRIX_CLIENT_ID and '
                                         'CITRIX_CLIENT_SECRET')
        self.redact = redactor or Redactor()
        self.redact.add(password)
        self._credentials = base64.b64encode(('%s:%s' % (username, password)).encode('utf-8')).decode('ascii')
        self.redact.add(self._credentials)
        self.username = username
        base_url = validate_url(ddc_url, 'Citrix Delivery Controller', True)
        self.auth = TokenAuth(
            self._fetch_token, lambda token: {'Authorization': 'CWSAuth bearer=%s' % token}, any_401,
            cache=cache or TokenCache(use_file=token_cache),
            cache_key=cache_key('citrix-onprem', base_url, username, secret_fingerprint(password)), redactor=self.redact)
        self.http = HttpClient(ddc_url, redactor=self.redact, service_name='Citrix Delivery Controller', auth=self.auth,
                               hint_for={401: ONPREM_HINT, 403: 'check the administrator\'s role and scope in the site',
                                         'redirect': 'check ddc_url (CITRIX_DDC_URL) or a proxy rewriting answers'},
                               **transport)
        self.api_root = self.http.base_url + ONPREM_API_PATH

    @property
    def stats(self):
        return self.http.stats

    def _fetch_token(self, _rejection=None):
        what = 'sign in to the Delivery Controller as "%s"' % self.username
        response = transactions.send(self.http, 'POST', self.api_root + '/tokens', what,
                                     {'Authorization': 'Basic ' + self._credentials}, state_changing=False,
                                     authenticated=False)
        body = transactions.decode(self.http, response, what, lambda found: require_keys(found, ('Token',), what))
        token = body['Token']
        if not isinstance(token, str) or not token:
            raise errors.ResponseFormatError('Could not ' + what, api_message='the token response has no Token')
        self.redact.add(token)
        return token, parse_expiry(body.get('ExpiresAt'), clock.current().time())

    def token(self):
        return self.auth.token()

    def request(self, method, url, **kwargs):
        return self.http.request(method, url, **kwargs)
