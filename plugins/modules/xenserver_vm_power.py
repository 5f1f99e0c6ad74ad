#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: xenserver_vm_power
short_description: Start, shut down, restart, suspend or pause many XenServer VMs at once
version_added: 0.1.0
description:
  - Brings VMs of a XenServer pool to one power state, at most O(concurrency) VMs at a time. Each power operation
    runs as a XenAPI task; the tasks of all VMs in flight are followed together through the event system.
  - VMs are chosen by O(names) (names or UUIDs), O(tags) (VMs with all of them) and O(host) (VMs running there),
    then narrowed by O(power_states). Every ordinary VM of the pool takes O(all_targets=true); an empty target
    option fails the task before it signs in. Templates, snapshots and control domains are never chosen.
  - The state names are those of M(opencitrix.automation.xenserver_vm), with the same steps from each power state.
    A VM already in the state asked for is left alone; V(restarted) always reboots running VMs (and starts halted
    ones) and reports a change. A VM that cannot reach the state directly (a halted VM cannot be suspended) is
    skipped, with the reason.
  - Clean shutdowns and reboots are used; with O(force) they fall back to hard ones when the guest refuses or does
    not finish within O(shutdown_timeout).
  - O(max_targets) caps how many VMs may get a power operation; over it, none does.
  - Every VM gets an outcome; when some fail, the others still proceed and the task fails at the end naming the
    failed ones.
author:
  - opencitrix maintainers (@opencitrix)
requirements:
  - XenAPI
options:
  state:
    description:
      - V(running) starts halted VMs, resumes suspended ones and unpauses paused ones.
      - V(halted) shuts VMs down (cleanly unless O(force) allows a hard shutdown).
      - V(suspended) suspends running VMs; V(paused) pauses them.
      - V(restarted) reboots running VMs and starts halted ones; it always acts.
    type: str
    required: true
    choices: [running, halted, suspended, paused, restarted]
  names:
    description: Names or UUIDs of VMs; each must name exactly one VM (one that does not fails, the others proceed).
    type: list
    elements: str
    aliases: [vms]
  tags:
    description: Choose the VMs that have all of these tags.
    type: list
    elements: str
  host:
    description: Choose the VMs running on this host (name, UUID or address).
    type: str
  power_states:
    description: Act only on the chosen VMs that are in one of these power states now.
    type: list
    elements: str
    choices: [running, halted, suspended, paused]
  force:
    description:
      - Fall back to a hard shutdown or reboot when a clean one fails (for example without guest agent) or does
        not finish within O(shutdown_timeout).
    type: bool
    default: false
  concurrency:
    description: How many VMs change power state at the same time (at most 50).
    type: int
    default: 10
  shutdown_timeout:
    description: Seconds to wait for each clean shutdown or reboot.
    type: int
    default: 120
  timeout:
    description: Seconds to wait for all VMs; VMs not done by then are reported as failed.
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
    details: Reads the VMs and returns the exact list it would act on, with the steps; starts no power operation.
  diff_mode:
    support: full
    details: The power state of each VM acted on, before and after.
'''

EXAMPLES = r'''
- name: Restart the web servers, ten at a time
  opencitrix.automation.xenserver_vm_power:
    tags: [web]
    state: restarted
    concurrency: 10

- name: Start every halted VM of the pool
  opencitrix.automation.xenserver_vm_power:
    all_targets: true
    power_states: [halted]
    state: running

- name: Shut down the VMs of a host before maintenance, hard after two minutes, never more than 40
  opencitrix.automation.xenserver_vm_power:
    host: xs-host-02
    state: halted
    force: true
    max_targets: 40

- name: Suspend two VMs
  opencitrix.automation.xenserver_vm_power:
    names: [batch-0004, 0b3c2a47-8f5b-4a8e-9b0e-5b1a1c9d2e77]
    state: suspended
'''

RETURN = r'''
vms:
  description: One entry per VM chosen (names in the order given, otherwise by name).
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: Name of the VM (or the label given, when it named no single VM).
      type: str
    uuid:
      description: UUID of the VM.
      type: str
    host:
      description: Host the VM ran on when the task read it.
      type: str
    power_state_before:
      description: Power state when the task read it.
      type: str
    power_state_after:
      description: Power state after the task (null when its operation failed).
      type: str
    actions:
      description: The power operations run (or, in check mode, that would run), in order.
      type: list
      elements: str
    outcome:
      description: V(changed), V(unchanged), V(skipped) or V(failed).
      type: str
    reason:
      description: Why the VM was skipped or what failed.
      type: str
  sample:
    - {name: web-0001, uuid: 0b3c2a47-8f5b-4a8e-9b0e-5b1a1c9d2e77, host: xs-host-02, power_state_before: running,
       power_state_after: running, actions: [reboot], outcome: changed, reason: null}
failed_vms:
  description: Names of the VMs whose power operation failed.
  returned: always
  type: list
  elements: str
  sample: []
counts:
  description: How many VMs had each outcome.
  returned: always
  type: dict
  sample: {changed: 100, unchanged: 0, skipped: 0, failed: 0}
'''

from ansible_collections.opencitrix.automation.plugins.module_utils.targets import check_targets, fleet_argument_spec
from ansible_collections.opencitrix.automation.plugins.module_utils.xenserver.module import (
    xenserver_module, xenserver_session,
)
from ansible_collections.opencitrix.automation.plugins.module_utils.xenserver.power import DEFAULT_CONCURRENCY, PowerFleet

TARGETS = ('names', 'tags', 'host')


def argument_spec():
    spec = dict(
        state=dict(type='str', required=True, choices=['running', 'halted', 'suspended', 'paused', 'restarted']),
        names=dict(type='list', elements='str', aliases=['vms']),
        tags=dict(type='list', elements='str'),
        host=dict(type='str'),
        power_states=dict(type='list', elements='str', choices=['running', 'halted', 'suspended', 'paused']),
        force=dict(type='bool', default=False),
        concurrency=dict(type='int', default=DEFAULT_CONCURRENCY),
        shutdown_timeout=dict(type='int', default=120),
        timeout=dict(type='int', default=1800),
    )
    spec.update(fleet_argument_spec())
    return spec


def main():
    module = xenserver_module(argument_spec())
    params = module.params
    with module.handle_errors():
        check_targets(params, TARGETS, noun='VM', scope='pool')
        with xenserver_session(module) as session:
            power = PowerFleet(session, params['state'], concurrency=params['concurrency'], timeout=params['timeout'],
                               shutdown_timeout=params['shutdown_timeout'], force=params['force'],
                               check_mode=module.check_mode, log=module.debug_log, max_targets=params['max_targets'])
            fleet, jobs = power.select(names=params['names'], tags=params['tags'], host=params['host'],
                                       power_states=params['power_states'], all_targets=params['all_targets'])
            power.run(fleet, jobs)
    module.exit_fleet(fleet, 'vms', failed_vms=[item['name'] for item in fleet.failed],
                      diff=fleet.diff('power_state', 'power_state_before', 'power_state_after'))


if __name__ == '__main__':
    main()
