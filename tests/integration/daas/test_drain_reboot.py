"""The daas_drain_reboot role (playbooks/drain_reboot_machines.yml) through real ansible-playbook runs against
the simulator's clock (50 simulator seconds a second): check mode prints the waves and sends nothing; machines
are rebooted only once idle, or after their sessions were logged off at the deadline; a machine that does not
come back stays in maintenance mode and is named; a run killed mid-wave and started again reboots no machine
twice; progress lives in tags on the machines."""

import os

from tests.integration.daas.support import FAST_CLOCK

ROLE = 'opencitrix.automation.daas_drain_reboot'
PLAYBOOK = os.path.join(os.path.dirname(__file__), '..', '..', '..', 'playbooks', 'drain_reboot_machines.yml')


def role_play(**role_vars):
    return [{'name': 'drain and reboot', 'hosts': 'targets', 'gather_facts': False,
             'roles': [{'role': ROLE, 'vars': role_vars}]}]


def task(run, name):
    return run.task('%s : %s' % (ROLE, name))['result']


def summary(run):
    return task(run, 'Record the summary')['ansible_facts']['daas_drain_reboot_summary']


def reboots(daas):
    """Reboots the site received, per machine id."""
    counts = {}
    for entry in daas.power_log:
        if entry['action'] == 'reboot':
            counts[entry['machine_id']] = counts.get(entry['machine_id'], 0) + 1
    return counts


def test_waves_skip_busy_machines_at_the_deadline_and_name_a_machine_that_does_not_come_back(make_sim, run_playbook):
    sim = make_sim(time_scale=FAST_CLOCK)
    daas = sim.service('daas')
    ids = daas.add_catalog('Ring', 10, delivery_group='Ring Desktops')['machine_ids']
    names = [daas.machine(m)['Name'] for m in ids]
    busy = daas.set_sessions('Ring', 4)
    idle = [m for m in ids if m not in busy]
    daas.update_machine(idle[0], InMaintenanceMode=True)  # someone else's: left alone
    daas.update_machine(idle[1], stuck_on_next_boot=True)
    # Nobody logs off by themselves: the busy machines are skipped at the deadline (the default).
    daas.set_behaviour(registration_delay=20)
    play = role_play(daas_drain_reboot_delivery_group='Ring Desktops', daas_drain_reboot_wave='50%',
                     daas_drain_reboot_deadline=1, daas_drain_reboot_poll_interval=1,
                     daas_drain_reboot_registration_timeout=2, daas_drain_reboot_run_id='t1')
    env = sim.client_env()

    check = run_playbook(play, env=env, check=True)
    assert check.rc == 0, check
    assert sim.stats.writes() == 0 and daas.messages == [] and daas.power_log == []
    shown = task(check, 'Show the plan')['msg']
    assert shown[0] == 'Run t1: 10 machines, 2 waves of up to 5 (check mode: nothing is changed)'
    planned = [n for n in names if n != names[ids.index(idle[0])]]
    assert shown[1:3] == ['Wave 1: ' + ', '.join(planned[:5]), 'Wave 2: ' + ', '.join(planned[5:])]

    run = run_playbook(play, env=env)
    assert run.rc != 0  # the stuck machine
    done = summary(run)
    stuck = daas.machine(idle[1])['Name']
    assert list(done['not_back']) == [stuck] and done['failed'] == {}
    assert sorted(done['skipped']) == sorted([daas.machine(m)['Name'] for m in busy + [idle[0]]])
    assert sorted(done['rebooted']) == sorted(daas.machine(m)['Name'] for m in idle[2:])
    assert reboots(daas) == dict((m, 1) for m in idle[1:])
    assert all(e['sessions'] == 0 for e in daas.power_log)
    assert sorted(m['machine_id'] for m in daas.messages) == sorted(busy)  # one message per busy machine's session
    assert [entry for entry in daas.logoffs if entry['by'] == 'api'] == []
    state = {m: daas.machine(m) for m in ids}
    assert [m for m in ids if state[m]['InMaintenanceMode']] == [idle[0], idle[1]]
    assert all(state[m]['RegistrationState'] == 'Registered' for m in ids if m != idle[1])
    assert 'did not come back and stay in maintenance mode (%s)' % stuck in task(
        run, 'Fail when machines did not come back or failed')['msg']
    assert {tuple(daas.tag_names_of(m)) for m in idle[2:]} == {('DrainReboot-t1-rebooted',)}
    assert {tuple(daas.tag_names_of(m)) for m in busy} == {()}


def test_rolling_reboot_of_200_machines_logs_off_only_after_the_deadline_and_resumes_after_a_kill(make_sim,
                                                                                                  run_playbook):
    sim = make_sim(time_scale=FAST_CLOCK)
    daas = sim.service('daas')
    ids = daas.add_catalog('Rolling', 200, delivery_group='Rolling Desktops')['machine_ids']
    busy = daas.set_sessions('Rolling', 120)
    sessions = sorted(s for s, record in daas.site().sessions.items() if record['Machine'] in busy)
    stuck = [m for m in ids[120:160] if m not in busy][0]  # wave 4 of 5
    daas.update_machine(stuck, stuck_on_next_boot=True)
    # 60 % of the users log off by themselves 20 to 300 simulator seconds after the message; the deadline is 2 s
    # (100 simulator seconds), then the others are logged off.
    daas.set_behaviour(message_logoff={'share': 0.6, 'after': [20, 300]}, registration_delay=30)
    deadline = 2
    play = role_play(daas_drain_reboot_delivery_group='Rolling Desktops', daas_drain_reboot_wave='20%',
                     daas_drain_reboot_deadline=deadline, daas_drain_reboot_at_deadline='logoff',
                     daas_drain_reboot_poll_interval=1, daas_drain_reboot_logoff_timeout=3,
                     daas_drain_reboot_registration_timeout=3, daas_drain_reboot_run_id='r1')
    env = sim.client_env()

    # Killed (the whole process group, as a thrown-away execution environment) as soon as wave 2's reboots arrive.
    killed = run_playbook(play, env=env, stop_when=lambda: sum(e['action'] == 'reboot' for e in daas.power_log) > 40)
    assert killed.rc < 0, killed
    first_wave = set(daas.power_log[i]['machine_id'] for i in range(40))
    assert sum(1 for m in ids if daas.machine(m)['InMaintenanceMode']) >= 1  # wave 2 was left drained

    resumed = run_playbook(play, env=env)
    assert resumed.rc != 0, resumed  # the machine that does not come back
    done = summary(resumed)
    plan = task(resumed, 'Plan the waves')['ansible_facts']['daas_drain_reboot_plan']
    assert len(plan['done']) == 40 and set(daas.machine(m)['Name'] for m in first_wave) == set(plan['done'])
    assert len(plan['finishing']) == 40 and [len(w) for w in plan['waves']] == [40, 40, 40]
    name = daas.machine(stuck)['Name']
    assert list(done['not_back']) == [name] and done['failed'] == {} and done['skipped'] == {}
    assert len(done['rebooted']) == 200 - 40 - 1 and len(done['done_before']) == 40

    # Each machine rebooted exactly once, never with a session.
    assert reboots(daas) == dict((m, 1) for m in ids)
    assert all(e['sessions'] == 0 for e in daas.power_log if e['action'] == 'reboot')
    # Each user was warned once; the site logged off only sessions whose message was at least the deadline old.
    warned = dict((m['session_id'], m['at']) for m in daas.messages)
    assert sorted(m['session_id'] for m in daas.messages) == sessions
    by_api = [e for e in daas.logoffs if e['by'] == 'api']
    assert by_api and all(e['at'] - warned[e['session_id']] >= deadline * FAST_CLOCK for e in by_api)
    assert {e['by'] for e in daas.logoffs} == {'api', 'user'}
    # Every machine ends registered and out of maintenance mode, but the one named in the summary.
    state = {m: daas.machine(m) for m in ids}
    assert [m for m in ids if state[m]['InMaintenanceMode']] == [stuck]
    assert [m for m in ids if state[m]['RegistrationState'] != 'Registered'] == [stuck]
    assert {tuple(daas.tag_names_of(m)) for m in ids if m != stuck} == {('DrainReboot-r1-rebooted',)}
    # The writes went through $batch: maintenance mode, tags, messages, log-offs and reboots as batch items.
    assert sim.stats.items(route='daas.power.reboot') == 200 and sim.stats.count(route='daas.power.reboot') == 0
    assert sim.stats.count(route='daas.machine.update') == sim.stats.count(route='daas.machine_tags.set') == 0
    assert sim.stats.count(route='daas.session.message') == sim.stats.count(route='daas.session.logoff') == 0
