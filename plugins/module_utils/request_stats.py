# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Request accounting: every request a client sends, counted by method and path (XML-RPC calls by
method name). Tests and benchmarks read it; it never changes what is sent."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import threading


class RequestStats:
    """Counts requests by (method, path); thread-safe."""

    def __init__(self):
        self._lock = threading.Lock()
        self._counts = {}

    def record(self, method, path):
        key = (method, path)
        with self._lock:
            self._counts[key] = self._counts.get(key, 0) + 1

    def counts(self):
        with self._lock:
            return dict(self._counts)

    def total(self, method=None, path_contains=None):
        return sum(n for (m, p), n in self.counts().items()
                   if (not method or m == method) and (not path_contains or path_contains in p))
