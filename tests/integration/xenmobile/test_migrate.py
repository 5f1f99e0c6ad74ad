"""The xenmobile_migrate role between two simulated servers (``test`` -> ``prod``), through real
ansible-playbook runs. Connection options come from a variables file, as from a vault."""

import json

from tests.integration.xenmobile.support import (
    XM_PASSWORD, connection, property_migration_scenario, xenmobile,
)
from tests.simulator.services.xenmobile import seeding as xenmobile_seed

ROLE_PLAY = [{'name': 'migrate', 'hosts': 'targets', 'gather_facts': False,
              'roles': ['opencitrix.automation.xenmobile_migrate']}]


def migrate(sim, run_playbook, tmp_path, check=False, verbosity=0, **role_vars):
    variables = dict(xenmobile_migrate_source=connection(sim, 'test'), xenmobile_migrate_target=connection(sim, 'prod'),
                     **role_vars)
    path = tmp_path / 'migrate-vars.json'
    path.write_text(json.dumps(variables))
    sim.stats.reset()
    run = run_playbook(ROLE_PLAY, check=check, verbosity=verbosity, args=['-e', '@%s' % path])
    assert run.rc == 0, run
    summary = run.task('opencitrix.automation.xenmobile_migrate : Show the migration summary')['result']
    summary = summary['xenmobile_migrate_summary']
    return run, summary


def test_200_properties_37_differ(sim, run_playbook, tmp_path):
    expected = property_migration_scenario(sim, total=200, differ=27, missing=10)
    assert len(expected) == 37
    service = xenmobile(sim)

    run, plan = migrate(sim, run_playbook, tmp_path, check=True, verbosity=4, xenmobile_migrate_include_apps=False)
    assert plan['check_mode'] is True
    assert sorted(plan['properties']['added'] + plan['properties']['updated']) == expected
    assert len(plan['properties']['added']) == 10 and len(plan['properties']['updated']) == 27
    assert plan['properties']['compared'] == 200 and plan['properties']['unchanged'] == 163
    assert sim.stats.writes() == 0
    assert service.writes('prod') == [] and service.writes('test') == []
    assert sim.stats.count(route='xenmobile.properties') == 2  # one read per server
    for text in (run.output, str(run.results)):  # -vvvv, role argument validation included
        assert XM_PASSWORD not in text
        assert not any(token in text for name in ('test', 'prod') for token in service.instance(name).issued)

    _run, applied = migrate(sim, run_playbook, tmp_path, xenmobile_migrate_include_apps=False)
    assert applied['check_mode'] is False
    assert sorted(applied['properties']['added'] + applied['properties']['updated']) == expected
    assert sim.stats.writes() == 37
    assert sorted(service.writes('prod')) == expected and service.writes('test') == []
    source = dict((p['name'], p['value']) for p in service.instance('test').properties.values())
    target = dict((p['name'], p['value']) for p in service.instance('prod').properties.values())
    assert all(target[name] == value for name, value in source.items())
    assert len(target) == 205  # the target's own five properties stay

    _run, again = migrate(sim, run_playbook, tmp_path, xenmobile_migrate_include_apps=False)
    assert again['properties']['added'] == [] and again['properties']['updated'] == []
    assert again['properties']['unchanged'] == 200
    assert sim.stats.writes() == 0


def test_selected_and_excluded_properties(sim, run_playbook, tmp_path):
    expected = property_migration_scenario(sim, total=30, differ=6, missing=2)
    chosen = expected[:4]
    run, plan = migrate(sim, run_playbook, tmp_path, xenmobile_migrate_include_apps=False,
                        xenmobile_migrate_properties=chosen + ['sim.tuning.option.010'],
                        xenmobile_migrate_exclude_properties=[chosen[0]])
    assert sorted(plan['properties']['added'] + plan['properties']['updated']) == chosen[1:]
    assert plan['properties']['compared'] == 4
    assert sorted(xenmobile(sim).writes('prod')) == chosen[1:]


def test_enterprise_apps_with_given_packages(sim, run_playbook, tmp_path):
    files = {}
    for app, platform, version in (('Expenses', 'ios', '2.1.0'), ('Expenses', 'android', '2.1.0'),
                                   ('Field Notes', 'android', '1.4.2')):
        path = tmp_path / ('%s-%s.pkg' % (app.replace(' ', ''), platform))
        path.write_bytes(xenmobile_seed.build_package(platform, version, app.replace(' ', '')))
        files.setdefault(app, {})[platform] = str(path)
    service = xenmobile(sim)
    service.instance('test').apps[2]['description'] = 'Notes from the field'
    # Apps defined by URLs, copied whole: a web link new to prod, and a store app prod has for iPhone only.
    test, prod_server = service.instance('test'), service.instance('prod')
    link = test.add_app('Intranet', 'Web Link', {'url': 'https://intranet.acme.com/'})
    link['application']['vpn'] = True
    link['roles'] = ['Sales', 'AllUsers']
    test.add_app('Microsoft Teams', 'App Store App', {
        'iphone': 'https://itunes.apple.com/us/app/microsoft-teams/id1113153706?mt=8',
        'android': 'https://play.google.com/store/apps/details?id=com.microsoft.teams'})
    prod_server.add_app('Microsoft Teams', 'App Store App', {
        'iphone': 'https://itunes.apple.com/us/app/microsoft-teams/id1113153706?mt=8'})
    # Never copied, each with its reason.
    test.add_app('Secure Mail', 'MDX', {'ios': '24.10.0'})
    test.add_app('Expense Portal', 'SaaS', {})
    options = dict(xenmobile_migrate_include_properties=False, xenmobile_migrate_app_files=files)

    _run, plan = migrate(sim, run_playbook, tmp_path, check=True, **options)
    assert sorted(plan['apps']['uploaded']) == ['Expenses android', 'Expenses ios', 'Field Notes android']
    assert plan['apps']['weblinks'] == {'created': ['Intranet'], 'updated': [], 'unchanged': []}
    assert plan['apps']['store_apps'] == {'created': [], 'updated': ['Microsoft Teams'], 'unchanged': []}
    assert sorted(plan['apps']['skipped']) == [
        'Badge Reader ios: no package file given in xenmobile_migrate_app_files (the public API cannot download '
        'packages)',
        'Expense Portal (SaaS): a Web/SaaS app\'s connector and single sign-on settings are not copied by this role',
        'Secure Mail (MDX): an MDX app\'s wrapped package and policies cannot be read through the public API']
    assert sim.stats.writes() == 0

    _run, applied = migrate(sim, run_playbook, tmp_path, **options)
    assert sorted(applied['apps']['uploaded']) == sorted(plan['apps']['uploaded'])
    assert applied['apps']['weblinks'] == plan['apps']['weblinks']
    assert applied['apps']['store_apps'] == plan['apps']['store_apps']
    assert sorted(service.writes('prod')) == ['Expenses/android', 'Expenses/ios', 'Field Notes/android', 'Intranet',
                                              'Microsoft Teams']
    copied = next(a for a in prod_server.apps.values() if a['name'] == 'Intranet')
    assert copied['application']['ssoStoreData']['loginUrl'] == 'https://intranet.acme.com/'
    assert copied['application']['vpn'] is True and sorted(copied['roles']) == ['AllUsers', 'Sales']
    teams = next(a for a in prod_server.apps.values() if a['name'] == 'Microsoft Teams')
    assert teams['android']['storeUrl'] == 'https://play.google.com/store/apps/details?id=com.microsoft.teams'
    prod = dict((a['name'], a) for a in service.instance('prod').apps.values())
    assert prod['Expenses']['ios']['appVersion'] == '2.1.0'  # upgraded from 2.0.0, same container
    assert prod['Expenses']['android']['appVersion'] == '2.1.0'
    assert prod['Field Notes']['android']['appVersion'] == '1.4.2'
    assert prod['Field Notes']['description'] == 'Notes from the field'  # metadata from the source
    assert 'Badge Reader' not in prod

    _run, again = migrate(sim, run_playbook, tmp_path, **options)
    assert again['apps']['uploaded'] == []
    assert sorted(again['apps']['unchanged']) == sorted(plan['apps']['uploaded'])
    assert again['apps']['weblinks']['unchanged'] == ['Intranet']
    assert again['apps']['store_apps']['unchanged'] == ['Microsoft Teams']
    assert sim.stats.writes() == 0
