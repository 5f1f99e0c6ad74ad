"""citrix_cloud_notification through real ansible-playbook runs against the simulator: the documented
listing (no ids), a refused one and one with ids."""

import os

from tests.integration.conftest import CLIENT_SECRET, CUSTOMER_ID
from tests.harness import ROOT

NOTIFY = 'opencitrix.automation.citrix_cloud_notification'
NOTICE = {'title': 'Maintenance finished', 'description': 'All DaaS machines were rebooted.',
          'detail_uri': 'https://tickets.example.com/CHG0042', 'severity': 'Warning'}
NOTIFICATIONS_PATH = '/notifications/%s/notifications/items' % CUSTOMER_ID


def notify_play(args, hosts='targets', **task_options):
    task = dict({'name': 'notify', NOTIFY: args, 'register': 'sent'}, **task_options)
    return [{'name': 'notify admins', 'hosts': hosts, 'gather_facts': False, 'tasks': [task]}]


def added_lines(stdout, text):
    return [line for line in stdout.splitlines() if line.startswith('+') and text in line]


def posts(sim):
    return sim.stats.count(method='POST', path=NOTIFICATIONS_PATH)


def stored(sim, event_id):
    items = sim.service('cloud_platform').visible_notifications(CUSTOMER_ID)
    return [r['item'] for r in items if r['item']['eventId'] == event_id]


def test_check_mode_then_send_then_rerun_then_new_dedup_key(sim, cloud_env, run_playbook):
    dry = run_playbook(notify_play(NOTICE), env=cloud_env, check=True, diff=True)
    assert dry.rc == 0, dry
    would = dry.task('notify')['result']
    assert would['changed'] is True
    assert would['notification']['content'][0]['title'] == 'Maintenance finished'
    assert posts(sim) == 0 and sim.stats.writes() == 0

    sent = run_playbook(notify_play(NOTICE), env=cloud_env, diff=True)
    assert sent.rc == 0, sent
    result = sent.task('notify')['result']
    assert result['changed'] is True and result['event_id'] == would['event_id']
    assert posts(sim) == 1
    assert stored(sim, result['event_id'])[0]['severity'] == 'Warning'
    assert result['notification']['content'] == [{
        'language_tag': 'en-US', 'title': 'Maintenance finished', 'description': 'All DaaS machines were rebooted.',
        'detail_uri': 'https://tickets.example.com/CHG0042'}]
    assert result['diff']['before'] == {} and result['diff']['after']['event_id'] == result['event_id']
    assert added_lines(sent.stdout, '"title": "Maintenance finished"')  # --diff rendered by ansible-playbook

    again = run_playbook(notify_play(NOTICE), env=cloud_env, diff=True)
    assert again.rc == 0, again
    second = again.task('notify')['result']
    assert second['changed'] is False and second['event_id'] == result['event_id']
    # The one found, as the documented listing shows it.
    assert second['notification'] == {'title': 'Maintenance finished', 'description': 'All DaaS machines were rebooted.',
                                      'created_date': result['notification']['created_date']}
    assert posts(sim) == 1  # 0 new POSTs

    assert second['matched_by'] == 'content' and not second.get('warnings')

    # A key the documented listing cannot show: sent, with a warning that it could not be verified.
    daily = run_playbook(notify_play(dict(NOTICE, dedup_key='2026-11-24')), env=cloud_env)
    assert daily.rc == 0, daily
    third = daily.task('notify')['result']
    assert third['changed'] is True and third['event_id'] != result['event_id']
    assert len(third['warnings']) == 1 and 'could not be verified' in third['warnings'][0]
    assert posts(sim) == 2
    assert sim.stats.count(route='cloud.token') == 1  # one token for four runs (token cache)


def test_a_refused_listing_warns_once_and_sends_once_per_run(sim, cloud_env, run_playbook):
    sim.faults.add('status', route='notifications.list', status=404, times=-1,
                   body={'detail': 'Not found', 'type': 'https://errors-api.cloud.com/common/notFound'})
    for run_number in (1, 2):
        run = run_playbook(notify_play(NOTICE), env=cloud_env)
        assert run.rc == 0, run
        result = run.task('notify')['result']
        assert result['changed'] is True and not result.get('failed')
        assert len(result['warnings']) == 1 and 'refused to list notifications' in result['warnings'][0]
        assert 'HTTP 404' in result['warnings'][0] and result['warnings'][0].endswith('it was sent')
        assert run.output.count('refused to list notifications') == 1
        assert posts(sim) == run_number


def test_a_listing_with_ids_keeps_a_keyed_notice_once(make_sim, run_playbook):
    sim = make_sim(config={'cloud_platform': {'listed_ids': ['externalId']}})
    env = sim.client_env()
    for _run in range(2):
        run = run_playbook(notify_play(dict(NOTICE, dedup_key='2026-11-24')), env=env)
        assert run.rc == 0, run
    second = run.task('notify')['result']
    assert second['changed'] is False and second['matched_by'] == 'externalId' and not second.get('warnings')
    assert sim.stats.writes(route='notifications.send') == 1


def test_invalid_values_fail_before_any_request(sim, cloud_env, run_playbook):
    play = [{'name': 'bad', 'hosts': 'targets', 'gather_facts': False, 'tasks': [
        {'name': 'bad severity', NOTIFY: dict(NOTICE, severity='Critcal'), 'ignore_errors': True},
        {'name': 'bad language', NOTIFY: {'content': [{'title': 'T', 'description': 'D', 'language_tag': 'english'}]},
         'ignore_errors': True},
        {'name': 'no description', NOTIFY: {'title': 'T'}, 'ignore_errors': True},
        {'name': 'bad date', NOTIFY: dict(NOTICE, created_date='23/11/2026'), 'ignore_errors': True},
    ]}]
    run = run_playbook(play, env=cloud_env)
    assert run.rc == 0, run
    messages = {name: run.task(name)['result']['msg'] for name in
                ('bad severity', 'bad language', 'no description', 'bad date')}
    assert all(run.task(name)['status'] == 'failed' for name in messages)
    assert 'severity' in messages['bad severity'] and 'Critcal' in messages['bad severity']
    assert 'Information, Warning, Critical' in messages['bad severity']
    assert 'language tag "english"' in messages['bad language'] and 'en-US' in messages['bad language']
    assert 'title' in messages['no description'] and 'description' in messages['no description']
    assert 'RFC 3339' in messages['bad date']
    assert all('\n' not in msg for msg in messages.values())
    assert sim.stats.count(path='/notifications/') == 0
    assert sim.stats.count() == 0  # not even a token
    assert 'Traceback' not in run.output


def test_no_secret_or_token_at_vvvv_and_errors_are_one_line(sim, cloud_env, run_playbook):
    run = run_playbook(notify_play(NOTICE), env=cloud_env, verbosity=4, diff=True)
    assert run.rc == 0, run
    sim.faults.add('status', route='notifications.send', status=500, times=-1,
                   body={'activityId': 'c59d1c1a', 'message': 'Internal server error', 'statusCode': 500})
    failed = run_playbook(notify_play(dict(NOTICE, dedup_key='boom')), env=cloud_env, verbosity=4)
    assert failed.rc != 0
    msg = failed.task('notify')['result']['msg']
    assert '\n' not in msg and 'Internal server error' in msg and 'HTTP 500' in msg
    assert 'Traceback' not in failed.output
    tokens = list(sim.service('cloud').tokens)
    assert tokens
    for output in (run.output, failed.output, str(run.results), str(failed.results)):
        assert CLIENT_SECRET not in output
        assert not any(token in output for token in tokens)


def test_notify_admins_playbook_is_idempotent(sim, cloud_env, run_playbook):
    with open(os.path.join(ROOT, 'playbooks', 'notify_admins.yml')) as handle:
        playbook = handle.read()
    extra = {'maintenance_title': 'Patch night done', 'maintenance_summary': '42 machines patched.',
             'maintenance_id': 'CHG0042'}
    first = run_playbook(playbook, env=cloud_env, extra_vars=extra)
    assert first.rc == 0, first
    assert posts(sim) == 1
    second = run_playbook(playbook, env=cloud_env, extra_vars=extra)
    assert second.rc == 0, second
    assert posts(sim) == 1
    assert not any(r['result'].get('changed') or r['result'].get('warnings') for r in second.results)
    other = run_playbook(playbook, env=cloud_env, extra_vars=dict(extra, maintenance_id='CHG0043'))
    assert other.rc == 0, other
    assert posts(sim) == 2
