"""DaaS power actions at fleet scale: the time to power N machines with bounded concurrency, against a
serial baseline (concurrency 1) measured in the same run, with injected API latency.

    .venv/bin/python -m bench.daas_power_concurrency                  # 200 machines, concurrency 20, 50 ms
    .venv/bin/python -m bench.daas_power_concurrency --machines 500 --concurrency 32 --latency-ms 80

Both runs restart the machines of their own catalog of identical machines through the collection's own
code path (``find_machines`` + ``apply_power_state``, jobs waited for), against one simulator. Prints a
table and one JSON line; exits 1 when the concurrent run is not under a third of the serial time.
"""

import argparse
import json
import sys
import tempfile
import time

from tests.simulator.core import Simulator

from ansible_collections.opencitrix.automation.plugins.module_utils.daas import (
    DaasClient, find_machines, outcome_counts,
)
from ansible_collections.opencitrix.automation.plugins.module_utils.daas_power import apply_power_state

# Simulator seconds per real second, so that a 40 s reboot finishes before the first job poll (1 s):
# both runs then wait the same, and the difference is the sending of the actions.
TIME_SCALE = 100


def power_catalog(sim, catalog, concurrency):
    """Restart every machine of ``catalog``; returns seconds, requests by kind, and outcomes."""
    env = sim.client_env()
    client = DaasClient.from_params(dict(
        client_id=env['CITRIX_CLIENT_ID'], client_secret=env['CITRIX_CLIENT_SECRET'],
        customer_id=env['CITRIX_CUSTOMER_ID'], api_url=sim.url, ca_path=sim.ca_path, token_cache=False))
    client.site()  # sign-in and site discovery are not what is measured
    started = time.monotonic()
    machines = find_machines(client, catalog=catalog)
    results = apply_power_state(client, machines, 'restarted', concurrency=concurrency, wait=True, wait_timeout=600)
    seconds = time.monotonic() - started
    stats = client.stats
    return {
        'seconds': round(seconds, 3),
        'power_requests': stats.total(method='POST', path_contains='/$reboot'),
        'list_requests': stats.total(method='GET', path_contains='/MachineCatalogs/'),
        'job_polls': stats.total(method='GET', path_contains='/Jobs'),
        'outcomes': outcome_counts(results),
    }


def run(machines=200, concurrency=20, latency_ms=50.0):
    """Measure the serial baseline and the concurrent run; returns a dict of both and their ratio."""
    with Simulator(size=0, latency_ms=latency_ms, time_scale=TIME_SCALE,
                   workdir=tempfile.mkdtemp(prefix='bench-daas-')) as sim:
        daas = sim.service('daas')
        daas.add_catalog('Bench-Serial', machines, prefix='SERIAL')
        daas.add_catalog('Bench-Concurrent', machines, prefix='CONC')
        serial = power_catalog(sim, 'Bench-Serial', 1)
        concurrent = power_catalog(sim, 'Bench-Concurrent', concurrency)
    return {'machines': machines, 'concurrency': concurrency, 'latency_ms': latency_ms,
            'serial': serial, 'concurrent': concurrent,
            'time_ratio': round(concurrent['seconds'] / serial['seconds'], 3)}


def main(argv=None):
    parser = argparse.ArgumentParser(prog='python -m bench.daas_power_concurrency', description=__doc__.splitlines()[0])
    parser.add_argument('--machines', type=int, default=200)
    parser.add_argument('--concurrency', type=int, default=20)
    parser.add_argument('--latency-ms', type=float, default=50.0)
    args = parser.parse_args(argv)
    report = run(args.machines, args.concurrency, args.latency_ms)
    print('DaaS power actions: %d machines, %.0f ms latency per request' % (report['machines'], report['latency_ms']))
    print('%-16s %9s %15s %14s %10s' % ('run', 'seconds', 'power requests', 'list requests', 'job polls'))
    for label, key in (('serial', 'serial'), ('concurrency %d' % report['concurrency'], 'concurrent')):
        row = report[key]
        print('%-16s %9.2f %15d %14d %10d' % (label, row['seconds'], row['power_requests'], row['list_requests'],
                                              row['job_polls']))
    ok = report['time_ratio'] < 1.0 / 3
    print('concurrent / serial time: %.3f (goal: under 0.333) %s' % (report['time_ratio'], 'OK' if ok else 'NOT MET'))
    print(json.dumps(report, sort_keys=True))
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
