"""DaaS logic without sockets: power planning, filters, lookups over listings, outcome reporting."""

import pytest

from ansible_collections.opencitrix.automation.plugins.module_utils import errors
from ansible_collections.opencitrix.automation.plugins.module_utils.daas import (
    _parse_expiry, _path_segment, failure_message, filter_machines, find_machines, find_sessions, machine_facts,
    outcome_counts,
)
from ansible_collections.opencitrix.automation.plugins.module_utils.daas_power import plan_action

ALL_ACTIONS = ['PowerOn', 'PowerOff', 'Shutdown', 'Restart', 'Reset', 'SuspendResume']


def machine(power_state='On', pending=False, actions=None, sessions=0, **extra):
    record = {'Id': extra.pop('Id', 'id-1'), 'Name': extra.pop('Name', 'CORP\\PC-1'), 'PowerState': power_state,
              'PowerActionPending': pending, 'SupportedPowerActions': ALL_ACTIONS if actions is None else actions,
              'SessionCount': sessions}
    record.update(extra)
    return record


@pytest.mark.parametrize('state, power_state, expected', [
    ('started', 'On', (None, None)),
    ('started', 'Off', ('start', None)),
    ('started', 'Suspended', ('resume', None)),
    ('stopped', 'Off', (None, None)),
    ('stopped', 'On', ('shutdown', None)),
    ('stopped', 'Suspended', ('shutdown', None)),
    ('suspended', 'Suspended', (None, None)),
    ('suspended', 'On', ('suspend', None)),
    ('suspended', 'Off', (None, 'a machine that is Off cannot be suspended')),
    ('restarted', 'On', ('reboot', None)),
    ('restarted', 'Off', (None, 'a machine that is Off cannot be restarted')),
    ('restarted', 'Suspended', (None, 'a machine that is Suspended cannot be restarted')),
    ('started', 'TurningOn', (None, 'power state is TurningOn (a transition is under way)')),
    ('stopped', 'Unmanaged', (None, 'not power managed (power state Unmanaged)')),
    ('started', 'VirtualMachineNotFound', (None, 'not power managed (power state VirtualMachineNotFound)')),
])
def test_plan_action(state, power_state, expected):
    assert plan_action(machine(power_state), state) == expected


def test_plan_action_checks_support_and_pending():
    assert plan_action(machine('On', actions=['PowerOn']), 'restarted') == (
        None, 'does not support the Restart power action')
    assert plan_action(machine('On', actions=['PowerOff']), 'stopped') == (
        None, 'does not support the Shutdown power action')
    assert plan_action(machine('On', actions=['PowerOff']), 'stopped', force=True) == ('shutdown', None)
    assert plan_action(machine('Off', pending=True), 'started') == (None, 'a power action is already pending')


def test_filters():
    machines = [machine(Id='a', sessions=0), machine(Id='b', sessions=2), machine(Id='c', sessions=None),
                machine(Id='d', InMaintenanceMode=True), machine(Id='e', RegistrationState='Unregistered')]
    for m in machines:
        m.setdefault('RegistrationState', 'Registered')
    kept, left = filter_machines(machines, only_idle=True)
    assert [m['Id'] for m in kept] == ['a', 'd', 'e'] and [m['Id'] for m in left] == ['b', 'c']
    kept, _left = filter_machines(machines, skip_maintenance_mode=True, registration_state=['registered'])
    assert [m['Id'] for m in kept] == ['a', 'b', 'c']


class ListingClient:
    def __init__(self, machines):
        self.machines = machines
        self.listings = []

    def list_machines(self, catalog=None, delivery_group=None, fields=None):
        self.listings.append((catalog, delivery_group))
        return iter(self.machines)

    def get_machine(self, key, fields=None):
        raise AssertionError('no single reads expected')


def test_find_machines_matches_names_ids_and_short_names_in_one_listing():
    machines = [machine(Id='11', Name='CORP\\PC-1', DeliveryGroup={'Id': 'g1', 'Name': 'Desk'}),
                machine(Id='22', Name='CORP\\PC-2', DeliveryGroup={'Id': 'g2', 'Name': 'Apps'}),
                machine(Id='33', Name='LAB\\PC-3', DeliveryGroup=None)]
    client = ListingClient(machines)
    found = find_machines(client, names=['pc-3', 'corp\\PC-1'], machine_ids=['22', '11'])
    assert [m['Id'] for m in found] == ['11', '22', '33']
    assert client.listings == [(None, None)]
    assert [m['Id'] for m in find_machines(client, catalog='C', delivery_group='APPS')] == ['22']
    assert client.listings[-1] == ('C', None)
    with pytest.raises(errors.NotFoundError) as caught:
        find_machines(client, catalog='C', names=['PC-9', 'PC-1'])
    assert str(caught.value).startswith('Machines not found in C: PC-9;')


def test_find_machines_lists_the_whole_site_only_when_all_targets_says_so():
    client = ListingClient([machine(Id='11', Name='CORP\\PC-1'), machine(Id='22', Name='CORP\\PC-2')])
    assert [m['Id'] for m in find_machines(client, all_targets=True)] == ['11', '22']
    assert [m['Id'] for m in find_machines(client, names=[None], all_targets=True)] == ['11', '22']
    assert client.listings == [(None, None), (None, None)]
    refused = [dict(), dict(names=[None]), dict(names=[], machine_ids=[]), dict(names=['']), dict(catalog=''),
               dict(delivery_group=' '), dict(machine_ids=['']), dict(names=[''], all_targets=True),
               dict(catalog='', all_targets=True)]
    for targets in refused:
        with pytest.raises(errors.InputError):
            find_machines(client, **targets)
    assert len(client.listings) == 2


def test_find_sessions_lists_every_session_only_when_all_targets_says_so():
    class Sessions:
        listed = 0

        def list_sessions(self):
            Sessions.listed += 1
            return iter([{'Id': 's1', 'State': 'Active'}])

    for targets in (dict(), dict(machines=[]), dict(session_ids=[]), dict(users=['']), dict(machines=[''])):
        with pytest.raises(errors.InputError):
            find_sessions(Sessions(), **targets)
    assert Sessions.listed == 0
    assert find_sessions(Sessions(), all_targets=True) == ([{'Id': 's1', 'State': 'Active'}], [])


def test_outcomes_and_failure_message():
    results = [{'name': 'n%d' % i, 'outcome': 'failed', 'reason': 'boom %d' % i} for i in range(7)]
    results.append({'name': 'ok', 'outcome': 'changed', 'reason': None})
    assert outcome_counts(results) == {'changed': 1, 'unchanged': 0, 'skipped': 0, 'failed': 7}
    assert failure_message(results, 'Power action') == (
        'Power action failed for 7 of 8: n0: boom 0; n1: boom 1; n2: boom 2; n3: boom 3; n4: boom 4 '
        '(and 2 more, see results)')
    assert failure_message(results[-1:], 'Power action') is None


def test_helpers():
    assert _path_segment('CORP\\PC 1') == 'CORP%7CPC%201'
    assert _parse_expiry('2030-01-01T00:00:10Z', 1893456000.0) == 10.0
    assert _parse_expiry('garbage', 0) == 3600.0
    facts = machine_facts(machine(MachineCatalog={'Id': 'c', 'Name': 'Cat'}, Zone={'Name': 'Z'}))
    assert facts['catalog'] == 'Cat' and facts['zone'] == 'Z' and facts['delivery_group'] is None
