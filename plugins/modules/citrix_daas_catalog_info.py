#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: citrix_daas_catalog_info
short_description: List Citrix DaaS machine catalogs with their machine counts, allocation, provisioning and tags
version_added: 0.1.0
description:
  - Reads the machine catalogs of a Citrix DaaS site, or of an on-premises site (see O(ddc_url)), with their machine
    counts, session support, allocation and provisioning type, and tags; optionally only those named in O(name) or
    carrying a tag of O(tag).
  - Requests - one per 1000 catalogs, C(GET /Tags) once, and one C(GET /Tags/{tag}/MachineCatalogs) per tag the site
    uses on catalogs; never one request per catalog.
  - A hibernated site (HTTP 530) fails the task with one line saying how to wake it; this module never activates a
    site.
author:
  - opencitrix maintainers (@opencitrix)
requirements:
  - requests
options:
  name:
    description: Only these catalogs, by name or ID (case-insensitive). A name that matches nothing is left out.
    type: list
    elements: str
  tag:
    description: Only catalogs that carry at least one of these tags (names, case-insensitive).
    type: list
    elements: str
extends_documentation_fragment:
  - opencitrix.automation.daas
  - opencitrix.automation.citrix_cloud
  - opencitrix.automation.transport
  - opencitrix.automation.attributes
  - opencitrix.automation.attributes.info_module
  - opencitrix.automation.attributes.daas
'''

EXAMPLES = r'''
- name: Every catalog of the site
  opencitrix.automation.citrix_daas_catalog_info:
  register: catalogs

- name: Personal (static) catalogs that still have machines in no delivery group
  ansible.builtin.debug:
    msg: "{{ catalogs.catalogs | selectattr('allocation_type', 'equalto', 'Static')
             | selectattr('available_count', 'gt', 0) | map(attribute='name') | list }}"

- name: The catalogs tagged for the pilot
  opencitrix.automation.citrix_daas_catalog_info:
    tag: Pilot
'''

RETURN = r'''
catalogs:
  description: The catalogs, in API order.
  returned: success
  type: list
  elements: dict
  contains:
    id:
      description: Catalog ID.
      type: str
    name:
      description: Catalog name.
      type: str
    description:
      description: Description, or null.
      type: str
    allocation_type:
      description: V(Static) (personal desktops, assigned to users) or V(Random) (pooled).
      type: str
    provisioning_type:
      description: How machines are provisioned (V(MCS), V(PVS), V(Manual)...).
      type: str
    session_support:
      description: V(SingleSession) or V(MultiSession).
      type: str
    machine_type:
      description: V(Virtual) or V(Physical).
      type: str
    persist_changes:
      description: Where user changes persist (V(OnLocal), V(Discard)).
      type: str
    power_managed:
      description: Whether the catalog's machines are power managed.
      type: bool
    machine_count:
      description: Machines in the catalog.
      type: int
    used_count:
      description: Machines of the catalog in a delivery group.
      type: int
    available_count:
      description: Machines of the catalog in no delivery group (what a delivery group can still take).
      type: int
    assigned_count:
      description: Machines assigned to users.
      type: int
    unassigned_count:
      description: Machines not assigned to users.
      type: int
    zone:
      description: Zone name.
      type: str
    tags:
      description: Names of the catalog's tags, sorted.
      type: list
      elements: str
  sample:
    - id: 2a9d7a0e-53b1-4bd6-a4c4-0ce0b3f0c9aa
      name: Finance-Static
      description: null
      allocation_type: Static
      provisioning_type: MCS
      session_support: SingleSession
      machine_type: Virtual
      persist_changes: OnLocal
      power_managed: true
      machine_count: 200
      used_count: 180
      available_count: 20
      assigned_count: 150
      unassigned_count: 50
      zone: EastUS
      tags: [Finance]
'''

from ansible_collections.opencitrix.automation.plugins.module_utils.daas.argspec import daas_argument_spec
from ansible_collections.opencitrix.automation.plugins.module_utils.daas.catalogs import Catalogs
from ansible_collections.opencitrix.automation.plugins.module_utils.daas.client import DaasClient
from ansible_collections.opencitrix.automation.plugins.module_utils.module import CitrixModule


def main():
    module = CitrixModule(dict(name=dict(type='list', elements='str'), tag=dict(type='list', elements='str')),
                          connection_spec=daas_argument_spec())
    with module.handle_errors():
        client = DaasClient.from_params(module.params, redactor=module.redactor, log=module.debug_log)
        catalogs = Catalogs(client).list(names=module.params['name'], tags=module.params['tag'])
    module.exit_json(changed=False, catalogs=catalogs)


if __name__ == '__main__':
    main()
