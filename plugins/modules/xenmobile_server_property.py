#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: xenmobile_server_property
short_description: Add, edit, delete or reset XenMobile server properties
version_added: 0.1.0
description:
  - Manages server properties of a XenMobile server or Endpoint Management service, one at a time
    (O(name)) or many at once (O(properties)).
  - Reads all properties once (C(GET /xenmobile/api/v1/serverproperties)), then writes only what differs.
    A missing property is added (C(POST)), one with another value, display name or description is edited
    (C(PUT)), O(state=absent) deletes (one C(DELETE) for all names) and O(state=default) resets to the
    default value (one C(POST .../serverproperties/reset) for all names).
  - XenMobile applies changed properties only after it is restarted on all cluster nodes; this module
    does not restart it.
author:
  - opencitrix maintainers (@opencitrix)
requirements:
  - requests
options:
  name:
    description:
      - Name of one server property, for example V(xms.publicapi.static.timeout).
      - Exactly one of O(name) and O(properties) is required.
    type: str
  value:
    description:
      - Value of the property (server properties are strings; V(true)/V(false) are sent in lower case).
      - Required to add a property; for an existing one, leaving it out keeps the current value.
    type: str
  display_name:
    description: Display name of the property. Defaults to O(name) when a property is added.
    type: str
  description:
    description: Description of the property.
    type: str
  properties:
    description:
      - Many properties at once, as a mapping of property name to either a value or a mapping with the
        keys C(value), C(display_name) and C(description).
      - Or a list of property records as RV(opencitrix.automation.xenmobile_server_property_info#module:properties)
        returns them (keys C(name), C(value), C(display_name), C(description); C(id) and C(default_value)
        are ignored), which copies properties from one server to another.
      - With O(state=absent) or O(state=default) only the names matter.
      - Every property is tried; the task fails afterwards, listing the properties that failed.
    type: raw
  state:
    description:
      - V(present) adds or edits, V(absent) deletes, V(default) resets to the default value.
      - Resetting a property that does not exist fails.
    type: str
    choices: [present, absent, default]
    default: present
extends_documentation_fragment:
  - opencitrix.automation.xenmobile
  - opencitrix.automation.transport
  - opencitrix.automation.attributes
  - opencitrix.automation.attributes.xenmobile
attributes:
  check_mode:
    support: full
    details: Reads the properties and reports the planned changes without writing.
  diff_mode:
    support: full
    details: Shows value, display name and description of each changed property before and after.
notes:
  - "Least-privilege RBAC role: C(Public API access) and C(Settings) (server properties)."
'''

EXAMPLES = r'''
- name: Longer public API tokens
  opencitrix.automation.xenmobile_server_property:
    url: https://xms.example.com:4443
    username: api-settings
    password: "{{ xenmobile_password }}"
    name: xms.publicapi.static.timeout
    value: "120"

- name: Several properties in one read and only the writes needed (connection from XENMOBILE_* variables)
  opencitrix.automation.xenmobile_server_property:
    properties:
      xms.publicapi.timeout.type: INACTIVITY_TIMEOUT
      xms.publicapi.inactivity.timeout: "30"
      custom.feature.flag:
        value: true
        display_name: Custom feature flag
        description: Added by Ansible

- name: Back to the default value
  opencitrix.automation.xenmobile_server_property:
    name: xms.publicapi.static.timeout
    state: default

- name: Read the test server's properties
  opencitrix.automation.xenmobile_server_property_info:
    url: https://xms-test.example.com:4443
    username: api-settings
    password: "{{ xenmobile_test_password }}"
  register: test_properties

- name: Copy them to production, writing only what differs
  opencitrix.automation.xenmobile_server_property:
    url: https://xms.example.com:4443
    username: api-settings
    password: "{{ xenmobile_password }}"
    properties: "{{ test_properties.properties | rejectattr('name', 'match', 'xms\\.publicapi\\.') }}"

- name: Remove properties
  opencitrix.automation.xenmobile_server_property:
    properties:
      custom.feature.flag:
      custom.old.flag:
    state: absent
'''

RETURN = r'''
changes:
  description: One entry per property that was (or, in check mode, would be) changed.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: Property name.
      type: str
    action:
      description: V(add), V(edit), V(delete) or V(reset).
      type: str
    before:
      description: Value, display name and description before; null for an added property.
      type: dict
    after:
      description: Value, display name and description after; null for a deleted property.
      type: dict
  sample:
    - name: xms.publicapi.static.timeout
      action: edit
      before: {value: "60", display_name: Public API static timeout, description: ""}
      after: {value: "120", display_name: Public API static timeout, description: ""}
check_mode:
  description: Whether the module ran in check mode, so that RV(changes) is a plan (also set by a task-level C(check_mode)).
  returned: always
  type: bool
  sample: false
failed_names:
  description: Properties whose change failed (the task fails when this is not empty).
  returned: always
  type: list
  elements: str
  sample: []
property:
  description: The property after the task (O(name) form; null when deleted).
  returned: when O(name) is used
  type: dict
  sample: {name: xms.publicapi.static.timeout, value: "120", display_name: Public API static timeout,
           description: "", default_value: "60", id: 2}
'''

from ansible_collections.opencitrix.automation.plugins.module_utils.module import CitrixModule
from ansible_collections.opencitrix.automation.plugins.module_utils.xenmobile.client import (
    XenMobileClient, xenmobile_argument_spec,
)
from ansible_collections.opencitrix.automation.plugins.module_utils.xenmobile.properties import (
    ServerProperties, wanted_properties,
)


def main():
    module = CitrixModule(
        argument_spec=dict(
            name=dict(type='str'),
            value=dict(type='str'),
            display_name=dict(type='str'),
            description=dict(type='str'),
            properties=dict(type='raw'),
            state=dict(type='str', default='present', choices=['present', 'absent', 'default']),
        ),
        connection_spec=xenmobile_argument_spec(),
        required_one_of=[('name', 'properties')],
        mutually_exclusive=[('name', 'properties'), ('properties', 'value'), ('properties', 'display_name'),
                            ('properties', 'description')],
    )
    params = module.params
    with module.handle_errors(changed=False, changes=[], failed_names=[], check_mode=module.check_mode):
        # malformed input fails here, before the sign-in
        wanted = wanted_properties(params['properties'], params['name'], params['value'], params['display_name'],
                                   params['description'])
        with XenMobileClient.from_params(params, redactor=module.redactor, log=module.debug_log) as client:
            change = ServerProperties(client).ensure(wanted, params['state'], name=params['name'],
                                                     check_mode=module.check_mode)
    module.exit_change(change, check_mode=module.check_mode)


if __name__ == '__main__':
    main()
