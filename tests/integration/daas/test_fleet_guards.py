"""Blast-radius guards of the DaaS fleet modules (citrix_daas_machine_power, citrix_daas_machine,
citrix_daas_session) and the daas_reboot_idle role through real ansible-playbook runs: an empty or missing target
fails in one line before any request; acting on the whole site takes ``all_targets: true``; ``max_targets``
refuses before any write. xenserver/test_migrate_guards.py does the same for xenserver_vm_migrate, and
test_bad_input.py runs the cases one by one, in-process, for the reliability report."""

from tests.integration.daas.support import FAST_CLOCK, power_requests, role_play
from tests.integration.fleet_support import assert_refused, empty_refusal, play_of

MACHINES_EMPTY = empty_refusal('machine', 'site')
SESSIONS_EMPTY = empty_refusal('session', 'site')
POWER = 'opencitrix.automation.citrix_daas_machine_power'
MAINTENANCE = 'opencitrix.automation.citrix_daas_machine'
SESSION = 'opencitrix.automation.citrix_daas_session'

# (task name, module, arguments, the one-line message); ``empty`` is a play variable holding "".
DAAS_REFUSED = [
    ('power, name from an empty variable', POWER, {'name': '{{ empty }}', 'state': 'stopped'},
     'name is empty; ' + MACHINES_EMPTY),
    ('power, names with an empty entry', POWER, {'names': ['{{ empty }}'], 'state': 'stopped'},
     'names contains an empty entry; ' + MACHINES_EMPTY),
    ('power, empty catalog', POWER, {'catalog': '', 'state': 'stopped'}, 'catalog is empty; ' + MACHINES_EMPTY),
    ('power, no machine_ids', POWER, {'machine_ids': [], 'state': 'stopped'},
     'machine_ids is an empty list; ' + MACHINES_EMPTY),
    ('power, no target', POWER, {'state': 'stopped'},
     'No machine named; set name, names, machine_ids, catalog, delivery_group or tag, or all_targets: true to act '
     'on every machine of the site'),
    ('power, all_targets and a catalog', POWER, {'catalog': 'Win11-Pooled', 'all_targets': True, 'state': 'stopped'},
     'all_targets: true contradicts catalog; name the machines to act on, or set all_targets: true for every '
     'machine of the site, not both'),
    ('maintenance, no names', MAINTENANCE, {'names': [], 'maintenance_mode': True},
     'names is an empty list; ' + MACHINES_EMPTY),
    ('maintenance, no target', MAINTENANCE, {'maintenance_mode': True},
     'No machine named; set name, names, machine_ids, catalog, delivery_group or tag, or all_targets: true to act '
     'on every machine of the site'),
    ('sessions, no machine', SESSION, {'machine': [], 'state': 'logged_off'},
     'machine is an empty list; ' + SESSIONS_EMPTY),
    ('sessions, no session_ids', SESSION, {'session_ids': [], 'state': 'logged_off'},
     'session_ids is an empty list; ' + SESSIONS_EMPTY),
    ('sessions, user from an empty variable', SESSION, {'user': ['{{ empty }}'], 'state': 'disconnected'},
     'user contains an empty entry; ' + SESSIONS_EMPTY),
    ('sessions, no target', SESSION, {'state': 'logged_off'},
     'No session named; set session_ids, user or machine, or all_targets: true to act on every session of the site'),
    ('power, max_targets 0', POWER, {'catalog': 'Win11-Pooled', 'state': 'stopped', 'max_targets': 0},
     'max_targets must be at least 1, got 0; leave it unset for no limit'),
]


def daas_state(daas):
    site = daas.site()
    return ({m['Id']: (m['PowerState'], m['InMaintenanceMode']) for m in site.machines.values()},
            sorted(site.sessions))


def test_empty_or_missing_daas_targets_fail_before_any_request(sim, run_playbook):
    daas = sim.service('daas')
    before = daas_state(daas)
    assert len(before[0]) == 100 and len(before[1]) == 66
    sim.reset()
    run = run_playbook(play_of(DAAS_REFUSED), env=sim.client_env())
    assert run.rc == 0, run
    assert_refused(run, DAAS_REFUSED)
    # Not one request, not even the Cloud token or the site lookup.
    assert sim.stats.count() == 0
    assert sim.stats.count(service='daas') == 0 and sim.stats.count(service='cloud') == 0
    assert daas_state(daas) == before and daas.power_log == []


def test_max_targets_refuses_before_any_write(sim, run_playbook):
    daas = sim.service('daas')
    catalog = daas.add_catalog('Guarded', 6, delivery_group='Guarded Desktops', session_support='MultiSession')
    for machine_id in catalog['machine_ids']:
        daas.add_session(machine_id, user='SIMLAB\\guarded')
    before = daas_state(daas)
    cases = [
        ('power, 6 of a catalog over 5', POWER, {'catalog': 'Guarded', 'state': 'restarted', 'max_targets': 5},
         '6 machines would change, more than max_targets (5)'),
        ('power, the whole site over 5', POWER, {'all_targets': True, 'state': 'stopped', 'max_targets': 5},
         'machines would change, more than max_targets (5)'),
        ('maintenance, 6 over 2', MAINTENANCE, {'delivery_group': 'Guarded Desktops', 'maintenance_mode': True,
                                                'max_targets': 2}, '6 machines would change, more than max_targets (2)'),
        ('sessions, 6 over 3', SESSION, {'user': ['SIMLAB\\guarded'], 'state': 'logged_off', 'max_targets': 3},
         '6 sessions would change, more than max_targets (3)'),
        ('sessions, the whole site over 1', SESSION, {'all_targets': True, 'state': 'disconnected', 'max_targets': 1},
         'sessions would change, more than max_targets (1)'),
    ]
    sim.reset()
    run = run_playbook(play_of(cases), env=sim.client_env())
    assert run.rc == 0, run
    for name, _module, _args, fragment in cases:
        task = run.task(name)
        msg = task['result']['msg']
        assert task['status'] == 'failed' and fragment in msg and '\n' not in msg, (name, task)
        assert msg.endswith('; nothing was changed; narrow the targets or raise max_targets'), msg
    assert 'SIMLAB\\GUARD' in run.task('power, 6 of a catalog over 5')['result']['msg']  # names what would change
    assert sim.stats.writes() == 0 and power_requests(sim) == 0
    assert sim.stats.count(route='daas.catalog_machines.list') == 1  # the reads that resolve the targets were made
    assert daas_state(daas) == before

    # Within the limit, the same task acts (the count is the machines that would change, here 6).
    within = run_playbook([{'name': 'within', 'hosts': 'targets', 'gather_facts': False, 'tasks': [
        {'name': 'drain', MAINTENANCE: {'catalog': 'Guarded', 'maintenance_mode': True, 'max_targets': 6}}]}],
        env=sim.client_env())
    assert within.rc == 0, within
    assert within.task('drain')['result']['counts']['changed'] == 6 and sim.stats.writes() == 6


def test_all_targets_acts_on_the_whole_site(make_sim, run_playbook):
    sim = make_sim(time_scale=FAST_CLOCK)
    daas = sim.service('daas')
    site = daas.site()
    machines, sessions = len(site.machines), len(site.sessions)
    draining = [m for m in site.machines.values() if not m['InMaintenanceMode']]
    assert machines == 100 and sessions == 66 and len(draining) > 90
    plays = [{'name': 'whole site', 'hosts': 'targets', 'gather_facts': False, 'tasks': [
        {'name': 'log everyone off', SESSION: {'all_targets': True, 'state': 'logged_off'}},
        {'name': 'plan a shutdown', POWER: {'all_targets': True, 'state': 'stopped'}, 'check_mode': True},
        {'name': 'drain', MAINTENANCE: {'all_targets': True, 'maintenance_mode': True}},
    ]}]
    sim.reset()
    run = run_playbook(plays, env=sim.client_env())
    assert run.rc == 0, run
    logoff = run.task('log everyone off')['result']
    assert logoff['counts']['changed'] == sessions and sim.stats.writes(route='daas.session.logoff') == sessions
    assert site.sessions == {}
    plan = run.task('plan a shutdown')['result']
    assert plan['counts']['targeted'] == machines and len(plan['machines']) == machines and power_requests(sim) == 0
    drain = run.task('drain')['result']
    assert len(drain['machines']) == machines and drain['counts']['changed'] == len(draining)
    assert sim.stats.writes(route='daas.machine.update') == len(draining)
    assert all(m['InMaintenanceMode'] for m in site.machines.values())
    assert sim.stats.count(route='daas.machines.list') == 2  # the site's 100 machines, one page per task


def test_reboot_idle_role_refuses_empty_variables_and_more_than_max_targets(make_sim, run_playbook):
    sim = make_sim(time_scale=FAST_CLOCK)
    daas = sim.service('daas')
    catalog = daas.add_catalog('Idle-12', 12, delivery_group='Idle Desktops')
    daas.set_sessions('Idle-12', 5)
    env = sim.client_env()

    sim.reset()
    empty = run_playbook(role_play(daas_reboot_idle_catalog='{{ empty_catalog }}', daas_reboot_idle_delivery_group='  ',
                                   empty_catalog=''), env=env)
    assert empty.rc != 0
    msg = empty.task('opencitrix.automation.daas_reboot_idle : Check that a catalog or a delivery group is named')[
        'result']['msg']
    assert msg == ('Set daas_reboot_idle_catalog and/or daas_reboot_idle_delivery_group (both are empty; an empty '
                   'catalog or delivery group never means every machine of the site).')
    assert sim.stats.count() == 0

    over = run_playbook(role_play(daas_reboot_idle_catalog='Idle-12', daas_reboot_idle_max_targets=6), env=env)
    assert over.rc != 0
    failed = over.task('opencitrix.automation.daas_reboot_idle : Fail when machines could not be rebooted')
    assert failed['result']['msg'].startswith('7 machines would change, more than max_targets (6): ')
    assert power_requests(sim) == 0 and sim.stats.writes() == 0

    # A blank catalog beside a delivery group counts as not set: the group's idle machines are rebooted.
    within = run_playbook(role_play(daas_reboot_idle_catalog=' ', daas_reboot_idle_delivery_group='Idle Desktops',
                                    daas_reboot_idle_max_targets=7, daas_reboot_idle_wait=False), env=env)
    assert within.rc == 0, within
    assert power_requests(sim) == 7 and {e['machine_id'] for e in daas.power_log} <= set(catalog['machine_ids'])


def test_drain_reboot_role_refuses_no_target_and_more_than_max_targets_before_any_change(make_sim, run_playbook):
    """Three role runs in one play (each in a block that rescues its failure): no target at all (blank variables)
    stops before any request; a delivery group of 12 with daas_drain_reboot_max_targets 6, and the whole site
    (all_targets) with 10, stop after reading the machines, before any write."""
    sim = make_sim()
    daas = sim.service('daas')
    daas.add_catalog('Drain-12', 12, delivery_group='Drain Desktops')
    role = 'opencitrix.automation.daas_drain_reboot'
    cases = [('blank', {'daas_drain_reboot_delivery_group': ' ', 'daas_drain_reboot_catalog': '{{ empty }}'}),
             ('over', {'daas_drain_reboot_delivery_group': 'Drain Desktops', 'daas_drain_reboot_max_targets': 6}),
             ('site', {'daas_drain_reboot_all_targets': True, 'daas_drain_reboot_max_targets': 10})]
    tasks = [{'name': name, 'block': [{'name': 'role ' + name, 'ansible.builtin.include_role': {'name': role},
                                       'vars': role_vars}],
              'rescue': [{'name': 'refused ' + name, 'ansible.builtin.set_fact': {'refused_' + name: True}}]}
             for name, role_vars in cases]
    sim.reset()
    run = run_playbook([{'name': 'guards', 'hosts': 'targets', 'gather_facts': False, 'vars': {'empty': ''},
                         'tasks': tasks}], env=sim.client_env())
    assert run.rc == 0, run
    messages = [r['result'].get('msg') for r in run.results if r['status'] == 'failed']
    assert messages == [
        'Set daas_drain_reboot_delivery_group, daas_drain_reboot_catalog and/or daas_drain_reboot_tag (all are empty; '
        'an empty target never means every machine of the site, which takes daas_drain_reboot_all_targets: true).',
        '12 machines would be rebooted, more than daas_drain_reboot_max_targets (6); nothing was changed. Narrow the '
        'target, or raise the limit.',
        '%d machines would be rebooted, more than daas_drain_reboot_max_targets (10); nothing was changed. Narrow the '
        'target, or raise the limit.' % len([m for m in daas.site().machines.values()
                                             if m['PowerState'] == 'On' and not m['InMaintenanceMode']
                                             and 'Restart' in m['SupportedPowerActions']
                                             and not m['PowerActionPending']])]
    assert sim.stats.writes() == 0
    assert sim.stats.count(route='daas.group_machines.list') == 1 and sim.stats.count(route='daas.machines.list') == 1
