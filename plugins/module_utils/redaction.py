# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Redaction of secrets from every message the collection produces.

A secret is registered once (a password, a client secret, a token as soon as it is issued) and is
then masked in every form it can take on its way into a message: as is, URL-encoded, escaped inside
a JSON string, escaped by ``repr()`` (how requests and urllib3 quote header values in their
exceptions), without the whitespace around it, and line by line for a value with line breaks.
Known credential shapes (``CwsAuth Bearer=...``, ``Basic ...``, ``auth_token: ...``) and the user
information of URLs (a proxy URL's ``user:password@``) are masked whether or not they were registered.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import re
import threading

from urllib.parse import quote, quote_plus

MASK = '********'
MIN_SECRET_LENGTH = 4


def encoded_forms(secret):
    """The forms in which ``secret`` can appear in a message (``secret`` itself included)."""
    forms = {secret, quote_plus(secret), quote(secret, safe=''), json.dumps(secret)[1:-1],
             repr(secret)[1:-1], secret.strip()}
    forms.update(line.strip() for line in secret.splitlines())
    forms.update(json.dumps(form)[1:-1] for form in list(forms))
    return set(form for form in forms if len(form) >= MIN_SECRET_LENGTH)


def _masked(match):
    """A pattern's match with its secret part masked: group 1 (what precedes it) and any group after it
    are kept."""
    return match.group(1) + MASK + ''.join(match.group(i) for i in range(2, (match.lastindex or 1) + 1))


class Redactor:
    """Removes secrets from text: registered values in all their encoded forms, known credential
    patterns and URL user information. Callable: ``redact(text) -> text``."""

    PATTERNS = (
        re.compile(r'(CwsAuth\s+Bearer=)[^\s,;"\']+', re.IGNORECASE),
        re.compile(r'(CitrixAuth\s+)[A-Za-z0-9+/=_-]{8,}'),
        re.compile(r'(Basic\s+)[A-Za-z0-9+/=]{8,}'),
        re.compile(r'((?:auth_token|access_token|client_secret|password|bearerToken|Token)["\']?\s*[:=]\s*["\']?)'
                   r'[^"\'\s,&}]+', re.IGNORECASE),
        # user:password@ in any URL (a proxy from HTTPS_PROXY, a Location header)
        re.compile(r'([A-Za-z][A-Za-z0-9+.-]*://)[^\s/@\'"]+(@)'),
    )

    def __init__(self, secrets=None):
        self._secrets = set()
        self._ordered = ()
        self._lock = threading.Lock()
        for secret in secrets or ():
            self.add(secret)

    def add(self, secret):
        """Register a secret value; short or empty values are ignored (they would mask ordinary words)."""
        if not isinstance(secret, str) or len(secret) < MIN_SECRET_LENGTH:
            return
        forms = encoded_forms(secret)
        with self._lock:
            if forms <= self._secrets:
                return
            self._secrets.update(forms)
            # Longest first, so a secret that contains another is masked whole.
            self._ordered = tuple(sorted(self._secrets, key=len, reverse=True))

    @property
    def secrets(self):
        with self._lock:
            return frozenset(self._secrets)

    def __call__(self, text):
        if not isinstance(text, str) or not text:
            return text
        for secret in self._ordered:
            if secret in text:
                text = text.replace(secret, MASK)
        for pattern in self.PATTERNS:
            text = pattern.sub(_masked, text)
        return text

    def exception(self, exc, limit=300):
        """One redacted line describing an exception of requests, urllib3, xmlrpc or the standard library."""
        text = str(exc) or type(exc).__name__
        return ' '.join(self(text).split())[:limit]
