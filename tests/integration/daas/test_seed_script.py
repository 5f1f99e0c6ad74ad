"""The hand-written Python reboot-idle script (read from ../shared/seeds by tests/seed_scripts.py, only its
API hosts changed) against the simulator, compared with the daas_reboot_idle role. The script reads one page of
the catalog's machines (the API's default of 250), so the comparison is over that page.
"""

import pytest

from tests.seed_scripts import FIRST_PAGE, SeedUnavailable, run_reboot_idle

CATALOG = 'Win11-Pooled'


def role_play(**role_vars):
    return [{'name': 'reboot idle', 'hosts': 'targets', 'gather_facts': False,
             'roles': [{'role': 'opencitrix.automation.daas_reboot_idle', 'vars': role_vars}]}]


def test_seed_script_and_role_reboot_the_same_machines(make_sim, run_playbook, tmp_path):
    # Two simulators seeded alike: the script runs against one, the role against the other.
    for_script, for_role = make_sim(size=1000), make_sim(size=1000)
    daas = for_script.service('daas')
    catalog = next(c for c in daas.site().catalogs.values() if c['Name'] == CATALOG)
    try:
        proc = run_reboot_idle(for_script, tmp_path, catalog['Id'], timeout=300)
    except SeedUnavailable as exc:
        pytest.skip(str(exc))
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
