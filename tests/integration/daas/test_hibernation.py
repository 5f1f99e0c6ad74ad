"""A hibernated DaaS site (HTTP 530): one line saying how to wake it from info modules, check mode and the
inventory plugin, which never activate it; activated and waited for when a stateful task opts in. In-process
(module_runner / inventory_runner), waiting on the simulator's clock."""

import re

from tests.inventory_runner import run_inventory
from tests.module_runner import run_module

HIBERNATED = re.compile(re.escape(
    'The Citrix DaaS site of customer "simcustomer1" is hibernated (HTTP 530, GET {url}/cvad/manage/me, '
    'transaction id ') + '[0-9a-f-]{36}' + re.escape(
    '); activate it: open Citrix DaaS in the Citrix Cloud console, or run a task that changes something with '
    'activate_site: true (it activates the site and waits for it)'))


def test_hibernated_site_fails_in_one_line_unless_a_real_run_opts_in(make_sim, tmp_path, simulator_waits):
    sim = make_sim(size=20, time_scale=1)
    simulator_waits(sim)
    daas = sim.service('daas')
    daas.add_catalog('Sleepy', 2)
    daas.hibernate(activation_seconds=120)
    env = sim.client_env()
    expected = re.compile(HIBERNATED.pattern.replace(re.escape('{url}'), re.escape(sim.url)))
    drain = {'catalog': 'Sleepy', 'maintenance_mode': True, 'activate_site': True}

    for module, args, check in (('citrix_daas_machine_info', {'catalog': 'Sleepy'}, False),
                                ('citrix_daas_site_info', {}, False),
                                ('citrix_daas_machine', drain, True),
                                ('citrix_daas_machine', dict(drain, activate_site=False), False)):
        result = run_module(module, args, env=env, check_mode=check)
        assert result.get('failed') and expected.fullmatch(result['msg']), (module, result)
        assert result['error_type'] == 'SiteHibernatedError'
    inventory = run_inventory('citrix_daas', {'plugin': 'opencitrix.automation.citrix_daas'}, tmp_path, env=env)
    assert inventory.get('failed') and expected.search(inventory['msg']), inventory
    assert daas.activations == 0 and sim.stats.writes() == 0

    woken = run_module('citrix_daas_machine', drain, env=env)
    assert not woken.get('failed'), woken
    assert woken['counts']['changed'] == 2
    assert daas.activations == 1 and sim.stats.count(route='daas.site.activate') == 1
    assert not daas.hibernated
    assert all(daas.machine(m)['InMaintenanceMode'] for m in daas.machines_of('Sleepy'))


def test_an_activation_that_does_not_wake_the_site_ends_in_one_line(make_sim):
    import time
    from ansible_collections.opencitrix.automation.plugins.module_utils import clock
    sim = make_sim(size=20, time_scale=0)
    daas = sim.service('daas')
    daas.hibernate(activation_seconds=3600)
    # The module's waits and its deadline both follow the simulator's clock.
    with clock.using(clock.Clock(sleep=sim.clock.advance, monotonic=sim.clock.now, wall=time.time)):
        result = run_module('citrix_daas_session_message', {'all_targets': True, 'text': 'hi', 'activate_site': True,
                                                            'activate_site_timeout': 300}, env=sim.client_env())
    assert result.get('failed') and result['msg'] == (
        'The Citrix DaaS site of customer "simcustomer1" did not wake up within 300 seconds of its activation; '
        'raise activate_site_timeout, or check the site in the Citrix Cloud console'), result
    assert daas.activations == 1 and sim.stats.count(route='daas.session.message') == 0
    assert sim.stats.count(route='daas.me') <= 15  # polled with a growing delay, up to 30 s
