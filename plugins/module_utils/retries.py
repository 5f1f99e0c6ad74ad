# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""When and how long to retry: the only retry logic of the collection.

- Reads (and calls marked as not changing state, such as a token POST or a search POST) are retried
  on connection errors, timeouts, 429 and 502/503/504.
- Calls that change state are retried only when the server provably did not process them: the
  connection was refused or never established, 429, or 503 with ``Retry-After``.
- Delays: the server's ``Retry-After`` (seconds or an HTTP date, capped), else a jittered exponential
  backoff.

``sleep``, ``now`` and ``rand`` are injected (by default the process's :mod:`clock`), so tests and the
simulator's clock decide how time passes.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import email.utils
import random
import socket

from ansible_collections.opencitrix.automation.plugins.module_utils import clock

RETRYABLE_STATUS = frozenset((429, 502, 503, 504))
READ_METHODS = frozenset(('GET', 'HEAD', 'OPTIONS'))


class RetryPolicy:
    """How often and how long to retry."""

    def __init__(self, retries=5, backoff_base=1.0, backoff_max=30.0, retry_after_max=120.0,
                 sleep=None, now=None, rand=None):
        self.retries = max(0, int(retries))
        self.backoff_base = float(backoff_base)
        self.backoff_max = float(backoff_max)
        self.retry_after_max = float(retry_after_max)
        self.sleep = sleep or clock.sleep
        self.now = now or (lambda: clock.current().time())
        self.rand = rand or random.random

    def backoff(self, attempt):
        """Jittered exponential delay for retry number ``attempt`` (0-based): half to full of the step."""
        step = min(self.backoff_max, self.backoff_base * (2 ** attempt))
        return step * (0.5 + self.rand() / 2.0)

    def retry_after(self, value):
        """Seconds asked for by a ``Retry-After`` header (seconds or HTTP-date), capped; None if absent
        or unreadable."""
        if value is None:
            return None
        value = str(value).strip()
        if not value:
            return None
        try:
            seconds = float(value)
        except ValueError:
            try:
                when = email.utils.parsedate_to_datetime(value)
            except (TypeError, ValueError, IndexError):
                return None
            if when is None:
                return None
            seconds = when.timestamp() - self.now()
        return min(max(0.0, seconds), self.retry_after_max)

    def delay_for_status(self, status, retry_after_header, attempt, state_changing):
        """Seconds to wait before repeating a request answered with ``status``, or None to stop."""
        if status not in RETRYABLE_STATUS or attempt >= self.retries:
            return None
        retry_after = self.retry_after(retry_after_header)
        # Only answers that prove a write was not processed allow repeating it.
        if state_changing and not (status == 429 or (status == 503 and retry_after is not None)):
            return None
        return retry_after if retry_after is not None else self.backoff(attempt)

    def delay_for_failure(self, attempt, repeatable):
        """Seconds to wait before repeating a request that got no answer, or None to stop."""
        if not repeatable or attempt >= self.retries:
            return None
        return self.backoff(attempt)


def root_cause(exc):
    """Walk exception wrappers (requests, urllib3) to the innermost reason."""
    for _depth in range(8):
        inner = getattr(exc, 'reason', None)
        if not isinstance(inner, BaseException):
            # e.g. ProtocolError('Connection aborted.', ConnectionResetError(...)): the cause is not first
            inner = next((arg for arg in getattr(exc, 'args', ()) if isinstance(arg, BaseException)), None)
        if inner is None or inner is exc:
            return exc
        exc = inner
    return exc


NEVER_SENT_ERRORS = ('NewConnectionError', 'ConnectTimeoutError', 'NameResolutionError', 'ConnectTimeout')


def never_sent(exc):
    """True when the request provably never reached the server (refused, not connected, not resolved)."""
    if type(exc).__name__ in NEVER_SENT_ERRORS:
        return True
    root = root_cause(exc)
    return isinstance(root, (ConnectionRefusedError, socket.gaierror)) or type(root).__name__ in NEVER_SENT_ERRORS
