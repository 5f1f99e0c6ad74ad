"""Fixtures of the XenServer tests: a simulated pool (40 VMs, three hosts, a clock running 20 times
faster than real time) with a distinctive password, the environment that points modules at it, and
real ``ansible-inventory`` runs."""

import pytest

from tests.harness import Runner
from tests.integration.xenserver.support import FAST, XEN_PASSWORD, XEN_USER


@pytest.fixture
def make_pool(make_sim):
    """``make_pool(time_scale=FAST, **settings)``: a simulator whose XenServer pool has the test password,
    40 VMs unless ``vms`` says otherwise, and ``settings`` (pool_name, session_limit, boot_seconds...)."""
    def factory(time_scale=FAST, **settings):
        settings = dict({'password': XEN_PASSWORD, 'vms': 40}, **settings)
        return make_sim(size=10, time_scale=time_scale, tls=settings.pop('tls', True), config={'xenserver': settings})
    return factory


@pytest.fixture
def xen_sim(make_pool):
    return make_pool()


@pytest.fixture
def xen(xen_sim):
    return xen_sim.service('xenserver')


@pytest.fixture
def xen_env(xen_sim, xen):
    return {'XENSERVER_HOST': xen.url, 'XENSERVER_USER': XEN_USER, 'XENSERVER_PASSWORD': XEN_PASSWORD,
            'XENSERVER_CA_PATH': xen_sim.ca_path}


@pytest.fixture
def run_inventory(tmp_path):
    """``run_inventory(config, env=..., verbosity=0, name=None)`` -> ``harness.InventoryRun``: the real
    ``ansible-inventory --list`` on ``config`` written as ``inv<n>.xenserver.yml``."""
    return Runner(tmp_path).inventory
