"""DaaS sessions without sockets: which sessions a task names, and what they report."""

import pytest

from ansible_collections.opencitrix.automation.plugins.module_utils import errors
from ansible_collections.opencitrix.automation.plugins.module_utils.daas.sessions import (
    FACT_NAMES, SESSION_FIELDS, Sessions, api_fields, session_facts,
)


def test_find_sessions_lists_every_session_only_when_all_targets_says_so():
    class Listed(Sessions):
        listed = 0

        def __init__(self):
            super(Listed, self).__init__(client=None)

        def list(self, fields=None):
            Listed.listed += 1
            return iter([{'Id': 's1', 'State': 'Active'}])

    for targets in (dict(), dict(machines=[]), dict(session_ids=[]), dict(users=['']), dict(machines=[''])):
        with pytest.raises(errors.InputError):
            Listed().find(**targets)
    assert Listed.listed == 0
    assert Listed().find(all_targets=True) == ([{'Id': 's1', 'State': 'Active'}], [])


SEED_002 = {
    'Id': '41ba32e9-d12b-485c-afd2-c4d0d047cd8b', 'State': 'Disconnected', 'SessionType': 'Application',
    'AppState': 'Active', 'ApplicationsInUse': [{'Id': '00000000-0000-0000-0000-000000000000', 'Uid': None,
                                                 'Name': 'WorkingApp_1'}],
    'Client': {'IPAddress': '10.107.1.120', 'Name': '', 'Platform': 'Unknown', 'Version': 'v1.0'},
    'Connection': {'ConnectedViaHostName': None, 'ConnectedViaIP': '10.107.1.34', 'LaunchedViaHostName': None,
                   'LaunchedViaIP': '20.62.252.155', 'Protocol': 'Hdx', 'SmartAccessTags': []},
    'LogoffInProgress': False, 'LogonInProgress': False, 'FormattedStateChangeTime': '2020-11-16T14:02:49Z',
    'Machine': {'Id': None, 'Name': 'HTLABS04\\Sales-B03', 'DnsName': 'Sales-B03.htlabs04.example.com',
                'MachineCatalog': {'Name': 'Sales-B'}, 'DeliveryGroup': {'Name': 'Sales'}},
    'UntrustedUserName': 'HTLABS04\\DevUser1', 'User': {'PrincipalName': 'DevUser1@htlabs04.example.com'},
}


def test_the_full_session_record_of_seed_002():
    facts = session_facts(SEED_002)
    assert facts['applications_in_use'] == ['WorkingApp_1']
    assert (facts['client_address'], facts['client_platform'], facts['client_version']) == (
        '10.107.1.120', 'Unknown', 'v1.0')
    assert (facts['launched_via_ip'], facts['connected_via_ip']) == ('20.62.252.155', '10.107.1.34')
    assert facts['state_change_time'] == '2020-11-16T14:02:49Z' and facts['logon_in_progress'] is False
    assert facts['smart_access_tags'] == [] and facts['delivery_group'] == 'Sales' and facts['catalog'] == 'Sales-B'
    assert set(facts) == set(FACT_NAMES)


def test_chosen_fields_read_only_what_they_and_the_filters_need():
    assert session_facts(SEED_002, ['client_platform']) == {'id': SEED_002['Id'], 'client_platform': 'Unknown'}
    assert api_fields(['client_platform', 'applications_in_use']) == (
        'Id', 'State', 'UntrustedUserName', 'User', 'ApplicationsInUse', 'Machine', 'Client')
    assert set(api_fields(None)) == set(SESSION_FIELDS)


def test_find_sessions_by_delivery_group_and_tag_of_their_machine():
    class Listed(Sessions):
        def __init__(self, sessions):
            super(Listed, self).__init__(client=None)
            self.sessions = sessions

        def list(self, fields=None):
            return iter(self.sessions)

    sessions = [{'Id': 'a', 'Machine': {'DeliveryGroup': {'Id': 'g1', 'Name': 'Sales'}, 'Tags': ['Ring1']}},
                {'Id': 'b', 'Machine': {'DeliveryGroup': {'Id': 'g2', 'Name': 'Dev'}, 'Tags': ['ring1', 'GPU']}},
                {'Id': 'c', 'Machine': {'DeliveryGroup': {'Id': 'g2', 'Name': 'Dev'}, 'Tags': []}}]
    found = Listed(sessions)
    assert [s['Id'] for s in found.find(delivery_groups=['dev'])[0]] == ['b', 'c']
    assert [s['Id'] for s in found.find(delivery_groups=['G1'])[0]] == ['a']
    assert [s['Id'] for s in found.find(tags=['RING1'])[0]] == ['a', 'b']
    assert [s['Id'] for s in found.find(tags=['Ring1'], delivery_groups=['Dev'])[0]] == ['b']
    with pytest.raises(errors.InputError):
        found.find(tags=[''])
