"""Machines into a DaaS delivery group, in-process through the collection's own code path
(``DeliveryGroups.ensure_count`` / ``ensure_machines``), 50 ms latency: a number of a catalog's machines,
and named machines each assigned to a user. Whatever the number of machines, each is one ``DoAddMachines``
request after the listings (one per 1000 machines). Baseline: the same machines added one
``DoAddMachines`` per machine, with bounded concurrency, as a script looping over them would.
"""

import math
import time

from bench.common import Metric
from tests.integration.daas.support import cloud_client
from ansible_collections.opencitrix.automation.plugins.module_utils.concurrency import run_bounded
from ansible_collections.opencitrix.automation.plugins.module_utils.daas.client import DEFAULT_CONCURRENCY
from ansible_collections.opencitrix.automation.plugins.module_utils.daas.delivery_groups import DeliveryGroups

NAME = 'daas_group_membership'
DESCRIPTION = 'add N machines to a delivery group (a count; named machines with users) vs one request per machine'
LATENCY_MS = 50


def measured(sim, action):
    """``(seconds, requests, add requests, fleet)`` of ``action(groups)`` on a signed-in client."""
    client = cloud_client(sim)
    client.site()
    before = sim.stats.count()
    adds = sim.stats.count(route='daas.group_machines.add')
    started = time.monotonic()
    fleet = action(DeliveryGroups(client))
    seconds = time.monotonic() - started
    return seconds, sim.stats.count() - before, sim.stats.count(route='daas.group_machines.add') - adds, fleet


def one_by_one(groups, group, catalog, machine_ids):
    """The baseline: one DoAddMachines per machine, DEFAULT_CONCURRENCY at a time."""
    outcomes = run_bounded(machine_ids, lambda machine: groups.add_machines(group, catalog, assignments=[
        (machine, ['SIMLAB\\user-%s' % machine[:8]])]), DEFAULT_CONCURRENCY)
    assert all(o.ok for o in outcomes), [o.error for o in outcomes if not o.ok][:3]


def run(ctx):
    machines = ctx.size(100, 500)
    sim = ctx.simulator(size=0, latency_ms=LATENCY_MS)
    daas = sim.service('daas')
    daas.add_catalog('Bench-Pool', machines, prefix='POOL')
    daas.add_group('Bench Pool Desktops')
    personal = daas.add_catalog('Bench-Personal', machines, allocation='Static', prefix='PERS')
    daas.add_group('Bench Personal Desktops', sharing='Private')
    baseline_catalog = daas.add_catalog('Bench-Baseline', machines, allocation='Static', prefix='BASE')
    daas.add_group('Bench Baseline Desktops', sharing='Private')

    count_seconds, count_requests, count_adds, fleet = measured(
        sim, lambda groups: groups.ensure_count('Bench Pool Desktops', 'Bench-Pool', machines))
    assert fleet.counts()['changed'] == machines, fleet.counts()
    pairs = [(m, ['SIMLAB\\owner-%05d' % n]) for n, m in enumerate(personal['machine_ids'])]
    named_seconds, named_requests, named_adds, fleet = measured(
        sim, lambda groups: groups.ensure_machines('Bench Personal Desktops', 'Bench-Personal', pairs))
    assert fleet.counts()['changed'] == machines, fleet.counts()
    base_seconds, base_requests, base_adds, _none = measured(
        sim, lambda groups: one_by_one(groups, 'Bench Baseline Desktops', 'Bench-Baseline',
                                       baseline_catalog['machine_ids']))
    assert base_adds == machines
    assert all(daas.group_of(m) for m in personal['machine_ids'] + baseline_catalog['machine_ids'])
    pages = math.ceil(machines / 1000.0)
    return [
        Metric(NAME, 'requests, %d machines by count' % machines, count_requests, 'req', baseline=base_requests,
               bound=1 + 3 * pages, note='group listing, catalog listing, 1 DoAddMachines, group listing again'),
        Metric(NAME, 'DoAddMachines requests, by count', count_adds, 'req', bound=1),
        Metric(NAME, 'requests, %d named machines with users' % machines, named_requests, 'req',
               baseline=base_requests, bound=1 + 2 * pages, note='group listing, catalog listing, 1 DoAddMachines'),
        Metric(NAME, 'wall time, by count', round(count_seconds, 2), 's', baseline=round(base_seconds, 2), goal=3),
        Metric(NAME, 'wall time, named machines', round(named_seconds, 2), 's', baseline=round(base_seconds, 2),
               goal=3, note='baseline: one DoAddMachines per machine, %d at a time; the site resolves every user'
               % DEFAULT_CONCURRENCY),
    ]
