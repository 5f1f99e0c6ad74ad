#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: xenserver_vm_migrate
short_description: Live-migrate XenServer VMs to another host of their pool
version_added: 0.1.0
description:
  - Moves running VMs to one host of the same pool with XenMotion (C(VM.pool_migrate)), at most
    O(concurrency) at a time; the migrations run as XenAPI tasks followed through the event system.
  - A VM already running on the target host is left alone, so a second run changes nothing.
  - Every VM gets an outcome; when some fail, the others still move and the task fails naming the failed ones.
  - Moving every running VM of the pool takes O(all_targets=true). An empty O(vms) (V([]) or an empty entry) fails the
    task before it even signs in.
  - O(max_targets) caps how many VMs may move; over it, none moves.
author:
  - opencitrix maintainers (@opencitrix)
requirements:
  - XenAPI
options:
  vms:
    description:
      - Names or UUIDs of the VMs to move. Each must name exactly one running VM.
      - Required unless O(all_targets=true), which moves every running VM of the pool (VMs already on
        O(target_host) stay where they are).
    type: list
    elements: str
  target_host:
    description: Name, UUID or address of the host to move the VMs to.
    type: str
    required: true
  concurrency:
    description: How many migrations run at the same time (at most 16).
    type: int
    default: 3
  live:
    description: Migrate without pausing the guests (the C(live) option of C(VM.pool_migrate)).
    type: bool
    default: true
  timeout:
    description: Seconds to wait for all migrations.
    type: int
    default: 1800
extends_documentation_fragment:
  - opencitrix.automation.xenserver
  - opencitrix.automation.fleet
  - opencitrix.automation.transport
  - opencitrix.automation.attributes
  - opencitrix.automation.attributes.xenserver
attributes:
  check_mode:
    support: full
    details: Reports which VMs would move; starts no migration.
  diff_mode:
    support: full
    details: The host of each VM before and after.
'''

EXAMPLES = r'''
- name: Empty xs-host-02 before maintenance, three migrations at a time
  opencitrix.automation.xenserver_vm_migrate:
    vms: "{{ vms_on_host2 }}"
    target_host: xs-host-03
    concurrency: 3

- name: Move two VMs by UUID
  opencitrix.automation.xenserver_vm_migrate:
    vms:
      - 0b3c2a47-8f5b-4a8e-9b0e-5b1a1c9d2e77
      - 6f0e3f6e-2d2a-4a7c-9f43-1d5b0e8b7c10
    target_host: 10.0.0.13

- name: Move the VMs of a list, but refuse if more than 20 would move
  opencitrix.automation.xenserver_vm_migrate:
    vms: "{{ vms_to_move }}"
    target_host: xs-host-03
    max_targets: 20

- name: Gather every running VM of the pool on one host
  opencitrix.automation.xenserver_vm_migrate:
    all_targets: true
    target_host: xs-host-01
'''

RETURN = r'''
vms:
  description: One entry per requested VM, in the order given (with O(all_targets), by name).
  returned: always
  type: list
  elements: dict
  contains:
    vm:
      description: Name of the VM (or the label given, when it matched no single VM).
      type: str
    uuid:
      description: UUID of the VM.
      type: str
    from_host:
      description: Host the VM ran on before.
      type: str
    to_host:
      description: Target host.
      type: str
    status:
      description: V(migrated), V(unchanged) (already there), V(would migrate) (check mode) or V(failed).
      type: str
    msg:
      description: Why it failed.
      type: str
      returned: when status is V(failed)
    name:
      description: The same as RV(vms[].vm), under the key every fleet result of the collection uses.
      type: str
    outcome:
      description: V(changed) (migrated, or would migrate in check mode), V(unchanged) or V(failed).
      type: str
    reason:
      description: Why it failed (null otherwise).
      type: str
  sample:
    - {vm: web01, uuid: 0b3c2a47-8f5b-4a8e-9b0e-5b1a1c9d2e77, from_host: xs-host-02, to_host: xs-host-03, status: migrated}
    - {vm: web02, uuid: 1c4d3b58-9a6c-4b9f-8c1f-6c2b2d0e3f88, from_host: xs-host-03, to_host: xs-host-03, status: unchanged}
failed_vms:
  description: Names of the VMs that could not be moved.
  returned: always
  type: list
  elements: str
  sample: []
counts:
  description: How many VMs had each outcome.
  returned: always
  type: dict
  sample: {changed: 1, unchanged: 1, skipped: 0, failed: 0}
'''

from ansible_collections.opencitrix.automation.plugins.module_utils.targets import check_targets, fleet_argument_spec
from ansible_collections.opencitrix.automation.plugins.module_utils.xenserver.module import (
    xenserver_module, xenserver_session,
)
from ansible_collections.opencitrix.automation.plugins.module_utils.xenserver.pool import Migration


def argument_spec():
    spec = dict(
        vms=dict(type='list', elements='str'),
        target_host=dict(type='str', required=True),
        concurrency=dict(type='int', default=3),
        live=dict(type='bool', default=True),
        timeout=dict(type='int', default=1800),
    )
    spec.update(fleet_argument_spec())
    return spec


def main():
    module = xenserver_module(argument_spec())
    params = module.params
    with module.handle_errors():
        check_targets(params, ('vms',), noun='VM', scope='pool')
        with xenserver_session(module) as session:
            fleet = Migration(session, concurrency=params['concurrency'], timeout=params['timeout'], live=params['live'],
                              check_mode=module.check_mode, log=module.debug_log,
                              max_targets=params['max_targets']).run(params['vms'], params['target_host'],
                                                                     all_targets=params['all_targets'])
    moved = fleet.with_outcome('changed')
    module.exit_fleet(fleet, 'vms', failed_vms=[item['vm'] for item in fleet.failed],
                      diff=(dict((i['vm'], i['from_host']) for i in moved), dict((i['vm'], i['to_host']) for i in moved)))


if __name__ == '__main__':
    main()
