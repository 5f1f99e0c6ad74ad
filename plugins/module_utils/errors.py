# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Typed errors raised by every client of this collection.

Each error renders as one line a person can act on: what failed, the API's own error code and
message, the request (method and URL, never headers or bodies) and, where known, what to check.
Clients raise these; modules and plugins turn them into ``fail_json`` / ``AnsibleError``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class CitrixError(Exception):
    """Base class. ``str(error)`` is a single line, already free of secrets."""

    default_summary = 'Citrix API call failed'

    def __init__(self, summary=None, status=None, code=None, api_message=None, method=None, url=None,
                 hint=None, details=None, transaction_id=None):
        self.summary = summary or self.default_summary
        self.status = status
        self.code = code
        self.api_message = api_message
        self.method = method
        self.url = url
        self.hint = hint
        self.details = details or {}
        self.transaction_id = transaction_id
        super(CitrixError, self).__init__(self.render())

    def render(self):
        parts = [self.summary]
        api = ': '.join(str(p) for p in (self.code, self.api_message) if p)
        if api:
            parts.append(api)
        text = ': '.join(parts)
        where = []
        if self.status:
            where.append('HTTP %s' % self.status)
        if self.method and self.url:
            where.append('%s %s' % (self.method, self.url))
        elif self.url:
            where.append(self.url)
        if self.transaction_id:
            where.append('transaction id %s' % self.transaction_id)
        if where:
            text += ' (%s)' % ', '.join(where)
        if self.hint:
            text += '; ' + self.hint
        return ' '.join(text.split())

    def __str__(self):
        return self.render()

    def traced(self, transaction_id):
        """Name the server's id of the request (``Citrix-TransactionId``), unless one is named already;
        returns self."""
        if transaction_id and not self.transaction_id:
            self.transaction_id = transaction_id
            self.args = (self.render(),)
        return self

    def redacted(self, redact):
        """Apply ``redact`` (a callable str -> str) to every text field, in place; returns self."""
        for attr in ('summary', 'code', 'api_message', 'url', 'hint', 'transaction_id'):
            value = getattr(self, attr)
            if isinstance(value, str):
                setattr(self, attr, redact(value))
        self.args = (self.render(),)
        return self


class InputError(CitrixError):
    """The caller's input is wrong; raised before any request is sent."""

    default_summary = 'Invalid input'


class TransportError(CitrixError):
    """The request did not get an HTTP answer: refused, reset, timed out, TLS failure."""

    default_summary = 'Could not reach the API'


class ResponseFormatError(CitrixError):
    """The server answered, but not in the documented shape (malformed JSON or XML, wrong type)."""

    default_summary = 'Unexpected response from the API'


class ApiError(CitrixError):
    """The API answered with an HTTP error status."""

    default_summary = 'The API refused the request'


class AuthenticationError(ApiError):
    """Credentials or token were rejected (400 invalid_client, 401, bad password)."""

    default_summary = 'Authentication failed'


class AccessDeniedError(ApiError):
    """Authenticated, but not allowed (403)."""

    default_summary = 'Access denied'


class NotFoundError(ApiError):
    """The object does not exist (404), or a lookup by name found nothing."""

    default_summary = 'Not found'


class ConflictError(ApiError):
    """The request conflicts with the object's current state (409)."""

    default_summary = 'Conflict'


class RateLimitedError(ApiError):
    """Still throttled (429) after the retries allowed."""

    default_summary = 'Rate limited by the API'


class ServerError(ApiError):
    """The server failed (5xx) and retrying did not help, or the call was not safe to retry."""

    default_summary = 'The API reported a server error'


class SiteHibernatedError(ServerError):
    """A Citrix DaaS site is hibernated: the API gateway answers HTTP 530 until the site is activated."""

    default_summary = 'The Citrix DaaS site is hibernated'


class RedirectRefusedError(CitrixError):
    """The server answered with a redirect this collection does not follow: to another scheme, host or
    port than the request went to, or one hop too many. Nothing was sent to the redirect's target."""

    default_summary = 'Refusing to follow a redirect'


class OperationFailedError(CitrixError):
    """An asynchronous job or task the API accepted finished unsuccessfully."""

    default_summary = 'Operation failed'


class WaitTimeoutError(CitrixError):
    """A wait for a state, job or task did not finish in the time allowed."""

    default_summary = 'Timed out waiting'


STATUS_ERRORS = {
    400: ApiError,
    401: AuthenticationError,
    403: AccessDeniedError,
    404: NotFoundError,
    409: ConflictError,
    429: RateLimitedError,
}


def error_class_for_status(status):
    """The typed error class for an HTTP status code."""
    if status in STATUS_ERRORS:
        return STATUS_ERRORS[status]
    if status is not None and status >= 500:
        return ServerError
    return ApiError
