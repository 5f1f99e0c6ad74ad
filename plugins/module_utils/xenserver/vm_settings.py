# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The settings of one XenServer VM that live in its own record: name, description, vCPUs and cores per
socket, memory, tags, the managed ``other_config`` and ``xenstore_data`` keys, and its home server. Read
as the module shows them (before/after for check mode and ``--diff``), compared, and written with only
the calls that differ. vCPUs, cores per socket and memory change only while the VM is halted."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy

from ansible_collections.opencitrix.automation.plugins.module_utils import errors
from ansible_collections.opencitrix.automation.plugins.module_utils.xenserver.session import NULL_REF
from ansible_collections.opencitrix.automation.plugins.module_utils.xenserver.vm import MIB, as_int, xenstore_key
from ansible_collections.opencitrix.automation.plugins.module_utils.xenserver.vm_devices import check_device_params

SETTINGS = ('name', 'description', 'vcpus', 'cores_per_socket', 'memory_mb', 'tags', 'other_config', 'xenstore_data',
            'home_server')
HALTED_ONLY = ('vcpus', 'cores_per_socket', 'memory_mb')
POSITIVE = ('vcpus', 'memory_mb', 'cores_per_socket')


def check_params(params):
    """Input errors that need no look-up, before any call."""
    for option in POSITIVE:
        if params.get(option) is not None and params[option] < 1:
            raise errors.InputError('Invalid %s %s: it must be at least 1' % (option, params[option]))
    if params.get('vcpus') and params.get('cores_per_socket'):
        check_topology(params['vcpus'], params['cores_per_socket'])
    check_device_params(params)


def check_topology(vcpus, cores_per_socket):
    if vcpus % cores_per_socket:
        raise errors.InputError('vcpus (%d) must be a multiple of cores_per_socket (%d)' % (vcpus, cores_per_socket),
                                hint='choose cores_per_socket that divides vcpus')


def settings_of(record, params, hosts):
    """The settings of a VM record, in the module's units; ``other_config`` and ``xenstore_data`` hold only
    the keys ``params`` manages; ``hosts`` (``{ref: record}``) names the home server."""
    other = record.get('other_config') or {}
    xenstore = record.get('xenstore_data') or {}
    platform = record.get('platform') or {}
    managed = [xenstore_key(key) for key in (params.get('xenstore_data') or {})]
    home = hosts.get(record.get('affinity')) or {}
    return {
        'name': record.get('name_label'), 'description': record.get('name_description'),
        'vcpus': as_int(record.get('VCPUs_at_startup')), 'cores_per_socket': as_int(platform.get('cores-per-socket'), 1),
        'memory_mb': as_int(record.get('memory_static_max')) // MIB,
        'tags': sorted(record.get('tags') or []),
        'other_config': dict((k, other[k]) for k in sorted(params.get('other_config') or {}) if k in other),
        'xenstore_data': dict((k, xenstore[k]) for k in sorted(managed) if k in xenstore),
        'home_server': home.get('name_label') or None,
        'power_state': str(record.get('power_state', 'halted')).lower(),
    }


def desired_settings(current, params, home_server=None):
    """``current`` with the settings ``params`` asks for; ``home_server`` is the resolved host name ('' to clear)."""
    after = copy.deepcopy(current)
    if params.get('uuid') and params.get('name'):
        after['name'] = params['name']
    for key in ('description', 'vcpus', 'cores_per_socket', 'memory_mb'):
        if params.get(key) is not None:
            after[key] = params[key]
    if params.get('tags') is not None:
        after['tags'] = sorted(set(params['tags']))
    for field, option, key_of in (('other_config', 'other_config', str), ('xenstore_data', 'xenstore_data', xenstore_key)):
        for key, value in (params.get(option) or {}).items():
            if value is None:
                after[field].pop(key_of(key), None)
            else:
                after[field][key_of(key)] = str(value)
    if home_server is not None:
        after['home_server'] = home_server or None
    check_topology(after['vcpus'], after['cores_per_socket'])
    return after


def changed_settings(before, after):
    return [k for k in SETTINGS if before[k] != after[k]]


class SettingsWriter:
    """Writes the settings that differ on VM ``ref`` through ``call(method, *args, what=...)``, noting each
    action with ``note``; ``hosts`` maps host names to references (for the home server)."""

    def __init__(self, call, note, hosts=None):
        self.call = call
        self.note = note
        self.hosts = hosts or {}

    def write(self, ref, record, before, after, changes):
        call = self.call
        name = after['name']
        if 'name' in changes:
            self.note('rename VM %s to %s' % (before['name'], name))
            call('VM.set_name_label', ref, name, what='rename VM %s' % before['name'])
        if 'description' in changes:
            self.note('set the description of VM %s' % name)
            call('VM.set_name_description', ref, after['description'], what='set the description of VM %s' % name)
        if 'vcpus' in changes:
            value = str(after['vcpus'])
            order = ['VM.set_VCPUs_max', 'VM.set_VCPUs_at_startup']
            if after['vcpus'] < before['vcpus']:
                order.reverse()
            self.note('set %s vCPUs on VM %s' % (value, name))
            for method in order:
                call(method, ref, value, what='set the vCPUs of VM %s' % name)
        if 'cores_per_socket' in changes:
            self.note('set %d cores per socket on VM %s' % (after['cores_per_socket'], name))
            self._map(ref, record, 'platform', {'cores-per-socket': str(after['cores_per_socket'])},
                      'set the cores per socket of VM %s' % name)
        if 'memory_mb' in changes:
            value = after['memory_mb'] * MIB
            static_min = min(as_int(record.get('memory_static_min')), value)
            self.note('set %d MiB of memory on VM %s' % (after['memory_mb'], name))
            call('VM.set_memory_limits', ref, str(static_min), str(value), str(value), str(value),
                 what='set the memory of VM %s' % name)
        if 'tags' in changes:
            self.note('set the tags of VM %s' % name)
            call('VM.set_tags', ref, after['tags'], what='set the tags of VM %s' % name)
        for field in ('other_config', 'xenstore_data'):
            if field in changes:
                self.note('update %s of VM %s' % (field, name))
                wanted = dict((k, after[field].get(k)) for k in set(before[field]) | set(after[field]))
                self._map(ref, record, field, wanted, 'update %s of VM %s' % (field, name))
        if 'home_server' in changes:
            self.note('set the home server of VM %s to %s' % (name, after['home_server'] or 'none'))
            call('VM.set_affinity', ref, self.hosts.get(after['home_server'], NULL_REF),
                 what='set the home server of VM %s' % name)

    def _map(self, ref, record, field, wanted, what):
        """Set (or, for None, remove) the keys of ``wanted`` in the map ``field`` of the VM, key by key."""
        current = record.get(field) or {}
        for key in sorted(wanted):
            value = wanted[key]
            if current.get(key) == value:
                continue
            if key in current:
                self.call('VM.remove_from_%s' % field, ref, key, what=what)
            if value is not None:
                self.call('VM.add_to_%s' % field, ref, key, value, what=what)
