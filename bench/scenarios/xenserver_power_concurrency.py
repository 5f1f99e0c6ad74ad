"""Restart many XenServer VMs with ``xenserver_vm_power`` through real ansible-playbook: concurrency 10
against the same module with concurrency 1 (serial), each on its own set of identical running VMs (chosen
by a tag) of one pool, 2 ms latency per call (a pool master on the same LAN).

The ratio is of the XenAPI phase as the pool saw it (first call to last answer: sign-in, the one read
that chooses the VMs, the reboots followed through ``event.from``, sign-out), so ansible-playbook's
start-up, the same in both runs, does not dilute it; the end-to-end times are in the notes. A clean
reboot takes 5 simulator seconds, a quarter of a real second at the time scale used here (a real one
takes tens of seconds). The module makes its calls one after another (about two per VM: the reboot and
the removal of its finished task), so the calls' own time is not divided by the concurrency: at 20 ms a
call, 100 VMs spend some 4 s in calls whatever the concurrency, and the ratio would drop to about 6.
"""

from bench.common import Metric, timed

NAME = 'xenserver_power_concurrency'
DESCRIPTION = 'restart N VMs with xenserver_vm_power: concurrency 10 vs one VM at a time, 2 ms latency'
LATENCY_MS = 2
TIME_SCALE = 20
CONCURRENCY = 10
POWER = 'opencitrix.automation.xenserver_vm_power'


def restart(runner, sim, tag, concurrency):
    play = [{'name': 'restart', 'hosts': 'targets', 'gather_facts': False, 'tasks': [
        {'name': 'restart', POWER: {'tags': [tag], 'state': 'restarted', 'concurrency': concurrency}}]}]
    sim.reset()
    result, seconds = timed(runner.run, play, env=sim.client_env())
    assert result.rc == 0, result
    outcome = result.task('restart')['result']
    return {'seconds': seconds, 'phase': sim.stats.span('xenserver.*'), 'counts': outcome['counts'],
            'reboots': sim.stats.count(route='xenserver.Async.VM.clean_reboot'),
            'events': sim.stats.count(route='xenserver.event.from'), 'calls': sim.stats.count(route='xenserver.*')}


def run(ctx):
    vms = ctx.size(20, 100)
    sim = ctx.simulator(size=0, latency_ms=LATENCY_MS, time_scale=TIME_SCALE, config={'xenserver': {'vms': 0}})
    xen = sim.service('xenserver')
    for tag in ('bench-serial', 'bench-concurrent'):
        for number in range(vms):
            xen.add_test_vm('%s-%03d' % (tag, number), tags=[tag], host_index=number % 3)
    runner = ctx.runner(NAME)
    serial = restart(runner, sim, 'bench-serial', 1)
    concurrent = restart(runner, sim, 'bench-concurrent', CONCURRENCY)
    for measured in (serial, concurrent):
        assert measured['counts'] == {'changed': vms, 'unchanged': 0, 'skipped': 0, 'failed': 0}, measured
    assert xen.max_in_flight['clean_reboot'] <= CONCURRENCY
    return [
        Metric(NAME, 'XenAPI phase (%d VMs, concurrency %d)' % (vms, CONCURRENCY), round(concurrent['phase'], 2), 's',
               baseline=round(serial['phase'], 2), goal=ctx.size(None, 7),
               note='end to end %.2fs vs %.2fs serial; at most %d reboots in flight' % (
                   concurrent['seconds'], serial['seconds'], xen.max_in_flight['clean_reboot'])),
        Metric(NAME, 'reboot calls', concurrent['reboots'], 'calls', bound=vms),
        # Each wait reads the tasks in flight once, then waits for the next to finish: at most two a VM.
        Metric(NAME, 'event.from calls', concurrent['events'], 'calls', bound=2 * vms,
               note='serial: %d' % serial['events']),
        Metric(NAME, 'XenAPI calls in all', concurrent['calls'], 'calls', bound=4 * vms + 5,
               note='a reboot and a task removal a VM, the waits, sign-in, one read of the VMs and hosts, sign-out; '
                    'serial: %d' % serial['calls']),
    ]
