# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Following paged listings to their end, and never further: a server that repeats a continuation
token, keeps handing out new tokens without new items, or returns more items than it said it holds
is reported in one line instead of being followed forever."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.opencitrix.automation.plugins.module_utils import errors

MAX_PAGES = 10000
MAX_STALLED_PAGES = 3


def iterate_pages(fetch_page, new_items=len, max_pages=MAX_PAGES, max_stalled=MAX_STALLED_PAGES, what='list'):
    """Yield the items of a paged listing.

    ``fetch_page(token)`` returns ``(items, next_token)``; the first call gets ``None``; iteration stops
    when ``next_token`` is empty. ``new_items(items)`` tells how many of a page's items were not seen
    before (default: all of them); ``max_stalled`` pages in a row that bring none while the server
    hands out another token end the listing with ResponseFormatError, as do a repeated token and more
    than ``max_pages`` pages."""
    token = None
    seen = set()
    stalled = 0
    for _page in range(max_pages):
        items, next_token = fetch_page(token)
        items = items or ()
        stalled = 0 if new_items(items) else stalled + 1
        yield from items
        if not next_token:
            return
        if next_token in seen:
            raise errors.ResponseFormatError('Could not %s: paging did not advance' % what,
                                             api_message='the server repeated a continuation token')
        if stalled >= max_stalled:
            raise errors.ResponseFormatError(
                'Could not %s: paging did not advance' % what,
                api_message='%d pages in a row brought no new item, yet the server offered another page' % stalled,
                hint='the API keeps paging without end; report it to the server\'s administrator')
        seen.add(next_token)
        token = next_token
    raise errors.ResponseFormatError('Could not %s: paging did not end' % what,
                                     api_message='more than %d pages' % max_pages)


class NewById:
    """``new_items`` for listings whose items carry an id: counts the items whose id was not seen yet."""

    def __init__(self, key='Id'):
        self.key = key
        self.seen = set()

    def __call__(self, items):
        fresh = 0
        for item in items:
            ident = item.get(self.key) if isinstance(item, dict) else None
            if ident is None or ident not in self.seen:
                fresh += 1
                if ident is not None:
                    self.seen.add(ident)
        return fresh


def check_total(count, total, what):
    """Raise when a listing produced more items than the server said it holds (``total`` None: unknown)."""
    if total is not None and count > total:
        raise errors.ResponseFormatError('Could not %s: paging did not end' % what,
                                         api_message='%d items read, but the server reported %d' % (count, total))
