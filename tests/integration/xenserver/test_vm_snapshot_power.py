"""xenserver_vm_snapshot (take, revert, delete and list, each idempotent by name) and xenserver_vm_power
(many VMs, bounded concurrency, per-VM results, check mode, guards) through real ansible-playbook runs."""

from tests.integration.xenserver.support import calls, play, writes

SNAPSHOT = 'opencitrix.automation.xenserver_vm_snapshot'
POWER = 'opencitrix.automation.xenserver_vm_power'
VM = 'opencitrix.automation.xenserver_vm'


def snap(title, **args):
    return {'name': title, SNAPSHOT: dict(dict(name='web-0015'), **args)}


def power(title, **args):
    return {'name': title, POWER: args, 'ignore_errors': True}


def test_snapshot_take_revert_delete_each_idempotent_by_name(xen_sim, xen, xen_env, run_playbook):
    tasks = [
        snap('take', snapshot='before-upgrade', description='by the test'),
        snap('take again', snapshot='before-upgrade'),
        snap('revert', snapshot='before-upgrade', state='reverted'),
        snap('revert again', snapshot='before-upgrade', state='reverted'),
        {'name': 'start', VM: {'name': 'web-0015', 'state': 'running', 'wait_for_ip': True}},
        snap('revert after a start', snapshot='before-upgrade', state='reverted'),
        {'name': 'start again', VM: {'name': 'web-0015', 'state': 'running', 'wait_for_ip': True}},
        snap('checkpoint', snapshot='warm', memory=True),
        snap('list'),
        snap('delete', snapshot='before-upgrade', state='absent'),
        snap('delete again', snapshot='before-upgrade', state='absent'),
    ]
    run = run_playbook(play(tasks), env=xen_env)
    assert run.rc == 0, run
    changed = dict((t['name'], run.task(t['name'])['result']['changed']) for t in tasks)
    assert changed == {'take': True, 'take again': False, 'revert': True, 'revert again': False, 'start': True,
                       'revert after a start': True, 'start again': True, 'checkpoint': True, 'list': False,
                       'delete': True, 'delete again': False}
    assert run.task('take')['result']['actions'] == ['snapshot VM web-0015 as before-upgrade']
    assert run.task('revert')['result']['actions'] == ['revert VM web-0015 to snapshot before-upgrade']
    listed = run.task('list')['result']['snapshots']
    assert [(s['name'], s['memory'], s['current']) for s in listed] == [('before-upgrade', False, False),
                                                                        ('warm', True, True)]
    assert listed[0]['description'] == 'by the test'
    assert [s['name'] for s in run.task('delete')['result']['snapshots']] == ['warm']
    record = xen.vm('web-0015')
    names = [xen.db.get('VM', s)['name_label'] for s in record['snapshots']]
    assert names == ['warm'] and record['power_state'] == 'Running'
    assert calls(xen_sim, 'Async.VM.snapshot') == 1 and calls(xen_sim, 'Async.VM.checkpoint') == 1
    assert calls(xen_sim, 'Async.VM.revert') == 2 and calls(xen_sim, 'VM.destroy') == 1
    assert not [v for v in xen.db.all('VDI').values() if v['is_a_snapshot'] and v['name_label'] == 'web-0015 disk 0'
                and not v['VBDs']]  # the deleted snapshot's disks went with it
    assert xen.active_sessions() == {}


def test_power_many_vms_bounded_with_per_vm_results_check_mode_and_failures(xen_sim, xen, xen_env, run_playbook):
    web = sorted(r['name_label'] for r in xen.db.all('VM').values()
                 if 'web' in r['tags'] and not r['is_a_template'] and not r['is_control_domain'])
    running_web = [n for n in web if xen.vm(n)['power_state'] == 'Running']
    checked = run_playbook(play([power('restart web', tags=['web'], power_states=['running'], state='restarted',
                                       concurrency=3, force=True)]), env=xen_env, check=True, diff=True)
    assert checked.rc == 0 and writes(xen_sim) == 0, checked
    planned = checked.task('restart web')['result']
    assert [i['name'] for i in planned['vms']] == running_web
    assert all(i['actions'] == ['reboot'] and i['outcome'] == 'changed' for i in planned['vms'])
    assert planned['counts'] == {'changed': len(running_web), 'unchanged': 0, 'skipped': 0, 'failed': 0}

    xen_sim.stats.reset()
    tasks = [
        # web-0010 and web-0030 have no guest agent: their clean reboots fail, force reboots them hard
        power('restart web', tags=['web'], power_states=['running'], state='restarted', concurrency=3, force=True),
        power('halt some', names=['db-0002', 'cache-0003', 'batch-0004', 'web-0020', 'no-such-vm'], state='halted',
              force=True, shutdown_timeout=5),
        power('halt again', names=['db-0002', 'cache-0003', 'batch-0004', 'web-0020'], state='halted'),
        power('suspend a halted one', names=['web-0020'], state='suspended'),
        power('start the halted db servers', tags=['db'], power_states=['halted'], state='running'),
    ]
    run = run_playbook(play(tasks), env=xen_env, diff=True)
    restart = run.task('restart web')['result']
    assert restart['changed'] is True and restart['counts']['changed'] == len(running_web)
    assert all(i['power_state_after'] == 'running' for i in restart['vms'])
    hard = sorted(i['name'] for i in restart['vms'] if i['actions'] == ['reboot', 'reboot did not finish cleanly; hard reboot'])
    assert hard == ['web-0010', 'web-0030']
    assert 2 <= xen.max_in_flight['clean_reboot'] <= 3  # bounded by the concurrency
    halt = run.task('halt some')
    assert halt['status'] == 'failed' and halt['result']['failed_vms'] == ['no-such-vm']
    assert halt['result']['msg'].startswith('Power action (halted) failed for 1 of 5: no-such-vm: no VM called "no-such-vm"')
    outcomes = dict((i['name'], (i['outcome'], i['power_state_before'], i['actions'])) for i in halt['result']['vms'])
    assert outcomes['db-0002'] == ('changed', 'running', ['shut down'])
    assert outcomes['cache-0003'] == ('changed', 'paused', ['unpause', 'shut down'])
    assert outcomes['batch-0004'] == ('changed', 'running', ['shut down'])
    assert outcomes['web-0020'] == ('unchanged', 'halted', [])
    # db-0002 was started again by the last task
    assert [xen.vm(n)['power_state'] for n in ('db-0002', 'cache-0003', 'batch-0004')] == ['Running', 'Halted', 'Halted']
    assert halt['result']['diff']['before']['power_state']['cache-0003'] == 'paused'
    again = run.task('halt again')['result']
    assert again['changed'] is False and again['counts']['unchanged'] == 4
    skipped = run.task('suspend a halted one')['result']
    assert skipped['vms'][0]['outcome'] == 'skipped' and 'cannot become suspended' in skipped['vms'][0]['reason']
    started = run.task('start the halted db servers')['result']
    assert [(i['name'], i['outcome']) for i in started['vms']] == [('db-0002', 'changed')]
    assert calls(xen_sim, 'Async.VM.clean_reboot') == len(running_web) and xen.active_sessions() == {}
