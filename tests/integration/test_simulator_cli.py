"""The simulator's command line as ``make molecule`` uses it: started in the background, it writes the
environment that reaches it to a file, answers there, and stops on SIGTERM."""

import os
import shlex
import signal
import subprocess
import sys
import time

import requests

from tests.harness import ROOT


def wait_for(path, proc, seconds=30):
    deadline = time.monotonic() + seconds
    while not os.path.exists(path):
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, 'no %s after %ss' % (path, seconds)
        time.sleep(0.05)


def test_env_file_reaches_every_service_and_sigterm_stops_it(sim, tmp_path):
    env_file = tmp_path / 'simulator.env'
    proc = subprocess.Popen([sys.executable, '-m', 'tests.simulator', '--size', '20', '--workdir', str(tmp_path),
                             '--env-file', str(env_file)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        wait_for(str(env_file), proc)
        exported = {}
        for line in env_file.read_text().splitlines():
            keyword, assignment = line.split(' ', 1)
            assert keyword == 'export'
            name, value = shlex.split(assignment)[0].split('=', 1)
            exported[name] = value
        # Sourced by bash, the quoting holds (the Workspaces template has braces, the StoreFront user a backslash).
        sourced = subprocess.run(['bash', '-c', '. "$1" && printf %s "$STOREFRONT_USERNAME|$CITRIX_WORKSPACES_API_URL"',
                                  'bash', str(env_file)], capture_output=True, text=True, check=True)
        assert sourced.stdout == '%s|%s' % (exported['STOREFRONT_USERNAME'], exported['CITRIX_WORKSPACES_API_URL'])

        assert set(sim.client_env()) | {'OPENCITRIX_SIM_URL', 'OPENCITRIX_SIM_ADMIN', 'OPENCITRIX_SIM_CA_PATH'} == set(exported)
        assert exported['OPENCITRIX_SIM_CA_PATH'] == str(tmp_path / 'ca.pem')
        stats = requests.get(exported['OPENCITRIX_SIM_ADMIN'] + '/stats', verify=exported['OPENCITRIX_SIM_CA_PATH'],
                             timeout=10)
        assert stats.status_code == 200 and stats.json()['total'] == 0
        writes = requests.get(exported['OPENCITRIX_SIM_ADMIN'] + '/xenmobile/writes',
                              verify=exported['OPENCITRIX_SIM_CA_PATH'], timeout=10)
        assert writes.json() == {'default': [], 'test': [], 'prod': []}
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
    assert proc.returncode == 0
