"""Builds the simulated XenServer pool: hosts with CPUs, metrics and management interfaces, networks,
storage, the default templates with their ``disks`` provisioning specs, a user template, and a
deterministic population of VMs (power states, disks, NICs, tags, guest metrics) sized by the
simulator's ``size`` or ``{"xenserver": {"vms": N}}``.

Records get every field of the datamodel (defaults from ``xenapi_model``); the values that matter
follow what a XenServer 8 pool reports.
"""

from tests.simulator.services.xenserver.infrastructure import Infrastructure
from tests.simulator.services.xenserver.vm_checks import refresh_allowed
from tests.simulator.services.xenserver.wire import datetime
from tests.simulator.services.xenserver.xenapi_model import NULL_REF

GIB = 1024 ** 3
MIB = 1024 ** 2

SOFTWARE_VERSION = {
    'product_brand': 'XenServer', 'product_version': '8.4.0', 'product_version_text': '8',
    'product_version_text_short': '8', 'platform_name': 'XCP', 'platform_version': '3.4.0',
    'build_number': 'stream', 'hostname': 'localhost', 'date': '2024-10-01', 'xapi': '24.19',
    'xapi_build': '24.19.2', 'xen': '4.17.5-3', 'linux': '4.19.0+1', 'xencenter_min': '2.21',
    'xencenter_max': '2.21', 'network_backend': 'openvswitch', 'db_schema': '5.780',
}
CPU_INFO = {
    'cpu_count': '32', 'socket_count': '2', 'threads_per_core': '2', 'vendor': 'GenuineIntel',
    'speed': '2494.140', 'modelname': 'Intel(R) Xeon(R) Gold 6248 CPU @ 2.50GHz', 'family': '6',
    'model': '85', 'stepping': '7', 'flags': 'fpu de tsc msr pae mce cx8 apic sep mca cmov pat clflush acpi mmx fxsr sse sse2',
    'features_pv': '1fc9cbf5-f6f83203-2991cbf5-00000123-00000007-219c07a9-00000000-00000000-00001000-ac000400-00000000',
    'features_hvm': '1fcbfbff-f7fa3223-2d93fbff-00000523-0000000f-f1bf07ab-00000000-00000000-00101000-bc000400-00000000',
}
GUEST_FEATURES = {'feature-shutdown': '1', 'feature-poweroff': '1', 'feature-reboot': '1', 'feature-suspend': '1',
                  'feature-vcpu-hotplug': '1', 'has-vendor-device': '0', 'platform-feature-multiprocessor-suspend': '1'}
OS_VERSIONS = (
    {'name': 'Debian GNU/Linux 12 (bookworm)', 'distro': 'debian', 'major': '12', 'minor': '5', 'uname': '6.1.0-21-amd64'},
    {'name': 'Ubuntu 22.04.4 LTS', 'distro': 'ubuntu', 'major': '22', 'minor': '04', 'uname': '5.15.0-105-generic'},
    {'name': 'Microsoft Windows Server 2022 Standard|C:\\Windows|\\Device\\Harddisk0\\Partition2', 'distro': 'windows',
     'major': '10', 'minor': '0', 'spmajor': '0', 'spminor': '0'},
    {'name': 'Rocky Linux 9.4 (Blue Onyx)', 'distro': 'rocky', 'major': '9', 'minor': '4', 'uname': '5.14.0-427.el9.x86_64'},
)
PV_DRIVERS = {'major': '9', 'minor': '4', 'micro': '0', 'build': '146'}


def provision_spec(*sizes_gib):
    disks = ''.join('<disk device="%d" size="%d" sr="" bootable="%s" type="system"/>'
                    % (i, size * GIB, 'true' if i == 0 else 'false') for i, size in enumerate(sizes_gib))
    return '<provision>%s</provision>' % disks


DEFAULT_TEMPLATES = (
    ('Debian Bookworm 12', provision_spec(10), 1, 2),
    ('Ubuntu Jammy Jellyfish 22.04', provision_spec(10), 1, 2),
    ('Rocky Linux 9', provision_spec(10), 2, 2),
    ('Windows Server 2022 (64-bit)', provision_spec(64), 2, 4),
    ('Other install media', provision_spec(32), 1, 1),
)
ROLES = ('web', 'app', 'db', 'cache', 'batch')
ENVIRONMENTS = ('prod', 'test', 'dev')


class PoolLayout:
    """The pool's shape, filled by :class:`EstateBuilder`: the ``pool`` object, its ``hosts`` in order,
    the pool-wide ``networks``, and which host is the master now (``master_index``)."""

    def __init__(self):
        self.pool = None
        self.hosts = []
        self.networks = []
        self.master_index = 0

    @property
    def master_host(self):
        return self.hosts[self.master_index]


class PoolComponent:
    """A part of the pool's machinery, given what every part works on: the object database ``db``, the
    simulator ``clock`` and the pool's ``layout`` (a :class:`PoolLayout`)."""

    def __init__(self, db, clock, layout):
        self.db = db
        self.clock = clock
        self.layout = layout


class EstateBuilder:
    """Fills ``db`` with a pool, building VMs with ``parts`` (a :class:`~.vm_parts.VmParts`) and
    recording the pool's shape in ``layout`` (a :class:`PoolLayout`); ``now`` dates what it creates."""

    def __init__(self, db, parts, layout, now, vm_count, host_count, names=None):
        names = names or {}
        self.pool_name = names.get('pool_name', 'sim-pool')
        self.host_prefix = names.get('host_prefix', 'xs-host')
        self.vm_prefix = names.get('vm_prefix', '')
        self.db = db
        self.parts = parts
        self.layout = layout
        self.vm_count = vm_count
        self.host_count = max(1, host_count)
        self.now = now

    def build(self):
        self.networks = self.layout.networks = self._networks()
        self.hosts = self.layout.hosts = [self._host(i) for i in range(self.host_count)]
        self.srs = self._storage()
        self.pool = self.db.create('pool', name_label=self.pool_name, master=self.hosts[0], default_SR=self.srs['shared'],
                                   suspend_image_SR=self.srs['shared'], crash_dump_SR=self.srs['shared'],
                                   restrictions={'restrict_pool_size': 'false'}, cpu_info=dict(CPU_INFO),
                                   migration_compression=False, other_config={'memory-ratio-hvm': '0.25'})
        self.layout.pool = self.pool
        self.srs = Infrastructure(self.db, self.now).build(self.hosts, self.srs, self.pool)
        for name, spec, vcpus, memory_gib in DEFAULT_TEMPLATES:
            self.template(name, vcpus=vcpus, memory=memory_gib * GIB, default=True,
                          other_config={'disks': spec, 'default_template': 'true', 'install-methods': 'cdrom,nfs,http,ftp',
                                        'linux_template': 'true' if 'Windows' not in name else 'false'})
        custom = self.template('web-template', vcpus=2, memory=4 * GIB, default=False,
                               other_config={'base_template_name': 'Debian Bookworm 12'})
        self.parts.add_disk(custom, 20 * GIB, userdevice='0', name='web-template disk 0')
        self.parts.add_nic(custom, self.networks[0], device='0')
        for index in range(1, self.vm_count + 1):
            self._vm(index)
        return self.pool

    # -- infrastructure -------------------------------------------------------------------------

    def _networks(self):
        refs = []
        for i in range(2):
            refs.append(self.db.create('network', name_label='Pool-wide network associated with eth%d' % i,
                                       bridge='xenbr%d' % i, MTU=1500, managed=True,
                                       other_config={'automatic': 'true'}, purpose=[]))
        self.db.create('network', name_label='Host internal management network', bridge='xenapi', MTU=1500,
                       managed=True, other_config={'is_guest_installer_network': 'true',
                                                   'is_host_internal_management_network': 'true',
                                                   'ip_begin': '169.254.0.1', 'ip_end': '169.254.255.254'})
        return refs

    def _host(self, index):
        address = '127.0.0.%d' % (index + 1)
        name = '%s-%02d' % (self.host_prefix, index + 1)
        metrics = self.db.create('host_metrics', memory_total=512 * GIB, live=True,
                                 last_updated=datetime(self.now))
        software = dict(SOFTWARE_VERSION, hostname=name)
        host = self.db.create('host', name_label=name, name_description='Default install', hostname=name, address=address,
                              enabled=True, software_version=software, API_version_major=2, API_version_minor=21,
                              API_version_vendor='XenSource', cpu_info=dict(CPU_INFO), metrics=metrics,
                              memory_overhead=1200 * MIB, edition='xenserver-premium', sched_policy='credit',
                              capabilities=['xen-3.0-x86_64', 'hvm-3.0-x86_32', 'hvm-3.0-x86_64'],
                              license_params={'expiry': '20300101T00:00:00Z', 'sku_type': 'xenserver-premium'},
                              allowed_operations=['provision', 'evacuate', 'shutdown', 'reboot', 'power_on'],
                              other_config={'agent_start_time': '%.0f.' % self.now, 'iscsi_iqn': 'iqn.2024-10.com.example:%s' % name},
                              iscsi_iqn='iqn.2024-10.com.example:%s' % name, https_only=False)
        cpus = [self.db.create('host_cpu', host=host, number=n, vendor='GenuineIntel', speed=2494,
                               modelname=CPU_INFO['modelname'], family=6, model=85, stepping='7',
                               flags=CPU_INFO['flags'], utilisation=0.05) for n in range(int(CPU_INFO['cpu_count']))]
        pifs = []
        for n, network in enumerate(self.networks):
            pifs.append(self.db.create('PIF', device='eth%d' % n, network=network, host=host,
                                       MAC='02:16:3e:%02x:00:%02x' % (index, n), MTU=1500, VLAN=-1, physical=True,
                                       currently_attached=True, management=(n == 0),
                                       ip_configuration_mode='Static' if n == 0 else 'None',
                                       IP=address if n == 0 else '', netmask='255.0.0.0' if n == 0 else '',
                                       primary_address_type='IPv4', managed=True))
            self.db.get('network', network)['PIFs'].append(pifs[-1])
        dom0 = self.db.create('VM', name_label='Control domain on host: %s' % name, power_state='Running',
                              is_control_domain=True, resident_on=host, domid=0, VCPUs_max=16, VCPUs_at_startup=16,
                              memory_static_max=8 * GIB, memory_dynamic_max=8 * GIB, memory_dynamic_min=8 * GIB,
                              memory_static_min=1 * GIB, memory_target=8 * GIB, domain_type='pv',
                              other_config={'storage_driver_domain': ''})
        self.parts.new_vm_metrics(dom0, running=True)
        self.db.update('host', host, host_CPUs=cpus, PIFs=pifs, control_domain=dom0, resident_VMs=[dom0])
        self.parts.add_console(dom0)
        return host

    def _storage(self):
        srs = {}
        srs['shared'] = self.db.create('SR', name_label='NFS virtual disk storage', name_description='NFS SR [nfs.example.test:/vms]',
                                       type='nfs', content_type='user', shared=True, physical_size=20 * 1024 * GIB,
                                       allowed_operations=['vdi_create', 'vdi_destroy', 'vdi_clone', 'vdi_snapshot', 'scan'],
                                       other_config={'auto-scan': 'false'}, sm_config={})
        srs['iscsi'] = self.db.create('SR', name_label='iSCSI virtual disk storage', type='lvmoiscsi', content_type='user',
                                      name_description='iSCSI SR [192.0.2.50 (iqn.2024-10.test.example:storage; LUN 0)]',
                                      shared=True, physical_size=8 * 1024 * GIB, sm_config={'allocation': 'thick'},
                                      allowed_operations=['vdi_create', 'vdi_destroy', 'vdi_clone', 'vdi_snapshot', 'scan'],
                                      other_config={})
        srs['tools'] = self.db.create('SR', name_label='XenServer Tools', name_description='XenServer Tools ISOs',
                                      type='iso', content_type='iso', shared=True, is_tools_sr=True)
        self.db.create('VDI', name_label='guest-tools.iso', SR=srs['tools'], virtual_size=90 * MIB, type='user',
                       read_only=True, sharable=True, is_tools_iso=True, managed=True, location='guest-tools.iso')
        for i, host in enumerate(self.hosts):
            srs['local%d' % i] = self.db.create('SR', name_label='Local storage', type='ext', content_type='user',
                                                shared=False, physical_size=1800 * GIB,
                                                name_description='Local storage on %s' % self.db.get('host', host)['name_label'])
        return srs

    def template(self, name, vcpus, memory, default, other_config):
        ref = self.db.create('VM', name_label=name, name_description='Template for %s' % name, is_a_template=True,
                             is_default_template=default, power_state='Halted', VCPUs_max=vcpus, VCPUs_at_startup=vcpus,
                             memory_static_max=memory, memory_dynamic_max=memory, memory_dynamic_min=memory,
                             memory_static_min=min(memory, 512 * MIB), memory_target=memory, HVM_boot_policy='BIOS order',
                             HVM_boot_params={'order': 'cdn'}, domain_type='hvm', other_config=dict(other_config),
                             platform={'device-model': 'qemu-upstream-uefi', 'viridian': 'true', 'nx': 'true', 'acpi': '1',
                                       'apic': 'true', 'pae': 'true'},
                             actions_after_shutdown='destroy', actions_after_reboot='restart', actions_after_crash='restart')
        self.parts.new_vm_metrics(ref, running=False)
        refresh_allowed(self.db, ref)
        return ref

    # -- guests ---------------------------------------------------------------------------------

    def _vm(self, index):
        role = ROLES[index % len(ROLES)]
        env = ENVIRONMENTS[index % len(ENVIRONMENTS)]
        name = '%s%s-%04d' % (self.vm_prefix, role, index)
        if index % 20 == 0:
            power = 'Halted'
        elif index % 50 == 7:
            power = 'Suspended'
        elif index % 97 == 3:
            power = 'Paused'
        else:
            power = 'Running'
        memory = (8 if role == 'db' else 4) * GIB
        vcpus = 4 if role in ('db', 'app') else 2
        host = self.hosts[index % len(self.hosts)] if power in ('Running', 'Paused') else NULL_REF
        ref = self.parts.new_vm(name, vcpus=vcpus, memory=memory, power_state=power, resident_on=host,
                                tags=[role, env], other_config={'app': role, 'env': env, 'cost-centre': 'cc-%d' % (index % 7)},
                                description='%s server %d' % (role, index))
        self.parts.add_disk(ref, (20 + 10 * (index % 4)) * GIB, userdevice='0', name='%s disk 0' % name)
        self.parts.add_cd(ref)
        self.parts.add_nic(ref, self.networks[index % 7 == 3 and 1 or 0], device='0')
        # A paused or suspended guest keeps the metrics its agent reported while it ran.
        if power in ('Running', 'Paused', 'Suspended') and index % 20 != 10:
            self.parts.report_guest(ref, os=OS_VERSIONS[index % len(OS_VERSIONS)])
        if index % 100 == 5:
            self.parts.snapshot_record(ref, '%s before upgrade' % name)
        return ref
