"""Creating a VM survives being killed half-way and a second run at the same time: the new VM is called
like the task says only once complete, what a killed run leaves is removed by the next run, and two
runs never leave two VMs of one name. Real ansible-playbook runs (killed, or started together) against a
pool whose clones are slow, and in-process runs for the exact interleavings."""

import threading
import time

import pytest

from ansible_collections.opencitrix.automation.plugins.module_utils import errors
from ansible_collections.opencitrix.automation.plugins.module_utils.xenserver.vm_state import VmState
from tests.harness import PlaybookRun
from tests.integration.xenserver.support import (
    XEN_PASSWORD, calls, client, kill_tree, play, start_playbook, vm_names, writes,
)

VM = 'opencitrix.automation.xenserver_vm'
HALF_MADE = 'web01 [creating by opencitrix.automation]'


def create(name='web01', **args):
    return {'name': 'create', VM: dict(dict(name=name, template='web-template', vcpus=2, memory_mb=2048), **args)}


def params(name='web01', state='present', **extra):
    base = dict(name=name, uuid=None, state=state, template='web-template', description=None, vcpus=2, memory_mb=None,
                tags=None, other_config=None, force=False, shutdown_timeout=30, wait_for_ip=False, timeout=60)
    return dict(base, **extra)


def env_of(sim):
    xen = sim.service('xenserver')
    return {'XENSERVER_HOST': xen.url, 'XENSERVER_PASSWORD': XEN_PASSWORD, 'XENSERVER_CA_PATH': sim.ca_path}


def wait_for(condition, seconds=60.0, what='the condition'):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, 'timed out waiting for ' + what
        time.sleep(0.05)


def test_a_run_killed_mid_clone_is_cleaned_up_by_the_next_run(make_pool, tmp_path, run_playbook):
    sim = make_pool(durations={'clone': 200.0})  # ten real seconds
    xen = sim.service('xenserver')
    process, _results = start_playbook(str(tmp_path / 'killed'), play([create()]), env_of(sim))
    wait_for(lambda: any(job.op == 'clone' for job in list(xen.jobs)), what='the clone to start')
    kill_tree(process.pid)
    process.communicate(timeout=30)
    # The pool finishes the clone the killed run asked for: a template called like nothing a task names.
    xen.vms.durations['clone'] = 2.0
    wait_for(lambda: xen.process_due() or HALF_MADE in vm_names(xen), what='the orphaned clone to finish')
    assert vm_names(xen).count(HALF_MADE) == 1 and 'web01' not in vm_names(xen)
    assert vm_names(xen).count('web-template') == 1

    sim.stats.reset()
    rerun = run_playbook(play([create()]), env=env_of(sim))
    assert rerun.rc == 0, rerun
    result = rerun.task('create')['result']
    assert result['changed'] is True and result['actions'][:2] == [
        'remove VM "%s" left by an interrupted run' % HALF_MADE, 'clone template web-template into VM web01']
    assert vm_names(xen).count('web01') == 1 and HALF_MADE not in vm_names(xen)
    assert vm_names(xen).count('web-template') == 1 and not xen.vm('web01')['is_a_template']
    assert calls(sim, 'VM.destroy') == 1 and calls(sim, 'Async.VM.clone') == 1

    sim.stats.reset()
    later = run_playbook(play([create(), dict(create('web02'), name='another')]), env=env_of(sim))
    assert later.rc == 0, later
    assert later.task('create')['result']['changed'] is False and later.task('another')['result']['changed'] is True
    assert calls(sim, 'Async.VM.clone') == 1 and vm_names(xen).count('web02') == 1
    assert len(xen.active_sessions()) == 1  # the killed run's, never logged out


def test_two_runs_creating_one_vm_together_leave_one_vm(make_pool, tmp_path):
    sim = make_pool(durations={'clone': 100.0})  # five real seconds: both runs look up before either clone ends
    xen = sim.service('xenserver')
    started = [start_playbook(str(tmp_path / ('run%d' % n)), play([create()]), env_of(sim)) for n in (1, 2)]
    runs = []
    for process, results in started:
        output = process.communicate(timeout=300)[0]
        proc = type('Finished', (), {'returncode': process.returncode, 'stdout': output, 'stderr': ''})
        runs.append(PlaybookRun(proc, results))
    assert calls(sim, 'Async.VM.clone') == 2, [r.output[-2000:] for r in runs]
    assert vm_names(xen).count('web01') == 1 and HALF_MADE not in vm_names(xen)
    outcomes = sorted((r.task('create')['status'], r.task('create')['result']) for r in runs)
    assert [status for status, _result in outcomes] == ['failed', 'ok'], outcomes
    message = outcomes[0][1]['msg']
    assert message.startswith('Could not create VM web01: ') and '\n' not in message, message
    assert any(reason in message for reason in ('another run is creating VM web01 at the same time',
                                                'probably made by a run at the same time', 'another run is probably creating'))
    assert outcomes[1][1]['vm']['uuid'] == xen.vm('web01')['uuid']
    assert not any('Traceback' in r.output for r in runs) and xen.active_sessions() == {}


def test_a_failure_after_the_clone_removes_the_half_made_vm(xen_sim, xen):
    xen.inject_failure('VM.provision', 'SR_FULL', '21474836480', '0')
    with pytest.raises(errors.ApiError) as caught:
        with client(xen) as session:
            VmState(session).ensure(params())
    assert str(caught.value).startswith('Could not provision the disks of VM web01: SR_FULL: ')
    assert HALF_MADE not in vm_names(xen) and 'web01' not in vm_names(xen)
    assert calls(xen_sim, 'VM.destroy') == 1
    with client(xen) as session:
        change = VmState(session).ensure(params())
    assert change.changed and change.result['vm']['name'] == 'web01' and vm_names(xen).count('web01') == 1


def test_a_failure_in_a_device_step_removes_the_half_made_vm_and_its_new_disk(xen_sim, xen):
    xen.inject_failure('VIF.create', 'INTERNAL_ERROR', 'xenopsd: no free backend')
    devices = dict(disks=[{}, {'size_gb': 2, 'name': 'web01-data', 'sr': 'iSCSI virtual disk storage'}],
                   networks=[{'name': 'Pool-wide network associated with eth0'},
                             {'name': 'Pool-wide network associated with eth1'}])
    vdis = len(xen.db.all('VDI'))
    with pytest.raises(errors.ApiError) as caught:
        with client(xen) as session:
            VmState(session).ensure(params(**devices))
    assert str(caught.value).startswith('Could not call VIF.create for VM web01: INTERNAL_ERROR: ')
    assert calls(xen_sim, 'Async.VDI.create') == 1 and calls(xen_sim, 'VBD.create') == 1
    # the VM was never called web01; it and the disk made for it are gone
    assert HALF_MADE not in vm_names(xen) and 'web01' not in vm_names(xen) and len(xen.db.all('VDI')) == vdis
    assert calls(xen_sim, 'VM.destroy') == 1 and calls(xen_sim, 'VM.set_name_label') == 0
    with client(xen) as session:
        change = VmState(session).ensure(params(**devices))
    assert change.changed and [d['name'] for d in change.result['vm']['disks']] == ['web-template disk 0', 'web01-data']


def test_a_vm_named_like_this_one_right_after_its_rename_makes_this_run_step_back(xen_sim, xen):
    rival = {}

    def rename_then_rival(session, vm, value):
        del xen.messages.handlers[('VM', 'set_name_label')]
        xen.messages.generic('VM', 'set_name_label', [vm, value])
        rival['ref'] = xen.add_test_vm(value, power_state='Halted')
        return ''
    xen.messages.handlers[('VM', 'set_name_label')] = rename_then_rival
    with pytest.raises(errors.ConflictError) as caught:
        with client(xen) as session:
            VmState(session).ensure(params())
    message = str(caught.value)
    assert message.startswith('Could not create VM web01: NAME_TAKEN: another VM called web01 (UUID %s) appeared'
                              % xen.db.get('VM', rival['ref'])['uuid'])
    assert message.endswith('this task removed the VM it had made; run again to act on the existing VM')
    assert [ref for ref, r in xen.db.all('VM').items() if r['name_label'] == 'web01'] == [rival['ref']]
    assert HALF_MADE not in vm_names(xen)


def test_two_runs_in_threads_against_a_slow_clone(make_pool):
    sim = make_pool(durations={'clone': 60.0})
    xen = sim.service('xenserver')
    outcomes = []

    def run():
        try:
            with client(xen) as session:
                outcomes.append(VmState(session).ensure(params()))
        except errors.CitrixError as exc:
            outcomes.append(exc)
    threads = [threading.Thread(target=run) for _run in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    failed = [o for o in outcomes if isinstance(o, errors.CitrixError)]
    assert len(outcomes) == 2 and len(failed) == 1, outcomes
    # Which of the two runs notices the other depends on thread scheduling: either it sees the other's
    # temporary VM before cloning, or the other's finished VM right after its own clone.
    assert str(failed[0]).startswith(('Could not create VM web01: NAME_TAKEN: another run is creating VM web01 at the same time',
                                      'Could not create VM web01: NAME_TAKEN: another VM called web01 (UUID ')), failed
    assert '\n' not in str(failed[0])
    assert vm_names(xen).count('web01') == 1 and HALF_MADE not in vm_names(xen)


def test_check_mode_absent_and_a_busy_leftover(xen_sim, xen):
    with xen.db.lock:
        leftover = xen.clone_vm(xen.vm_ref('web-template'), HALF_MADE)
    before = writes(xen_sim)
    with client(xen) as session:
        planned = VmState(session, check_mode=True).ensure(params())
    assert planned.changed and planned.result['actions'][0] == 'remove VM "%s" left by an interrupted run' % HALF_MADE
    assert writes(xen_sim) == before and xen.db.exists('VM', leftover)

    xen.inject_failure('VM.destroy', 'OTHER_OPERATION_IN_PROGRESS', 'VM', leftover, 'provision', 'OpaqueRef:task')
    with pytest.raises(errors.ConflictError) as caught:
        with client(xen) as session:
            VmState(session).ensure(params())
    assert str(caught.value).startswith('Could not create VM web01: OTHER_OPERATION_IN_PROGRESS: VM "%s" is busy' % HALF_MADE)
    assert str(caught.value).endswith('another run is probably creating VM web01 now; run again once that run has finished')
    assert calls(xen_sim, 'Async.VM.clone') == 0

    with client(xen) as session:
        removed = VmState(session).ensure(params(state='absent'))
    assert removed.changed and not xen.db.exists('VM', leftover) and 'web01' not in vm_names(xen)
    with client(xen) as session:
        again = VmState(session).ensure(params(state='absent'))
    assert again.changed is False and again.result['actions'] == []
