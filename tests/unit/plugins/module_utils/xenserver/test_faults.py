"""XenAPI failures and answers as typed errors, without a server: sentences, error classes, task
results, and answers of any shape."""

import xmlrpc.client

import pytest
from hypothesis import given, settings, strategies as st

from ansible_collections.opencitrix.automation.plugins.module_utils import errors
from ansible_collections.opencitrix.automation.plugins.module_utils.xenserver.faults import (
    describe_failure, failure_error, join_states, parse_task_result,
)

VM_REF = 'OpaqueRef:1f0c6d1e-0d7b-4c55-9a3e-2b1f3c4d5e6f'


def test_vm_bad_power_state_with_and_without_a_known_name():
    details = ['VM_BAD_POWER_STATE', VM_REF, 'halted', 'running']
    assert describe_failure(details, {VM_REF: 'web01'}) == 'VM web01 is running; this operation needs it halted'
    assert describe_failure(details) == 'VM %s is running; this operation needs it halted' % VM_REF
    several = ['VM_BAD_POWER_STATE', VM_REF, 'paused, suspended, running', 'halted']
    assert describe_failure(several, {VM_REF: 'db1'}) == 'VM db1 is halted; this operation needs it paused, suspended or running'


def test_join_states():
    assert join_states('halted') == 'halted'
    assert join_states('halted, suspended') == 'halted or suspended'


def test_other_codes_use_the_datamodel_parameter_names():
    assert describe_failure(['VDI_IN_USE', 'OpaqueRef:v', 'destroy']) == 'vdi=OpaqueRef:v, operation=destroy'
    assert describe_failure(['SOMETHING_NEW', 'a', 'b']) == 'a, b'
    assert describe_failure(['EVENTS_LOST']) == ''


def test_failure_errors_are_typed_one_line_with_a_hint():
    err = failure_error(['HANDLE_INVALID', 'VM', VM_REF], 'start VM web01', {VM_REF: 'web01'}, 'https://xs1')
    assert isinstance(err, errors.NotFoundError) and err.code == 'HANDLE_INVALID'
    assert str(err) == ('Could not start VM web01: HANDLE_INVALID: the VM object web01 does not exist (https://xs1); '
                        'it was probably deleted meanwhile; run again to act on the current pool')
    auth = failure_error(['SESSION_AUTHENTICATION_FAILED'], 'log in', url='https://xs1')
    assert isinstance(auth, errors.AuthenticationError) and 'XENSERVER_PASSWORD' in str(auth)
    assert isinstance(failure_error(['VM_BAD_POWER_STATE', VM_REF, 'halted', 'running'], 'x'), errors.ConflictError)
    other = failure_error(['SR_FULL', '10', '5'], 'x')
    assert isinstance(other, errors.ApiError) and not isinstance(other, (errors.ConflictError, errors.NotFoundError))


def test_task_results():
    assert parse_task_result('') is None
    assert parse_task_result('<value>OpaqueRef:abc</value>') == 'OpaqueRef:abc'
    assert parse_task_result('<value><array><data><value>a</value><value>b</value></data></array></value>') == ['a', 'b']
    with pytest.raises(errors.ResponseFormatError):
        parse_task_result('<value>broken')


# -- properties of XenAPI result decoding -----------------------------------------------------------

# What xapi puts in a task's result: strings (references, UUIDs), ints as strings, booleans, floats,
# arrays and structs of those, or "" for void.
XAPI_VALUES = st.recursive(
    st.booleans() | st.floats(allow_nan=False, allow_infinity=False) | st.integers(-2 ** 31, 2 ** 31 - 1).map(str)
    | st.text(st.characters(blacklist_categories=('Cs', 'Cc')), min_size=1, max_size=40),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(
        st.text(st.characters(blacklist_categories=('Cs', 'Cc')), max_size=10), children, max_size=4),
    max_leaves=15)


def _as_task_result(value):
    text = xmlrpc.client.dumps((value,))
    return text[text.index('<value>'):text.rindex('</value>') + len('</value>')]


@settings(max_examples=300, deadline=None)
@given(XAPI_VALUES)
def test_task_results_round_trip(value):
    assert parse_task_result(_as_task_result(value)) == value


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=120))
def test_any_task_result_text_is_a_value_or_a_format_error(text):
    try:
        parse_task_result(text)
    except errors.ResponseFormatError as exc:
        assert '\n' not in str(exc)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(max_size=40) | st.integers().map(str), max_size=6),
       st.dictionaries(st.text(min_size=1, max_size=30), st.text(max_size=20), max_size=3))
def test_any_error_description_is_one_typed_line(details, names):
    error = failure_error(details, 'start VM web01', names)
    assert isinstance(error, errors.CitrixError)
    text = str(error)
    assert '\n' not in text and text.startswith('Could not start VM web01')
    assert error.code == (str(details[0]) if details else 'UNKNOWN_ERROR')
