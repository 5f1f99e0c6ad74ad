"""Fixtures of the XenServer tests: a simulated pool (40 VMs, three hosts, a clock running 20 times
faster than real time) with a distinctive password, and the environment that points modules at it."""

import pytest

from tests.integration.xenserver.helpers import FAST, XEN_PASSWORD, XEN_USER


@pytest.fixture
def xen_sim(make_sim):
    return make_sim(size=10, time_scale=FAST, config={'xenserver': {'password': XEN_PASSWORD, 'vms': 40}})


@pytest.fixture
def xen(xen_sim):
    return xen_sim.service('xenserver')


@pytest.fixture
def xen_env(xen_sim, xen):
    return {'XENSERVER_HOST': xen.url, 'XENSERVER_USER': XEN_USER, 'XENSERVER_PASSWORD': XEN_PASSWORD,
            'XENSERVER_CA_PATH': xen_sim.ca_path}
