"""Snapshots of the simulated pool's VMs: ``VM.snapshot`` (disks only, in any power state),
``VM.checkpoint`` (disks and memory: the snapshot is Suspended when the VM ran or was suspended) and
``VM.revert`` (called on a snapshot: the VM it was taken of gets the snapshot's configuration, fresh
copies of its disks and NICs, and its power state), each checked as xapi does and timed on the
simulator clock. The snapshot records themselves are built by :meth:`.vm_parts.VmParts.snapshot`.
"""

from tests.simulator.services.xenserver.estate import PoolComponent
from tests.simulator.services.xenserver.vm_checks import check_operation, refresh_allowed
from tests.simulator.services.xenserver.xenapi_db import XenFailure
from tests.simulator.services.xenserver.xenapi_model import NULL_REF

# What a revert takes from the snapshot: the VM's configuration, not its identity or its links.
KEPT_ON_REVERT = ('uuid', 'name_label', 'VBDs', 'VIFs', 'metrics', 'guest_metrics', 'snapshots', 'children',
                  'current_operations', 'allowed_operations', 'resident_on', 'domid', 'consoles', 'suspend_VDI',
                  'VTPMs', 'parent', 'is_a_snapshot', 'is_a_template', 'snapshot_of', 'snapshot_time', 'power_state',
                  'is_default_template', 'snapshot_info', 'snapshot_metadata', 'transportable_snapshot_id')


class Snapshots(PoolComponent):
    """Snapshot messages over ``db``; ``vms`` (a :class:`~.vm_operations.VmOperations`) times them and
    powers VMs off; ``lifecycle`` (a :class:`~.vm_lifecycle.VmLifecycle`) removes what a revert replaces."""

    def __init__(self, db, clock, layout, parts, vms, lifecycle):
        super().__init__(db, clock, layout)
        self.parts = parts
        self.vms = vms
        self.lifecycle = lifecycle

    def handlers(self):
        return {('VM', 'snapshot'): self.vm_snapshot, ('VM', 'checkpoint'): self.vm_checkpoint,
                ('VM', 'revert'): self.vm_revert}

    def vm_snapshot(self, _session, vm, new_name, ignore_vdis):
        check_operation(self.db, vm, 'snapshot')
        for vdi in ignore_vdis:
            self.db.get('VDI', vdi)
        return self.vms.later('snapshot', vm, lambda: self._taken(vm, self.parts.snapshot(vm, new_name, ignore_vdis)))

    def vm_checkpoint(self, _session, vm, new_name):
        check_operation(self.db, vm, 'checkpoint')
        return self.vms.later('checkpoint', vm, lambda: self._taken(vm, self.parts.snapshot(vm, new_name, memory=True)))

    def _taken(self, vm, snapshot):
        if vm in self.vms.no_tools:
            self.vms.no_tools.add(snapshot)
        return snapshot

    def vm_revert(self, _session, snapshot):
        record = check_operation(self.db, snapshot, 'revert')
        vm = record['snapshot_of']
        if not self.db.exists('VM', vm):
            raise XenFailure('VM_REVERT_FAILED', vm, snapshot)
        return self.vms.later('revert', vm, lambda: self.revert(vm, snapshot))

    def revert(self, vm, snapshot):
        """Bring ``vm`` back to ``snapshot``: powered off first when it runs, then the snapshot's
        configuration, copies of its disks in place of the VM's own (removed unless another VM uses them),
        its CD drives and NICs, and its power state (Suspended, with a copy of its memory, for a checkpoint)."""
        source = self.db.get('VM', snapshot)
        record = self.db.get('VM', vm)
        if record['power_state'] in ('Running', 'Paused'):
            self.vms.power_off(vm)
        elif record['power_state'] == 'Suspended':
            self.vms.set_power(vm, 'Halted', NULL_REF)
        old_disks = [self.db.get('VBD', vbd)['VDI'] for vbd in record['VBDs']
                     if self.db.get('VBD', vbd)['type'] == 'Disk']
        for vbd in list(record['VBDs']):
            self.lifecycle._destroy_vbd(vbd)
        for vif in list(record['VIFs']):
            self._drop_vif(vif)
        self.db.update('VM', vm, VBDs=[], VIFs=[])
        for vdi in old_disks + [record['suspend_VDI']]:
            found = self.db.find('VDI', vdi)
            if found is not None and not found['VBDs'] and not found['is_a_snapshot']:
                self.db.destroy('VDI', vdi)
        fields = {k: (dict(v) if isinstance(v, dict) else list(v) if isinstance(v, list) else v)
                  for k, v in source.items() if k not in KEPT_ON_REVERT}
        self.db.update('VM', vm, parent=snapshot, suspend_VDI=NULL_REF, **fields)
        for vbd in source['VBDs']:
            device = self.db.get('VBD', vbd)
            if device['type'] == 'CD':
                self.parts.add_cd(vm, userdevice=device['userdevice'], vdi=device['VDI'])
                continue
            disk = self.db.get('VDI', device['VDI'])
            copy = self.parts.new_vdi(disk['name_label'], disk['virtual_size'], disk['SR'], vdi_type=disk['type'],
                                      name_description=disk['name_description'])
            self.parts.attach(vm, copy, device['userdevice'], bootable=device['bootable'])
        for vif in source['VIFs']:
            nic = self.db.get('VIF', vif)
            self.parts.add_nic(vm, nic['network'], device=nic['device'], mac=nic['MAC'])
        image = self.db.find('VDI', source['suspend_VDI'])
        if source['power_state'] == 'Suspended' and image is not None:
            memory = self.parts.new_vdi('Suspend image', image['virtual_size'], image['SR'], vdi_type='suspend')
            self.db.update('VM', vm, suspend_VDI=memory, power_state='Suspended')
        if snapshot in self.vms.no_tools:
            self.vms.no_tools.add(vm)
        else:
            self.vms.no_tools.discard(vm)
        refresh_allowed(self.db, vm)
        return ''

    def _drop_vif(self, vif):
        record = self.db.get('VIF', vif)
        network = self.db.find('network', record['network'])
        if network is not None and vif in network['VIFs']:
            network['VIFs'].remove(vif)
            self.db.touch('network', record['network'])
        self.db.destroy('VIF', vif)
