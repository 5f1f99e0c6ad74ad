"""Device records: users, last access and per-user activity (pure functions, no sockets)."""

import datetime

import pytest

from ansible_collections.opencitrix.automation.plugins.module_utils import errors
from ansible_collections.opencitrix.automation.plugins.module_utils.xenmobile import records


@pytest.mark.parametrize('text, expected', [
    ('11/23/16 8:32 AM', datetime.datetime(2016, 11, 23, 8, 32)),
    ('11/1/17 3:02pm', datetime.datetime(2017, 11, 1, 15, 2)),
    ('1/2/2025 12:05 AM', datetime.datetime(2025, 1, 2, 0, 5)),
    ('1/2/25 12:05 PM', datetime.datetime(2025, 1, 2, 12, 5)),
    ('1/2/25 17:05', datetime.datetime(2025, 1, 2, 17, 5)),
    (1700000000000, datetime.datetime(2023, 11, 14, 22, 13, 20)),
    ('', None), (None, None), ('yesterday', None), ('13/40/25 1:00 PM', None), (0, None),
])
def test_parse_last_access(text, expected):
    assert records.parse_last_access(text) == expected


@pytest.mark.parametrize('device, expected', [
    ({'userName': 'user4@acme.com "user4"'}, ('user4@acme.com', 'user4')),
    ({'username': 'user4@acme.com "user4"'}, ('user4@acme.com', 'user4')),  # the spelling of some API examples
    ({'userName': 'jdoe'}, ('jdoe', None)),
    ({'userName': 'a@b.c "Doe, \\"JD\\""'}, ('a@b.c', 'Doe, "JD"')),
    ({'userName': ''}, ('', None)),
    ({}, ('', None)),
])
def test_device_user(device, expected):
    assert records.device_user(device) == expected


def test_describe_device_adds_user_and_iso_time_and_drops_properties():
    record = records.describe_device({'id': 1, 'userName': 'u@x "u"', 'lastAccess': '11/1/17 3:02pm',
                                      'properties': [{'name': 'p'}]})
    assert record['user'] == 'u@x' and record['userDisplayName'] == 'u'
    assert record['lastAccessIso'] == '2017-11-01T15:02:00' and 'properties' not in record
    assert 'properties' in records.describe_device({'properties': []}, include_properties=True)


def test_user_activity_takes_the_latest_access_over_a_users_devices():
    today = datetime.date(2026, 11, 23)
    devices = [
        {'userName': 'ann@x "ann"', 'platform': 'iOS', 'lastAccess': '11/2/26 9:00 AM'},
        {'userName': 'ANN@x "ann"', 'platform': 'Android', 'lastAccess': '11/22/26 6:30 PM'},
        {'userName': 'bob@x', 'platform': 'iOS', 'lastAccess': '9/1/26 9:00 AM'},
        {'userName': 'cy@x', 'platform': 'iOS', 'lastAccess': ''},
        {'userName': '', 'platform': 'Windows', 'lastAccess': '11/23/26 1:00 AM'},
    ]
    activity = records.user_activity(devices, today, days=7)
    ann, bob, cy = activity['users']
    assert ann == {'user': 'ann@x', 'display_name': 'ann', 'devices': 2, 'platforms': ['Android', 'iOS'],
                   'last_access': '2026-11-22 18:30', 'days_since_last_access': 1}
    assert bob['days_since_last_access'] == 83 and cy['last_access'] is None
    assert activity['by_day'][0] == {'date': '2026-11-17', 'users': 0}
    assert activity['by_day'][-2:] == [{'date': '2026-11-22', 'users': 1}, {'date': '2026-11-23', 'users': 0}]
    assert activity['summary'] == {'devices': 5, 'users': 3, 'unassigned_devices': 1, 'active_last_7_days': 1,
                                   'active_last_30_days': 1, 'inactive_over_30_days': 1, 'never_seen': 1,
                                   'as_of': '2026-11-23', 'days': 7}


def test_report_day():
    assert records.report_day('2026-11-23') == datetime.date(2026, 11, 23)
    assert records.report_day(None) == datetime.date.today()
    with pytest.raises(errors.InputError):
        records.report_day('23.11.2026')
