# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Snapshots of one XenServer VM, by name: taken (``VM.snapshot``, or ``VM.checkpoint`` with the memory
of a running VM), reverted to (``VM.revert``), deleted (with the disks only they use), listed. Each
is idempotent: a snapshot of that name exists already; there is none left; the VM is at that snapshot
still. A VM is at a snapshot still when the snapshot is its ``parent`` (xapi sets it when the snapshot is
taken and when the VM is reverted to it), the VM is in the snapshot's power state (halted, or suspended for
one with memory), and it has not been started since the snapshot was taken."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.opencitrix.automation.plugins.module_utils import errors
from ansible_collections.opencitrix.automation.plugins.module_utils.results import Change
from ansible_collections.opencitrix.automation.plugins.module_utils.xenserver.vm import VmFacts, one
from ansible_collections.opencitrix.automation.plugins.module_utils.xenserver.vm_create import delete_vm


def _instant(value):
    """A XenAPI date (``20240101T12:00:00Z``, as text or XML-RPC DateTime) as comparable digits."""
    return re.sub(r'\D', '', str(getattr(value, 'value', value) or ''))[:14]


def snapshot_view(ref, record, vm):
    return {'name': record.get('name_label'), 'uuid': record.get('uuid'), 'description': record.get('name_description'),
            'time': str(getattr(record.get('snapshot_time'), 'value', record.get('snapshot_time') or '')),
            'memory': str(record.get('power_state')).lower() == 'suspended', 'current': vm.get('parent') == ref}


class VmSnapshots:
    """Brings the snapshots of one VM to what the module's parameters describe."""

    def __init__(self, session, check_mode=False, log=None):
        self.session = session
        self.facts = VmFacts(session)
        self.check_mode = check_mode
        self.log = log or (lambda message: None)
        self.actions = []
        self.reverted_state = None

    def _note(self, action):
        self.actions.append(action)
        self.log(action)

    def ensure(self, params):
        """A :class:`results.Change`; its result holds ``actions`` and ``snapshots`` (the VM's, after the task)."""
        label = params.get('uuid') or params.get('name')
        ref, vm = one(self.facts.find(name=params.get('name'), uuid=params.get('uuid')), label)
        if ref is None:
            raise errors.NotFoundError('No VM called "%s"' % label, hint='check name or uuid')
        vm_name = vm.get('name_label')
        related = self.session.fetch([('VM', s) for s in vm.get('snapshots') or []] + [('VM_metrics', vm.get('metrics'))],
                                     what='read the snapshots of VM %s' % vm_name)
        snapshots = dict((r, related[r]) for r in vm.get('snapshots') or [] if r in related)
        name, state = params.get('snapshot'), params['state']
        matching = dict((r, s) for r, s in snapshots.items() if s.get('name_label') == name)
        before = self._view(snapshots, vm)
        changed = False
        if name is None:
            pass
        elif state == 'present' and not matching:
            changed = self._take(ref, vm_name, name, params)
        elif state == 'absent' and matching:
            for snap_ref, snap in sorted(matching.items()):
                self._note('delete snapshot %s of VM %s' % (name, vm_name))
                if not self.check_mode:
                    delete_vm(self.session, snap_ref, snap, name, params['timeout'])
            changed = True
        elif state == 'reverted':
            changed = self._revert(ref, vm, vm_name, matching, name, related.get(vm.get('metrics')) or {}, params)
        if changed and not self.check_mode:
            vm = self.facts.find(uuid=vm.get('uuid'))[ref]
            snapshots = self.session.fetch([('VM', s) for s in vm.get('snapshots') or []], what='read the snapshots')
        after = self._planned(before, state, name, changed) if self.check_mode else self._view(snapshots, vm)
        listing = [snapshot_view(r, s, vm) for r, s in sorted(snapshots.items(), key=lambda i: _instant(i[1].get('snapshot_time')))]
        return Change(changed, before=before, after=after, actions=self.actions, snapshots=listing)

    @staticmethod
    def _view(snapshots, vm):
        names = sorted(s.get('name_label') for s in snapshots.values())
        current = (snapshots.get(vm.get('parent')) or {}).get('name_label')
        return {'snapshots': names, 'current': current, 'power_state': str(vm.get('power_state')).lower()}

    def _planned(self, before, state, name, changed):
        after = dict(before, snapshots=list(before['snapshots']))
        if changed and state == 'reverted':
            after['power_state'] = self.reverted_state
        if changed and state == 'present':
            after['snapshots'] = sorted(after['snapshots'] + [name])
            after['current'] = name
        elif changed and state == 'absent':
            after['snapshots'] = [n for n in after['snapshots'] if n != name]
            after['current'] = None if before['current'] == name else before['current']
        elif changed:
            after['current'] = name
        return after

    def _take(self, ref, vm_name, name, params):
        memory = params.get('memory')
        self._note('%s VM %s as %s' % ('checkpoint (disks and memory of)' if memory else 'snapshot', vm_name, name))
        if self.check_mode:
            return True
        what = 'take snapshot %s of VM %s' % (name, vm_name)
        if memory:
            snap = self.session.run_task('VM.checkpoint', ref, name, what=what, timeout=params['timeout'])
        else:
            snap = self.session.run_task('VM.snapshot', ref, name, [], what=what, timeout=params['timeout'])
        if params.get('description'):
            self.session.call('VM.set_name_description', snap, params['description'], what=what)
        return True

    def _revert(self, ref, vm, vm_name, matching, name, metrics, params):
        snap_ref, snap = one(matching, name, 'snapshot')
        if snap_ref is None:
            raise errors.NotFoundError('VM %s has no snapshot called "%s"' % (vm_name, name),
                                       hint='list them with state: present and no snapshot, or take it first')
        started = _instant(metrics.get('start_time'))
        if vm.get('parent') == snap_ref and vm.get('power_state') == snap.get('power_state') \
                and started and started <= _instant(snap.get('snapshot_time')):
            return False
        self.reverted_state = str(snap.get('power_state')).lower()
        self._note('revert VM %s to snapshot %s' % (vm_name, name))
        if not self.check_mode:
            self.session.run_task('VM.revert', snap_ref, what='revert VM %s to snapshot %s' % (vm_name, name),
                                  timeout=params['timeout'])
        return True
