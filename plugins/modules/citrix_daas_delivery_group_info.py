#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: citrix_daas_delivery_group_info
short_description: List Citrix DaaS delivery groups with their machine and session counts, allocation and tags
version_added: 0.1.0
description:
  - Reads the delivery groups of a Citrix DaaS site, or of an on-premises site (see O(ddc_url)), with their machine and
    session counts, session support, allocation (private or shared desktops) and tags; optionally only those named in
    O(name) or carrying a tag of O(tag).
  - Requests - one per 1000 groups, C(GET /Tags) once, and one C(GET /Tags/{tag}/DeliveryGroups) per tag the site uses
    on delivery groups. With O(include_catalogs), one more request per group for its catalogs and their provisioning
    type.
  - A hibernated site (HTTP 530) fails the task with one line saying how to wake it; this module never activates a
    site.
author:
  - opencitrix maintainers (@opencitrix)
requirements:
  - requests
options:
  name:
    description: Only these delivery groups, by name or ID (case-insensitive). A name that matches nothing is left out.
    type: list
    elements: str
  tag:
    description: Only delivery groups that carry at least one of these tags (names, case-insensitive).
    type: list
    elements: str
  include_catalogs:
    description:
      - Also read the machine catalogs each group takes machines from (C(GET /DeliveryGroups/{group}/MachineCatalogs),
        one request per group) and return them in RV(delivery_groups[].catalogs) with their allocation and
        provisioning types.
    type: bool
    default: false
extends_documentation_fragment:
  - opencitrix.automation.daas
  - opencitrix.automation.citrix_cloud
  - opencitrix.automation.transport
  - opencitrix.automation.attributes
  - opencitrix.automation.attributes.info_module
  - opencitrix.automation.attributes.daas
'''

EXAMPLES = r'''
- name: Delivery groups with their catalogs
  opencitrix.automation.citrix_daas_delivery_group_info:
    include_catalogs: true
  register: groups

- name: Groups where no desktop is available
  ansible.builtin.debug:
    msg: "{{ groups.delivery_groups | selectattr('available_count', 'equalto', 0) | map(attribute='name') | list }}"
'''

RETURN = r'''
delivery_groups:
  description: The delivery groups, in API order.
  returned: success
  type: list
  elements: dict
  contains:
    id:
      description: Delivery group ID.
      type: str
    name:
      description: Delivery group name.
      type: str
    description:
      description: Description, or null.
      type: str
    delivery_type:
      description: What the group delivers (V(DesktopsOnly), V(AppsOnly), V(DesktopsAndApps)).
      type: str
    session_support:
      description: V(SingleSession) or V(MultiSession).
      type: str
    sharing_kind:
      description: V(Private) (desktops assigned to users) or V(Shared).
      type: str
    allocation_type:
      description: The allocation of the group's desktops - V(Static) for private ones, V(Random) for shared ones.
      type: str
    machine_count:
      description: Machines in the group.
      type: int
    available_count:
      description: Machines available for a new session.
      type: int
    unregistered_count:
      description: Machines that failed to register.
      type: int
    disconnected_count:
      description: Machines with disconnected sessions.
      type: int
    faulted_count:
      description: Machines in a faulted state.
      type: int
    session_count:
      description: Sessions on the group's machines.
      type: int
    in_maintenance_mode:
      description: Whether the whole group is in maintenance mode.
      type: bool
    enabled:
      description: Whether the group is enabled.
      type: bool
    tags:
      description: Names of the group's tags, sorted.
      type: list
      elements: str
    catalogs:
      description: With O(include_catalogs), the catalogs the group takes machines from (C(id), C(name),
        C(allocation_type), C(provisioning_type)).
      returned: when O(include_catalogs=true)
      type: list
      elements: dict
    provisioning_types:
      description: With O(include_catalogs), the provisioning types of those catalogs, sorted.
      returned: when O(include_catalogs=true)
      type: list
      elements: str
  sample:
    - id: 5c796610-cb80-40ae-8378-5cbd5cefbd89
      name: Finance Desktops
      description: null
      delivery_type: DesktopsOnly
      session_support: SingleSession
      sharing_kind: Private
      allocation_type: Static
      machine_count: 180
      available_count: 40
      unregistered_count: 2
      disconnected_count: 11
      faulted_count: 0
      session_count: 120
      in_maintenance_mode: false
      enabled: true
      tags: [Finance]
'''

from ansible_collections.opencitrix.automation.plugins.module_utils.daas.argspec import daas_argument_spec
from ansible_collections.opencitrix.automation.plugins.module_utils.daas.client import DaasClient
from ansible_collections.opencitrix.automation.plugins.module_utils.daas.delivery_groups import DeliveryGroups
from ansible_collections.opencitrix.automation.plugins.module_utils.module import CitrixModule


def main():
    module = CitrixModule(dict(name=dict(type='list', elements='str'), tag=dict(type='list', elements='str'),
                               include_catalogs=dict(type='bool', default=False)),
                          connection_spec=daas_argument_spec())
    params = module.params
    with module.handle_errors():
        client = DaasClient.from_params(params, redactor=module.redactor, log=module.debug_log)
        groups = DeliveryGroups(client).list(names=params['name'], tags=params['tag'],
                                             include_catalogs=params['include_catalogs'])
    module.exit_json(changed=False, delivery_groups=groups)


if __name__ == '__main__':
    main()
