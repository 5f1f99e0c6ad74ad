"""The scripts of the seed documents, run against the simulator as their authors wrote them.

Seed 001 holds a Python script that reboots the idle machines of a DaaS catalog, one request at a
time. It is read from ``../shared/seeds`` at run time and never copied into this repository; the
only change is its API hosts, pointed at the simulator, with ``REQUESTS_CA_BUNDLE`` trusting the
simulator's CA. It reads one page of the catalog's machines (the API's default of 250).

Used by tests/integration/daas/test_seed_script.py and the ``daas_reboot_idle`` benchmark.
"""

import os
import subprocess
import sys

from tests.harness import ROOT

SEEDS = os.path.join(os.path.dirname(ROOT), 'shared', 'seeds')
REBOOT_IDLE_SEED = os.path.join(SEEDS, '001_cd1b55edc8b351e8.txt')
REBOOT_IDLE_START = '#! /usr/bin/python3'
REBOOT_IDLE_END = '<!--NeedCopy-->'
REBOOT_IDLE_HOSTS = ('https://api.cloud.com', 'https://api-us.cloud.com')
FIRST_PAGE = 250


class SeedUnavailable(Exception):
    """The seed (or the script in it) is not there: callers skip rather than fail."""


def reboot_idle_script(api_url):
    """The text of seed 001's reboot-idle script with its API hosts replaced by ``api_url``."""
    if not os.path.exists(REBOOT_IDLE_SEED):
        raise SeedUnavailable('seed 001 not found at %s (the ../shared folder of the development workspace)'
                              % os.path.normpath(REBOOT_IDLE_SEED))
    with open(REBOOT_IDLE_SEED, encoding='utf-8') as handle:
        text = handle.read()
    start = text.find(REBOOT_IDLE_START)
    end = text.find(REBOOT_IDLE_END, start)
    if start < 0 or end < 0:
        raise SeedUnavailable('seed 001 no longer holds the Python reboot-idle script')
    script = text[start:end]
    for host in REBOOT_IDLE_HOSTS:
        if host not in script:
            raise SeedUnavailable('the seed 001 script no longer calls %s' % host)
        script = script.replace(host, api_url)
    return script


def run_reboot_idle(sim, workdir, catalog_id, site_id=None, timeout=600):
    """Run the seed script against ``sim`` for one catalog, with the simulator's default API client;
    returns the ``subprocess.CompletedProcess`` (text output)."""
    path = os.path.join(str(workdir), 'reboot_idle.py')
    with open(path, 'w', encoding='utf-8') as handle:
        handle.write(reboot_idle_script(sim.url))
    client = sim.client_env()
    site_id = site_id or sim.service('daas').site().id
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith('_proxy')}
    env.update(CLIENT_ID=client['CITRIX_CLIENT_ID'], CLIENT_SECRET=client['CITRIX_CLIENT_SECRET'],
               REQUESTS_CA_BUNDLE=sim.ca_path)
    return subprocess.run([sys.executable, path, '--customerId', client['CITRIX_CUSTOMER_ID'], '--siteId', site_id,
                           '--catalogId', catalog_id], env=env, capture_output=True, text=True, timeout=timeout,
                          check=False)
