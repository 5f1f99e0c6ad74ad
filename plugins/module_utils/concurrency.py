# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Bounded concurrency for per-object actions (power actions, migrations, uploads).

One place decides how many requests are in flight: the caller's ``concurrency`` clamped to
``[1, hard_cap]``. Every item gets an :class:`Outcome`; one failure never stops the others, so a
module can report the whole picture and then fail with the names that failed.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from concurrent.futures import ThreadPoolExecutor

from ansible_collections.opencitrix.automation.plugins.module_utils import errors

DEFAULT_HARD_CAP = 50


class Outcome:
    """What happened to one item: ``value`` on success, ``error`` (a CitrixError, or another
    exception wrapped as one) on failure."""

    __slots__ = ('item', 'value', 'error')

    def __init__(self, item, value=None, error=None):
        self.item = item
        self.value = value
        self.error = error

    @property
    def ok(self):
        return self.error is None


def clamp(concurrency, hard_cap=DEFAULT_HARD_CAP):
    try:
        concurrency = int(concurrency)
    except (TypeError, ValueError):
        concurrency = 1
    return max(1, min(concurrency, hard_cap))


def _attempt(func, item):
    try:
        return Outcome(item, value=func(item))
    except errors.CitrixError as exc:
        return Outcome(item, error=exc)
    except Exception as exc:  # pylint: disable=broad-except
        return Outcome(item, error=errors.CitrixError('Unexpected %s' % type(exc).__name__, api_message=str(exc)))


def run_bounded(items, func, concurrency, hard_cap=DEFAULT_HARD_CAP):
    """Call ``func(item)`` for every item with at most ``concurrency`` calls in flight; return the
    outcomes in the order of ``items``."""
    items = list(items)
    workers = min(clamp(concurrency, hard_cap), max(1, len(items)))
    if workers == 1:
        return [_attempt(func, item) for item in items]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(lambda item: _attempt(func, item), items))
