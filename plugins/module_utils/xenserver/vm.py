# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""XenServer VMs: look-up, facts in a constant number of calls, desired state (configuration and
power) with check mode and diff, creation by cloning a template or a halted VM, deletion, guest IP
waits. Built on :class:`xenserver.XenServerSession`; returns plain Python data.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress

from ansible_collections.opencitrix.automation.plugins.module_utils import errors
from ansible_collections.opencitrix.automation.plugins.module_utils.xenserver.session import quote

MIB = 1024 * 1024
GIB = 1024 * MIB
# Above this many related objects, one get_all_records per class is cheaper than naming them.
BULK_THRESHOLD = 400
RELATED_CLASSES = ('VBD', 'VIF', 'VM_guest_metrics', 'VM_metrics', 'host', 'VDI', 'network', 'SR')
ORDINARY_VMS = 'field "is_a_template"="false" and field "is_a_snapshot"="false" and field "is_control_domain"="false"'
POWER_STATES = ('running', 'halted', 'suspended', 'paused')


def xenstore_key(key):
    """A ``xenstore_data`` key under ``vm-data/`` (where guests read first-boot configuration)."""
    key = str(key).strip('/')
    return key if key == 'vm-data' or key.startswith('vm-data/') else 'vm-data/' + key


def as_int(value, default=0):
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def ordinary(record):
    return not (record.get('is_a_template') or record.get('is_a_snapshot') or record.get('is_control_domain'))


def _address(value, version):
    """``value`` when it is an IP address literal of that ``version``, else None."""
    text = str(value).strip()
    try:
        return text if ipaddress.ip_address(text).version == version else None
    except ValueError:
        return None


def guest_addresses(networks, device=None):
    """``(ipv4, ipv6)`` lists from guest-metrics ``networks`` (``"0/ip"``, ``"0/ipv4/0"``,
    ``"0/ipv6/0"``...), in device order; only ``device``'s when given.

    The guest agent, which the VM's owner controls, writes these keys and values: keys that are not
    ``<device number>/...`` are ignored, and only IP address literals are taken (never a host name,
    which would send Ansible's connection and credentials elsewhere)."""
    ipv4, ipv6 = [], []
    entries = []
    for key, value in (networks or {}).items():
        parts = str(key).split('/')
        if parts[0].isdecimal() and (device is None or parts[0] == str(device)):
            order = [(0, int(p), '') if p.isdecimal() else (1, 0, p) for p in parts]  # numbers before words
            entries.append((order, parts, value))
    for _order, parts, value in sorted(entries, key=lambda entry: entry[0]):
        if len(parts) == 3 and parts[1] == 'ipv4':
            found, into = _address(value, 4), ipv4
        elif len(parts) == 3 and parts[1] == 'ipv6':
            found, into = _address(value, 6), ipv6
        elif len(parts) == 2 and parts[1] == 'ip':
            found, into = _address(value, 4), ipv4
        else:
            continue
        if found and found not in into:
            into.append(found)
    return ipv4, ipv6


def summarize(ref, vm, related):
    """Plain facts about one VM from its record and the records of related objects."""
    metrics = related.get(vm.get('guest_metrics')) or {}
    networks = metrics.get('networks') or {}
    ipv4, ipv6 = guest_addresses(networks)
    nics = []
    for vif_ref in vm.get('VIFs', []):
        vif = related.get(vif_ref)
        if not vif:
            continue
        network = related.get(vif.get('network')) or {}
        nic_v4, nic_v6 = guest_addresses(networks, vif.get('device'))
        nics.append({'device': vif.get('device'), 'mac': vif.get('MAC'), 'network': network.get('name_label'),
                     'network_uuid': network.get('uuid'), 'bridge': network.get('bridge'), 'ipv4': nic_v4,
                     'ipv6': nic_v6, 'attached': bool(vif.get('currently_attached'))})
    nics.sort(key=lambda n: as_int(n['device'], 99))
    disks, cdroms = [], []
    for vbd_ref in vm.get('VBDs', []):
        vbd = related.get(vbd_ref)
        if not vbd:
            continue
        vdi = related.get(vbd.get('VDI')) or {}
        if vbd.get('type') == 'CD':
            cdroms.append({'device': vbd.get('userdevice'), 'empty': bool(vbd.get('empty')),
                           'iso_name': None if vbd.get('empty') else vdi.get('name_label')})
            continue
        sr = related.get(vdi.get('SR')) or {}
        size = as_int(vdi.get('virtual_size'))
        disks.append({'device': vbd.get('userdevice'), 'name': vdi.get('name_label'), 'uuid': vdi.get('uuid'),
                      'size_bytes': size, 'size_gb': round(size / float(GIB), 2), 'sr': sr.get('name_label'),
                      'sr_uuid': sr.get('uuid'), 'bootable': bool(vbd.get('bootable')), 'mode': vbd.get('mode')})
    disks.sort(key=lambda d: as_int(d['device'], 99))
    host = related.get(vm.get('resident_on')) or {}
    home = related.get(vm.get('affinity')) or {}
    platform = vm.get('platform') or {}
    os_version = metrics.get('os_version') or {}
    drivers = metrics.get('PV_drivers_version') or {}
    guest = None
    if metrics:
        guest = {'os_name': os_version.get('name', '').split('|')[0] or None, 'distro': os_version.get('distro'),
                 'pv_drivers_version': '.'.join(drivers[k] for k in ('major', 'minor', 'micro') if k in drivers) or None,
                 'pv_drivers_detected': bool(metrics.get('PV_drivers_detected')), 'live': bool(metrics.get('live'))}
    return {
        'name': vm.get('name_label'), 'uuid': vm.get('uuid'), 'description': vm.get('name_description'),
        'power_state': str(vm.get('power_state', '')).lower(), 'is_template': bool(vm.get('is_a_template')),
        'host': host.get('name_label'), 'host_uuid': host.get('uuid'),
        'vcpus': as_int(vm.get('VCPUs_at_startup')), 'vcpus_max': as_int(vm.get('VCPUs_max')),
        'cores_per_socket': as_int(platform.get('cores-per-socket'), 1), 'home_server': home.get('name_label'),
        'xenstore_data': dict((k, v) for k, v in (vm.get('xenstore_data') or {}).items() if str(k).startswith('vm-data')),
        'memory_mb': as_int(vm.get('memory_static_max')) // MIB, 'tags': sorted(vm.get('tags') or []),
        'other_config': dict(vm.get('other_config') or {}), 'ip': ipv4[0] if ipv4 else None, 'ipv4': ipv4,
        'ipv6': ipv6, 'guest': guest, 'disks': disks, 'cdroms': cdroms, 'nics': nics,
    }


class VmFacts:
    """Facts about VMs in a number of XenAPI calls that does not depend on disk, NIC or VM count."""

    def __init__(self, session):
        self.session = session

    def find(self, name=None, uuid=None, templates=False):
        """``{ref: record}`` of the VMs (or, with ``templates``, templates and halted VMs) called
        ``name`` or with ``uuid``: one ``get_all_records_where`` call."""
        if uuid:
            expression = 'field "uuid"=%s' % quote(uuid)
        else:
            expression = 'field "name_label"=%s' % quote(name)
            if not templates:
                expression += ' and ' + ORDINARY_VMS
        found = self.session.all_records('VM', expression, what='look up VM %s' % (uuid or name))
        if templates:
            return {r: v for r, v in found.items() if not v.get('is_control_domain') and not v.get('is_a_snapshot')}
        return {r: v for r, v in found.items() if ordinary(v) or uuid}

    def related(self, vms):
        """Records of everything the summaries of ``vms`` mention: two ``event.from`` calls naming the
        objects, or one ``get_all_records`` per class when there are many."""
        first = set()
        for vm in vms.values():
            first.update(('VBD', r) for r in vm.get('VBDs', []))
            first.update(('VIF', r) for r in vm.get('VIFs', []))
            first.update((cls, vm.get(field)) for cls, field in (
                ('VM_guest_metrics', 'guest_metrics'), ('VM_metrics', 'metrics'), ('host', 'resident_on'),
                ('host', 'affinity')))
        if not vms:
            return {}
        if len(first) > BULK_THRESHOLD:
            related = {}
            for cls in RELATED_CLASSES:
                related.update(self.session.all_records(cls, what='list %s objects' % cls))
            return related
        related = self.session.fetch(first, what='read the disks and NICs of %d VM(s)' % len(vms))
        second = set()
        for record in related.values():
            if record.get('VDI'):
                second.add(('VDI', record['VDI']))
            if record.get('network') and record.get('MAC') is not None:
                second.add(('network', record['network']))
        related.update(self.session.fetch(second, classes=('SR',) if second else (), what='read disk and network details'))
        return related

    def summaries(self, vms):
        related = self.related(vms)
        return sorted((summarize(ref, vm, related) for ref, vm in vms.items()), key=lambda s: (s['name'] or '', s['uuid']))

    def select(self, name=None, uuid=None, tags=None, power_states=None):
        """Summaries of the ordinary VMs matching every filter given."""
        if name or uuid:
            vms = self.find(name=name, uuid=uuid)
        else:
            vms = self.session.all_records('VM', ORDINARY_VMS, what='list VMs')
        wanted_tags = set(tags or [])
        wanted_states = set(s.lower() for s in power_states or [])
        vms = {r: v for r, v in vms.items()
               if wanted_tags.issubset(set(v.get('tags') or []))
               and (not wanted_states or str(v.get('power_state', '')).lower() in wanted_states)}
        return self.summaries(vms)


def one(found, label, kind='VM'):
    """The single ``(ref, record)`` of ``found``; None when empty; an error when ambiguous."""
    if not found:
        return None, None
    if len(found) > 1:
        uuids = ', '.join(sorted(v.get('uuid', '?') for v in found.values()))
        raise errors.InputError('%d %ss are called "%s" (UUIDs %s)' % (len(found), kind, label, uuids),
                                hint='identify the %s by uuid' % kind)
    return next(iter(found.items()))
