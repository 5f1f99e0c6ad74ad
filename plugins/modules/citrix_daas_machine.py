#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: citrix_daas_machine
short_description: Turn maintenance mode on or off for Citrix DaaS machines
version_added: 0.1.0
description:
  - Sets maintenance mode (C(PATCH /Machines/{id}) with C(InMaintenanceMode)) on machines of a Citrix DaaS
    site, or of an on-premises site (see O(ddc_url)), chosen by name, ID, catalog and/or delivery group. Acting on
    the whole site takes O(all_targets=true); an empty target option fails the task before any request.
  - The changes go through C($batch), hundreds in one request (see O(batch)), so the number of requests grows with
    the number of batches, not of machines.
  - O(max_targets) caps how many machines may change; over it, none changes.
  - A machine in maintenance mode accepts no new sessions; sessions already there go on.
  - Only machines whose setting differs are changed; a second run changes nothing.
  - Every change is sent before failures are reported; if any machine failed, the task fails after the
    others completed, naming the machines and the API's errors.
author:
  - opencitrix maintainers (@opencitrix)
requirements:
  - requests
options:
  maintenance_mode:
    description: Whether the machines should be in maintenance mode.
    type: bool
    required: true
  concurrency:
    description:
      - Update requests in flight at once (at most 32) when they are sent one per machine (O(batch=false), or a
        site without C($batch)).
    type: int
    default: 25
extends_documentation_fragment:
  - opencitrix.automation.daas
  - opencitrix.automation.daas.MACHINE_TARGETS
  - opencitrix.automation.daas.BATCH
  - opencitrix.automation.fleet
  - opencitrix.automation.citrix_cloud
  - opencitrix.automation.transport
  - opencitrix.automation.attributes
  - opencitrix.automation.attributes.daas
attributes:
  check_mode:
    support: full
    details: Reads the machines and reports which would change; sends no update.
  diff_mode:
    support: full
    details: Shows the maintenance mode of each machine that changes, before and after.
'''

EXAMPLES = r'''
- name: Drain a machine before patching it
  opencitrix.automation.citrix_daas_machine:
    name: CORP\W11-0001
    maintenance_mode: true

- name: Take a whole delivery group out of maintenance mode
  opencitrix.automation.citrix_daas_machine:
    delivery_group: Finance Desktops
    maintenance_mode: false

- name: Drain the machines of a list, refusing if more than 10 would change
  opencitrix.automation.citrix_daas_machine:
    names: "{{ machines_to_patch }}"
    maintenance_mode: true
    max_targets: 10

- name: Take every machine of the site out of maintenance mode
  opencitrix.automation.citrix_daas_machine:
    all_targets: true
    maintenance_mode: false
'''

RETURN = r'''
machines:
  description: One entry per machine targeted, in API order.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: Machine name (C(DOMAIN\\NAME)).
      type: str
    id:
      description: Machine ID.
      type: str
    in_maintenance_mode_before:
      description: Maintenance mode when the task read the machine.
      type: bool
    in_maintenance_mode:
      description: Maintenance mode after the task (in check mode, what it would be).
      type: bool
    outcome:
      description: V(changed), V(unchanged) or V(failed).
      type: str
    reason:
      description: What failed (the API's error), or null.
      type: str
    transaction_id:
      description:
        - The C(Citrix-TransactionId) the server answered the maintenance mode change with, by which Citrix support can trace
          it; null when no request was sent for this machine.
      type: str
  sample:
    - name: CORP\W11-0001
      id: 9f4b5c7e-2d1a-4a8e-9c3b-6f0e1d2a3b4c
      in_maintenance_mode_before: false
      in_maintenance_mode: true
      outcome: changed
      reason: null
      transaction_id: 5d3c1a7e-0f42-4b8e-9a61-2c7d9e0b4f13
counts:
  description: How many machines had each outcome.
  returned: always
  type: dict
  sample: {changed: 1, unchanged: 0, skipped: 0, failed: 0}
'''

from ansible_collections.opencitrix.automation.plugins.module_utils.daas.argspec import (
    TARGET_OPTIONS, batch_argument_spec, daas_argument_spec, machine_target_argument_spec, machine_targets,
)
from ansible_collections.opencitrix.automation.plugins.module_utils.daas.batch import batch_options
from ansible_collections.opencitrix.automation.plugins.module_utils.daas.client import DEFAULT_CONCURRENCY, DaasClient
from ansible_collections.opencitrix.automation.plugins.module_utils.daas.machines import Machines
from ansible_collections.opencitrix.automation.plugins.module_utils.module import CitrixModule
from ansible_collections.opencitrix.automation.plugins.module_utils.targets import check_targets, fleet_argument_spec


def argument_spec():
    spec = dict(
        maintenance_mode=dict(type='bool', required=True),
        concurrency=dict(type='int', default=DEFAULT_CONCURRENCY),
    )
    spec.update(machine_target_argument_spec())
    spec.update(batch_argument_spec())
    spec.update(fleet_argument_spec())
    return spec


def main():
    module = CitrixModule(argument_spec(), connection_spec=daas_argument_spec())
    params = module.params
    with module.handle_errors():
        check_targets(params, TARGET_OPTIONS)
        sending = batch_options(params)
        client = DaasClient.from_params(params, redactor=module.redactor, log=module.debug_log)
        machines = Machines(client)
        found = machines.find(concurrency=params['concurrency'], all_targets=params['all_targets'],
                              **machine_targets(params))
        fleet = machines.apply_maintenance_mode(found, params['maintenance_mode'], concurrency=params['concurrency'],
                                                check_mode=module.check_mode, max_targets=params['max_targets'],
                                                **sending)
    module.exit_fleet(fleet, 'machines',
                      diff=fleet.diff('in_maintenance_mode', 'in_maintenance_mode_before', 'in_maintenance_mode'))


if __name__ == '__main__':
    main()
