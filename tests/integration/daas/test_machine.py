"""citrix_daas_machine (maintenance mode) and citrix_daas_machine_info through real ansible-playbook runs."""

from tests.integration.daas.support import task_play


def test_maintenance_mode_check_diff_idempotence_and_back(sim, run_playbook):
    daas = sim.service('daas')
    catalog = daas.add_catalog('Patch', 5, delivery_group='Patch Group')
    daas.update_machine(catalog['machine_ids'][0], InMaintenanceMode=True)
    on = task_play('citrix_daas_machine', {'delivery_group': 'Patch Group', 'maintenance_mode': True}, name='drain')
    env = sim.client_env()

    check = run_playbook(on, env=env, check=True, diff=True)
    assert check.rc == 0, check
    assert sim.stats.writes() == 0 and sim.stats.count(route='daas.machine.update') == 0
    planned = check.task('drain')['result']
    assert planned['changed'] is True and planned['counts']['changed'] == 4
    assert planned['diff']['before']['in_maintenance_mode'] == {
        daas.machine(m)['Name']: False for m in catalog['machine_ids'][1:]}
    assert 'in_maintenance_mode' in check.output  # rendered by --diff

    first = run_playbook(on, env=env)
    assert first.rc == 0, first
    assert sim.stats.writes(route='daas.machine.update') == 4
    # the four PATCHes as items of one $batch, none sent on its own
    assert sim.stats.count(route='daas.batch') == 1 and sim.stats.items(route='daas.machine.update') == 4
    assert sim.stats.count(route='daas.machine.update') == 0
    assert {daas.machine(m)['InMaintenanceMode'] for m in catalog['machine_ids']} == {True}

    second = run_playbook(on, env=env)
    assert second.rc == 0, second
    assert second.task('drain')['result']['changed'] is False
    assert sim.stats.writes(route='daas.machine.update') == 4 and sim.stats.count(route='daas.batch') == 1

    off = run_playbook(task_play('citrix_daas_machine', {'catalog': 'Patch', 'maintenance_mode': False}, name='undrain'),
                       env=env)
    assert off.rc == 0, off
    assert off.task('undrain')['result']['counts']['changed'] == 5
    assert {daas.machine(m)['InMaintenanceMode'] for m in catalog['machine_ids']} == {False}


def test_maintenance_failure_names_the_machine_after_the_others(sim, run_playbook):
    daas = sim.service('daas')
    catalog = daas.add_catalog('Patch', 3)
    victim = daas.machine(catalog['machine_ids'][1])
    sim.faults.add('status', route='daas.machine.update', path=victim['Id'], status=409,
                   body={'SdkErrorId': 'MachineInUse', 'ErrorMessage': 'The machine is being updated by another admin.'})
    run = run_playbook(task_play('citrix_daas_machine', {'catalog': 'Patch', 'maintenance_mode': True}, name='drain'),
                       env=sim.client_env())
    assert run.rc != 0
    msg = run.task('drain')['result']['msg']
    assert msg.startswith('Maintenance mode change failed for 1 of 3: %s: ' % victim['Name'])
    assert 'MachineInUse: The machine is being updated by another admin.' in msg and 'HTTP 409' in msg
    assert sim.stats.writes(route='daas.machine.update') == 2
    assert [daas.machine(m)['InMaintenanceMode'] for m in catalog['machine_ids']] == [True, False, True]


def test_machine_info_filters_in_one_listing(make_sim, run_playbook):
    sim = make_sim(size=1500)
    daas = sim.service('daas')
    site = daas.site()
    expected = [m for m in site.machines.values() if m['_catalog'] == next(
        c['Id'] for c in site.catalogs.values() if c['Name'] == 'Win11-Pooled')]
    idle_registered = [m['Name'] for m in expected
                       if not m['_sessions'] and m['RegistrationState'] == 'Registered' and not m['InMaintenanceMode']]
    play = task_play('citrix_daas_machine_info', {'catalog': 'Win11-Pooled', 'only_idle': True,
                                                  'registration_state': ['Registered'], 'skip_maintenance_mode': True},
                     name='info')
    run = run_playbook(play, env=sim.client_env(), check=True)
    assert run.rc == 0, run
    result = run.task('info')['result']
    assert result['changed'] is False
    assert [m['name'] for m in result['machines']] == idle_registered
    assert result['counts'] == {'found': 600, 'filtered_out': 600 - len(idle_registered),
                                'returned': len(idle_registered)}
    first = result['machines'][0]
    assert first['catalog'] == 'Win11-Pooled' and first['delivery_group'] == 'Win11 Desktops'
    assert first['session_count'] == 0 and first['registration_state'] == 'Registered'
    assert sim.stats.count(route='daas.catalog_machines.list') == 1
    assert sim.stats.writes() == 0


def test_several_sites_fail_with_a_line_that_says_what_to_set(make_sim, run_playbook):
    sim = make_sim(config={'daas': {'sites': ['emea-site', 'amer-site']}})
    run = run_playbook(task_play('citrix_daas_machine_info', {'catalog': 'Win11-Pooled'}, name='info'),
                       env=sim.client_env())
    assert run.rc != 0
    assert run.task('info')['result']['msg'] == (
        'Customer "simcustomer1" has several sites (amer-site, emea-site); set site_name or site_id '
        '(CITRIX_DAAS_SITE_NAME / CITRIX_DAAS_SITE_ID)')
    named = run_playbook(task_play('citrix_daas_machine_info', {'catalog': 'Win11-Pooled'}, name='info'),
                         env=dict(sim.client_env(), CITRIX_DAAS_SITE_NAME='amer-site'))
    assert named.rc == 0, named
    assert {m['name'].split('\\')[0] for m in named.task('info')['result']['machines']} == {'SIMLAB2'}
