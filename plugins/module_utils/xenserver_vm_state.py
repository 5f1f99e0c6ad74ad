# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Desired state of one XenServer VM: present, absent or a power state, with its name, description,
vCPUs, memory, tags and other_config. Computes before/after first, so check mode and ``--diff`` come
from the same plan the real run executes; only what differs is written.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import re
import time

from ansible_collections.opencitrix.automation.plugins.module_utils import errors
from ansible_collections.opencitrix.automation.plugins.module_utils.xenserver import NULL_REF
from ansible_collections.opencitrix.automation.plugins.module_utils.xenserver_vm import (
    MIB, VmFacts, as_int, guest_addresses, one,
)

UUID = re.compile(r'^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$')
SETTINGS = ('name', 'description', 'vcpus', 'memory_mb', 'tags', 'other_config')
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


class VmState:
    """Brings one VM to the state the module's parameters describe."""

    def __init__(self, session, check_mode=False, log=None):
        self.session = session
        self.facts = VmFacts(session)
        self.check_mode = check_mode
        self.log = log or (lambda message: None)
        self.actions = []

    def ensure(self, params):
        for option in HALTED_ONLY:
            if params.get(option) is not None and params[option] < 1:
                raise errors.InputError('Invalid %s %s: it must be at least 1' % (option, params[option]))
        label = params.get('uuid') or params.get('name')
        ref, record = one(self.facts.find(name=params.get('name') if not params.get('uuid') else None,
                                          uuid=params.get('uuid')), label)
        if params['state'] == 'absent':
            return self._absent(ref, record, params)
        created = ref is None
        if created:
            ref, record = self._create(params)
        keys = list((params.get('other_config') or {}).keys())
        before = settings_of(record, keys)
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
        changed = created or bool(changes) or bool(steps)
        if halted_first:
            self._power(ref, name, steps, params)
        self._configure(ref, record, before, after, changes)
        if not halted_first:
            self._power(ref, name, steps, params)
        result = {'changed': changed, 'actions': self.actions,
                  'diff': {'before': {} if created else before, 'after': after}}
        if ref is not None and not self.check_mode:
            if params.get('wait_for_ip') and after['power_state'] == 'running':
                self.wait_for_ip(ref, name, params['timeout'])
            result['vm'] = self.facts.summaries({ref: self._record(ref)})[0]
        elif not created:
            result['vm'] = self.facts.summaries({ref: record})[0]
        return result

    # -- steps ----------------------------------------------------------------------------------

    def _note(self, action):
        self.actions.append(action)
        self.log(action)

    def _record(self, ref):
        record = self.session.fetch([('VM', ref)], what='read VM %s' % self.session.names.get(ref, ref)).get(ref)
        if record is None:
            raise errors.NotFoundError('VM %s disappeared' % self.session.names.get(ref, ref),
                                       hint='another client deleted it; run again')
        return record

    def _create(self, params):
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
        self._note('clone %s %s into VM %s' % ('template' if template else 'VM', source_label, name))
        if self.check_mode:
            planned = dict(source, name_label=name, is_a_template=False, power_state='Halted', tags=source.get('tags') or [])
            return None, planned
        what = 'clone %s into VM %s' % (source_label, name)
        ref = self.session.run_task('VM.clone', source_ref, name, what=what, timeout=params['timeout'])
        self.session.names[ref] = name
        if template:
            self._note('provision VM %s (create its disks)' % name)
            self.session.run_task('VM.provision', ref, what='provision the disks of VM %s' % name, timeout=params['timeout'])
        return ref, self._record(ref)

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

    def _absent(self, ref, record, params):
        if ref is None:
            return {'changed': False, 'actions': [], 'diff': {'before': {}, 'after': {}}}
        name = record.get('name_label')
        power = str(record.get('power_state')).lower()
        before = settings_of(record)
        if power not in ('halted', 'suspended') and not params['force']:
            raise errors.ConflictError('Could not delete VM %s' % name,
                                       api_message='VM %s is %s; deleting it needs it halted' % (name, power),
                                       hint='set force: true to power it off first, or use state: halted before')
        result = {'changed': True, 'actions': self.actions, 'diff': {'before': before, 'after': {}}}
        if power not in ('halted', 'suspended'):
            self._note('power off VM %s' % name)
        self._note('delete VM %s and the disks only it uses' % name)
        if self.check_mode:
            return result
        if power not in ('halted', 'suspended'):
            self.session.run_task('VM.hard_shutdown', ref, what='power off VM %s' % name, timeout=params['timeout'])
        vbds = self.session.fetch([('VBD', r) for r in record.get('VBDs', [])], what='read the disks of VM %s' % name)
        vdis = [v['VDI'] for v in vbds.values() if v.get('type') == 'Disk' and v.get('VDI') not in (None, NULL_REF)]
        self.session.call('VM.destroy', ref, what='delete VM %s' % name)
        for vdi_ref, vdi in sorted(self.session.fetch([('VDI', r) for r in vdis], what='read disks').items()):
            if not vdi.get('VBDs'):
                self.session.call('VDI.destroy', vdi_ref, what='delete disk %s of VM %s' % (vdi.get('name_label'), name))
        return result

    def wait_for_ip(self, ref, name, timeout):
        """The first IPv4 address the guest agent reports, waiting through events."""
        what = 'get an IP address of VM %s from its guest agent' % name
        deadline = time.monotonic() + timeout
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
                subscriptions, progress, max(0.0, deadline - time.monotonic()), what,
                hint='check that the guest agent runs and the VM has a network, or raise timeout')
            if kind == 'ip':
                self._note('VM %s reports IP address %s' % (name, value))
                return value
            metrics_ref = value
