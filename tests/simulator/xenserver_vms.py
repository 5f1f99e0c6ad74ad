"""VM operations of the simulated XenServer pool, as a mixin of the service: xapi's checks in its
order (power-states.md), power operations, clone/copy/provision/destroy, configuration, and the
building blocks (VMs, disks, NICs, guest metrics) the estate builder and tests use too.

The mixin relies on the service for ``db``, ``sim``, ``durations``, ``boot_seconds``, the job list
(``jobs``, ``finishing``, ``end_job``), ``schedule``, ``hosts``, ``pool`` and the knobs ``hung`` and
``no_tools``.
"""

import re

from tests.simulator.xenapi_db import XenFailure
from tests.simulator.xenapi_model import NULL_REF
from tests.simulator.xenserver_estate import GIB, GUEST_FEATURES, OS_VERSIONS, PV_DRIVERS, datetime

# power-states.md: allowed power states per operation, in the order xapi lists them in VM_BAD_POWER_STATE.
ALLOWED_STATES = {
    'start': ('halted',), 'start_on': ('halted',), 'clean_shutdown': ('running',),
    'hard_shutdown': ('paused', 'suspended', 'running'), 'shutdown': ('paused', 'suspended', 'running'),
    'clean_reboot': ('running',), 'hard_reboot': ('paused', 'running'), 'suspend': ('running',),
    'resume': ('suspended',), 'resume_on': ('suspended',), 'pause': ('running',), 'unpause': ('paused',),
    'clone': ('halted',), 'copy': ('halted',), 'destroy': ('halted', 'suspended'), 'pool_migrate': ('running',),
    'provision': ('halted',), 'export': ('halted', 'suspended'), 'changing_VCPUs': ('halted',),
    'changing_memory_limits': ('halted',), 'changing_static_range': ('halted',), 'make_into_template': ('halted',),
}
TEMPLATE_OPERATIONS = ('clone', 'copy', 'export', 'metadata_export', 'provision', 'changing_VCPUs',
                       'changing_memory_limits', 'changing_static_range', 'changing_dynamic_range', 'destroy')
SNAPSHOT_OPERATIONS = ('revert', 'clone', 'copy', 'export', 'destroy', 'hard_shutdown', 'metadata_export')
GUEST_FEATURE_NEEDED = {'clean_shutdown': ('feature-shutdown', 'feature-poweroff'),
                        'clean_reboot': ('feature-shutdown', 'feature-reboot'),
                        'suspend': ('feature-suspend',), 'pool_migrate': ('feature-suspend',)}
LISTED_OPERATIONS = ('start', 'start_on', 'clean_shutdown', 'hard_shutdown', 'clean_reboot', 'hard_reboot',
                     'suspend', 'resume', 'resume_on', 'pause', 'unpause', 'clone', 'copy', 'destroy',
                     'pool_migrate', 'provision', 'export', 'changing_VCPUs', 'changing_memory_limits',
                     'changing_static_range', 'changing_dynamic_range')


class Pending:
    """A VM operation accepted but not finished: it occupies ``vm``'s ``current_operations`` for
    ``duration`` simulator seconds (forever when ``hang``), then ``finish()`` returns its result."""

    def __init__(self, op, vm, duration, finish, hang=False):
        self.op = op
        self.vm = vm
        self.duration = duration
        self.finish = finish
        self.hang = hang
        self.task = None
        self.started = 0.0
        self.progress = 0.0
        self.done = False
        self.result = None
        self.failure = None


class VmOperations:
    """xapi's VM messages and the helpers that build VMs."""

    # -- VM checks (power-states.md, in xapi's order) -------------------------------------------

    def check_operation(self, vm, op, strict=True):
        record = self.db.get('VM', vm)
        if op in record['blocked_operations']:
            raise XenFailure('OPERATION_BLOCKED', vm, record['blocked_operations'][op])
        power = record['power_state'].lower()
        allowed = ALLOWED_STATES.get(op)
        if allowed and power not in allowed:
            raise XenFailure('VM_BAD_POWER_STATE', vm, ', '.join(allowed), power)
        for task, other in record['current_operations'].items():
            if not self._may_overlap(op, other):
                raise XenFailure('OTHER_OPERATION_IN_PROGRESS', 'VM', vm, other, task)
        if record['is_a_template'] and not record['is_a_snapshot']:
            if op not in TEMPLATE_OPERATIONS or (op == 'destroy' and record['is_default_template']):
                if op == 'destroy':
                    raise XenFailure('VM_CANNOT_DELETE_DEFAULT_TEMPLATE', vm)
                raise XenFailure('VM_IS_TEMPLATE', vm, op)
        if record['is_a_snapshot'] and op not in SNAPSHOT_OPERATIONS:
            raise XenFailure('VM_IS_SNAPSHOT', vm, op)
        if op == 'provision' and not record['is_a_template']:
            raise XenFailure('PROVISION_ONLY_ALLOWED_ON_TEMPLATE')
        if record['is_control_domain'] and op not in ('start', 'start_on', 'changing_memory_limits'):
            raise XenFailure('OPERATION_NOT_ALLOWED', 'This operation is not allowed on a control domain')
        if strict and power == 'running' and op in GUEST_FEATURE_NEEDED:
            other = self._guest_other(record)
            if not any(other.get(feature) == '1' for feature in GUEST_FEATURE_NEEDED[op]):
                raise XenFailure('VM_LACKS_FEATURE', vm)
        return record

    @staticmethod
    def _may_overlap(op, other):
        if op == 'hard_shutdown':
            return other != 'hard_shutdown'
        if op == 'hard_reboot':
            return other not in ('hard_shutdown', 'hard_reboot')
        copies = ('clone', 'copy', 'export')
        return op in copies and other in copies

    def _guest_other(self, record):
        metrics = self.db.find('VM_guest_metrics', record['guest_metrics'])
        return metrics['other'] if metrics and metrics['PV_drivers_detected'] else {}

    def refresh_allowed(self, vm):
        allowed = []
        for op in LISTED_OPERATIONS:
            try:
                self.check_operation(vm, op)
            except XenFailure:
                continue
            allowed.append(op)
        self.db.update('VM', vm, allowed_operations=allowed)

    def later(self, op, vm, finish, hang=False):
        return Pending(op, vm, self.durations.get(op, 1.0), finish, hang=hang)

    # -- VM power operations --------------------------------------------------------------------

    def pick_host(self, vm):
        affinity = self.db.get('VM', vm)['affinity']
        if affinity in self.hosts:
            return affinity
        counts = {h: len(self.db.get('host', h)['resident_VMs']) for h in self.hosts if self.db.get('host', h)['enabled']}
        if not counts:
            raise XenFailure('NO_HOSTS_AVAILABLE')
        return min(counts, key=lambda h: (counts[h], self.hosts.index(h)))

    def vm_start(self, _session, vm, start_paused, _force):
        self.check_operation(vm, 'start')
        return self.later('start', vm, lambda: self.power_on(vm, self.pick_host(vm), start_paused))

    def vm_start_on(self, _session, vm, host, start_paused, _force):
        self.check_operation(vm, 'start_on')
        if not self.db.get('host', host)['enabled']:
            raise XenFailure('HOST_DISABLED', host)
        return self.later('start_on', vm, lambda: self.power_on(vm, host, start_paused))

    def vm_clean_shutdown(self, _session, vm):
        self.check_operation(vm, 'clean_shutdown')
        return self.later('clean_shutdown', vm, lambda: self.power_off(vm), hang=vm in self.hung)

    def vm_hard_shutdown(self, _session, vm):
        self.check_operation(vm, 'hard_shutdown')
        return self.later('hard_shutdown', vm, lambda: self.power_off(vm))

    def vm_shutdown(self, _session, vm):
        record = self.check_operation(vm, 'shutdown')
        clean = record['power_state'] == 'Running' and vm not in self.hung and any(
            self._guest_other(record).get(f) == '1' for f in GUEST_FEATURE_NEEDED['clean_shutdown'])
        return self.later('shutdown' if clean else 'hard_shutdown', vm, lambda: self.power_off(vm))

    def vm_clean_reboot(self, _session, vm):
        self.check_operation(vm, 'clean_reboot')
        return self.later('clean_reboot', vm, lambda: self.reboot(vm), hang=vm in self.hung)

    def vm_hard_reboot(self, _session, vm):
        self.check_operation(vm, 'hard_reboot')
        return self.later('hard_reboot', vm, lambda: self.reboot(vm))

    def vm_suspend(self, _session, vm):
        self.check_operation(vm, 'suspend')
        return self.later('suspend', vm, lambda: self.set_power(vm, 'Suspended', NULL_REF))

    def vm_resume(self, _session, vm, start_paused, _force):
        self.check_operation(vm, 'resume')
        return self.later('resume', vm, lambda: self.set_power(vm, 'Paused' if start_paused else 'Running',
                                                               self.pick_host(vm)))

    def vm_resume_on(self, _session, vm, host, start_paused, _force):
        self.check_operation(vm, 'resume_on')
        return self.later('resume_on', vm, lambda: self.set_power(vm, 'Paused' if start_paused else 'Running', host))

    def vm_pause(self, _session, vm):
        self.check_operation(vm, 'pause')
        return self.later('pause', vm, lambda: self.set_power(vm, 'Paused'))

    def vm_unpause(self, _session, vm):
        self.check_operation(vm, 'unpause')
        return self.later('unpause', vm, lambda: self.set_power(vm, 'Running'))

    def vm_pool_migrate(self, _session, vm, host, options):
        self.check_operation(vm, 'pool_migrate', strict=options.get('force') != 'true')
        if not self.db.get('host', host)['enabled']:
            raise XenFailure('HOST_DISABLED', host)
        return self.later('pool_migrate', vm, lambda: self.move(vm, host))

    def set_power(self, vm, state, host=None):
        record = self.db.get('VM', vm)
        old_host = record['resident_on']
        if host is not None and host != old_host:
            if old_host in self.hosts:
                self.db.get('host', old_host)['resident_VMs'].remove(vm)
                self.db.touch('host', old_host)
            if host in self.hosts:
                self.db.get('host', host)['resident_VMs'].append(vm)
                self.db.touch('host', host)
        fields = {'power_state': state}
        if host is not None:
            fields['resident_on'] = host
        self.db.update('VM', vm, **fields)
        self.refresh_allowed(vm)
        return ''

    def power_on(self, vm, host, paused):
        record = self.db.get('VM', vm)
        self.domid_counter += 1
        self.db.update('VM', vm, domid=self.domid_counter)
        self.set_power(vm, 'Paused' if paused else 'Running', host)
        self._attach(record, True)
        metrics = self.db.find('VM_metrics', record['metrics'])
        if metrics is not None:
            self.db.update('VM_metrics', record['metrics'], start_time=datetime(self.sim.clock.now()),
                           VCPUs_number=record['VCPUs_at_startup'], memory_actual=record['memory_dynamic_max'])
        self.boot(vm)
        return ''

    def power_off(self, vm):
        for job in [j for j in self.jobs if j.vm == vm and j is not self.finishing
                    and j.op in ('clean_shutdown', 'clean_reboot', 'shutdown')]:
            self.end_job(job, failure=XenFailure('VM_BAD_POWER_STATE', vm, 'running', 'halted'))
        record = self.db.get('VM', vm)
        self.drop_guest_metrics(vm)
        self.db.update('VM', vm, domid=-1)
        self.set_power(vm, 'Halted', NULL_REF)
        self._attach(record, False)
        return ''

    def reboot(self, vm):
        self.drop_guest_metrics(vm)
        self.domid_counter += 1
        self.db.update('VM', vm, domid=self.domid_counter)
        self.set_power(vm, 'Running')
        self.boot(vm)
        return ''

    def move(self, vm, host):
        self.set_power(vm, 'Running', host)
        return ''

    def boot(self, vm):
        """The guest agent reports ``boot_seconds`` after a boot, unless this boot was replaced."""
        self.boot_ids[vm] += 1
        boot_id = self.boot_ids[vm]

        def report():
            record = self.db.find('VM', vm)
            if record and record['power_state'] == 'Running' and self.boot_ids[vm] == boot_id and vm not in self.no_tools:
                self.report_guest(vm)
        self.schedule(self.boot_seconds, report)

    def _attach(self, record, attached):
        for cls, refs in (('VBD', record['VBDs']), ('VIF', record['VIFs'])):
            for ref in refs:
                if self.db.exists(cls, ref) and not (cls == 'VBD' and self.db.get(cls, ref)['empty']):
                    self.db.update(cls, ref, currently_attached=attached)

    # -- VM lifecycle ---------------------------------------------------------------------------

    def vm_clone(self, _session, vm, new_name):
        self.check_operation(vm, 'clone')
        return self.later('clone', vm, lambda: self.clone_vm(vm, new_name))

    def vm_copy(self, _session, vm, new_name, sr):
        self.check_operation(vm, 'copy')
        if sr != NULL_REF:
            self.db.get('SR', sr)
        return self.later('copy', vm, lambda: self.clone_vm(vm, new_name, sr if sr != NULL_REF else None))

    def vm_provision(self, _session, vm):
        self.check_operation(vm, 'provision')
        return self.later('provision', vm, lambda: self.provision_vm(vm))

    def vm_destroy(self, _session, vm):
        self.check_operation(vm, 'destroy')
        record = self.db.get('VM', vm)
        for vbd in list(record['VBDs']):
            self._destroy_vbd(vbd)
        for vif in list(record['VIFs']):
            network = self.db.find('network', self.db.get('VIF', vif)['network'])
            if network is not None and vif in network['VIFs']:
                network['VIFs'].remove(vif)
            self.db.destroy('VIF', vif)
        self.drop_guest_metrics(vm)
        if self.db.exists('VM_metrics', record['metrics']):
            self.db.destroy('VM_metrics', record['metrics'])
        source = self.db.find('VM', record['snapshot_of'])
        if source is not None and vm in source['snapshots']:
            source['snapshots'].remove(vm)
        self.db.destroy('VM', vm)
        return ''

    def _destroy_vbd(self, vbd):
        vdi = self.db.get('VBD', vbd)['VDI']
        record = self.db.find('VDI', vdi)
        if record is not None and vbd in record['VBDs']:
            record['VBDs'].remove(vbd)
            self.db.touch('VDI', vdi)
        self.db.destroy('VBD', vbd)

    def clone_vm(self, source, new_name, sr=None):
        src = self.db.get('VM', source)
        skip = ('uuid', 'VBDs', 'VIFs', 'metrics', 'guest_metrics', 'snapshots', 'children', 'current_operations',
                'allowed_operations', 'resident_on', 'domid', 'consoles')
        fields = {k: (dict(v) if isinstance(v, dict) else list(v) if isinstance(v, list) else v)
                  for k, v in src.items() if k not in skip}
        fields['other_config'].pop('default_template', None)
        fields.update(name_label=new_name, is_default_template=False, is_a_snapshot=False, snapshot_of=NULL_REF,
                      parent=source, power_state='Halted' if src['power_state'] != 'Suspended' else 'Suspended',
                      current_operations={}, domid=-1)
        ref = self.db.create('VM', **fields)
        self.new_vm_metrics(ref, running=False)
        for vbd in src['VBDs']:
            record = self.db.get('VBD', vbd)
            if record['type'] == 'CD':
                self.add_cd(ref, userdevice=record['userdevice'])
                continue
            vdi = self.db.get('VDI', record['VDI'])
            self.add_disk(ref, vdi['virtual_size'], userdevice=record['userdevice'], name=vdi['name_label'],
                          sr=sr or vdi['SR'], bootable=record['bootable'])
        for vif in src['VIFs']:
            record = self.db.get('VIF', vif)
            self.add_nic(ref, record['network'], device=record['device'])
        src['children'].append(ref)
        self.refresh_allowed(ref)
        return ref

    def provision_vm(self, vm):
        record = self.db.get('VM', vm)
        self.db.update('VM', vm, is_a_template=False)
        existing = {self.db.get('VBD', v)['userdevice'] for v in record['VBDs']}
        spec = record['other_config'].get('disks', '')
        for match in re.finditer(r'<disk\s+([^>]*)/?>', spec):
            attrs = dict(re.findall(r'(\w+)="([^"]*)"', match.group(1)))
            if attrs.get('device') in existing:
                continue
            sr = attrs.get('sr') or self.db.get('pool', self.pool)['default_SR']
            self.add_disk(vm, int(attrs.get('size', 0)), userdevice=attrs.get('device', '0'),
                          name='%s %s' % (record['name_label'], attrs.get('device', '0')),
                          sr=sr if self.db.exists('SR', sr) else None, bootable=attrs.get('bootable') == 'true')
        self.refresh_allowed(vm)
        return ''

    def vm_set_is_a_template(self, _session, vm, value):
        if value:
            self.check_operation(vm, 'make_into_template')
        self.db.update('VM', vm, is_a_template=value)
        self.refresh_allowed(vm)
        return ''

    # -- VM configuration -----------------------------------------------------------------------

    def vm_set_vcpus_max(self, _session, vm, value):
        record = self.check_operation(vm, 'changing_VCPUs')
        if value < 1 or value > 64:
            raise XenFailure('VALUE_NOT_SUPPORTED', 'VCPUs_max', value, 'value must be between 1 and 64')
        if value < record['VCPUs_at_startup']:
            raise XenFailure('VALUE_NOT_SUPPORTED', 'VCPUs_max', value, 'value is lower than VCPUs_at_startup')
        self.db.update('VM', vm, VCPUs_max=value)
        return ''

    def vm_set_vcpus_at_startup(self, _session, vm, value):
        record = self.check_operation(vm, 'changing_VCPUs')
        if value < 1 or value > record['VCPUs_max']:
            raise XenFailure('VALUE_NOT_SUPPORTED', 'VCPUs_at_startup', value, 'value greater than VCPUs_max')
        self.db.update('VM', vm, VCPUs_at_startup=value)
        return ''

    def _set_memory(self, vm, static_min, static_max, dynamic_min, dynamic_max):
        if not 0 <= static_min <= dynamic_min <= dynamic_max <= static_max:
            raise XenFailure('MEMORY_CONSTRAINT_VIOLATION',
                             'Memory limits must satisfy: static_min <= dynamic_min <= dynamic_max <= static_max')
        self.db.update('VM', vm, memory_static_min=static_min, memory_static_max=static_max,
                       memory_dynamic_min=dynamic_min, memory_dynamic_max=dynamic_max, memory_target=dynamic_max)
        return ''

    def vm_set_memory(self, _session, vm, value):
        record = self.check_operation(vm, 'changing_memory_limits')
        return self._set_memory(vm, record['memory_static_min'], value, value, value)

    def vm_set_memory_limits(self, _session, vm, static_min, static_max, dynamic_min, dynamic_max):
        self.check_operation(vm, 'changing_memory_limits')
        return self._set_memory(vm, static_min, static_max, dynamic_min, dynamic_max)

    def vm_set_memory_static_max(self, _session, vm, value):
        record = self.check_operation(vm, 'changing_static_range')
        return self._set_memory(vm, record['memory_static_min'], value, record['memory_dynamic_min'],
                                record['memory_dynamic_max'])

    def vm_set_memory_dynamic_range(self, _session, vm, dynamic_min, dynamic_max):
        record = self.check_operation(vm, 'changing_dynamic_range')
        return self._set_memory(vm, record['memory_static_min'], record['memory_static_max'], dynamic_min, dynamic_max)

    # -- building blocks (also used by the estate builder and tests) ----------------------------

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
            self.domid_counter += 1
            self.db.update('VM', ref, domid=self.domid_counter)
        if resident_on in self.db.all('host'):
            self.db.get('host', resident_on)['resident_VMs'].append(ref)
        self.new_vm_metrics(ref, running=running)
        self.refresh_allowed(ref)
        return ref

    def new_vm_metrics(self, vm, running):
        record = self.db.get('VM', vm)
        now = datetime(self.sim.clock.now())
        metrics = self.db.create('VM_metrics', memory_actual=record['memory_dynamic_max'] if running else 0,
                                 VCPUs_number=record['VCPUs_at_startup'] if running else 0, start_time=now,
                                 install_time=now, last_updated=now, hvm=record['domain_type'] == 'hvm',
                                 current_domain_type=record['domain_type'] if running else 'unspecified',
                                 VCPUs_utilisation={0: 0.02} if running else {})
        self.db.update('VM', vm, metrics=metrics)
        return metrics

    def add_disk(self, vm, size, userdevice='0', name='disk', sr=None, bootable=None):
        if sr is None:
            sr = self.db.get('pool', self.pool)['default_SR']
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
        now = datetime(self.sim.clock.now())
        if self.db.exists('VM_guest_metrics', record['guest_metrics']):
            self.db.update('VM_guest_metrics', record['guest_metrics'], networks=networks, last_updated=now)
            return record['guest_metrics']
        metrics = self.db.create('VM_guest_metrics', os_version=dict(os), PV_drivers_version=dict(PV_DRIVERS),
                                 PV_drivers_up_to_date=True, PV_drivers_detected=True, networks=networks,
                                 other=dict(GUEST_FEATURES), memory={}, disks={}, last_updated=now, live=True,
                                 can_use_hotplug_vbd='yes', can_use_hotplug_vif='yes')
        self.db.update('VM', vm, guest_metrics=metrics)
        self.refresh_allowed(vm)
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
                             snapshot_time=datetime(self.sim.clock.now()), VCPUs_max=source['VCPUs_max'],
                             VCPUs_at_startup=source['VCPUs_at_startup'], memory_static_max=source['memory_static_max'],
                             tags=list(source['tags']), domid=-1)
        self.new_vm_metrics(ref, running=False)
        source['snapshots'].append(ref)
        self.refresh_allowed(ref)
        return ref
