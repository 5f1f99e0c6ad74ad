"""The simulated pool speaks the real XenAPI wire format: the unmodified official ``XenAPI`` package
(and raw XML-RPC where the package would hide the bytes) against it."""

import ssl
import time
import xmlrpc.client

import pytest
import XenAPI

from tests.integration.xenserver.support import XEN_PASSWORD, calls, writes

NULL = 'OpaqueRef:NULL'


@pytest.fixture
def xen_sim(make_pool):
    """A pool whose clock only moves when a test advances it, so task states are deterministic."""
    return make_pool(time_scale=0, vms=40)


def official_session(xen, url=None):
    context = ssl.create_default_context(cafile=xen.sim.ca_path)
    return XenAPI.Session(url or xen.url, transport=xmlrpc.client.SafeTransport(context=context))


def raw_call(xen, method, *params):
    """One XML-RPC call without the package: what the server really sends back."""
    context = ssl.create_default_context(cafile=xen.sim.ca_path)
    proxy = xmlrpc.client.ServerProxy(xen.url, context=context)
    return getattr(proxy, method)(*params)


def test_official_package_logs_in_lists_clones_with_progress_and_reads_events(xen_sim, xen):
    session = official_session(xen)
    session.xenapi.login_with_password('root', XEN_PASSWORD, '2.3', 'it-official')
    try:
        vms = session.xenapi.VM.get_all_records()
        ordinary = [v for v in vms.values() if not v['is_a_template'] and not v['is_control_domain'] and not v['is_a_snapshot']]
        assert len(ordinary) == 40
        assert all(isinstance(v['memory_static_max'], str) and v['memory_static_max'].isdigit() for v in vms.values())
        template = session.xenapi.VM.get_by_name_label('web-template')[0]
        assert template.startswith('OpaqueRef:') and template != NULL

        task = session.xenapi.Async.VM.clone(template, 'cloned-by-xenapi')
        assert session.xenapi.task.get_status(task) == 'pending'
        progress = []
        while session.xenapi.task.get_status(task) == 'pending':
            progress.append(session.xenapi.task.get_progress(task))
            xen_sim.clock.advance(0.5)
        record = session.xenapi.task.get_record(task)
        assert record['status'] == 'success' and record['progress'] == 1.0
        assert record['result'].startswith('<value>OpaqueRef:') and record['result'].endswith('</value>')
        assert progress[0] == 0.0 and 0.25 in progress and 0.75 in progress and progress == sorted(progress)
        new_vm = record['result'][len('<value>'):-len('</value>')]
        assert session.xenapi.VM.get_name_label(new_vm) == 'cloned-by-xenapi'
        assert session.xenapi.VM.get_is_a_template(new_vm) is True  # a clone of a template is a template
        session.xenapi.task.destroy(task)

        batch = getattr(session.xenapi.event, 'from')(['vm/%s' % new_vm], '', 0.0)
        assert [(e['class'], e['operation'], e['ref']) for e in batch['events']] == [('vm', 'add', new_vm)]
        assert batch['events'][0]['snapshot']['name_label'] == 'cloned-by-xenapi'
        assert isinstance(batch['valid_ref_counts']['vm'], int)
        token = batch['token']
        assert len(token) == 41 and token[20] == ','

        session.xenapi.VM.set_name_description(new_vm, 'changed')
        later = getattr(session.xenapi.event, 'from')(['VM'], token, 5.0)
        assert [(e['operation'], e['ref'], e['snapshot']['name_description']) for e in later['events']] == [
            ('mod', new_vm, 'changed')]
        quiet_start = time.monotonic()
        empty = getattr(session.xenapi.event, 'from')(['VM'], later['token'], 0.3)
        assert empty['events'] == [] and time.monotonic() - quiet_start >= 0.25  # blocked until its timeout
    finally:
        session.xenapi.session.logout()
    assert xen.active_sessions() == {}
    assert calls(xen_sim, 'Async.VM.clone') == 1
    assert writes(xen_sim) == 3  # clone, task.destroy, set_name_description


def test_wire_format_envelopes_ints_as_strings_and_null_refs(xen):
    session = raw_call(xen, 'session.login_with_password', 'root', XEN_PASSWORD, '2.3', 'it-raw')
    assert session['Status'] == 'Success' and session['Value'].startswith('OpaqueRef:')
    ref = session['Value']
    vm = raw_call(xen, 'VM.get_by_name_label', ref, 'web-0020')['Value'][0]
    record = raw_call(xen, 'VM.get_record', ref, vm)['Value']
    assert record['power_state'] == 'Halted' and record['resident_on'] == NULL and record['guest_metrics'] == NULL
    assert record['VCPUs_max'] == '2' and record['domid'] == '-1'
    assert isinstance(record['is_a_template'], bool) and isinstance(record['HVM_shadow_multiplier'], float)
    assert isinstance(record['snapshot_time'], xmlrpc.client.DateTime)

    bad_auth = raw_call(xen, 'session.login_with_password', 'root', 'wrong', '2.3', 'it-raw')
    assert bad_auth == {'Status': 'Failure', 'ErrorDescription': ['SESSION_AUTHENTICATION_FAILED']}
    assert raw_call(xen, 'VM.get_record', ref)['ErrorDescription'] == [
        'MESSAGE_PARAMETER_COUNT_MISMATCH', 'VM.get_record', '2', '1']
    assert raw_call(xen, 'VM.no_such_call', ref)['ErrorDescription'] == ['MESSAGE_METHOD_UNKNOWN', 'VM.no_such_call']
    assert raw_call(xen, 'Async.VM.get_record', ref, vm)['ErrorDescription'] == ['MESSAGE_METHOD_UNKNOWN', 'Async.VM.get_record']
    assert raw_call(xen, 'VM.get_record', ref, NULL)['ErrorDescription'] == ['HANDLE_INVALID', 'VM', NULL]
    assert raw_call(xen, 'VM.get_record', 'OpaqueRef:gone', vm)['ErrorDescription'] == ['SESSION_INVALID', 'OpaqueRef:gone']
    assert raw_call(xen, 'VM.set_VCPUs_max', ref, vm, True)['ErrorDescription'] == ['FIELD_TYPE_ERROR', 'value']
    assert raw_call(xen, 'VM.get_by_uuid', ref, 'nope')['ErrorDescription'] == ['UUID_INVALID', 'VM', 'nope']
    assert raw_call(xen, 'VM.clean_shutdown', ref, vm)['ErrorDescription'] == ['VM_BAD_POWER_STATE', vm, 'running', 'halted']
    assert raw_call(xen, 'VM.add_to_other_config', ref, vm, 'app', 'x')['ErrorDescription'][0] == 'MAP_DUPLICATE_KEY'
    assert raw_call(xen, 'session.logout', ref) == {'Status': 'Success', 'Value': ''}


def test_members_answer_host_is_slave_with_the_master_address_on_the_same_port(xen):
    member = xen.member_url(1)
    assert member.startswith('https://127.0.0.2:') and member.rsplit(':', 1)[1] == xen.url.rsplit(':', 1)[1]
    session = official_session(xen, member)
    with pytest.raises(XenAPI.Failure) as caught:
        session.xenapi.login_with_password('root', XEN_PASSWORD, '2.3', 'it')
    assert caught.value.details == ['HOST_IS_SLAVE', '127.0.0.1']
    assert xen.calls_by_listener[('xenserver-member1', 'session.login_with_password')] == 1
    assert xen.active_sessions() == {}


def test_power_state_rules_and_check_order(xen):
    session = official_session(xen)
    session.xenapi.login_with_password('root', XEN_PASSWORD, '2.3', 'it')
    api = session.xenapi
    running = api.VM.get_by_name_label('web-0005')[0]
    template = api.VM.get_by_name_label('Debian Bookworm 12')[0]
    expectations = [
        (lambda: api.VM.start(running, False, False), ['VM_BAD_POWER_STATE', running, 'halted', 'running']),
        (lambda: api.VM.destroy(running), ['VM_BAD_POWER_STATE', running, 'halted, suspended', 'running']),
        (lambda: api.VM.clone(running, 'x'), ['VM_BAD_POWER_STATE', running, 'halted', 'running']),
        (lambda: api.VM.start(template, False, False), ['VM_IS_TEMPLATE', template, 'start']),
        (lambda: api.VM.destroy(template), ['VM_CANNOT_DELETE_DEFAULT_TEMPLATE', template]),
        (lambda: api.VM.provision(running), ['VM_BAD_POWER_STATE', running, 'halted', 'running']),
        (lambda: api.VM.set_VCPUs_max(running, '4'), ['VM_BAD_POWER_STATE', running, 'halted', 'running']),
    ]
    for action, expected in expectations:
        with pytest.raises(XenAPI.Failure) as caught:
            action()
        assert caught.value.details == expected
    no_tools = api.VM.get_by_name_label('web-0010')[0]  # running, guest agent never reported
    with pytest.raises(XenAPI.Failure) as caught:
        api.VM.clean_shutdown(no_tools)
    assert caught.value.details == ['VM_LACKS_FEATURE', no_tools]
    hard = api.Async.VM.hard_shutdown(no_tools)
    with pytest.raises(XenAPI.Failure) as caught:
        api.VM.hard_reboot(no_tools)  # the power state allows it; the hard shutdown in progress does not
    assert caught.value.details == ['OTHER_OPERATION_IN_PROGRESS', 'VM', no_tools, 'hard_shutdown', hard]
    assert api.VM.get_current_operations(no_tools) == {hard: 'hard_shutdown'}
    xen.sim.clock.advance(2)
    assert api.task.get_status(hard) == 'success' and api.VM.get_power_state(no_tools) == 'Halted'
    api.session.logout()


def test_event_from_class_and_object_subscriptions_and_events_lost(xen_sim, xen):
    session = official_session(xen)
    session.xenapi.login_with_password('root', XEN_PASSWORD, '2.3', 'it')
    event_from = getattr(session.xenapi.event, 'from')
    vm = session.xenapi.VM.get_by_name_label('web-0020')[0]
    other = session.xenapi.VM.get_by_name_label('app-0001')[0]
    first = event_from(['VM/%s' % vm, 'vm_metrics'], '', 0.0)
    classes = {(e['class'], e['ref'] == vm) for e in first['events']}
    assert ('vm', True) in classes and ('vm_metrics', False) in classes and ('vm', False) not in classes
    token = first['token']
    session.xenapi.VM.add_tags(other, 'not-watched')
    session.xenapi.VM.add_tags(vm, 'watched')
    batch = event_from(['VM/%s' % vm], token, 5.0)
    assert [(e['operation'], e['ref']) for e in batch['events']] == [('mod', vm)]
    assert 'watched' in batch['events'][0]['snapshot']['tags']

    task = session.xenapi.Async.VM.start(vm, False, False)
    done = event_from(['task/%s' % task], '', 0.0)
    statuses = [done['events'][0]['snapshot']['status']]
    token = done['token']
    while statuses[-1] == 'pending':
        xen_sim.clock.advance(1)
        later = event_from(['task/%s' % task], token, 5.0)
        token = later['token']
        statuses.extend((e['snapshot']['status'], e['snapshot']['progress']) for e in later['events'])
        statuses.append(later['events'][-1]['snapshot']['status'])
    assert statuses[-1] == 'success' and ('pending', 0.25) in statuses
    session.xenapi.task.destroy(task)
    deleted = event_from(['task/%s' % task], token, 1.0)
    assert [e['operation'] for e in deleted['events']] == ['del'] and 'snapshot' not in deleted['events'][0]

    with pytest.raises(XenAPI.Failure) as caught:
        event_from(['VM'], 'not-a-token', 0.0)
    assert caught.value.details == ['EVENT_FROM_TOKEN_PARSE_FAILURE', 'not-a-token']
    xen.db.forget_deletions()
    with pytest.raises(XenAPI.Failure) as caught:
        event_from(['VM'], token, 0.0)
    assert caught.value.details == ['EVENTS_LOST']
    session.xenapi.session.logout()


def test_get_all_records_where_expressions(xen):
    session = official_session(xen)
    session.xenapi.login_with_password('root', XEN_PASSWORD, '2.3', 'it')
    where = session.xenapi.VM.get_all_records_where
    one = where('field "name_label"="web-0005"')
    assert [v['name_label'] for v in one.values()] == ['web-0005']
    halted = where('field "power_state"="Halted" and field "is_a_template"="false" and not (field "is_a_snapshot"="true")')
    assert sorted(v['name_label'] for v in halted.values()) == ['web-0020', 'web-0040']
    either = where('field "name_label"="web-0005" or field "name_label"="app-0006"')
    assert sorted(v['name_label'] for v in either.values()) == ['app-0006', 'web-0005']
    with pytest.raises(XenAPI.Failure) as caught:
        where('field "name_label" ==')
    assert caught.value.details[0] == 'INTERNAL_ERROR'
    session.xenapi.session.logout()


def test_session_limit_evicts_the_oldest_and_the_package_logs_in_again(make_pool):
    sim = make_pool(vms=3, session_limit=2)
    xen = sim.service('xenserver')
    oldest = official_session(xen)
    oldest.xenapi.login_with_password('root', XEN_PASSWORD, '2.3', 'it-limit')
    first_ref = oldest.handle
    others = []
    for _other in range(2):
        session = official_session(xen)
        session.xenapi.login_with_password('root', XEN_PASSWORD, '2.3', 'it-limit')
        others.append(session)
    assert first_ref not in xen.active_sessions() and len(xen.active_sessions()) == 2
    assert oldest.xenapi.pool.get_all()  # SESSION_INVALID, then the package's own re-login
    assert oldest.handle != first_ref
    assert xen.logins == 4
    for session in [oldest] + others:
        session.xenapi.session.logout()


def test_guest_metrics_appear_after_boot_in_simulator_time(make_pool):
    sim = make_pool(time_scale=0, vms=20, boot_seconds=30)
    xen = sim.service('xenserver')
    session = official_session(xen)
    session.xenapi.login_with_password('root', XEN_PASSWORD, '2.3', 'it')
    vm = session.xenapi.VM.get_by_name_label('web-0020')[0]
    task = session.xenapi.Async.VM.start(vm, False, False)
    sim.clock.advance(5)
    assert session.xenapi.task.get_status(task) == 'success'
    assert session.xenapi.VM.get_power_state(vm) == 'Running'
    assert session.xenapi.VM.get_guest_metrics(vm) == NULL
    sim.clock.advance(31)
    metrics = session.xenapi.VM.get_guest_metrics(vm)
    assert metrics != NULL
    networks = session.xenapi.VM_guest_metrics.get_networks(metrics)
    assert networks['0/ip'] == networks['0/ipv4/0'] and networks['0/ip'].startswith('10.')
    session.xenapi.session.logout()
