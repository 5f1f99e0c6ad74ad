"""The simulator's datamodel extract matches the vendor spec, and its XAPI filter language."""

import json
import os

import pytest

from tests.simulator.services.xenserver import xenapi_model
from tests.simulator.services.xenserver.xenapi_db import XenFailure, parse_filter


@pytest.mark.skipif(not os.path.exists(os.path.join(xenapi_model.DEFAULT_SPEC_DIR, 'xenapi.json')),
                    reason='../shared/specs is not beside this checkout')
def test_committed_extract_matches_the_spec():
    with open(xenapi_model.DATA_FILE) as handle:
        committed = json.load(handle)
    assert committed == json.loads(json.dumps(xenapi_model.extract()))


def test_model_lookups_and_defaults():
    model = xenapi_model.load()
    assert model.canonical('vm_guest_metrics') == 'VM_guest_metrics'
    implicit, params = model.message('VM', 'start')
    assert implicit == 0 and [p[0] for p in params] == ['session ref', 'VM ref', 'bool', 'bool']
    record = model.blank_record('VM')
    assert record['resident_on'] == 'OpaqueRef:NULL' and record['VBDs'] == [] and record['power_state'] == 'Halted'
    assert 'memory_target' in record  # deprecated fields are still served; removed ones are not


@pytest.mark.parametrize('expression,expected', [
    ('field "name_label"="a"', ['a']),
    ('field "name_label"<>"a"', ['b', 'c']),
    ('field "is_a_template"="true"', ['c']),
    ('field "name_label"="a" or field "name_label"="b"', ['a', 'b']),
    ('not (field "name_label"="a") and field "is_a_template"="false"', ['b']),
    ('true', ['a', 'b', 'c']),
    ('false', []),
])
def test_filter_language(expression, expected):
    records = [{'name_label': 'a', 'is_a_template': False}, {'name_label': 'b', 'is_a_template': False},
               {'name_label': 'c', 'is_a_template': True}]
    predicate = parse_filter(expression)
    assert [r['name_label'] for r in records if predicate(r)] == expected


@pytest.mark.parametrize('expression', ['', 'field', 'field "a"=', '("a"="a"', 'field "a"="b" extra'])
def test_filter_language_errors(expression):
    with pytest.raises(XenFailure) as caught:
        parse_filter(expression)
    assert caught.value.code == 'INTERNAL_ERROR'
