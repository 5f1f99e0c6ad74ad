# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The devices of one XenServer VM: its disks, NICs and CD drive, as the ``disks``, ``networks`` and
``cdrom`` options describe them.

Lists are position-stable: entry N of ``disks`` is the VM's Nth disk (by device number), entry N of
``networks`` its Nth NIC (or the NIC with the entry's ``device``). A missing disk or NIC is added (device
numbers from ``VM.get_allowed_VBD_devices`` / ``VM.get_allowed_VIF_devices``), a larger size grows a
disk (never shrinks it), another network moves a NIC, another MAC replaces it; disks and NICs beyond the
lists are removed only with ``remove_extra_disks`` / ``remove_extra_networks``. The CD drive gets the
ISO named, or is emptied, and is created when the VM has none.

:class:`DevicePlan` computes before/after (for check mode and ``--diff``) and the steps first; the steps
that need the VM halted say so, and :meth:`DevicePlan.apply` runs them.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.opencitrix.automation.plugins.module_utils import errors
from ansible_collections.opencitrix.automation.plugins.module_utils.xenserver.session import NULL_REF, quote
from ansible_collections.opencitrix.automation.plugins.module_utils.xenserver.vm import GIB, as_int

UNITS = {'': 1, 'b': 1, 'k': 1024, 'm': 1024 ** 2, 'g': 1024 ** 3, 't': 1024 ** 4}
SIZE = re.compile(r'^\s*([0-9]+(?:\.[0-9]+)?)\s*([kmgt]?)(?:i?b)?\s*$', re.IGNORECASE)
MAC = re.compile(r'^[0-9a-f]{2}(:[0-9a-f]{2}){5}$')
VIF_DEVICES = 7


def disk_size(entry, position):
    """The size in bytes ``disks[position]`` asks for (``size``, ``size_gb`` or ``size_mb``), or None."""
    given = [key for key in ('size', 'size_gb', 'size_mb') if entry.get(key) is not None]
    if len(given) > 1:
        raise errors.InputError('disks[%d] gives %s; give one size' % (position, ' and '.join(given)))
    if not given:
        return None
    key = given[0]
    if key == 'size':
        match = SIZE.match(str(entry['size']))
        if not match:
            raise errors.InputError('disks[%d].size "%s" is not a size' % (position, entry['size']),
                                    hint='write it like 20GiB, 512 MiB or 1T')
        size = int(float(match.group(1)) * UNITS[match.group(2).lower()])
    else:
        size = int(float(entry[key]) * (GIB if key == 'size_gb' else 1024 ** 2))
    if size <= 0:
        raise errors.InputError('disks[%d] size must be more than 0' % position)
    return size


def check_device_params(params):
    """Input errors of ``disks``, ``networks`` and ``cdrom`` that need no look-up, before any call."""
    for position, entry in enumerate(params.get('disks') or []):
        disk_size(entry, position)
    for position, entry in enumerate(params.get('networks') or []):
        nic_mac(entry, position)
        nic_device(entry, position)
    cdrom = params.get('cdrom')
    if cdrom is not None and cdrom_kind(cdrom) == 'iso' and not cdrom.get('iso_name'):
        raise errors.InputError('cdrom.type iso needs cdrom.iso_name')


def nic_mac(entry, position):
    mac = str(entry.get('mac') or '').lower() or None
    if mac and not MAC.match(mac):
        raise errors.InputError('networks[%d].mac "%s" is not a MAC address' % (position, entry['mac']),
                                hint='write it like 02:16:3e:00:00:01')
    return mac


def nic_device(entry, position):
    device = None if entry.get('device') is None else str(entry['device'])
    if device is not None and not 0 <= as_int(device, -1) < VIF_DEVICES:
        raise errors.InputError('networks[%d].device must be 0 to %d' % (position, VIF_DEVICES - 1))
    return device


def cdrom_kind(entry):
    return entry.get('type') or ('iso' if entry.get('iso_name') else 'none')


def size_gb(size):
    return round(size / float(GIB), 3)


DISK_SPEC = re.compile(r'<disk\s+([^>]*?)\s*(/?)>')
SPEC_ATTRIBUTE = re.compile(r'(\w+)="([^"]*)"')


def provisioned_disks(record):
    """The disks ``VM.provision`` makes from a template's ``other_config:disks``, as ``(device, size, SR
    UUID or '')``."""
    spec = (record.get('other_config') or {}).get('disks', '')
    found = []
    for match in DISK_SPEC.finditer(spec):
        attrs = dict(SPEC_ATTRIBUTE.findall(match.group(1)))
        found.append((attrs.get('device', '0'), as_int(attrs.get('size')), attrs.get('sr', '')))
    return found


def retarget_provision_spec(spec, srs):
    """``spec`` (a template's ``other_config:disks``) with the ``sr`` of each disk whose device is in ``srs``
    (``{device: SR UUID}``) set to that UUID, as ``xe vm-install sr-uuid=`` does."""
    def disk(match):
        attrs = SPEC_ATTRIBUTE.findall(match.group(1))
        values = dict(attrs)
        device = values.get('device', '0')
        if device not in srs:
            return match.group(0)
        if 'sr' not in values:
            attrs.append(('sr', ''))
        text = ' '.join('%s="%s"' % (key, srs[device] if key == 'sr' else value) for key, value in attrs)
        return '<disk %s%s>' % (text, match.group(2))
    return DISK_SPEC.sub(disk, spec)


def current_devices(record, related, provision=False):
    """``(disks, nics, cdrom)`` of a VM record from the records of its devices (``related``): disks and
    NICs in device order. With ``provision``, the disks provisioning the template would add."""
    disks, nics, cdrom = [], [], None
    for vbd_ref in record.get('VBDs') or []:
        vbd = related.get(vbd_ref)
        if not vbd:
            continue
        vdi = related.get(vbd.get('VDI')) or {}
        if vbd.get('type') == 'CD':
            if cdrom is None:
                cdrom = {'vbd': vbd_ref, 'vdi': vbd.get('VDI') if not vbd.get('empty') else NULL_REF,
                         'iso_name': vdi.get('name_label') if not vbd.get('empty') else None,
                         'device': vbd.get('userdevice')}
            continue
        disks.append({'vbd': vbd_ref, 'vdi': vbd.get('VDI'), 'device': vbd.get('userdevice'),
                      'size': as_int(vdi.get('virtual_size')), 'name': vdi.get('name_label'),
                      'description': vdi.get('name_description'), 'sr': vdi.get('SR'),
                      'shared_with': [v for v in vdi.get('VBDs') or [] if v != vbd_ref]})
    if provision:
        used = set(d['device'] for d in disks)
        for device, size, sr_uuid in provisioned_disks(record):
            if device not in used:
                disks.append({'vbd': None, 'vdi': None, 'device': device, 'size': size, 'name': None,
                              'description': None, 'sr': None, 'sr_uuid': sr_uuid, 'shared_with': []})
    for vif_ref in record.get('VIFs') or []:
        vif = related.get(vif_ref)
        if vif:
            nics.append({'vif': vif_ref, 'device': vif.get('device'), 'network': vif.get('network'),
                         'mac': str(vif.get('MAC') or '').lower()})
    disks.sort(key=lambda d: as_int(d['device'], 999))
    nics.sort(key=lambda n: as_int(n['device'], 999))
    return disks, nics, cdrom


class PoolObjects:
    """Storage repositories, networks, hosts and the pool, read in one ``event.from`` call, and ISO images
    by name, for resolving the names the device options and ``home_server`` use."""

    def __init__(self, session):
        self.session = session
        self.classes = session.records_of(('SR', 'network', 'host', 'pool'), what='read the storage, networks and hosts')
        self.isos = {}

    def name(self, ref):
        for records in self.classes.values():
            if ref in records:
                return records[ref].get('name_label')
        return None

    def _find(self, cls, kind, label, uuid, where):
        records = self.classes.get(cls, {})
        if uuid:
            found = [r for r, v in records.items() if v.get('uuid') == uuid]
        else:
            found = [r for r, v in records.items() if label in (v.get('name_label'), v.get('uuid'))]
        if not found:
            raise errors.NotFoundError('%s: no %s "%s"' % (where, kind, uuid or label), hint='check the %s name or UUID' % kind)
        if len(found) > 1:
            raise errors.InputError('%s: %d %ss are called "%s"' % (where, len(found), kind, label),
                                    hint='give the UUID of the %s instead' % kind)
        return found[0]

    def sr(self, label, uuid, where):
        return self._find('sr', 'storage repository', label, uuid, where)

    def network(self, label, uuid, where):
        return self._find('network', 'network', label, uuid, where)

    def network_mtu(self, ref):
        return as_int((self.classes['network'].get(ref) or {}).get('MTU'), 1500) or 1500

    def hosts(self):
        return self.classes.get('host', {})

    def host(self, label):
        found = [ref for ref, rec in self.hosts().items()
                 if label in (rec.get('name_label'), rec.get('uuid'), rec.get('address'), rec.get('hostname'))]
        if len(found) != 1:
            raise errors.NotFoundError('home_server: no single host "%s" in the pool' % label,
                                       hint='use a host name, UUID or address from xenserver_host_info')
        return found[0]

    def check_names(self, params):
        """Resolve every storage repository, network, ISO and home server ``params`` names, so that a name
        that matches nothing fails before anything is created or changed."""
        for position, entry in enumerate(params.get('disks') or []):
            if entry.get('sr') or entry.get('sr_uuid'):
                self.sr(entry.get('sr'), entry.get('sr_uuid'), 'disks[%d]' % position)
        for position, entry in enumerate(params.get('networks') or []):
            if entry.get('name') or entry.get('uuid'):
                self.network(entry.get('name'), entry.get('uuid'), 'networks[%d]' % position)
        cdrom = params.get('cdrom')
        if cdrom is not None and cdrom_kind(cdrom) == 'iso':
            self.iso(cdrom['iso_name'])
        if params.get('home_server'):
            self.host(params['home_server'])

    def sr_uuid(self, ref):
        return (self.classes.get('sr', {}).get(ref) or {}).get('uuid')

    def sr_of_uuid(self, uuid):
        found = [ref for ref, record in self.classes.get('sr', {}).items() if uuid and record.get('uuid') == uuid]
        return found[0] if found else None

    def default_sr(self):
        pools = list(self.classes.get('pool', {}).values())
        return pools[0].get('default_SR', NULL_REF) if pools else NULL_REF

    def iso(self, name):
        """The ISO image called ``name`` in an ISO library (one ``get_all_records_where`` call)."""
        if name not in self.isos:
            found = self.session.all_records('VDI', 'field "name_label"=%s' % quote(name), what='look up ISO %s' % name)
            srs = self.classes.get('sr', {})
            isos = [ref for ref, vdi in found.items() if (srs.get(vdi.get('SR')) or {}).get('content_type') == 'iso']
            if not isos:
                raise errors.NotFoundError('cdrom: no ISO image called "%s"' % name,
                                           hint='check iso_name against the ISO libraries of the pool')
            if len(isos) > 1:
                raise errors.InputError('cdrom: %d ISO images are called "%s"' % (len(isos), name),
                                        hint='remove the duplicates from the ISO libraries')
            self.isos[name] = isos[0]
        return self.isos[name]


class Step:
    """One change: ``action`` (words for ``actions``), whether it needs the VM halted, and ``run(writer)``."""

    def __init__(self, action, run, halted=False):
        self.action = action
        self.run = run
        self.halted = halted


class DevicePlan:
    """What ``params`` (``disks``, ``networks``, ``cdrom`` and the ``remove_extra_*`` options) changes in the
    devices of VM ``name`` (power state ``power``), given its ``current`` devices (``current_devices``) and
    the ``pool``'s objects: ``before`` and ``after`` views, and the steps. New disks are labelled
    ``label`` until :meth:`name_disks` gives them their names (while the VM is being created)."""

    def __init__(self, name, power, current, pool, params, label=None):
        self.name = name
        self.power = power
        self.pool = pool
        self.params = params
        self.label = label
        self.disks, self.nics, self.cdrom = current
        self.before, self.after, self.steps = {}, {}, []
        self.renames = []
        self._free = {}
        self.session = self.ref = None
        self.timeout = 600
        if params.get('disks') is not None:
            self._plan_disks(params['disks'])
        if params.get('networks') is not None:
            self._plan_networks(params['networks'])
        if params.get('cdrom') is not None:
            self._plan_cdrom(params['cdrom'])

    @property
    def live(self):
        """Whether devices are hot-plugged (a running VM) rather than only created (a halted one)."""
        return self.power == 'running'

    def needs_halted(self):
        """The actions of steps that cannot run in the VM's power state."""
        if self.power == 'halted':
            return []
        return [step.action for step in self.steps if step.halted or (step.halted is None and not self.live)]

    def _add(self, action, run, halted=False):
        self.steps.append(Step(action, run, halted))

    # -- disks ----------------------------------------------------------------------------------

    def _disk_view(self, disk):
        return {'name': self._final(disk['name']), 'description': disk['description'], 'size_gb': size_gb(disk['size']),
                'sr': self.pool.name(disk['sr']) if disk['sr'] else None}

    def _final(self, label):
        """A disk name as it is once the VM is created (provisioning names disks after the VM)."""
        return label.replace(self.label, self.name) if self.label and label else label

    def _plan_disks(self, entries):
        before = [self._disk_view(d) for d in self.disks]
        after = [dict(view) for view in before]
        for position, entry in enumerate(entries):
            where = 'disks[%d]' % position
            size = disk_size(entry, position)
            sr = self.pool.sr(entry.get('sr'), entry.get('sr_uuid'), where) if entry.get('sr') or entry.get('sr_uuid') else None
            if position < len(self.disks):
                self._plan_disk(position, self.disks[position], entry, size, sr, after[position])
                continue
            if size is None:
                raise errors.InputError('%s is a new disk and needs a size' % where, hint='set size, size_gb or size_mb')
            sr = sr or self.pool.default_sr()
            if sr in (None, NULL_REF):
                raise errors.InputError('%s: the pool has no default storage repository' % where, hint='set sr or sr_uuid')
            disk = {'name': entry.get('name') or '%s disk %d' % (self.name, position),
                    'description': entry.get('name_desc') or '', 'size': size, 'sr': sr}
            after.append(self._disk_view(disk))
            self._add('add disk %s (%s GiB) to VM %s' % (disk['name'], size_gb(size), self.name),
                      lambda disk=disk: self._new_disk(disk), halted=None)
        extra = self.disks[len(entries):]
        if extra and self.params.get('remove_extra_disks'):
            after = after[:len(entries)]
            for disk in extra:
                self._add('remove disk %s (device %s) from VM %s' % (disk['name'], disk['device'], self.name),
                          lambda disk=disk: self._remove_disk(disk), halted=True)
        self.before['disks'], self.after['disks'] = before, after

    def _plan_disk(self, position, disk, entry, size, sr, view):
        where = 'disks[%d]' % position
        if size is not None and size < disk['size']:
            raise errors.InputError('%s is %s GiB; disks are never shrunk (asked for %s GiB)' % (
                where, size_gb(disk['size']), size_gb(size)), hint='give a size of at least the current one')
        if sr and disk['sr'] and sr != disk['sr']:
            raise errors.InputError('%s is on storage repository %s, not %s; disks are not moved' % (
                where, self.pool.name(disk['sr']), self.pool.name(sr)), hint='leave sr unset for existing disks')
        # A disk that provisioning the template will make has no name before it exists.
        label = self._final(disk['name']) or 'on device %s' % disk['device']
        if size is not None and size > disk['size']:
            view['size_gb'] = size_gb(size)
            self._add('grow disk %s of VM %s to %s GiB' % (label, self.name, size_gb(size)),
                      lambda: self._resize(disk, size), halted=True)
        for field, option, method in (('name', 'name', 'VDI.set_name_label'),
                                      ('description', 'name_desc', 'VDI.set_name_description')):
            if entry.get(option) is not None and entry[option] != disk[field]:
                view[field] = entry[option]
                self._add('set the %s of disk %s of VM %s' % (field, label, self.name),
                          lambda method=method, value=entry[option]: self._call(method, disk['vdi'], value))

    def _new_disk(self, disk):
        device = self._next_device('VBD')
        label = self.label or disk['name']
        record = {'name_label': label, 'name_description': disk['description'], 'SR': disk['sr'],
                  'virtual_size': str(disk['size']), 'type': 'user', 'sharable': False, 'read_only': False,
                  'other_config': {}, 'xenstore_data': {}, 'sm_config': {}, 'tags': []}
        vdi = self.session.run_task('VDI.create', record, what='create disk %s of VM %s' % (disk['name'], self.name),
                                    timeout=self.timeout)
        if self.label:
            self.renames.append((vdi, disk['name']))
        try:
            vbd = self._call('VBD.create', {
                'VM': self.ref, 'VDI': vdi, 'userdevice': device, 'bootable': False, 'mode': 'RW', 'type': 'Disk',
                'empty': False, 'unpluggable': True, 'other_config': {}, 'qos_algorithm_type': '',
                'qos_algorithm_params': {}})
        except errors.CitrixError:
            self._call('VDI.destroy', vdi)
            raise
        if self.live:
            self._call('VBD.plug', vbd)

    def _resize(self, disk, size):
        self.session.run_task('VDI.resize', disk['vdi'], str(size), timeout=self.timeout,
                              what='grow disk %s of VM %s' % (disk['name'], self.name))

    def _remove_disk(self, disk):
        self._call('VBD.destroy', disk['vbd'])
        if not disk['shared_with']:
            self._call('VDI.destroy', disk['vdi'])

    def name_disks(self):
        """Give the disks made while the VM was created their names (the last step before its own): the
        ones added under the temporary label, and those provisioning named after the temporary VM name."""
        named = set(vdi for vdi, _name in self.renames)
        entries = self.params.get('disks') or []
        for position, disk in enumerate(self.disks):
            given = position < len(entries) and entries[position].get('name')
            if disk['vdi'] and disk['name'] and self.label in disk['name'] and not given and disk['vdi'] not in named:
                self.renames.append((disk['vdi'], self._final(disk['name'])))
        for vdi, name in self.renames:
            self._call('VDI.set_name_label', vdi, name)

    # -- NICs -----------------------------------------------------------------------------------

    def _nic_view(self, nic):
        return {'network': self.pool.name(nic['network']), 'mac': nic['mac'] or None, 'device': nic['device']}

    def _plan_networks(self, entries):
        by_device = dict((nic['device'], nic) for nic in self.nics)
        matched, views = [], []
        taken = set(by_device)
        for position, entry in enumerate(entries):
            where = 'networks[%d]' % position
            device = nic_device(entry, position)
            mac = nic_mac(entry, position)
            network = self.pool.network(entry.get('name'), entry.get('uuid'), where) \
                if entry.get('name') or entry.get('uuid') else None
            nic = by_device.get(device) if device is not None else (
                self.nics[position] if position < len(self.nics) else None)
            if nic is not None and nic['vif'] in matched:
                raise errors.InputError('%s names NIC %s a second time' % (where, nic['device']),
                                        hint='give each entry its own device')
            if nic is None:
                if network is None:
                    raise errors.InputError('%s is a new NIC and needs a network' % where, hint='set name or uuid')
                device = device or next(str(n) for n in range(VIF_DEVICES) if str(n) not in taken)
                taken.add(device)
                new = {'device': device, 'network': network, 'mac': mac}
                views.append(self._nic_view(new))
                self._add('add NIC %s on %s to VM %s' % (device, self.pool.name(network), self.name),
                          lambda new=new: self._new_nic(new), halted=None)
                continue
            matched.append(nic['vif'])
            view = self._nic_view(nic)
            if network and network != nic['network']:
                view['network'] = self.pool.name(network)
                self._add('move NIC %s of VM %s to %s' % (nic['device'], self.name, view['network']),
                          lambda nic=nic, network=network: self._call('VIF.move', nic['vif'], network))
            if mac and mac != nic['mac']:
                view['mac'] = mac
                replaced = {'device': nic['device'], 'network': network or nic['network'], 'mac': mac}
                self._add('replace NIC %s of VM %s (MAC %s)' % (nic['device'], self.name, mac),
                          lambda nic=nic, replaced=replaced: self._replace_nic(nic, replaced), halted=True)
            views.append(view)
        extra = [nic for nic in self.nics if nic['vif'] not in matched]
        before = [self._nic_view(nic) for nic in self.nics]
        if self.params.get('remove_extra_networks'):
            for nic in extra:
                self._add('remove NIC %s of VM %s' % (nic['device'], self.name),
                          lambda nic=nic: self._call('VIF.destroy', nic['vif']), halted=True)
        else:
            views.extend(self._nic_view(nic) for nic in extra)
        self.before['networks'] = before
        self.after['networks'] = sorted(views, key=lambda view: as_int(view['device'], 999))

    def _new_nic(self, nic):
        allowed = self._allowed('VIF')
        if nic['device'] not in allowed:
            raise errors.ConflictError('Could not add NIC %s to VM %s' % (nic['device'], self.name),
                                       api_message='device %s is not free (free: %s)' % (nic['device'], ', '.join(allowed)))
        allowed.remove(nic['device'])
        vif = self._call('VIF.create', {
            'device': nic['device'], 'network': nic['network'], 'VM': self.ref, 'MAC': nic['mac'] or '',
            'MTU': str(self.pool.network_mtu(nic['network'])), 'other_config': {}, 'qos_algorithm_type': '',
            'qos_algorithm_params': {}})
        if self.live:
            self._call('VIF.plug', vif)

    def _replace_nic(self, old, new):
        self._call('VIF.destroy', old['vif'])
        self._allowed('VIF').append(old['device'])
        self._new_nic(new)

    # -- CD drive -------------------------------------------------------------------------------

    def _plan_cdrom(self, entry):
        kind = cdrom_kind(entry)
        wanted = self.pool.iso(entry['iso_name']) if kind == 'iso' else NULL_REF
        current = self.cdrom
        self.before['cdrom'] = None if current is None else {
            'type': 'none' if current['vdi'] == NULL_REF else 'iso', 'iso_name': current['iso_name']}
        self.after['cdrom'] = {'type': kind, 'iso_name': entry.get('iso_name') if kind == 'iso' else None}
        if current is None:
            self._add('add a CD drive%s to VM %s' % (' with %s' % entry['iso_name'] if kind == 'iso' else '', self.name),
                      lambda: self._new_cd(wanted), halted=True)
            return
        if current['vdi'] == wanted:
            return
        if current['vdi'] != NULL_REF:
            self._add('eject %s from VM %s' % (current['iso_name'], self.name), lambda: self._call('VBD.eject', current['vbd']))
        if wanted != NULL_REF:
            self._add('insert %s into VM %s' % (entry['iso_name'], self.name),
                      lambda: self._call('VBD.insert', current['vbd'], wanted))

    def _new_cd(self, vdi):
        allowed = self._allowed('VBD')
        device = '3' if '3' in allowed else allowed[0]
        allowed.remove(device)
        self._call('VBD.create', {
            'VM': self.ref, 'VDI': vdi, 'userdevice': device, 'bootable': False, 'mode': 'RO', 'type': 'CD',
            'empty': vdi == NULL_REF, 'unpluggable': True, 'other_config': {}, 'qos_algorithm_type': '',
            'qos_algorithm_params': {}})

    # -- running the steps ----------------------------------------------------------------------

    def apply(self, session, ref, timeout):
        """Run every step on VM ``ref`` (already in a power state that allows them)."""
        self.session, self.ref, self.timeout = session, ref, timeout
        for step in self.steps:
            step.run()

    def _call(self, method, *args):
        return self.session.call(method, *args, what='call %s for VM %s' % (method, self.name))

    def _allowed(self, cls):
        if cls not in self._free:
            self._free[cls] = list(self._call('VM.get_allowed_%s_devices' % cls, self.ref) or [])
        return self._free[cls]

    def _next_device(self, cls):
        allowed = self._allowed(cls)
        if not allowed:
            raise errors.ConflictError('Could not add a disk to VM %s' % self.name, api_message='no device number is free')
        return allowed.pop(0)
