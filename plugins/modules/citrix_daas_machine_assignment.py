#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: citrix_daas_machine_assignment
short_description: Assign users to Citrix DaaS personal desktops, or unassign them
version_added: 0.1.0
description:
  - Sets the users assigned to personal (static) desktops of a Citrix DaaS site, or of an on-premises site (see
    O(ddc_url)) - C(AssignedUsers) of C(PATCH /Machines/{id}). Either each machine of O(assignments) with its own users,
    or the same O(users) for every machine the target options choose.
  - O(state=present) adds the users, O(state=absent) removes them, O(state=exact) makes them the machine's only
    assigned users. A user given as C(DOMAIN\\user), user principal name or SID matches the assigned user with that
    name, UPN or SID.
  - Idempotent - a machine whose users are already as asked is left alone; a second run changes nothing.
  - A machine of a pooled (random) catalog cannot have assigned users - asking it for some fails that machine, before
    any request for it. Acting on every machine of the site takes O(all_targets=true); an empty target fails the task
    before any request. O(max_targets) caps how many machines may change; over it, none does.
author:
  - opencitrix maintainers (@opencitrix)
requirements:
  - requests
options:
  assignments:
    description:
      - Machines with the users each should have. Cannot be combined with O(name), O(names), O(machine_ids) or O(users);
        O(catalog), O(delivery_group) and O(tag) narrow where the machines are looked up.
    type: list
    elements: dict
    suboptions:
      machine:
        description: Machine name (C(DOMAIN\\NAME), or C(NAME) when unique) or ID.
        type: str
        required: true
      users:
        description: Users, as C(DOMAIN\\user), user principal name or SID.
        type: list
        elements: str
        required: true
  users:
    description: Users for every machine the target options choose (C(DOMAIN\\user), user principal name or SID).
    type: list
    elements: str
  state:
    description: V(present) adds the users, V(absent) removes them, V(exact) makes them the only assigned users.
    type: str
    choices: [present, absent, exact]
    default: present
  concurrency:
    description:
      - Update requests in flight at once when they are sent one per machine (O(batch=false), or a site without
        C($batch); at most 32).
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
    details: Reads the machines and reports which assignments would change; sends no update.
  diff_mode:
    support: full
    details: Shows the assigned users of each machine that changes, before and after.
'''

EXAMPLES = r'''
- name: Personal desktops for two users
  opencitrix.automation.citrix_daas_machine_assignment:
    catalog: Finance-Static
    assignments:
      - machine: CORP\FIN-0042
        users: [CORP\alice]
      - machine: CORP\FIN-0043
        users: [bob@corp.example.com]
    state: exact

- name: A leaver loses every personal desktop of the site
  opencitrix.automation.citrix_daas_machine_assignment:
    all_targets: true
    users: [CORP\carol]
    state: absent
    max_targets: 5
'''

RETURN = r'''
machines:
  description: One entry per machine concerned, in the order of O(assignments) or of the listing.
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
    allocation_type:
      description: V(Static) or V(Random) (the machine's catalog).
      type: str
    users_before:
      description: Assigned users when the task read the machine (C(DOMAIN\\user)).
      type: list
      elements: str
    users:
      description: Assigned users after the task (in check mode, what they would be); users added as given.
      type: list
      elements: str
    outcome:
      description: V(changed), V(unchanged) or V(failed).
      type: str
    reason:
      description: What failed, or null.
      type: str
    transaction_id:
      description:
        - The C(Citrix-TransactionId) the server answered the assignment change with, by which Citrix support can trace
          it; null when no request was sent for this machine.
      type: str
  sample:
    - name: CORP\FIN-0042
      id: 0c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f
      allocation_type: Static
      users_before: [CORP\dave]
      users: [CORP\alice]
      outcome: changed
      reason: null
      transaction_id: 5d3c1a7e-0f42-4b8e-9a61-2c7d9e0b4f13
counts:
  description: How many machines had each outcome.
  returned: always
  type: dict
  sample: {changed: 2, unchanged: 0, skipped: 0, failed: 0}
'''

from ansible_collections.opencitrix.automation.plugins.module_utils import errors
from ansible_collections.opencitrix.automation.plugins.module_utils.daas.argspec import (
    TARGET_OPTIONS, daas_argument_spec, fleet_write_argument_spec, machine_target_argument_spec, machine_targets,
    site_activation,
)
from ansible_collections.opencitrix.automation.plugins.module_utils.daas.assignments import (
    ASSIGNMENT_FIELDS, ASSIGNMENT_STATES, apply_assignments,
)
from ansible_collections.opencitrix.automation.plugins.module_utils.daas.batch import batch_options
from ansible_collections.opencitrix.automation.plugins.module_utils.daas.client import DaasClient
from ansible_collections.opencitrix.automation.plugins.module_utils.daas.machines import Machines
from ansible_collections.opencitrix.automation.plugins.module_utils.module import CitrixModule
from ansible_collections.opencitrix.automation.plugins.module_utils.targets import check_targets

NAMED = ('name', 'names', 'machine_ids')


def argument_spec():
    return fleet_write_argument_spec(
        machine_target_argument_spec(),
        assignments=dict(type='list', elements='dict', options=dict(
            machine=dict(type='str', required=True), users=dict(type='list', elements='str', required=True))),
        users=dict(type='list', elements='str'),
        state=dict(type='str', choices=list(ASSIGNMENT_STATES), default='present'),
    )


def wanted(params):
    """``(machine targets, [(machine key, users)] or None)``, after the checks the options alone allow."""
    listed = params['assignments']
    named = dict(params, assignments=None if listed is None else [a['machine'] for a in listed])
    check_targets(named, ('assignments',) + TARGET_OPTIONS)
    if listed is None:
        if params['users'] is None:
            raise errors.InputError('users is required with the target options', hint='or give assignments')
        return machine_targets(params), None
    targets = dict(machine_targets(params), names=[a['machine'] for a in listed])
    return targets, [(a['machine'], a['users']) for a in listed]


def main():
    module = CitrixModule(argument_spec(), connection_spec=daas_argument_spec(),
                          mutually_exclusive=[('assignments', option) for option in NAMED + ('users',)])
    params = module.params
    with module.handle_errors():
        targets, pairs = wanted(params)
        sending = batch_options(params)
        client = DaasClient.from_params(params, redactor=module.redactor, log=module.debug_log,
                                        activate_site=site_activation(params, module.check_mode))
        machines = Machines(client).find(fields=ASSIGNMENT_FIELDS, concurrency=params['concurrency'],
                                         all_targets=params['all_targets'], **targets)
        pairs = pairs or [(m.get('Id'), params['users']) for m in machines]
        fleet = apply_assignments(client, machines, pairs, params['state'], module.check_mode, params['max_targets'],
                                  params['concurrency'], **sending)
    module.exit_fleet(fleet, 'machines', diff=fleet.diff('users', 'users_before', 'users'))


if __name__ == '__main__':
    main()
