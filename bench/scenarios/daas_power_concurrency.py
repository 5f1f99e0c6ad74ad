"""DaaS power actions with bounded concurrency against a serial baseline (concurrency 1), in-process
through the collection's own code path (``Machines.find`` + ``apply_power_state``, jobs waited for),
50 ms latency. Each run restarts the machines of its own catalog of identical machines on one simulator.
"""

import math
import time

from bench.common import Metric
from tests.integration.daas.support import cloud_client
from ansible_collections.opencitrix.automation.plugins.module_utils.daas.client import DEFAULT_CONCURRENCY
from ansible_collections.opencitrix.automation.plugins.module_utils.daas.machines import Machines
from ansible_collections.opencitrix.automation.plugins.module_utils.daas.power import apply_power_state

NAME = 'daas_power_concurrency'
DESCRIPTION = 'restart N DaaS machines, jobs waited for: default concurrency vs one request at a time'
LATENCY_MS = 50
# Simulator seconds per real second, so that a 40 s reboot finishes before the first job poll (1 s):
# both runs then wait the same, and the difference is the sending of the actions.
TIME_SCALE = 100


def power_catalog(sim, catalog, concurrency):
    """Restart every machine of ``catalog``; returns seconds, requests by kind and outcomes."""
    client = cloud_client(sim)
    client.site()  # sign-in and site discovery are not what is measured
    started = time.monotonic()
    machines = Machines(client).find(catalog=catalog)
    fleet = apply_power_state(client, machines, 'restarted', concurrency=concurrency, wait=True, wait_timeout=600)
    seconds = time.monotonic() - started
    stats = client.stats
    return {
        'seconds': seconds,
        'power_requests': stats.total(method='POST', path_contains='/$reboot'),
        'list_requests': stats.total(method='GET', path_contains='/MachineCatalogs/'),
        'job_lists': stats.total(method='GET', path_contains='/Jobs') - stats.total(method='GET', path_contains='/Jobs/'),
        'job_reads': stats.total(method='GET', path_contains='/Jobs/'),
        'outcomes': fleet.counts(),
    }


def run(ctx):
    machines = ctx.size(40, 200)
    sim = ctx.simulator(size=0, latency_ms=LATENCY_MS, time_scale=TIME_SCALE)
    daas = sim.service('daas')
    daas.add_catalog('Bench-Serial', machines, prefix='SERIAL')
    daas.add_catalog('Bench-Concurrent', machines, prefix='CONC')
    serial = power_catalog(sim, 'Bench-Serial', 1)
    concurrent = power_catalog(sim, 'Bench-Concurrent', DEFAULT_CONCURRENCY)
    for measured in (serial, concurrent):
        assert measured['outcomes']['changed'] == machines and measured['outcomes']['failed'] == 0, measured
    return [
        Metric(NAME, 'wall time (%d machines, concurrency %d)' % (machines, DEFAULT_CONCURRENCY),
               round(concurrent['seconds'], 2), 's', baseline=round(serial['seconds'], 2), goal=3),
        Metric(NAME, 'reboot requests', concurrent['power_requests'], 'req', bound=machines),
        Metric(NAME, 'catalog listing requests', concurrent['list_requests'], 'req', bound=math.ceil(machines / 1000.0)),
        Metric(NAME, 'job reads one by one', concurrent['job_reads'], 'req', bound=0,
               note='%d GET /Jobs rounds' % concurrent['job_lists']),
    ]
