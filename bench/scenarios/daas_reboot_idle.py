"""Reboot the idle machines of a DaaS catalog: the daas_reboot_idle role through real ansible-playbook
against seed 001's own script (serial, one request at a time), on one simulator with 50 ms latency.

Both catalogs are alike: N identical machines, 30 % of them with a session. The script reads only its
first page (250 machines); the role reads the whole catalog. So the comparison is per rebooted machine:
end to end (process start to exit, ansible-playbook start-up included) and for the power phase alone
(first power request to last answer, as the simulator saw them). Like the script, the role here does not
wait for the reboots to finish (``daas_reboot_idle_wait: false``): both request the reboots and report
each request's outcome.
"""

import math

from bench.common import Metric, Skipped, per_item_ms, timed
from tests.seed_scripts import SeedUnavailable, run_reboot_idle

NAME = 'daas_reboot_idle'
DESCRIPTION = "reboot-idle: the daas_reboot_idle role (ansible-playbook) vs seed 001's script, 50 ms latency"
LATENCY_MS = 50
BUSY_SHARE = 0.3
SCRIPT_CATALOG = 'Bench-Script'
ROLE_CATALOG = 'Bench-Role'
POWER_ROUTES = 'daas.*power.reboot'


def reboots(daas, machine_ids):
    return sum(1 for entry in daas.power_log if entry['action'] == 'reboot' and entry['machine_id'] in machine_ids)


def role_play(catalog):
    return [{'name': 'reboot idle', 'hosts': 'targets', 'gather_facts': False, 'roles': [
        {'role': 'opencitrix.automation.daas_reboot_idle',
         'vars': {'daas_reboot_idle_catalog': catalog, 'daas_reboot_idle_wait': False}}]}]


def run(ctx):
    machines = ctx.size(100, 1000)
    sim = ctx.simulator(size=0, latency_ms=LATENCY_MS)
    daas = sim.service('daas')
    catalogs = {}
    for name, prefix in ((SCRIPT_CATALOG, 'SCRIPT'), (ROLE_CATALOG, 'ROLE')):
        catalogs[name] = daas.add_catalog(name, machines, prefix=prefix)
        daas.set_sessions(name, int(machines * BUSY_SHARE))
    idle = machines - int(machines * BUSY_SHARE)

    try:
        proc, script_seconds = timed(run_reboot_idle, sim, ctx.subdir(NAME), catalogs[SCRIPT_CATALOG]['id'])
    except SeedUnavailable as exc:
        raise Skipped(str(exc))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    script_rebooted = reboots(daas, set(catalogs[SCRIPT_CATALOG]['machine_ids']))
    assert script_rebooted and script_rebooted == proc.stdout.count('... success'), proc.stdout[-2000:]
    script_power = sim.stats.span(POWER_ROUTES)
    sim.reset()

    result, role_seconds = timed(ctx.runner(NAME).run, role_play(ROLE_CATALOG), env=sim.client_env())
    assert result.rc == 0, result
    role_rebooted = reboots(daas, set(catalogs[ROLE_CATALOG]['machine_ids']))
    role_power = sim.stats.span(POWER_ROUTES)
    assert role_rebooted == idle, (role_rebooted, idle)

    return [
        Metric(NAME, 'end to end per rebooted machine', per_item_ms(role_seconds, role_rebooted), 'ms',
               baseline=per_item_ms(script_seconds, script_rebooted), goal=5,
               note='role: %d machines in %.1fs; script: %d in %.1fs' % (
                   role_rebooted, role_seconds, script_rebooted, script_seconds)),
        Metric(NAME, 'power phase per rebooted machine', per_item_ms(role_power, role_rebooted), 'ms',
               baseline=per_item_ms(script_power, script_rebooted), goal=15,
               note='role: %.2fs; script: %.2fs' % (role_power, script_power)),
        Metric(NAME, 'role: reboot requests', sim.stats.count(route=POWER_ROUTES), 'req', bound=idle),
        Metric(NAME, 'role: catalog listing requests', sim.stats.count(route='daas.catalog_machines.list'), 'req',
               bound=math.ceil(machines / 1000.0)),
        Metric(NAME, 'role: requests in all', sim.stats.count(), 'req', bound=idle + 3),
    ]
