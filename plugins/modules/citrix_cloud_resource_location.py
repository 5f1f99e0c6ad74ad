#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: citrix_cloud_resource_location
short_description: Create, rename, update or delete a Citrix Cloud resource location
version_added: 0.1.0
description:
  - Manages a resource location of the Citrix Cloud customer by name through the Resource Locations API
    (C({api_url}/resourcelocations/)).
  - Reads the customer's locations first and writes only what differs, so a second run with the same
    arguments changes nothing and sends no write.
  - Names are compared case-insensitively when no location has exactly the given name.
author:
  - opencitrix maintainers (@opencitrix)
requirements:
  - requests
options:
  name:
    description:
      - Name of the resource location.
      - 'It cannot contain a backslash or any of C(/ # ? % | [ ] { } < > $ ^ & +); such names are refused
        before any request is sent.'
    type: str
    required: true
  new_name:
    description:
      - Rename the location called O(name) to this name.
      - When no location is called O(name) but one is called O(new_name), the rename has already happened
        and nothing changes. When neither exists, the task fails rather than guess.
      - Only with O(state=present).
    type: str
  internal_only:
    description:
      - Whether the location's connectivity is internal only (the API's C(internalOnly)).
      - When omitted, an existing location keeps its value and a new one gets V(false).
    type: bool
  time_zone:
    description:
      - Time zone of the location, as a Windows time zone ID such as V(GMT Standard Time) or V(Pacific Standard Time).
      - When omitted, an existing location keeps its value and Citrix Cloud chooses one for a new location.
    type: str
  state:
    description:
      - V(present) creates the location or brings it to the given values; V(absent) deletes it.
      - Locations managed by Citrix (C(readOnly)) cannot be changed or deleted; the task fails and says so.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - opencitrix.automation.citrix_cloud
  - opencitrix.automation.transport
  - opencitrix.automation.attributes
  - opencitrix.automation.attributes.citrix_cloud
attributes:
  check_mode:
    support: full
    details: Reads the current locations and reports what would change; sends no write.
  diff_mode:
    support: full
    details: Shows the location before and after.
'''

EXAMPLES = r'''
- name: Make sure the London resource location exists
  opencitrix.automation.citrix_cloud_resource_location:
    name: London DC
    time_zone: GMT Standard Time

- name: Rename it (a second run finds "London DC 1" and changes nothing)
  opencitrix.automation.citrix_cloud_resource_location:
    name: London DC
    new_name: London DC 1

- name: Delete a location that is no longer used
  opencitrix.automation.citrix_cloud_resource_location:
    name: Old Lab
    state: absent

- name: Credentials once for every Citrix Cloud task
  module_defaults:
    group/opencitrix.automation.citrix_cloud:
      client_id: "{{ citrix_client_id }}"
      client_secret: "{{ citrix_client_secret }}"
      customer_id: "{{ citrix_customer_id }}"
      region: eu
  block:
    - name: Internal-only location for the Frankfurt branch
      opencitrix.automation.citrix_cloud_resource_location:
        name: Frankfurt Branch
        internal_only: true
        time_zone: W. Europe Standard Time
'''

RETURN = r'''
resource_location:
  description:
    - The location after the task, with keys in snake_case; empty after O(state=absent).
    - In check mode, the location as it would be (a new location has no RV(resource_location.id) yet).
  returned: success
  type: dict
  contains:
    id:
      description: ID of the location, used by the API.
      type: str
      sample: 9e2fda49-c878-4c23-aae1-8ffcbdc2dab2
    name:
      description: Name of the location.
      type: str
      sample: London DC
    internal_only:
      description: Whether its connectivity is internal only.
      type: bool
      sample: false
    time_zone:
      description: Time zone of the location.
      type: str
      sample: GMT Standard Time
    read_only:
      description: Whether Citrix manages the location (it then cannot be changed).
      type: bool
      sample: false
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
            name=dict(type='str', required=True),
            new_name=dict(type='str'),
            internal_only=dict(type='bool'),
            time_zone=dict(type='str'),
            state=dict(type='str', default='present', choices=['present', 'absent']),
        ),
        connection_spec=cloud_argument_spec(),
    )
    params = module.params
    if params['state'] == 'absent' and params['new_name'] is not None:
        module.fail_json(msg='new_name renames a location and cannot be used with state=absent')
    with module.handle_errors():
        client = CloudClient.from_params(params, redactor=module.redactor, log=module.debug_log)
        locations = ResourceLocations(client)
        if params['state'] == 'present':
            change = locations.ensure_present(params['name'], params['new_name'], params['internal_only'],
                                              params['time_zone'], check_mode=module.check_mode)
        else:
            change = locations.ensure_absent(params['name'], check_mode=module.check_mode)
    module.exit_change(change, 'resource_location', view=lambda location: snake_case(location or {}))


if __name__ == '__main__':
    main()
