#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: xenserver_vm_snapshot
short_description: Take, revert to, delete and list snapshots of a XenServer VM
version_added: 0.1.0
description:
  - Manages the snapshots of one VM by name. V(present) takes a snapshot of the VM's disks (C(VM.snapshot)), or with
    O(memory=true) of its disks and memory (C(VM.checkpoint)), unless the VM has a snapshot of that name already.
  - V(absent) deletes the snapshots of that name, with the disks only they use.
  - V(reverted) brings the VM back to the snapshot (C(VM.revert)), with its configuration, disks and NICs as they were;
    the VM is then halted, or suspended for a snapshot with memory. A running VM is powered off first, losing what
    it did since. Nothing is done when the VM is at that snapshot still, that is when it was taken or reverted to
    last, the VM is in the snapshot's power state and has not been started since it was taken.
  - Without O(snapshot) the module changes nothing and only lists the snapshots (RV(snapshots)).
author:
  - opencitrix maintainers (@opencitrix)
requirements:
  - XenAPI
options:
  name:
    description: Name of the VM. When several ordinary VMs share it the module fails and asks for O(uuid).
    type: str
  uuid:
    description: UUID of the VM.
    type: str
  snapshot:
    description: Name of the snapshot.
    type: str
  description:
    description: Description of a snapshot this task takes.
    type: str
  memory:
    description:
      - Take the snapshot with the VM's memory (a checkpoint), so that a revert resumes the VM where it was. Needs a
        running, paused or suspended VM whose guest supports suspending.
    type: bool
    default: false
  state:
    description: V(present) takes the snapshot, V(absent) deletes it, V(reverted) reverts the VM to it.
    type: str
    default: present
    choices: [present, absent, reverted]
  timeout:
    description: Seconds to wait for each snapshot, revert or deletion.
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
    details: Reads the VM and its snapshots and reports what would be done; sends no call that changes anything.
  diff_mode:
    support: full
    details: The names of the VM's snapshots and the one it is at, before and after.
'''

EXAMPLES = r'''
- name: Snapshot web01 before an upgrade (once; a rerun changes nothing)
  opencitrix.automation.xenserver_vm_snapshot:
    name: web01
    snapshot: before-upgrade
    description: Taken by the upgrade playbook

- name: Checkpoint a running VM with its memory
  opencitrix.automation.xenserver_vm_snapshot:
    name: app01
    snapshot: checkpoint-1
    memory: true

- name: Roll web01 back and start it again
  block:
    - name: Revert to the snapshot
      opencitrix.automation.xenserver_vm_snapshot:
        name: web01
        snapshot: before-upgrade
        state: reverted
    - name: Start it
      opencitrix.automation.xenserver_vm:
        name: web01
        state: running

- name: Delete the snapshot once the upgrade is good
  opencitrix.automation.xenserver_vm_snapshot:
    name: web01
    snapshot: before-upgrade
    state: absent

- name: List the snapshots of a VM
  opencitrix.automation.xenserver_vm_snapshot:
    name: web01
  register: listed
'''

RETURN = r'''
snapshots:
  description: The VM's snapshots after the task (in check mode, as they were), oldest first.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: Name of the snapshot.
      type: str
    uuid:
      description: UUID of the snapshot.
      type: str
    description:
      description: Description of the snapshot.
      type: str
    time:
      description: When it was taken (C(YYYYMMDDTHH:MM:SSZ)).
      type: str
    memory:
      description: Whether it holds the VM's memory (a checkpoint).
      type: bool
    current:
      description: Whether the VM was last taken at or reverted to this snapshot.
      type: bool
  sample:
    - {name: before-upgrade, uuid: 7c1f4d2e-9a5b-4c3d-8e2f-1a0b9c8d7e6f, description: '', time: '20261201T10:00:00Z',
       memory: false, current: true}
actions:
  description: What the task did, or in check mode would do.
  returned: always
  type: list
  elements: str
  sample: ["snapshot VM web01 as before-upgrade"]
'''

from ansible_collections.opencitrix.automation.plugins.module_utils.xenserver.module import (
    xenserver_module, xenserver_session,
)
from ansible_collections.opencitrix.automation.plugins.module_utils.xenserver.snapshots import VmSnapshots


def argument_spec():
    return dict(
        name=dict(type='str'),
        uuid=dict(type='str'),
        snapshot=dict(type='str'),
        description=dict(type='str'),
        memory=dict(type='bool', default=False),
        state=dict(type='str', default='present', choices=['present', 'absent', 'reverted']),
        timeout=dict(type='int', default=600),
    )


def main():
    module = xenserver_module(argument_spec(), required_one_of=[('name', 'uuid')])
    with module.handle_errors():
        with xenserver_session(module) as session:
            change = VmSnapshots(session, check_mode=module.check_mode, log=module.debug_log).ensure(module.params)
    module.exit_change(change)


if __name__ == '__main__':
    main()
