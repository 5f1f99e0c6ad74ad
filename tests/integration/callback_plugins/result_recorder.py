# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Test-only callback: appends one JSON line per task result to the file named by
OPENCITRIX_RESULTS_FILE, so tests assert on results rather than on screen output."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
name: result_recorder
type: aggregate
short_description: Record task results as JSON lines (tests only)
description: Writes every task result to the file named by E(OPENCITRIX_RESULTS_FILE).
requirements:
  - enable in configuration
'''

import json
import os

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'aggregate'
    CALLBACK_NAME = 'result_recorder'
    CALLBACK_NEEDS_ENABLED = True

    def _write(self, status, result):
        path = os.environ.get('OPENCITRIX_RESULTS_FILE')
        if not path:
            return
        record = {'status': status, 'host': result._host.get_name(), 'task': result._task.get_name(),
                  'action': result._task.action, 'result': self._clean(result._result)}
        with open(path, 'a') as handle:
            handle.write(json.dumps(record, default=str) + '\n')

    def _clean(self, value):
        return json.loads(json.dumps(value, default=str))

    def v2_runner_on_ok(self, result):
        self._write('ok', result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._write('failed', result)

    def v2_runner_on_skipped(self, result):
        self._write('skipped', result)

    def v2_runner_on_unreachable(self, result):
        self._write('unreachable', result)
