"""Integration fixtures: real ``ansible-playbook`` runs against the in-process simulator.

``run_playbook(playbook, **options)`` writes the playbook (YAML text or a list of plays), runs it
with the collection on the collections path, and returns a ``harness.PlaybookRun`` whose
``results`` come from the recording callback. ``cloud_env`` points the Citrix Cloud options at the
simulator with a distinctive API client; ``sim_env`` reaches every simulated service.
"""

import pytest

from tests.harness import Runner

# Distinctive values, so secret-leak tests can grep for them.
CLIENT_ID = 'it-client-3f9a'
CLIENT_SECRET = 'it-SECRET-7c41d2e9b0'
CUSTOMER_ID = 'itcustomer42'


@pytest.fixture
def sim_env(sim):
    """Environment reaching every simulated service with the simulator's default credentials."""
    return sim.client_env()


@pytest.fixture
def cloud_env(sim):
    """Environment that points the Citrix Cloud modules at ``sim`` with a known API client."""
    sim.service('cloud').add_client(CLIENT_ID, CLIENT_SECRET, CUSTOMER_ID)
    return {
        'CITRIX_CLIENT_ID': CLIENT_ID,
        'CITRIX_CLIENT_SECRET': CLIENT_SECRET,
        'CITRIX_CUSTOMER_ID': CUSTOMER_ID,
        'CITRIX_CLOUD_API_URL': sim.url,
        'CITRIX_WORKSPACES_API_URL': sim.url + '/{service}',
        'CITRIX_CA_PATH': sim.ca_path,
    }


@pytest.fixture
def cloud_options(cloud_env):
    """The Citrix Cloud connection options of ``cloud_env`` as module options (e.g. for module_defaults)."""
    return {'client_id': cloud_env['CITRIX_CLIENT_ID'], 'client_secret': cloud_env['CITRIX_CLIENT_SECRET'],
            'customer_id': cloud_env['CITRIX_CUSTOMER_ID'], 'api_url': cloud_env['CITRIX_CLOUD_API_URL'],
            'workspaces_api_url': cloud_env['CITRIX_WORKSPACES_API_URL'], 'ca_path': cloud_env['CITRIX_CA_PATH']}


@pytest.fixture
def simulator_waits():
    """``simulator_waits(sim)``: for in-process runs, the collection's retry backoffs and job polling
    wait on ``sim``'s clock instead of the wall clock (through the collection's own clock seam; the
    delays themselves are tested in test_transport_faults.py), so retried and polling calls cost no
    real time."""
    import time as real_time
    from ansible_collections.opencitrix.automation.plugins.module_utils import clock

    installed = []

    def install(sim):
        seam = clock.using(clock.Clock(sleep=sim.clock.advance, monotonic=real_time.monotonic, wall=real_time.time))
        seam.__enter__()
        installed.append(seam)
    yield install
    for seam in reversed(installed):
        seam.__exit__(None, None, None)


@pytest.fixture
def run_playbook(tmp_path):
    """``run_playbook(playbook, env=..., hosts=..., forks=..., check=..., diff=..., verbosity=...,
    extra_vars=..., inventory=..., args=...)`` -> ``harness.PlaybookRun``."""
    return Runner(tmp_path).run


def pytest_sessionstart(session):
    """Forget the previous run's reliability outcomes (master process only)."""
    if hasattr(session.config, 'workerinput'):
        return
    import shutil
    from tests.reliability import OUTCOMES
    shutil.rmtree(OUTCOMES, ignore_errors=True)
