"""Both example rulebooks under the real ``ansible-rulebook`` (1.3, with its drools JVM; ``make
rulebook-venv``) against the simulator: the rule fires on the source's event and its playbook acts; the
sources' recoveries show at ``-v``; a rulebook stopped by SIGTERM (which its JVM ends within a second,
without shutting the sources down) leaves no XenServer session open; the DaaS rulebook hands its
``--vars`` settings to the playbook."""

import json
import os
import signal
import subprocess
import sys
import time

from tests.harness import collections_path
from tests.integration.conftest import CLIENT_SECRET
from tests.integration.daas.support import FAST_CLOCK, cloud_env_for
from tests.integration.eda_support import Rulebook

XEN_PASSWORD = 'xs-EDA-p4ss-61c0d2'


def no_session_within(xen, seconds=5.0):
    deadline = time.monotonic() + seconds
    while xen.active_sessions() and time.monotonic() < deadline:
        time.sleep(0.05)
    return xen.active_sessions() == {}


def test_xenserver_rulebook_restarts_a_tagged_vm_and_sigterm_leaves_no_session(make_sim, tmp_path):
    sim = make_sim(size=20, services=['xenserver'], time_scale=20,
                   config={'xenserver': {'password': XEN_PASSWORD, 'vms': 20}})
    xen = sim.service('xenserver')
    xen.add_test_vm('eda-web', power_state='Running', tags=['auto-restart'])
    xen.add_test_vm('eda-plain', power_state='Running', tags=['web'])
    rulebook = Rulebook(tmp_path, 'xenserver_restart_halted_vm', sim.client_env())

    rulebook.wait_until(lambda: sim.stats.count(route='xenserver.event.from') >= 2,
                        what='the source to read the pool and wait for changes')
    sim.stats.reset()
    xen.invalidate_sessions()  # a toolstack restart: the source logs in again (shown at -v)

    def following_again():  # logged in again and asking from its token (not after a whole event_timeout)
        return sim.stats.count(route='xenserver.session.login_with_password') >= 1 and \
            sim.stats.count(route='xenserver.event.from') >= 1
    rulebook.wait_until(following_again, what='the source to follow the pool again')
    xen.halt_guest('eda-web')
    xen.halt_guest('eda-plain')
    rulebook.wait_until(lambda: xen.vm('eda-web')['power_state'] == 'Running', what='the tagged VM to run again')
    rulebook.wait_until(lambda: 'PLAY RECAP' in rulebook.output, what='the playbook to end')
    assert xen.vm('eda-plain')['power_state'] == 'Halted'  # no tag, no restart
    assert len(xen.active_sessions()) == 1  # the source's (the playbook's was logged out)

    rc, seconds = rulebook.stop(signal.SIGTERM)
    output = rulebook.output
    assert seconds < 5, 'ansible-rulebook took %.1fs to stop' % seconds
    assert no_session_within(xen), 'a stopped source left its XenServer session open'
    assert 'VM eda-web of pool sim-pool: started again' in output, output[-4000:]
    assert 'session renewed after SESSION_INVALID' in output  # the recovery, at -v
    assert XEN_PASSWORD not in output and 'OpaqueRef:' not in output.split('PLAY [')[0]
    assert rc in (0, 143, -signal.SIGTERM)


def test_daas_rulebook_reports_and_restarts_an_unregistered_machine_with_its_vars(make_sim, tmp_path):
    sim = make_sim(size=20, services=['cloud', 'daas'], time_scale=FAST_CLOCK)
    daas = sim.service('daas')
    daas.add_catalog('EDA', 2, delivery_group='EDA Desktops')
    machine, idle = daas.machines_of('EDA')
    for machine_id in (machine, idle):
        daas.update_machine(machine_id, PowerState='On', RegistrationState='Registered')
    daas.add_session(machine, user='SIMLAB\\eda')
    report = tmp_path / 'reports' / 'unregistered.csv'
    rulebook = Rulebook(tmp_path, 'daas_unregistered_machine', cloud_env_for(sim),
                        variables={'daas_poll_interval': 1, 'daas_unregistered_report': str(report)})

    def polls():
        return sim.stats.count(route='daas.*machines.list')
    rulebook.wait_until(lambda: polls() >= 2, what='two polls of the machine list')
    sim.service('cloud').expire_tokens()  # the next poll's token is refused: a new sign-in (shown at -v)
    daas.update_machine(machine, RegistrationState='Unregistered')  # lost contact, still powered on
    daas.update_machine(idle, RegistrationState='Unregistered', PowerState='Off')  # shut down: left alone
    rulebook.wait_until(lambda: daas.power_log, what='the restart')
    rulebook.wait_until(lambda: report.exists() and len(report.read_text().splitlines()) == 2, what='the report')
    rulebook.stop(signal.SIGTERM)
    output = rulebook.output

    assert [(entry['machine_id'], entry['action']) for entry in daas.power_log] == [(machine, 'reboot')]
    header, line = report.read_text().splitlines()
    assert header == 'time,site,machine,id,registration_before,registration_now,power_state,session_count'
    assert line.split(',')[1:] == ['cloudxdsite', daas.machine(machine)['Name'], machine, 'Registered',
                                   'Unregistered', 'On', '1']
    assert 'the token was rejected; signing in again' in output  # the recovery, at -v
    assert CLIENT_SECRET not in output and not [t for t in sim.service('cloud').tokens if t in output]


def test_a_source_process_killed_outright_leaves_no_session(make_sim):
    """SIGKILL runs no clean-up at all in the source's process: the helper it started logs the session out."""
    sim = make_sim(size=20, services=['xenserver'], config={'xenserver': {'vms': 20}})
    xen = sim.service('xenserver')
    script = os.path.join(collections_path(), 'ansible_collections', 'opencitrix', 'automation', 'extensions', 'eda',
                          'plugins', 'event_source', 'xenserver_events.py')  # as installed
    env = dict(os.environ, **sim.client_env())
    source = subprocess.Popen([sys.executable, script, json.dumps({'classes': ['VM'], 'event_timeout': 0.5})],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while sim.stats.count(route='xenserver.event.from') < 2 and time.monotonic() < deadline:
            assert source.poll() is None, source.stderr.read()
            time.sleep(0.05)
        assert len(xen.active_sessions()) == 1
    finally:
        source.kill()
        source.wait()
    assert no_session_within(xen), 'a killed source left its XenServer session open'
