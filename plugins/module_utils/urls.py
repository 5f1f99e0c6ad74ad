# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""URL checks shared by every client: what a valid API URL is, whether plain HTTP is allowed, an
origin (scheme, host, port) for redirect decisions, and forms of a URL that are safe to print."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from urllib.parse import urlsplit

from ansible_collections.opencitrix.automation.plugins.module_utils import errors

PLAIN_HTTP_HINT = 'use an https:// URL, or set allow_plain_http: true for a lab without TLS'


def validate_url(url, service_name, allow_plain_http=False):
    """Return ``url`` without a trailing slash, or raise InputError when it is not an absolute
    http(s) URL, or is plain HTTP without the explicit opt-in."""
    url = (url or '').strip().rstrip('/')
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ('https', 'http') or not parts.netloc:
        raise errors.InputError('Invalid %s URL "%s"' % (service_name, safe_url(url)),
                                hint='expected https://host[:port][/path]')
    refuse_plain_http(url, service_name, allow_plain_http)
    return url


def refuse_plain_http(url, service_name, allow_plain_http=False):
    """Raise InputError for a plain-HTTP ``url`` unless the caller opted in."""
    if urlsplit(url).scheme.lower() == 'http' and not allow_plain_http:
        raise errors.InputError('Refusing to send credentials to %s over plain HTTP (%s)' % (service_name, safe_url(url)),
                                hint=PLAIN_HTTP_HINT)


def origin(url):
    """``(scheme, host, port)`` of an absolute http(s) URL, the port made explicit; None when ``url``
    is not one (or its port is unreadable)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    host = (parts.hostname or '').lower()
    if scheme not in ('http', 'https') or not host:
        return None
    return scheme, host, port or (443 if scheme == 'https' else 80)


def show_origin(value):
    """``https://host:443`` for an origin tuple: no user information, path or query, so it is safe to print."""
    scheme, host, port = value
    return '%s://%s:%d' % (scheme, '[%s]' % host if ':' in host else host, port)


def safe_url(url):
    """``url`` without user information, query and fragment (before redaction of what is left)."""
    parts = urlsplit(url)
    netloc = parts.netloc.rsplit('@', 1)[-1]
    return '%s://%s%s' % (parts.scheme, netloc, parts.path) if parts.scheme else url.split('?', 1)[0]
