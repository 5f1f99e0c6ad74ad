"""citrix_daas_machine_power and the daas_reboot_idle role through real ansible-playbook runs against
the simulator: request counts, check mode, idempotence, failed jobs, skips, diff and secrets."""

from tests.integration.conftest import CLIENT_SECRET
from tests.integration.daas.support import (
    FAST_CLOCK, ONPREM_PASSWORD, cloud_env_for, onprem_env, power_requests, role_play, task_play,
)

ROLE_TASK = 'opencitrix.automation.daas_reboot_idle : Reboot the machines without sessions'


def test_reboot_idle_role_reboots_exactly_the_idle_machines_of_1000(make_sim, run_playbook):
    sim = make_sim(time_scale=FAST_CLOCK)
    daas = sim.service('daas')
    catalog = daas.add_catalog('Reboot-1000', 1000, delivery_group='Reboot Desktops')
    busy = set(daas.set_sessions('Reboot-1000', 300))
    idle = set(catalog['machine_ids']) - busy
    env = sim.client_env()

    check = run_playbook(role_play(daas_reboot_idle_catalog='Reboot-1000'), env=env, check=True)
    assert check.rc == 0, check
    assert power_requests(sim) == 0
    planned = check.task(ROLE_TASK)['result']
    assert len(planned['acted_on']) == 700
    assert {m['id'] for m in planned['machines'] if m['outcome'] == 'changed'} == idle

    sim.reset()
    run = run_playbook(role_play(daas_reboot_idle_catalog='Reboot-1000'), env=env)
    assert run.rc == 0, run
    # 700 reboots as items of three batches (250 a batch), each counted on the route a direct $reboot reaches.
    assert sim.stats.items(route='daas.power.reboot') == 700 == sim.stats.writes(route='daas.power.reboot')
    assert sim.stats.count(route='daas.power.*') == 0
    assert sim.stats.count(route='daas.batch') == 3 and sim.stats.count(route='daas.job.results') == 3
    rebooted = [entry['machine_id'] for entry in daas.power_log]
    assert len(rebooted) == 700 and set(rebooted) == idle
    assert not set(rebooted) & busy
    assert all(entry['sessions'] == 0 for entry in daas.power_log)
    # 1000 machines listed with one request (limit 1000); the three batch jobs read together, round by round;
    # the 700 reboot jobs polled with GET /Jobs, none one by one.
    assert sim.stats.count(route='daas.catalog_machines.list') == 1
    assert sim.stats.count(route='daas.machine.get') == 0
    assert sim.stats.count(route='daas.job.get') in (3, 6)
    assert 1 <= sim.stats.count(route='daas.jobs.list') <= 6
    assert sim.stats.count() <= 25, sim.stats.snapshot()['routes']
    result = run.task(ROLE_TASK)['result']
    assert result['counts'] == {'targeted': 1000, 'filtered_out': 300, 'changed': 700, 'unchanged': 0,
                                'skipped': 0, 'failed': 0}
    assert {m['job_status'] for m in result['machines']} == {'Complete'}
    summary = run.task('opencitrix.automation.daas_reboot_idle : Show the summary')['result']['msg']
    assert '1000 machines read, 300 with sessions or in maintenance mode' in summary[0]
    assert summary[1].startswith('700 rebooted, 0 skipped, 0 failed')
    assert daas.machine(catalog['machine_ids'][0])['PowerState'] == 'On'


def test_started_twice_second_run_sends_nothing(make_sim, run_playbook):
    sim = make_sim(time_scale=FAST_CLOCK)
    daas = sim.service('daas')
    catalog = daas.add_catalog('Mixed', 30, delivery_group='Mixed DG', profile='vm-suspend')
    off, suspended = catalog['machine_ids'][:8], catalog['machine_ids'][8:12]
    for machine in off:
        daas.update_machine(machine, PowerState='Off')
    for machine in suspended:
        daas.update_machine(machine, PowerState='Suspended')
    play = task_play('citrix_daas_machine_power', {'catalog': 'Mixed', 'state': 'started'}, name='start')

    check = run_playbook(play, env=sim.client_env(), check=True, diff=True)
    assert check.rc == 0, check
    assert power_requests(sim) == 0 and sim.stats.writes() == 0
    planned = check.task('start')['result']
    assert planned['changed'] is True
    assert sorted(planned['acted_on']) == sorted(daas.machine(m)['Name'] for m in off + suspended)
    assert 'power_state' in check.output and 'Suspended' in check.output  # --diff before/after

    first = run_playbook(play, env=sim.client_env())
    assert first.rc == 0, first
    result = first.task('start')['result']
    assert result['changed'] is True
    assert sim.stats.items(route='daas.power.start') == 8
    assert sim.stats.items(route='daas.power.resume') == 4
    assert sim.stats.count(route='daas.batch') == 1
    assert {m['power_state_after'] for m in result['machines']} == {'On'}

    before = power_requests(sim)
    second = run_playbook(play, env=sim.client_env())
    assert second.rc == 0, second
    again = second.task('start')['result']
    assert again['changed'] is False
    assert power_requests(sim) == before
    assert again['counts']['unchanged'] == 30


def test_failed_job_and_refused_items_fail_the_task_after_the_others_completed(make_sim, run_playbook):
    sim = make_sim(time_scale=FAST_CLOCK)
    daas = sim.service('daas')
    catalog = daas.add_catalog('Flaky', 12)
    names = [daas.machine(m)['Name'] for m in catalog['machine_ids']]
    broken = daas.machine(catalog['machine_ids'][5])
    daas.update_machine(broken['Id'], fail_next_power_action={
        'code': 'HypervisorNotContactable', 'message': 'The hypervisor connection SimHypervisor could not be contacted.'})
    sim.record(['daas'])
    refused = catalog['machine_ids'][8:11]  # three items of the batch answered 409, the others unaffected
    for machine in refused:
        sim.faults.add('status', route='daas.power.reboot', path=machine, status=409, body={
            'SdkErrorId': 'PowerActionInProgress', 'ErrorMessage': 'Another administrator is restarting it.'})
    run = run_playbook(task_play('citrix_daas_machine_power', {'catalog': 'Flaky', 'state': 'restarted'},
                                 name='reboot'), env=sim.client_env())
    assert run.rc != 0
    result = run.task('reboot')
    assert result['status'] == 'failed'
    msg = result['result']['msg']
    assert '\n' not in msg and 'Traceback' not in run.output
    assert msg.startswith('Power action failed for 4 of 12: %s: ' % names[5])
    assert 'HypervisorNotContactable' in msg and 'could not be contacted' in msg
    for name in names[8:11]:
        assert '%s: Could not send $reboot: PowerActionInProgress: Another administrator is restarting it. (HTTP 409, ' \
            'POST /Machines/' % name in msg
    assert sim.stats.items(route='daas.power.reboot') == 12 and sim.stats.count(route='daas.batch') == 1
    outcomes = {m['name']: m['outcome'] for m in result['result']['machines']}
    assert {outcomes.pop(n) for n in [names[5]] + names[8:11]} == {'failed'}
    assert set(outcomes.values()) == {'changed'}
    assert result['result']['counts']['changed'] == 8
    # One $batch carried every reboot: each machine's result names the transaction id it was answered with.
    batch = [e['response_headers']['Citrix-TransactionId'] for e in sim.exchanges if e['route'] == 'daas.batch']
    assert len(batch) == 1 and {m['transaction_id'] for m in result['result']['machines']} == set(batch)
    assert sorted(e['machine_id'] for e in daas.power_log) == sorted(set(catalog['machine_ids']) - set(refused))


def test_per_machine_path_with_batch_false_and_for_a_site_without_batch(make_sim, run_playbook):
    sim = make_sim(time_scale=FAST_CLOCK)
    daas = sim.service('daas')
    first = daas.add_catalog('PerMachine', 5)['machine_ids']
    second = daas.add_catalog('NoBatch', 6, prefix='NOBATCH')['machine_ids']
    sim.faults.add('status', route='daas.batch', status=404, times=-1,
                   body={'Message': 'No HTTP resource was found that matches the request URI.'})
    play = [{'name': 'daas', 'hosts': 'targets', 'gather_facts': False, 'tasks': [
        {'name': 'asked', 'opencitrix.automation.citrix_daas_machine_power': {
            'catalog': 'PerMachine', 'state': 'restarted', 'batch': False, 'concurrency': 2}},
        {'name': 'fallback', 'opencitrix.automation.citrix_daas_machine_power': {
            'catalog': 'NoBatch', 'state': 'restarted', 'batch_size': 4}, 'register': 'out'}]}]
    run = run_playbook(play, env=sim.client_env())
    assert run.rc == 0, run
    # batch: false sends no $batch; the site without one got two batches (6 machines, 4 a batch), both 404.
    assert sim.stats.count(route='daas.batch') == 2
    assert sim.stats.count(route='daas.power.reboot') == 11 and sim.stats.items() == 0
    assert sorted(e['machine_id'] for e in daas.power_log) == sorted(first + second)
    assert run.task('asked')['result'].get('warnings') is None
    assert run.task('fallback')['result']['warnings'] == [
        'This site does not accept $batch (HTTP 404), so one request per object was sent instead, 25 at a time; '
        'set batch: false to skip the attempt']
    assert {m['job_status'] for m in run.task('fallback')['result']['machines']} == {'Complete'}
    assert len({m['transaction_id'] for m in run.task('fallback')['result']['machines']}) == 6  # one request each


def test_unsupported_pending_and_unmanaged_machines_are_skipped_with_reasons(make_sim, run_playbook):
    sim = make_sim(time_scale=FAST_CLOCK)
    daas = sim.service('daas')
    catalog = daas.add_catalog('Odd', 4)
    lab = daas.add_catalog('Odd-Physical', 1, profile='physical', prefix='ODDLAB')
    ids = catalog['machine_ids']
    daas.update_machine(ids[0], SupportedPowerActions=['PowerOn', 'PowerOff', 'Shutdown'])
    daas.update_machine(ids[1], PowerActionPending=True)
    names = [daas.machine(i)['Name'] for i in ids] + [daas.machine(lab['machine_ids'][0])['Name']]
    run = run_playbook(task_play('citrix_daas_machine_power', {'names': names, 'state': 'restarted'}, name='reboot'),
                       env=sim.client_env())
    assert run.rc == 0, run
    result = run.task('reboot')['result']
    reasons = {s['name']: s['reason'] for s in result['skipped_machines']}
    assert reasons == {names[0]: 'does not support the Restart power action',
                       names[1]: 'a power action is already pending',
                       names[4]: 'not power managed (power state Unmanaged)'}
    assert sorted(result['acted_on']) == sorted(names[2:4])
    assert sorted(e['machine_id'] for e in daas.power_log) == sorted(ids[2:4])
    assert sim.stats.count(route='daas.machine.get') == 5  # a few exact names: one GET each, no listing
    assert sim.stats.count(route='daas.machines.list') == 0


def test_unknown_machine_fails_before_any_action(make_sim, run_playbook):
    sim = make_sim(time_scale=FAST_CLOCK)
    run = run_playbook(task_play('citrix_daas_machine_power', {'names': ['SIMLAB\\W11P-00001', 'SIMLAB\\NOPE-1'],
                                                               'state': 'stopped'}, name='stop'),
                       env=sim.client_env())
    assert run.rc != 0
    msg = run.task('stop')['result']['msg']
    assert msg.startswith('Machines not found: SIMLAB\\NOPE-1')
    assert power_requests(sim) == 0


def test_on_premises_site_and_no_secret_at_vvvv(make_sim, run_playbook):
    sim = make_sim(time_scale=FAST_CLOCK)
    env = onprem_env(sim)
    daas = sim.service('daas')
    catalog = daas.add_catalog('OnPrem', 3)
    run = run_playbook(task_play('citrix_daas_machine_power', {'catalog': 'OnPrem', 'state': 'stopped',
                                                               'force': True}, name='stop'),
                       env=env, verbosity=4)
    assert run.rc == 0, run
    assert sim.stats.count(route='daas.onprem.token') == 1
    assert sim.stats.count(route='daas.onprem.me') == 1
    site_path = '/citrix/orchestration/api/CitrixOnPremises/%s/' % daas.site().id
    # One $batch on the on-premises path, its items in the on-premises RelativeUrl form.
    assert sim.stats.count(method='POST', path=site_path + '$batch') == 1
    assert sim.stats.items(route='daas.power.shutdown') == 3
    assert {entry['path'] for entry in daas.power_log} == {site_path + 'Machines/%s/$shutdown' % m
                                                           for m in catalog['machine_ids']}
    assert sim.stats.count(method='GET', path=site_path + 'MachineCatalogs/OnPrem/Machines') == 1
    assert sim.stats.count(route='cloud.token') == 0
    assert {daas.machine(m)['PowerState'] for m in catalog['machine_ids']} == {'Off'}
    assert all(entry['force'] for entry in daas.power_log)
    tokens = list(daas.onprem_tokens)
    assert tokens
    for text in (run.output, str(run.results)):
        assert ONPREM_PASSWORD not in text
        assert not any(token in text for token in tokens)


def test_cloud_secret_and_tokens_never_shown_at_vvvv(make_sim, run_playbook):
    sim = make_sim(time_scale=FAST_CLOCK)
    run = run_playbook(task_play('citrix_daas_machine_power', {'name': 'SIMLAB\\W11P-00001', 'state': 'restarted'},
                                 name='reboot'), env=cloud_env_for(sim), verbosity=4, diff=True)
    assert run.rc == 0, run
    tokens = list(sim.service('cloud').tokens)
    assert tokens
    for text in (run.output, str(run.results)):
        assert CLIENT_SECRET not in text
        assert not any(token in text for token in tokens)
