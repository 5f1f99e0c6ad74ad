"""Disks, CD drives and NICs of the simulated pool's VMs: ``VDI.create`` / ``resize`` / ``destroy`` and
its names, ``VBD.create`` / ``destroy`` / ``plug`` / ``unplug`` / ``insert`` / ``eject``, ``VIF.create`` /
``destroy`` / ``plug`` / ``unplug`` / ``move``, and the device numbers a VM still has free
(``VM.get_allowed_VBD_devices``, ``VM.get_allowed_VIF_devices``). Records come through
:class:`~.records.RecordReader` (the datamodel's defaults for fields a client leaves out); errors are the
datamodel's, with the parameters errors.json names.

Device numbers, as xapi allows them today for HVM and PV guests alike: disks 0 to 254, NICs 0 to 6. A
``userdevice`` of ``autodetect`` takes the lowest free number, as xapi does.
"""

import re

from tests.simulator.services.xenserver.estate import PoolComponent
from tests.simulator.services.xenserver.tasks import Pending
from tests.simulator.services.xenserver.vm_parts import device_name, refresh_vbd
from tests.simulator.services.xenserver.xenapi_db import XenFailure
from tests.simulator.services.xenserver.xenapi_model import NULL_REF

VBD_DEVICES = [str(n) for n in range(0, 255)]
VIF_DEVICES = [str(n) for n in range(0, 7)]
MAC = re.compile(r'^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$')
LIVE = ('Running', 'Paused')


class Devices(PoolComponent):
    """Device messages over ``db``; ``parts`` builds disks and NICs; ``reader`` reads create records;
    ``durations`` holds the simulator seconds ``vdi_create`` and ``vdi_resize`` take."""

    def __init__(self, db, clock, layout, parts, reader, durations):
        super().__init__(db, clock, layout)
        self.parts = parts
        self.reader = reader
        self.durations = durations

    def handlers(self):
        table = {
            ('VDI', 'create'): self.vdi_create, ('VDI', 'resize'): self.vdi_resize, ('VDI', 'destroy'): self.vdi_destroy,
            ('VDI', 'set_name_label'): self.vdi_rename('name_label'),
            ('VDI', 'set_name_description'): self.vdi_rename('name_description'),
            ('VBD', 'create'): self.vbd_create, ('VBD', 'destroy'): self.vbd_destroy, ('VBD', 'plug'): self.vbd_plug,
            ('VBD', 'unplug'): self.vbd_unplug, ('VBD', 'unplug_force'): self.vbd_unplug, ('VBD', 'insert'): self.vbd_insert,
            ('VBD', 'eject'): self.vbd_eject,
            ('VIF', 'create'): self.vif_create, ('VIF', 'destroy'): self.vif_destroy, ('VIF', 'plug'): self.vif_plug,
            ('VIF', 'unplug'): self.vif_unplug, ('VIF', 'unplug_force'): self.vif_unplug, ('VIF', 'move'): self.vif_move,
            ('VM', 'get_allowed_VBD_devices'): lambda _s, vm: self.free(vm, 'VBDs', 'userdevice', VBD_DEVICES),
            ('VM', 'get_allowed_VIF_devices'): lambda _s, vm: self.free(vm, 'VIFs', 'device', VIF_DEVICES),
        }
        return table

    def free(self, vm, field, key, devices):
        used = {self.db.get(field[:-1], ref)[key] for ref in self.db.get('VM', vm)[field] if self.db.exists(field[:-1], ref)}
        return [d for d in devices if d not in used]

    def _later(self, op, finish):
        return Pending(op, None, self.durations.get(op, 1.0), finish)

    # -- VDI ------------------------------------------------------------------------------------

    def vdi_create(self, _session, record):
        fields = self.reader.fields('VDI', record)
        sr = self.db.get('SR', fields['SR'])
        if sr['content_type'] == 'iso':
            raise XenFailure('SR_OPERATION_NOT_SUPPORTED', fields['SR'])
        if fields['virtual_size'] < 0:
            raise XenFailure('INVALID_VALUE', 'virtual_size', fields['virtual_size'])
        free = sr['physical_size'] - sr['physical_utilisation']
        if fields['virtual_size'] > free:
            raise XenFailure('SR_FULL', fields['virtual_size'], free)
        name = fields.pop('name_label')
        size = fields.pop('virtual_size')
        sr_ref = fields.pop('SR')
        vdi_type = fields.pop('type')
        return self._later('vdi_create', lambda: self.parts.new_vdi(name, size, sr_ref, vdi_type=vdi_type, **fields))

    def vdi_resize(self, _session, vdi, size):
        record = self.db.get('VDI', vdi)
        if record['read_only']:
            raise XenFailure('VDI_READONLY', vdi)
        if any(self.db.get('VBD', vbd)['currently_attached'] for vbd in record['VBDs'] if self.db.exists('VBD', vbd)):
            raise XenFailure('VDI_IN_USE', vdi, 'resize')
        if size < record['virtual_size']:
            raise XenFailure('VDI_TOO_SMALL', vdi, record['virtual_size'])
        return self._later('vdi_resize', lambda: self._resize(vdi, size))

    def _resize(self, vdi, size):
        self.db.update('VDI', vdi, virtual_size=size)
        return ''

    def vdi_rename(self, field):
        def rename(_session, vdi, value):
            self.db.update('VDI', vdi, **{field: value})
            return ''
        return rename

    def vdi_destroy(self, _session, vdi):
        record = self.db.get('VDI', vdi)
        if record['VBDs']:
            raise XenFailure('VDI_IN_USE', vdi, 'destroy')
        self.db.destroy('VDI', vdi)
        for cls, ref, field in (('SR', record['SR'], 'VDIs'), ('VDI', record['snapshot_of'], 'snapshots')):
            owner = self.db.find(cls, ref)
            if owner is not None and vdi in owner[field]:
                owner[field].remove(vdi)
                self.db.touch(cls, ref)
        return ''

    # -- VBD ------------------------------------------------------------------------------------

    def vbd_create(self, _session, record):
        fields = self.reader.fields('VBD', record)
        vm = fields['VM']
        if fields['type'] == 'CD' and fields['mode'] != 'RO':
            raise XenFailure('VBD_CDS_MUST_BE_READONLY')
        if fields['VDI'] == NULL_REF and not (fields['empty'] and fields['type'] == 'CD'):
            raise XenFailure('HANDLE_INVALID', 'VDI', NULL_REF)
        free = self.free(vm, 'VBDs', 'userdevice', VBD_DEVICES)
        device = fields['userdevice']
        if device == 'autodetect':
            if not free:
                raise XenFailure('INVALID_DEVICE', device)
            device = free[0]
        elif device not in VBD_DEVICES:
            raise XenFailure('INVALID_DEVICE', device)
        elif device not in free:
            raise XenFailure('DEVICE_ALREADY_EXISTS', device)
        vdi = NULL_REF if fields['empty'] else fields['VDI']
        vbd = self.parts.attach(vm, vdi, device, bootable=fields['bootable'], vbd_type=fields['type'], attached=False)
        self.db.update('VBD', vbd, device=device_name(device), mode=fields['mode'], unpluggable=fields['unpluggable'],
                       other_config=fields['other_config'], qos_algorithm_type=fields['qos_algorithm_type'],
                       qos_algorithm_params=fields['qos_algorithm_params'])
        return vbd

    def vbd_destroy(self, _session, vbd):
        record = self.db.get('VBD', vbd)
        if record['currently_attached']:
            raise XenFailure('OPERATION_NOT_ALLOWED', 'VBD is currently attached to a running VM; unplug it first')
        for cls, ref, field in (('VM', record['VM'], 'VBDs'), ('VDI', record['VDI'], 'VBDs')):
            owner = self.db.find(cls, ref)
            if owner is not None and vbd in owner[field]:
                owner[field].remove(vbd)
                self.db.touch(cls, ref)
        self.db.destroy('VBD', vbd)
        return ''

    def _live_vm(self, vm):
        state = self.db.get('VM', vm)['power_state']
        if state not in LIVE:
            raise XenFailure('VM_BAD_POWER_STATE', vm, 'running', state.lower())

    def vbd_plug(self, _session, vbd):
        record = self.db.get('VBD', vbd)
        self._live_vm(record['VM'])
        if record['currently_attached']:
            raise XenFailure('DEVICE_ALREADY_ATTACHED', vbd)
        self.db.update('VBD', vbd, currently_attached=True)
        refresh_vbd(self.db, vbd)
        return ''

    def vbd_unplug(self, _session, vbd):
        record = self.db.get('VBD', vbd)
        if not record['currently_attached']:
            raise XenFailure('DEVICE_ALREADY_DETACHED', vbd)
        if not record['unpluggable']:
            raise XenFailure('VBD_NOT_UNPLUGGABLE', vbd)
        self.db.update('VBD', vbd, currently_attached=False)
        refresh_vbd(self.db, vbd)
        return ''

    def vbd_insert(self, _session, vbd, vdi):
        record = self.db.get('VBD', vbd)
        if record['type'] != 'CD':
            raise XenFailure('VBD_NOT_REMOVABLE_MEDIA', vbd)
        if not record['empty']:
            raise XenFailure('VBD_NOT_EMPTY', vbd)
        self.db.get('VDI', vdi)['VBDs'].append(vbd)
        self.db.touch('VDI', vdi)
        self.db.update('VBD', vbd, VDI=vdi, empty=False)
        refresh_vbd(self.db, vbd)
        return ''

    def vbd_eject(self, _session, vbd):
        record = self.db.get('VBD', vbd)
        if record['type'] != 'CD':
            raise XenFailure('VBD_NOT_REMOVABLE_MEDIA', vbd)
        if record['empty']:
            raise XenFailure('VBD_IS_EMPTY', vbd)
        vdi = self.db.find('VDI', record['VDI'])
        if vdi is not None and vbd in vdi['VBDs']:
            vdi['VBDs'].remove(vbd)
            self.db.touch('VDI', record['VDI'])
        self.db.update('VBD', vbd, VDI=NULL_REF, empty=True)
        refresh_vbd(self.db, vbd)
        return ''

    # -- VIF ------------------------------------------------------------------------------------

    def vif_create(self, _session, record):
        fields = self.reader.fields('VIF', record)
        vm = fields['VM']
        device = fields['device']
        if device not in VIF_DEVICES:
            raise XenFailure('INVALID_DEVICE', device)
        if device not in self.free(vm, 'VIFs', 'device', VIF_DEVICES):
            raise XenFailure('DEVICE_ALREADY_EXISTS', device)
        mac = fields['MAC']
        if mac and not MAC.match(mac):
            raise XenFailure('MAC_INVALID', mac)
        vif = self.parts.add_nic(vm, fields['network'], device=device, mac=mac.lower() or None, attached=False)
        self.db.update('VIF', vif, MTU=fields['MTU'], other_config=fields['other_config'],
                       locking_mode=fields['locking_mode'], ipv4_allowed=fields['ipv4_allowed'],
                       ipv6_allowed=fields['ipv6_allowed'], qos_algorithm_type=fields['qos_algorithm_type'],
                       qos_algorithm_params=fields['qos_algorithm_params'])
        return vif

    def vif_destroy(self, _session, vif):
        record = self.db.get('VIF', vif)
        if record['currently_attached']:
            raise XenFailure('OPERATION_NOT_ALLOWED', 'VIF is currently attached to a running VM; unplug it first')
        for cls, ref in (('VM', record['VM']), ('network', record['network'])):
            owner = self.db.find(cls, ref)
            if owner is not None and vif in owner['VIFs']:
                owner['VIFs'].remove(vif)
                self.db.touch(cls, ref)
        self.db.destroy('VIF', vif)
        return ''

    def vif_plug(self, _session, vif):
        record = self.db.get('VIF', vif)
        self._live_vm(record['VM'])
        if record['currently_attached']:
            raise XenFailure('DEVICE_ALREADY_ATTACHED', vif)
        self.db.update('VIF', vif, currently_attached=True, allowed_operations=['attach', 'unplug'])
        return ''

    def vif_unplug(self, _session, vif):
        if not self.db.get('VIF', vif)['currently_attached']:
            raise XenFailure('DEVICE_ALREADY_DETACHED', vif)
        self.db.update('VIF', vif, currently_attached=False, allowed_operations=['attach', 'plug'])
        return ''

    def vif_move(self, _session, vif, network):
        record = self.db.get('VIF', vif)
        self.db.get('network', network)
        old = self.db.find('network', record['network'])
        if old is not None and vif in old['VIFs']:
            old['VIFs'].remove(vif)
            self.db.touch('network', record['network'])
        self.db.get('network', network)['VIFs'].append(vif)
        self.db.touch('network', network)
        self.db.update('VIF', vif, network=network)
        return ''
