"""The building blocks of the simulated pool's VMs: VM records with their metrics, disks (VDI and VBD),
CD drives, NICs (VIF with a MAC), consoles, guest agent reports (OS, PV drivers, features, one address
per NIC) and snapshots (a VM record with ``is_a_snapshot``, snapshots of its disks, copies of its NICs).
The estate builder, the VM operations and tests build with them."""

from tests.simulator.services.xenserver.estate import GIB, GUEST_FEATURES, MIB, OS_VERSIONS, PV_DRIVERS, PoolComponent
from tests.simulator.services.xenserver.vm_checks import refresh_allowed
from tests.simulator.services.xenserver.wire import datetime
from tests.simulator.services.xenserver.xenapi_model import NULL_REF


class VmParts(PoolComponent):
    """Builds VM parts in ``db``; ``clock`` dates them, ``layout`` (a :class:`~.estate.PoolLayout`) names the
    pool whose default SR new disks go to. Counters make domain ids, MACs and guest addresses unique."""

    def __init__(self, db, clock, layout):
        super().__init__(db, clock, layout)
        self.vif_ips = {}
        self.ip_counter = 0
        self.mac_counter = 0
        self.domid_counter = 0

    def next_domid(self):
        self.domid_counter += 1
        return self.domid_counter

    def new_vm(self, name, vcpus=2, memory=4 * GIB, power_state='Halted', resident_on=NULL_REF, tags=(),
               other_config=None, description=''):
        ref = self.db.create('VM', name_label=name, name_description=description, power_state=power_state,
                             resident_on=resident_on, VCPUs_max=vcpus, VCPUs_at_startup=vcpus, user_version=1,
                             memory_static_max=memory, memory_dynamic_max=memory, memory_dynamic_min=memory,
                             memory_static_min=512 * 1024 * 1024, memory_target=memory, HVM_boot_policy='BIOS order',
                             HVM_boot_params={'order': 'cd'}, domain_type='hvm', tags=list(tags),
                             other_config=dict(other_config or {}), platform={'viridian': 'true', 'acpi': '1', 'apic': 'true'},
                             actions_after_shutdown='destroy', actions_after_reboot='restart',
                             actions_after_crash='restart', domid=-1)
        running = power_state in ('Running', 'Paused')
        if running:
            self.db.update('VM', ref, domid=self.next_domid())
        if resident_on in self.db.all('host'):
            self.db.get('host', resident_on)['resident_VMs'].append(ref)
        self.new_vm_metrics(ref, running=running)
        if running:
            self.add_console(ref)
        refresh_allowed(self.db, ref)
        return ref

    def new_vm_metrics(self, vm, running):
        record = self.db.get('VM', vm)
        now = datetime(self.clock.now())
        metrics = self.db.create('VM_metrics', memory_actual=record['memory_dynamic_max'] if running else 0,
                                 VCPUs_number=record['VCPUs_at_startup'] if running else 0, start_time=now,
                                 install_time=now, last_updated=now, hvm=record['domain_type'] == 'hvm',
                                 current_domain_type=record['domain_type'] if running else 'unspecified')
        self.db.update('VM', vm, metrics=metrics)
        return metrics

    def new_vdi(self, name, size, sr=None, vdi_type='user', **fields):
        """A managed virtual disk of ``size`` bytes on ``sr`` (by default the pool's default SR)."""
        if sr is None:
            sr = self.db.get('pool', self.layout.pool)['default_SR']
        vdi = self.db.create('VDI', **dict(dict(
            name_label=name, SR=sr, virtual_size=int(size), physical_utilisation=int(size) // 4, type=vdi_type,
            managed=True, on_boot='persist', location='%s.vhd' % name.replace(' ', '-'), sm_config={'vdi_type': 'vhd'},
            allowed_operations=['clone', 'copy', 'destroy', 'snapshot', 'resize']), **fields))
        self.db.get('SR', sr)['VDIs'].append(vdi)
        self.db.touch('SR', sr)
        return vdi

    def attach(self, vm, vdi, userdevice, bootable=False, vbd_type='Disk', attached=None):
        """A VBD putting ``vdi`` (NULL for an empty CD drive) in ``vm`` at ``userdevice``."""
        vm_record = self.db.get('VM', vm)
        empty = vdi == NULL_REF
        if attached is None:
            attached = vm_record['power_state'] in ('Running', 'Paused') and not empty
        vbd = self.db.create('VBD', VM=vm, VDI=vdi, device=device_name(userdevice), userdevice=str(userdevice),
                             bootable=bootable, mode='RO' if vbd_type == 'CD' else 'RW', type=vbd_type, unpluggable=True,
                             currently_attached=attached, empty=empty)
        if not empty:
            self.db.get('VDI', vdi)['VBDs'].append(vbd)
            self.db.touch('VDI', vdi)
        vm_record['VBDs'].append(vbd)
        self.db.touch('VM', vm)
        refresh_vbd(self.db, vbd)
        return vbd

    def add_disk(self, vm, size, userdevice='0', name='disk', sr=None, bootable=None):
        vdi = self.new_vdi(name, size, sr, vdi_type='system' if str(userdevice) == '0' else 'user')
        return self.attach(vm, vdi, userdevice, bootable=(str(userdevice) == '0') if bootable is None else bootable)

    def add_cd(self, vm, userdevice='3', vdi=NULL_REF):
        return self.attach(vm, vdi, userdevice, vbd_type='CD', attached=False)

    def next_mac(self):
        self.mac_counter += 1
        counter = self.mac_counter
        return '02:16:3e:%02x:%02x:%02x' % ((counter >> 16) & 0xff, (counter >> 8) & 0xff, counter & 0xff)

    def add_nic(self, vm, network, device='0', mac=None, attached=None):
        vm_record = self.db.get('VM', vm)
        if attached is None:
            attached = vm_record['power_state'] in ('Running', 'Paused')
        vif = self.db.create('VIF', device=str(device), network=network, VM=vm, MAC=mac or self.next_mac(), MTU=1500,
                             currently_attached=attached, MAC_autogenerated=not mac, locking_mode='network_default',
                             allowed_operations=['attach', 'unplug' if attached else 'plug'],
                             ipv4_configuration_mode='None', ipv6_configuration_mode='None')
        self.db.get('network', network)['VIFs'].append(vif)
        self.db.touch('network', network)
        vm_record['VIFs'].append(vif)
        self.db.touch('VM', vm)
        return vif

    def add_console(self, vm):
        """The VNC console a running VM has (xapi makes it at boot and drops it at shutdown)."""
        record = self.db.get('VM', vm)
        host = self.db.find('host', record['resident_on']) or {}
        console = self.db.create('console', protocol='rfb', VM=vm, other_config={})
        uuid = self.db.get('console', console)['uuid']
        self.db.update('console', console, location='https://%s/console?uuid=%s' % (host.get('address', ''), uuid))
        record['consoles'].append(console)
        self.db.touch('VM', vm)
        return console

    def drop_consoles(self, vm):
        record = self.db.get('VM', vm)
        for console in list(record['consoles']):
            if self.db.exists('console', console):
                self.db.destroy('console', console)
        if record['consoles']:
            self.db.update('VM', vm, consoles=[])

    def vif_address(self, vif):
        if vif not in self.vif_ips:
            self.ip_counter += 1
            n = self.ip_counter
            self.vif_ips[vif] = ('10.%d.%d.%d' % (20 + (n >> 16) % 200, (n >> 8) & 0xff, n & 0xff or 1),
                                 'fe80::16:3eff:fe%02x:%04x' % ((n >> 16) & 0xff, n & 0xffff))
        return self.vif_ips[vif]

    def report_guest(self, vm, os=None):
        """The guest agent's report: OS, PV drivers, features and one address per NIC."""
        record = self.db.get('VM', vm)
        networks = {}
        for vif in record['VIFs']:
            device = self.db.get('VIF', vif)['device']
            ipv4, ipv6 = self.vif_address(vif)
            networks.update({'%s/ip' % device: ipv4, '%s/ipv4/0' % device: ipv4, '%s/ipv6/0' % device: ipv6})
        os = os or OS_VERSIONS[len(record['name_label']) % len(OS_VERSIONS)]
        now = datetime(self.clock.now())
        if self.db.exists('VM_guest_metrics', record['guest_metrics']):
            self.db.update('VM_guest_metrics', record['guest_metrics'], networks=networks, last_updated=now)
            return record['guest_metrics']
        metrics = self.db.create('VM_guest_metrics', os_version=dict(os), PV_drivers_version=dict(PV_DRIVERS),
                                 PV_drivers_up_to_date=True, PV_drivers_detected=True, networks=networks,
                                 other=dict(GUEST_FEATURES), last_updated=now, live=True,
                                 can_use_hotplug_vbd='yes', can_use_hotplug_vif='yes')
        self.db.update('VM', vm, guest_metrics=metrics)
        refresh_allowed(self.db, vm)
        return metrics

    def drop_guest_metrics(self, vm):
        record = self.db.get('VM', vm)
        if self.db.exists('VM_guest_metrics', record['guest_metrics']):
            self.db.destroy('VM_guest_metrics', record['guest_metrics'])
        if record['guest_metrics'] != NULL_REF:
            self.db.update('VM', vm, guest_metrics=NULL_REF)

    def snapshot(self, vm, name, ignore_vdis=(), memory=False):
        """A snapshot of ``vm`` called ``name``, as ``VM.snapshot`` (or, with ``memory``, ``VM.checkpoint``)
        leaves it: a VM record that is a snapshot and a template, of the VM's configuration at this moment,
        with a snapshot of each disk (but those of ``ignore_vdis``), its CD drives and copies of its NICs;
        Suspended with a suspend image when the memory of a running or suspended VM was saved. The VM's
        ``parent`` becomes the snapshot; the snapshot's is the VM's previous one."""
        source = self.db.get('VM', vm)
        suspended = memory and source['power_state'] in ('Running', 'Suspended')
        skip = ('uuid', 'VBDs', 'VIFs', 'metrics', 'guest_metrics', 'snapshots', 'children', 'current_operations',
                'allowed_operations', 'resident_on', 'domid', 'consoles', 'suspend_VDI', 'VTPMs', 'parent')
        fields = {k: (dict(v) if isinstance(v, dict) else list(v) if isinstance(v, list) else v)
                  for k, v in source.items() if k not in skip}
        now = datetime(self.clock.now())
        fields.update(name_label=name, is_a_snapshot=True, is_a_template=True, snapshot_of=vm, snapshot_time=now,
                      power_state='Suspended' if suspended else 'Halted', domid=-1, parent=source['parent'],
                      is_default_template=False)
        ref = self.db.create('VM', **fields)
        self.new_vm_metrics(ref, running=False)
        for vbd in source['VBDs']:
            record = self.db.get('VBD', vbd)
            if record['type'] == 'CD':
                self.add_cd(ref, userdevice=record['userdevice'], vdi=record['VDI'])
            elif record['VDI'] not in ignore_vdis:
                original = self.db.get('VDI', record['VDI'])
                copy = self.new_vdi(original['name_label'], original['virtual_size'], original['SR'],
                                    vdi_type=original['type'], is_a_snapshot=True, snapshot_of=record['VDI'],
                                    snapshot_time=now, name_description=original['name_description'])
                original['snapshots'].append(copy)
                self.db.touch('VDI', record['VDI'])
                self.attach(ref, copy, record['userdevice'], bootable=record['bootable'], attached=False)
        for vif in source['VIFs']:
            record = self.db.get('VIF', vif)
            self.add_nic(ref, record['network'], device=record['device'], mac=record['MAC'], attached=False)
        if suspended:
            pool = self.db.get('pool', self.layout.pool)
            image = self.new_vdi('Suspend image', source['memory_static_max'] + 16 * MIB, pool['suspend_image_SR'],
                                 vdi_type='suspend', is_a_snapshot=True, snapshot_time=now)
            self.db.update('VM', ref, suspend_VDI=image)
        source['snapshots'].append(ref)
        self.db.update('VM', vm, parent=ref)
        refresh_allowed(self.db, ref)
        return ref

    def snapshot_record(self, vm, name):
        return self.snapshot(vm, name)


def device_name(userdevice):
    """The guest's device name of a disk number: 0 -> xvda, 25 -> xvdz, 26 -> xvdaa."""
    number = int(userdevice) if str(userdevice).isdigit() else 0
    letters = ''
    number += 1
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord('a') + rest) + letters
    return 'xvd' + letters


def refresh_vbd(db, vbd):
    """A VBD's ``allowed_operations``: CD drives take insert or eject; attached devices unplug, others
    attach (and plug while their VM runs)."""
    record = db.get('VBD', vbd)
    vm = db.find('VM', record['VM']) or {}
    allowed = ['attach']
    if record['type'] == 'CD':
        allowed.append('insert' if record['empty'] else 'eject')
    if record['currently_attached']:
        allowed = [op for op in allowed if op != 'attach'] + ['unplug', 'unplug_force']
    elif vm.get('power_state') == 'Running':
        allowed.append('plug')
    if sorted(allowed) != sorted(record['allowed_operations']):
        db.update('VBD', vbd, allowed_operations=allowed)
