"""``make demo``: start the simulator, run ``playbooks/demo.yml`` against it, stop it, and print
what happened (the play's own output, then what the simulated APIs received).

Works from a checkout and from an installed collection (``python -m tests.simulator.demo`` run in
``.../ansible_collections/opencitrix/automation``).
"""

import os
import subprocess
import sys
import tempfile

from tests.harness import ROOT, ansible_env, tool
from tests.simulator.core import Simulator


def demo_environment(sim, workdir):
    env = ansible_env(workdir)
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
        cmd = [tool('ansible-playbook'), '-i', 'localhost,', '-c', 'local', playbook] + args
        proc = subprocess.run(cmd, env=demo_environment(sim, workdir), cwd=ROOT, check=False)
        print(summarize(sim))
    print('\nDemo %s.' % ('finished' if proc.returncode == 0 else 'FAILED (rc=%d)' % proc.returncode))
    return proc.returncode


if __name__ == '__main__':
    sys.exit(main())
