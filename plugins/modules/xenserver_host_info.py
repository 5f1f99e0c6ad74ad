#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: xenserver_host_info
short_description: Facts about a XenServer pool and its hosts
version_added: 0.1.0
description:
  - Returns the pool (name, master, HA) and its hosts (address, master or not, versions, CPUs,
    memory, number of VMs running there), master first.
  - Reads the pool, hosts and host metrics with one call each.
author:
  - opencitrix maintainers (@opencitrix)
requirements:
  - XenAPI
options:
  name:
    description: Only the hosts with these names, UUIDs or addresses.
    type: list
    elements: str
extends_documentation_fragment:
  - opencitrix.automation.xenserver
  - opencitrix.automation.transport
  - opencitrix.automation.attributes
  - opencitrix.automation.attributes.info_module
  - opencitrix.automation.attributes.xenserver
'''

EXAMPLES = r'''
- name: Pool and hosts
  opencitrix.automation.xenserver_host_info:
    hostname: xs-pool.example.com
    password: "{{ xenserver_password }}"
  register: pool

- name: Fail when a host runs another XenServer version than the master
  ansible.builtin.assert:
    that: pool.hosts | map(attribute='product_version') | unique | length == 1
'''

RETURN = r'''
pool:
  description: The pool.
  returned: success
  type: dict
  contains:
    name:
      description: Name of the pool (empty for a standalone host).
      type: str
    uuid:
      description: UUID of the pool.
      type: str
    master:
      description: Name of the master host.
      type: str
    master_address:
      description: Management address of the master host.
      type: str
    ha_enabled:
      description: Whether high availability is on.
      type: bool
    host_count:
      description: Number of hosts in the pool.
      type: int
    tags:
      description: Tags of the pool.
      type: list
      elements: str
hosts:
  description: The hosts, master first.
  returned: success
  type: list
  elements: dict
  contains:
    name:
      description: Name of the host.
      type: str
    uuid:
      description: UUID of the host.
      type: str
    address:
      description: Management IP address.
      type: str
    hostname:
      description: Host name.
      type: str
    is_master:
      description: Whether the host is the pool master.
      type: bool
    enabled:
      description: Whether the host accepts new VMs.
      type: bool
    live:
      description: Whether the host is reachable according to its metrics.
      type: bool
    product_brand:
      description: Product name (for example V(XenServer)).
      type: str
    product_version:
      description: Product version.
      type: str
    build_number:
      description: Build number.
      type: str
    xen_version:
      description: Version of the Xen hypervisor.
      type: str
    xapi_version:
      description: Version of the toolstack (xapi).
      type: str
    api_version:
      description: XenAPI version (major.minor).
      type: str
    edition:
      description: Licensed edition.
      type: str
    cpu_count:
      description: Logical CPUs.
      type: int
    socket_count:
      description: CPU sockets.
      type: int
    cpu_model:
      description: CPU model name.
      type: str
    cpu_speed_mhz:
      description: CPU speed in MHz.
      type: int
    memory_total_mb:
      description: Total memory in MiB.
      type: int
    memory_free_mb:
      description: Free memory in MiB.
      type: int
    vm_count:
      description: VMs running on the host, control domain excluded.
      type: int
    tags:
      description: Tags of the host.
      type: list
      elements: str
  sample:
    - name: xs-host-01
      address: 10.0.0.11
      is_master: true
      product_version: 8.4.0
      cpu_count: 32
      memory_total_mb: 524288
      vm_count: 41
'''

from ansible_collections.opencitrix.automation.plugins.module_utils.xenserver.module import (
    xenserver_module, xenserver_session,
)
from ansible_collections.opencitrix.automation.plugins.module_utils.xenserver.pool import pool_facts


def main():
    module = xenserver_module(dict(name=dict(type='list', elements='str')))
    with module.handle_errors():
        with xenserver_session(module) as session:
            pool, hosts = pool_facts(session, module.params['name'])
        module.exit_json(changed=False, pool=pool, hosts=hosts)


if __name__ == '__main__':
    main()
