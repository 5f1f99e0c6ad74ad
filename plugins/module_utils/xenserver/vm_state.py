# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Desired state of one XenServer VM: present, absent or a power state, with its name, description,
vCPUs, memory, tags and other_config. Computes before/after first, so check mode and ``--diff`` come
from the same plan the real run executes; only what differs is written. The outcome is a
:class:`results.Change` (before/after: the settings; ``actions`` and the ``vm`` facts in its result).

A missing VM is created under a temporary name, ``<name> [creating by opencitrix.automation]``, and
gets its name only once complete, as the last step; until then neither a ``name:`` nor a ``template:``
lookup finds it. A run that dies half-way leaves that temporary VM behind: the next run for the same
name finds it in the look-up it makes anyway and removes it (with the disks only it uses) before
creating the VM again, rather than adopt a VM whose state it cannot know; ``state: absent`` removes it
too. Two runs creating the same VM at the same time never leave two VMs of that name: before naming
its VM, a run looks for a VM of that name and for other VMs being created under it (the one with the
lowest UUID goes first), and after naming it, for another VM of that name again; a run that finds one
removes its own VM and fails saying why.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import re

from ansible_collections.opencitrix.automation.plugins.module_utils import errors
from ansible_collections.opencitrix.automation.plugins.module_utils.results import Change
from ansible_collections.opencitrix.automation.plugins.module_utils.xenserver.faults import kind
from ansible_collections.opencitrix.automation.plugins.module_utils.xenserver.session import (
    NULL_REF, is_reference, quote,
)
from ansible_collections.opencitrix.automation.plugins.module_utils.xenserver.vm import (
    MIB, ORDINARY_VMS, VmFacts, as_int, guest_addresses, one,
)

UUID = re.compile(r'^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$')
SETTINGS = ('name', 'description', 'vcpus', 'memory_mb', 'tags', 'other_config')
CREATING = ' [creating by opencitrix.automation]'
STEPPED_BACK = 'NAME_TAKEN'  # the code of the error of a run that gave way to another creating the same VM
NOT_SNAPSHOT_OR_DOM0 = 'field "is_a_snapshot"="false" and field "is_control_domain"="false"'
HALTED_ONLY = ('vcpus', 'memory_mb')

# From power state to desired state: the steps, gentlest first. "shutdown" and "reboot" are clean
# operations that fall back to hard ones only with force.
POWER_STEPS = {
    'running': {'halted': ['start'], 'suspended': ['resume'], 'paused': ['unpause'], 'running': []},
    'halted': {'running': ['shutdown'], 'paused': ['unpause', 'shutdown'], 'suspended': ['resume', 'shutdown'],
               'halted': []},
    'suspended': {'running': ['suspend'], 'paused': ['unpause', 'suspend'], 'suspended': []},
    'paused': {'running': ['pause'], 'halted': ['start_paused'], 'suspended': ['resume_paused'], 'paused': []},
    'restarted': {'running': ['reboot'], 'halted': ['start'], 'paused': ['unpause', 'reboot'],
                  'suspended': ['resume', 'reboot']},
}
STEP_CALLS = {
    'start': ('VM.start', (False, False), 'start'), 'start_paused': ('VM.start', (True, False), 'start (paused)'),
    'resume': ('VM.resume', (False, False), 'resume'), 'resume_paused': ('VM.resume', (True, False), 'resume (paused)'),
    'unpause': ('VM.unpause', (), 'unpause'), 'pause': ('VM.pause', (), 'pause'), 'suspend': ('VM.suspend', (), 'suspend'),
    'hard_shutdown': ('VM.hard_shutdown', (), 'power off'), 'hard_reboot': ('VM.hard_reboot', (), 'hard-reboot'),
}
CLEAN_STEPS = {'shutdown': ('clean_shutdown', 'hard_shutdown', 'shut down'),
               'reboot': ('clean_reboot', 'hard_reboot', 'reboot')}


def settings_of(record, other_config_keys=()):
    """The managed settings of a VM record, in the units the module uses."""
    other = record.get('other_config') or {}
    return {
        'name': record.get('name_label'), 'description': record.get('name_description'),
        'vcpus': as_int(record.get('VCPUs_at_startup')), 'memory_mb': as_int(record.get('memory_static_max')) // MIB,
        'tags': sorted(record.get('tags') or []),
        'other_config': {k: other[k] for k in sorted(other_config_keys) if k in other},
        'power_state': str(record.get('power_state', 'halted')).lower(),
    }


def desired_settings(current, params):
    after = copy.deepcopy(current)
    if params.get('uuid') and params.get('name'):
        after['name'] = params['name']
    for key, option in (('description', 'description'), ('vcpus', 'vcpus'), ('memory_mb', 'memory_mb')):
        if params.get(option) is not None:
            after[key] = params[option]
    if params.get('tags') is not None:
        after['tags'] = sorted(set(params['tags']))
    for key, value in (params.get('other_config') or {}).items():
        if value is None:
            after['other_config'].pop(key, None)
        else:
            after['other_config'][key] = str(value)
    state = params['state']
    if state in ('running', 'halted', 'suspended', 'paused'):
        after['power_state'] = state
    elif state == 'restarted':
        after['power_state'] = 'running'
    return after


def power_steps(name, current, state):
    if state in ('present', 'absent'):
        return []
    steps = POWER_STEPS[state].get(current)
    if steps is None:
        raise errors.InputError('VM %s is %s and cannot become %s directly' % (name, current, state),
                                hint='start it first (state: running), then set state: %s' % state)
    return list(steps)


def creating_name(name):
    """The name of a VM while this collection creates it."""
    return name + CREATING


class VmState:
    """Brings one VM to the state the module's parameters describe."""

    def __init__(self, session, check_mode=False, log=None):
        self.session = session
        self.facts = VmFacts(session)
        self.check_mode = check_mode
        self.log = log or (lambda message: None)
        self.actions = []

    def ensure(self, params):
        """A :class:`results.Change` bringing the VM of ``params`` (the module's options) to its state."""
        for option in HALTED_ONLY:
            if params.get(option) is not None and params[option] < 1:
                raise errors.InputError('Invalid %s %s: it must be at least 1' % (option, params[option]))
        found, leftovers = self._look_up(params)
        ref, record = one(found, params.get('uuid') or params.get('name'))
        if params['state'] == 'absent':
            return self._absent(ref, record, leftovers, params)
        created = ref is None
        if created:
            ref, record = self._create(params, leftovers)
        keys = list((params.get('other_config') or {}).keys())
        before = settings_of(record, keys)
        if created:
            before['name'] = params['name']
        after = desired_settings(before, params)
        name = after['name']
        steps = power_steps(name, before['power_state'], params['state'])
        changes = [k for k in SETTINGS if before[k] != after[k]]
        halted_first = 'shutdown' in steps
        if any(k in HALTED_ONLY for k in changes) and before['power_state'] != 'halted' and not halted_first:
            raise errors.ConflictError(
                'Could not change %s of VM %s' % (' and '.join(k for k in changes if k in HALTED_ONLY), name),
                api_message='VM %s is %s; changing vCPUs or memory needs it halted' % (name, before['power_state']),
                hint='use state: halted in this task (then start it in another), or shut it down first')
        if halted_first:
            self._power(ref, name, steps, params)
        try:
            self._configure(ref, record, before, after, changes)
            if created and not self.check_mode:
                # Naming the VM must stay the last step of creating it: a VM called ``name`` is complete.
                self._claim_name(ref, record.get('uuid'), name)
        except Exception as exc:
            if created and not self.check_mode and not self._abandon(ref, name, exc, params) \
                    and isinstance(exc, errors.CitrixError) and exc.code == STEPPED_BACK:
                exc.hint = 'removing the VM this task had made failed too; the next run for VM %s removes it' % name
                exc.args = (exc.render(),)
            raise
        if not halted_first:
            self._power(ref, name, steps, params)
        result = {'actions': self.actions}
        if ref is not None and not self.check_mode:
            if params.get('wait_for_ip') and after['power_state'] == 'running':
                self.wait_for_ip(ref, name, params['timeout'])
            result['vm'] = self.facts.summaries({ref: self._record(ref)})[0]
        elif not created:
            result['vm'] = self.facts.summaries({ref: record})[0]
        return Change(created or bool(changes) or bool(steps), before=None if created else before, after=after, **result)

    # -- steps ----------------------------------------------------------------------------------

    def _note(self, action):
        self.actions.append(action)
        self.log(action)

    def _look_up(self, params):
        """``(found, leftovers)``: ``{ref: record}`` of the VM ``params`` name (by UUID, or the ordinary
        VMs of that name) and of what interrupted creations of that name left, in one call."""
        if params.get('uuid'):
            return self.facts.find(uuid=params['uuid']), {}
        return self._named(params['name'])

    def _named(self, name):
        """``(found, creating)``: the ordinary VMs called ``name``, and the VMs called like one being
        created under that name."""
        expression = '(field "name_label"=%s and %s) or (field "name_label"=%s and %s)' % (
            quote(name), ORDINARY_VMS, quote(creating_name(name)), NOT_SNAPSHOT_OR_DOM0)
        records = self.session.all_records('VM', expression, what='look up VM %s' % name)
        found = dict((r, v) for r, v in records.items() if v.get('name_label') == name)
        return found, dict((r, v) for r, v in records.items() if r not in found)

    def _record(self, ref):
        record = self.session.fetch([('VM', ref)], what='read VM %s' % self.session.names.get(ref, ref)).get(ref)
        if record is None:
            raise errors.NotFoundError('VM %s disappeared' % self.session.names.get(ref, ref),
                                       hint='another client deleted it; run again')
        return record

    def _create(self, params, leftovers):
        name = params.get('name')
        source_label = params.get('template')
        if params.get('uuid'):
            raise errors.NotFoundError('No VM with UUID %s' % params['uuid'],
                                       hint='a UUID identifies an existing VM; use name and template to create one')
        if not source_label:
            raise errors.NotFoundError('No VM called "%s"' % name, hint='set template to create it')
        if UUID.match(source_label):
            found = self.facts.find(uuid=source_label, templates=True)
        else:
            found = self.facts.find(name=source_label, templates=True)
        source_ref, source = one(found, source_label, 'template or VM')
        if source_ref is None:
            raise errors.NotFoundError('No template or VM called "%s" to clone VM %s from' % (source_label, name),
                                       hint='check template (a template name or UUID, or a halted VM)')
        template = bool(source.get('is_a_template'))
        if not template and source.get('power_state') != 'Halted':
            raise errors.ConflictError('Could not create VM %s from %s' % (name, source_label),
                                       api_message='VM %s is %s; cloning needs it halted' % (
                                           source_label, str(source.get('power_state')).lower()))
        self._remove_leftovers(name, leftovers, params)
        self._note('clone %s %s into VM %s' % ('template' if template else 'VM', source_label, name))
        if self.check_mode:
            planned = dict(source, name_label=name, is_a_template=False, power_state='Halted', tags=source.get('tags') or [])
            return None, planned
        temporary = creating_name(name)
        what = 'clone %s into VM %s' % (source_label, name)
        ref = self.session.run_task('VM.clone', source_ref, temporary, what=what, timeout=params['timeout'])
        if not is_reference(ref):
            raise errors.ResponseFormatError('Could not ' + what, url=self.session.where,
                                             api_message='the clone task returned %s, not a VM reference' % kind(ref))
        self.session.names[ref] = temporary
        self.log('created VM "%s"; it is called %s once complete' % (temporary, name))
        try:
            if template:
                self._note('provision VM %s (create its disks)' % name)
                self.session.run_task('VM.provision', ref, what='provision the disks of VM %s' % name,
                                      timeout=params['timeout'])
            return ref, self._record(ref)
        except Exception as exc:
            self._abandon(ref, name, exc, params)
            raise

    def _claim_name(self, ref, uuid, name):
        """Call the new VM ``ref`` (UUID ``uuid``) ``name``, unless another VM of that name appeared
        meanwhile, before or after the rename. Of runs creating VMs of that name at the same time, the
        one whose VM has the lowest UUID names it; the others step back."""
        found, creating = self._named(name)
        self._name_is_free(ref, name, found)
        rivals = sorted(vm.get('uuid') for other, vm in creating.items() if other != ref and vm.get('uuid') < uuid)
        if rivals:
            raise errors.ConflictError(
                'Could not create VM %s' % name, code=STEPPED_BACK,
                api_message='another run is creating VM %s at the same time (its VM "%s" has UUID %s)' % (
                    name, creating_name(name), rivals[0]),
                hint='this task removed the VM it had made; run again once that run has finished')
        self.session.call('VM.set_name_label', ref, name, what='name the new VM %s' % name)
        self.session.names[ref] = name
        self._name_is_free(ref, name, self.facts.find(name=name))

    @staticmethod
    def _name_is_free(ref, name, found):
        others = [vm for other, vm in found.items() if other != ref]
        if others:
            raise errors.ConflictError(
                'Could not create VM %s' % name, code=STEPPED_BACK,
                api_message='another VM called %s (UUID %s) appeared while this task created one, probably made by a '
                            'run at the same time' % (name, others[0].get('uuid')),
                hint='this task removed the VM it had made; run again to act on the existing VM')

    def _abandon(self, ref, name, exc, params):
        """Remove the VM this task started creating after ``exc`` stopped it; best effort (a later run
        removes what remains)."""
        self.log('creating VM %s failed (%s); removing the VM this task made' % (name, type(exc).__name__))
        try:
            self._destroy(ref, self._record(ref), creating_name(name), params)
            return True
        except errors.CitrixError as failure:
            self.log('could not remove VM "%s" (%s); the next run for VM %s removes it' % (
                creating_name(name), failure.code or type(failure).__name__, name))
            return False

    def _remove_leftovers(self, name, leftovers, params):
        """Remove the VMs interrupted creations of VM ``name`` left behind."""
        for ref, record in sorted(leftovers.items()):
            label = record.get('name_label')
            self._note('remove VM "%s" left by an interrupted run' % label)
            if self.check_mode:
                continue
            try:
                self._destroy(ref, record, label, params)
            except errors.NotFoundError:
                self.log('VM "%s" is gone already' % label)
            except errors.ConflictError as exc:
                raise errors.ConflictError(
                    'Could not create VM %s' % name, code=exc.code,
                    api_message='VM "%s" is busy (%s): another run is probably creating VM %s now' % (
                        label, exc.api_message, name),
                    hint='run again once that run has finished')

    def _write(self, method, *args, **kwargs):
        """A call that changes the pool; skipped in check mode."""
        if not self.check_mode:
            self.session.call(method, *args, **kwargs)

    def _configure(self, ref, record, before, after, changes):
        call = self._write
        name = after['name']
        if 'name' in changes:
            self._note('rename VM %s to %s' % (before['name'], name))
            call('VM.set_name_label', ref, name, what='rename VM %s' % before['name'])
            self.session.names[ref] = name
        if 'description' in changes:
            self._note('set the description of VM %s' % name)
            call('VM.set_name_description', ref, after['description'], what='set the description of VM %s' % name)
        if 'vcpus' in changes:
            value = str(after['vcpus'])
            order = ['VM.set_VCPUs_max', 'VM.set_VCPUs_at_startup']
            if after['vcpus'] < before['vcpus']:
                order.reverse()
            self._note('set %s vCPUs on VM %s' % (value, name))
            for method in order:
                call(method, ref, value, what='set the vCPUs of VM %s' % name)
        if 'memory_mb' in changes:
            value = after['memory_mb'] * MIB
            static_min = min(as_int(record.get('memory_static_min')), value)
            self._note('set %d MiB of memory on VM %s' % (after['memory_mb'], name))
            call('VM.set_memory_limits', ref, str(static_min), str(value), str(value), str(value),
                 what='set the memory of VM %s' % name)
        if 'tags' in changes:
            self._note('set the tags of VM %s' % name)
            call('VM.set_tags', ref, after['tags'], what='set the tags of VM %s' % name)
        if 'other_config' in changes:
            self._note('update other_config of VM %s' % name)
            current = record.get('other_config') or {}
            for key in sorted(set(before['other_config']) | set(after['other_config'])):
                new = after['other_config'].get(key)
                if new == before['other_config'].get(key):
                    continue
                if key in current:
                    call('VM.remove_from_other_config', ref, key, what='update other_config of VM %s' % name)
                if new is not None:
                    call('VM.add_to_other_config', ref, key, new, what='update other_config of VM %s' % name)

    def _power(self, ref, name, steps, params):
        for step in steps:
            verb = CLEAN_STEPS[step][2] if step in CLEAN_STEPS else STEP_CALLS[step][2]
            self._note('%s VM %s' % (verb, name))
            if self.check_mode:
                continue
            if step in CLEAN_STEPS:
                self._clean(ref, name, step, params)
                continue
            method, args, verb = STEP_CALLS[step]
            self.session.run_task(method, ref, *args, what='%s VM %s' % (verb, name), timeout=params['timeout'])

    def _clean(self, ref, name, step, params):
        clean, hard, verb = CLEAN_STEPS[step]
        what = '%s VM %s' % (verb, name)
        if self._try_clean(ref, name, clean, what, params):
            return
        self._note('%s did not finish cleanly; %s VM %s' % (verb, hard.replace('_', ' '), name))
        self.session.run_task('VM.' + hard, ref, what='%s VM %s' % (hard.replace('_', ' '), name), timeout=params['timeout'])

    def _try_clean(self, ref, name, clean, what, params):
        """True when the clean operation succeeded; False when it failed or timed out and ``force``
        allows the hard one; otherwise raises."""
        task = self.session.call('Async.VM.' + clean, ref, what=what)
        finished = False
        try:
            try:
                record = self.session.wait_tasks([task], params['shutdown_timeout'], what)[task]
                finished = True
            except errors.WaitTimeoutError:
                if params['force']:
                    return False
                raise errors.WaitTimeoutError('Could not ' + what, url=self.session.where,
                                              api_message='the guest did not finish within %ss' % params['shutdown_timeout'],
                                              hint='set force: true to fall back to a hard power operation, or raise shutdown_timeout')
            try:
                self.session.task_outcome(task, record, what)
                return True
            except errors.CitrixError:
                if params['force']:
                    return False
                raise
        finally:
            self.session.forget_task(task, cancel=not finished)

    def _absent(self, ref, record, leftovers, params):
        if ref is None:
            if leftovers:
                self._remove_leftovers(params.get('name'), leftovers, params)
            return Change(bool(leftovers), actions=self.actions)
        name = record.get('name_label')
        power = str(record.get('power_state')).lower()
        before = settings_of(record)
        if power not in ('halted', 'suspended') and not params['force']:
            raise errors.ConflictError('Could not delete VM %s' % name,
                                       api_message='VM %s is %s; deleting it needs it halted' % (name, power),
                                       hint='set force: true to power it off first, or use state: halted before')
        self._remove_leftovers(name, leftovers, params)
        if power not in ('halted', 'suspended'):
            self._note('power off VM %s' % name)
        self._note('delete VM %s and the disks only it uses' % name)
        if not self.check_mode:
            self._destroy(ref, record, name, params)
        return Change(True, before=before, after=None, actions=self.actions)

    def _destroy(self, ref, record, name, params):
        """Delete VM ``ref`` (powered off first when it runs) and the disks no other VM uses."""
        if str(record.get('power_state')).lower() not in ('halted', 'suspended'):
            self.session.run_task('VM.hard_shutdown', ref, what='power off VM %s' % name, timeout=params['timeout'])
        vbds = self.session.fetch([('VBD', r) for r in record.get('VBDs', [])], what='read the disks of VM %s' % name)
        vdis = [v['VDI'] for v in vbds.values() if v.get('type') == 'Disk' and v.get('VDI') not in (None, NULL_REF)]
        self.session.call('VM.destroy', ref, what='delete VM %s' % name)
        for vdi_ref, vdi in sorted(self.session.fetch([('VDI', r) for r in vdis], what='read disks').items()):
            if not vdi.get('VBDs'):
                self.session.call('VDI.destroy', vdi_ref, what='delete disk %s of VM %s' % (vdi.get('name_label'), name))

    def wait_for_ip(self, ref, name, timeout):
        """The first IPv4 address the guest agent reports, waiting through events."""
        what = 'get an IP address of VM %s from its guest agent' % name
        deadline = self.session.clock.monotonic() + timeout
        metrics_ref = NULL_REF
        while True:
            subscriptions = ['VM/%s' % ref] + (['VM_guest_metrics/%s' % metrics_ref] if metrics_ref != NULL_REF else [])

            def progress(records, current=metrics_ref):
                vm = records.get(ref)
                if vm is None:
                    raise errors.NotFoundError('Could not ' + what, api_message='the VM was deleted')
                if vm.get('power_state') != 'Running':
                    raise errors.ConflictError('Could not ' + what, api_message='VM %s is %s' % (
                        name, str(vm.get('power_state')).lower()))
                if vm.get('guest_metrics') != current:
                    return ('metrics', vm.get('guest_metrics'))
                ipv4 = guest_addresses((records.get(current) or {}).get('networks'))[0]
                return ('ip', ipv4[0]) if ipv4 else None
            kind, value = self.session.watch(
                subscriptions, progress, max(0.0, deadline - self.session.clock.monotonic()), what,
                hint='check that the guest agent runs and the VM has a network, or raise timeout')
            if kind == 'ip':
                self._note('VM %s reports IP address %s' % (name, value))
                return value
            metrics_ref = value
