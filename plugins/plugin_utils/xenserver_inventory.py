# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What the ``xenserver`` inventory plugin reads and derives: the raw records of a pool in one bulk
read per class (never one call per VM), made JSON-safe so a cache plugin can keep them, the cache
entry they are kept under, and the address each VM is reached at.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import json

from ansible_collections.opencitrix.automation.plugins.module_utils.xenserver.vm import as_int, guest_addresses

# Options that change which pools are read, as whom, and what: each belongs to the cache entry.
CONNECTION_KEYS = ('hostname', 'username', 'password', 'validate_certs', 'ca_path')
# The password is stretched before it joins the key, which ends up in a cache file's name.
PASSWORD_ROUNDS = 20000


def password_fingerprint(password, hostname, username):
    """A slow, salted digest of ``password``: equal for equal passwords, useless to guess one from."""
    salt = ('opencitrix.automation xenserver inventory %s %s' % (hostname, username)).encode('utf-8')
    return hashlib.pbkdf2_hmac('sha256', (password or '').encode('utf-8'), salt, PASSWORD_ROUNDS).hex()


def cache_entry(prefix, pools, reading):
    """The cache key of the records of ``pools`` (their connection settings, ``CONNECTION_KEYS``) read
    with ``reading`` (the options that shape the read): another pool, another user, another password
    or another identity option never finds the records read with these."""
    identity = []
    for settings in pools:
        item = dict((key, str(settings.get(key) if settings.get(key) is not None else '')) for key in CONNECTION_KEYS)
        item['username'] = item['username'] or 'root'
        item['password'] = password_fingerprint(settings.get('password'), item['hostname'], item['username'])
        identity.append(item)
    text = json.dumps({'pools': identity, 'reading': reading}, sort_keys=True)
    return '%s_%s' % (prefix, hashlib.sha256(text.encode('utf-8')).hexdigest()[:20])


def json_safe(value):
    """Records as plain JSON types: XML-RPC dates become their ISO text."""
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [json_safe(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(getattr(value, 'value', value))


def vm_filter(templates=False, snapshots=False, control_domains=False):
    """The ``get_all_records_where`` expression leaving out what was not asked for (None: everything).
    Snapshots are templates too, so asking for snapshots alone keeps templates out by their flag."""
    clauses = []
    if not templates:
        clauses.append('(field "is_a_template"="false" or field "is_a_snapshot"="true")' if snapshots
                       else 'field "is_a_template"="false"')
    if not snapshots:
        clauses.append('field "is_a_snapshot"="false"')
    if not control_domains:
        clauses.append('field "is_control_domain"="false"')
    return ' and '.join(clauses) or None


def read_pool(session, include_vms=True, where=None, with_networks=False):
    """``{class: {ref: record}}`` of one pool: pool and host always; VM and VM_guest_metrics with
    ``include_vms``; VIF and network with ``with_networks``. One call per class."""
    classes = [('pool', None), ('host', None)]
    if include_vms:
        classes += [('VM', where), ('VM_guest_metrics', None)]
        if with_networks:
            classes += [('VIF', None), ('network', None)]
    return {cls: json_safe(session.all_records(cls, expression, what='read the pool\'s %s objects' % cls))
            for cls, expression in classes}


def vm_address(vm, records, prefer='ipv4', device=None, network=None):
    """The address to reach ``vm`` at: its guest agent's addresses on the NIC of ``network`` (name or
    UUID) or ``device`` first, then on every NIC in device order; IPv4 before IPv6 unless ``prefer``
    is ``ipv6``. None when the guest reports no address."""
    metrics = records.get('VM_guest_metrics', {}).get(vm.get('guest_metrics')) or {}
    networks = metrics.get('networks') or {}
    if not networks:
        return None
    devices = []
    if network is not None:
        nets = records.get('network', {})
        for vif_ref in vm.get('VIFs', []):
            vif = records.get('VIF', {}).get(vif_ref) or {}
            net = nets.get(vif.get('network')) or {}
            if network in (net.get('name_label'), net.get('uuid'), net.get('bridge')):
                devices.append(str(vif.get('device')))
    if device is not None:
        devices.append(str(device))
    devices.append(None)
    for candidate in devices:
        ipv4, ipv6 = guest_addresses(networks, candidate)
        ordered = ipv6 + ipv4 if prefer == 'ipv6' else ipv4 + ipv6
        if ordered:
            return ordered[0]
    return None


def host_variables(ref, host, pool_name, master_ref):
    software = host.get('software_version') or {}
    return {
        'xenserver_type': 'host', 'xenserver_name': host.get('name_label'), 'xenserver_uuid': host.get('uuid'),
        'xenserver_pool': pool_name, 'xenserver_address': host.get('address'), 'xenserver_is_master': ref == master_ref,
        'xenserver_enabled': bool(host.get('enabled')), 'xenserver_product_version': software.get('product_version'),
        'xenserver_tags': sorted(host.get('tags') or []),
    }


def vm_variables(vm, records, pool_name, address):
    host = records.get('host', {}).get(vm.get('resident_on')) or {}
    metrics = records.get('VM_guest_metrics', {}).get(vm.get('guest_metrics')) or {}
    ipv4, ipv6 = guest_addresses(metrics.get('networks'))
    return {
        'xenserver_type': 'vm', 'xenserver_name': vm.get('name_label'), 'xenserver_uuid': vm.get('uuid'),
        'xenserver_pool': pool_name, 'xenserver_power_state': str(vm.get('power_state', '')).lower(),
        'xenserver_host': host.get('name_label'), 'xenserver_tags': sorted(vm.get('tags') or []),
        'xenserver_other_config': vm.get('other_config') or {}, 'xenserver_vcpus': as_int(vm.get('VCPUs_at_startup')),
        'xenserver_memory_mb': as_int(vm.get('memory_static_max')) // (1024 * 1024),
        'xenserver_is_template': bool(vm.get('is_a_template')), 'xenserver_is_snapshot': bool(vm.get('is_a_snapshot')),
        'xenserver_os': ((metrics.get('os_version') or {}).get('name') or '').split('|')[0] or None,
        'xenserver_address': address, 'xenserver_ipv4': ipv4, 'xenserver_ipv6': ipv6,
        'xenserver_description': vm.get('name_description'),
    }
