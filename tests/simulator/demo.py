"""``make demo``: start the simulator, run ``playbooks/demo.yml`` against it, stop it, and print
what happened (the play's own output, then what the simulated APIs received).

Works from a checkout and from an installed collection (``python -m tests.simulator.demo`` run in
``.../ansible_collections/opencitrix/automation``).
"""

import os
import subprocess
import sys
import tempfile

from tests.simulator.core import Simulator

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def collections_path():
    """The directory holding ``ansible_collections/opencitrix/automation`` for this code."""
    parts = ROOT.split(os.sep)
    if parts[-3:-2] == ['ansible_collections']:
        return os.sep.join(parts[:-3])
    target = os.path.join(ROOT, '.cache', 'collections')
    link = os.path.join(target, 'ansible_collections', 'opencitrix', 'automation')
    if not os.path.islink(link):
        os.makedirs(os.path.dirname(link), exist_ok=True)
        os.symlink(ROOT, link)
    return target


def demo_environment(sim, workdir):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(('CITRIX_', 'XENSERVER_', 'XENMOBILE_', 'STOREFRONT_', 'ANSIBLE_'))}
    env.update({
        'ANSIBLE_COLLECTIONS_PATH': collections_path(),
        'ANSIBLE_RETRY_FILES_ENABLED': '0',
        'ANSIBLE_LOCALHOST_WARNING': '0',
        'ANSIBLE_INVENTORY_UNPARSED_WARNING': '0',
        'XDG_CACHE_HOME': os.path.join(workdir, 'cache'),
        'NO_PROXY': '127.0.0.1,localhost',
    })
    env.update(sim.client_env())
    return env


def summarize(sim):
    snap = sim.stats.snapshot()
    lines = ['', 'What the simulated APIs received (%d requests, %d writes):' % (
        snap['total'], sum(snap['writes'].values()))]
    for route, count in sorted(snap['routes'].items()):
        writes = snap['writes'].get(route, 0)
        lines.append('  %-40s %6d requests%s' % (route, count, ('  %d writes' % writes) if writes else ''))
    return '\n'.join(lines)


def main(argv=None):
    args = list(sys.argv[1:] if argv is None else argv)
    workdir = tempfile.mkdtemp(prefix='opencitrix-demo-')
    with Simulator(size=200, workdir=workdir) as sim:
        print('Simulator listening on %s (CA %s)' % (sim.url, sim.ca_path), flush=True)
        playbook = os.path.join(ROOT, 'playbooks', 'demo.yml')
        bin_dir = os.path.dirname(sys.executable)
        ansible_playbook = os.path.join(bin_dir, 'ansible-playbook')
        if not os.path.exists(ansible_playbook):
            ansible_playbook = 'ansible-playbook'
        cmd = [ansible_playbook, '-i', 'localhost,', '-c', 'local', playbook] + args
        proc = subprocess.run(cmd, env=demo_environment(sim, workdir), cwd=ROOT, check=False)
        print(summarize(sim))
    print('\nDemo %s.' % ('finished' if proc.returncode == 0 else 'FAILED (rc=%d)' % proc.returncode))
    return proc.returncode


if __name__ == '__main__':
    sys.exit(main())
