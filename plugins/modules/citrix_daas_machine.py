#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: citrix_daas_machine
short_description: Turn maintenance mode on or off and manage tags of Citrix DaaS machines
version_added: 0.1.0
description:
  - Sets maintenance mode (C(PATCH /Machines/{id}) with C(InMaintenanceMode)) and/or tags (C(PUT /Machines/{id}/Tags))
    on machines of a Citrix DaaS site, or of an on-premises site (see O(ddc_url)), chosen by name, ID, catalog, delivery
    group and/or tag. Acting on the whole site takes O(all_targets=true); an empty target option fails the task before
    any request.
  - At least one of O(maintenance_mode) and O(tags) is required.
  - The changes go through C($batch), hundreds in one request (see O(batch)), so the number of requests grows with
    the number of batches, not of machines.
  - O(max_targets) caps how many machines may change; over it, none changes.
  - A machine in maintenance mode accepts no new sessions; sessions already there go on.
  - Tags the site does not have yet are created first, once each (C(POST /Tags)). Tags change before maintenance mode is
    turned on and after it is turned off, so a machine never shows maintenance mode without the tags that came with it
    (a play that marks the machines it drains can tell them from machines someone else put in maintenance mode).
  - Only machines whose settings differ are changed; a second run changes nothing.
  - Every change is sent before failures are reported; if any machine failed, the task fails after the
    others completed, naming the machines and the API's errors.
author:
  - opencitrix maintainers (@opencitrix)
requirements:
  - requests
options:
  maintenance_mode:
    description: Whether the machines should be in maintenance mode. Not set - left as it is.
    type: bool
  tags:
    description:
      - Tag names for the machines, applied as O(tags_state) says. Not set - tags are left as they are.
      - Names compare case-insensitively.
    type: list
    elements: str
  tags_state:
    description:
      - V(present) adds O(tags) to the machines' tags, V(absent) removes them, V(exact) makes them the machines' only
        tags (V(exact) with an empty list removes every tag).
    type: str
    choices: [present, absent, exact]
    default: present
  concurrency:
    description:
      - Update requests in flight at once (at most 32) when they are sent one per machine (O(batch=false), or a
        site without C($batch)).
    type: int
    default: 25
extends_documentation_fragment:
  - opencitrix.automation.daas
  - opencitrix.automation.daas.MACHINE_TARGETS
  - opencitrix.automation.daas.SITE_ACTIVATION
  - opencitrix.automation.daas.BATCH
  - opencitrix.automation.fleet
  - opencitrix.automation.citrix_cloud
  - opencitrix.automation.transport
  - opencitrix.automation.attributes
  - opencitrix.automation.attributes.daas
attributes:
  check_mode:
    support: full
    details: Reads the machines and reports which would change (and which tags would be created); sends no update.
  diff_mode:
    support: full
    details: Shows the maintenance mode and the tags asked for of each machine that changes, before and after.
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

- name: Tag the pilot machines of a catalog (their other tags stay)
  opencitrix.automation.citrix_daas_machine:
    catalog: Win11-Pooled
    names: [CORP\W11-0001, CORP\W11-0002]
    tags: [Pilot]

- name: Drain and mark the machines with the tag Patch-Ring1
  opencitrix.automation.citrix_daas_machine:
    tag: Patch-Ring1
    maintenance_mode: true
    tags: [Draining]
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
    tags_before:
      description: Tag names of the machine when the task read it.
      type: list
      elements: str
    tags:
      description: Tag names after the task (in check mode, what they would be).
      type: list
      elements: str
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
      tags_before: []
      tags: [Draining]
      outcome: changed
      reason: null
      transaction_id: 5d3c1a7e-0f42-4b8e-9a61-2c7d9e0b4f13
counts:
  description: How many machines had each outcome.
  returned: always
  type: dict
  sample: {changed: 1, unchanged: 0, skipped: 0, failed: 0}
tags_created:
  description: Tags the site did not have and the task created (in check mode, would create).
  returned: always
  type: list
  elements: str
  sample: [Draining]
'''

from ansible_collections.opencitrix.automation.plugins.module_utils.daas.argspec import (
    TARGET_OPTIONS, daas_argument_spec, fleet_write_argument_spec, machine_target_argument_spec, machine_targets,
    site_activation,
)
from ansible_collections.opencitrix.automation.plugins.module_utils.daas.batch import batch_options
from ansible_collections.opencitrix.automation.plugins.module_utils.daas.client import DaasClient
from ansible_collections.opencitrix.automation.plugins.module_utils.daas.machines import Machines, settings_diff
from ansible_collections.opencitrix.automation.plugins.module_utils.daas.tags import TAG_STATES
from ansible_collections.opencitrix.automation.plugins.module_utils.module import CitrixModule
from ansible_collections.opencitrix.automation.plugins.module_utils.targets import check_targets


def argument_spec():
    return fleet_write_argument_spec(
        machine_target_argument_spec(),
        maintenance_mode=dict(type='bool'),
        tags=dict(type='list', elements='str'),
        tags_state=dict(type='str', choices=list(TAG_STATES), default='present'),
    )


def main():
    module = CitrixModule(argument_spec(), connection_spec=daas_argument_spec(),
                          required_one_of=[('maintenance_mode', 'tags')])
    params = module.params
    with module.handle_errors():
        check_targets(params, TARGET_OPTIONS)
        sending = batch_options(params)
        client = DaasClient.from_params(params, redactor=module.redactor, log=module.debug_log,
                                        activate_site=site_activation(params, module.check_mode))
        machines = Machines(client)
        found = machines.find(concurrency=params['concurrency'], all_targets=params['all_targets'],
                              **machine_targets(params))
        fleet = machines.apply_settings(found, params['maintenance_mode'], params['tags'], params['tags_state'],
                                        concurrency=params['concurrency'], check_mode=module.check_mode,
                                        max_targets=params['max_targets'], **sending)
    module.exit_fleet(fleet, 'machines', tags_created=fleet.tags_created,
                      diff=settings_diff(fleet, params['maintenance_mode'] is not None, params['tags'] is not None))


if __name__ == '__main__':
    main()
