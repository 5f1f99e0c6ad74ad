"""Catalogs and delivery groups through real ansible-playbook runs: the info modules (counts, allocation,
provisioning, tags, filters) in a constant number of requests, and citrix_daas_delivery_group_machine
(check mode, --diff, one DoAddMachines per task, removal, second run)."""

from tests.integration.daas.support import task_play, tasks_play


def test_catalog_group_and_site_info_read_tags_per_tag_not_per_object(make_sim, run_playbook):
    sim = make_sim(size=200)
    daas = sim.service('daas')
    daas.tag_objects('Finance', catalogs=['Finance-Static'], groups=['Finance Desktops'])
    daas.tag_objects('Persistent', catalogs=['Finance-Static', 'Dev-Persistent'], groups=['Developers'])
    daas.tag_objects('Pilot', machines=daas.machines_of('Win11-Pooled')[:3])  # on machines only: not read here
    play = tasks_play(
        ('catalogs', 'citrix_daas_catalog_info', {}),
        ('tagged catalogs', 'citrix_daas_catalog_info', {'tag': ['persistent']}),
        ('groups', 'citrix_daas_delivery_group_info', {'include_catalogs': True}),
        ('named group', 'citrix_daas_delivery_group_info', {'name': ['finance desktops']}),
        ('site', 'citrix_daas_site_info', {}),
    )
    run = run_playbook(play, env=sim.client_env(), check=True)
    assert run.rc == 0, run
    assert sim.stats.writes() == 0

    catalogs = {c['name']: c for c in run.task('catalogs')['result']['catalogs']}
    assert len(catalogs) == 5
    finance = catalogs['Finance-Static']
    members = [daas.machine(m) for m in daas.machines_of('Finance-Static')]
    assert (finance['allocation_type'], finance['provisioning_type'], finance['session_support']) == (
        'Static', 'MCS', 'SingleSession')
    assert finance['machine_count'] == len(members) == 40 and finance['used_count'] == 40
    assert finance['assigned_count'] == sum(1 for m in members if m['AssignedUsers']) > 0
    assert finance['tags'] == ['Finance', 'Persistent'] and catalogs['Win11-Pooled']['tags'] == []
    assert catalogs['Dev-Persistent']['provisioning_type'] == 'Manual'
    assert sorted(c['name'] for c in run.task('tagged catalogs')['result']['catalogs']) == [
        'Dev-Persistent', 'Finance-Static']

    groups = {g['name']: g for g in run.task('groups')['result']['delivery_groups']}
    apps = groups['Published Apps']
    site = daas.site()
    app_sessions = [s for s in site.sessions.values() if daas.group_of(s['Machine']) == 'Published Apps']
    assert (apps['session_support'], apps['allocation_type'], apps['machine_count']) == ('MultiSession', 'Random', 50)
    assert apps['session_count'] == len(app_sessions)
    assert groups['Finance Desktops']['allocation_type'] == 'Static'
    assert groups['Finance Desktops']['tags'] == ['Finance'] and groups['Developers']['tags'] == ['Persistent']
    assert groups['Developers']['catalogs'] == [{'id': catalogs['Dev-Persistent']['id'], 'name': 'Dev-Persistent',
                                                 'allocation_type': 'Static', 'provisioning_type': 'Manual'}]
    assert [g['name'] for g in run.task('named group')['result']['delivery_groups']] == ['Finance Desktops']
    assert run.task('site')['result']['customers'][0]['sites'] == [{'id': site.id, 'name': 'cloudxdsite'}]

    # Tags are read once per tag in use on such objects, whatever the number of catalogs and groups.
    assert sim.stats.count(route='daas.tags.list') == 4
    assert sim.stats.count(route='daas.tag_catalogs.list') == 2 * 2
    assert sim.stats.count(route='daas.tag_groups.list') == 2 * 2
    assert sim.stats.count(route='daas.group_catalogs.list') == 5  # include_catalogs: one per group
    assert sim.stats.count(route='daas.catalogs.list') == 2 and sim.stats.count(route='daas.groups.list') == 2


def test_delivery_group_membership_check_mode_diff_one_add_request_and_second_run(sim, run_playbook):
    daas = sim.service('daas')
    pool = daas.add_catalog('Pool', 12)
    daas.add_group('Pool Desktops')
    personal = daas.add_catalog('Personal', 3, allocation='Static')
    daas.add_group('Personal Desktops', sharing='Private')
    win11 = [daas.machine(m)['Name'] for m in daas.machines_of('Win11-Pooled')[:2]]
    play = tasks_play(
        ('count', 'citrix_daas_delivery_group_machine', {
            'delivery_group': 'Pool Desktops', 'catalog': 'Pool', 'count': 10}),
        ('assigned', 'citrix_daas_delivery_group_machine', {
            'delivery_group': 'Personal Desktops', 'catalog': 'Personal', 'machines': [
                {'name': 'SIMLAB\\PERSON-00001', 'users': ['SIMLAB\\alice']},
                {'name': 'PERSON-00002', 'users': ['bob@simlab.example.com']}]}),
        ('out', 'citrix_daas_delivery_group_machine', {
            'delivery_group': 'Win11 Desktops', 'state': 'absent', 'names': win11 + ['SIMLAB\\NOT-THERE']}),
    )
    env = sim.client_env()

    check = run_playbook(play, env=env, check=True, diff=True)
    assert check.rc == 0, check
    assert sim.stats.writes() == 0
    planned = check.task('count')['result']
    assert planned['changed'] is True and planned['counts']['changed'] == 10
    assert check.task('assigned')['result']['diff']['after'] == {'delivery_group': {
        'SIMLAB\\PERSON-00001': 'Personal Desktops', 'SIMLAB\\PERSON-00002': 'Personal Desktops'}}
    assert check.task('out')['result']['counts'] == {'changed': 2, 'unchanged': 1, 'skipped': 0, 'failed': 0}
    assert 'delivery_group' in check.output  # rendered by --diff

    first = run_playbook(play, env=env)
    assert first.rc == 0, first
    assert sim.stats.writes(route='daas.group_machines.add') == 2  # one DoAddMachines per task, 10 machines or 2
    assert sim.stats.writes(route='daas.group_machines.remove') == 2
    assert sim.stats.items(route='daas.group_machines.remove') == 2 and sim.stats.count(route='daas.batch') == 1
    in_pool = [m for m in pool['machine_ids'] if daas.group_of(m) == 'Pool Desktops']
    assert len(in_pool) == 10
    assert sorted(i['id'] for i in first.task('count')['result']['machines']) == sorted(in_pool)
    assert [daas.machine(m)['AssignedUsers'][0]['Name'] for m in personal['machine_ids'][:2]] == [
        'SIMLAB\\alice', 'SIMLAB\\bob']
    assert daas.group_of(personal['machine_ids'][2]) is None
    assert [daas.group_of(name) for name in win11] == [None, None]

    second = run_playbook(play, env=env)
    assert second.rc == 0, second
    assert [second.task(t)['result']['changed'] for t in ('count', 'assigned', 'out')] == [False, False, False]
    assert sim.stats.writes() == 4
    more = run_playbook(task_play('citrix_daas_delivery_group_machine', {
        'delivery_group': 'Pool Desktops', 'catalog': 'Pool', 'count': 13}, name='too many'), env=env)
    assert more.rc != 0
    assert more.task('too many')['result']['msg'] == (
        'Cannot add 3 machines of catalog "Pool" to delivery group "Pool Desktops": only 2 of its machines are in '
        'no delivery group; lower count, or add machines to the catalog first')
    assert sim.stats.writes() == 4
