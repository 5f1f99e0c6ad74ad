"""DaaS power actions, in-process through the collection's own code path (``Machines.find`` +
``apply_power_state``, jobs waited for), 50 ms latency: one request per machine with bounded concurrency
(``batch=False``, the path of a site without ``$batch``) and through ``$batch``, each against a serial
baseline (one request per machine, one at a time). Each run restarts the machines of its own catalog of
identical machines on one simulator.
"""

import math
import time

from bench.common import Metric
from tests.integration.daas.support import cloud_client
from ansible_collections.opencitrix.automation.plugins.module_utils.daas.batch import DEFAULT_BATCH_SIZE
from ansible_collections.opencitrix.automation.plugins.module_utils.daas.client import DEFAULT_CONCURRENCY
from ansible_collections.opencitrix.automation.plugins.module_utils.daas.machines import Machines
from ansible_collections.opencitrix.automation.plugins.module_utils.daas.power import apply_power_state

NAME = 'daas_power_concurrency'
DESCRIPTION = 'restart N DaaS machines, jobs waited for: default concurrency vs one request at a time'
LATENCY_MS = 50
# Simulator seconds per real second, so that a 40 s reboot finishes before the first job poll (1 s):
# both runs then wait the same, and the difference is the sending of the actions.
TIME_SCALE = 100


def power_catalog(sim, catalog, concurrency, batch):
    """Restart every machine of ``catalog``; returns seconds, requests by kind and outcomes."""
    client = cloud_client(sim)
    client.site()  # sign-in and site discovery are not what is measured
    started = time.monotonic()
    machines = Machines(client).find(catalog=catalog)
    fleet = apply_power_state(client, machines, 'restarted', concurrency=concurrency, wait=True, wait_timeout=600,
                              batch=batch)
    seconds = time.monotonic() - started
    stats = client.stats
    job_reads = stats.total(method='GET', path_contains='/Jobs/') - stats.total(method='GET', path_contains='/Results')
    return {
        'seconds': seconds,
        'power_requests': stats.total(method='POST', path_contains='/$reboot'),
        'batches': stats.total(method='POST', path_contains='/$batch'),
        'list_requests': stats.total(method='GET', path_contains='/MachineCatalogs/'),
        'job_lists': stats.total(method='GET', path_contains='/Jobs') - stats.total(method='GET', path_contains='/Jobs/'),
        'job_reads': job_reads,
        'requests': stats.total(),
        'outcomes': fleet.counts(),
    }


def run(ctx):
    machines = ctx.size(40, 200)
    sim = ctx.simulator(size=0, latency_ms=LATENCY_MS, time_scale=TIME_SCALE)
    daas = sim.service('daas')
    for name in ('Serial', 'Concurrent', 'Batched'):
        daas.add_catalog('Bench-' + name, machines, prefix=name.upper())
    serial = power_catalog(sim, 'Bench-Serial', 1, batch=False)
    concurrent = power_catalog(sim, 'Bench-Concurrent', DEFAULT_CONCURRENCY, batch=False)
    batched = power_catalog(sim, 'Bench-Batched', DEFAULT_CONCURRENCY, batch=True)
    for measured in (serial, concurrent, batched):
        assert measured['outcomes']['changed'] == machines and measured['outcomes']['failed'] == 0, measured
    batches = math.ceil(machines / float(DEFAULT_BATCH_SIZE))
    return [
        Metric(NAME, 'wall time, one request per machine (concurrency %d)' % DEFAULT_CONCURRENCY,
               round(concurrent['seconds'], 2), 's', baseline=round(serial['seconds'], 2), goal=3),
        Metric(NAME, 'wall time, $batch', round(batched['seconds'], 2), 's', baseline=round(serial['seconds'], 2),
               goal=3),
        Metric(NAME, 'reboot requests (one per machine)', concurrent['power_requests'], 'req', bound=machines),
        Metric(NAME, 'catalog listing requests', concurrent['list_requests'], 'req', bound=math.ceil(machines / 1000.0)),
        Metric(NAME, 'job reads one by one (one per machine)', concurrent['job_reads'], 'req', bound=0,
               note='%d GET /Jobs rounds' % concurrent['job_lists']),
        Metric(NAME, '$batch: requests in all', batched['requests'], 'req', bound=2 + 3 * batches + 6,
               note='sign-in, site, listing, %d $batch, %d reads of batch jobs, %d GET /Jobs rounds, results' % (
                   batched['batches'], batched['job_reads'], batched['job_lists'])),
        Metric(NAME, '$batch: $reboot requests of their own', batched['power_requests'], 'req', bound=0),
    ]
