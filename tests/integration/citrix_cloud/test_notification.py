"""citrix_cloud_notification through real ansible-playbook runs against the simulator."""

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
    assert second['notification'] == result['notification']
    assert posts(sim) == 1  # 0 new POSTs

    daily = run_playbook(notify_play(dict(NOTICE, dedup_key='2026-11-24')), env=cloud_env)
    assert daily.rc == 0, daily
    third = daily.task('notify')['result']
    assert third['changed'] is True and third['event_id'] != result['event_id']
    assert posts(sim) == 2
    assert sim.stats.count(route='cloud.token') == 1  # one token for four runs (token cache)


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


def test_parallel_hosts_send_one_notification(sim, cloud_env, run_playbook):
    # Slow lookups and sends, so forks that start up to a second apart all miss and all send.
    sim.route_latency.update({'notifications.list': 1.0, 'notifications.send': 1.0})
    run = run_playbook(notify_play(dict(NOTICE, dedup_key='fleet')), env=cloud_env,
                       hosts=['h1', 'h2', 'h3', 'h4'], forks=4)
    assert run.rc == 0, run
    changed = [r['host'] for r in run.results if r['result'].get('changed')]
    assert len(changed) == 1
    event_ids = set(r['result']['event_id'] for r in run.results)
    assert len(event_ids) == 1 and len(stored(sim, event_ids.pop())) == 1
    assert sim.stats.count(route='notifications.send') >= 2  # the conflict path ran
    assert sim.stats.writes(route='notifications.send') == 1


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
    assert not any(r['result'].get('changed') for r in second.results)
