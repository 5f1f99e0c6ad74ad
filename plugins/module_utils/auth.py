# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Token sign-in as a strategy of the HTTP transport.

Every authentication scheme of the collection (Citrix Cloud OAuth, the on-premises Delivery
Controller, XenMobile, StoreFront's CitrixAuth) is the same sequence: get a token, send it with each
request, and when the server rejects it, forget it, get a new one and send the request once more. A
second rejection right after a new sign-in means the credentials themselves are refused, and fails
in one line. :class:`TokenAuth` is that sequence, written once; :class:`transport.HttpClient` applies it
to every request it sends unless the request is itself a sign-in (``authenticated=False``).

A scheme supplies three functions:

- ``fetch(rejection)`` signs in and returns ``(token, seconds_valid)``; ``rejection`` is the answer that
  asked for a token (StoreFront's challenge names its token service), or None for a sign-in up front;
- ``authorize(token)`` returns the headers that carry the token;
- ``rejected(response)`` tells whether an answer means "this token is no good" (each API says it in its
  own way, see the ``*_rejected`` tests below).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import threading

from ansible_collections.opencitrix.automation.plugins.module_utils.responses import json_body
from ansible_collections.opencitrix.automation.plugins.module_utils.token_cache import TokenCache


class _PrivateTokens:
    """Tokens of one client only (a session that is logged out at the end is never shared)."""

    def __init__(self):
        self._tokens = {}

    def get(self, key):
        return self._tokens.get(key)

    def get_or_fetch(self, key, fetch):
        if key not in self._tokens:
            self._tokens[key] = fetch()[0]
        return self._tokens[key]

    def invalidate(self, key, token=None):
        if token is None or self._tokens.get(key) == token:
            self._tokens.pop(key, None)


class TokenAuth:
    """Get, cache, apply and renew the token of one credential.

    ``cache``: a :class:`token_cache.TokenCache` shared by the tasks and forks of a run, with
    ``cache_key`` naming the credential; None keeps the token in this object only. ``proactive``:
    sign in before the first request (False for schemes whose server must first say where to sign
    in). ``redactor``: every token obtained is registered with it."""

    def __init__(self, fetch, authorize, rejected, cache=None, cache_key='token', redactor=None, proactive=True):
        self._fetch = fetch
        self._authorize = authorize
        self.rejected = rejected
        self.cache = cache if cache is not None else _PrivateTokens()
        self.cache_key = cache_key
        self.redactor = redactor
        self.proactive = proactive
        self._lock = threading.Lock()

    def _sign_in(self, rejection):
        token, seconds = self._fetch(rejection)
        self._remember(token)
        return token, seconds

    def _remember(self, token):
        if self.redactor is not None:
            self.redactor.add(token)
        return token

    def token(self):
        """The token to send now: a cached one, or (for proactive schemes) a new one; None when the
        server must ask for it first."""
        if self.proactive:
            return self._remember(self.cache.get_or_fetch(self.cache_key, lambda: self._sign_in(None)))
        token = self.cache.get(self.cache_key)
        return self._remember(token) if token else None

    def headers(self, token):
        return self._authorize(token) if token else {}

    def renew(self, stale, rejection):
        """A new token after ``stale`` (None: none was sent) was rejected with ``rejection``. Threads that
        saw the same token rejected share one new sign-in."""
        with self._lock:
            current = self.cache.get(self.cache_key)
            if current and current != stale:
                return self._remember(current)
            self.cache.invalidate(self.cache_key, stale)
            return self._remember(self.cache.get_or_fetch(self.cache_key, lambda: self._sign_in(rejection)))

    def forget(self):
        """Drop the cached token (after a logout, which invalidates it)."""
        self.cache.invalidate(self.cache_key)

    def store(self, token, seconds=3600.0):
        """Use ``token`` (one the caller already holds, such as a StoreFront token given as an option)."""
        self.cache.invalidate(self.cache_key)
        self.cache.get_or_fetch(self.cache_key, lambda: (self._remember(token), seconds))


def memory_cache():
    """A token cache for one process (no file): tokens that must not outlive a task."""
    return TokenCache(use_file=False)


# -- what each API says when it rejects a token ---------------------------------------------------

def any_401(response):
    """Delivery Controller (Orchestration API) and XenMobile: every 401 means the token is no good."""
    return response.status_code == 401


def cloud_token_rejected(response):
    """Citrix Cloud, in the three shapes its services answer a token they no longer accept with:
    the Workspaces hosts' ``{"Error": {"Type": "CWSAuthException"}}``, the API gateway's problem
    details of type ``.../common/authentication``, and the DaaS ``ErrorData`` with an ``ErrorType``
    of ``AuthenticationFailed``."""
    if response.status_code != 401:
        return False
    body = json_body(response)
    if not isinstance(body, dict):
        return False
    nested = body.get('Error')
    if isinstance(nested, dict) and str(nested.get('Type', '')).lower() == 'cwsauthexception':
        return True
    if str(body.get('type', '')).rstrip('/').lower().endswith('/common/authentication'):
        return True
    return str(body.get('ErrorType', '')).lower() == 'authenticationfailed'
