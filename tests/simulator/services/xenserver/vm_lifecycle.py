"""The VM lifecycle messages of the simulated pool: ``VM.create`` (from a record, with the datamodel's
defaults), ``clone``, ``copy``, ``provision``, ``destroy``, ``set_is_a_template`` and
``assert_can_boot_here``, checked as xapi does (``vm_checks``). Clones and copies record where they
came from (``parent`` and the source's ``children``, kept in step when either is destroyed); a clone of
a snapshot is an ordinary VM (Suspended when the snapshot holds memory); a VM made by provisioning a
blank template has no operating system, so no guest agent, until a test installs one
(``XenServerPool.install_os``)."""

import re

from tests.simulator.services.xenserver.estate import PoolComponent
from tests.simulator.services.xenserver.vm_checks import assert_can_boot, check_operation, refresh_allowed
from tests.simulator.services.xenserver.xenapi_db import XenFailure
from tests.simulator.services.xenserver.xenapi_model import NULL_REF

CLONE_SKIP = ('uuid', 'VBDs', 'VIFs', 'metrics', 'guest_metrics', 'snapshots', 'children', 'current_operations',
              'allowed_operations', 'resident_on', 'domid', 'consoles', 'suspend_VDI', 'VTPMs', 'snapshot_of',
              'snapshot_time', 'parent')


class VmLifecycle(PoolComponent):
    """Lifecycle messages over ``db``; ``vms`` (a :class:`~.vm_operations.VmOperations`) times them and
    knows the guests without agent; ``parts`` builds disks and NICs; ``reader`` reads create records."""

    def __init__(self, db, clock, layout, vms, parts, reader):
        super().__init__(db, clock, layout)
        self.vms = vms
        self.parts = parts
        self.reader = reader

    def handlers(self):
        return {('VM', name): handler for name, handler in (
            ('create', self.vm_create), ('clone', self.vm_clone), ('copy', self.vm_copy),
            ('provision', self.vm_provision), ('destroy', self.vm_destroy),
            ('set_is_a_template', self.vm_set_is_a_template), ('assert_can_boot_here', self.vm_assert_can_boot_here),
            ('get_possible_hosts', self.vm_get_possible_hosts))}

    def vm_create(self, _session, record):
        fields = self.reader.fields('VM', record)
        fields.update(power_state='Halted', domid=-1)
        ref = self.db.create('VM', **fields)
        self.parts.new_vm_metrics(ref, running=False)
        refresh_allowed(self.db, ref)
        return ref

    def vm_clone(self, _session, vm, new_name):
        check_operation(self.db, vm, 'clone')
        return self.vms.later('clone', vm, lambda: self.clone_vm(vm, new_name))

    def vm_copy(self, _session, vm, new_name, sr):
        check_operation(self.db, vm, 'copy')
        if sr != NULL_REF:
            self.db.get('SR', sr)
        return self.vms.later('copy', vm, lambda: self.clone_vm(vm, new_name, sr if sr != NULL_REF else None))

    def vm_provision(self, _session, vm):
        check_operation(self.db, vm, 'provision')
        return self.vms.later('provision', vm, lambda: self.provision_vm(vm))

    def vm_set_is_a_template(self, _session, vm, value):
        if value:
            check_operation(self.db, vm, 'make_into_template')
        self.db.update('VM', vm, is_a_template=value)
        refresh_allowed(self.db, vm)
        return ''

    # -- clone, copy, provision -----------------------------------------------------------------

    def clone_vm(self, source, new_name, sr=None):
        src = self.db.get('VM', source)
        fields = {k: (dict(v) if isinstance(v, dict) else list(v) if isinstance(v, list) else v)
                  for k, v in src.items() if k not in CLONE_SKIP}
        fields['other_config'].pop('default_template', None)
        suspended = src['power_state'] == 'Suspended'
        fields.update(name_label=new_name, is_default_template=False, is_a_snapshot=False, snapshot_of=NULL_REF,
                      is_a_template=src['is_a_template'] and not src['is_a_snapshot'], parent=source,
                      power_state='Suspended' if suspended else 'Halted', current_operations={}, domid=-1)
        ref = self.db.create('VM', **fields)
        self.parts.new_vm_metrics(ref, running=False)
        for vbd in src['VBDs']:
            record = self.db.get('VBD', vbd)
            if record['type'] == 'CD':
                self.parts.add_cd(ref, userdevice=record['userdevice'], vdi=record['VDI'])
                continue
            vdi = self.db.get('VDI', record['VDI'])
            self.parts.add_disk(ref, vdi['virtual_size'], userdevice=record['userdevice'], name=vdi['name_label'],
                                sr=sr or vdi['SR'], bootable=record['bootable'])
        for vif in src['VIFs']:
            record = self.db.get('VIF', vif)
            self.parts.add_nic(ref, record['network'], device=record['device'])
        image = self.db.find('VDI', src['suspend_VDI'])
        if suspended and image is not None:
            copy = self.parts.new_vdi('Suspend image', image['virtual_size'], sr or image['SR'], vdi_type='suspend')
            self.db.update('VM', ref, suspend_VDI=copy)
        src['children'].append(ref)
        self.db.touch('VM', source)
        if source in self.vms.no_tools:
            self.vms.no_tools.add(ref)
        refresh_allowed(self.db, ref)
        return ref

    def provision_vm(self, vm):
        """Create the disks ``other_config:disks`` describes and make the template a VM. Disks made this
        way are blank: the VM has no operating system (nor guest agent) until one is installed."""
        record = self.db.get('VM', vm)
        self.db.update('VM', vm, is_a_template=False)
        existing = {self.db.get('VBD', v)['userdevice'] for v in record['VBDs']}
        spec = record['other_config'].get('disks', '')
        created = 0
        for match in re.finditer(r'<disk\s+([^>]*)/?>', spec):
            attrs = dict(re.findall(r'(\w+)="([^"]*)"', match.group(1)))
            if attrs.get('device') in existing:
                continue
            # sr is the UUID of an SR; empty (or no such SR) means the pool's default SR
            sr = self.db.by_uuid['SR'].get(attrs.get('sr') or '') or self.db.get('pool', self.layout.pool)['default_SR']
            self.parts.add_disk(vm, int(attrs.get('size', 0)), userdevice=attrs.get('device', '0'),
                                name='%s %s' % (record['name_label'], attrs.get('device', '0')),
                                sr=sr if self.db.exists('SR', sr) else None, bootable=attrs.get('bootable') == 'true')
            created += 1
        if created:
            self.vms.no_tools.add(vm)
        refresh_allowed(self.db, vm)
        return ''

    # -- destroy --------------------------------------------------------------------------------

    def vm_destroy(self, _session, vm):
        check_operation(self.db, vm, 'destroy')
        record = self.db.get('VM', vm)
        for vbd in list(record['VBDs']):
            self._destroy_vbd(vbd)
        for vif in list(record['VIFs']):
            network = self.db.find('network', self.db.get('VIF', vif)['network'])
            if network is not None and vif in network['VIFs']:
                network['VIFs'].remove(vif)
            self.db.destroy('VIF', vif)
        image = self.db.find('VDI', record['suspend_VDI'])
        if image is not None and not image['VBDs']:
            self.db.destroy('VDI', record['suspend_VDI'])
        self.parts.drop_guest_metrics(vm)
        self.parts.drop_consoles(vm)
        if self.db.exists('VM_metrics', record['metrics']):
            self.db.destroy('VM_metrics', record['metrics'])
        self._unlink(vm, record)
        self.vms.no_tools.discard(vm)
        self.db.destroy('VM', vm)
        return ''

    def _unlink(self, vm, record):
        """Keep ``snapshots``, ``parent`` and ``children`` of the other VMs in step with ``vm``'s removal:
        its children and the VMs whose parent it was now descend from its own parent."""
        source = self.db.find('VM', record['snapshot_of'])
        if source is not None and vm in source['snapshots']:
            source['snapshots'].remove(vm)
            self.db.touch('VM', record['snapshot_of'])
        parent = self.db.find('VM', record['parent'])
        if parent is not None and vm in parent['children']:
            parent['children'].remove(vm)
            self.db.touch('VM', record['parent'])
        new_parent = record['parent'] if parent is not None else NULL_REF
        for other, other_record in self.db.all('VM').items():
            if other_record['parent'] == vm:
                self.db.update('VM', other, parent=new_parent)
                if parent is not None and other in record['children'] and other not in parent['children']:
                    parent['children'].append(other)
                    self.db.touch('VM', new_parent)

    def _destroy_vbd(self, vbd):
        vdi = self.db.get('VBD', vbd)['VDI']
        record = self.db.find('VDI', vdi)
        if record is not None and vbd in record['VBDs']:
            record['VBDs'].remove(vbd)
            self.db.touch('VDI', vdi)
        self.db.destroy('VBD', vbd)

    # -- placement ------------------------------------------------------------------------------

    def vm_assert_can_boot_here(self, _session, vm, host):
        assert_can_boot(self.db, vm, host)
        return ''

    def vm_get_possible_hosts(self, _session, vm):
        return [host for host in self.layout.hosts if self._can_boot(vm, host)]

    def _can_boot(self, vm, host):
        try:
            assert_can_boot(self.db, vm, host)
            return True
        except XenFailure:
            return False
