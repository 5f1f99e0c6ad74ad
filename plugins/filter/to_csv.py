# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
name: to_csv
short_description: Rows as CSV text that spreadsheets open as data, never as formulas
version_added: 0.1.0
description:
  - Turns a list of rows (dictionaries, read in the order of O(fields), or lists) into CSV text with
    Python's C(csv) module, one record per row, each ending with CR LF.
  - A value with a comma, a double quote or a line break is quoted, so a line break inside a value never
    starts a new row.
  - A value that a spreadsheet would run as a formula is neutralised with a leading C('). That is a value
    starting with C(=), C(+), C(-), C(@), a tab or a carriage return, and also any line of a multi-line
    value that starts with one of them. So C(=HYPERLINK(...)) in a device owner or VM name stays text.
  - V(None) becomes an empty value and a list becomes its items separated by spaces. Text read from an API
    stays data; it is never templated.
author:
  - opencitrix maintainers (@opencitrix)
options:
  _input:
    description: The rows, each a dictionary or a list of values.
    type: list
    elements: raw
    required: true
  fields:
    description:
      - Column names, written as the header line. The values of dictionary rows are taken in this order.
      - Required when the rows are dictionaries.
    type: list
    elements: str
  header:
    description: Whether to start with the header line (needs O(fields)).
    type: bool
    default: true
  line_end:
    description:
      - Whether the last record ends with CR LF too. V(false) gives one record to M(ansible.builtin.lineinfile),
        which ends the line itself.
    type: bool
    default: true
'''

EXAMPLES = r'''
- name: Write a report
  ansible.builtin.copy:
    dest: /srv/reports/users.csv
    content: "{{ report.users | opencitrix.automation.to_csv(['user', 'devices', 'last_access']) }}"
    mode: "0640"

- name: Add one record to a CSV file (without its line end, which lineinfile adds)
  ansible.builtin.lineinfile:
    path: /srv/reports/events.csv
    line: "{{ [[event.time, event.machine, event.state]] | opencitrix.automation.to_csv(line_end=false) }}"
'''

RETURN = r'''
_value:
  description: The CSV text.
  type: str
'''

from ansible.errors import AnsibleFilterError

from ansible_collections.opencitrix.automation.plugins.module_utils.csv_text import neutralise, rows_to_csv
from ansible_collections.opencitrix.automation.plugins.plugin_utils.untrusted import untrusted

__all__ = ['neutralise', 'to_csv']


def to_csv(rows, fields=None, header=True, line_end=True):
    try:
        return untrusted(rows_to_csv(rows, fields, header, line_end))
    except ValueError as exc:
        raise AnsibleFilterError(str(exc))


class FilterModule(object):
    def filters(self):
        return {'to_csv': to_csv}
