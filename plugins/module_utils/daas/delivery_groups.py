# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The delivery groups of a DaaS site: listings with their counts, tags and (on request) catalogs, and
which machines they hold.

Membership: machines go in with one ``DoAddMachines`` request (``POST /DeliveryGroups/{group}/Machines``),
whatever their number: a ``Count`` of a catalog's machines that are in no delivery group, or named machines
with the users each is assigned to. They come out one ``DoRemoveMachines`` each
(``DELETE /DeliveryGroups/{group}/Machines/{machine}``), many per ``$batch`` request.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.opencitrix.automation.plugins.module_utils import errors
from ansible_collections.opencitrix.automation.plugins.module_utils.daas.catalogs import (
    CATALOG_FIELDS, listed_with_tags,
)
from ansible_collections.opencitrix.automation.plugins.module_utils.daas.batch import (
    DEFAULT_BATCH_SIZE, BatchWriter, Write, WriteOutcome,
)
from ansible_collections.opencitrix.automation.plugins.module_utils.daas.client import (
    DEFAULT_CONCURRENCY, path_segment, read_all,
)
from ansible_collections.opencitrix.automation.plugins.module_utils.daas.machines import Machines, finder
from ansible_collections.opencitrix.automation.plugins.module_utils.daas.transactions import transaction_id
from ansible_collections.opencitrix.automation.plugins.module_utils.results import FleetResult

GROUP_FIELDS = ('Id', 'Name', 'Description', 'DeliveryType', 'SessionSupport', 'SharingKind', 'TotalDesktops',
                'DesktopsAvailable', 'DesktopsUnregistered', 'DesktopsDisconnected', 'DesktopsFaulted', 'SessionCount',
                'InMaintenanceMode', 'Enabled')
# A group's sharing kind is the allocation of its desktops: private (assigned to users) or shared.
ALLOCATION = {'Private': 'Static', 'Shared': 'Random'}
MEMBER_FIELDS = ('Id', 'Name', 'DnsName', 'MachineCatalog', 'DeliveryGroup', 'AllocationType')


def matches(ref, key):
    """Whether an embedded reference (``{"Id", "Name"}``) is ``key`` (a name or id, case-insensitive)."""
    ref = ref or {}
    return str(key).lower() in set(str(v).lower() for v in (ref.get('Id'), ref.get('Name')) if v)


class DeliveryGroups:
    """The delivery groups of the client's site."""

    def __init__(self, client):
        self.client = client

    def list(self, names=None, tags=None, include_catalogs=False, concurrency=DEFAULT_CONCURRENCY):
        """Group facts (:func:`group_facts`) of the groups matching ``names`` and ``tags``; with
        ``include_catalogs``, each group's catalogs too (one request per group)."""
        groups, tags_of = listed_with_tags(self.client, '/DeliveryGroups', 'list the delivery groups', GROUP_FIELDS,
                                           'groups', names, tags)
        catalogs = [None] * len(groups)
        if include_catalogs:
            catalogs = read_all([g.get('Id') for g in groups], self.catalogs_of, concurrency)
        return [group_facts(g, tags_of.get(g.get('Id'), []), c) for g, c in zip(groups, catalogs)]

    def catalogs_of(self, group):
        return list(self.client.paged('/DeliveryGroups/%s/MachineCatalogs' % path_segment(group),
                                      'list the machine catalogs of delivery group "%s"' % group, CATALOG_FIELDS))

    def add_machines(self, group, catalog, count=None, assignments=None):
        """One ``DoAddMachines``: ``count`` machines of ``catalog`` that are in no group, and/or
        ``assignments`` (``[(machine id, [users])]``); returns the answer's transaction id."""
        body = {'MachineCatalog': catalog}
        if count:
            body['Count'] = count
        if assignments:
            body['AssignMachinesToUsers'] = [dict({'Machine': machine}, **({'Users': users} if users else {}))
                                             for machine, users in assignments]
        return transaction_id(self.client.request(
            'POST', '/DeliveryGroups/%s/Machines' % path_segment(group),
            'add machines of catalog "%s" to delivery group "%s"' % (catalog, group), json_body=body))

    def members(self, group):
        return list(Machines(self.client).list(delivery_group=group, fields=MEMBER_FIELDS))

    # -- membership -----------------------------------------------------------------------------

    def ensure_count(self, group, catalog, count, check_mode=False, max_targets=None):
        """At least ``count`` machines of ``catalog`` in ``group``: the missing number is added with one
        ``DoAddMachines``. One outcome per machine of the catalog in the group (``changed``: added); in check
        mode, the machines the catalog listing offers first. Not enough machines in no delivery group: a
        ConflictError before any write."""
        members = self.members(group)
        present = [m for m in members if matches(m.get('MachineCatalog'), catalog)]
        fleet = FleetResult('Adding machines to delivery group "%s"' % group)
        for machine in present:
            _add(fleet, machine, 'unchanged', group)
        need = count - len(present)
        if need <= 0:
            return fleet
        available = [m for m in Machines(self.client).list(catalog=catalog, fields=MEMBER_FIELDS)
                     if not (m.get('DeliveryGroup') or {}).get('Id')]
        if len(available) < need:
            raise errors.ConflictError(
                'Cannot add %d machines of catalog "%s" to delivery group "%s"' % (need, catalog, group),
                api_message='only %d of its machines are in no delivery group' % len(available),
                hint='lower count, or add machines to the catalog first')
        planned = [_add(fleet, m, 'changed', group) for m in available[:need]]
        fleet.check_max_targets(max_targets, 'machines')
        if check_mode:
            return fleet
        try:
            traced = self.add_machines(group, catalog, count=need)
        except errors.CitrixError as exc:
            for item in planned:
                fleet.fail(item, exc, delivery_group=None)
            return fleet
        before = set(m.get('Id') for m in members)
        added = [m for m in self.members(group) if m.get('Id') not in before]
        fleet.items = [item for item in fleet.items if item['outcome'] != 'changed']
        for machine in added:
            _add(fleet, machine, 'changed', group, before=None)['transaction_id'] = traced
        return fleet

    def ensure_machines(self, group, catalog, machines, check_mode=False, max_targets=None):
        """Named machines of ``catalog`` in ``group`` (``machines``: ``[(name, [users])]``), the missing
        ones added with one ``DoAddMachines`` that also assigns their users. A machine of another group
        fails (nothing is sent for it); a name the catalog lacks fails the task before any write."""
        members = set(m.get('Id') for m in self.members(group))
        names = [name for name, _users in machines]
        found = Machines(self.client).find(names=names, catalog=catalog, fields=MEMBER_FIELDS)
        fleet = FleetResult('Adding machines to delivery group "%s"' % group)
        chosen = []
        find = finder(found)
        for name, users in machines:
            machine = find(name)
            if machine.get('Id') in members:
                _add(fleet, machine, 'unchanged', group)
                continue
            other = machine.get('DeliveryGroup') or {}
            if other.get('Id'):
                _add(fleet, machine, 'failed', other.get('Name'),
                     reason='in delivery group "%s"; take it out of that group first' % other.get('Name'))
                continue
            chosen.append((_add(fleet, machine, 'changed', group, users=list(users or [])), machine))
        fleet.check_max_targets(max_targets, 'machines')
        if chosen and not check_mode:
            try:
                traced = self.add_machines(group, catalog, assignments=[(m.get('Id'), item['users']) for item, m in chosen])
            except errors.CitrixError as exc:
                for item, _machine in chosen:
                    fleet.fail(item, exc, delivery_group=None)
            else:
                for item, _machine in chosen:
                    item['transaction_id'] = traced
        return fleet

    def ensure_absent(self, group, names=None, all_targets=False, check_mode=False, max_targets=None,
                      concurrency=DEFAULT_CONCURRENCY, batch=True, batch_size=DEFAULT_BATCH_SIZE):
        """Take the named machines (``all_targets``: every machine) out of ``group``, one
        ``DoRemoveMachines`` each, through ``$batch`` unless ``batch`` is False; a name that is not in the
        group is ``unchanged``. After a lost answer, a machine no longer in the group is done."""
        members = self.members(group)
        fleet = FleetResult('Taking machines out of delivery group "%s"' % group)
        if all_targets:
            for machine in members:
                _add(fleet, machine, 'changed', None, before=group)
        find = finder(members)
        for name in names or ():
            machine = find(name, required=False)
            if machine is None:
                fleet.add(name, 'unchanged', id=None, catalog=None, delivery_group_before=None, delivery_group=None,
                          users=[], transaction_id=None)
            else:
                _add(fleet, machine, 'changed', None, before=group)
        fleet.check_max_targets(max_targets, 'machines')
        if check_mode:
            return fleet

        def resolve(writes):
            found = Machines(self.client).by_ids([w.target['id'] for w in writes], concurrency, fields=MEMBER_FIELDS)
            return [None if w.target['id'] in found and matches(found[w.target['id']].get('DeliveryGroup'), group)
                    else WriteOutcome(resolved=True) for w in writes]

        writes = [removal_write(group, item['id'], target=item) for item in fleet.with_outcome('changed')]
        BatchWriter(self.client, batch, batch_size, concurrency).apply(
            fleet, writes, resolve, on_failure=lambda item: item.update(delivery_group=group))
        return fleet


def removal_write(group, machine_id, target=None):
    """``DoRemoveMachines``: ``DELETE /DeliveryGroups/{group}/Machines/{machine}``."""
    return Write('DELETE', '/DeliveryGroups/%s/Machines/%s' % (path_segment(group), path_segment(machine_id)),
                 'take the machine out of delivery group "%s"' % group, target=target)


_CURRENT = object()


def _add(fleet, machine, outcome, group, before=_CURRENT, users=None, reason=None):
    """One machine's outcome; ``before``: its group before the task (default: the group it shows)."""
    current = (machine.get('DeliveryGroup') or {}).get('Name')
    return fleet.add(machine.get('Name'), outcome, reason, id=machine.get('Id'),
                     catalog=(machine.get('MachineCatalog') or {}).get('Name'),
                     delivery_group_before=current if before is _CURRENT else before,
                     delivery_group=group if outcome in ('changed', 'unchanged') else current, users=users or [],
                     transaction_id=None)


def group_facts(group, tags=(), catalogs=None):
    """A delivery group as the info module reports it: flat, snake_case, with its tag names (and its
    catalogs when they were read)."""
    facts = {
        'id': group.get('Id'), 'name': group.get('Name'), 'description': group.get('Description'),
        'delivery_type': group.get('DeliveryType'), 'session_support': group.get('SessionSupport'),
        'sharing_kind': group.get('SharingKind'), 'allocation_type': ALLOCATION.get(group.get('SharingKind')),
        'machine_count': group.get('TotalDesktops'), 'available_count': group.get('DesktopsAvailable'),
        'unregistered_count': group.get('DesktopsUnregistered'),
        'disconnected_count': group.get('DesktopsDisconnected'), 'faulted_count': group.get('DesktopsFaulted'),
        'session_count': group.get('SessionCount'), 'in_maintenance_mode': group.get('InMaintenanceMode'),
        'enabled': group.get('Enabled'), 'tags': sorted(tags),
    }
    if catalogs is not None:
        facts['catalogs'] = [{'id': c.get('Id'), 'name': c.get('Name'), 'allocation_type': c.get('AllocationType'),
                              'provisioning_type': c.get('ProvisioningType')} for c in catalogs]
        facts['provisioning_types'] = sorted(set(c.get('ProvisioningType') for c in catalogs if c.get('ProvisioningType')))
    return facts
