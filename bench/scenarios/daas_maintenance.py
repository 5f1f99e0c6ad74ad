"""Maintenance mode on for every machine of a DaaS site (10,000 machines; 1,000 in the quick run) through
``citrix_daas_machine`` in a real ansible-playbook, 50 ms latency: check mode first (no write, the machines
listed), then for real (the changes through ``$batch``, 250 a request), then again (no write). The
request count grows with the number of batches, not of machines."""

import math

from ansible_collections.opencitrix.automation.plugins.module_utils.daas.batch import DEFAULT_BATCH_SIZE
from bench.common import Metric, per_item_ms, timed

NAME = 'daas_maintenance'
DESCRIPTION = 'maintenance mode on for every machine of a site through $batch: check mode, run, second run'
LATENCY_MS = 50
REQUESTS_PER_MACHINE = 0.02


def play():
    return [{'name': 'drain the site', 'hosts': 'targets', 'gather_facts': False, 'tasks': [
        {'name': 'maintenance', 'opencitrix.automation.citrix_daas_machine': {
            'all_targets': True, 'maintenance_mode': True}, 'register': 'out'}]}]


def run(ctx):
    machines = ctx.size(1000, 10000)
    sim = ctx.simulator(size=machines, latency_ms=LATENCY_MS)
    site = sim.service('daas').site()
    draining = [m['Id'] for m in site.machines.values() if not m['InMaintenanceMode']]
    runner = ctx.runner(NAME)
    env = sim.client_env()

    check = runner.run(play(), env=env, check=True)
    assert check.rc == 0, check
    listed = [m['id'] for m in check.task('maintenance')['result']['machines'] if m['outcome'] == 'changed']
    assert listed == draining
    check_writes = sim.stats.writes()

    sim.reset()
    first, seconds = timed(runner.run, play(), env=env)
    assert first.rc == 0, first
    assert all(m['InMaintenanceMode'] for m in site.machines.values())
    requests, writes = sim.stats.count(), sim.stats.writes(route='daas.machine.update')
    batches = sim.stats.count(route='daas.batch')

    sim.reset()
    second = runner.run(play(), env=env)
    assert second.rc == 0 and second.task('maintenance')['result']['changed'] is False, second
    return [
        Metric(NAME, 'requests per machine', round(float(requests) / machines, 4), 'req',
               bound=REQUESTS_PER_MACHINE, note='%d requests for %d machines, %d changed, in %d batches' % (
                   requests, machines, len(draining), batches)),
        Metric(NAME, '$batch requests', batches, 'req', bound=math.ceil(len(draining) / float(DEFAULT_BATCH_SIZE))),
        Metric(NAME, 'maintenance mode writes (batch items)', writes, 'req', bound=len(draining)),
        Metric(NAME, 'check mode: writes', check_writes, 'req', bound=0,
               note='%d machines listed as changing' % len(listed)),
        Metric(NAME, 'second run: writes', sim.stats.writes(), 'req', bound=0),
        Metric(NAME, 'wall time per machine (ansible-playbook)', per_item_ms(seconds, machines), 'ms',
               note='%.1fs for %d machines' % (seconds, machines)),
    ]
