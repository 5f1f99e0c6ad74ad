"""Machine tags (citrix_daas_machine) and user assignment (citrix_daas_machine_assignment) through real
ansible-playbook runs: check mode, --diff, the writes of a real run, and a second run that sends none."""

from tests.integration.daas.support import tasks_play


def test_tags_maintenance_and_assignments_check_diff_apply_second_run(sim, run_playbook):
    daas = sim.service('daas')
    ring = daas.add_catalog('Ring', 5, delivery_group='Ring Desktops')
    owned = daas.add_catalog('Owned', 3, delivery_group='Owned Desktops', allocation='Static')
    daas.tag_objects('Legacy', machines=owned['machine_ids'])
    daas.assign_users(owned['machine_ids'][0], ['SIMLAB\\dave'])
    play = tasks_play(
        ('drain and tag', 'citrix_daas_machine', {
            'delivery_group': 'Ring Desktops', 'maintenance_mode': True, 'tags': ['Ring1', 'Pilot']}),
        ('exact tags', 'citrix_daas_machine', {'catalog': 'Owned', 'tags': ['Finance'], 'tags_state': 'exact'}),
        ('one owner', 'citrix_daas_machine_assignment', {'catalog': 'Owned', 'state': 'exact', 'assignments': [
            {'machine': 'OWNED-00001', 'users': ['alice@simlab.example.com']}]}),
        ('add a user', 'citrix_daas_machine_assignment', {'names': ['SIMLAB\\OWNED-00002'], 'users': ['SIMLAB\\erin']}),
    )
    env = sim.client_env()

    check = run_playbook(play, env=env, check=True, diff=True)
    assert check.rc == 0, check
    assert sim.stats.writes() == 0
    drain = check.task('drain and tag')['result']
    assert drain['tags_created'] == ['Ring1', 'Pilot'] and drain['counts']['changed'] == 5
    first_ring = daas.machine(ring['machine_ids'][0])['Name']
    assert drain['diff']['before']['tags'][first_ring] == [] and drain['diff']['after']['tags'][first_ring] == [
        'Ring1', 'Pilot']
    assert drain['diff']['after']['in_maintenance_mode'][first_ring] is True
    assert check.task('one owner')['result']['diff'] == {'before': {'users': {'SIMLAB\\OWNED-00001': ['SIMLAB\\dave']}},
                                                         'after': {'users': {'SIMLAB\\OWNED-00001': [
                                                             'alice@simlab.example.com']}}}

    first = run_playbook(play, env=env)
    assert first.rc == 0, first
    assert sim.stats.writes(route='daas.tag.create') == 3  # Ring1, Pilot, Finance: once each
    assert sim.stats.writes(route='daas.machine_tags.set') == 5 + 3  # one PUT per machine...
    assert sim.stats.writes(route='daas.machine.update') == 5 + 2  # maintenance mode, two assignments
    # ...each an item of a $batch: tags then maintenance mode of the ring, the exact tags, two assignments
    assert sim.stats.items(route='daas.machine_tags.set') == 8 and sim.stats.items(route='daas.machine.update') == 7
    assert sim.stats.count(route='daas.batch') == 5
    assert sim.stats.count(route='daas.machine_tags.set') == sim.stats.count(route='daas.machine.update') == 0
    assert [daas.tag_names_of(m) for m in ring['machine_ids']] == [['Ring1', 'Pilot']] * 5
    assert [daas.tag_names_of(m) for m in owned['machine_ids']] == [['Finance']] * 3
    assert all(daas.machine(m)['InMaintenanceMode'] for m in ring['machine_ids'])
    assert [[u['Name'] for u in daas.machine(m)['AssignedUsers']] for m in owned['machine_ids']] == [
        ['SIMLAB\\alice'], ['SIMLAB\\erin'], []]
    writes = sim.stats.writes()

    second = run_playbook(play, env=env)
    assert second.rc == 0, second
    assert [second.task(t)['result']['changed'] for t in ('drain and tag', 'exact tags', 'one owner', 'add a user')] == [
        False] * 4
    assert sim.stats.writes() == writes

    pooled = run_playbook(tasks_play(('by tag', 'citrix_daas_machine_info', {'tag': 'Ring1'}),
                                     ('pooled', 'citrix_daas_machine_assignment', {
                                         'names': [first_ring], 'users': ['SIMLAB\\frank']})), env=env)
    assert pooled.rc != 0
    tagged = pooled.task('by tag')['result']['machines']
    assert sorted(m['id'] for m in tagged) == sorted(ring['machine_ids']) and tagged[0]['tags'] == ['Pilot', 'Ring1']
    assert sim.stats.count(route='daas.tag_machines.list') == 1
    assert pooled.task('pooled')['result']['msg'] == (
        'User assignment failed for 1 of 1: %s: not a personal desktop: its catalog allocates machines at random '
        '(AllocationType Random), so users cannot be assigned to it' % first_ring)
    assert sim.stats.writes() == writes


def test_day2_writes_fall_back_without_batch_and_lost_answers_never_act_twice(make_sim):
    """In-process: a site that answers $batch with 405 gets one request per object (one attempt and one
    warning per task, even with tags and maintenance mode in one task), as batch=False does; a lost batch
    answer is resolved from the machines (tags) or, for messages, which leave no trace, fails unrepeated."""
    from ansible_collections.opencitrix.automation.plugins.module_utils.daas.assignments import (
        ASSIGNMENT_FIELDS, apply_assignments,
    )
    from ansible_collections.opencitrix.automation.plugins.module_utils.daas.delivery_groups import DeliveryGroups
    from ansible_collections.opencitrix.automation.plugins.module_utils.daas.machines import Machines
    from ansible_collections.opencitrix.automation.plugins.module_utils.daas.sessions import Sessions
    from tests.integration.daas.support import cloud_client
    sim = make_sim()
    daas = sim.service('daas')
    ids = daas.add_catalog('Old', 4, delivery_group='Old Desktops', allocation='Static')['machine_ids']
    daas.set_sessions('Old', 2)
    client = cloud_client(sim, sleep=lambda s: None)
    machines = Machines(client)

    sim.faults.add('status', route='daas.batch', status=405, times=-1)
    fleet = machines.apply_settings(machines.find(catalog='Old'), maintenance_mode=True, tags=['Old'])
    assert fleet.counts()['changed'] == 4 and not fleet.failed
    assert fleet.warnings == ['This site does not accept $batch (HTTP 405), so one request per object was sent '
                              'instead, 25 at a time; set batch: false to skip the attempt']
    assert sim.stats.count(route='daas.batch') == 1  # tried once, for the tags; maintenance mode went direct
    assert sim.stats.count(route='daas.machine_tags.set') == sim.stats.count(route='daas.machine.update') == 4
    sim.reset()
    users = apply_assignments(client, machines.find(catalog='Old', fields=ASSIGNMENT_FIELDS),
                              [(m, ['SIMLAB\\gina']) for m in ids], 'exact', batch=False)
    sent = Sessions(client).apply_message(Sessions(client).find(machines=[daas.machine(m)['Name'] for m in ids])[0],
                                          'Hello', batch=False)
    out = DeliveryGroups(client).ensure_absent('Old Desktops', all_targets=True, batch=False)
    assert [f.counts()['changed'] for f in (users, sent, out)] == [4, 2, 4]
    assert sim.stats.count(route='daas.batch') == 0 and sim.stats.items() == 0
    assert (sim.stats.count(route='daas.machine.update'), sim.stats.count(route='daas.session.message'),
            sim.stats.count(route='daas.group_machines.remove')) == (4, 2, 4)

    sim.reset()
    sim.faults.add('lost_answer', route='daas.batch', times=2)
    tags = machines.apply_settings(machines.find(catalog='Old'), tags=['New'], tags_state='exact')
    assert tags.counts()['changed'] == 4 and not tags.failed
    assert sim.stats.items(route='daas.machine_tags.set') == 4 and sim.stats.count(route='daas.batch') == 1
    messages = len(daas.messages)
    lost = Sessions(client).apply_message(Sessions(client).find(machines=[daas.machine(m)['Name'] for m in ids])[0],
                                          'Twice?')
    assert lost.counts()['failed'] == 2 and len(daas.messages) == messages + 2  # seen once each, not sent again
    assert 'Could not confirm that the site carried out "send a message to session' in lost.failure_message()
