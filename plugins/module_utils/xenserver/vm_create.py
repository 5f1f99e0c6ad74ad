# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Creating and deleting XenServer VMs so that no run ever meets a half-made VM.

A missing VM is made from a template or a halted VM: a linked clone (``VM.clone``), or a full copy
(``VM.copy``) to a storage repository; a VM that is not halted is cloned from a snapshot of it when asked
(the snapshot is deleted afterwards). A template's disks are then provisioned. The new VM is called
``<name> [creating by opencitrix.automation]`` (so are its new disks) until every step of its creation is
done; naming it is the last step (``VmState`` runs the steps in between). Neither a ``name:`` nor a
``template:`` look-up finds it before. A run that dies half-way leaves that VM behind (and perhaps a
disk it had not attached yet, or a snapshot of the source): the next run for the same name finds them
in the look-up it makes anyway and removes them before creating the VM again, rather than adopt a VM
whose state it cannot know; ``state: absent`` removes them too. Two runs creating the same VM at the
same time never leave two VMs of that name: before naming its VM, a run looks for a VM of that name and
for other VMs being created under it (the one with the lowest UUID goes first), and after naming it, for
another VM of that name again; a run that finds one removes its own VM and fails saying why.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.opencitrix.automation.plugins.module_utils import errors
from ansible_collections.opencitrix.automation.plugins.module_utils.xenserver.faults import kind
from ansible_collections.opencitrix.automation.plugins.module_utils.xenserver.session import NULL_REF, is_reference, quote
from ansible_collections.opencitrix.automation.plugins.module_utils.xenserver.vm import ORDINARY_VMS, one
from ansible_collections.opencitrix.automation.plugins.module_utils.xenserver.vm_devices import retarget_provision_spec

UUID = re.compile(r'^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$')
CREATING = ' [creating by opencitrix.automation]'
STEPPED_BACK = 'NAME_TAKEN'  # the code of the error of a run that gave way to another creating the same VM
NOT_DOM0 = 'field "is_control_domain"="false"'


def creating_name(name):
    """The name of a VM (and of its new disks) while this collection creates it."""
    return name + CREATING


def delete_vm(session, ref, record, name, timeout):
    """Delete VM (or snapshot) ``ref`` (powered off first when it runs) and the disks no other VM uses."""
    if str(record.get('power_state')).lower() not in ('halted', 'suspended'):
        session.run_task('VM.hard_shutdown', ref, what='power off VM %s' % name, timeout=timeout)
    vbds = session.fetch([('VBD', r) for r in record.get('VBDs', [])], what='read the disks of VM %s' % name)
    vdis = [v['VDI'] for v in vbds.values() if v.get('type') == 'Disk' and v.get('VDI') not in (None, NULL_REF)]
    if record.get('suspend_VDI') not in (None, '', NULL_REF):
        vdis.append(record['suspend_VDI'])
    session.call('VM.destroy', ref, what='delete VM %s' % name)
    for vdi_ref, vdi in sorted(session.fetch([('VDI', r) for r in vdis], what='read disks').items()):
        if not vdi.get('VBDs'):
            session.call('VDI.destroy', vdi_ref, what='delete disk %s of VM %s' % (vdi.get('name_label'), name))


class VmCreation:
    """Look-up, creation and deletion of one VM for :class:`.vm_state.VmState`. ``facts`` finds VMs;
    ``note(action)`` records what is done (or would be in check mode); ``log`` takes debug lines."""

    def __init__(self, session, facts, check_mode=False, note=None, log=None):
        self.session = session
        self.facts = facts
        self.check_mode = check_mode
        self.note = note or (lambda action: None)
        self.log = log or (lambda message: None)

    def look_up(self, params):
        """``(found, leftovers)``: ``{ref: record}`` of the VM ``params`` name (by UUID, or the ordinary
        VMs of that name) and of what interrupted creations of that name left, in one call."""
        if params.get('uuid'):
            return self.facts.find(uuid=params['uuid']), {}
        return self.named(params['name'])

    def named(self, name):
        """``(found, creating)``: the ordinary VMs called ``name``, and the VMs (or snapshots) called like
        one being created under that name."""
        expression = '(field "name_label"=%s and %s) or (field "name_label"=%s and %s)' % (
            quote(name), ORDINARY_VMS, quote(creating_name(name)), NOT_DOM0)
        records = self.session.all_records('VM', expression, what='look up VM %s' % name)
        found = dict((r, v) for r, v in records.items() if v.get('name_label') == name)
        return found, dict((r, v) for r, v in records.items() if r not in found)

    def record(self, ref):
        record = self.session.fetch([('VM', ref)], what='read VM %s' % self.session.names.get(ref, ref)).get(ref)
        if record is None:
            raise errors.NotFoundError('VM %s disappeared' % self.session.names.get(ref, ref),
                                       hint='another client deleted it; run again')
        return record

    def source(self, params):
        """``(ref, record)`` of the template or VM ``params['template']`` names."""
        name, label = params.get('name'), params.get('template')
        if params.get('uuid'):
            raise errors.NotFoundError('No VM with UUID %s' % params['uuid'],
                                       hint='a UUID identifies an existing VM; use name and template to create one')
        if not label:
            raise errors.NotFoundError('No VM called "%s"' % name, hint='set template to create it')
        found = self.facts.find(uuid=label, templates=True) if UUID.match(label) else \
            self.facts.find(name=label, templates=True)
        ref, record = one(found, label, 'template or VM')
        if ref is None:
            raise errors.NotFoundError('No template or VM called "%s" to clone VM %s from' % (label, name),
                                       hint='check template (a template name or UUID, or a halted VM)')
        if not record.get('is_a_template') and record.get('power_state') != 'Halted' and not params.get('clone_from_snapshot'):
            raise errors.ConflictError('Could not create VM %s from %s' % (name, label),
                                       api_message='VM %s is %s; cloning needs it halted' % (
                                           label, str(record.get('power_state')).lower()),
                                       hint='shut it down, or set clone_from_snapshot: true to clone a snapshot of it')
        return ref, record

    def create(self, params, leftovers, copy_sr=None, validate=None):
        """``(ref, record)`` of the new VM, still under its temporary name (in check mode ``(None, planned
        record)``). With ``copy_sr`` (a reference, or NULL for the disks' own), a full copy. ``validate(planned
        record)`` runs before anything is written, so input that cannot apply to the new VM creates nothing; it
        returns ``{device: SR UUID}`` for the disks provisioning makes."""
        name, label = params['name'], params['template']
        source_ref, source = self.source(params)
        template = bool(source.get('is_a_template'))
        from_snapshot = not template and source.get('power_state') != 'Halted'
        # As the new VM will be before provisioning: still a template when made from one.
        planned = dict(source, name_label=name, is_a_snapshot=False, power_state='Halted', tags=source.get('tags') or [])
        placement = validate(planned) if validate is not None else {}
        self.remove_leftovers(name, leftovers, params)
        if from_snapshot:
            self.note('snapshot VM %s to clone it' % label)
        verb = 'copy' if copy_sr is not None else 'clone'
        self.note('%s %s %s into VM %s' % (verb, 'template' if template else 'the snapshot of VM' if from_snapshot else 'VM',
                                           label, name))
        if self.check_mode:
            if from_snapshot:
                self.note('delete the snapshot of VM %s' % label)
            if template:
                self.note('provision VM %s (create its disks)' % name)
            return None, planned
        temporary = creating_name(name)
        origin = source_ref
        if from_snapshot:
            origin = self.session.run_task('VM.snapshot', source_ref, temporary, [], timeout=params['timeout'],
                                           what='snapshot VM %s to clone it into VM %s' % (label, name))
            self._check_ref(origin, 'snapshot %s' % label)
        what = '%s %s into VM %s' % (verb, label, name)
        try:
            if copy_sr is not None:
                ref = self.session.run_task('VM.copy', origin, temporary, copy_sr, what=what, timeout=params['timeout'])
            else:
                ref = self.session.run_task('VM.clone', origin, temporary, what=what, timeout=params['timeout'])
            self._check_ref(ref, what)
        finally:
            if from_snapshot:
                self.note('delete the snapshot of VM %s' % label)
                delete_vm(self.session, origin, self.record(origin), temporary, params['timeout'])
        self.session.names[ref] = temporary
        self.log('created VM "%s"; it is called %s once complete' % (temporary, name))
        try:
            if template:
                self.note('provision VM %s (create its disks)' % name)
                self._place_provisioned(ref, name, source, placement)
                self.session.run_task('VM.provision', ref, what='provision the disks of VM %s' % name,
                                      timeout=params['timeout'])
            return ref, self.record(ref)
        except Exception as exc:
            self.abandon(ref, name, exc, params)
            raise

    def _place_provisioned(self, ref, name, source, placement):
        """Point the disks of the provisioning spec of the new VM ``ref`` at the storage repositories of
        ``placement`` (``{device: SR UUID}``)."""
        spec = (source.get('other_config') or {}).get('disks')
        placed = retarget_provision_spec(spec, placement) if spec and placement else spec
        if placed != spec:
            what = 'choose the storage of the disks of VM %s' % name
            self.session.call('VM.remove_from_other_config', ref, 'disks', what=what)
            self.session.call('VM.add_to_other_config', ref, 'disks', placed, what=what)

    def _check_ref(self, ref, what):
        if not is_reference(ref):
            raise errors.ResponseFormatError('Could not ' + what, url=self.session.where,
                                             api_message='the task returned %s, not a VM reference' % kind(ref))

    def claim_name(self, ref, uuid, name):
        """Call the new VM ``ref`` (UUID ``uuid``) ``name``, unless another VM of that name appeared
        meanwhile, before or after the rename. Of runs creating VMs of that name at the same time, the
        one whose VM has the lowest UUID names it; the others step back."""
        found, creating = self.named(name)
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

    def abandon(self, ref, name, exc, params):
        """Remove the VM this task started creating after ``exc`` stopped it; best effort (a later run
        removes what remains). True when it was removed."""
        self.log('creating VM %s failed (%s); removing the VM this task made' % (name, type(exc).__name__))
        try:
            delete_vm(self.session, ref, self.record(ref), creating_name(name), params['timeout'])
            return True
        except errors.CitrixError as failure:
            self.log('could not remove VM "%s" (%s); the next run for VM %s removes it' % (
                creating_name(name), failure.code or type(failure).__name__, name))
            return False

    def remove_leftovers(self, name, leftovers, params):
        """Remove the VMs interrupted creations of VM ``name`` left behind, and disks they made but had
        not attached."""
        for ref, record in sorted(leftovers.items()):
            label = record.get('name_label')
            self.note('remove %s "%s" left by an interrupted run' % ('snapshot' if record.get('is_a_snapshot') else 'VM', label))
            if self.check_mode:
                continue
            try:
                delete_vm(self.session, ref, record, label, params['timeout'])
            except errors.NotFoundError:
                self.log('VM "%s" is gone already' % label)
            except errors.ConflictError as exc:
                raise errors.ConflictError(
                    'Could not create VM %s' % name, code=exc.code,
                    api_message='VM "%s" is busy (%s): another run is probably creating VM %s now' % (
                        label, exc.api_message, name),
                    hint='run again once that run has finished')
        if leftovers and not self.check_mode:
            orphans = self.session.all_records('VDI', 'field "name_label"=%s' % quote(creating_name(name)),
                                               what='look up disks left by an interrupted run')
            for vdi, record in sorted(orphans.items()):
                if not record.get('VBDs'):
                    self.session.call('VDI.destroy', vdi, what='delete a disk left by an interrupted run')

    def absent(self, ref, record, leftovers, params):
        """Delete VM ``ref`` (None: there is none) and the leftovers of its creation; whether anything was
        (or in check mode would be) removed."""
        if ref is None:
            if leftovers:
                self.remove_leftovers(params.get('name'), leftovers, params)
            return bool(leftovers)
        name = record.get('name_label')
        power = str(record.get('power_state')).lower()
        if power not in ('halted', 'suspended') and not params['force']:
            raise errors.ConflictError('Could not delete VM %s' % name,
                                       api_message='VM %s is %s; deleting it needs it halted' % (name, power),
                                       hint='set force: true to power it off first, or use state: halted before')
        self.remove_leftovers(name, leftovers, params)
        if power not in ('halted', 'suspended'):
            self.note('power off VM %s' % name)
        self.note('delete VM %s and the disks only it uses' % name)
        if not self.check_mode:
            delete_vm(self.session, ref, record, name, params['timeout'])
        return True
