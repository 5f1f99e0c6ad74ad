"""citrix_daas_session_info and citrix_daas_session through real ansible-playbook runs."""

from tests.integration.daas.support import task_play


def sessions_of(daas, state=None):
    return [s for s in daas.site().sessions.values() if state is None or s['State'] == state]


def test_session_info_reads_every_page_and_filters(make_sim, run_playbook):
    sim = make_sim(size=2400)
    daas = sim.service('daas')
    total = len(sessions_of(daas))
    assert 1000 < total <= 2000  # two pages
    some = sessions_of(daas, 'Disconnected')[0]
    machine = daas.site().machines[some['Machine']]
    play = [{'name': 'sessions', 'hosts': 'targets', 'gather_facts': False, 'tasks': [
        {'name': 'all', 'opencitrix.automation.citrix_daas_session_info': {}},
        {'name': 'disconnected', 'opencitrix.automation.citrix_daas_session_info': {'state': ['Disconnected']}},
        {'name': 'user', 'opencitrix.automation.citrix_daas_session_info': {
            'user': [some['User'].split('\\')[1].upper()]}},
        {'name': 'machine', 'opencitrix.automation.citrix_daas_session_info': {'machine': [machine['Name']]}},
    ]}]
    run = run_playbook(play, env=sim.client_env())
    assert run.rc == 0, run
    everything = run.task('all')['result']['sessions']
    assert len(everything) == total and len({s['id'] for s in everything}) == total
    assert sim.stats.count(route='daas.sessions.list') == 3 * 2  # three listings of two pages
    assert sim.stats.count(route='daas.machine.sessions') == 1  # the machine filter reads one machine
    disconnected = run.task('disconnected')['result']['sessions']
    assert {s['state'] for s in disconnected} == {'Disconnected'}
    assert len(disconnected) == len(sessions_of(daas, 'Disconnected'))
    by_user = run.task('user')['result']['sessions']
    assert some['Id'] in [s['id'] for s in by_user] and {s['user'] for s in by_user} == {some['User']}
    by_machine = run.task('machine')['result']['sessions']
    assert sorted(s['id'] for s in by_machine) == sorted(machine['_sessions'])
    record = next(s for s in everything if s['id'] == some['Id'])
    assert record['machine'] == machine['Name'] and record['catalog'] and record['user_principal_name']


def test_log_off_a_user_check_mode_diff_and_idempotence(sim, run_playbook):
    daas = sim.service('daas')
    catalog = daas.add_catalog('Shared', 3, session_support='MultiSession')
    for machine_id in catalog['machine_ids']:
        daas.add_session(machine_id, user='SIMLAB\\leaver')
    leaver = [s['Id'] for s in sessions_of(daas) if s['User'] == 'SIMLAB\\leaver']
    assert len(leaver) == 3
    play = task_play('citrix_daas_session', {'user': ['SIMLAB\\leaver'], 'state': 'logged_off'}, name='logoff')
    env = sim.client_env()

    check = run_playbook(play, env=env, check=True, diff=True)
    assert check.rc == 0, check
    assert sim.stats.writes() == 0
    assert check.task('logoff')['result']['changed'] is True
    assert sorted(check.task('logoff')['result']['diff']['before']) == sorted(leaver)

    run = run_playbook(play, env=env)
    assert run.rc == 0, run
    assert sim.stats.writes(route='daas.session.logoff') == 3
    assert sim.stats.count(route='daas.batch') == 1 and sim.stats.count(route='daas.session.logoff') == 0
    assert not [s for s in sessions_of(daas) if s['User'] == 'SIMLAB\\leaver']
    assert {daas.machine(m)['SessionCount'] for m in catalog['machine_ids']} == {0}
    # Each session's result names the transaction id of the $batch that logged it off.
    batch = [e['response_headers']['Citrix-TransactionId'] for e in sim.exchanges if e['route'] == 'daas.batch']
    assert len(batch) == 1 and {s['transaction_id'] for s in run.task('logoff')['result']['sessions']} == set(batch)

    again = run_playbook(play, env=env)
    assert again.rc == 0, again
    assert again.task('logoff')['result']['changed'] is False
    assert sim.stats.writes(route='daas.session.logoff') == 3

    by_id = run_playbook(task_play('citrix_daas_session', {'session_ids': leaver[:1], 'state': 'logged_off'},
                                   name='by id'), env=env)
    assert by_id.rc == 0, by_id
    assert by_id.task('by id')['result']['already_gone'] == leaver[:1]
    assert by_id.task('by id')['result']['changed'] is False


def test_disconnect_on_a_machine_is_idempotent(sim, run_playbook):
    daas = sim.service('daas')
    catalog = daas.add_catalog('Kiosk', 1, session_support='MultiSession')
    machine = daas.machine(catalog['machine_ids'][0])
    for state in ('Active', 'Active', 'Disconnected'):
        daas.add_session(machine['Id'], state=state)
    play = task_play('citrix_daas_session', {'machine': [machine['Name']], 'state': 'disconnected'}, name='disconnect')
    run = run_playbook(play, env=sim.client_env())
    assert run.rc == 0, run
    result = run.task('disconnect')['result']
    assert result['counts'] == {'changed': 2, 'unchanged': 1, 'skipped': 0, 'failed': 0}
    assert sim.stats.items(route='daas.session.disconnect') == 2 == sim.stats.writes(route='daas.session.disconnect')
    assert sim.stats.count(route='daas.batch') == 1
    assert {s['State'] for s in sessions_of(daas) if s['Machine'] == machine['Id']} == {'Disconnected'}
    again = run_playbook(play, env=sim.client_env())
    assert again.task('disconnect')['result']['changed'] is False
    assert sim.stats.writes(route='daas.session.disconnect') == 2
    missing = run_playbook(task_play('citrix_daas_session', {'session_ids': ['0f0f0f0f-0000-4000-8000-000000000000'],
                                                             'state': 'disconnected'}, name='missing'),
                           env=sim.client_env())
    assert missing.rc != 0
    assert missing.task('missing')['result']['msg'] == (
        'Sessions not found, so they cannot be disconnected: 0f0f0f0f-0000-4000-8000-000000000000')
