#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: citrix_daas_delivery_group_machine
short_description: Put machines into a Citrix DaaS delivery group, or take them out
version_added: 0.1.0
description:
  - With O(state=present), puts machines of a catalog into a delivery group of a Citrix DaaS site (or of an on-premises
    site, see O(ddc_url)), as C(DoAddMachines) allows - a number of the catalog's machines (O(count)), or named
    machines, each with the users it is assigned to (O(machines)). Whatever their number, the machines go in with one
    C(POST /DeliveryGroups/{group}/Machines).
  - O(count) is a minimum - the group should hold at least that many machines of O(catalog); only the missing number is
    added, taken by the site from the catalog's machines that are in no delivery group. When the catalog has too few
    of them, the task fails before anything is changed.
  - With O(state=absent), takes the machines named in O(names) (or, with O(all_targets=true), every machine) out of the
    delivery group, one C(DELETE /DeliveryGroups/{group}/Machines/{machine}) each, hundreds of them in one C($batch)
    request (see O(batch)). A name that is not in the group changes nothing.
  - Idempotent - a second run changes nothing. O(max_targets) caps how many machines may change; over it, none does.
  - User assignments of machines already in the group are left alone; change them with
    M(opencitrix.automation.citrix_daas_machine_assignment).
author:
  - opencitrix maintainers (@opencitrix)
requirements:
  - requests
options:
  delivery_group:
    description: Delivery group (name or ID).
    type: str
    required: true
  state:
    description: V(present) puts machines into the group; V(absent) takes them out.
    type: str
    choices: [present, absent]
    default: present
  catalog:
    description: Catalog (name or ID) the machines come from. Required with O(state=present).
    type: str
  count:
    description:
      - With O(state=present), the number of machines of O(catalog) the group should hold at least.
      - Must be 1 or more.
    type: int
  machines:
    description:
      - With O(state=present), machines of O(catalog) to put into the group, each with the users to assign it to (for
        personal desktops of a static catalog).
      - A machine that is in another delivery group fails, and nothing is sent for it.
    type: list
    elements: dict
    suboptions:
      name:
        description: Machine name (C(DOMAIN\\NAME), or C(NAME) when unique) or ID.
        type: str
        required: true
      users:
        description: Users to assign the machine to, as C(DOMAIN\\user), user principal name or SID.
        type: list
        elements: str
        default: []
  names:
    description: With O(state=absent), machines to take out of the group (C(DOMAIN\\NAME), C(NAME) or ID).
    type: list
    elements: str
  concurrency:
    description:
      - Requests in flight at once when taking machines out one request per machine (O(batch=false), or a site without
        C($batch); at most 32).
    type: int
    default: 25
extends_documentation_fragment:
  - opencitrix.automation.daas
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
    details: Reads the group and the catalog, and reports the machines that would go in or out; sends no change.
  diff_mode:
    support: full
    details: Shows the delivery group of each machine that changes, before and after.
notes:
  - O(all_targets) applies to O(state=absent) only - it takes every machine out of the group.
'''

EXAMPLES = r'''
- name: The pooled group holds at least 50 machines of its catalog
  opencitrix.automation.citrix_daas_delivery_group_machine:
    delivery_group: Win11 Desktops
    catalog: Win11-Pooled
    count: 50

- name: Personal desktops for two new starters
  opencitrix.automation.citrix_daas_delivery_group_machine:
    delivery_group: Finance Desktops
    catalog: Finance-Static
    machines:
      - name: CORP\FIN-0042
        users: [CORP\alice]
      - name: CORP\FIN-0043
        users: [bob@corp.example.com]

- name: Take two machines out for repair, refusing if more than 2 would change
  opencitrix.automation.citrix_daas_delivery_group_machine:
    delivery_group: Win11 Desktops
    state: absent
    names: [CORP\W11-0007, CORP\W11-0019]
    max_targets: 2
'''

RETURN = r'''
machines:
  description: One entry per machine concerned, in the order of the group and catalog listings (of the request for
    O(machines) and O(names)). With O(count), the machines of O(catalog) in the group, those added last; in check mode,
    the machines the catalog listing offers first (the site chooses the machines it adds).
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: Machine name (C(DOMAIN\\NAME)), or the name given when it is not in the group.
      type: str
    id:
      description: Machine ID.
      type: str
    catalog:
      description: Catalog of the machine.
      type: str
    delivery_group_before:
      description: Delivery group of the machine when the task read it (null - in none).
      type: str
    delivery_group:
      description: Delivery group of the machine after the task (in check mode, what it would be).
      type: str
    users:
      description: Users the machine was assigned to on the way in (O(machines)).
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
        - The C(Citrix-TransactionId) the server answered the request that changed it with, by which Citrix support can trace
          it; null when no request was sent for this machine.
      type: str
  sample:
    - name: CORP\FIN-0042
      id: 0c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f
      catalog: Finance-Static
      delivery_group_before: null
      delivery_group: Finance Desktops
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
    daas_argument_spec, fleet_write_argument_spec, site_activation,
)
from ansible_collections.opencitrix.automation.plugins.module_utils.daas.batch import batch_options
from ansible_collections.opencitrix.automation.plugins.module_utils.daas.client import DaasClient
from ansible_collections.opencitrix.automation.plugins.module_utils.daas.delivery_groups import DeliveryGroups
from ansible_collections.opencitrix.automation.plugins.module_utils.module import CitrixModule
from ansible_collections.opencitrix.automation.plugins.module_utils.targets import check_targets


def argument_spec():
    return fleet_write_argument_spec(
        delivery_group=dict(type='str', required=True),
        state=dict(type='str', choices=['present', 'absent'], default='present'),
        catalog=dict(type='str'),
        count=dict(type='int'),
        machines=dict(type='list', elements='dict', options=dict(
            name=dict(type='str', required=True), users=dict(type='list', elements='str', default=[]))),
        names=dict(type='list', elements='str'),
    )


def check_input(params):
    """What the options alone say is wrong, before any request."""
    present = params['state'] == 'present'
    wrong = [o for o in (('names',) if present else ('count', 'machines')) if params[o] is not None]
    if wrong:
        raise errors.InputError('%s does not apply to state: %s' % (', '.join(wrong), params['state']),
                                hint='count and machines put machines in (present); names take them out (absent)')
    for option in ('delivery_group', 'catalog'):
        if params[option] is not None and not params[option].strip():
            raise errors.InputError('%s is empty' % option)
    named = None if params['machines'] is None else [m['name'] for m in params['machines']]
    check_targets(dict(params, machines=named),
                  ('count', 'machines') if present else ('names',))
    if present:
        if params['all_targets']:
            raise errors.InputError('all_targets applies to state: absent only', hint='set count or machines')
        if not params['catalog']:
            raise errors.InputError('catalog is required with state: present')
        if params['count'] is not None and params['count'] < 1:
            raise errors.InputError('count must be at least 1, got %s' % params['count'])


def main():
    module = CitrixModule(argument_spec(), connection_spec=daas_argument_spec(),
                          mutually_exclusive=[('count', 'machines'), ('count', 'names'), ('machines', 'names')])
    params = module.params
    with module.handle_errors():
        check_input(params)
        sending = batch_options(params)
        client = DaasClient.from_params(params, redactor=module.redactor, log=module.debug_log,
                                        activate_site=site_activation(params, module.check_mode))
        groups, group, check = DeliveryGroups(client), params['delivery_group'], module.check_mode
        if params['state'] == 'absent':
            fleet = groups.ensure_absent(group, params['names'], params['all_targets'], check, params['max_targets'],
                                         params['concurrency'], **sending)
        elif params['count']:
            fleet = groups.ensure_count(group, params['catalog'], params['count'], check, params['max_targets'])
        else:
            fleet = groups.ensure_machines(group, params['catalog'], [(m['name'], m['users']) for m in params['machines']],
                                           check, params['max_targets'])
    module.exit_fleet(fleet, 'machines', diff=fleet.diff('delivery_group', 'delivery_group_before', 'delivery_group'))


if __name__ == '__main__':
    main()
