"""citrix_daas_session_message and the full session record of citrix_daas_session_info through real
ansible-playbook runs; the simulator's users who log off after a message."""

from tests.integration.daas.support import tasks_play


def test_message_check_mode_sends_nothing_and_every_run_acts(sim, run_playbook):
    daas = sim.service('daas')
    daas.add_catalog('Msg', 4, delivery_group='Msg Desktops')
    busy = daas.set_sessions('Msg', 3)
    reached = sorted(s['Id'] for s in daas.site().sessions.values() if s['Machine'] in busy)
    play = tasks_play(('warn', 'citrix_daas_session_message', {
        'delivery_group': ['msg desktops'], 'title': 'Restart at 22:00', 'text': 'Please save your work.',
        'style': 'Exclamation'}))
    env = sim.client_env()

    check = run_playbook(play, env=env, check=True)
    assert check.rc == 0, check
    assert sim.stats.writes() == 0 and daas.messages == []
    planned = check.task('warn')['result']
    assert planned['changed'] is True and sorted(s['id'] for s in planned['sessions']) == reached

    for run_number in (1, 2):  # it always acts: the second run messages the users again
        run = run_playbook(play, env=env)
        assert run.rc == 0, run
        assert run.task('warn')['result']['changed'] is True
        assert sim.stats.writes(route='daas.session.message') == 3 * run_number
        assert sim.stats.count(route='daas.batch') == run_number  # the three messages in one $batch
    assert sorted(m['session_id'] for m in daas.messages) == sorted(reached * 2)
    assert {(m['title'], m['text'], m['style']) for m in daas.messages} == {
        ('Restart at 22:00', 'Please save your work.', 'Exclamation')}

    info = run_playbook(tasks_play(
        ('full', 'citrix_daas_session_info', {'machine': [daas.machine(busy[0])['Name']]}),
        ('chosen', 'citrix_daas_session_info', {'fields': ['client_platform', 'smart_access_tags']})), env=env)
    assert info.rc == 0, info
    full = info.task('full')['result']['sessions'][0]
    assert full['delivery_group'] == 'Msg Desktops' and full['launched_via_host_name'] == 'storefront.simlab.example.com'
    assert full['client_platform'] and full['client_version'] and 'applications_in_use' in full
    chosen = info.task('chosen')['result']['sessions']
    assert chosen and all(set(s) == {'id', 'client_platform', 'smart_access_tags'} for s in chosen)
    assert any(s['smart_access_tags'] == ['CorpGateway:ManagedDevice'] for s in chosen)


def test_simulated_users_log_off_after_a_message(sim):
    from ansible_collections.opencitrix.automation.plugins.module_utils.daas.sessions import Sessions
    from tests.integration.daas.support import cloud_client
    daas = sim.service('daas')
    for name in ('Quit', 'Stay'):
        daas.add_catalog(name, 5)
        daas.set_sessions(name, 5)
    sessions = Sessions(cloud_client(sim))

    def of(catalog):
        return [s for s in sessions.list() if s['Machine']['Name'].startswith('SIMLAB\\' + catalog.upper())]
    daas.set_behaviour(message_logoff={'share': 1.0, 'after': [60, 120]})
    sessions.apply_message(of('Quit'), 'Bye')
    daas.set_behaviour(message_logoff={'share': 0.0})
    sessions.apply_message(of('Stay'), 'Bye')
    assert len(daas.messages) == 10
    sim.clock.advance(50)
    assert (len(of('Quit')), len(of('Stay'))) == (5, 5)  # nobody has left yet
    sim.clock.advance(80)
    assert (len(of('Quit')), len(of('Stay'))) == (0, 5)
