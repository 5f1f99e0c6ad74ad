"""citrix_cloud_resource_location(_info) through real ansible-playbook runs, and one module_defaults
group carrying the credentials of every Citrix Cloud module."""

from tests.integration.conftest import CLIENT_SECRET, CUSTOMER_ID

LOCATION = 'opencitrix.automation.citrix_cloud_resource_location'
LOCATION_INFO = 'opencitrix.automation.citrix_cloud_resource_location_info'


def play(*tasks):
    return [{'name': 'resource locations', 'hosts': 'targets', 'gather_facts': False, 'tasks': list(tasks)}]


def locations(sim):
    return {loc['name']: loc for loc in sim.service('cloud_platform').customer_locations(CUSTOMER_ID).values()}


def diff_lines(stdout, sign):
    return [line[1:].strip() for line in stdout.splitlines() if line.startswith(sign) and not line.startswith(sign * 3)]


def test_create_rename_delete_each_idempotent_with_diff(sim, cloud_env, run_playbook):
    def step(args, check=False, verbosity=0):
        writes = sim.stats.writes(service='cloud_platform')
        run = run_playbook(play({'name': 'step', LOCATION: args}), env=cloud_env, check=check, diff=True,
                           verbosity=verbosity)
        assert run.rc == 0, run
        return run, run.task('step')['result'], sim.stats.writes(service='cloud_platform') - writes

    create = {'name': 'London DC', 'time_zone': 'GMT Standard Time', 'internal_only': True}
    run, result, writes = step(create, check=True)
    assert (result['changed'], writes) == (True, 0)
    assert 'London DC' not in locations(sim)

    run, result, writes = step(create, verbosity=4)
    assert (result['changed'], writes) == (True, 1)
    assert CLIENT_SECRET not in run.output and not any(t in run.output for t in sim.service('cloud').tokens)
    created = result['resource_location']
    assert created['name'] == 'London DC' and created['internal_only'] is True and created['id']
    assert locations(sim)['London DC']['id'] == created['id']
    assert result['diff'] == {'before': {}, 'after': created}
    assert '"name": "London DC",' in diff_lines(run.stdout, '+')

    run, result, writes = step(create)
    assert (result['changed'], writes) == (False, 0)
    assert result['diff']['before'] == result['diff']['after'] == created

    rename = {'name': 'London DC', 'new_name': 'London DC 1'}
    run, result, writes = step(rename, check=True)
    assert (result['changed'], writes) == (True, 0)
    run, result, writes = step(rename)
    assert (result['changed'], writes) == (True, 1)
    assert result['resource_location'] == dict(created, name='London DC 1')  # other values kept
    assert '"name": "London DC",' in diff_lines(run.stdout, '-')
    assert '"name": "London DC 1",' in diff_lines(run.stdout, '+')
    run, result, writes = step(rename)
    assert (result['changed'], writes) == (False, 0)

    delete = {'name': 'London DC 1', 'state': 'absent'}
    run, result, writes = step(delete, check=True)
    assert (result['changed'], writes) == (True, 0)
    run, result, writes = step(delete)
    assert (result['changed'], writes) == (True, 1)
    assert result['diff'] == {'before': dict(created, name='London DC 1'), 'after': {}}
    assert result['resource_location'] == {}
    assert 'London DC 1' not in locations(sim)
    run, result, writes = step(delete)
    assert (result['changed'], writes) == (False, 0)
    assert sim.stats.count(route='cloud.token') == 1


def test_info_lists_and_filters_by_name_or_id(sim, cloud_env, run_playbook):
    run = run_playbook(play(
        {'name': 'all', LOCATION_INFO: {}},
        {'name': 'by name', LOCATION_INFO: {'name': 'my resource location'}},
        {'name': 'by id', LOCATION_INFO: {'id': '9e2fda49-c878-4c23-aae1-8ffcbdc2dab2'}},
        {'name': 'unknown id', LOCATION_INFO: {'id': 'no-such-id'}},
    ), env=cloud_env, check=True)
    assert run.rc == 0, run
    everything = run.task('all')['result']
    assert everything['changed'] is False
    assert sorted(everything['names']) == sorted(locations(sim))
    seed = {'id': '9e2fda49-c878-4c23-aae1-8ffcbdc2dab2', 'name': 'My Resource Location', 'internal_only': False,
            'time_zone': 'GMT Standard Time', 'read_only': False}
    assert run.task('by name')['result']['resource_locations'] == [seed]
    assert run.task('by id')['result']['resource_locations'] == [seed]
    assert run.task('unknown id')['result']['resource_locations'] == []
    assert sim.stats.count(route='resource_locations.get') == 2
    assert sim.stats.writes() == 0


def test_failures_are_one_actionable_line(sim, cloud_env, run_playbook):
    managed = [loc for loc in locations(sim).values() if loc['readOnly']][0]['name']
    run = run_playbook(play(
        {'name': 'bad name', LOCATION: {'name': 'Lab|1'}, 'ignore_errors': True},
        {'name': 'managed', LOCATION: {'name': managed, 'state': 'absent'}, 'ignore_errors': True},
        {'name': 'rename nothing', LOCATION: {'name': 'Ghost', 'new_name': 'Ghost 2'}, 'ignore_errors': True},
        {'name': 'rename on absent', LOCATION: {'name': 'Ghost', 'new_name': 'x', 'state': 'absent'},
         'ignore_errors': True},
    ), env=cloud_env, verbosity=4)
    assert run.rc == 0, run
    msgs = {name: run.task(name)['result']['msg'] for name in ('bad name', 'managed', 'rename nothing', 'rename on absent')}
    assert 'Invalid name "Lab|1"' in msgs['bad name'] and 'cannot contain' in msgs['bad name']
    assert 'managed by Citrix' in msgs['managed']
    assert 'neither it nor "Ghost 2" exists' in msgs['rename nothing'] and 'create it first' in msgs['rename nothing']
    assert 'state=absent' in msgs['rename on absent']
    assert all('\n' not in m for m in msgs.values())
    assert sim.stats.writes() == 0
    assert 'Traceback' not in run.output and CLIENT_SECRET not in run.output
    assert not any(token in run.output for token in sim.service('cloud').tokens)


def test_one_module_defaults_group_for_every_cloud_module(sim, cloud_options, run_playbook):
    defaults_play = [{'name': 'defaults', 'hosts': 'targets', 'gather_facts': False,
                      'module_defaults': {'group/opencitrix.automation.citrix_cloud': cloud_options},
                      'tasks': [
                          {'name': 'services', 'opencitrix.automation.citrix_cloud_service_info': {'name': 'xendesktop'}},
                          {'name': 'location', LOCATION: {'name': 'Defaults Lab'}},
                          {'name': 'locations', LOCATION_INFO: {'name': 'Defaults Lab'}},
                          {'name': 'notify', 'opencitrix.automation.citrix_cloud_notification': {
                              'title': 'Defaults', 'description': 'Credentials from module_defaults.'}},
                      ]}]
    run = run_playbook(defaults_play, env={})  # no CITRIX_* variables at all
    assert run.rc == 0, run
    assert run.task('services')['result']['names'] == ['xendesktop']
    assert run.task('location')['result']['changed'] is True
    assert run.task('locations')['result']['names'] == ['Defaults Lab']
    assert run.task('notify')['result']['changed'] is True
    assert sim.stats.writes(service='cloud_platform') == 2
    assert sim.stats.count(route='cloud.token') == 1
