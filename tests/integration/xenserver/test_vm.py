"""xenserver_vm through real ansible-playbook runs against the simulated pool: the whole lifecycle,
idempotence, check mode and diff by the simulator's write counters, the master redirect, secrets at
-vvvv and one-line errors."""

import json

from tests.integration.xenserver.support import XEN_PASSWORD, calls, play, writes

VM = 'opencitrix.automation.xenserver_vm'


def task(title, **args):
    return {'name': title, VM: args}


def failing(title, **args):
    return {'name': title, VM: args, 'ignore_errors': True}


def test_lifecycle_create_start_ip_idempotent_check_halt_absent(xen_sim, xen, xen_env, run_playbook):
    desired = dict(name='web01', template='web-template', description='front end', vcpus=4, memory_mb=2048,
                   tags=['web', 'prod'], other_config={'owner': 'team-web'}, state='running', wait_for_ip=True, timeout=120)

    created = run_playbook(play([task('create', **desired)]), env=xen_env, verbosity=4)
    assert created.rc == 0, created
    result = created.task('create')['result']
    assert result['changed'] is True
    assert result['actions'][:2] == ['clone template web-template into VM web01', 'provision VM web01 (create its disks)']
    assert 'set 4 vCPUs on VM web01' in result['actions'] and result['actions'][-2] == 'start VM web01'
    vm = result['vm']
    assert vm['power_state'] == 'running' and vm['ip'] and vm['ip'].startswith('10.')
    assert vm['vcpus'] == 4 and vm['memory_mb'] == 2048 and vm['tags'] == ['prod', 'web']
    assert vm['other_config']['owner'] == 'team-web' and vm['description'] == 'front end'
    record = xen.vm('web01')
    assert record['power_state'] == 'Running' and record['VCPUs_max'] == 4 and not record['is_a_template']
    assert vm['host'] == xen.db.get('host', record['resident_on'])['name_label']
    assert calls(xen_sim, 'Async.VM.clone') == 1 and calls(xen_sim, 'Async.VM.start') == 1
    assert xen.active_sessions() == {}
    for secret in [XEN_PASSWORD] + xen.issued_sessions:
        assert secret not in created.output and secret not in json.dumps(created.results)

    xen_sim.stats.reset()
    via_member = run_playbook(play([task('again', **desired)]), env=dict(xen_env, XENSERVER_HOST=xen.member_url(1)))
    assert via_member.rc == 0, via_member
    again = via_member.task('again')['result']
    assert again['changed'] is False and again['vm']['ip'] == vm['ip']
    assert writes(xen_sim) == 0
    assert xen.calls_by_listener[('xenserver-member1', 'session.login_with_password')] == 1
    assert xen.active_sessions() == {}

    xen_sim.stats.reset()
    checked = run_playbook(play([task('same', **desired), task('halt', name='web01', state='halted'),
                                 task('new', name='web02', template='web-template', state='running')]),
                           env=xen_env, check=True, diff=True)
    assert checked.rc == 0, checked
    assert checked.task('same')['result']['changed'] is False
    halt = checked.task('halt')['result']
    assert halt['changed'] is True and halt['actions'] == ['shut down VM web01']
    assert halt['diff']['before']['power_state'] == 'running' and halt['diff']['after']['power_state'] == 'halted'
    new = checked.task('new')['result']
    assert new['changed'] is True and new['diff']['before'] == {} and new['diff']['after']['name'] == 'web02'
    assert '-    "power_state": "running",\n+    "power_state": "halted",' in checked.stdout
    assert writes(xen_sim) == 0 and xen.vm('web01')['power_state'] == 'Running'
    assert not [r for r in xen.db.all('VM').values() if r['name_label'] == 'web02']

    halted = run_playbook(play([task('halt', name='web01', state='halted')]), env=xen_env)
    assert halted.rc == 0, halted
    assert halted.task('halt')['result']['changed'] is True and xen.vm('web01')['power_state'] == 'Halted'
    assert calls(xen_sim, 'Async.VM.clean_shutdown') == 1 and calls(xen_sim, 'Async.VM.hard_shutdown') == 0

    disks = [xen.db.get('VBD', v)['VDI'] for v in xen.vm('web01')['VBDs'] if xen.db.get('VBD', v)['type'] == 'Disk']
    removed = run_playbook(play([task('remove', name='web01', state='absent')]), env=xen_env)
    assert removed.rc == 0, removed
    assert removed.task('remove')['result']['changed'] is True
    assert not [r for r in xen.db.all('VM').values() if r['name_label'] == 'web01']
    assert disks and not any(xen.db.exists('VDI', d) for d in disks)

    xen_sim.stats.reset()
    gone = run_playbook(play([task('remove again', name='web01', state='absent')]), env=xen_env)
    assert gone.rc == 0 and gone.task('remove again')['result']['changed'] is False
    assert writes(xen_sim) == 0 and xen.active_sessions() == {}


def test_errors_are_one_line_a_person_can_act_on(xen_sim, xen, xen_env, run_playbook):
    halted = xen.vm_ref('web-0020')
    xen.inject_failure('VM.start', 'VM_BAD_POWER_STATE', halted, 'halted', 'running')
    xen.inject_failure('VM.unpause', 'HANDLE_INVALID', 'VM', xen.vm_ref('cache-0003'))
    xen.add_test_vm('twin', power_state='Halted')
    xen.add_test_vm('twin', power_state='Halted')
    tasks = [
        failing('wrong password', name='web-0005', password='{{ bad_password }}'),
        failing('raced start', name='web-0020', state='running'),
        failing('vanished', name='cache-0003', state='running'),
        failing('ambiguous', name='twin'),
        failing('resize running', name='web-0005', vcpus=8),
        failing('missing template', name='new-vm', template='no-such-template'),
    ]
    run = run_playbook(play(tasks), env=xen_env, verbosity=2, extra_vars={'bad_password': 'Not-The-Pa55'})
    messages = {}
    for name in ('wrong password', 'raced start', 'vanished', 'ambiguous', 'resize running', 'missing template'):
        result = run.task(name)
        assert result['status'] == 'failed', result
        messages[name] = result['result']['msg']
        assert '\n' not in messages[name] and 'Traceback' not in messages[name]
    assert messages['wrong password'].startswith('Could not log in to XenServer')
    assert 'SESSION_AUTHENTICATION_FAILED: the user name or password was rejected' in messages['wrong password']
    assert messages['wrong password'].endswith('check username and password (XENSERVER_USER / XENSERVER_PASSWORD)')
    assert messages['raced start'].startswith(
        'Could not start VM web-0020: VM_BAD_POWER_STATE: VM web-0020 is running; this operation needs it halted')
    assert messages['vanished'].startswith('Could not unpause VM cache-0003: HANDLE_INVALID: the VM object cache-0003 does not exist')
    assert 'run again' in messages['vanished']
    assert messages['ambiguous'].startswith('2 VMs are called "twin" (UUIDs ')
    assert messages['ambiguous'].endswith('; identify the VM by uuid')
    assert messages['resize running'] == ('Could not change vcpus of VM web-0005: VM web-0005 is running; changing vCPUs or '
                                          'memory needs it halted; use state: halted in this task (then start it in '
                                          'another), set halt_for_changes: true, or shut it down first')
    assert messages['missing template'].startswith('No template or VM called "no-such-template" to clone VM new-vm from')
    assert 'Not-The-Pa55' not in run.output and XEN_PASSWORD not in run.output
    assert 'Traceback' not in run.output
    # Only the two operations whose tasks the pool failed were attempted (and their tasks cleaned up).
    assert xen_sim.stats.snapshot()['writes'] == {'xenserver.Async.VM.start': 1, 'xenserver.Async.VM.unpause': 1,
                                                  'xenserver.task.destroy': 2}
    assert xen.active_sessions() == {}


def test_force_falls_back_to_hard_shutdown_and_restarted_always_acts(xen_sim, xen, xen_env, run_playbook):
    xen.hang_guest('web-0005')
    tasks = [
        failing('clean only', name='web-0005', state='halted', shutdown_timeout=1),
        task('forced', name='web-0005', state='halted', shutdown_timeout=1, force=True),
        task('restart', name='app-0006', state='restarted', wait_for_ip=True),  # back up before the next reboot
        task('restart again', name='app-0006', state='restarted'),
        task('no agent', name='web-0010', state='halted', force=True),
    ]
    run = run_playbook(play(tasks), env=xen_env)
    clean_only = run.task('clean only')
    assert clean_only['status'] == 'failed'
    assert 'the guest did not finish within 1s' in clean_only['result']['msg']
    assert 'set force: true' in clean_only['result']['msg']
    forced = run.task('forced')['result']
    assert forced['changed'] is True and forced['actions'][-1] == 'shut down did not finish cleanly; hard shutdown VM web-0005'
    assert xen.vm('web-0005')['power_state'] == 'Halted'
    for name in ('restart', 'restart again'):
        result = run.task(name)['result']
        assert result['changed'] is True and result['actions'][0] == 'reboot VM app-0006', result
    assert calls(xen_sim, 'Async.VM.clean_reboot') == 2 and xen.vm('app-0006')['power_state'] == 'Running'
    no_agent = run.task('no agent')['result']
    assert no_agent['changed'] is True and xen.vm('web-0010')['power_state'] == 'Halted'
    assert calls(xen_sim, 'Async.VM.hard_shutdown') == 2  # hung guest, then the guest without agent
    assert calls(xen_sim, 'task.cancel') == 2  # the clean attempts that did not finish
    assert xen.active_sessions() == {} and not xen.jobs
