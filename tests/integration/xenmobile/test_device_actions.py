"""xenmobile_device and xenmobile_enrollment through real ansible-playbook runs against the simulated server.

Each run interleaves the simulator's counters (``/_sim/stats``) between tasks, so every step's requests and
writes are measured: refusals before any request, then check mode, the action, and the action again, for
each action; lock and locate while the first one is still pending, and again once the device has carried
it out (the simulator's devices "connect" through its admin API)."""

from tests.integration.xenmobile.support import xenmobile, xm_env

FQCN = 'opencitrix.automation.'


def stats(sim, name):
    return {'name': name, 'ansible.builtin.uri': {'url': sim.url + '/_sim/stats', 'ca_path': sim.ca_path,
                                                  'return_content': True}, 'register': name}


def step(name, module, args, **keywords):
    return dict({'name': name, FQCN + module: args, 'register': name.replace(' ', '_')}, **keywords)


def connect(sim):
    """The simulated devices connect and carry out their pending actions."""
    return {'name': 'devices connect', 'ansible.builtin.uri': {
        'url': sim.url + '/_sim/xenmobile/complete-device-actions', 'method': 'POST', 'body_format': 'json',
        'body': {'instance': 'default'}, 'ca_path': sim.ca_path}}


def delta(run, after, before, key='writes'):
    new, old = (run.task(n)['result']['json'][key] for n in (after, before))
    return {k: v - old.get(k, 0) for k, v in new.items() if v != old.get(k, 0) and k.startswith('xenmobile.')}


def three_times(sim, label, args, n):
    """check mode, for real, again; counters after each (``<label>0..3``, ``n`` numbers them apart)."""
    return [step(label + ' check', 'xenmobile_device', args, check_mode=True), stats(sim, 'c%d' % n),
            step(label, 'xenmobile_device', args), stats(sim, 'r%d' % n),
            step(label + ' again', 'xenmobile_device', args), stats(sim, 'a%d' % n)]


def test_device_actions_check_mode_then_once_then_nothing(make_sim, run_playbook):
    sim = make_sim(services=['xenmobile'], size=1, config={'xenmobile': {'devices': 60}})
    devices = xenmobile(sim).instance().devices
    user5 = sorted(str(d['id']) for d in devices if d['userName'].startswith('user5@'))
    serials = [devices[10]['serialNumber'], devices[11]['serialNumber']]
    assert len(user5) == 2
    refusals = [
        step('full wipe unconfirmed', 'xenmobile_device', {'action': 'full_wipe', 'id': ['1']}, ignore_errors=True),
        step('full wipe over the maximum', 'xenmobile_device',
             {'action': 'full_wipe', 'id': ['1', '2', '3'], 'confirm': True, 'max_targets': 2}, ignore_errors=True),
        step('lock nothing', 'xenmobile_device', {'action': 'lock', 'id': []}, ignore_errors=True),
        stats(sim, 'refused'),
        step('wipe a user over the maximum', 'xenmobile_device',
             {'action': 'selective_wipe', 'user': ['user5@acme.com'], 'confirm': True, 'max_targets': 1},
             ignore_errors=True),
        stats(sim, 'refused_after_reading')]
    tasks = [stats(sim, 'start')] + refusals
    tasks += three_times(sim, 'selective wipe', {'action': 'selective_wipe', 'user': ['USER5@acme.com'],
                                                 'confirm': True, 'max_targets': 2}, 1)
    tasks += three_times(sim, 'full wipe', {'action': 'full_wipe', 'serial_number': serials, 'confirm': True,
                                            'erase_memory_card': False}, 2)
    tasks += three_times(sim, 'revoke', {'action': 'revoke', 'id': ['20'], 'confirm': True}, 3)
    tasks += three_times(sim, 'delete', {'action': 'delete', 'id': ['30', '31', '32'], 'confirm': True}, 4)
    tasks += three_times(sim, 'lock', {'action': 'lock', 'id': ['40'], 'lock_message': 'Lost phone'}, 5)
    tasks += three_times(sim, 'locate', {'action': 'locate', 'id': ['41', '42']}, 6)
    tasks += [connect(sim), stats(sim, 'connected'),
              step('lock after the device locked', 'xenmobile_device', {'action': 'lock', 'id': ['40']}),
              step('locate after the devices reported', 'xenmobile_device', {'action': 'locate', 'id': ['41', '42']}),
              stats(sim, 'asked_again')]
    run = run_playbook([{'name': 'devices', 'hosts': 'targets', 'gather_facts': False, 'tasks': tasks}],
                       env=xm_env(sim), diff=True)
    assert run.rc == 0, [(r['task'], r['result'].get('msg')) for r in run.results if r['status'] == 'failed']

    # Refused in one line: without confirm or over max_targets before any request (not even a sign-in);
    # with users named, after the listing and before any action.
    for name, text in (('full wipe unconfirmed', 'action full_wipe needs confirm: true'),
                       ('full wipe over the maximum', '3 devices would change, more than max_targets (2)'),
                       ('lock nothing', 'id is an empty list'),
                       ('wipe a user over the maximum', '2 devices would change, more than max_targets (1)')):
        result = run.task(name)['result']
        assert run.task(name)['status'] == 'failed' and text in result['msg'] and '\n' not in result['msg'], result
    assert delta(run, 'refused', 'start', 'routes') == {}
    assert delta(run, 'refused_after_reading', 'refused') == {}

    def check_three(label, n, before, writes, acted):
        check, first, again = (run.task(label + suffix)['result'] for suffix in (' check', '', ' again'))
        assert check['changed'] is True and sorted(check['acted_on']) == sorted(acted), check
        assert check['counts'] == first['counts']
        assert check['diff']['before'] != check['diff']['after']
        assert delta(run, 'c%d' % n, before) == {}, label + ': check mode wrote'
        assert first['changed'] is True and sorted(first['acted_on']) == sorted(acted)
        assert delta(run, 'r%d' % n, 'c%d' % n) == writes, label
        assert again['changed'] is False and again['acted_on'] == [] and again['counts']['failed'] == 0
        assert delta(run, 'a%d' % n, 'r%d' % n) == {}, label + ': the second run wrote'
        return check, first, again

    check_three('selective wipe', 1, 'refused_after_reading', {'xenmobile.device_action.selwipe': 1}, user5)
    _c, wiped, wiped_again = check_three('full wipe', 2, 'a1', {'xenmobile.device_action.wipe': 1}, ['11', '12'])
    assert {d['serial_number'] for d in wiped['devices']} == set(serials)
    assert all('already pending' in d['reason'] for d in wiped_again['devices'])
    _c, _f, revoked_again = check_three('revoke', 3, 'a2', {'xenmobile.device_action.revoke': 1}, ['20'])
    assert 'already done (revoked: true)' in revoked_again['devices'][0]['reason']
    _c, deleted, deleted_again = check_three('delete', 4, 'a3', {'xenmobile.device_delete': 1}, ['30', '31', '32'])
    assert deleted['diff']['after']['action_state'] == {'30': 'absent', '31': 'absent', '32': 'absent'}
    assert {d['reason'] for d in deleted_again['devices']} == {'no such device (already deleted)'}
    assert not any(str(d['id']) in ('30', '31', '32') for d in xenmobile(sim).instance().devices)
    # Lock and locate: a second request while the first is pending sends nothing...
    check_three('lock', 5, 'a4', {'xenmobile.device_action.lock': 1}, ['40'])
    check_three('locate', 6, 'a5', {'xenmobile.device_action.locate': 1}, ['41', '42'])
    # ...and once the devices carried them out, asking again acts again (like a restart).
    assert run.task('lock after the device locked')['result']['changed'] is True
    assert run.task('locate after the devices reported')['result']['changed'] is True
    again = {'xenmobile.device_action.lock': 1, 'xenmobile.device_action.locate': 1}
    assert delta(run, 'asked_again', 'connected') == again
    assert sorted(xenmobile(sim).writes('default')) == sorted(
        ['selwipe/%s' % i for i in user5] + ['wipe/11', 'wipe/12', 'revoke/20', 'delete/30', 'delete/31', 'delete/32',
                                             'lock/40', 'locate/41', 'locate/42', 'lock/40', 'locate/41', 'locate/42'])


def test_enrollment_invitations_by_user_and_platform(make_sim, run_playbook, tmp_path):
    sim = make_sim(services=['xenmobile'], size=1, config={'xenmobile': {'devices': 10}})
    inst = xenmobile(sim).instance()
    # From a CSV, as a bulk enrollment would come: three new users and user1, whose iOS invitation is
    # pending and Android one (user2's) redeemed in the seed.
    csv_path = tmp_path / 'starters.csv'
    csv_path.write_text('user,team\nnew.one@acme.com,Sales\nnew.two@acme.com,Support\nnew.three@acme.com,Sales\n'
                        'user1@acme.com,Finance\n')
    users = ("{{ lookup('ansible.builtin.file', '%s').splitlines()[1:] | map('split', ',') | map('first') | list }}"
             % csv_path)
    invite = {'user': users, 'platform': ['ios', 'android'],
              'mode': 'invitation', 'ownership': 'corporate'}
    withdraw = {'user': ['new.two@acme.com'], 'platform': ['ios', 'android'], 'state': 'absent'}
    tasks = [stats(sim, 'e0'),
             step('invite check', 'xenmobile_enrollment', invite, check_mode=True), stats(sim, 'e1'),
             step('invite', 'xenmobile_enrollment', invite), stats(sim, 'e2'),
             step('invite again', 'xenmobile_enrollment', invite), stats(sim, 'e3'),
             step('withdraw check', 'xenmobile_enrollment', withdraw, check_mode=True), stats(sim, 'e4'),
             step('withdraw', 'xenmobile_enrollment', withdraw), stats(sim, 'e5'),
             step('withdraw again', 'xenmobile_enrollment', withdraw), stats(sim, 'e6'),
             step('invite nobody', 'xenmobile_enrollment', {'user': []}, ignore_errors=True), stats(sim, 'e7')]
    run = run_playbook([{'name': 'enroll', 'hosts': 'targets', 'gather_facts': False, 'tasks': tasks}],
                       env=xm_env(sim), diff=True)
    assert run.rc == 0, [(r['task'], r['result'].get('msg')) for r in run.results if r['status'] == 'failed']

    check, first, again = (run.task(n)['result'] for n in ('invite check', 'invite', 'invite again'))
    # 4 users x 2 platforms: user1's iOS invitation is pending, so 7 are missing, in 4 requests (one per user).
    assert check['changed'] is True and check['counts'] == {'changed': 7, 'unchanged': 1, 'skipped': 0, 'failed': 0}
    assert check['diff']['after']['pending_invitations']['new.one@acme.com/ios'] == 1
    assert delta(run, 'e1', 'e0') == {}
    assert first['counts'] == check['counts'] and delta(run, 'e2', 'e1') == {'xenmobile.enrollment_create': 4}
    created = [i for item in first['invitations'] for i in item['invitations'] if item['outcome'] == 'changed']
    assert len(created) == 7 and all(i['url'] and i['status'] == 'PENDING' for i in created)
    assert again['changed'] is False and again['counts']['unchanged'] == 8 and delta(run, 'e3', 'e2') == {}

    withdrawn = run.task('withdraw')['result']
    assert run.task('withdraw check')['result']['counts']['changed'] == 2 and delta(run, 'e4', 'e3') == {}
    assert withdrawn['changed'] is True and delta(run, 'e5', 'e4') == {'xenmobile.enrollment_remove': 1}
    assert run.task('withdraw again')['result']['changed'] is False and delta(run, 'e6', 'e5') == {}
    nobody = run.task('invite nobody')
    assert nobody['status'] == 'failed' and nobody['result']['msg'].startswith('user is an empty list')
    assert delta(run, 'e7', 'e6', 'routes') == {}
    remaining = [e for e in inst.enrollments if e['userName'].startswith('new.')]
    assert sorted((e['userName'], e['type']) for e in remaining if e['status'] == 'PENDING') == [
        ('new.one@acme.com', 'SHTP'), ('new.one@acme.com', 'iOS'), ('new.three@acme.com', 'SHTP'),
        ('new.three@acme.com', 'iOS')]
    assert not any('secret' in i for item in first['invitations'] for i in item['invitations'])
