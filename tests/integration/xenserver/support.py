"""Helpers of the XenServer tests: the distinctive password of the simulated pool, sessions of the
collection's client, counters, play builders and playbooks run in the background."""

import os
import signal
import subprocess

import yaml

from ansible_collections.opencitrix.automation.plugins.module_utils.retries import RetryPolicy
from ansible_collections.opencitrix.automation.plugins.module_utils.xenserver.session import XenServerSession
from tests.harness import ansible_env, local_inventory, tool

XEN_PASSWORD = 'xs-IT-p4ss-8e2d71'
XEN_USER = 'root'
FAST = 20  # simulator seconds per real second: a 10 s guest boot takes half a second


class RecordingSleep:
    def __init__(self):
        self.delays = []

    def __call__(self, seconds):
        self.delays.append(seconds)


def client(xen, url=None, password=XEN_PASSWORD, sleeps=None, **kwargs):
    """The collection's session against the simulated pool (master unless ``url``)."""
    retry = RetryPolicy(retries=kwargs.pop('retries', 3), sleep=sleeps or RecordingSleep(), rand=lambda: 1.0)
    return XenServerSession(url or xen.url, XEN_USER, password, ca_path=xen.sim.ca_path, retry=retry, **kwargs)


def calls(sim, method=None):
    """XML-RPC calls the pool received (all, or of one method such as ``VM.get_record``)."""
    return sim.stats.count(route='xenserver.%s' % (method or '*'))


def writes(sim):
    return sim.stats.writes(service='xenserver')


def play(tasks, name='xenserver'):
    """A play on the test inventory running ``tasks`` (list of dicts)."""
    return [{'name': name, 'hosts': 'targets', 'gather_facts': False, 'tasks': tasks}]


def start_playbook(workdir, plays, env):
    """``ansible-playbook`` started in the background, in its own process group (so a test can kill it
    and every worker it forked): ``(process, results file)``."""
    os.makedirs(workdir, exist_ok=True)
    path = os.path.join(workdir, 'play.yml')
    with open(path, 'w') as handle:
        handle.write(yaml.safe_dump(plays, sort_keys=False))
    results = os.path.join(workdir, 'results.jsonl')
    inventory = local_inventory(os.path.join(workdir, 'inventory.ini'))
    process = subprocess.Popen([tool('ansible-playbook'), '-i', inventory, path], cwd=workdir,
                               env=ansible_env(workdir, env, record_results=results), stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, start_new_session=True)
    return process, results


def vm_names(xen):
    """Names of the pool's VMs and templates (not snapshots or control domains), with repeats."""
    return sorted(r['name_label'] for r in xen.db.all('VM').values() if not r['is_a_snapshot'] and not r['is_control_domain'])


def kill_tree(pid):
    """SIGKILL process ``pid`` and all its descendants (Ansible's workers start sessions of their own, so
    a process group does not hold the module a task runs)."""
    children = {}
    for entry in os.listdir('/proc'):
        if entry.isdigit():
            try:
                with open('/proc/%s/stat' % entry) as handle:
                    parent = int(handle.read().rsplit(')', 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry))
    tree, pending = [], [pid]
    while pending:
        current = pending.pop()
        tree.append(current)
        pending.extend(children.get(current, []))
    for member in tree:
        try:
            os.kill(member, signal.SIGKILL)
        except OSError:
            pass
