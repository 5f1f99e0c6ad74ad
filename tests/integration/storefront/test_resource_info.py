"""storefront_resource_info through real ansible-playbook runs against the simulated StoreFront store."""

from tests.integration.storefront.support import INFO, PASSWORD, SIGN_IN_ROUTES, info_play, storefront_env


def routes(sim):
    return {k: v for k, v in sim.stats.snapshot()['routes'].items() if k.startswith('storefront.')}


def test_500_resources_through_challenge_token_and_enumeration(sim, run_playbook):
    env = storefront_env(sim)
    run = run_playbook(info_play([('all', {})]), env=env)
    assert run.rc == 0, run
    result = run.task('all')['result']
    assert result['changed'] is False
    assert result['enumeration'] == 'full' and result['subscriptions_status'] == 'enabled'
    resources = result['resources']
    assert len(resources) == 500 and len({r['id'] for r in resources}) == 500
    notepad = resources[0]
    assert notepad['id'] == 'Controller.Notepad' and notepad['title'] == 'Notepad'
    assert notepad['type'] == 'Citrix.MPS.Application' and notepad['folder'] == '' and notepad['path'] == '\\'
    assert notepad['mandatory'] is True and notepad['subscription_status'] == 'subscribed'
    assert notepad['launch_url'].endswith('/Citrix/Store/resources/v2/Q2l0cml4Lk1QUy5BcHAu/launch/ica')
    assert notepad['icon_url'].endswith('/resources/v2/E4wNXorb0I5OHEvZlhsOWFZPQ--/icon')
    assert {'Office', 'Office/Tools', 'Engineering/CAD', 'Desktops', 'Documents/Policies'} <= set(result['folders'])
    assert {r['subscription_status'] for r in resources} >= {'subscribed', 'notSubscribed', 'approved', 'denied'}
    # The whole flow: 401 challenge, token service challenge, 300 choices, ExplicitForms (start and
    # post-back with the session cookie), service token, then one enumeration of all 500.
    expected = dict(SIGN_IN_ROUTES, **{'storefront.resources_noauto': 2})
    assert routes(sim) == expected
    assert sim.stats.writes() == 0


def test_check_mode_and_second_run_send_no_write_and_one_sign_in_per_run(sim, run_playbook):
    env = storefront_env(sim)
    tasks = [('auto', {'auto_provision': True}), ('office', {'folder': '\\Office\\', 'subscription_status': ['subscribed']}),
             ('notepad', {'id': 'Controller.Notepad'})]
    check = run_playbook(info_play(tasks), env=env, check=True)
    assert check.rc == 0, check
    assert any('no subscription was made' in w for w in check.task('auto')['result']['warnings'])
    assert sim.stats.writes() == 0
    assert routes(sim).get('storefront.resources', 0) == 0  # never the auto-provisioning endpoint in check mode
    # Three tasks, one sign-in: the service token is shared through the per-user token cache.
    assert sim.stats.count(route='storefront.forms_postback') == 1
    office = check.task('office')['result']['resources']
    assert office and all(r['folder'].startswith('Office') and r['subscription_status'] == 'subscribed' for r in office)
    assert [r['id'] for r in check.task('notepad')['result']['resources']] == ['Controller.Notepad']

    first = run_playbook(info_play(tasks[:1]), env=env)
    assert first.rc == 0, first
    provisioned = sim.stats.writes(route='storefront.resources')
    assert provisioned == 1  # auto-provisioning subscribed the never-subscribed "Auto" applications
    assert first.task('auto')['result']['changed'] is False
    again = run_playbook(info_play(tasks), env=env)
    assert again.rc == 0, again
    assert sim.stats.writes() == provisioned  # nothing left to provision, and the reads write nothing
    assert all(r['result']['changed'] is False for r in again.results)
    assert sim.stats.count(route='storefront.forms_postback') == 1  # the cached token served both runs


def test_partial_enumeration_warns_and_failed_fails_with_the_reason(sim, run_playbook):
    env = storefront_env(sim)
    sim.service('storefront').enumeration = 'partial'
    play = info_play([('partial', {}), ('strict', {'allow_partial': False})])
    play[0]['tasks'][1]['ignore_errors'] = True
    run = run_playbook(play, env=env)
    assert run.task('partial')['status'] == 'ok', run
    partial = run.task('partial')['result']
    assert 0 < len(partial['resources']) < 500
    assert not any(r['publisher_name'] == 'Farm2' for r in partial['resources'])
    assert partial['enumeration'] == 'partial'
    assert any('enumeration="partial"' in w for w in partial['warnings'])
    strict = run.task('strict')
    assert strict['status'] == 'failed' and 'enumeration="partial"' in strict['result']['msg']
    assert len(strict['result']['resources']) == len(partial['resources'])  # the partial results come back too

    sim.service('storefront').enumeration = 'failed'
    failed = run_playbook(info_play([('failed', {})]), env=env)
    assert failed.rc != 0
    msg = failed.task('failed')['result']['msg']
    assert 'enumeration="failed"' in msg and 'controllers' in msg and '\n' not in msg


def test_bad_scope_gives_the_api_reason_in_one_line(sim, run_playbook):
    env = storefront_env(sim)
    run = run_playbook(info_play([('scope', {'scope': '$NOT_A_SCOPE$'})]), env=env)
    assert run.rc != 0
    result = run.task('scope')['result']
    msg = result['msg']
    assert '\n' not in msg and 'Traceback' not in run.output
    assert "Invalid scope '$NOT_A_SCOPE$'. The allowed values are $PRELAUNCH$ and $ANONYMOUS_PRELAUNCH$." in msg
    assert 'HTTP 400' in msg and result['status_code'] == 400


def test_hostile_xml_and_wrong_password_fail_in_one_line_without_secrets(sim, run_playbook):
    env = storefront_env(sim)
    sim.service('storefront').hostile = 'entity-bomb'
    bomb = run_playbook(info_play([('bomb', {})]), env=env)
    assert bomb.rc != 0
    msg = bomb.task('bomb')['result']['msg']
    assert 'entity expansion' in msg and 'refused' in msg and '\n' not in msg
    assert 'lollol' not in bomb.output and 'Traceback' not in bomb.output

    wrong = run_playbook(info_play([('wrong', {'password': 'Wrong-pass-51f0aa', 'token_cache': False})]), env=env)
    assert wrong.rc != 0
    msg = wrong.task('wrong')['result']['msg']
    assert 'Incorrect user name or password.' in msg and 'fail' in msg and 'STOREFRONT_PASSWORD' in msg
    assert '\n' not in msg and 'Wrong-pass-51f0aa' not in wrong.output


def test_no_password_or_token_at_vvvv(sim, run_playbook):
    env = storefront_env(sim)
    run = run_playbook(info_play([('one', {'id': 'Controller.Notepad'}), ('two', {'token_cache': False})]),
                       env=env, verbosity=4)
    assert run.rc == 0, run
    tokens = list(sim.service('storefront').tokens)
    assert len(tokens) == 4  # a primary and a service token for each of the two sign-ins
    for text in [run.output] + [str(r) for r in run.results]:
        assert PASSWORD not in text
        assert not any(t in text for t in tokens)
        assert not any(t[13:40] in text for t in tokens)  # not even a fragment of the base64 body


def test_token_from_elsewhere_and_module_defaults_group(sim, run_playbook):
    env = storefront_env(sim)
    token = sim.service('storefront').mint_token('IT\\sf-tester')
    connection = {'store_url': env['STOREFRONT_URL'], 'ca_path': env['STOREFRONT_CA_PATH'], 'token': token}
    play = [{'name': 'defaults', 'hosts': 'targets', 'gather_facts': False,
             'module_defaults': {'group/opencitrix.automation.storefront': connection},
             'tasks': [{'name': 'by token', INFO: {'groups': ['status'], 'subscription_status': ['denied']}}]}]
    run = run_playbook(play, env={}, verbosity=4)
    assert run.rc == 0, run
    denied = run.task('by token')['result']['resources']
    assert denied and all(r['subscription_status'] == 'denied' and r['title'] is None for r in denied)
    assert sim.stats.count(route='storefront.token') == 0  # the given token was used as is
    assert token not in run.output


def test_the_same_user_name_in_another_domain_signs_in_itself(make_sim, run_playbook):
    """The token cache (on by default) is keyed by domain too: LAB\\jdoe never uses CORP\\jdoe's token,
    although user name and password are the same; CORP\\jdoe's next run still uses its own."""
    sim = make_sim(services=['storefront'], config={'storefront': {'domain_field': True}})
    store = sim.service('storefront')
    for domain in ('CORP', 'LAB'):
        store.add_user(domain + '\\jdoe', PASSWORD)
    env = dict(storefront_env(sim), STOREFRONT_USERNAME='jdoe')

    def run_as(domain):
        run = run_playbook(info_play([('notepad', {'id': 'Controller.Notepad', 'domain': domain})]), env=env)
        assert run.rc == 0, run
        return sim.stats.count(route='storefront.forms_postback'), dict(store.served_users)

    assert run_as('CORP') == (1, {'CORP\\jdoe': 2})
    assert run_as('LAB') == (2, {'CORP\\jdoe': 2, 'LAB\\jdoe': 2})  # signed in itself, served as itself
    assert run_as('CORP') == (2, {'CORP\\jdoe': 4, 'LAB\\jdoe': 2})  # the cache is on: CORP's token again
