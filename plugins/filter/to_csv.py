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

import csv
import io
import re

from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.text.converters import to_text

from ansible_collections.opencitrix.automation.plugins.plugin_utils.untrusted import untrusted

# A formula may start a cell or any line of a multi-line cell: Excel, LibreOffice and Google Sheets
# evaluate = + - @ (and a leading tab or carriage return before them).
_FORMULA_START = re.compile(r'(?:^|(?<=[\r\n]))(?=[=+\-@\t\r])')


def neutralise(value):
    """``value`` as CSV cell text: None empty, a list space-separated, a formula start prefixed with '."""
    if value is None:
        return ''
    if isinstance(value, bool):
        value = 'true' if value else 'false'
    elif isinstance(value, (list, tuple)):
        value = ' '.join(to_text(item) for item in value if item is not None)
    return _FORMULA_START.sub("'", to_text(value))


def to_csv(rows, fields=None, header=True, line_end=True):
    if not isinstance(rows, (list, tuple)):
        raise AnsibleFilterError('to_csv expects a list of rows, got %s' % type(rows).__name__)
    if fields is not None and (isinstance(fields, str) or not isinstance(fields, (list, tuple))):
        raise AnsibleFilterError('to_csv: fields must be a list of column names')
    out = io.StringIO()
    # CR LF ends records (RFC 4180); with both characters in the terminator the writer quotes every value
    # holding either of them.
    writer = csv.writer(out, lineterminator='\r\n')
    if fields and header:
        writer.writerow([neutralise(name) for name in fields])
    for row in rows:
        if isinstance(row, dict):
            if not fields:
                raise AnsibleFilterError('to_csv: rows that are dictionaries need fields (the column order)')
            values = [row.get(name) for name in fields]
        elif isinstance(row, (list, tuple)):
            values = row
        else:
            raise AnsibleFilterError('to_csv: a row must be a dictionary or a list, got %s' % type(row).__name__)
        writer.writerow([neutralise(value) for value in values])
    text = out.getvalue()
    if not line_end and text.endswith('\r\n'):
        text = text[:-2]
    return untrusted(text)


class FilterModule(object):
    def filters(self):
        return {'to_csv': to_csv}
