# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The machines of a DaaS site: listings (of the site, a catalog or a delivery group), single reads,
maintenance mode and power actions (as :class:`.batch.Write` requests); finding the machines a task names,
the client-side filters, the flat facts modules and the inventory report, and maintenance mode applied to
a fleet."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.opencitrix.automation.plugins.module_utils import errors
from ansible_collections.opencitrix.automation.plugins.module_utils.daas.batch import (
    DEFAULT_BATCH_SIZE, BatchWriter, Write, WriteOutcome, send_one,
)
from ansible_collections.opencitrix.automation.plugins.module_utils.daas.client import (
    DEFAULT_CONCURRENCY, NAME_LOOKUP_LIMIT, is_exact_reference, path_segment, read_all, read_by_ids, ref_name,
)
from ansible_collections.opencitrix.automation.plugins.module_utils.results import FleetResult
from ansible_collections.opencitrix.automation.plugins.module_utils.targets import require_named

# The properties machine listings ask for (``fields``), and what results and inventories report.
MACHINE_FIELDS = ('Id', 'Name', 'DnsName', 'IPAddress', 'MachineCatalog', 'DeliveryGroup', 'Zone', 'PowerState',
                  'PowerActionPending', 'SupportedPowerActions', 'SessionCount', 'InMaintenanceMode',
                  'RegistrationState', 'SummaryState', 'SessionSupport', 'OSType', 'MachineType', 'AllocationType')


class Machines:
    """The machines of the client's site."""

    def __init__(self, client):
        self.client = client

    def pages(self, catalog=None, delivery_group=None, fields=MACHINE_FIELDS):
        """The raw pages of a machine listing: of the site, one catalog, or one delivery group (by name or id)."""
        if catalog:
            return self.client.pages('/MachineCatalogs/%s/Machines' % path_segment(catalog),
                                     'list the machines of catalog "%s"' % catalog, fields)
        if delivery_group:
            # This operation takes no ``fields`` (only limit and continuationToken): its answer carries every
            # property of each machine.
            return self.client.pages('/DeliveryGroups/%s/Machines' % path_segment(delivery_group),
                                     'list the machines of delivery group "%s"' % delivery_group)
        return self.client.pages('/Machines', 'list the machines of the site', fields)

    def list(self, catalog=None, delivery_group=None, fields=MACHINE_FIELDS):
        """Machines of the site, of one catalog, or of one delivery group."""
        for body in self.pages(catalog, delivery_group, fields):
            yield from body['Items']

    def get(self, name_or_id, fields=MACHINE_FIELDS):
        """One machine, or None when there is no such machine."""
        try:
            return self.client.call('GET', '/Machines/%s' % path_segment(name_or_id), 'read machine "%s"' % name_or_id,
                                    params={'fields': ','.join(fields)} if fields else None)
        except errors.NotFoundError:
            return None

    def by_ids(self, machine_ids, concurrency=DEFAULT_CONCURRENCY):
        """Machines by id (a dict; ids that no longer exist are missing): one GET each for a few, else one
        listing of the site."""
        return read_by_ids(machine_ids, self.get, self.list, concurrency)

    def set_maintenance_mode(self, machine_id, enabled):
        send_one(self.client, maintenance_write(machine_id, enabled))

    def power_action(self, machine_id, action, force=False):
        """Start ``$start``, ``$shutdown``, ``$reboot``, ``$suspend`` or ``$resume`` as an async job;
        returns the job id (None if the server answered synchronously)."""
        return send_one(self.client, power_write(machine_id, action, force)).job_id

    def find(self, names=(), machine_ids=(), catalog=None, delivery_group=None, fields=MACHINE_FIELDS,
             concurrency=DEFAULT_CONCURRENCY, all_targets=False):
        """The machines named by targets, in API order, each once; raises NotFoundError listing every name
        or id that matched nothing. A catalog or delivery group: one listing (both: the catalog's, narrowed
        to the group). Names or ids alone: one GET each when there are a few exact ones, else one listing.
        No target at all: every machine of the site, in one listing, only with ``all_targets`` (else an
        InputError, as for an empty name, catalog or group: None means not given)."""
        wanted = [str(n) for n in list(names or ()) + list(machine_ids or ()) if n is not None]
        require_named(wanted + [catalog, delivery_group], all_targets)
        if (wanted and not (catalog or delivery_group) and len(wanted) <= NAME_LOOKUP_LIMIT
                and all(is_exact_reference(w) for w in wanted)):
            values = read_all(wanted, lambda key: self.get(key, fields), concurrency)
            found = [v for v in values if v is not None]
            missing = [key for key, value in zip(wanted, values) if value is None]
        else:
            found = list(self.list(catalog=catalog, delivery_group=None if catalog else delivery_group, fields=fields))
            if catalog and delivery_group:
                found = [m for m in found if in_delivery_groups(m, [delivery_group])]
            missing = []
            if wanted:
                index = _index(found)
                missing = [w for w in wanted if w.lower() not in index]
                chosen = set(id(m) for w in wanted for m in index.get(w.lower(), ()))
                found = [m for m in found if id(m) in chosen]
        if missing:
            scope = ' in %s' % ' / '.join(x for x in (catalog, delivery_group) if x) if (catalog or delivery_group) else ''
            raise errors.NotFoundError('Machines not found%s: %s' % (scope, ', '.join(missing)),
                                       hint='name machines DOMAIN\\NAME as the site shows them, or by id')
        unique, seen = [], set()
        for machine in found:
            if machine.get('Id') not in seen:
                seen.add(machine.get('Id'))
                unique.append(machine)
        return unique

    def apply_maintenance_mode(self, machines, enabled, concurrency=DEFAULT_CONCURRENCY, check_mode=False,
                               max_targets=None, batch=True, batch_size=DEFAULT_BATCH_SIZE):
        """Turn maintenance mode on or off where it differs; one outcome per machine. With ``max_targets``,
        nothing is changed when more machines than that would change. The changes go through ``$batch``
        unless ``batch`` is False (:class:`.batch.BatchWriter`)."""
        fleet = FleetResult('Maintenance mode change')
        for machine in machines:
            before = bool(machine.get('InMaintenanceMode'))
            fleet.add(machine.get('Name'), 'changed' if before != bool(enabled) else 'unchanged', id=machine.get('Id'),
                      in_maintenance_mode_before=before, in_maintenance_mode=bool(enabled), transaction_id=None)
        fleet.check_max_targets(max_targets, 'machines')
        if check_mode:
            return fleet

        def resolve(writes):
            """After a lost answer: a machine already in the mode asked for is done; others get the change again."""
            found = self.by_ids([w.target['id'] for w in writes], concurrency)
            return [_gone(w.target['name']) if w.target['id'] not in found else
                    (WriteOutcome(resolved=True) if bool(found[w.target['id']].get('InMaintenanceMode')) == bool(enabled)
                     else None) for w in writes]

        writes = [maintenance_write(item['id'], enabled, target=item) for item in fleet.with_outcome('changed')]
        BatchWriter(self.client, batch, batch_size, concurrency).apply(
            fleet, writes, resolve, on_failure=lambda item: item.update(in_maintenance_mode=item['in_maintenance_mode_before']))
        return fleet


def maintenance_write(machine_id, enabled, target=None):
    """``PATCH /Machines/{id}`` with ``InMaintenanceMode``."""
    return Write('PATCH', '/Machines/%s' % path_segment(machine_id), 'turn maintenance mode %s' % ('on' if enabled else 'off'),
                 body={'InMaintenanceMode': bool(enabled)}, target=target)


def power_write(machine_id, action, force=False, target=None):
    """A power action as an asynchronous job (``async=true``), without the machine's details in the answer."""
    params = {'async': 'true', 'detailResponseRequired': 'false'}
    if force and action in ('shutdown', 'reboot'):
        params['force'] = 'true'
    return Write('POST', '/Machines/%s/$%s' % (path_segment(machine_id), action), 'send $%s' % action, params=params,
                 target=target)


def _gone(name):
    return WriteOutcome(error=errors.NotFoundError('Machine %s no longer exists' % name))


def _index(machines):
    """Machines by lower-case id, DOMAIN\\NAME and NAME (without the domain)."""
    index = {}
    for machine in machines:
        name = str(machine.get('Name') or '').lower()
        for key in (str(machine.get('Id') or '').lower(), name, name.rsplit('\\', 1)[-1]):
            if key:
                index.setdefault(key, []).append(machine)
    return index


def in_delivery_groups(machine, groups):
    """Whether the machine's delivery group is one of ``groups`` (names or ids, case-insensitive)."""
    group = machine.get('DeliveryGroup') or {}
    keys = set(str(v).lower() for v in (group.get('Name'), group.get('Id')) if v)
    return bool(keys & set(g.lower() for g in groups))


def filter_machines(machines, only_idle=False, skip_maintenance_mode=False, registration_state=None):
    """``(kept, left_out)``. Idle means a SessionCount of exactly 0 (an unknown count is not idle)."""
    states = set(s.lower() for s in registration_state or ())
    kept, left_out = [], []
    for machine in machines:
        if ((only_idle and machine.get('SessionCount') != 0)
                or (skip_maintenance_mode and machine.get('InMaintenanceMode'))
                or (states and str(machine.get('RegistrationState') or '').lower() not in states)):
            left_out.append(machine)
        else:
            kept.append(machine)
    return kept, left_out


def machine_facts(machine):
    """A machine as modules and the inventory report it: flat, snake_case, references by name."""
    catalog = machine.get('MachineCatalog') or {}
    group = machine.get('DeliveryGroup') or {}
    return {
        'id': machine.get('Id'), 'name': machine.get('Name'), 'dns_name': machine.get('DnsName'),
        'ip_address': machine.get('IPAddress'), 'catalog': catalog.get('Name'), 'catalog_id': catalog.get('Id'),
        'delivery_group': group.get('Name'), 'delivery_group_id': group.get('Id'),
        'zone': ref_name(machine.get('Zone')), 'power_state': machine.get('PowerState'),
        'power_action_pending': machine.get('PowerActionPending'),
        'supported_power_actions': machine.get('SupportedPowerActions') or [],
        'session_count': machine.get('SessionCount'), 'in_maintenance_mode': machine.get('InMaintenanceMode'),
        'registration_state': machine.get('RegistrationState'), 'summary_state': machine.get('SummaryState'),
        'session_support': machine.get('SessionSupport'), 'os_type': machine.get('OSType'),
        'machine_type': machine.get('MachineType'), 'allocation_type': machine.get('AllocationType'),
    }
