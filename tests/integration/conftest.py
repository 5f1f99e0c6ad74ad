"""Integration fixtures: real ``ansible-playbook`` runs against the in-process simulator.

``run_playbook(playbook, **options)`` writes the playbook (YAML text or a list of plays), runs it
with the collection on the collections path, and returns a :class:`PlaybookRun` whose ``results``
come from the recording callback. ``cloud_env`` points the Citrix Cloud options at the simulator.
"""

import json
import os
import subprocess
import sys

import pytest
import yaml

from tests.conftest import ROOT, ensure_collection_path

HERE = os.path.dirname(os.path.abspath(__file__))
BIN = os.path.dirname(sys.executable)

# Distinctive values, so secret-leak tests can grep for them.
CLIENT_ID = 'it-client-3f9a'
CLIENT_SECRET = 'it-SECRET-7c41d2e9b0'
CUSTOMER_ID = 'itcustomer42'


class PlaybookRun:
    def __init__(self, proc, results_file):
        self.rc = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr
        self.results = []
        if os.path.exists(results_file):
            with open(results_file) as handle:
                self.results = [json.loads(line) for line in handle if line.strip()]

    @property
    def output(self):
        return self.stdout + self.stderr

    def task(self, name, host=None):
        """The result of the named task (on ``host``); fails the test when absent."""
        found = [r for r in self.results if r['task'] == name and (host is None or r['host'] == host)]
        assert found, 'no result for task %r; tasks seen: %s\n%s' % (
            name, sorted(set(r['task'] for r in self.results)), self.output[-3000:])
        return found[-1]

    def results_of(self, name):
        return [r for r in self.results if r['task'] == name]

    def __repr__(self):
        return '<PlaybookRun rc=%s>\n%s' % (self.rc, self.output[-4000:])


def local_inventory(path, hosts=('localhost',)):
    lines = ['[targets]']
    for host in hosts:
        lines.append('%s ansible_connection=local ansible_python_interpreter=%s' % (host, sys.executable))
    with open(path, 'w') as handle:
        handle.write('\n'.join(lines) + '\n')
    return path


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
def run_playbook(tmp_path):
    collections = ensure_collection_path()
    counter = {'n': 0}

    def run(playbook, env=None, hosts=('localhost',), forks=5, check=False, diff=False, verbosity=0,
            extra_vars=None, inventory=None, args=(), timeout=600):
        counter['n'] += 1
        n = counter['n']
        if not isinstance(playbook, str):
            playbook = yaml.safe_dump(playbook, sort_keys=False)
        play_path = tmp_path / ('play%d.yml' % n)
        play_path.write_text(playbook)
        results_file = str(tmp_path / ('results%d.jsonl' % n))
        cache_home = tmp_path / 'xdg-cache'
        cache_home.mkdir(exist_ok=True)
        run_env = {k: v for k, v in os.environ.items()
                   if not k.startswith(('CITRIX_', 'XENSERVER_', 'XENMOBILE_', 'STOREFRONT_', 'ANSIBLE_'))
                   and k.lower() not in ('http_proxy', 'https_proxy', 'all_proxy')}
        run_env.update({
            'PATH': BIN + os.pathsep + os.environ.get('PATH', ''),
            'ANSIBLE_COLLECTIONS_PATH': collections,
            'ANSIBLE_CALLBACK_PLUGINS': os.path.join(HERE, 'callback_plugins'),
            'ANSIBLE_CALLBACKS_ENABLED': 'result_recorder',
            'OPENCITRIX_RESULTS_FILE': results_file,
            'ANSIBLE_NOCOLOR': '1',
            'ANSIBLE_FORCE_COLOR': '0',
            'ANSIBLE_RETRY_FILES_ENABLED': '0',
            'ANSIBLE_LOCAL_TEMP': str(tmp_path / 'ansible-tmp'),
            'ANSIBLE_HOME': str(tmp_path / 'ansible-home'),
            'ANSIBLE_FORKS': str(forks),
            'ANSIBLE_DEPRECATION_WARNINGS': '0',
            'XDG_CACHE_HOME': str(cache_home),
            'NO_PROXY': '127.0.0.1,localhost',
        })
        run_env.update(env or {})
        inv = inventory or local_inventory(str(tmp_path / ('inventory%d.ini' % n)), hosts)
        cmd = [os.path.join(BIN, 'ansible-playbook'), '-i', inv, str(play_path)]
        if check:
            cmd.append('--check')
        if diff:
            cmd.append('--diff')
        if verbosity:
            cmd.append('-' + 'v' * verbosity)
        if extra_vars:
            cmd += ['-e', json.dumps(extra_vars)]
        cmd += list(args)
        proc = subprocess.run(cmd, env=run_env, cwd=str(tmp_path), capture_output=True, text=True, check=False,
                              timeout=timeout)
        return PlaybookRun(proc, results_file)

    run.root = ROOT
    return run
