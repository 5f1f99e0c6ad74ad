# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Desired state of one XenServer VM: present, absent or a power state, with its settings (name,
description, vCPUs and cores per socket, memory, tags, other_config, xenstore data, home server,
:mod:`.vm_settings`) and devices (disks, NICs, CD drive, :mod:`.vm_devices`). Computes before/after
first, so check mode and ``--diff`` come from the same plan the real run executes; only what differs is
written. The outcome is a :class:`results.Change` (before/after: the settings and devices; ``actions``
and the ``vm`` facts in its result).

A missing VM is created as :mod:`.vm_create` describes: copy or clone, provision, then every setting
and device below, and only then its name. Changes that need the VM halted (vCPUs, cores per socket,
memory, growing or removing a disk, replacing or removing a NIC, a new CD drive, and new devices of a
paused or suspended VM) fail before anything is changed, saying which, unless the task halts the VM
anyway (``state: halted``) or may (``halt_for_changes``: shut down, change, then back to the power state
it had or the one asked for).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.opencitrix.automation.plugins.module_utils import errors
from ansible_collections.opencitrix.automation.plugins.module_utils.results import Change
from ansible_collections.opencitrix.automation.plugins.module_utils.xenserver.session import NULL_REF
from ansible_collections.opencitrix.automation.plugins.module_utils.xenserver.vm import VmFacts, one
from ansible_collections.opencitrix.automation.plugins.module_utils.xenserver.vm_create import (
    STEPPED_BACK, VmCreation, creating_name,
)
from ansible_collections.opencitrix.automation.plugins.module_utils.xenserver.vm_devices import (
    DevicePlan, PoolObjects, current_devices,
)
from ansible_collections.opencitrix.automation.plugins.module_utils.xenserver.vm_power import (
    VmPower, final_state, power_steps,
)
from ansible_collections.opencitrix.automation.plugins.module_utils.xenserver.vm_settings import (
    HALTED_ONLY, SettingsWriter, changed_settings, check_params, desired_settings, settings_of,
)

POWER_STATES = ('running', 'halted', 'suspended', 'paused', 'restarted')
PLANNED = 'OpaqueRef:planned'
DEVICE_OPTIONS = ('disks', 'networks', 'cdrom')


class VmState:
    """Brings one VM to the state the module's parameters describe."""

    def __init__(self, session, check_mode=False, log=None):
        self.session = session
        self.facts = VmFacts(session)
        self.check_mode = check_mode
        self.log = log or (lambda message: None)
        self.actions = []
        self.power = VmPower(session, check_mode, self._note)
        self.creation = VmCreation(session, self.facts, check_mode, self._note, self.log)
        self.provision_srs = {}

    def _note(self, action):
        self.actions.append(action)
        self.log(action)

    def ensure(self, params):
        """A :class:`results.Change` bringing the VM of ``params`` (the module's options) to its state."""
        check_params(params)
        found, leftovers = self.creation.look_up(params)
        ref, record = one(found, params.get('uuid') or params.get('name'))
        if params['state'] == 'absent':
            before = settings_of(record, params, {}) if ref else None
            changed = self.creation.absent(ref, record, leftovers, params)
            return Change(changed, before=before, after=None, actions=self.actions)
        pool = PoolObjects(self.session)
        pool.check_names(params)
        created = ref is None
        copy_sr = self._copy_sr(params, pool) if created else None
        if created:
            validate = None if self.check_mode else (lambda planned: self._validate(planned, params, pool, copy_sr))
            ref, record = self.creation.create(params, leftovers, copy_sr=copy_sr, validate=validate)
        try:
            return self._converge(ref, record, created, params, pool, copy_sr)
        except Exception as exc:
            if created and ref is not None and not self.check_mode \
                    and not self.creation.abandon(ref, params['name'], exc, params) \
                    and isinstance(exc, errors.CitrixError) and exc.code == STEPPED_BACK:
                exc.hint = 'removing the VM this task had made failed too; the next run for VM %s removes it' % params['name']
                exc.args = (exc.render(),)
            raise

    @staticmethod
    def _copy_sr(params, pool):
        """For a full copy (``linked_clone: false``): the storage repository of the first disk, else the
        pool's default (NULL: the disks' own)."""
        if params.get('linked_clone', True):
            return None
        first = (params.get('disks') or [{}])[0]
        if first.get('sr') or first.get('sr_uuid'):
            return pool.sr(first.get('sr'), first.get('sr_uuid'), 'disks[0]')
        return pool.default_sr()

    def _plan(self, ref, record, created, params, pool, copy_sr=None):
        """``(before, after, devices)`` for VM ``record`` (with ``created``, the VM being made; in check mode
        ``ref`` is None and ``record`` the source's, whose disks a full copy puts on ``copy_sr``)."""
        home = None
        if params.get('home_server') is not None:
            home = pool.name(pool.host(params['home_server'])) if params['home_server'] else ''
        before = settings_of(record, params, pool.hosts())
        if created:
            before['name'] = params['name']
        after = desired_settings(before, params, home)
        related = self.facts.related({ref or PLANNED: record}) if any(
            params.get(option) is not None for option in DEVICE_OPTIONS) else {}
        current = current_devices(record, related, provision=created and ref is None and bool(record.get('is_a_template')))
        if created and ref is None:
            self.provision_srs = self._place_planned_disks(current[0], params, pool, copy_sr)
        devices = DevicePlan(after['name'], before['power_state'], current, pool, params,
                             label=creating_name(params['name']) if created else None)
        before.update(devices.before)
        after.update(devices.after)
        return before, after, devices

    def _validate(self, planned, params, pool, copy_sr):
        """Plan the VM about to be made from its source's record ``planned``, failing on input that cannot
        apply to it; ``{device: SR UUID}`` of the disks provisioning must put elsewhere than it would."""
        self._plan(None, planned, True, params, pool, copy_sr)
        return self.provision_srs

    @staticmethod
    def _place_planned_disks(disks, params, pool, copy_sr):
        """Where the disks of a VM about to be made will be: a full copy's on ``copy_sr``; those provisioning
        makes on the storage repository of their ``disks`` entry, else ``copy_sr``, else the one the template
        names, else the pool's default. ``{device: SR UUID}`` of the disks provisioning makes where the
        template would not put them."""
        entries = params.get('disks') or []
        copying = copy_sr not in (None, NULL_REF)
        placed = {}
        for position, disk in enumerate(disks):
            entry = entries[position] if position < len(entries) else {}
            if disk['vbd'] is not None:
                disk['sr'] = copy_sr if copying else disk['sr']
                continue
            default = pool.sr_of_uuid(disk['sr_uuid']) or pool.default_sr()
            if entry.get('sr') or entry.get('sr_uuid'):
                disk['sr'] = pool.sr(entry.get('sr'), entry.get('sr_uuid'), 'disks[%d]' % position)
            else:
                disk['sr'] = copy_sr if copying else default
            if disk['sr'] != default:
                placed[disk['device']] = pool.sr_uuid(disk['sr'])
        return placed

    def _converge(self, ref, record, created, params, pool, copy_sr=None):
        before, after, devices = self._plan(ref, record, created, params, pool, copy_sr)
        name = after['name']
        power = before['power_state']
        state = params['state']
        changes = changed_settings(before, after)
        steps = power_steps(name, power, state)
        halted_for = [k for k in changes if k in HALTED_ONLY] + devices.needs_halted() if power != 'halted' else []
        goal = final_state(state) if state in POWER_STATES else power
        first, last = [], steps
        if halted_for and 'shutdown' in steps:
            first, last = steps, []
        elif halted_for and params.get('halt_for_changes'):
            if state not in POWER_STATES:
                goal = 'running' if power in ('running', 'paused') else 'halted'
            first, last = power_steps(name, power, 'halted'), power_steps(name, 'halted', goal)
        elif halted_for:
            raise self._needs_halted(name, power, halted_for)
        after['power_state'] = goal
        self.power.run(ref, name, first, params)
        if first:
            devices.power = 'halted'
        hosts = dict((rec.get('name_label'), r) for r, rec in pool.hosts().items())
        SettingsWriter(self._write, self._note, hosts).write(ref, record, before, after, changes)
        for step in devices.steps:
            self._note(step.action)
        if not self.check_mode:
            devices.apply(self.session, ref, params['timeout'])
            if created:
                # Naming the VM must stay the last step of creating it: a VM called ``name`` is complete.
                devices.name_disks()
                self.creation.claim_name(ref, record.get('uuid'), name)
        self.power.run(ref, name, last, params)
        result = {'actions': self.actions}
        if ref is not None and not self.check_mode:
            if params.get('wait_for_ip') and after['power_state'] == 'running':
                self.power.wait_for_ip(ref, name, params['timeout'])
            result['vm'] = self.facts.summaries({ref: self.creation.record(ref)})[0]
        elif not created:
            result['vm'] = self.facts.summaries({ref: record})[0]
        changed = created or bool(changes) or bool(first) or bool(last) or bool(devices.steps)
        return Change(changed, before=None if created else before, after=after, **result)

    @staticmethod
    def _needs_halted(name, power, needs):
        hardware = [k for k in needs if k in HALTED_ONLY]
        devices = [k for k in needs if k not in HALTED_ONLY]
        changes = (['change %s of VM %s' % (' and '.join(hardware), name)] if hardware else []) + devices
        return errors.ConflictError(
            'Could not ' + '; '.join(changes),
            api_message='VM %s is %s; %s needs it halted' % (
                name, power, 'changing vCPUs or memory' if not devices else 'each of these changes'),
            hint='use state: halted in this task (then start it in another), set halt_for_changes: true, '
                 'or shut it down first')

    def _write(self, method, *args, **kwargs):
        """A call that changes the pool; skipped in check mode."""
        if not self.check_mode:
            self.session.call(method, *args, **kwargs)
            if method == 'VM.set_name_label':
                self.session.names[args[0]] = args[1]
