"""Fixtures of the XenServer tests: a simulated pool (40 VMs, three hosts, a clock running 20 times
faster than real time) with a distinctive password, the environment that points modules at it, and
real ``ansible-inventory`` runs."""

import json
import os
import subprocess

import pytest
import yaml

from tests.conftest import ensure_collection_path
from tests.integration.conftest import BIN
from tests.integration.xenserver.helpers import FAST, XEN_PASSWORD, XEN_USER


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


def _unwrap(value):
    """``ansible-inventory --list`` marks strings from inventory plugins as unsafe (not templated)."""
    if isinstance(value, dict):
        if set(value) == {'__ansible_unsafe'}:
            return value['__ansible_unsafe']
        return {k: _unwrap(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_unwrap(v) for v in value]
    return value


class InventoryRun:
    def __init__(self, proc):
        self.rc = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr
        start = proc.stdout.find('{') if proc.stdout.startswith('{') else proc.stdout.find('\n{') + 1
        self.raw = json.loads(proc.stdout[start:]) if proc.returncode == 0 and start >= 0 and '{' in proc.stdout else None
        self.data = _unwrap(self.raw)
        self.parsed = self.data is not None and 'Failed to parse' not in proc.stderr and 'Unable to parse' not in proc.stderr

    @property
    def output(self):
        return self.stdout + self.stderr

    def hostvars(self, host):
        return self.data['_meta']['hostvars'][host]

    def group(self, name):
        """Hosts directly in ``name``."""
        return sorted(self.data.get(name, {}).get('hosts', []))

    def __repr__(self):
        return '<InventoryRun rc=%s parsed=%s>\n%s' % (self.rc, self.parsed, self.output[-4000:])


@pytest.fixture
def run_inventory(tmp_path):
    """``run_inventory(config, env=..., verbosity=0)``: writes ``config`` (a dict) as
    ``<n>.xenserver.yml`` and runs the real ``ansible-inventory --list`` on it."""
    collections = ensure_collection_path()
    counter = {'n': 0}

    def run(config, env=None, verbosity=0, name=None):
        counter['n'] += 1
        path = tmp_path / (name or 'inv%d.xenserver.yml' % counter['n'])
        path.write_text(yaml.safe_dump(config, sort_keys=False))
        run_env = {k: v for k, v in os.environ.items()
                   if not k.startswith(('CITRIX_', 'XENSERVER_', 'XENMOBILE_', 'STOREFRONT_', 'ANSIBLE_'))}
        run_env.update({
            'ANSIBLE_COLLECTIONS_PATH': collections, 'ANSIBLE_HOME': str(tmp_path / 'ansible-home'),
            'ANSIBLE_LOCAL_TEMP': str(tmp_path / 'ansible-tmp'), 'ANSIBLE_NOCOLOR': '1',
            'ANSIBLE_DEPRECATION_WARNINGS': '0', 'NO_PROXY': '127.0.0.1,localhost',
        })
        run_env.update(env or {})
        cmd = [os.path.join(BIN, 'ansible-inventory'), '-i', str(path), '--list']
        if verbosity:
            cmd.append('-' + 'v' * verbosity)
        proc = subprocess.run(cmd, env=run_env, cwd=str(tmp_path), capture_output=True, text=True, check=False, timeout=600)
        return InventoryRun(proc)

    return run
