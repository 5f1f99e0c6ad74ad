"""storefront_subscription and storefront_launch_check through real ansible-playbook runs against the simulated
store, and the shipped playbooks/storefront_synthetic_check.yml.

One -vvvv --diff run subscribes a user to 50 resources (check mode, for real, again) and launch-checks them
(check mode, for real, again); the simulator's counters between the tasks prove what each step sent, and
every ICA ticket and launch reference the store handed out is looked for in everything the run left."""

import json
import os

from tests.harness import ROOT
from tests.integration.storefront.support import PASSWORD, storefront_env
from tests.reliability import issued_secrets, scan_for_secrets

FQCN = 'opencitrix.automation.'
CLIENT = {'client_name': 'probe-07', 'client_address': '192.0.2.17', 'device_id': 'probe-device-07'}


def fifty(store):
    """50 launchable resources: applications and desktops without an approval workflow, among them the
    desktops that are off or suspended (a launch starts them) and resources the user has not subscribed to."""
    candidates = [r for r in store.resources if r['enabled'] and not r['workflow']
                  and r['type'] != 'Citrix.MPS.Document' and r['status'] in ('subscribed', 'notSubscribed')]
    sleeping = [r for r in candidates if r.get('power', 'on') != 'on'][:3]
    others = [r for r in candidates if r not in sleeping][:50 - len(sleeping)]
    chosen = sleeping + others
    assert len(chosen) == 50 and len(sleeping) == 3
    return chosen


def stats(sim, name):
    return {'name': name, 'ansible.builtin.uri': {'url': sim.url + '/_sim/stats', 'ca_path': sim.ca_path,
                                                  'return_content': True}, 'register': name.replace(' ', '_')}


def step(name, module, args, **keywords):
    return dict({'name': name, FQCN + module: args, 'register': name.replace(' ', '_')}, **keywords)


def delta(run, after, before, key='writes'):
    new, old = (run.task(n)['result']['json'][key] for n in (after, before))
    return {k: v - old.get(k, 0) for k, v in new.items() if v != old.get(k, 0) and k.startswith('storefront.')}


def test_subscribe_and_launch_check_50_resources_at_vvvv(make_sim, run_playbook, tmp_path):
    sim = make_sim(services=['storefront'], config={'storefront': {'launch_retry_after': 1}})
    store = sim.service('storefront')
    env = storefront_env(sim)
    chosen = fifty(store)
    names = [r['id'] for r in chosen[:25]] + [r['title'] for r in chosen[25:]]  # by id and by title
    unsubscribed = sorted(r['id'] for r in chosen if r['status'] == 'notSubscribed')
    sleeping = sorted(r['id'] for r in chosen if r.get('power', 'on') != 'on')
    assert len(unsubscribed) >= 10
    subscribe = {'resources': names, 'client_name': CLIENT['client_name']}
    launch = dict(CLIENT, resources=names)
    tasks = [stats(sim, 's0'),
             step('subscribe check', 'storefront_subscription', subscribe, check_mode=True),
             stats(sim, 's1'),
             step('subscribe', 'storefront_subscription', subscribe),
             stats(sim, 's2'),
             step('subscribe again', 'storefront_subscription', subscribe),
             step('launch check mode', 'storefront_launch_check', launch, check_mode=True),
             stats(sim, 's3'),
             step('launch', 'storefront_launch_check', launch),
             stats(sim, 's4'),
             step('launch again', 'storefront_launch_check', launch),
             stats(sim, 's5'),
             step('read as the probe', 'storefront_resource_info', dict(CLIENT, id='Controller.Notepad'))]
    run = run_playbook([{'name': 'sf', 'hosts': 'targets', 'gather_facts': False, 'tasks': tasks}], env=env,
                       verbosity=4, diff=True)
    assert run.rc == 0, [(r['task'], r['result'].get('msg')) for r in run.results if r['status'] == 'failed']

    # Subscriptions: check mode predicts and sends nothing, the real run writes once per unsubscribed
    # resource, the second run writes nothing.
    check = run.task('subscribe check')['result']
    assert check['changed'] is True and check['counts']['changed'] == len(unsubscribed)
    assert check['diff']['before']['subscription_status'] == dict((n, 'notSubscribed') for n in unsubscribed)
    assert check['diff']['after']['subscription_status'] == dict((n, 'subscribed') for n in unsubscribed)
    assert delta(run, 's1', 's0') == {}
    first = run.task('subscribe')['result']
    assert first['changed'] is True and first['counts'] == check['counts']
    assert delta(run, 's2', 's1') == {'storefront.subscription': len(unsubscribed)}
    assert sorted(i for i, kind in store.subscription_log if kind == 'subscribe') == unsubscribed
    again = run.task('subscribe again')['result']
    assert again['changed'] is False and again['counts']['unchanged'] == 50

    # Launch check in check mode: nothing launched, all 50 listed as what would be.
    planned = run.task('launch check mode')['result']
    assert planned['changed'] is False and planned['counts']['skipped'] == 50
    assert all(item['reason'] == 'would launch (check mode)' for item in planned['launches'])
    assert delta(run, 's3', 's2', 'routes') == {'storefront.resources_noauto': 2}  # enumerations only

    # The launch check: 50 ICA launches with per-resource results and timings; the three sleeping desktops
    # were started by the store (the only writes), so the task reports a change for them alone.
    launched = run.task('launch')['result']
    assert launched['changed'] is True
    assert launched['counts'] == {'changed': 3, 'unchanged': 47, 'skipped': 0, 'failed': 0}
    items = launched['launches']
    assert sorted(i['name'] for i in items) == sorted(r['id'] for r in chosen)
    assert sorted(i['name'] for i in items if i['outcome'] == 'changed') == sleeping
    for item in items:
        assert item['launched'] is True and item['status'] == 'success' and item['ica_bytes'] > 100
        assert isinstance(item['launch_seconds'], float) and 0 < item['launch_seconds'] < 30
    for item in (i for i in items if i['outcome'] == 'changed'):
        assert item['power_on'] in ('rebooting', 'resuming') and item['waited_seconds'] >= 1
        assert item['retry_reasons'][0] == item['power_on']
    timings = launched['timings']
    assert set(timings) == {'sign_in_seconds', 'enumeration_seconds', 'total_seconds'}
    assert 0 < timings['enumeration_seconds'] < timings['total_seconds']
    assert delta(run, 's4', 's3') == {'storefront.launch': 3}
    launches = delta(run, 's4', 's3', 'routes')
    assert launches['storefront.launch'] == 50 and launches['storefront.launch_retry'] >= 3
    assert all(dict((k, e[k]) for k in ('clientName', 'clientAddress', 'deviceId')) == {
        'clientName': 'probe-07', 'clientAddress': '192.0.2.17', 'deviceId': 'probe-device-07'}
        for e in store.launch_log)
    # Launched again: every desktop is up, nothing is started, no change.
    relaunched = run.task('launch again')['result']
    assert relaunched['changed'] is False and relaunched['counts']['unchanged'] == 50
    assert delta(run, 's5', 's4') == {}
    assert store.last_query['clientAddress'] == ['192.0.2.17'] and store.last_query['deviceId'] == ['probe-device-07']

    # No ticket, launch reference, token or password anywhere, at -vvvv: output, results, warnings, diffs and
    # every file the run left behind.
    secrets = issued_secrets(sim, [PASSWORD])
    assert len(store.issued_tickets) == 200  # a logon ticket and a launch reference per launch
    results = [r['result'] for r in run.results]
    artifacts = {'output': run.output, 'results': json.dumps(results),
                 'warnings': json.dumps([r.get('warnings') for r in results])}
    for root, _dirs, files in os.walk(str(tmp_path)):
        for name in files:
            with open(os.path.join(root, name), 'rb') as handle:
                artifacts[os.path.relpath(os.path.join(root, name), str(tmp_path))] = handle.read().decode(
                    'utf-8', 'replace')
    checks, found = scan_for_secrets([s for s in secrets if s in store.issued_tickets or s == PASSWORD], artifacts)
    assert checks > 200 * len(artifacts) and found == []
    assert 'LogonTicket' not in run.output and '[ApplicationServers]' not in run.output


def synthetic_check():
    with open(os.path.join(ROOT, 'playbooks', 'storefront_synthetic_check.yml')) as handle:
        return handle.read()


def test_synthetic_check_playbook_fails_with_a_one_line_summary(make_sim, run_playbook):
    sim = make_sim(services=['storefront'], config={'storefront': {
        'launch_errors': {'Farm2.Microsoft Excel 1': 'NoMoreActiveSessions'}}})
    store = sim.service('storefront')
    env = storefront_env(sim)
    disabled = next(r for r in store.resources if not r['enabled'] and not r['workflow'])
    disabled['status'] = 'subscribed'
    unsubscribed = next(r for r in store.resources if r['status'] == 'notSubscribed' and r['enabled']
                        and not r['workflow'])
    names = ['Controller.Notepad', 'Farm2.Microsoft Excel 1', disabled['id'], unsubscribed['id'], 'No Such App',
             'Farm2.Adobe Acrobat Reader 4']
    failing = run_playbook(synthetic_check(), env=env, extra_vars={'storefront_check_resources': ', '.join(names)})
    assert failing.rc != 0
    message = failing.task('Fail when a launch failed or was too slow')['result']['msg']
    assert '\n' not in message and message.startswith('StoreFront check failed: 4 of 6 launches failed')
    for expected in ('Farm2.Microsoft Excel 1: NoMoreActiveSessions', disabled['id'] + ': ResourceDisabled',
                     unsubscribed['id'] + ': SubscriptionStatusInvalid: the user is not subscribed',
                     'No Such App: the store offers the user no resource'):
        assert expected in message, message
    summary = failing.task('Summarise the check')['result']['ansible_facts']['storefront_check_summary']
    assert summary['ok'] is False and summary['launched'] == ['Controller.Notepad', 'Farm2.Adobe Acrobat Reader 4']
    assert sim.stats.writes() == 0

    # The same check of healthy resources passes and publishes its summary for AWX; a launch limit no
    # launch can meet fails it, naming the slow launches.
    healthy = {'storefront_check_resources': ['Controller.Notepad', 'Farm2.Adobe Acrobat Reader 4']}
    passing = run_playbook(synthetic_check(), env=env, extra_vars=healthy)
    assert passing.rc == 0, passing
    stats = passing.task('Publish the summary to the job (AWX artifacts)')['result']['ansible_stats']
    assert stats['data']['storefront_check_summary']['ok'] is True
    assert '2 of 2 launched' in passing.task('Show the summary')['result']['msg']
    slow = run_playbook(synthetic_check(), env=env, extra_vars=dict(healthy, storefront_check_max_launch_seconds=1e-9))
    assert slow.rc != 0
    assert '2 slower than 1e-09 s (Controller.Notepad: ' in slow.task(
        'Fail when a launch failed or was too slow')['result']['msg']
    empty = run_playbook(synthetic_check(), env=env, extra_vars={'storefront_check_resources': ' , '})
    assert empty.rc != 0 and 'No resource to launch' in empty.task(
        'Check that resources to launch are named')['result']['msg']
    # Five launch requests (the unknown name is never sent), then two per healthy run.
    assert sim.stats.count(route='storefront.launch') == 5 + 2 + 2
