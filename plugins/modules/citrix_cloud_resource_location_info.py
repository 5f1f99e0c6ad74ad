#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: citrix_cloud_resource_location_info
short_description: List the resource locations of a Citrix Cloud customer
version_added: 0.1.0
description:
  - Reads the customer's resource locations through the Resource Locations API
    (C({api_url}/resourcelocations/)), all of them or one by name or ID.
author:
  - opencitrix maintainers (@opencitrix)
requirements:
  - requests
options:
  name:
    description:
      - Only return the location with this name (exact, else case-insensitive).
    type: str
  id:
    description:
      - Only return the location with this ID (one request for that location instead of the whole list).
    type: str
extends_documentation_fragment:
  - opencitrix.automation.citrix_cloud
  - opencitrix.automation.transport
  - opencitrix.automation.attributes
  - opencitrix.automation.attributes.info_module
  - opencitrix.automation.attributes.citrix_cloud
'''

EXAMPLES = r'''
- name: All resource locations (credentials from CITRIX_* environment variables)
  opencitrix.automation.citrix_cloud_resource_location_info:
  register: cloud_locations

- name: Names of the locations Citrix manages
  ansible.builtin.debug:
    msg: "{{ cloud_locations.resource_locations | selectattr('read_only') | map(attribute='name') | list }}"

- name: One location by name
  opencitrix.automation.citrix_cloud_resource_location_info:
    name: London DC
  register: london
'''

RETURN = r'''
resource_locations:
  description:
    - The locations, as the API lists them, with keys in snake_case. Empty when nothing matches.
  returned: success
  type: list
  elements: dict
  contains:
    id:
      description: ID of the location, used by the API.
      type: str
      sample: 9e2fda49-c878-4c23-aae1-8ffcbdc2dab2
    name:
      description: Name of the location.
      type: str
      sample: My Resource Location
    internal_only:
      description: Whether its connectivity is internal only.
      type: bool
      sample: false
    time_zone:
      description: Time zone of the location.
      type: str
      sample: GMT Standard Time
    read_only:
      description: Whether Citrix manages the location.
      type: bool
      sample: false
names:
  description: Names of the returned locations, in API order.
  returned: success
  type: list
  elements: str
  sample: [My Resource Location]
'''

from ansible_collections.opencitrix.automation.plugins.module_utils.citrix_cloud.client import (
    CloudClient, cloud_argument_spec,
)
from ansible_collections.opencitrix.automation.plugins.module_utils.citrix_cloud.resource_locations import (
    ResourceLocations,
)
from ansible_collections.opencitrix.automation.plugins.module_utils.module import CitrixModule, snake_case


def main():
    module = CitrixModule(
        argument_spec=dict(
            name=dict(type='str'),
            id=dict(type='str'),
        ),
        connection_spec=cloud_argument_spec(),
        mutually_exclusive=[('name', 'id')],
    )
    with module.handle_errors():
        client = CloudClient.from_params(module.params, redactor=module.redactor, log=module.debug_log)
        locations = ResourceLocations(client)
        if module.params['id']:
            found = [locations.get(module.params['id'])]
        elif module.params['name']:
            found = [locations.find(locations.list(), module.params['name'])]
        else:
            found = locations.list()
        found = [location for location in found if location]
        module.exit_json(changed=False, resource_locations=snake_case(found),
                         names=[location.get('name') for location in found])


if __name__ == '__main__':
    main()
