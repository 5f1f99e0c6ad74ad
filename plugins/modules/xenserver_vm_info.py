#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: xenserver_vm_info
short_description: Facts about XenServer VMs, with guest addresses, disks and NICs
version_added: 0.1.0
description:
  - Returns one VM (by O(name) or O(uuid)) or every ordinary VM matching the filters, with power state,
    host, vCPUs, memory, tags, the guest agent's OS and IP addresses, disks and NICs.
  - Templates, snapshots and control domains are never returned.
  - Uses a fixed number of XenAPI calls whatever the number of disks and NICs, five for one VM with
    login and logout. The VMs come from one filtered read, then their disks, NICs and metrics from
    C(event.from) naming the objects, or from one read per class when there are many VMs.
author:
  - opencitrix maintainers (@opencitrix)
requirements:
  - XenAPI
options:
  name:
    description: Only the VM(s) with this name (C(name_label)).
    type: str
  uuid:
    description: Only the VM with this UUID.
    type: str
  tags:
    description: Only VMs that carry every one of these tags.
    type: list
    elements: str
  power_state:
    description: Only VMs in one of these power states.
    type: list
    elements: str
    choices: [running, halted, suspended, paused]
extends_documentation_fragment:
  - opencitrix.automation.xenserver
  - opencitrix.automation.transport
  - opencitrix.automation.attributes
  - opencitrix.automation.attributes.info_module
  - opencitrix.automation.attributes.xenserver
'''

EXAMPLES = r'''
- name: Facts about web01
  opencitrix.automation.xenserver_vm_info:
    name: web01
  register: web01

- name: Addresses of the running production web servers
  opencitrix.automation.xenserver_vm_info:
    tags: [web, prod]
    power_state: running
  register: web

- name: Show them
  ansible.builtin.debug:
    msg: "{{ web.vms | map(attribute='ip') | list }}"
'''

RETURN = r'''
vms:
  description: The matching VMs, sorted by name.
  returned: success
  type: list
  elements: dict
  contains:
    name:
      description: Name of the VM.
      type: str
    uuid:
      description: UUID of the VM.
      type: str
    description:
      description: Description of the VM.
      type: str
    power_state:
      description: V(running), V(halted), V(suspended) or V(paused).
      type: str
    is_template:
      description: Always V(false) here (templates are not returned).
      type: bool
    host:
      description: Name of the host the VM runs on, null when it does not run.
      type: str
    host_uuid:
      description: UUID of that host.
      type: str
    vcpus:
      description: vCPUs at startup.
      type: int
    vcpus_max:
      description: Maximum vCPUs.
      type: int
    memory_mb:
      description: Static maximum memory in MiB.
      type: int
    tags:
      description: Tags, sorted.
      type: list
      elements: str
    other_config:
      description: The VM's other_config map.
      type: dict
    ip:
      description: First IPv4 address the guest agent reports (lowest device first), null without one.
      type: str
    ipv4:
      description: Every IPv4 address the guest agent reports.
      type: list
      elements: str
    ipv6:
      description: Every IPv6 address the guest agent reports.
      type: list
      elements: str
    guest:
      description: What the guest agent reports (null when it never ran).
      type: dict
      contains:
        os_name:
          description: Operating system name.
          type: str
        distro:
          description: Distribution identifier.
          type: str
        pv_drivers_version:
          description: Version of the PV drivers.
          type: str
        pv_drivers_detected:
          description: Whether PV drivers were detected.
          type: bool
        live:
          description: Whether the agent is reporting.
          type: bool
    disks:
      description: Virtual disks, by device number.
      type: list
      elements: dict
      contains:
        device:
          description: Device number (C(userdevice)).
          type: str
        name:
          description: Name of the virtual disk image.
          type: str
        uuid:
          description: UUID of the virtual disk image.
          type: str
        size_bytes:
          description: Virtual size in bytes.
          type: int
        size_gb:
          description: Virtual size in GiB.
          type: float
        sr:
          description: Name of the storage repository.
          type: str
        sr_uuid:
          description: UUID of the storage repository.
          type: str
        bootable:
          description: Whether the disk is bootable.
          type: bool
        mode:
          description: V(RW) or V(RO).
          type: str
    cdroms:
      description: CD drives (device number, and whether it is empty).
      type: list
      elements: dict
    nics:
      description: Virtual network interfaces, by device number.
      type: list
      elements: dict
      contains:
        device:
          description: Device number.
          type: str
        mac:
          description: MAC address.
          type: str
        network:
          description: Name of the network.
          type: str
        network_uuid:
          description: UUID of the network.
          type: str
        bridge:
          description: Bridge of the network.
          type: str
        ipv4:
          description: IPv4 addresses the guest agent reports on this NIC.
          type: list
          elements: str
        ipv6:
          description: IPv6 addresses the guest agent reports on this NIC.
          type: list
          elements: str
        attached:
          description: Whether the NIC is plugged.
          type: bool
  sample:
    - name: web01
      uuid: 0b3c2a47-8f5b-4a8e-9b0e-5b1a1c9d2e77
      power_state: running
      host: xs-host-01
      vcpus: 2
      memory_mb: 4096
      tags: [prod, web]
      ip: 10.20.0.17
      ipv4: [10.20.0.17]
      disks: [{device: '0', name: web01 disk 0, size_gb: 20.0, sr: NFS virtual disk storage}]
      nics: [{device: '0', mac: '02:16:3e:00:00:11', network: Pool-wide network associated with eth0, ipv4: [10.20.0.17]}]
'''

from ansible_collections.opencitrix.automation.plugins.module_utils.xenserver.module import (
    xenserver_module, xenserver_session,
)
from ansible_collections.opencitrix.automation.plugins.module_utils.xenserver.vm import VmFacts


def main():
    module = xenserver_module(
        dict(
            name=dict(type='str'),
            uuid=dict(type='str'),
            tags=dict(type='list', elements='str'),
            power_state=dict(type='list', elements='str', choices=['running', 'halted', 'suspended', 'paused']),
        ),
    )
    params = module.params
    with module.handle_errors():
        with xenserver_session(module) as session:
            vms = VmFacts(session).select(name=params['name'], uuid=params['uuid'], tags=params['tags'],
                                          power_states=params['power_state'])
        module.exit_json(changed=False, vms=vms)


if __name__ == '__main__':
    main()
