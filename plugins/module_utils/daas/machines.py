# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The machines of a DaaS site: listings (of the site, a catalog, a delivery group or a tag), single reads,
maintenance mode and power actions (as :class:`.batch.Write` requests); finding the machines a task names,
the client-side filters, the flat facts modules and the inventory report, and maintenance mode and tags
applied to a fleet."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.opencitrix.automation.plugins.module_utils import errors
from ansible_collections.opencitrix.automation.plugins.module_utils.daas.batch import (
    DEFAULT_BATCH_SIZE, BatchWriter, Write, WriteOutcome, send_one,
)
from ansible_collections.opencitrix.automation.plugins.module_utils.daas.client import (
    DEFAULT_CONCURRENCY, NAME_LOOKUP_LIMIT, is_exact_reference, path_segment, read_all, read_by_ids, ref_name,
)
from ansible_collections.opencitrix.automation.plugins.module_utils.daas.tags import (
    Tags, desired_tags, has_tag, machine_tags_write, same_tags,
)
from ansible_collections.opencitrix.automation.plugins.module_utils.results import FleetResult
from ansible_collections.opencitrix.automation.plugins.module_utils.targets import require_named

# The properties machine listings ask for (``fields``), and what results and inventories report.
MACHINE_FIELDS = ('Id', 'Name', 'DnsName', 'IPAddress', 'MachineCatalog', 'DeliveryGroup', 'Zone', 'PowerState',
                  'PowerActionPending', 'SupportedPowerActions', 'SessionCount', 'InMaintenanceMode',
                  'RegistrationState', 'SummaryState', 'SessionSupport', 'OSType', 'MachineType', 'AllocationType',
                  'Tags')


class Machines:
    """The machines of the client's site."""

    def __init__(self, client):
        self.client = client

    def pages(self, catalog=None, delivery_group=None, fields=MACHINE_FIELDS, tag=None):
        """The raw pages of a machine listing: of the site, one catalog, one delivery group or one tag (by
        name or id)."""
        if catalog:
            return self.client.pages('/MachineCatalogs/%s/Machines' % path_segment(catalog),
                                     'list the machines of catalog "%s"' % catalog, fields)
        if delivery_group:
            # This operation takes no ``fields`` (only limit and continuationToken): its answer carries every
            # property of each machine.
            return self.client.pages('/DeliveryGroups/%s/Machines' % path_segment(delivery_group),
                                     'list the machines of delivery group "%s"' % delivery_group)
        if tag:
            return self.client.pages('/Tags/%s/Machines' % path_segment(tag), 'list the machines tagged "%s"' % tag,
                                     fields)
        return self.client.pages('/Machines', 'list the machines of the site', fields)

    def list(self, catalog=None, delivery_group=None, fields=MACHINE_FIELDS, tag=None):
        """Machines of the site, of one catalog, of one delivery group or with one tag."""
        for body in self.pages(catalog, delivery_group, fields, tag):
            yield from body['Items']

    def get(self, name_or_id, fields=MACHINE_FIELDS):
        """One machine, or None when there is no such machine."""
        try:
            return self.client.call('GET', '/Machines/%s' % path_segment(name_or_id), 'read machine "%s"' % name_or_id,
                                    params={'fields': ','.join(fields)} if fields else None)
        except errors.NotFoundError:
            return None

    def by_ids(self, machine_ids, concurrency=DEFAULT_CONCURRENCY, fields=MACHINE_FIELDS):
        """Machines by id (a dict; ids that no longer exist are missing): one GET each for a few, else one
        listing of the site."""
        return read_by_ids(machine_ids, lambda key: self.get(key, fields), lambda: self.list(fields=fields), concurrency)

    def set_maintenance_mode(self, machine_id, enabled):
        send_one(self.client, maintenance_write(machine_id, enabled))

    def power_action(self, machine_id, action, force=False):
        """Start ``$start``, ``$shutdown``, ``$reboot``, ``$suspend`` or ``$resume`` as an async job;
        returns the job id (None if the server answered synchronously)."""
        return send_one(self.client, power_write(machine_id, action, force)).job_id

    def find(self, names=(), machine_ids=(), catalog=None, delivery_group=None, fields=MACHINE_FIELDS,
             concurrency=DEFAULT_CONCURRENCY, all_targets=False, tag=None):
        """The machines named by targets, in API order, each once; raises NotFoundError listing every name
        or id that matched nothing. A catalog, delivery group or tag: one listing (the catalog's, else the
        group's, else the tag's, narrowed to the others given). Names or ids alone: one GET each when there
        are a few exact ones, else one listing. No target at all: every machine of the site, in one listing,
        only with ``all_targets`` (else an InputError, as for an empty name, catalog, group or tag: None
        means not given)."""
        wanted = [str(n) for n in list(names or ()) + list(machine_ids or ()) if n is not None]
        require_named(wanted + [catalog, delivery_group, tag], all_targets)
        if (wanted and not (catalog or delivery_group or tag) and len(wanted) <= NAME_LOOKUP_LIMIT
                and all(is_exact_reference(w) for w in wanted)):
            values = read_all(wanted, lambda key: self.get(key, fields), concurrency)
            found = [v for v in values if v is not None]
            missing = [key for key, value in zip(wanted, values) if value is None]
        else:
            found = list(self.list(catalog=catalog, delivery_group=None if catalog else delivery_group, fields=fields,
                                   tag=None if (catalog or delivery_group) else tag))
            if catalog and delivery_group:
                found = [m for m in found if in_delivery_groups(m, [delivery_group])]
            if tag and (catalog or delivery_group):
                found = [m for m in found if has_tag(m, tag)]
            missing = []
            if wanted:
                index = _index(found)
                missing = [w for w in wanted if w.lower() not in index]
                chosen = set(id(m) for w in wanted for m in index.get(w.lower(), ()))
                found = [m for m in found if id(m) in chosen]
        if missing:
            scopes = [x for x in (catalog, delivery_group, 'tag ' + tag if tag else None) if x]
            scope = ' in %s' % ' / '.join(scopes) if scopes else ''
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
        return self.apply_settings(machines, maintenance_mode=enabled, concurrency=concurrency, check_mode=check_mode,
                                   max_targets=max_targets, batch=batch, batch_size=batch_size)

    def apply_settings(self, machines, maintenance_mode=None, tags=None, tags_state='present',
                       concurrency=DEFAULT_CONCURRENCY, check_mode=False, max_targets=None, batch=True,
                       batch_size=DEFAULT_BATCH_SIZE):
        """Bring maintenance mode (None: leave it) and tags (None: leave them; ``tags_state`` present,
        absent or exact) to what is asked, where they differ; one outcome per machine, with
        ``in_maintenance_mode_before`` / ``in_maintenance_mode`` and ``tags_before`` / ``tags``. Tags the
        site lacks are created first, once each (``fleet.tags_created``; in check mode, those it would
        create). With ``max_targets``, nothing is changed when more machines than that would change.
        Tags and maintenance mode go through ``$batch`` unless ``batch`` is False. Tags change before
        maintenance mode is turned on and after it is turned off (a machine never shows maintenance mode
        without the tags that came with it); a machine whose first change failed does not get the second."""
        if tags is None:
            what = 'Maintenance mode change'
        else:
            what = 'Tag change' if maintenance_mode is None else 'Maintenance mode and tag change'
        fleet = FleetResult(what)
        for machine in machines:
            before = bool(machine.get('InMaintenanceMode'))
            after = before if maintenance_mode is None else bool(maintenance_mode)
            current = list(machine.get('Tags') or [])
            wanted = current if tags is None else desired_tags(current, tags, tags_state)
            changed = before != after or not same_tags(current, wanted)
            fleet.add(machine.get('Name'), 'changed' if changed else 'unchanged', id=machine.get('Id'),
                      in_maintenance_mode_before=before, in_maintenance_mode=after, tags_before=current, tags=wanted,
                      transaction_id=None)
        fleet.check_max_targets(max_targets, 'machines')
        fleet.tags_created = []
        changing = fleet.with_outcome('changed')
        needed = [t for item in changing for t in item['tags'] if not same_tags(item['tags'], item['tags_before'])]
        if needed and tags_state != 'absent':
            fleet.tags_created = Tags(self.client).ensure(needed, check_mode=check_mode)
        if check_mode:
            return fleet

        def resolve(writes):
            """After a lost answer: a machine that shows what was asked is done; others get the write again."""
            found = self.by_ids([w.target['id'] for w in writes], concurrency)
            return [gone(w.target['name']) if w.target['id'] not in found else
                    (WriteOutcome(resolved=True) if _shows(found[w.target['id']], w) else None) for w in writes]

        def tagging():
            return [machine_tags_write(item['id'], item['tags'], target=item) for item in fleet.with_outcome('changed')
                    if not same_tags(item['tags_before'], item['tags'])]

        def switching():
            return [maintenance_write(item['id'], item['in_maintenance_mode'], target=item)
                    for item in fleet.with_outcome('changed')
                    if item['in_maintenance_mode_before'] != item['in_maintenance_mode']]

        # the first change's failure leaves the machine as it was; the second's, with the first done
        steps = [(tagging, _undo_settings), (switching, lambda item: item.update(
            in_maintenance_mode=item['in_maintenance_mode_before']))]
        if maintenance_mode is False:
            steps = [(switching, _undo_settings), (tagging, lambda item: item.update(tags=item['tags_before']))]
        batch_now = batch
        for writes, undo in steps:
            # a writer per step, each starting as the last ended: a site without $batch is tried (and warned
            # about) once
            writer = BatchWriter(self.client, batch_now, batch_size, concurrency)
            writer.apply(fleet, writes(), resolve, on_failure=undo)
            batch_now = writer.batch
        return fleet


def _shows(machine, write):
    """Whether a machine already shows what ``write`` (tags or maintenance mode) asks for."""
    if 'InMaintenanceMode' in write.body:
        return bool(machine.get('InMaintenanceMode')) == write.body['InMaintenanceMode']
    return same_tags(machine.get('Tags'), write.body['Items'])


def _undo_settings(item):
    """After a failure, an item reports what the machine is known to have had (the failed write's part)."""
    item.update(in_maintenance_mode=item['in_maintenance_mode_before'], tags=item['tags_before'])


def settings_diff(fleet, maintenance=True, tags=True):
    """``--diff`` of :meth:`Machines.apply_settings`: the maintenance mode and/or tags of the machines that
    change, before and after."""
    before, after = {}, {}
    if maintenance:
        b, a = fleet.diff('in_maintenance_mode', 'in_maintenance_mode_before', 'in_maintenance_mode')
        before.update(b)
        after.update(a)
    if tags:
        b, a = fleet.diff('tags', 'tags_before', 'tags')
        before.update(b)
        after.update(a)
    return before, after


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


def gone(name):
    """The outcome of a write to a machine that no longer exists."""
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


def finder(machines):
    """``find(key, required=True)``: the machine of ``machines`` whose id, ``DOMAIN\\NAME`` or ``NAME`` is ``key``
    (case-insensitive); NotFoundError when ``required`` and there is none, else None. The machines are indexed
    once, for every lookup."""
    index = _index(machines)

    def find(key, required=True):
        found = index.get(str(key).lower())
        if found:
            return found[0]
        if required:
            raise errors.NotFoundError('Machine not found: %s' % key,
                                       hint='name machines DOMAIN\\NAME as the site shows them, or by id')
        return None
    return find


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
        'tags': sorted(machine.get('Tags') or []),
    }
