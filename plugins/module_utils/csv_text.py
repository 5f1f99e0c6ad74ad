# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""CSV text that spreadsheets open as data, never as formulas: the ``opencitrix.automation.to_csv`` filter
and the modules that write CSV files share it.

Records end with CR LF (RFC 4180); a value holding a comma, a quote or a line break is quoted. A value
(or any line of a multi-line value) that a spreadsheet would run as a formula, starting with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return, gets a leading ``'``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import csv
import io
import re

from ansible.module_utils.common.text.converters import to_text

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


def rows_to_csv(rows, fields=None, header=True, line_end=True):
    """CSV text of ``rows`` (dictionaries, read in the order of ``fields``, or lists); ValueError for
    rows of another shape."""
    if not isinstance(rows, (list, tuple)):
        raise ValueError('to_csv expects a list of rows, got %s' % type(rows).__name__)
    if fields is not None and (isinstance(fields, str) or not isinstance(fields, (list, tuple))):
        raise ValueError('to_csv: fields must be a list of column names')
    out = io.StringIO()
    # With both characters of CR LF in the terminator the writer quotes every value holding either.
    writer = csv.writer(out, lineterminator='\r\n')
    if fields and header:
        writer.writerow([neutralise(name) for name in fields])
    for row in rows:
        if isinstance(row, dict):
            if not fields:
                raise ValueError('to_csv: rows that are dictionaries need fields (the column order)')
            values = [row.get(name) for name in fields]
        elif isinstance(row, (list, tuple)):
            values = row
        else:
            raise ValueError('to_csv: a row must be a dictionary or a list, got %s' % type(row).__name__)
        writer.writerow([neutralise(value) for value in values])
    text = out.getvalue()
    if not line_end and text.endswith('\r\n'):
        text = text[:-2]
    return text
