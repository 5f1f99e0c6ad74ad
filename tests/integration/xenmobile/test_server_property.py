"""xenmobile_server_property(_info) through real ansible-playbook runs against the simulator.

Each playbook runs a whole story; the simulator's write journal then shows exactly which writes
arrived, in order, so a check-mode or repeated task that wrote anything would show up in it."""

import json

from tests.integration.xenmobile.support import WRONG_PASSWORD, XM_PASSWORD, XM_USER, xenmobile, xm_env

PROPERTY = 'opencitrix.automation.xenmobile_server_property'
PROPERTY_INFO = 'opencitrix.automation.xenmobile_server_property_info'


def play(*tasks, **extra):
    return [dict({'name': 'xenmobile', 'hosts': 'targets', 'gather_facts': False, 'tasks': list(tasks)}, **extra)]


def task(title, module=PROPERTY, **args):
    keywords = dict((k, args.pop(k)) for k in ('check_mode', 'diff', 'ignore_errors') if k in args)
    return dict({'name': title, module: args}, **keywords)


def test_single_property_lifecycle(sim, run_playbook):
    run = run_playbook(play(
        task('plan add', name='it.custom.flag', value='on', display_name='IT flag', check_mode=True),
        task('add', name='it.custom.flag', value='on', display_name='IT flag', description='added by a test'),
        task('add again', name='it.custom.flag', value='on', display_name='IT flag'),
        task('plan edit', name='it.custom.flag', value='maybe', check_mode=True),
        task('edit', name='it.custom.flag', value='off', diff=True),
        task('raise timeout', name='xms.publicapi.static.timeout', value=90),
        task('reset timeout', name='xms.publicapi.static.timeout', state='default', diff=True),
        task('reset timeout again', name='xms.publicapi.static.timeout', state='default'),
        task('delete', name='it.custom.flag', state='absent'),
        task('delete again', name='it.custom.flag', state='absent'),
    ), env=xm_env(sim))
    assert run.rc == 0, run
    changed = dict((r['task'], r['result']['changed']) for r in run.results)
    assert changed == {'plan add': True, 'add': True, 'add again': False, 'plan edit': True, 'edit': True,
                       'raise timeout': True, 'reset timeout': True, 'reset timeout again': False,
                       'delete': True, 'delete again': False}
    service = xenmobile(sim)
    assert [e['route'] for e in service.instance().journal] == ['add', 'edit', 'edit', 'reset', 'delete']
    assert service.writes('default') == ['it.custom.flag', 'it.custom.flag', 'xms.publicapi.static.timeout',
                                         'xms.publicapi.static.timeout', 'it.custom.flag']
    assert sim.stats.writes(service='xenmobile') == 5

    plan = run.task('plan add')['result']
    assert plan['changes'] == [{'name': 'it.custom.flag', 'action': 'add', 'before': None,
                                'after': {'value': 'on', 'display_name': 'IT flag', 'description': ''}}]
    assert run.task('add')['result']['property']['description'] == 'added by a test'
    edit = run.task('edit')['result']
    assert edit['diff']['before'] == {'it.custom.flag': {'value': 'on', 'display_name': 'IT flag',
                                                         'description': 'added by a test'}}
    assert edit['diff']['after']['it.custom.flag']['value'] == 'off'
    reset = run.task('reset timeout')['result']
    assert reset['changes'][0]['action'] == 'reset'
    assert reset['diff']['before']['xms.publicapi.static.timeout']['value'] == '90'
    assert reset['property']['value'] == reset['property']['default_value'] == '60'
    assert run.task('delete')['result']['property'] is None
    assert 'it.custom.flag' not in service.instance().properties
    assert service.instance().property_value('xms.publicapi.static.timeout') == '60'


def test_bulk_reads_once_and_writes_only_what_differs(sim, run_playbook):
    wanted = {
        'sim.shp.enabled': True,  # false on the server: an edit, sent as "true"
        'sim.audit.log.retention.days': 90,  # already 90
        'xms.publicapi.timeout.type': 'STATIC_TIMEOUT',  # already so
        'it.bulk.new': {'value': 'x', 'display_name': 'Bulk new', 'description': 'from a mapping'},
    }
    run = run_playbook(play(
        task('plan', properties=wanted, check_mode=True, diff=True),
        task('apply', properties=wanted),
        task('apply again', properties=wanted),
        task('plan reset', properties={'sim.shp.enabled': None, 'it.bulk.new': None}, state='default',
             check_mode=True),
        task('read back', module=PROPERTY_INFO, name=['sim.shp.enabled', 'it.bulk.new']),
    ), env=xm_env(sim))
    assert run.rc == 0, run
    plan = run.task('plan')['result']
    assert plan['changed'] is True
    assert [(c['name'], c['action']) for c in plan['changes']] == [('sim.shp.enabled', 'edit'), ('it.bulk.new', 'add')]
    assert plan['diff']['before'] == {'sim.shp.enabled': {'value': 'false', 'display_name': 'Self-help portal',
                                                          'description': 'Let users manage their own devices'}}
    assert set(plan['diff']['after']) == {'sim.shp.enabled', 'it.bulk.new'}
    assert run.task('apply')['result']['changed'] is True
    assert run.task('apply again')['result']['changed'] is False
    assert run.task('apply again')['result']['changes'] == []
    # 'it.bulk.new' was added with its value as default, so only sim.shp.enabled needs a reset.
    assert [c['name'] for c in run.task('plan reset')['result']['changes']] == ['sim.shp.enabled']
    assert run.task('read back')['result']['values_by_name'] == {'sim.shp.enabled': 'true', 'it.bulk.new': 'x'}
    assert xenmobile(sim).writes('default') == ['sim.shp.enabled', 'it.bulk.new']
    assert sim.stats.writes(service='xenmobile') == 2
    # one read of all properties per task, never one per property
    assert sim.stats.count(route='xenmobile.properties') == 5


def test_bulk_reset_and_delete_use_one_request_each(sim, run_playbook):
    service = xenmobile(sim)
    for name in ('sim.shp.enabled', 'sim.ldap.read.timeout'):
        service.instance().properties[name]['value'] = 'changed'
    run = run_playbook(play(
        task('reset', properties={'sim.shp.enabled': None, 'sim.ldap.read.timeout': None}, state='default'),
        task('delete', properties={'sim.tuning.option.001': None, 'sim.tuning.option.002': None,
                                   'not.there': None}, state='absent'),
    ), env=xm_env(sim))
    assert run.rc == 0, run
    assert [e['route'] for e in service.instance().journal] == ['reset', 'delete']
    assert service.instance().journal[1]['names'] == ['sim.tuning.option.001', 'sim.tuning.option.002']
    assert service.instance().property_value('sim.shp.enabled') == 'false'


def test_bulk_failure_reports_every_outcome_and_names_the_failed(sim, run_playbook):
    sim.faults.add('status', route='xenmobile.property_edit', after=1, times=1, status=500,
                   body={'status': 500, 'message': 'Database is read-only'})
    wanted = {'sim.tuning.option.001': 'a', 'sim.tuning.option.002': 'b', 'sim.tuning.option.003': 'c'}
    run = run_playbook(play(task('apply', properties=wanted)), env=xm_env(sim))
    assert run.rc != 0
    result = run.task('apply')
    assert result['status'] == 'failed'
    msg = result['result']['msg']
    assert msg.startswith('1 of 3 server property changes failed on %s' % xenmobile(sim).url())
    assert 'sim.tuning.option.002' in msg and 'Database is read-only' in msg and '\n' not in msg
    assert result['result']['failed_names'] == ['sim.tuning.option.002']
    assert [c['name'] for c in result['result']['changes']] == ['sim.tuning.option.001', 'sim.tuning.option.003']
    assert xenmobile(sim).writes('default') == ['sim.tuning.option.001', 'sim.tuning.option.003']
    assert 'Traceback' not in run.output


def test_wrong_password_is_one_line_and_no_secret_or_token_at_vvvv(sim, run_playbook, tmp_path):
    secrets_file = tmp_path / 'secrets.json'
    secrets_file.write_text(json.dumps({'wrong_password': WRONG_PASSWORD}))
    run = run_playbook(play(
        task('edit', name='sim.shp.enabled', value='true', diff=True),
        task('read', module=PROPERTY_INFO, search='publicapi'),
        # As in real use, the secret comes from a variables file (like vault or AWX): Ansible itself
        # prints the playbook lines around a failed task and, at -vvvv, inline -e values.
        task('wrong password', module=PROPERTY_INFO, password='{{ wrong_password }}', ignore_errors=True),
        task('no password', module=PROPERTY_INFO, password='', ignore_errors=True),
    ), env=xm_env(sim), verbosity=4, args=['-e', '@%s' % secrets_file])
    assert run.rc == 0, run
    failed = run.task('wrong password')
    assert failed['status'] == 'failed'
    msg = failed['result']['msg']
    assert '\n' not in msg
    assert xenmobile(sim).url() in msg and 'as "%s"' % XM_USER in msg
    assert 'status -1: Invalid user name or password.' in msg and 'HTTP 401' in msg
    assert failed['result']['error_type'] == 'AuthenticationError'
    assert 'XENMOBILE_PASSWORD' in run.task('no password')['result']['msg']
    tokens = xenmobile(sim).instance().issued
    assert len(tokens) == 2  # edit and read signed in; the failures never got a token
    assert 'password' in run.output  # the option is shown, masked
    for text in (run.output, str(run.results)):
        assert 'Traceback' not in text
        assert XM_PASSWORD not in text
        assert WRONG_PASSWORD not in text
        for token in tokens:
            assert token not in text and token.split(':')[0] not in text


def test_module_defaults_group_carries_the_connection_and_cloud_login(sim, run_playbook):
    env = xm_env(sim)
    defaults = {'url': env['XENMOBILE_URL'], 'username': XM_USER, 'password': XM_PASSWORD,
                'ca_path': env['XENMOBILE_CA_PATH']}
    cloud = {'login_type': 'cloud', 'cloud_client_id': 'sim-client-id', 'cloud_client_secret': 'sim-client-secret',
             'cloud_api_url': sim.url, 'cloud_customer_id': 'simcustomer1', 'cloud_trust_url': sim.url + '/trust'}
    run = run_playbook(play(task('read', module=PROPERTY_INFO, name=['xms.publicapi.static.timeout']),
                            task('read with a cloud token', module=PROPERTY_INFO, search='publicapi', **cloud),
                            task('again with the cached cloud token', module=PROPERTY_INFO, search='publicapi', **cloud),
                            module_defaults={'group/opencitrix.automation.xenmobile': defaults}), env={})
    assert run.rc == 0, run
    assert run.task('read')['result']['values_by_name'] == {'xms.publicapi.static.timeout': '60'}
    assert len(run.task('read with a cloud token')['result']['properties']) == 3
    assert sim.stats.count(route='xenmobile.login') == 1
    assert sim.stats.count(route='xenmobile.login_cloud') == 2
    # The legacy trust token (the one the public REST API documents) is tried first, and its cache serves
    # the second task.
    assert sim.stats.count(route='cloud.trust_token') == 1
    assert sim.stats.count(route='cloud.token') == 0
    assert sim.stats.count(route='xenmobile.logout') == 3
