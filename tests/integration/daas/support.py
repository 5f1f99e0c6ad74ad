"""Helpers shared by the DaaS tests: environments for the DaaS modules, in-process clients, one-task
plays and real ``ansible-inventory`` runs."""

from ansible_collections.opencitrix.automation.plugins.module_utils.daas.client import DaasClient
from ansible_collections.opencitrix.automation.plugins.module_utils.retries import RetryPolicy
from tests.harness import Runner
from tests.integration.conftest import CLIENT_ID, CLIENT_SECRET, CUSTOMER_ID

# Simulator seconds per real second: a 40 s reboot takes 0.8 s, while a Cloud token (3600 simulator
# seconds) still outlives any test.
FAST_CLOCK = 50
ONPREM_USER = 'SIMLAB\\automation'
ONPREM_PASSWORD = 'onprem-PASSWORD-5e0c77'


def onprem_env(sim):
    """Environment for the DaaS modules against the simulator's on-premises Orchestration API."""
    sim.service('daas').add_admin(ONPREM_USER, ONPREM_PASSWORD)
    return {'CITRIX_DDC_URL': sim.url, 'CITRIX_CLIENT_ID': ONPREM_USER, 'CITRIX_CLIENT_SECRET': ONPREM_PASSWORD,
            'CITRIX_CA_PATH': sim.ca_path}


def cloud_env_for(sim):
    """Environment for the DaaS modules with the distinctive test API client of conftest (secret-leak
    tests grep for it)."""
    sim.service('cloud').add_client(CLIENT_ID, CLIENT_SECRET, CUSTOMER_ID)
    return dict(sim.client_env(), CITRIX_CLIENT_ID=CLIENT_ID, CITRIX_CLIENT_SECRET=CLIENT_SECRET,
                CITRIX_CUSTOMER_ID=CUSTOMER_ID)


def cloud_params(sim, **extra):
    env = sim.client_env()
    params = dict(client_id=env['CITRIX_CLIENT_ID'], client_secret=env['CITRIX_CLIENT_SECRET'],
                  customer_id=env['CITRIX_CUSTOMER_ID'], api_url=sim.url, ca_path=sim.ca_path, token_cache=False)
    params.update(extra)
    return params


def cloud_client(sim, sleep=None, **extra):
    """An in-process DaaS client for the simulator's default API client (no file cache, no real sleeps
    when ``sleep`` is given)."""
    transport = {} if sleep is None else dict(retry=RetryPolicy(retries=3, sleep=sleep, rand=lambda: 1.0))
    return DaasClient.from_params(cloud_params(sim, **extra), **transport)


def task_play(module, args, name='task', hosts='targets'):
    """One play, one task of ``module`` (short name) with ``args``, registered as ``out``."""
    return [{'name': 'daas', 'hosts': hosts, 'gather_facts': False, 'tasks': [
        {'name': name, 'opencitrix.automation.' + module: args, 'register': 'out'}]}]


def tasks_play(*tasks):
    """One play of several tasks: ``(name, module short name, args)`` each."""
    return [{'name': 'daas', 'hosts': 'targets', 'gather_facts': False,
             'tasks': [{'name': name, 'opencitrix.automation.' + module: args} for name, module, args in tasks]}]


def role_play(**role_vars):
    """One play applying the daas_reboot_idle role with ``role_vars``."""
    return [{'name': 'reboot idle', 'hosts': 'targets', 'gather_facts': False,
             'roles': [{'role': 'opencitrix.automation.daas_reboot_idle', 'vars': role_vars}]}]


def power_requests(sim):
    """Power actions the site received: requests of their own and items of batch requests."""
    return sim.stats.count(route='daas.power.*') + sim.stats.items(route='daas.power.*')


def run_inventory(tmp_path, config, env, name='test.citrix_daas.yml', args=()):
    """``ansible-inventory -i <config> --list`` for real; ``config`` is written as YAML to ``name``
    (the same name across runs, so the inventory cache is shared)."""
    return Runner(tmp_path).inventory(config, env=env, name=name, args=args)
