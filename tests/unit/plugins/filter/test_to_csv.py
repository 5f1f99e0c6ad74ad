"""The to_csv filter: CSV that spreadsheets read as data (no formula runs, no row broken by a value)."""

import csv
import io

import pytest
from ansible.errors import AnsibleFilterError
from hypothesis import given, settings, strategies as st

from ansible_collections.opencitrix.automation.plugins.filter.to_csv import FilterModule, neutralise, to_csv

FORMULA_STARTS = ('=', '+', '-', '@', '\t', '\r')


def parsed(text):
    return list(csv.reader(io.StringIO(text, newline='')))


@pytest.mark.parametrize('value, cell', [
    ('=HYPERLINK("http://evil.example","Open")', '\'=HYPERLINK("http://evil.example","Open")'),
    ('+1', "'+1"), ('-1', "'-1"), ('@SUM(A1)', "'@SUM(A1)"), ('\t=1', "'\t=1"), ('\r=1', "'\r'=1"),
    ('owner@acme.com\n=HYPERLINK(1)', "owner@acme.com\n'=HYPERLINK(1)"),
    ('a\r\n+b\r-c', "a\r\n'+b\r'-c"),
    ('plain', 'plain'), ('a=b', 'a=b'), (' =1', ' =1'),
    (None, ''), (3, '3'), (True, 'true'), (['iOS', 'Android'], 'iOS Android'), (['iOS', '=1'], 'iOS =1'),
])
def test_neutralise(value, cell):
    assert neutralise(value) == cell


def test_dict_rows_in_field_order_with_a_header_and_multi_line_values_quoted():
    rows = [{'user': 'eve@acme.com\n=HYPERLINK("http://evil.example","x")', 'devices': 2, 'platforms': ['iOS']},
            {'user': 'bob, jr', 'devices': 1, 'platforms': [], 'extra': 'ignored'}]
    text = to_csv(rows, ['user', 'devices', 'platforms'])
    assert text.startswith('user,devices,platforms\r\n')
    assert parsed(text) == [['user', 'devices', 'platforms'],
                            ['eve@acme.com\n\'=HYPERLINK("http://evil.example","x")', '2', 'iOS'],
                            ['bob, jr', '1', '']]
    assert not [line for line in text.splitlines() if line.startswith(FORMULA_STARTS)]


def test_list_rows_without_a_header():
    assert to_csv([['a', None, 1]]) == 'a,,1\r\n'
    assert to_csv([['a']], ['col'], header=False) == 'a\r\n'
    assert to_csv([['a', 'b\nc'], ['d']], line_end=False) == 'a,"b\nc"\r\nd'


@pytest.mark.parametrize('rows, fields, message', [
    ('text', None, 'expects a list of rows'),
    ([{'a': 1}], None, 'need fields'),
    ([3], None, 'a row must be a dictionary or a list'),
    ([['a']], 'user', 'fields must be a list'),
])
def test_bad_input_is_a_filter_error(rows, fields, message):
    with pytest.raises(AnsibleFilterError, match=message):
        to_csv(rows, fields)


def test_the_filter_is_registered():
    assert FilterModule().filters() == {'to_csv': to_csv}


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.text(max_size=20) | st.none() | st.integers(), min_size=1, max_size=4), max_size=5))
def test_any_values_come_back_as_the_same_rows_and_never_as_formulas(rows):
    back = parsed(to_csv(rows))
    assert back == [[neutralise(value) for value in row] for row in rows]
    for row in back:
        for cell in row:
            lines = cell.replace('\r\n', '\n').replace('\r', '\n').split('\n')
            assert not [line for line in lines if line.startswith(FORMULA_STARTS[:-1])], cell
