"""The ``xenserver_events`` event source against the simulated pool, driven as ansible-rulebook drives
it (``main(queue, args)`` in an asyncio task): latency of one round trip, no polling while idle,
recovery from SESSION_INVALID, EVENTS_LOST and master changes without repeats or gaps, logout on
cancel, filters, one-line errors and no secret in any log line."""

import asyncio
import json
import os
import signal
import subprocess
import sys
import time

import pytest

from ansible_collections.opencitrix.automation.plugins.module_utils import errors
from ansible_collections.opencitrix.automation.plugins.plugin_utils.xenserver_event_stream import EventStream
from tests.harness import ROOT, collections_path
from tests.integration.eda_support import RunningSource, captured_logs, until
from tests.integration.xenserver.support import XEN_PASSWORD, calls, client, writes

ROUND_TRIP = 1.0  # event_timeout of these tests: the longest one event.from call waits


def source_args(xen, **extra):
    args = dict(hostname=xen.url, password=XEN_PASSWORD, ca_path=xen.sim.ca_path, event_timeout=ROUND_TRIP, retries=0)
    args.update(extra)
    return args


def summary(event):
    """(class, operation, name, {field: (before, after)}) of one event."""
    body = event['xenserver']
    return (body['class'], body['operation'], body['name'],
            dict((k, (v['before'], v['after'])) for k, v in body['changes'].items()))


async def following(sim, source, before=0):
    """Wait until the source read the pool and waits in event.from (at least two calls more than ``before``)."""
    await until(lambda: calls(sim, 'event.from') >= before + 2, source=source, what='the source to follow events')


def test_a_vm_power_change_arrives_within_one_round_trip_and_idle_costs_one_call_per_timeout(xen_sim, xen):
    xen.add_test_vm('eda-web', power_state='Running')
    xen.add_test_vm('eda-db', power_state='Halted')
    measured = {}

    async def scenario():
        async with RunningSource('xenserver_events', source_args(xen, fields=['power_state'])) as source:
            await following(xen_sim, source)
            idle_from, started = calls(xen_sim, 'event.from'), time.monotonic()
            await asyncio.sleep(3.5)
            measured['idle_calls'] = calls(xen_sim, 'event.from') - idle_from
            measured['idle_seconds'] = time.monotonic() - started
            assert source.queue.empty()

            before, changed_at = calls(xen_sim, 'event.from'), time.monotonic()
            xen.halt_guest('eda-web')
            halted = await source.next(timeout=ROUND_TRIP)
            measured['latency'] = time.monotonic() - changed_at
            measured['calls_for_change'] = calls(xen_sim, 'event.from') - before

            with client(xen) as session:  # an operator starts the other VM through the API
                session.call('VM.start', session.call('VM.get_by_name_label', 'eda-db')[0], False, False)
            started_event = await source.next(timeout=ROUND_TRIP + 1)
            assert await source.drain(quiet=0.5) == []
        return halted, started_event

    halted, started_event = asyncio.run(scenario())
    assert summary(halted) == ('vm', 'mod', 'eda-web', {'power_state': ('Running', 'Halted')})
    assert halted['xenserver']['host'] is None and halted['xenserver']['record']['uuid'] == halted['xenserver']['uuid']
    assert halted['xenserver']['pool'] == 'sim-pool' and halted['xenserver']['resync'] is False
    assert summary(started_event) == ('vm', 'mod', 'eda-db', {'power_state': ('Halted', 'Running')})
    assert started_event['xenserver']['host'] in ('xs-host-01', 'xs-host-02', 'xs-host-03')
    json.dumps([halted, started_event])  # events are plain JSON for the rule engine
    # No tight polling: while nothing changes, one call waits a whole event_timeout on the server.
    assert measured['idle_calls'] <= measured['idle_seconds'] / ROUND_TRIP + 1
    # The change is answered by the call already waiting, and the next call is the only other one.
    assert measured['latency'] < 0.5 and measured['calls_for_change'] <= 2
    assert xen.active_sessions() == {}  # cancelled: logged out
    print('EDA xenserver: change->queue %.3fs, %d event.from calls in %.1fs idle'
          % (measured['latency'], measured['idle_calls'], measured['idle_seconds']))


def test_events_keep_flowing_after_session_invalid_and_events_lost_without_repeats_or_gaps(xen_sim, xen):
    for name in ('vm-a', 'vm-b', 'vm-c', 'vm-d', 'vm-quiet'):
        xen.add_test_vm(name, power_state='Running')
    logins = []

    async def scenario():
        async with RunningSource('xenserver_events', source_args(xen, classes=['VM'], fields=['power_state'])) as source:
            await following(xen_sim, source)
            logins.append(xen.logins)
            xen.invalidate_sessions()          # toolstack restart: the waiting call gets SESSION_INVALID
            await asyncio.sleep(0.3)
            xen.halt_guest('vm-a')
            events = [await source.next(timeout=ROUND_TRIP + 1)]
            logins.append(xen.logins)

            with xen.db.lock:                   # vm-b changes while the server forgets the history
                xen.halt_guest('vm-b')
                xen.db.forget_deletions()
            events.append(await source.next(timeout=ROUND_TRIP + 1))
            xen.halt_guest('vm-c')
            events.append(await source.next(timeout=ROUND_TRIP + 1))

            before = calls(xen_sim, 'event.from')
            xen.inject_failure('event.from', 'EVENTS_LOST')  # lost, although nothing changed meanwhile
            await until(lambda: calls(xen_sim, 'event.from') >= before + 3, source=source, what='the resync')
            assert source.queue.empty()
            xen.halt_guest('vm-d')
            events.extend(await source.drain(quiet=ROUND_TRIP + 0.5))
        return events

    events = asyncio.run(scenario())
    assert [summary(e) for e in events] == [
        ('vm', 'mod', name, {'power_state': ('Running', 'Halted')}) for name in ('vm-a', 'vm-b', 'vm-c', 'vm-d')]
    assert [e['xenserver']['resync'] for e in events] == [False, True, False, False]
    assert logins[1] == logins[0] + 1  # one new session, the token kept
    assert xen.active_sessions() == {}


def test_master_changes_and_a_dead_master_are_survived(xen_sim, xen):
    for name in ('moved-1', 'moved-2'):
        xen.add_test_vm(name, power_state='Running')
    first_master = xen.url

    async def scenario():
        args = source_args(xen, classes=['VM'], fields=['power_state'], hostname=first_master)
        async with RunningSource('xenserver_events', args) as source:
            await following(xen_sim, source)
            xen.designate_master(1)   # planned: the old master answers HOST_IS_SLAVE from now on
            await until(lambda: xen.calls_by_listener[('xenserver-member1', 'event.from')] >= 2, source=source,
                        what='events from the new master')
            assert await source.drain(quiet=0.3) == []  # the re-read found nothing new
            xen.halt_guest('moved-1')
            events = [await source.next(timeout=ROUND_TRIP + 1)]
            assert len(xen.active_sessions()) == 1  # the session of the old master was logged out

            xen_sim.faults.add(action='reset', listener='xenserver-member1', times=-1)
            xen.designate_master(2)   # the new master fails: its connections are reset
            await until(lambda: xen.calls_by_listener[('xenserver-member2', 'event.from')] >= 2, source=source,
                        what='events from the third master')
            xen.halt_guest('moved-2')
            events.append(await source.next(timeout=ROUND_TRIP + 1))
            events.extend(await source.drain(quiet=0.3))
        return events

    events = asyncio.run(scenario())
    assert [summary(e) for e in events] == [
        ('vm', 'mod', name, {'power_state': ('Running', 'Halted')}) for name in ('moved-1', 'moved-2')]
    # The dead host was asked once (no retries), then the members the host records list.
    assert xen.calls_by_listener[('xenserver-master', 'session.login_with_password')] >= 2
    xen_sim.faults.clear()
    assert xen.active_sessions() == {}


def test_filters_by_class_name_field_operation_and_vm_kind(xen_sim, xen):
    xen.add_test_vm('web-eda-1', power_state='Running')
    xen.add_test_vm('db-eda-1', power_state='Running')
    with client(xen) as session:
        stream = EventStream(session, classes=['VM', 'host', 'SR'], names=['web-*', 'xs-host-0*', 'tmpl-*'],
                             operations=['mod', 'del', 'add'], event_timeout=0.3)
        assert stream.next_events() == []  # the first read is the baseline
        xen.halt_guest('db-eda-1')                        # name not watched
        xen.halt_guest('web-eda-1')
        host = xen.hosts[2]
        session.call('host.set_name_description', host, 'rack 7')
        xen.db.update('host', host, enabled=False)   # as host.disable does
        template = session.call('VM.clone', session.call('VM.get_by_name_label', 'web-template')[0], 'tmpl-copy')
        seen = []
        while True:
            batch = stream.next_events()
            if not batch:
                break
            seen.extend(batch)
        assert sorted(summary(e)[:3] for e in seen) == [('host', 'mod', 'xs-host-03'), ('vm', 'mod', 'web-eda-1')]
        host_event = [e for e in seen if e['xenserver']['class'] == 'host'][0]['xenserver']
        assert host_event['changes'] == {'name_description': {'before': 'Default install', 'after': 'rack 7'},
                                         'enabled': {'before': True, 'after': False}}
        session.call('VM.destroy', session.call('VM.get_by_name_label', 'web-eda-1')[0])
        assert [summary(e)[:3] for e in stream.next_events()] == [('vm', 'del', 'web-eda-1')]
        assert template  # a template (not reported without include_templates)

        only_power = EventStream(session, classes=['VM'], fields=['power_state'], operations=['add'], event_timeout=0.3)
        only_power.next_events()
        session.call('VM.set_name_description', session.call('VM.get_by_name_label', 'db-eda-1')[0], 'x')
        assert only_power.next_events() == []
    assert xen.active_sessions() == {}


def test_errors_are_one_line_and_no_secret_reaches_any_log_line(xen_sim, xen):
    source_password = XEN_PASSWORD

    async def run(args, timeout=5.0):
        source = RunningSource('xenserver_events', args)
        async with source:
            await asyncio.wait([source.task], timeout=timeout)
            assert source.task.done()
            return source.task.exception()

    with captured_logs() as lines:
        wrong = asyncio.run(run(source_args(xen, password='not-' + source_password)))
        refused = asyncio.run(run(source_args(xen, classes=['VM', 'session'])))
        typo = asyncio.run(run(source_args(xen, clases=['VM'], event_timeout='soon')))

        async def busy():
            async with RunningSource('xenserver_events', source_args(xen)) as source:
                await following(xen_sim, source)
                xen.invalidate_sessions()
                await asyncio.sleep(0.3)
                xen.halt_guest(xen.db.get('VM', [r for r, v in xen.db.all('VM').items()
                                                 if v['power_state'] == 'Running' and not v['is_control_domain']][0])
                               ['name_label'])
                return await source.next(timeout=ROUND_TRIP + 1)
        event = asyncio.run(busy())
    assert isinstance(wrong, errors.AuthenticationError)
    assert 'SESSION_AUTHENTICATION_FAILED' in str(wrong) and 'XENSERVER_PASSWORD' in str(wrong)
    assert isinstance(refused, errors.InputError) and 'session' in str(refused)
    assert isinstance(typo, errors.InputError) and 'clases' in str(typo) and 'event_timeout' in str(typo)
    for error in (wrong, refused, typo):
        assert '\n' not in str(error) and source_password not in str(error)
    text = '\n'.join(lines) + json.dumps(event)
    assert 'session renewed' in text  # the debug log was really captured
    assert source_password not in text
    assert not [ref for ref in xen.issued_sessions if ref in text]
    assert xen.active_sessions() == {}


@pytest.mark.parametrize('bad', [{'event_timeout': 0}, {'event_timeout': 61}, {'event_timeout': 30, 'read_timeout': 20}])
def test_event_timeout_must_fit_the_read_timeout(xen, bad):
    options = dict(bad)
    with pytest.raises(errors.InputError, match='event_timeout'):
        EventStream(client(xen, read_timeout=options.pop('read_timeout', 60)), **options)


def test_the_rulebook_playbook_starts_the_vm_the_source_reported(xen_sim, xen, xen_env, run_playbook):
    xen.add_test_vm('auto-vm', power_state='Running', tags=['auto-restart', 'prod'])
    with client(xen) as session:
        stream = EventStream(session, classes=['VM'], fields=['power_state'], operations=['mod'], event_timeout=0.3)
        stream.next_events()
        xen.halt_guest('auto-vm')
        [event] = stream.next_events()
    body = event['xenserver']
    # What the rule of extensions/eda/rulebooks/xenserver_restart_halted_vm.yml tests:
    assert body['changes']['power_state'] == {'before': 'Running', 'after': 'Halted'}
    assert 'auto-restart' in body['record']['tags']
    with open(os.path.join(ROOT, 'playbooks', 'eda_restart_vm.yml')) as handle:
        playbook = handle.read()
    extra = {'ansible_eda': {'ruleset': 'Restart XenServer VMs that halt unexpectedly', 'event': event}}

    first = run_playbook(playbook, env=xen_env, extra_vars=extra, verbosity=4)
    assert first.rc == 0, first
    assert xen.vm('auto-vm')['power_state'] == 'Running'
    assert 'auto-vm of pool sim-pool: started again' in first.output
    assert XEN_PASSWORD not in first.output and not [ref for ref in xen.issued_sessions if ref in first.output]

    again = writes(xen_sim)
    second = run_playbook(playbook, env=xen_env, extra_vars=extra)
    assert second.rc == 0, second
    assert second.task('Start the VM')['result']['changed'] is False and writes(xen_sim) == again
    assert xen.active_sessions() == {}


def test_designate_new_master_moves_the_pool_and_the_session_follows(xen_sim, xen):
    with client(xen) as session:
        second = [ref for ref, host in session.all_records('host').items() if host['address'] == '127.0.0.2'][0]
        session.call('pool.designate_new_master', second)
        with pytest.raises(errors.ApiError) as moved:
            session.call('pool.get_all')
        assert moved.value.code == 'HOST_IS_SLAVE' and moved.value.details['error_description'][1:] == ['127.0.0.2']
        session.reconnect(['127.0.0.2'])
        [pool] = session.call('pool.get_all_records').values()
        assert pool['master'] == second and session.master_url == xen.url == xen.member_url(1)
        assert len(xen.active_sessions()) == 1  # the first session was logged out through the new master
    assert xen_sim.stats.writes(route='xenserver.pool.designate_new_master') == 1
    assert xen.active_sessions() == {}


def test_the_manual_runner_prints_events_from_the_installed_layout_and_logs_out_on_interrupt(xen_sim, xen):
    xen.add_test_vm('runner-vm', power_state='Running')
    # The collection as installed (ansible_collections/opencitrix/automation/...), so the runner must find
    # its own module_utils from its path.
    script = os.path.join(collections_path(), 'ansible_collections', 'opencitrix', 'automation', 'extensions', 'eda',
                          'plugins', 'event_source', 'xenserver_events.py')
    env = dict((k, v) for k, v in os.environ.items() if not k.startswith(('XENSERVER_', 'PYTHONPATH')))
    env.update(XENSERVER_HOST=xen.url, XENSERVER_PASSWORD=XEN_PASSWORD, XENSERVER_CA_PATH=xen_sim.ca_path)
    options = json.dumps({'classes': ['VM'], 'fields': ['power_state'], 'event_timeout': 0.5})
    runner = subprocess.Popen([sys.executable, script, options], env=env, cwd=os.path.dirname(script),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        while calls(xen_sim, 'event.from') < 2 and runner.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        xen.halt_guest('runner-vm')
        line = runner.stdout.readline()
        runner.send_signal(signal.SIGINT)
        _out, err = runner.communicate(timeout=15)
    finally:
        if runner.poll() is None:
            runner.kill()
    assert summary(json.loads(line)) == ('vm', 'mod', 'runner-vm', {'power_state': ('Running', 'Halted')})
    assert runner.returncode == 0 and 'Traceback' not in err
    assert xen.active_sessions() == {}

    env['XENSERVER_PASSWORD'] = 'wrong-' + XEN_PASSWORD
    failed = subprocess.run([sys.executable, script], env=env, capture_output=True, text=True, timeout=30, check=False)
    assert failed.returncode == 1 and failed.stdout == ''
    assert failed.stderr.count('\n') == 1 and 'SESSION_AUTHENTICATION_FAILED' in failed.stderr
    assert XEN_PASSWORD not in failed.stderr


def test_a_pool_that_accepts_logins_but_never_answers_event_from_fails_the_source(xen_sim, xen):
    with client(xen, retries=0) as session:
        stream = EventStream(session, event_timeout=0.3)
        stream.next_events()
        xen_sim.faults.add(route='xenserver.event.from', action='reset', times=-1)
        logins = xen.logins
        with pytest.raises(errors.TransportError) as failure:
            stream.next_events()
    assert 'connection reset' in str(failure.value) and '\n' not in str(failure.value)
    assert stream.recoveries['reconnects'] == 5 and xen.logins == logins + 5
    xen_sim.faults.clear()
    assert xen.active_sessions() == {}
