"""The nightly device archive role on 5,000 devices: dated JSON and CSV files, retention by the date in the
file names, and the "changed since last time" summary for a scripted set of changes between two nights."""

import csv
import datetime
import json
import os

from tests.harness import ROOT
from tests.integration.xenmobile.support import xenmobile, xm_env

ROLE = 'opencitrix.automation.xenmobile_device_archive'
PREFIX = 'xenmobile-devices'


def archive_play(dest, date, keep_days=30):
    return [{'name': 'archive', 'hosts': 'targets', 'gather_facts': False,
             'roles': [{'role': ROLE, 'vars': {'xenmobile_device_archive_dest': str(dest),
                                               'xenmobile_device_archive_date': date,
                                               'xenmobile_device_archive_keep_days': keep_days}}]}]


def summary_of(run):
    return run.task(ROLE + ' : Record the archive and what changed')['result']['ansible_facts'][
        'xenmobile_device_archive_summary']


def day(base, offset):
    return (base + datetime.timedelta(days=offset)).isoformat()


def test_archive_of_5000_devices_over_two_nights(make_sim, run_playbook, tmp_path):
    sim = make_sim(services=['xenmobile'], size=1, config={'xenmobile': {'devices': 5000}})
    devices = xenmobile(sim).instance().devices
    dest = tmp_path / 'archive'
    dest.mkdir()
    first = datetime.date(2026, 12, 1)
    # Older archives: three beyond a 30-day retention, one within it (the first night compares with it),
    # and files the retention must never touch.
    for offset in (-40, -31, -30, -29):
        for ext in ('json', 'csv'):
            (dest / ('%s-%s.%s' % (PREFIX, day(first, offset), ext))).write_text(
                json.dumps({'devices': []}) if ext == 'json' else 'id\r\n')
    (dest / 'notes.txt').write_text('kept')
    (dest / (PREFIX + '-latest.json')).write_text('{}')

    run = run_playbook(archive_play(dest, first.isoformat()), env=xm_env(sim))
    assert run.rc == 0, run
    night1 = summary_of(run)
    assert night1['previous'] == '%s-%s.json' % (PREFIX, day(first, -29))
    assert night1['changes']['counts'] == {'devices': 5000, 'new': 5000, 'gone': 0, 'owner_changed': 0,
                                           'compliance_changed': 0}
    assert len(night1['changes']['new']) == 100  # listed up to xenmobile_device_archive_shown
    # 5 pages of 1,000 devices, and one page of the devices out of compliance.
    assert sim.stats.count(route='xenmobile.device_filter') == 6
    assert sim.stats.writes() == 0
    assert sorted(os.listdir(str(dest))) == sorted(
        ['notes.txt', PREFIX + '-latest.json'] + ['%s-%s.%s' % (PREFIX, d, ext) for d in (day(first, -29),
                                                                                          first.isoformat())
                                                  for ext in ('json', 'csv')])

    # The day between the nights: 3 devices retired, 2 enrolled, 4 handed to someone else (and one whose
    # owner only changed case), 5 fell out of or came back into compliance.
    gone = [str(d['id']) for d in devices[10:13]]
    del devices[10:13]
    for n in (1, 2):
        devices.append(dict(devices[0], id=9000 + n, serialNumber='SNNEW%04d' % n, _actions={}))
    owners = devices[100:104]
    for n, device in enumerate(owners):
        device['userName'] = 'new.owner%d@acme.com "new.owner%d"' % (n, n)
    devices[200]['userName'] = devices[200]['userName'].upper()
    flipped = devices[300:305]
    for device in flipped:
        device['_compliant'] = not device['_compliant']

    # The second night through the shipped playbook, with its variables as an AWX job template passes them.
    second = first + datetime.timedelta(days=1)
    with open(os.path.join(ROOT, 'playbooks', 'xenmobile_device_archive.yml')) as handle:
        playbook = handle.read()
    run = run_playbook(playbook, env=xm_env(sim), extra_vars={
        'xenmobile_device_archive_dest': str(dest), 'xenmobile_device_archive_date': second.isoformat(),
        'xenmobile_device_archive_keep_days': 30})
    assert run.rc == 0, run
    night2 = summary_of(run)
    changes = night2['changes']
    assert night2['previous'] == '%s-%s.json' % (PREFIX, first.isoformat())
    assert changes['counts'] == {'devices': 4999, 'new': 2, 'gone': 3, 'owner_changed': 4, 'compliance_changed': 5}
    assert sorted(d['serial_number'] for d in changes['new']) == ['SNNEW0001', 'SNNEW0002']
    assert sorted(str(d['id']) for d in changes['gone']) == sorted(gone)
    assert sorted(str(d['id']) for d in changes['owner_changed']) == sorted(str(d['id']) for d in owners)
    assert {d['after'] for d in changes['owner_changed']} == {'new.owner%d@acme.com' % n for n in range(4)}
    assert {(str(d['id']), d['after']) for d in changes['compliance_changed']} == {
        (str(d['id']), d['_compliant']) for d in flipped}

    json_path, csv_path = (dest / ('%s-%s.%s' % (PREFIX, second.isoformat(), ext)) for ext in ('json', 'csv'))
    archived = json.loads(json_path.read_text())
    assert archived['date'] == second.isoformat() and archived['count'] == 4999 == len(archived['devices'])
    assert archived['changes'] == changes['counts']
    assert all('compliant' in d and 'properties' not in d for d in archived['devices'])
    with open(str(csv_path), newline='') as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 4999 and rows[0]['serial_number'] and set(r['compliant'] for r in rows) == {'true', 'false'}
    # Retention after the second night: the file of day -29 is now 30 days old and goes too.
    assert sorted(os.listdir(str(dest))) == sorted(
        ['notes.txt', PREFIX + '-latest.json'] + ['%s-%s.%s' % (PREFIX, d, ext) for d in (first.isoformat(),
                                                                                          second.isoformat())
                                                  for ext in ('json', 'csv')])
    assert 'since %s-%s.json: 2 new, 3 gone, 4 changed owner, 5 changed compliance; 2 old archive files removed' % (
        PREFIX, first.isoformat()) in \
        run.task(ROLE + ' : Show what changed since the previous archive')['result']['msg']
