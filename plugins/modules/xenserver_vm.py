#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: xenserver_vm
short_description: Create, configure, power and delete XenServer VMs
version_added: 0.1.0
description:
  - Makes one VM of a XenServer pool present, absent or in a power state, with its description,
    vCPUs, memory, tags and other_config.
  - A missing VM is created by cloning O(template) (a template, whose disks are then provisioned, or
    a halted VM), as C(xe vm-install) does.
  - While it is created the new VM is called C(<name> [creating by opencitrix.automation]); it gets O(name) only
    once configured, as the last step, so no lookup by O(name) or O(template) meets a half-made VM. A failed
    creation removes that VM; one left behind by a run that was killed is removed by the next run for the same
    O(name) (also with O(state=absent)) before the VM is created again.
  - Two runs creating the same VM at the same time never leave two VMs of that name; one of them fails, saying so,
    and removes the VM it had made.
  - Clean shutdowns and reboots are used; with O(force) they fall back to hard ones when the guest
    does not comply within O(shutdown_timeout).
  - Long operations run as XenAPI tasks and are waited for through the event system, not by polling.
author:
  - opencitrix maintainers (@opencitrix)
requirements:
  - XenAPI
options:
  name:
    description:
      - Name (C(name_label)) of the VM. Names are not unique in XenServer; when several ordinary VMs
        share it the module fails and asks for O(uuid).
      - With O(uuid), the VM is renamed to O(name).
    type: str
  uuid:
    description: UUID of the VM. Identifies an existing VM.
    type: str
  state:
    description:
      - V(present) creates the VM if needed (halted) and applies the settings without touching its power state.
      - V(running), V(halted), V(suspended) and V(paused) also bring the VM to that power state.
      - V(restarted) reboots a running VM (and starts a halted one); it always acts and reports a change.
      - V(absent) deletes the VM and the disks no other VM uses. A VM that is not halted or suspended is
        only deleted with O(force).
    type: str
    default: present
    choices: [present, absent, running, halted, suspended, paused, restarted]
  template:
    description:
      - Name or UUID of the template, or of a halted VM, to clone when the VM does not exist.
    type: str
  description:
    description: Description (C(name_description)) of the VM.
    type: str
  vcpus:
    description:
      - Number of virtual CPUs (sets both C(VCPUs_max) and C(VCPUs_at_startup)), at least 1.
      - Can only change while the VM is halted; together with O(state=halted) the VM is shut down first.
    type: int
  memory_mb:
    description:
      - Memory in MiB (static and dynamic maximum, and dynamic minimum), at least 1.
      - Can only change while the VM is halted, like O(vcpus).
    type: int
  tags:
    description: The VM's tags, exactly (others are removed). Leave unset to keep the current tags.
    type: list
    elements: str
  other_config:
    description:
      - Keys to set in the VM's C(other_config); other keys are left alone. A key whose value is null is removed.
    type: dict
  force:
    description:
      - Allow hard power operations. A hard shutdown or reboot follows a clean one that fails (for example
        without guest agent) or does not finish within O(shutdown_timeout), and O(state=absent) powers off a
        running VM before deleting it.
    type: bool
    default: false
  shutdown_timeout:
    description: Seconds to wait for a clean shutdown or reboot.
    type: int
    default: 120
  wait_for_ip:
    description:
      - After the VM runs, wait until its guest agent reports an IPv4 address (the C(ip) key of RV(vm)).
    type: bool
    default: false
  timeout:
    description: Seconds to wait for each operation (clone, provision, start, ...) and for O(wait_for_ip).
    type: int
    default: 600
extends_documentation_fragment:
  - opencitrix.automation.xenserver
  - opencitrix.automation.transport
  - opencitrix.automation.attributes
  - opencitrix.automation.attributes.xenserver
attributes:
  check_mode:
    support: full
    details: Reads the pool and reports what would change; sends no call that changes anything.
  diff_mode:
    support: full
    details: Before and after of the name, description, vCPUs, memory, tags, managed other_config keys and power state.
notes:
  - Changing vCPUs or memory of a running VM fails with a message saying so, before anything is changed.
'''

EXAMPLES = r'''
- name: Create web01 from a template, start it and wait for its address
  opencitrix.automation.xenserver_vm:
    hostname: xs-pool.example.com
    username: root
    password: "{{ xenserver_password }}"
    name: web01
    template: web-template
    vcpus: 2
    memory_mb: 4096
    tags: [web, prod]
    state: running
    wait_for_ip: true
  register: web01

- name: Resize a VM (shut down cleanly, or hard after two minutes)
  opencitrix.automation.xenserver_vm:
    name: db01
    vcpus: 8
    memory_mb: 16384
    state: halted
    force: true

- name: Reboot every VM of a list, with credentials from module_defaults
  module_defaults:
    group/opencitrix.automation.xenserver:
      hostname: "{{ xenserver_host }}"
      password: "{{ xenserver_password }}"
  opencitrix.automation.xenserver_vm:
    name: "{{ item }}"
    state: restarted
  loop: [app01, app02]

- name: Delete a VM and its disks
  opencitrix.automation.xenserver_vm:
    uuid: 5f1c0b6e-3a39-4d9b-9a8c-0c2b8f0f6a11
    state: absent
    force: true
'''

RETURN = r'''
vm:
  description: Facts about the VM after the task (see M(opencitrix.automation.xenserver_vm_info) for every key).
  returned: when the VM exists after the task (in check mode, when it existed before)
  type: dict
  sample:
    name: web01
    uuid: 0b3c2a47-8f5b-4a8e-9b0e-5b1a1c9d2e77
    power_state: running
    host: xs-host-01
    vcpus: 2
    memory_mb: 4096
    ip: 10.20.0.17
    tags: [prod, web]
actions:
  description: What the task did, or in check mode would do, in order.
  returned: always
  type: list
  elements: str
  sample: ["clone template web-template into VM web01", "provision VM web01 (create its disks)", "start VM web01"]
'''

from ansible_collections.opencitrix.automation.plugins.module_utils.xenserver.module import (
    xenserver_module, xenserver_session,
)
from ansible_collections.opencitrix.automation.plugins.module_utils.xenserver.vm_state import VmState


def argument_spec():
    return dict(
        name=dict(type='str'),
        uuid=dict(type='str'),
        state=dict(type='str', default='present',
                   choices=['present', 'absent', 'running', 'halted', 'suspended', 'paused', 'restarted']),
        template=dict(type='str'),
        description=dict(type='str'),
        vcpus=dict(type='int'),
        memory_mb=dict(type='int'),
        tags=dict(type='list', elements='str'),
        other_config=dict(type='dict'),
        force=dict(type='bool', default=False),
        shutdown_timeout=dict(type='int', default=120),
        wait_for_ip=dict(type='bool', default=False),
        timeout=dict(type='int', default=600),
    )


def main():
    module = xenserver_module(argument_spec(), required_one_of=[('name', 'uuid')])
    with module.handle_errors():
        with xenserver_session(module) as session:
            change = VmState(session, check_mode=module.check_mode, log=module.debug_log).ensure(module.params)
    module.exit_change(change)


if __name__ == '__main__':
    main()
