# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
name: xenserver
short_description: XenServer pool hosts and VMs as Ansible hosts
version_added: 0.1.0
description:
  - Reads one or several XenServer pools and adds their hosts (C(ansible_host) is the management
    address) and their VMs (C(ansible_host) is the address the guest agent reports; only IP address
    literals are taken, as the agent runs inside the guest and its owner controls what it reports).
  - Templates, snapshots and control domains are left out unless asked for. VMs without an address
    are still listed, in the C(xenserver_no_address) group.
  - Reads in bulk, one call per class (pool, host, VM, VM_guest_metrics, and VIF and network when
    O(preferred_network) is set), whatever the number of VMs; with O(cache) a later run sends no call.
  - The cache entry belongs to the pools' host names, the user, a salted digest of the password, the other
    connection options and the options that decide what is read. The same file pointed at another pool, or
    run with another user or password, reads that pool (and a wrong password fails) instead of returning the
    records cached for the first.
  - Groups are C(xenserver_hosts), C(xenserver_vms), C(xenserver_pool_<pool>), C(xenserver_host_<host>)
    (VMs running there), C(xenserver_power_<state>), C(xenserver_tag_<tag>),
    C(xenserver_other_config_<key>_<value>) for O(other_config_groups), and C(xenserver_no_address).
  - Host variables start with C(xenserver_), for example C(xenserver_uuid), C(xenserver_power_state),
    C(xenserver_host), C(xenserver_tags), C(xenserver_ipv4), C(xenserver_os); use them in O(compose),
    O(groups) and O(keyed_groups).
  - Host names and variables taken from the pool (VM names, descriptions, tags, C(other_config)...) are marked
    unsafe, also when they come from the cache, so that a template such as C({{ lookup('pipe', ...) }}) in a VM
    description stays text in every play and in O(compose), O(groups) and O(keyed_groups). Group names made from
    such values keep only letters, digits and underscores.
  - The file name must end in C(xenserver.yml) or C(xenserver.yaml).
author:
  - opencitrix maintainers (@opencitrix)
requirements:
  - XenAPI
extends_documentation_fragment:
  - constructed
  - inventory_cache
  - opencitrix.automation.xenserver.plugin
options:
  plugin:
    description: The name of this plugin; it must always be set to V(opencitrix.automation.xenserver).
    type: str
    required: true
    choices: [opencitrix.automation.xenserver]
  pools:
    description:
      - Several pools in one inventory. Each item takes O(hostname) (required) and, optionally, O(username),
        O(password), O(validate_certs) and O(ca_path); what an item leaves out comes from the options of the
        same name (and so from their environment variables).
      - When empty, the one pool of O(hostname) is read.
    type: list
    elements: dict
    default: []
  include_hosts:
    description: Add the pool's hosts (members and master).
    type: bool
    default: true
  include_vms:
    description: Add the pools' VMs.
    type: bool
    default: true
  include_templates:
    description: Also add templates.
    type: bool
    default: false
  include_snapshots:
    description: Also add snapshots.
    type: bool
    default: false
  include_control_domains:
    description: Also add the hosts' control domains (dom0).
    type: bool
    default: false
  address_family:
    description: Which address to prefer for C(ansible_host) of a VM when its guest reports both.
    type: str
    default: ipv4
    choices: [ipv4, ipv6]
  preferred_network:
    description:
      - Name, UUID or bridge of the network whose NIC address to prefer for C(ansible_host) of a VM (reads
        VIFs and networks too).
    type: str
  preferred_device:
    description: Device number of the NIC whose address to prefer (for example V(1)).
    type: str
  other_config_groups:
    description: C(other_config) keys to group VMs by (C(xenserver_other_config_<key>_<value>)).
    type: list
    elements: str
    default: []
  vm_hostname:
    description:
      - Inventory name of a VM, V(name) or V(uuid). VM names are not unique; a repeated name gets the first
        eight characters of the UUID appended (with a warning).
    type: str
    default: name
    choices: [name, uuid]
'''

EXAMPLES = r'''
# The smallest pool.xenserver.yml takes the connection from XENSERVER_HOST, XENSERVER_USER and
# XENSERVER_PASSWORD (for example an AWX credential) and holds one line:
#   plugin: opencitrix.automation.xenserver

# two-pools.xenserver.yml - any pool member works as hostname; cache the raw records for an hour
plugin: opencitrix.automation.xenserver
pools:
  - hostname: xs-a1.example.com
  - hostname: xs-b3.example.com
    password: "{{ lookup('ansible.builtin.env', 'POOL_B_PASSWORD') }}"
preferred_network: Pool-wide network associated with eth0
other_config_groups: [app, env]
cache: true
cache_plugin: ansible.builtin.jsonfile
cache_connection: ~/.cache/xenserver-inventory
cache_timeout: 3600
keyed_groups:
  - key: xenserver_os
    prefix: os
compose:
  ansible_user: "'Administrator' if 'Windows' in (xenserver_os or '') else 'root'"
groups:
  big_vms: xenserver_memory_mb is defined and xenserver_memory_mb >= 8192
'''

from ansible.errors import AnsibleError
from ansible.module_utils.basic import missing_required_lib
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable

from ansible_collections.opencitrix.automation.plugins.module_utils import errors
from ansible_collections.opencitrix.automation.plugins.module_utils.redaction import Redactor
from ansible_collections.opencitrix.automation.plugins.module_utils.retries import RetryPolicy
from ansible_collections.opencitrix.automation.plugins.module_utils.transport import MIB
from ansible_collections.opencitrix.automation.plugins.module_utils.xenserver.session import HAS_XENAPI, XenServerSession
from ansible_collections.opencitrix.automation.plugins.plugin_utils.xenserver_inventory import (
    CONNECTION_KEYS, cache_entry, host_variables, read_pool, vm_address, vm_filter, vm_variables,
)
from ansible_collections.opencitrix.automation.plugins.plugin_utils.environment import BlankEnvironmentIsUnset
from ansible_collections.opencitrix.automation.plugins.plugin_utils.untrusted import UntrustedHosts


class InventoryModule(BlankEnvironmentIsUnset, UntrustedHosts, BaseInventoryPlugin, Constructable, Cacheable):

    NAME = 'opencitrix.automation.xenserver'

    def verify_file(self, path):
        return super(InventoryModule, self).verify_file(path) and path.endswith(('xenserver.yml', 'xenserver.yaml'))

    def parse(self, inventory, loader, path, cache=True):
        super(InventoryModule, self).parse(inventory, loader, path, cache)
        self._read_config_data(path)
        if not HAS_XENAPI:
            raise AnsibleError(missing_required_lib('XenAPI'))
        self.redact = Redactor()
        settings = self._pool_settings()
        cache_key = cache_entry(self.get_cache_key(path), settings, self._reading())
        use_cache = self.get_option('cache') and cache
        update_cache = self.get_option('cache') and not cache
        pools = None
        if use_cache:
            try:
                pools = self._cache[cache_key]
            except KeyError:
                update_cache = True
        if pools is None:
            pools = self._read_pools(settings)
        if update_cache:
            self._cache[cache_key] = pools
        for label in sorted(pools):
            self._populate(pools[label])

    # -- reading ----------------------------------------------------------------------------------

    def _pool_settings(self):
        defaults = {key: self.get_option(key) for key in CONNECTION_KEYS}
        pools = self.get_option('pools') or [{}]
        settings = []
        for item in pools:
            unknown = sorted(set(item) - set(CONNECTION_KEYS))
            if unknown:
                raise AnsibleError('Unknown key(s) %s in pools; use %s' % (', '.join(unknown), ', '.join(CONNECTION_KEYS)))
            merged = dict(defaults, **{k: v for k, v in item.items() if v is not None})
            if not merged.get('hostname'):
                raise AnsibleError('No XenServer host: set hostname (or XENSERVER_HOST), or list pools with a hostname each')
            settings.append(merged)
        return settings

    def _reading(self):
        """The options that decide what is read from each pool."""
        return {'include_vms': self.get_option('include_vms'), 'allow_plain_http': self.get_option('allow_plain_http'),
                'where': vm_filter(self.get_option('include_templates'), self.get_option('include_snapshots'),
                                   self.get_option('include_control_domains')),
                'with_networks': bool(self.get_option('preferred_network'))}

    def _read_pools(self, pool_settings):
        """``{pool label: {class: {ref: record}}}`` for every configured pool."""
        reading = self._reading()
        pools = {}
        for settings in pool_settings:
            self.redact.add(settings.get('password'))
            try:
                with XenServerSession(
                        settings['hostname'], username=settings.get('username') or 'root', password=settings.get('password'),
                        validate_certs=settings.get('validate_certs', True), ca_path=settings.get('ca_path'),
                        connect_timeout=self.get_option('connect_timeout'), read_timeout=self.get_option('read_timeout'),
                        retry=RetryPolicy(retries=self.get_option('retries')), allow_plain_http=self.get_option('allow_plain_http'),
                        max_response_bytes=(self.get_option('max_response_size') or 0) * MIB or None,
                        redactor=self.redact, log=self.display.vvvv) as session:
                    pools[settings['hostname']] = read_pool(session, reading['include_vms'], reading['where'],
                                                            with_networks=reading['with_networks'])
            except errors.CitrixError as exc:
                raise AnsibleError(self.redact(str(exc)))
        return pools

    # -- building the inventory -------------------------------------------------------------------

    def _group(self, name, parent=None):
        group = self.inventory.add_group(self._sanitize_group_name(name))
        if parent:
            self.inventory.add_child(parent, group)
        return group

    def _unique_name(self, name, uuid):
        if name not in self.inventory.hosts:
            return name
        unique = '%s_%s' % (name, (uuid or '')[:8])
        self.display.warning('XenServer inventory: several hosts are called "%s"; %s is listed as %s' % (name, uuid, unique))
        return unique

    def _populate(self, records):
        pool = next(iter(records.get('pool', {}).values()), {})
        master_ref = pool.get('master')
        pool_name = pool.get('name_label') or (records.get('host', {}).get(master_ref) or {}).get('name_label') or 'pool'
        pool_group = self._group('xenserver_pool_%s' % pool_name)
        hosts_group = self._group('xenserver_hosts')
        if self.get_option('include_hosts'):
            for ref, host in sorted(records.get('host', {}).items(), key=lambda item: item[1].get('name_label') or ''):
                name = self._unique_name(host.get('name_label') or host.get('uuid'), host.get('uuid'))
                variables = dict(host_variables(ref, host, pool_name, master_ref), ansible_host=host.get('address'))
                self._add_untrusted_host(name, variables, [hosts_group, pool_group])
        if self.get_option('include_vms'):
            self._populate_vms(records, pool_name, pool_group)

    def _populate_vms(self, records, pool_name, pool_group):
        vms_group = self._group('xenserver_vms')
        no_address = self._group('xenserver_no_address')
        hosts = records.get('host', {})
        by_uuid = self.get_option('vm_hostname') == 'uuid'
        for _ref, vm in sorted(records.get('VM', {}).items(), key=lambda item: (item[1].get('name_label') or '', item[1].get('uuid'))):
            address = vm_address(vm, records, self.get_option('address_family'), self.get_option('preferred_device'),
                                 self.get_option('preferred_network'))
            variables = vm_variables(vm, records, pool_name, address)
            groups = [vms_group, pool_group, self._group('xenserver_power_%s' % variables['xenserver_power_state'])]
            if vm.get('resident_on') in hosts:
                groups.append(self._group('xenserver_host_%s' % hosts[vm['resident_on']].get('name_label')))
            groups += [self._group('xenserver_tag_%s' % tag) for tag in variables['xenserver_tags']]
            other = variables['xenserver_other_config']
            groups += [self._group('xenserver_other_config_%s_%s' % (key, other[key]))
                       for key in self.get_option('other_config_groups') if other.get(key)]
            if address:
                variables['ansible_host'] = address
            else:
                groups.append(no_address)
            name = vm.get('uuid') if by_uuid else self._unique_name(vm.get('name_label') or vm.get('uuid'), vm.get('uuid'))
            self._add_untrusted_host(name, variables, groups)
