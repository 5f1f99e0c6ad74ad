"""Reboot the idle machines of a DaaS catalog: the daas_reboot_idle role through real ansible-playbook
against the hand-written reboot-idle script (serial, one request at a time), on one simulator with 50 ms latency.

Both catalogs are alike: N identical machines, 30 % of them with a session. The script reads only its
first page (250 machines); the role reads the whole catalog. So the comparison is per rebooted machine:
end to end (process start to exit, ansible-playbook start-up included) and for the power phase alone.
The script's power phase runs from its first ``$reboot`` request to the last answer; the role's from its
first ``$batch`` request to the last answer of the batch results it reads (at the default batch size of
250, three batches), as the simulator saw them: on loopback, with the latency added by the simulator
after a request arrives, that is the client's own window from sending to reading, within microseconds.
Like the script, the role here does not wait for the reboots to finish (``daas_reboot_idle_wait:
false``): both request the reboots and report each request's outcome.

The script's time per machine is set by the latency and barely moves between runs; the role's depends
on the CPU it gets (ansible-playbook start-up), so on a shared machine the role runs three times, each on
a fresh catalog, and the median counts.
"""

import math
import statistics

from ansible_collections.opencitrix.automation.plugins.module_utils.daas.batch import DEFAULT_BATCH_SIZE
from bench.common import Metric, Skipped, per_item_ms, timed
from tests.seed_scripts import SeedUnavailable, run_reboot_idle

NAME = 'daas_reboot_idle'
DESCRIPTION = "reboot-idle: the daas_reboot_idle role (ansible-playbook) vs the hand-written script, 50 ms latency"
LATENCY_MS = 50
BUSY_SHARE = 0.3
ROLE_RUNS = 3
POWER_ROUTES = 'daas.*power.reboot'
BATCHES = 'daas.*batch'
RESULTS = 'daas.*job.results'
JOB_READS = 'daas.*job*'  # the batch jobs, the jobs listing, the batch results: the first is the first poll
REQUESTS_LIMIT = 25  # token, site, listing, batches, job reads: the budget at the default batch size
FIRST_POLL_LIMIT = 0.25  # seconds from the last batch answer to the first job poll ("about 0.2 s")


def reboots(daas, machine_ids):
    return sum(1 for entry in daas.power_log if entry['action'] == 'reboot' and entry['machine_id'] in machine_ids)


def role_play(catalog):
    return [{'name': 'reboot idle', 'hosts': 'targets', 'gather_facts': False, 'roles': [
        {'role': 'opencitrix.automation.daas_reboot_idle',
         'vars': {'daas_reboot_idle_catalog': catalog, 'daas_reboot_idle_wait': False}}]}]


def run(ctx):
    machines = ctx.size(100, 1000)
    busy = int(machines * BUSY_SHARE)
    idle = machines - busy
    sim = ctx.simulator(size=0, latency_ms=LATENCY_MS)
    daas = sim.service('daas')

    def catalog(name):
        made = daas.add_catalog(name, machines, prefix=name.upper().replace('-', ''))
        daas.set_sessions(name, busy)
        return made

    script_catalog = catalog('Bench-Script')
    try:
        proc, script_seconds = timed(run_reboot_idle, sim, ctx.subdir(NAME), script_catalog['id'])
    except SeedUnavailable as exc:
        raise Skipped(str(exc))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    script_rebooted = reboots(daas, set(script_catalog['machine_ids']))
    assert script_rebooted and script_rebooted == proc.stdout.count('... success'), proc.stdout[-2000:]
    script_power = sim.stats.span(POWER_ROUTES)

    runner = ctx.runner(NAME)
    runs = []
    for number in range(ctx.size(1, ROLE_RUNS)):
        role_catalog = catalog('Bench-Role-%d' % (number + 1))
        sim.reset()
        result, seconds = timed(runner.run, role_play(role_catalog['name']), env=sim.client_env())
        assert result.rc == 0, result
        assert reboots(daas, set(role_catalog['machine_ids'])) == idle
        assert len(daas.power_log) == len({e['machine_id'] for e in daas.power_log})  # no machine twice
        runs.append({'seconds': seconds, 'power': sim.stats.span(BATCHES, until=RESULTS),
                     'first_poll': sim.stats.gap(BATCHES, JOB_READS),
                     'reboots': sim.stats.count(route=POWER_ROUTES), 'items': sim.stats.items(route=POWER_ROUTES),
                     'batches': sim.stats.count(route=BATCHES),
                     'listings': sim.stats.count(route='daas.catalog_machines.list'), 'requests': sim.stats.count()})
    role_seconds = statistics.median(r['seconds'] for r in runs)
    role_power = statistics.median(r['power'] for r in runs)

    def each(key, unit):
        return ', '.join('%.2f%s' % (r[key], unit) for r in runs)

    return [
        Metric(NAME, 'end to end per rebooted machine', per_item_ms(role_seconds, idle), 'ms',
               baseline=per_item_ms(script_seconds, script_rebooted), goal=15,
               note='role: %d machines in %s (median of %d); script: %d in %.2fs' % (
                   idle, each('seconds', 's'), len(runs), script_rebooted, script_seconds)),
        Metric(NAME, 'power phase per rebooted machine', per_item_ms(role_power, idle), 'ms',
               baseline=per_item_ms(script_power, script_rebooted), goal=100,
               note='role (first $batch to last batch result read): %s; script: %.2fs' % (
                   each('power', 's'), script_power)),
        Metric(NAME, 'role: first job poll after the last batch answer', round(max(r['first_poll'] for r in runs), 3),
               's', baseline=FIRST_POLL_LIMIT, goal=1,
               note='the baseline is the limit (about 0.2 s), not a measurement; runs: %s' % each('first_poll', 's')),
        Metric(NAME, 'role: reboots as $batch items', max(r['items'] for r in runs), 'req', bound=idle),
        Metric(NAME, 'role: $reboot requests of their own', max(r['reboots'] for r in runs), 'req', bound=0),
        Metric(NAME, 'role: $batch requests', max(r['batches'] for r in runs), 'req',
               bound=math.ceil(idle / float(DEFAULT_BATCH_SIZE))),
        Metric(NAME, 'role: catalog listing requests', max(r['listings'] for r in runs), 'req',
               bound=math.ceil(machines / 1000.0)),
        Metric(NAME, 'role: requests in all', max(r['requests'] for r in runs), 'req', bound=REQUESTS_LIMIT,
               note='before $batch: %d (one $reboot per machine)' % (idle + 3)),
    ]
