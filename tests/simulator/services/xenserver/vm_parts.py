"""The building blocks of the simulated pool's VMs: VM records with their metrics, disks (VDI and VBD),
CD drives, NICs (VIF with a MAC), guest agent reports (OS, PV drivers, features, one address per NIC)
and snapshots. The estate builder, the VM operations and tests build with them."""

from tests.simulator.services.xenserver.estate import GIB, GUEST_FEATURES, OS_VERSIONS, PV_DRIVERS, PoolComponent
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
        refresh_allowed(self.db, ref)
        return ref

    def new_vm_metrics(self, vm, running):
        record = self.db.get('VM', vm)
        now = datetime(self.clock.now())
        metrics = self.db.create('VM_metrics', memory_actual=record['memory_dynamic_max'] if running else 0,
                                 VCPUs_number=record['VCPUs_at_startup'] if running else 0, start_time=now,
                                 install_time=now, last_updated=now, hvm=record['domain_type'] == 'hvm',
                                 current_domain_type=record['domain_type'] if running else 'unspecified',
                                 VCPUs_utilisation={0: 0.02} if running else {})
        self.db.update('VM', vm, metrics=metrics)
        return metrics

    def add_disk(self, vm, size, userdevice='0', name='disk', sr=None, bootable=None):
        if sr is None:
            sr = self.db.get('pool', self.layout.pool)['default_SR']
        vm_record = self.db.get('VM', vm)
        vdi = self.db.create('VDI', name_label=name, SR=sr, virtual_size=int(size), physical_utilisation=int(size) // 4,
                             type='system' if userdevice == '0' else 'user', managed=True, on_boot='persist',
                             location='%s.vhd' % name.replace(' ', '-'), sm_config={'vdi_type': 'vhd'},
                             allowed_operations=['clone', 'copy', 'destroy', 'snapshot', 'resize'])
        attached = vm_record['power_state'] in ('Running', 'Paused')
        vbd = self.db.create('VBD', VM=vm, VDI=vdi, device='xvd%s' % chr(ord('a') + int(userdevice)),
                             userdevice=userdevice, bootable=(userdevice == '0') if bootable is None else bootable,
                             mode='RW', type='Disk', unpluggable=True, currently_attached=attached, empty=False)
        self.db.get('VDI', vdi)['VBDs'].append(vbd)
        self.db.get('SR', sr)['VDIs'].append(vdi)
        vm_record['VBDs'].append(vbd)
        self.db.touch('VM', vm)
        return vbd

    def add_cd(self, vm, userdevice='3'):
        vm_record = self.db.get('VM', vm)
        vbd = self.db.create('VBD', VM=vm, VDI=NULL_REF, device='xvd%s' % chr(ord('a') + int(userdevice)),
                             userdevice=userdevice, bootable=False, mode='RO', type='CD', unpluggable=True,
                             currently_attached=False, empty=True)
        vm_record['VBDs'].append(vbd)
        self.db.touch('VM', vm)
        return vbd

    def add_nic(self, vm, network, device='0'):
        vm_record = self.db.get('VM', vm)
        self.mac_counter += 1
        counter = self.mac_counter
        mac = '02:16:3e:%02x:%02x:%02x' % ((counter >> 16) & 0xff, (counter >> 8) & 0xff, counter & 0xff)
        vif = self.db.create('VIF', device=device, network=network, VM=vm, MAC=mac, MTU=1500,
                             currently_attached=vm_record['power_state'] in ('Running', 'Paused'),
                             MAC_autogenerated=True, locking_mode='network_default', allowed_operations=['attach', 'plug'],
                             ipv4_configuration_mode='None', ipv6_configuration_mode='None')
        self.db.get('network', network)['VIFs'].append(vif)
        vm_record['VIFs'].append(vif)
        self.db.touch('VM', vm)
        return vif

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
                                 other=dict(GUEST_FEATURES), memory={}, disks={}, last_updated=now, live=True,
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

    def snapshot_record(self, vm, name):
        source = self.db.get('VM', vm)
        # A snapshot is a template too (is_a_template and is_a_snapshot), as xapi makes them.
        ref = self.db.create('VM', name_label=name, is_a_snapshot=True, is_a_template=True, snapshot_of=vm, power_state='Halted',
                             snapshot_time=datetime(self.clock.now()), VCPUs_max=source['VCPUs_max'],
                             VCPUs_at_startup=source['VCPUs_at_startup'], memory_static_max=source['memory_static_max'],
                             tags=list(source['tags']), domid=-1)
        self.new_vm_metrics(ref, running=False)
        source['snapshots'].append(ref)
        refresh_allowed(self.db, ref)
        return ref
