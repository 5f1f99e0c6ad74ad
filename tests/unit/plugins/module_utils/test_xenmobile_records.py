"""Pure XenMobile record functions: property plans, device users and last access, user activity,
and the client's small input helpers (no sockets)."""

import datetime

import pytest
import requests
from hypothesis import given, settings, strategies as st

from ansible_collections.opencitrix.automation.plugins.module_utils import errors
from ansible_collections.opencitrix.automation.plugins.module_utils import xenmobile_records as records
from ansible_collections.opencitrix.automation.plugins.module_utils.xenmobile import (
    XenMobileClient, filter_ids_text, platform_versions, server_url,
)


def prop(name, value, default=None, display=None, description=''):
    return {'id': 1, 'name': name, 'value': value, 'displayName': display or name, 'description': description,
            'defaultValue': value if default is None else default}


CURRENT = [prop('a', '1'), prop('b', '2', default='20'), prop('c', 'x', display='C', description='see')]


def test_plan_present_adds_edits_and_leaves_equal_ones():
    wanted = records.wanted_properties({'a': 1, 'b': '3', 'c': {'value': 'x', 'description': 'see'},
                                        'new': {'value': True, 'display_name': 'New'}})
    changes = records.plan_property_changes(CURRENT, wanted, 'present')
    assert [(c['name'], c['action']) for c in changes] == [('b', 'edit'), ('new', 'add')]
    assert changes[0]['after']['value'] == '3' and changes[0]['before']['value'] == '2'
    assert changes[1]['after'] == {'name': 'new', 'value': 'true', 'displayName': 'New', 'description': ''}


def test_plan_edits_display_name_and_description_alone():
    wanted = {'c': {'value': None, 'displayName': 'Sea', 'description': None}}
    (change,) = records.plan_property_changes(CURRENT, wanted, 'present')
    assert change['action'] == 'edit' and change['after']['value'] == 'x' and change['after']['displayName'] == 'Sea'


def test_plan_absent_and_default():
    wanted = records.wanted_properties({'a': None, 'b': None, 'gone': None})
    assert [c['name'] for c in records.plan_property_changes(CURRENT, wanted, 'absent')] == ['a', 'b']
    defaults = records.plan_property_changes(CURRENT, records.wanted_properties({'a': None, 'b': None}), 'default')
    assert [(c['name'], c['after']['value']) for c in defaults] == [('b', '20')]


@pytest.mark.parametrize('state, wanted', [('default', {'nope': None}), ('present', {'nope': None})])
def test_plan_refuses_what_cannot_be_done(state, wanted):
    with pytest.raises(errors.InputError) as caught:
        records.plan_property_changes(CURRENT, records.wanted_properties(wanted), state)
    assert 'nope' in str(caught.value)


def test_wanted_properties_from_info_records_ignores_read_only_keys():
    info = [{'id': 4, 'name': 'a', 'value': '9', 'display_name': 'A', 'description': 'd', 'default_value': '1'}]
    assert records.wanted_properties(info) == {'a': {'value': '9', 'displayName': 'A', 'description': 'd'}}


@pytest.mark.parametrize('bad', [[{'value': '1'}], [{'name': 'a', 'colour': 'red'}], 'text', {'a': {'valeu': 1}}])
def test_wanted_properties_rejects_malformed_input(bad):
    with pytest.raises(errors.InputError):
        records.wanted_properties(bad)


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
    ({'username': 'user4@acme.com "user4"'}, ('user4@acme.com', 'user4')),  # the seed's spelling
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


def test_filter_ids_are_sent_as_a_quoted_list_string():
    assert filter_ids_text(['device.platform.ios', 'group#/group/Sales@_fn_@normal']) == \
        "['device.platform.ios', 'group#/group/Sales@_fn_@normal']"
    assert filter_ids_text([]) is None
    with pytest.raises(errors.InputError):
        filter_ids_text(["it's"])


@pytest.mark.parametrize('given, expected', [
    ('xms.example.com', 'https://xms.example.com:4443'),
    ('xms.example.com:8443', 'https://xms.example.com:8443'),
    ('https://tenant.xm.cloud.com', 'https://tenant.xm.cloud.com'),
])
def test_server_url(given, expected):
    assert server_url(given) == expected


def test_platform_versions_skips_empty_platforms():
    assert platform_versions({'ios': {'appVersion': '1.0'}, 'android': None, 'windows': {}}) == {'ios': '1.0'}


# -- the status/message envelope (issue 12) --------------------------------------------------------

def _reply(status_code=200):
    response = requests.Response()
    response.status_code = status_code
    response.url = 'https://xm.example.test:4443/xenmobile/api/v1/serverproperties?x=1'
    response.request = requests.Request('PUT', response.url).prepare()
    return response


ENVELOPE_VALUES = st.none() | st.integers(-10, 10) | st.sampled_from(['0', '1', '-1', '', 'OK']) | st.booleans()


@settings(max_examples=300, deadline=None)
@given(status=ENVELOPE_VALUES, message=st.none() | st.text(max_size=80),
       extra=st.dictionaries(st.text(max_size=10), st.text(max_size=10), max_size=3),
       http_status=st.sampled_from([200, 400]))
def test_a_non_zero_status_is_an_error_whatever_the_http_status(status, message, extra, http_status):
    """XenMobile answers business errors with HTTP 200 and a non-zero ``status``: such a reply is never
    taken for success; the error is one line with the API's status and message, and never shows the
    password even when the server echoes it."""
    client = XenMobileClient('xm.example.test', 'admin', 'Xm-envelope-S3cret')
    reply = dict(extra, status=status, message=message if message is None else message + ' Xm-envelope-S3cret')
    if status is None or str(status) == '0':
        assert client._check_envelope(reply, 'edit a property', _reply(http_status)) == reply
        return
    with pytest.raises(errors.ApiError) as caught:
        client._check_envelope(reply, 'edit a property', _reply(http_status))
    text = str(caught.value)
    assert text.startswith('Could not edit a property: status %s' % status)
    assert '\n' not in text and 'Xm-envelope-S3cret' not in text and '?x=1' not in text


@settings(max_examples=100, deadline=None)
@given(st.none() | st.integers() | st.text(max_size=10) | st.lists(st.integers(), max_size=3))
def test_a_reply_that_is_not_an_object_is_a_format_error(reply):
    client = XenMobileClient('xm.example.test', 'admin', 'pw-envelope')
    with pytest.raises(errors.ResponseFormatError):
        client._check_envelope(reply, 'list devices', _reply())
