"""Answers of the wrong shape from the simulated pool (a broken toolstack, a proxy rewriting bodies): every
one ends the call in one typed line naming what was wrong, never in IndexError, KeyError or
AttributeError, and the session is still logged out."""

import pytest

from ansible_collections.opencitrix.automation.plugins.module_utils import errors
from ansible_collections.opencitrix.automation.plugins.module_utils.xenserver.pool import pool_facts
from ansible_collections.opencitrix.automation.plugins.module_utils.xenserver.vm import VmFacts
from tests.integration.xenserver.support import XEN_PASSWORD, client, play
from tests.simulator.services.xenserver.odd_answers import SHAPES

# What each shape of answer reads as (after "Could not list VMs: ").
EXPECTED = {
    'empty_description': 'a Failure whose ErrorDescription is an empty list, not a list starting with an error code',
    'map_description': 'a Failure whose ErrorDescription is an empty map, not a list starting with an error code',
    'text_description': "a Failure whose ErrorDescription is the text 'INTERNAL_ERROR', not a list starting with",
    'nil_description': 'a Failure whose ErrorDescription is nothing, not a list starting with an error code',
    'odd_parameters': 'a Failure (code VM_BAD_POWER_STATE) whose parameters hold a map, not only text',
    'failure_without_description': 'a Failure whose ErrorDescription is nothing, not a list starting with an error code',
    'no_status': 'an envelope without a Status',
    'unknown_status': "an envelope whose Status is the text 'Pending', neither Success nor Failure",
    'success_without_value': 'a Success envelope without a Value',
    'bare_value': 'an envelope without a Status',
    'text_value': "the VM records are the text 'OpaqueRef:NULL', not a map of records",
    'text_records': "record is the text 'OpaqueRef:NULL', not a map",
    'list_records': 'record is a list, not a map',
    'missing_fields': 'record lacks uuid, name_label, power_state',
    'wrong_field_types': "field of the VM OpaqueRef:",
}


def test_every_shape_is_described():
    assert sorted(EXPECTED) == sorted(SHAPES)


@pytest.mark.parametrize('shape', sorted(SHAPES))
def test_an_odd_answer_to_a_listing_is_one_format_error(xen_sim, xen, shape):
    xen.answer_oddly('VM.get_all_records_where', shape)
    with pytest.raises(errors.ResponseFormatError) as caught:
        with client(xen) as session:
            VmFacts(session).select(tags=['web'])
    message = str(caught.value)
    assert message.startswith('Could not list VMs: ') and EXPECTED[shape] in message, message
    assert message.endswith('check that hostname points at a XenServer host') and '\n' not in message
    assert xen.odd_answers.used() and xen.active_sessions() == {}


@pytest.mark.parametrize('method,shape,what', [
    ('host.get_all_records', 'missing_fields', 'the host OpaqueRef:'),
    ('pool.get_all_records', 'text_records', 'the pool OpaqueRef:'),
    ('event.from', 'bare_value', 'an envelope without a Status'),
    ('event.from', 'text_value', "event.from answered the text 'OpaqueRef:NULL' instead of a map with a list of events"),
    ('event.from', 'empty_description', 'ErrorDescription is an empty list'),
])
def test_odd_answers_to_other_reads(xen_sim, xen, method, shape, what):
    xen.add_test_vm('odd-vm')
    xen.answer_oddly(method, shape)
    with pytest.raises(errors.CitrixError) as caught:
        with client(xen) as session:
            pool_facts(session)
            VmFacts(session).select(name='odd-vm')
    assert isinstance(caught.value, errors.ResponseFormatError) and what in str(caught.value), str(caught.value)
    assert '\n' not in str(caught.value) and xen.active_sessions() == {}


def test_a_module_meeting_an_odd_failure_fails_in_one_line(xen_sim, xen, xen_env, run_playbook):
    xen.answer_oddly('VM.get_all_records_where', 'empty_description')
    xen.answer_oddly('host.get_all_records', 'map_description')
    tasks = [{'name': 'facts', 'opencitrix.automation.xenserver_vm_info': {'name': 'web-0005'}, 'ignore_errors': True},
             {'name': 'hosts', 'opencitrix.automation.xenserver_host_info': {}, 'ignore_errors': True}]
    run = run_playbook(play(tasks), env=xen_env, verbosity=3)
    for name, shape in (('facts', 'an empty list'), ('hosts', 'an empty map')):
        result = run.task(name)
        assert result['status'] == 'failed', result
        message = result['result']['msg']
        assert result['result']['error_type'] == 'ResponseFormatError' and 'ErrorDescription is %s' % shape in message
        assert '\n' not in message and 'please report' not in run.output and 'Traceback' not in run.output
    assert XEN_PASSWORD not in run.output and xen.active_sessions() == {}
