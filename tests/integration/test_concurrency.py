"""Issue 12: eight forks times fifty tasks share one cached Citrix Cloud token, for real.

One ``ansible-playbook`` run, 8 hosts, ``forks: 8``, 50 tasks each (Cloud and DaaS modules, which sign
in with the same API client): 400 module runs in parallel processes. Midway the simulator expires every
token, as Citrix Cloud does after an hour, so every fork in flight gets a 401 at about the same time.
Between them the run must ask for exactly two tokens (one at the start, one after the expiry), every
task must succeed, the shared token file must stay whole and private, and no secret or token may
appear in the output. The most expensive test of the suite, so it checks all of that at once."""

import json
import os
import stat
import threading
import time

from tests.integration.conftest import CLIENT_ID, CLIENT_SECRET, CUSTOMER_ID
from tests.reliability import issued_secrets, record, scan_for_secrets

FORKS = 8
TASKS = 50
EXPIRE_AFTER = 150  # data requests before the simulator expires every token


# (module, options, API requests per run after the sign-in: DaaS finds the site with GET /me first)
MODULES = [('opencitrix.automation.citrix_cloud_service_info', {}, 1),
           ('opencitrix.automation.citrix_cloud_resource_location_info', {}, 1),
           ('opencitrix.automation.citrix_daas_machine_info', {'catalog': 'Forks'}, 2)]


def _tasks():
    return [{'name': 'task %02d' % n, MODULES[n % 3][0]: MODULES[n % 3][1]} for n in range(TASKS)]


def _expire_midway(sim, fired, stop):
    """Expire every Cloud token once the run has made EXPIRE_AFTER data requests."""
    while not stop.is_set():
        if sim.stats.count() - sim.stats.count(route='cloud.token') >= EXPIRE_AFTER:
            sim.service('cloud').expire_tokens()
            fired.append(sim.stats.count(route='cloud.token'))
            return
        time.sleep(0.02)


def test_eight_forks_fifty_tasks_two_tokens_across_a_mid_run_expiry(make_sim, run_playbook, tmp_path):
    sim = make_sim(services=['cloud', 'cloud_platform', 'daas'], size=20)
    sim.service('cloud').add_client(CLIENT_ID, CLIENT_SECRET, CUSTOMER_ID)
    sim.service('daas').add_catalog('Forks', 2)
    env = {'CITRIX_CLIENT_ID': CLIENT_ID, 'CITRIX_CLIENT_SECRET': CLIENT_SECRET, 'CITRIX_CUSTOMER_ID': CUSTOMER_ID,
           'CITRIX_CLOUD_API_URL': sim.url, 'CITRIX_WORKSPACES_API_URL': sim.url + '/{service}',
           'CITRIX_CA_PATH': sim.ca_path, 'ANSIBLE_PIPELINING': '1'}
    hosts = ['fork%d' % n for n in range(1, FORKS + 1)]
    play = [{'name': 'forks', 'hosts': 'targets', 'gather_facts': False, 'tasks': _tasks()}]
    fired, stop = [], threading.Event()
    watcher = threading.Thread(target=_expire_midway, args=(sim, fired, stop), daemon=True)
    watcher.start()
    started = time.monotonic()
    try:
        run = run_playbook(play, env=env, hosts=hosts, forks=FORKS)
    finally:
        stop.set()
        watcher.join(5)
    elapsed = time.monotonic() - started

    assert run.rc == 0, run
    results = [r for r in run.results if r['task'].startswith('task ')]
    assert len(results) == FORKS * TASKS and all(r['status'] == 'ok' for r in results)
    assert fired == [1], 'the tokens did not expire midway, with one token issued before'
    assert sim.stats.count(route='cloud.token') == 2 and len(sim.service('cloud').tokens) == 2
    data_requests = sim.stats.count() - 2
    resent = data_requests - FORKS * sum(MODULES[n % 3][2] for n in range(TASKS))
    assert 0 < resent <= FORKS, 'only the requests in flight with the expired token are sent again'

    directory = os.path.join(str(tmp_path), 'xdg-cache', 'opencitrix')
    assert stat.S_IMODE(os.stat(directory).st_mode) == 0o700
    names = sorted(os.listdir(directory))
    token_files = [n for n in names if n.endswith('.json')]
    assert len(token_files) == 1 and not [n for n in names if n.startswith('.token-')], names
    for name in names:
        assert stat.S_IMODE(os.stat(os.path.join(directory, name)).st_mode) == 0o600, name
    with open(os.path.join(directory, token_files[0])) as handle:
        entry = json.load(handle)
    assert sim.service('cloud').tokens[entry['token']]['expires_at'] > sim.clock.now()  # the new one
    assert CLIENT_SECRET not in json.dumps(entry)

    secrets = issued_secrets(sim, [CLIENT_SECRET])
    checks, found = scan_for_secrets(secrets, {'stdout': run.stdout, 'stderr': run.stderr,
                                               'results': json.dumps(results)})
    record('concurrency', 'forks', {'forks': FORKS, 'tasks': TASKS, 'module_runs': len(results),
                                    'token_requests': sim.stats.count(route='cloud.token'),
                                    'data_requests': data_requests, 'resent_after_expiry': resent,
                                    'seconds': round(elapsed, 1)})
    record('secrets', 'concurrency', {'product': '8 forks x 50 tasks (Cloud, DaaS)', 'values': len(secrets),
                                      'artifacts': 3, 'checks': checks, 'found': len(found), 'verbosity': 0,
                                      'modules': ['citrix_cloud_service_info', 'citrix_cloud_resource_location_info',
                                                  'citrix_daas_machine_info']})
    assert not found, found
