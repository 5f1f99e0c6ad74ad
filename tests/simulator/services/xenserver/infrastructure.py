"""The parts of a XenServer 8 pool that hosts, storage and networks point at, seeded so that the fields
referring to them are filled as on a real pool: storage managers (``SM``), the plugging of every storage
repository into the hosts that see it (``PBD``), link state of every physical NIC (``PIF_metrics``),
host certificates and features, the hosts' PCI devices with the onboard GPU (``PCI``, ``PGPU``,
``GPU_group``, ``VGPU_type``), the built-in roles, an ISO library and a few pool messages. Classes a pool
of this shape has no objects of (``Bond``, ``VLAN``, ``tunnel``, ``VTPM``...) answer with no records."""

from tests.simulator.services.xenserver.wire import datetime

MIB = 1024 ** 2
GIB = 1024 * MIB

STORAGE_MANAGERS = (
    ('ext', 'Local EXT3 VHD', 'EXTSR'), ('nfs', 'NFS VHD', 'NFSSR'), ('lvm', 'Local LVM', 'LVMSR'),
    ('lvmoiscsi', 'LVM over iSCSI', 'LVMoISCSISR'), ('lvmohba', 'LVM over FC', 'LVMoHBASR'),
    ('iso', 'ISO', 'ISOSR'), ('udev', 'Local Device Passthrough', 'udevSR'), ('smb', 'SMB VHD', 'SMBSR'),
)
SM_FEATURES = {'SR_PROBE': '1', 'SR_UPDATE': '1', 'VDI_CREATE': '1', 'VDI_DELETE': '1', 'VDI_ATTACH': '1',
               'VDI_DETACH': '1', 'VDI_UPDATE': '1', 'VDI_CLONE': '1', 'VDI_SNAPSHOT': '1', 'VDI_RESIZE': '1',
               'VDI_GENERATE_CONFIG': '1', 'VDI_RESET_ON_BOOT': '2', 'VDI_CONFIG_CBT': '1', 'THIN_PROVISIONING': '1'}
ISOS = (('debian-12.5.0-amd64-netinst.iso', 629), ('ubuntu-22.04.4-live-server-amd64.iso', 2055),
        ('Win2022_EN-US.iso', 5040), ('NSVPX-XEN-14.1-21.57_nc_64.iso', 748))
ROLES = ('pool-admin', 'pool-operator', 'vm-power-admin', 'vm-admin', 'vm-operator', 'read-only')
HOST_FEATURES = ('corosync', 'tls_verification', 'ssh_auto_mode')


class Infrastructure:
    """Seeds ``db`` for the hosts and storage repositories a :class:`.estate.EstateBuilder` made."""

    def __init__(self, db, now):
        self.db = db
        self.now = now

    def build(self, hosts, srs, pool):
        for sm_type, name, driver in STORAGE_MANAGERS:
            self.db.create('SM', name_label=name, name_description='SR plugin for %s' % name, type=sm_type,
                           vendor='Cloud Software Group, Inc.', copyright='(C) 2024 Cloud Software Group, Inc.',
                           version='1.0', required_api_version='1.0', capabilities=sorted(SM_FEATURES),
                           features={k: int(v) for k, v in SM_FEATURES.items()} if sm_type != 'iso' else {},
                           driver_filename='/opt/xensource/sm/%s' % driver, configuration={})
        srs['isos'] = self.iso_library()
        for name, sr in srs.items():
            record = self.db.get('SR', sr)
            seen_by = hosts if record['shared'] else [hosts[int(name[len('local'):])]]
            for host in seen_by:
                self.pbd(host, sr, record['type'])
        for index, host in enumerate(hosts):
            self.host_parts(index, host)
        for role in ROLES:
            self.db.create('role', name_label=role, name_description='The %s role' % role, subroles=[])
        self.db.create('message', name='POOL_CPU_FEATURES_UP', priority=5, cls='Pool',
                       obj_uuid=self.db.get('pool', pool)['uuid'], timestamp=datetime(self.now),
                       body='The pool-level CPU features have been upgraded.')
        return srs

    def iso_library(self):
        sr = self.db.create('SR', name_label='ISO library', name_description='NFS ISO library [nfs.example.test:/isos]',
                            type='iso', content_type='iso', shared=True, physical_size=2048 * GIB,
                            physical_utilisation=sum(size for _name, size in ISOS) * MIB, other_config={})
        for name, size in ISOS:
            vdi = self.db.create('VDI', name_label=name, SR=sr, virtual_size=size * MIB, physical_utilisation=size * MIB,
                                 type='user', read_only=True, sharable=True, managed=True, location=name)
            self.db.get('SR', sr)['VDIs'].append(vdi)
        return sr

    def pbd(self, host, sr, sr_type):
        config = {'nfs': {'server': 'nfs.example.test', 'serverpath': '/vms', 'nfsversion': '4.1'},
                  'ext': {'device': '/dev/sda3'},
                  'iso': {'location': 'nfs.example.test:/isos', 'type': 'nfs_iso'}}.get(sr_type, {})
        if sr_type == 'iso' and self.db.get('SR', sr)['is_tools_sr']:
            config = {'location': '/opt/xensource/packages/iso', 'legacy_mode': 'true'}
        pbd = self.db.create('PBD', host=host, SR=sr, device_config=dict(config), currently_attached=True,
                             other_config={'storage_driver_domain': ''})
        self.db.get('host', host)['PBDs'].append(pbd)
        self.db.get('SR', sr)['PBDs'].append(pbd)
        return pbd

    def host_parts(self, index, host):
        record = self.db.get('host', host)
        for pif in record['PIFs']:
            metrics = self.db.create('PIF_metrics', carrier=True, vendor_id='8086', vendor_name='Intel Corporation',
                                     device_id='1572', device_name='Ethernet Controller X710 for 10GbE SFP+',
                                     speed=10000, duplex=True, pci_bus_path='0000:3b:00.%d' % len(record['PIFs']),
                                     last_updated=datetime(self.now), other_config={})
            self.db.update('PIF', pif, metrics=metrics)
        certificate = self.db.create('Certificate', name='', type='host', host=host,
                                     not_before=datetime(self.now - 86400), not_after=datetime(self.now + 3650 * 86400),
                                     fingerprint='AB:CD:%02X' % index)
        features = [self.db.create('Feature', name_label=name, name_description=name, enabled=True, experimental=False,
                                   version='1.0', host=host) for name in HOST_FEATURES]
        vga = self.db.create('PCI', class_name='VGA compatible controller', vendor_name='Matrox Electronics Systems Ltd.',
                             device_name='Integrated Matrox G200eW3 Graphics Controller', host=host,
                             pci_id='0000:03:00.0', dependencies=[], other_config={}, driver_name='mgag200')
        group = self.gpu_group()
        pgpu = self.db.create('PGPU', PCI=vga, GPU_group=group, host=host, is_system_display_device=True,
                              supported_VGPU_types=[self.passthrough()], enabled_VGPU_types=[self.passthrough()],
                              dom0_access='enabled', other_config={})
        self.db.get('GPU_group', group)['PGPUs'].append(pgpu)
        self.db.update('host', host, certificates=[certificate], features=features, PCIs=[vga], PGPUs=[pgpu])

    def gpu_group(self):
        groups = list(self.db.all('GPU_group'))
        if groups:
            return groups[0]
        return self.db.create('GPU_group', name_label='Group of Matrox Electronics Systems Ltd. G200eW3 GPUs',
                              GPU_types=['Matrox Electronics Systems Ltd.'], allocation_algorithm='depth_first',
                              other_config={})

    def passthrough(self):
        types = list(self.db.all('VGPU_type'))
        if types:
            return types[0]
        return self.db.create('VGPU_type', vendor_name='', model_name='passthrough', framebuffer_size=0,
                              max_heads=0, implementation='passthrough', experimental=False)
