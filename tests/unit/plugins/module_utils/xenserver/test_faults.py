"""XenAPI failures and answers as typed errors, without a server: sentences, error classes, task
results, and answers of any shape through the real transport and the XenAPI package."""

import io
import xmlrpc.client

import pytest
import XenAPI
from hypothesis import given, settings, strategies as st

from ansible_collections.opencitrix.automation.plugins.module_utils import errors
from ansible_collections.opencitrix.automation.plugins.module_utils.retries import RetryPolicy
from ansible_collections.opencitrix.automation.plugins.module_utils.xenserver.faults import (
    describe_failure, failure_error, join_states, parse_task_result,
)
from ansible_collections.opencitrix.automation.plugins.module_utils.xenserver.pool import pool_facts
from ansible_collections.opencitrix.automation.plugins.module_utils.xenserver.session import XenServerSession
from ansible_collections.opencitrix.automation.plugins.module_utils.xenserver.xmlrpc_transport import TimedTransport
from ansible_collections.opencitrix.automation.plugins.module_utils.xenserver.vm import VmFacts

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


# -- answers of any shape ----------------------------------------------------------------------------

class _Answer:
    """What TimedTransport.parse_response reads: an HTTP response with ``body``."""

    length = None

    def __init__(self, body):
        self.stream = io.BytesIO(body)

    def getheader(self, name, default=''):
        return default

    def read(self, size):
        return self.stream.read(size)


class _ScriptedTransport(TimedTransport):
    """The collection's transport without a socket: sign-ins succeed, every other call gets ``answer``."""

    def __init__(self, answer):
        TimedTransport.__init__(self, 1.0, 1.0)
        self.answer = answer

    def single_request(self, host, handler, request_body, verbose=False):
        _params, method = xmlrpc.client.loads(request_body)
        value = self.answer
        if method == 'session.login_with_password':
            value = {'Status': 'Success', 'Value': 'OpaqueRef:0f1e2d3c'}
        body = xmlrpc.client.dumps((value,), methodresponse=True, allow_none=True).encode('utf-8')
        return self.parse_response(_Answer(body))


def scripted_session(answer):
    session = XenServerSession('https://xs1.example.com', 'root', 'pw-Scripted-1', retry=RetryPolicy(retries=0))
    session._new_proxy = lambda url: XenAPI.Session(url, transport=_ScriptedTransport(answer))
    return session


TEXT = st.text(st.characters(blacklist_categories=('Cs', 'Cc')), max_size=12)
# Any XML-RPC value (no datetimes or binaries: xapi sends neither).
ANY = st.recursive(
    st.none() | st.booleans() | st.integers(-2 ** 31, 2 ** 31 - 1) | TEXT | st.floats(allow_nan=False, allow_infinity=False),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(TEXT, children, max_size=3), max_leaves=10)
ENVELOPES = ANY | st.fixed_dictionaries({}, optional={
    'Status': st.sampled_from(['Success', 'Failure']) | ANY, 'Value': ANY,
    'ErrorDescription': ANY | st.lists(TEXT | ANY, max_size=4)})
RECORD = st.fixed_dictionaries({}, optional=dict((field, ANY) for field in (
    'uuid', 'name_label', 'power_state', 'is_a_template', 'is_a_snapshot', 'is_control_domain', 'VBDs', 'VIFs',
    'other_config', 'tags', 'master', 'address')))
LISTINGS = st.fixed_dictionaries({'Status': st.just('Success'), 'Value': ANY | st.dictionaries(TEXT, RECORD | ANY, max_size=3)})
ODD_EVENTS = st.fixed_dictionaries({'Status': st.just('Success'), 'Value': ANY | st.fixed_dictionaries(
    {'events': st.lists(ANY | st.fixed_dictionaries({'class': st.just('vm'), 'ref': TEXT, 'operation': st.just('add'),
                                                     'snapshot': RECORD | ANY}), max_size=3), 'token': TEXT | ANY})})


def _one_typed_line(call):
    try:
        call()
    except errors.CitrixError as exc:
        assert '\n' not in str(exc) and 'pw-Scripted-1' not in str(exc)
        assert 'please report' not in str(exc)
        return exc
    return None


@settings(max_examples=400, deadline=None)
@given(ENVELOPES)
def test_any_answer_to_a_call_is_its_value_or_one_typed_line(envelope):
    with scripted_session(envelope) as session:
        _one_typed_line(lambda: session.call('VM.get_record', 'OpaqueRef:1', what='read a VM'))


@settings(max_examples=300, deadline=None)
@given(LISTINGS | ENVELOPES)
def test_any_listing_is_records_or_one_typed_line(envelope):
    with scripted_session(envelope) as session:
        _one_typed_line(lambda: session.all_records('VM', what='list VMs'))
        _one_typed_line(lambda: VmFacts(session).select())
        _one_typed_line(lambda: pool_facts(session))


@settings(max_examples=300, deadline=None)
@given(ODD_EVENTS | ENVELOPES)
def test_any_event_batch_is_events_or_one_typed_line(envelope):
    with scripted_session(envelope) as session:
        _one_typed_line(lambda: session.fetch([('VM', 'OpaqueRef:1')]))
        _one_typed_line(lambda: session.run_task('VM.start', 'OpaqueRef:1', False, False, timeout=1))


@pytest.mark.parametrize('envelope,message', [
    ({'Status': 'Failure', 'ErrorDescription': []},
     'a Failure whose ErrorDescription is an empty list, not a list starting with an error code'),
    ({'Status': 'Failure', 'ErrorDescription': {}},
     'a Failure whose ErrorDescription is an empty map, not a list starting with an error code'),
    ({'Status': 'Failure', 'ErrorDescription': 'VM_BAD_POWER_STATE'},
     "a Failure whose ErrorDescription is the text 'VM_BAD_POWER_STATE', not a list starting with an error code"),
    ({'Status': 'Failure', 'ErrorDescription': [42]}, 'a Failure whose error code is a number'),
    ({'Status': 'Failure', 'ErrorDescription': ['VDI_IN_USE', {'vdi': 'x'}]},
     'a Failure (code VDI_IN_USE) whose parameters hold a map, not only text'),
    ({'Status': 'Failure'}, 'a Failure whose ErrorDescription is nothing, not a list starting with an error code'),
    ({'Value': {}}, 'an envelope without a Status'),
    ({'Status': 'Success'}, 'a Success envelope without a Value'),
    ('OpaqueRef:1', "the answer is the text 'OpaqueRef:1', not a XenAPI envelope"),
    ({'Status': 'Success', 'Value': 'OpaqueRef:NULL'}, "the VM records are the text 'OpaqueRef:NULL', not a map of records"),
    ({'Status': 'Success', 'Value': {'OpaqueRef:1': 'x'}}, "the VM OpaqueRef:1 record is the text 'x', not a map"),
    ({'Status': 'Success', 'Value': {'OpaqueRef:1': {'uuid': 'u', 'name_label': 'w'}}},
     'the VM OpaqueRef:1 record lacks power_state, is_a_template, is_a_snapshot, is_control_domain, VBDs, VIFs, '
     'other_config, tags'),
])
def test_odd_answers_read_as_one_format_error(envelope, message):
    with scripted_session(envelope) as session:
        error = _one_typed_line(lambda: session.all_records('VM', what='list VMs'))
    assert isinstance(error, errors.ResponseFormatError), error
    assert str(error) == 'Could not list VMs: %s (https://xs1.example.com); check that hostname points at a XenServer host' % message
