#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: citrix_daas_machine_info
short_description: List Citrix DaaS machines with their power, registration, session and maintenance state
version_added: 0.1.0
description:
  - Reads the machines of a Citrix DaaS site, or of an on-premises site (see O(ddc_url)) - all of them, or
    those chosen by name, ID, catalog, delivery group and/or tag - and narrows them with the filters.
  - Every machine is listed when no name, ID, catalog, delivery group or tag is given. A name, catalog, group or tag given
    empty (V("") or an empty entry in a list) fails the task instead.
  - Listings ask for pages of 1000 machines and only the properties this module returns, so a site of
    10000 machines takes ten requests.
author:
  - opencitrix maintainers (@opencitrix)
requirements:
  - requests
extends_documentation_fragment:
  - opencitrix.automation.daas
  - opencitrix.automation.daas.MACHINE_TARGETS
  - opencitrix.automation.daas.MACHINE_FILTERS
  - opencitrix.automation.citrix_cloud
  - opencitrix.automation.transport
  - opencitrix.automation.attributes
  - opencitrix.automation.attributes.info_module
  - opencitrix.automation.attributes.daas
'''

EXAMPLES = r'''
- name: Idle, registered machines of a catalog
  opencitrix.automation.citrix_daas_machine_info:
    catalog: Win11-Pooled
    only_idle: true
    registration_state: Registered
  register: idle

- name: Names of the machines that are off
  ansible.builtin.debug:
    msg: "{{ idle.machines | selectattr('power_state', 'equalto', 'Off') | map(attribute='name') | list }}"
'''

RETURN = r'''
machines:
  description: The machines, in API order.
  returned: success
  type: list
  elements: dict
  contains:
    id:
      description: Machine ID.
      type: str
    name:
      description: Machine name (C(DOMAIN\\NAME)).
      type: str
    dns_name:
      description: DNS name.
      type: str
    ip_address:
      description: IP address, when the machine reports one.
      type: str
    catalog:
      description: Machine catalog name.
      type: str
    catalog_id:
      description: Machine catalog ID.
      type: str
    delivery_group:
      description: Delivery group name, or null.
      type: str
    delivery_group_id:
      description: Delivery group ID, or null.
      type: str
    zone:
      description: Zone name.
      type: str
    power_state:
      description: Power state (for example V(On), V(Off), V(Suspended), V(TurningOn), V(Unmanaged)).
      type: str
    power_action_pending:
      description: Whether a power action is pending (null for machines that are not power managed).
      type: bool
    supported_power_actions:
      description: Power actions the machine supports (for example V(PowerOn), V(Shutdown), V(Restart)).
      type: list
      elements: str
    session_count:
      description: Number of sessions.
      type: int
    in_maintenance_mode:
      description: Whether the machine is in maintenance mode.
      type: bool
    registration_state:
      description: Registration state (for example V(Registered), V(Unregistered)).
      type: str
    summary_state:
      description: Summary state (for example V(Available), V(InUse), V(Off)).
      type: str
    session_support:
      description: V(SingleSession) or V(MultiSession).
      type: str
    os_type:
      description: Operating system.
      type: str
    machine_type:
      description: V(Virtual) or V(Physical).
      type: str
    allocation_type:
      description: V(Static) or V(Random).
      type: str
    tags:
      description: Names of the machine's tags, sorted.
      type: list
      elements: str
  sample:
    - id: 9f4b5c7e-2d1a-4a8e-9c3b-6f0e1d2a3b4c
      name: CORP\W11-0001
      dns_name: w11-0001.corp.example.com
      ip_address: 10.0.0.17
      catalog: Win11-Pooled
      catalog_id: 2a9d7a0e-53b1-4bd6-a4c4-0ce0b3f0c9aa
      delivery_group: Win11 Desktops
      delivery_group_id: 5c796610-cb80-40ae-8378-5cbd5cefbd89
      zone: EastUS
      power_state: 'On'
      power_action_pending: false
      supported_power_actions: [PowerOn, PowerOff, Shutdown, Restart, Reset]
      session_count: 0
      in_maintenance_mode: false
      registration_state: Registered
      summary_state: Available
      session_support: SingleSession
      os_type: Windows 11
      machine_type: Virtual
      allocation_type: Random
      tags: [Pilot]
counts:
  description: Machines found, and how many the filters left out.
  returned: success
  type: dict
  sample: {found: 1000, filtered_out: 300, returned: 700}
'''

from ansible_collections.opencitrix.automation.plugins.module_utils.daas.argspec import (
    daas_argument_spec, machine_filter_argument_spec, machine_filters, machine_target_argument_spec, machine_targets,
)
from ansible_collections.opencitrix.automation.plugins.module_utils.daas.client import DaasClient
from ansible_collections.opencitrix.automation.plugins.module_utils.daas.machines import (
    Machines, filter_machines, machine_facts,
)
from ansible_collections.opencitrix.automation.plugins.module_utils.module import CitrixModule


def main():
    spec = machine_target_argument_spec()
    spec.update(machine_filter_argument_spec())
    module = CitrixModule(argument_spec=spec, connection_spec=daas_argument_spec())
    with module.handle_errors():
        client = DaasClient.from_params(module.params, redactor=module.redactor, log=module.debug_log)
        machines = Machines(client).find(all_targets=True, **machine_targets(module.params))
        kept, left_out = filter_machines(machines, **machine_filters(module.params))
    module.exit_json(changed=False, machines=[machine_facts(m) for m in kept],
                     counts=dict(found=len(machines), filtered_out=len(left_out), returned=len(kept)))


if __name__ == '__main__':
    main()
