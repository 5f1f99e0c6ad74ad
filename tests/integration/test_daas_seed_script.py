"""Seed 001's own reboot-idle Python script against the simulator, compared with the daas_reboot_idle role.

The script is read from the seed at run time (never copied into this repository); the only change is its
API hosts, pointed at the simulator, with REQUESTS_CA_BUNDLE trusting the simulator's CA. It reads one
page of the catalog's machines (the API's default of 250), so the comparison is over that page.
"""

import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT

SEED = os.path.join(ROOT, '..', 'shared', 'seeds', '001_cd1b55edc8b351e8.txt')
SCRIPT_START = '#! /usr/bin/python3'
SCRIPT_END = '<!--NeedCopy-->'
SEED_HOSTS = ('https://api.cloud.com', 'https://api-us.cloud.com')
CATALOG = 'Win11-Pooled'
FIRST_PAGE = 250


def seed_script(sim_url):
    if not os.path.exists(SEED):
        pytest.skip('seed 001 not found at %s (the ../shared folder of the development workspace)' % SEED)
    with open(SEED, encoding='utf-8') as handle:
        text = handle.read()
    start = text.find(SCRIPT_START)
    if start < 0:
        pytest.skip('seed 001 no longer holds the Python reboot-idle script')
    script = text[start:text.index(SCRIPT_END, start)]
    for host in SEED_HOSTS:
        assert host in script, 'the seed script no longer calls %s' % host
        script = script.replace(host, sim_url)
    return script


def role_play(**role_vars):
    return [{'name': 'reboot idle', 'hosts': 'targets', 'gather_facts': False,
             'roles': [{'role': 'opencitrix.automation.daas_reboot_idle', 'vars': role_vars}]}]


def test_seed_script_and_role_reboot_the_same_machines(make_sim, run_playbook, tmp_path):
    # Two simulators seeded alike: the script runs against one, the role against the other.
    for_script, for_role = make_sim(size=1000), make_sim(size=1000)
    script = tmp_path / 'reboot_idle.py'
    script.write_text(seed_script(for_script.url))
    daas = for_script.service('daas')
    site = daas.site()
    catalog = next(c for c in site.catalogs.values() if c['Name'] == CATALOG)
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith('_proxy')}
    env.update(CLIENT_ID='sim-client-id', CLIENT_SECRET='sim-client-secret', REQUESTS_CA_BUNDLE=for_script.ca_path)
    proc = subprocess.run([sys.executable, str(script), '--customerId', 'simcustomer1', '--siteId', site.id,
                           '--catalogId', catalog['Id']], env=env, capture_output=True, text=True, timeout=300,
                          check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    assert len(lines) == FIRST_PAGE
    assert 'failure: Machine does not support specified power action.' in proc.stdout
    by_script = {entry['machine_id'] for entry in daas.power_log if entry['action'] == 'reboot'}
    assert len(by_script) == sum(1 for line in lines if line.endswith('... success'))
    assert for_script.stats.count(route='daas.legacy.catalog_machines.list') == 1

    # The script does not look at maintenance mode, so neither does the role here.
    run = run_playbook(role_play(daas_reboot_idle_catalog=CATALOG, daas_reboot_idle_skip_maintenance_mode=False,
                                 daas_reboot_idle_wait=False), env=for_role.client_env())
    assert run.rc == 0, run
    by_role = {entry['machine_id'] for entry in for_role.service('daas').power_log if entry['action'] == 'reboot'}
    first_page = set(for_role.service('daas').machines_of(CATALOG)[:FIRST_PAGE])
    assert by_script and by_script == by_role & first_page
    assert len(by_role) > len(by_script)  # the role also read the catalog's second page
