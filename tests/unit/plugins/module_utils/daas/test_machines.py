"""DaaS machines without sockets: the client-side filters, lookups over listings, facts, and fleet
outcomes of maintenance mode."""

import pytest

from ansible_collections.opencitrix.automation.plugins.module_utils import errors
from ansible_collections.opencitrix.automation.plugins.module_utils.daas.machines import (
    Machines, filter_machines, machine_facts,
)
from tests.unit.plugins.module_utils.daas.support import FakeSite, machine


def test_filters():
    machines = [machine(Id='a', sessions=0), machine(Id='b', sessions=2), machine(Id='c', sessions=None),
                machine(Id='d', InMaintenanceMode=True), machine(Id='e', RegistrationState='Unregistered')]
    for m in machines:
        m.setdefault('RegistrationState', 'Registered')
    kept, left = filter_machines(machines, only_idle=True)
    assert [m['Id'] for m in kept] == ['a', 'd', 'e'] and [m['Id'] for m in left] == ['b', 'c']
    kept, _left = filter_machines(machines, skip_maintenance_mode=True, registration_state=['registered'])
    assert [m['Id'] for m in kept] == ['a', 'b', 'c']


class ListingClient(Machines):
    """Machines of a site that answers listings from ``machines`` and never a single read."""

    def __init__(self, machines):
        super(ListingClient, self).__init__(client=None)
        self.machines = machines
        self.listings = []

    def list(self, catalog=None, delivery_group=None, fields=None, tag=None):
        self.listings.append((catalog, delivery_group) if tag is None else ('tag', tag))
        return iter(self.machines)

    def get(self, name_or_id, fields=None):
        raise AssertionError('no single reads expected')


def test_find_machines_matches_names_ids_and_short_names_in_one_listing():
    machines = [machine(Id='11', Name='CORP\\PC-1', DeliveryGroup={'Id': 'g1', 'Name': 'Desk'}),
                machine(Id='22', Name='CORP\\PC-2', DeliveryGroup={'Id': 'g2', 'Name': 'Apps'}),
                machine(Id='33', Name='LAB\\PC-3', DeliveryGroup=None)]
    client = ListingClient(machines)
    found = client.find(names=['pc-3', 'corp\\PC-1'], machine_ids=['22', '11'])
    assert [m['Id'] for m in found] == ['11', '22', '33']
    assert client.listings == [(None, None)]
    assert [m['Id'] for m in client.find(catalog='C', delivery_group='APPS')] == ['22']
    assert client.listings[-1] == ('C', None)
    with pytest.raises(errors.NotFoundError) as caught:
        client.find(catalog='C', names=['PC-9', 'PC-1'])
    assert str(caught.value).startswith('Machines not found in C: PC-9;')


def test_find_machines_by_tag_lists_the_tag_or_narrows_a_catalog_to_it():
    machines = [machine(Id='11', Name='CORP\\PC-1', Tags=['Ring1', 'GPU']), machine(Id='22', Name='CORP\\PC-2', Tags=[]),
                machine(Id='33', Name='CORP\\PC-3', Tags=['ring1'])]
    client = ListingClient(machines)
    assert [m['Id'] for m in client.find(tag='Ring1')] == ['11', '22', '33']  # the tag's own listing
    assert client.listings == [('tag', 'Ring1')]
    assert [m['Id'] for m in client.find(catalog='C', tag='RING1')] == ['11', '33']
    assert client.listings[-1] == ('C', None)
    with pytest.raises(errors.InputError):
        client.find(tag=' ')


def test_find_machines_lists_the_whole_site_only_when_all_targets_says_so():
    client = ListingClient([machine(Id='11', Name='CORP\\PC-1'), machine(Id='22', Name='CORP\\PC-2')])
    assert [m['Id'] for m in client.find(all_targets=True)] == ['11', '22']
    assert [m['Id'] for m in client.find(names=[None], all_targets=True)] == ['11', '22']
    assert client.listings == [(None, None), (None, None)]
    refused = [dict(), dict(names=[None]), dict(names=[], machine_ids=[]), dict(names=['']), dict(catalog=''),
               dict(delivery_group=' '), dict(machine_ids=['']), dict(names=[''], all_targets=True),
               dict(catalog='', all_targets=True)]
    for targets in refused:
        with pytest.raises(errors.InputError):
            client.find(**targets)
    assert len(client.listings) == 2


def maintenance_site(failing=()):
    """A site whose maintenance-mode update fails with 409 for the machine ids in ``failing``."""
    def answer(path, method, body):
        assert method == 'PATCH'
        return (409, {}, {'SdkErrorId': 'MachineLocked'}) if path.split('/')[2] in failing else (204, {}, None)
    return FakeSite(answer)


@pytest.mark.parametrize('batch', [False, True])
def test_maintenance_mode_changes_only_what_differs_and_reports_failures_after_the_others(batch):
    machines = [machine(Id='a', Name='CORP\\A', InMaintenanceMode=False),
                machine(Id='b', Name='CORP\\B', InMaintenanceMode=True),
                machine(Id='c', Name='CORP\\C', InMaintenanceMode=False)]
    site = maintenance_site(failing=['a'])
    fleet = Machines(site).apply_maintenance_mode(machines, True, concurrency=1, batch=batch)
    sent = [(item['Method'], item['RelativeUrl']) for items in site.batches for item in items] + site.direct
    assert sorted(sent) == [('PATCH', '/Machines/a'), ('PATCH', '/Machines/c')]
    assert [(i['name'], i['outcome'], i['in_maintenance_mode_before'], i['in_maintenance_mode']) for i in fleet.items] == [
        ('CORP\\A', 'failed', False, False), ('CORP\\B', 'unchanged', True, True), ('CORP\\C', 'changed', False, True)]
    assert fleet.counts() == {'changed': 1, 'unchanged': 1, 'skipped': 0, 'failed': 1}
    assert fleet.failure_message() == 'Maintenance mode change failed for 1 of 3: CORP\\A: Could not turn maintenance ' \
        'mode on: MachineLocked (HTTP 409%s)' % (', PATCH /Machines/a' if batch else '')
    planned = Machines(maintenance_site()).apply_maintenance_mode(machines, False, check_mode=True)
    assert [i['outcome'] for i in planned.items] == ['unchanged', 'changed', 'unchanged']
    with pytest.raises(errors.InputError, match='2 machines would change, more than max_targets \\(1\\)'):
        Machines(maintenance_site()).apply_maintenance_mode(machines, True, max_targets=1)


def test_facts():
    facts = machine_facts(machine(MachineCatalog={'Id': 'c', 'Name': 'Cat'}, Zone={'Name': 'Z'}))
    assert facts['catalog'] == 'Cat' and facts['zone'] == 'Z' and facts['delivery_group'] is None
