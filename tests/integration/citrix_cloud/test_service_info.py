"""citrix_cloud_service_info through real ansible-playbook runs against the simulator."""

import pytest

from tests.integration.conftest import CLIENT_SECRET

SERVICE_INFO = 'opencitrix.automation.citrix_cloud_service_info'


def service_info_play(tasks=1, extra=None, hosts='targets'):
    return [{'name': 'service info', 'hosts': hosts, 'gather_facts': False, 'tasks': [
        {'name': 'query %d' % i, SERVICE_INFO: dict(extra or {}), 'register': 'out%d' % i}
        for i in range(tasks)]}]


def test_lists_services_and_filters(sim, cloud_env, run_playbook):
    play = [{'name': 'filters', 'hosts': 'targets', 'gather_facts': False, 'tasks': [
        {'name': 'all', SERVICE_INFO: {}},
        {'name': 'trial only', SERVICE_INFO: {'state': ['productiontrial']}},
        {'name': 'daas', SERVICE_INFO: {'name': 'xendesktop'}},
    ]}]
    run = run_playbook(play, env=cloud_env)
    assert run.rc == 0, run
    everything = run.task('all')['result']
    assert everything['changed'] is False
    assert len(everything['services']) == 11
    assert {'service_name': 'xendesktop', 'state': 'ProductionTrial',
            'last_updated': '2026-11-01T08:00:00Z'} in everything['services']
    assert run.task('trial only')['result']['names'] == [
        'cas', 'itsm', 'microapps', 'netscalergateway', 'wem', 'xendesktop']
    assert run.task('daas')['result']['names'] == ['xendesktop']
    assert sim.stats.count(route='cloud.token') == 1
    assert sim.stats.count(route='cloud.service_states') == 3
    assert sim.stats.writes() == 0


def test_check_mode_reads_and_reports(sim, cloud_env, run_playbook):
    run = run_playbook(service_info_play(), env=cloud_env, check=True)
    assert run.rc == 0, run
    assert len(run.task('query 0')['result']['services']) == 11
    assert sim.stats.writes() == 0


def test_one_token_for_twenty_tasks_on_four_hosts(sim, cloud_env, run_playbook):
    hosts = ['h1', 'h2', 'h3', 'h4']
    run = run_playbook(service_info_play(tasks=20), env=cloud_env, hosts=hosts, forks=4)
    assert run.rc == 0, run
    assert len([r for r in run.results if r['status'] == 'ok']) == 80
    assert sim.stats.count(route='cloud.service_states') == 80
    assert sim.stats.count(route='cloud.token') == 1


def test_token_cache_off_asks_once_per_task(sim, cloud_env, run_playbook):
    hosts = ['h1', 'h2', 'h3', 'h4']
    run = run_playbook(service_info_play(tasks=20, extra={'token_cache': False}), env=cloud_env,
                       hosts=hosts, forks=4)
    assert run.rc == 0, run
    assert sim.stats.count(route='cloud.token') == 80


def test_wrong_secret_fails_in_one_line_despite_cached_token(sim, cloud_env, run_playbook):
    warm = run_playbook(service_info_play(), env=cloud_env)
    assert warm.rc == 0, warm
    env = dict(cloud_env, CITRIX_CLIENT_SECRET='definitely-not-the-secret')
    run = run_playbook(service_info_play(), env=env)
    assert run.rc != 0
    result = run.task('query 0')
    assert result['status'] == 'failed'
    msg = result['result']['msg']
    assert '\n' not in msg
    assert 'invalid_client' in msg
    assert 'client_secret' in msg  # says what to check
    assert 'Traceback' not in run.output
    assert 'definitely-not-the-secret' not in run.output
    assert sim.stats.count(route='cloud.token') == 2


def test_missing_credentials_fail_before_any_request(sim, cloud_env, run_playbook):
    env = dict(cloud_env)
    del env['CITRIX_CLIENT_SECRET']
    run = run_playbook(service_info_play(), env=env)
    assert run.rc != 0
    assert 'client_secret' in run.task('query 0')['result']['msg']
    assert sim.stats.count() == 0


def test_plain_http_needs_explicit_opt_in(sim, cloud_env, run_playbook):
    env = dict(cloud_env, CITRIX_CLOUD_API_URL=sim.url.replace('https://', 'http://'))
    run = run_playbook(service_info_play(), env=env)
    assert run.rc != 0
    msg = run.task('query 0')['result']['msg']
    assert 'plain HTTP' in msg and 'allow_plain_http' in msg
    assert sim.stats.count() == 0


@pytest.mark.parametrize('verbosity', [4])
def test_no_secret_or_token_at_vvvv(sim, cloud_env, run_playbook, verbosity):
    play = service_info_play(tasks=2)
    run = run_playbook(play, env=cloud_env, verbosity=verbosity)
    assert run.rc == 0, run
    sim.service('cloud').expire_tokens()  # force a refresh inside a run, so two tokens exist
    again = run_playbook(play, env=cloud_env, verbosity=verbosity)
    assert again.rc == 0, again
    tokens = list(sim.service('cloud').tokens)
    assert len(tokens) == 2
    for output in (run.output, again.output):
        assert 'client_secret' in output  # the option is shown, masked
        assert CLIENT_SECRET not in output
        for token in tokens:
            assert token not in output
    for record in run.results + again.results:
        text = str(record)
        assert CLIENT_SECRET not in text and not any(t in text for t in tokens)


def test_module_defaults_group_carries_credentials(sim, cloud_options, run_playbook):
    play = [{'name': 'defaults', 'hosts': 'targets', 'gather_facts': False,
             'module_defaults': {'group/opencitrix.automation.citrix_cloud': cloud_options},
             'tasks': [{'name': 'query', SERVICE_INFO: {'name': 'wem'}}]}]
    run = run_playbook(play, env={})
    assert run.rc == 0, run
    assert run.task('query')['result']['names'] == ['wem']
