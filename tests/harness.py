"""Running real Ansible commands against the simulator, shared by the integration tests, the demo
and the benchmarks: one place builds the environment and runs ``ansible-playbook`` /
``ansible-inventory`` with the collection on the collections path."""

import json
import os
import signal
import subprocess
import sys
import time

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.dirname(sys.executable)
CALLBACKS = os.path.join(ROOT, 'tests', 'integration', 'callback_plugins')
PRODUCT_ENV_PREFIXES = ('CITRIX_', 'XENSERVER_', 'XENMOBILE_', 'STOREFRONT_', 'ANSIBLE_')


def collections_path():
    """The directory holding ``ansible_collections/opencitrix/automation`` for this code: the
    installed collection's own tree, or a symlink under ``.cache/`` for a checkout."""
    parts = ROOT.split(os.sep)
    if parts[-3:-2] == ['ansible_collections']:
        return os.sep.join(parts[:-3])
    target = os.path.join(ROOT, '.cache', 'collections')
    link = os.path.join(target, 'ansible_collections', 'opencitrix', 'automation')
    if not os.path.islink(link):
        os.makedirs(os.path.dirname(link), exist_ok=True)
        try:
            os.symlink(ROOT, link)
        except FileExistsError:  # a parallel worker made it first
            pass
    return target


def import_collection():
    """Make ``ansible_collections.opencitrix.automation`` importable as this code (tests, benchmarks)."""
    path = collections_path()
    if path not in sys.path:
        sys.path.insert(0, path)


def tool(name):
    path = os.path.join(BIN, name)
    return path if os.path.exists(path) else name


def ansible_env(workdir, extra=None, record_results=None, forks=5):
    """A clean environment for an Ansible command: no inherited product or ANSIBLE_ settings or
    proxies, private temp and cache directories under ``workdir``, then ``extra`` on top."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(PRODUCT_ENV_PREFIXES) and k.lower() not in ('http_proxy', 'https_proxy', 'all_proxy')}
    cache_home = os.path.join(workdir, 'xdg-cache')
    os.makedirs(cache_home, exist_ok=True)
    env.update({
        'PATH': BIN + os.pathsep + os.environ.get('PATH', ''),
        'ANSIBLE_COLLECTIONS_PATH': collections_path(),
        'ANSIBLE_NOCOLOR': '1',
        'ANSIBLE_FORCE_COLOR': '0',
        'ANSIBLE_RETRY_FILES_ENABLED': '0',
        'ANSIBLE_LOCALHOST_WARNING': '0',
        'ANSIBLE_INVENTORY_UNPARSED_WARNING': '0',
        'ANSIBLE_DEPRECATION_WARNINGS': '0',
        'ANSIBLE_LOCAL_TEMP': os.path.join(workdir, 'ansible-tmp'),
        'ANSIBLE_HOME': os.path.join(workdir, 'ansible-home'),
        'ANSIBLE_FORKS': str(forks),
        'XDG_CACHE_HOME': cache_home,
        'NO_PROXY': '127.0.0.1,localhost',
    })
    if record_results:
        env.update({'ANSIBLE_CALLBACK_PLUGINS': CALLBACKS, 'ANSIBLE_CALLBACKS_ENABLED': 'result_recorder',
                    'OPENCITRIX_RESULTS_FILE': record_results})
    env.update(extra or {})
    return env


def local_inventory(path, hosts=('localhost',)):
    lines = ['[targets]']
    for host in hosts:
        lines.append('%s ansible_connection=local ansible_python_interpreter=%s' % (host, sys.executable))
    with open(path, 'w') as handle:
        handle.write('\n'.join(lines) + '\n')
    return path


class PlaybookRun:
    """Outcome of one ``ansible-playbook`` run: rc, output and the recorded task results."""

    def __init__(self, proc, results_file):
        self.rc = proc.returncode
        self.stdout = proc.stdout or ''
        self.stderr = proc.stderr or ''
        self.results = []
        if results_file and os.path.exists(results_file):
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


def untagged(value):
    """ansible-inventory's JSON without the ``{"__ansible_unsafe": ...}`` wrappers it puts around
    strings that came from an inventory plugin (API data is never templated)."""
    if isinstance(value, dict):
        if set(value) == {'__ansible_unsafe'}:
            return value['__ansible_unsafe']
        return {k: untagged(v) for k, v in value.items()}
    if isinstance(value, list):
        return [untagged(v) for v in value]
    return value


class InventoryRun:
    """Outcome of one ``ansible-inventory --list`` run: ``data`` is the inventory (None when the run
    failed) and ``raw`` the same with Ansible's unsafe markers kept; ``parsed`` is False when Ansible
    reported the source as unparsable (it then still exits 0)."""

    def __init__(self, proc, output_file):
        self.rc = proc.returncode
        self.stdout = proc.stdout or ''
        self.stderr = proc.stderr or ''
        self.raw = self.data = None
        if proc.returncode == 0 and os.path.exists(output_file):
            with open(output_file) as handle:
                self.raw = json.load(handle)
            self.data = untagged(self.raw)
        self.parsed = (self.data is not None and 'Failed to parse' not in self.stderr
                       and 'Unable to parse' not in self.stderr)

    @property
    def output(self):
        return self.stdout + self.stderr

    @property
    def inventory(self):
        return self.data

    @property
    def hostvars(self):
        return self.data['_meta']['hostvars']

    def group(self, name):
        """Hosts directly in group ``name``, sorted."""
        return sorted(self.data.get(name, {}).get('hosts', []))

    def __repr__(self):
        return '<InventoryRun rc=%s parsed=%s>\n%s' % (self.rc, self.parsed, self.output[-4000:])


class Runner:
    """Runs playbooks and inventories in ``workdir``, numbering the files it writes."""

    def __init__(self, workdir):
        self.workdir = str(workdir)
        self.count = 0

    def run(self, playbook, env=None, hosts=('localhost',), forks=5, check=False, diff=False, verbosity=0,
            extra_vars=None, inventory=None, args=(), timeout=600, capture=True, stop_when=None):
        """One ``ansible-playbook`` run. ``stop_when``: a function polled while it runs; when it returns true, the
        run is killed (SIGKILL to its whole process group, as when a container is thrown away)."""
        self.count += 1
        n = self.count
        if not isinstance(playbook, str):
            playbook = yaml.safe_dump(playbook, sort_keys=False)
        play_path = os.path.join(self.workdir, 'play%d.yml' % n)
        with open(play_path, 'w') as handle:
            handle.write(playbook)
        results_file = os.path.join(self.workdir, 'results%d.jsonl' % n)
        run_env = ansible_env(self.workdir, env, record_results=results_file, forks=forks)
        inv = inventory or local_inventory(os.path.join(self.workdir, 'inventory%d.ini' % n), hosts)
        cmd = [tool('ansible-playbook'), '-i', inv, play_path]
        if check:
            cmd.append('--check')
        if diff:
            cmd.append('--diff')
        if verbosity:
            cmd.append('-' + 'v' * verbosity)
        if extra_vars:
            cmd += ['-e', json.dumps(extra_vars)]
        cmd += list(args)
        if stop_when is None:
            proc = subprocess.run(cmd, env=run_env, cwd=self.workdir, capture_output=capture, text=True,
                                  timeout=timeout, check=False)
        else:
            proc = self._run_until(cmd, run_env, stop_when, timeout, n)
        return PlaybookRun(proc, results_file)

    def _run_until(self, cmd, env, stop_when, timeout, n):
        out_path = os.path.join(self.workdir, 'output%d.txt' % n)
        with open(out_path, 'w') as out:
            proc = subprocess.Popen(cmd, env=env, cwd=self.workdir, stdout=out, stderr=subprocess.STDOUT, text=True,
                                    start_new_session=True)
            deadline = time.monotonic() + timeout
            while proc.poll() is None:
                if stop_when() or time.monotonic() > deadline:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait()
                    break
                time.sleep(0.02)
        with open(out_path) as handle:
            return subprocess.CompletedProcess(cmd, proc.returncode, handle.read(), '')

    def inventory(self, config, env=None, name=None, verbosity=0, args=(), timeout=600):
        """``ansible-inventory -i <config> --list`` for real. ``config`` (a dict) is written as YAML to
        ``name`` (default ``inv<n>.<plugin>.yml``; reuse a name to reuse its inventory cache)."""
        self.count += 1
        plugin = str(config.get('plugin', 'inventory')).rsplit('.', 1)[-1]
        path = os.path.join(self.workdir, name or 'inv%d.%s.yml' % (self.count, plugin))
        with open(path, 'w') as handle:
            handle.write(yaml.safe_dump(config, sort_keys=False))
        output = os.path.join(self.workdir, 'inventory%d.json' % self.count)
        cmd = [tool('ansible-inventory'), '-i', path, '--list', '--output', output]
        if verbosity:
            cmd.append('-' + 'v' * verbosity)
        cmd += list(args)
        proc = subprocess.run(cmd, env=ansible_env(self.workdir, env), cwd=self.workdir, capture_output=True,
                              text=True, timeout=timeout, check=False)
        return InventoryRun(proc, output)
