#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: xenmobile_server_property_info
short_description: Read the server properties of a XenMobile server
version_added: 0.1.0
description:
  - Reads every server property in one request (C(GET /xenmobile/api/v1/serverproperties)) and returns
    them, optionally only those named in O(name) or whose name contains O(search).
author:
  - opencitrix maintainers (@opencitrix)
requirements:
  - requests
options:
  name:
    description: Only return the properties with these exact names. A name that does not exist is left out.
    type: list
    elements: str
  search:
    description: Only return properties whose name or display name contains this text (case-insensitive).
    type: str
extends_documentation_fragment:
  - opencitrix.automation.xenmobile
  - opencitrix.automation.transport
  - opencitrix.automation.attributes
  - opencitrix.automation.attributes.info_module
  - opencitrix.automation.attributes.xenmobile
notes:
  - "Least-privilege RBAC role: C(Public API access) and C(Settings) (server properties)."
'''

EXAMPLES = r'''
- name: All server properties (connection from XENMOBILE_* variables)
  opencitrix.automation.xenmobile_server_property_info:
  register: props

- name: The public API token settings
  opencitrix.automation.xenmobile_server_property_info:
    url: https://xms.example.com:4443
    username: api-reader
    password: "{{ xenmobile_password }}"
    search: xms.publicapi
  register: api_props

- name: Show one value
  ansible.builtin.debug:
    msg: "{{ api_props.values_by_name['xms.publicapi.static.timeout'] }}"
'''

RETURN = r'''
properties:
  description: The properties, in server order, with keys in snake_case.
  returned: success
  type: list
  elements: dict
  contains:
    id:
      description: Server-side id.
      type: int
    name:
      description: Property name.
      type: str
    value:
      description: Current value (always a string).
      type: str
    display_name:
      description: Display name.
      type: str
    description:
      description: Description.
      type: str
    default_value:
      description: Value that O(opencitrix.automation.xenmobile_server_property#module:state=default) restores.
      type: str
  sample:
    - {id: 2, name: xms.publicapi.static.timeout, value: "60", display_name: Public API static timeout,
       description: Lifetime of a public API token, default_value: "60"}
values_by_name:
  description: Mapping of property name to value, for the returned properties.
  returned: success
  type: dict
  sample: {xms.publicapi.static.timeout: "60"}
'''

from ansible_collections.opencitrix.automation.plugins.module_utils.module import CitrixModule, snake_case
from ansible_collections.opencitrix.automation.plugins.module_utils.xenmobile.client import (
    XenMobileClient, xenmobile_argument_spec,
)
from ansible_collections.opencitrix.automation.plugins.module_utils.xenmobile.properties import ServerProperties


def main():
    module = CitrixModule(
        argument_spec=dict(name=dict(type='list', elements='str'), search=dict(type='str')),
        connection_spec=xenmobile_argument_spec(),
    )
    with module.handle_errors():
        with XenMobileClient.from_params(module.params, redactor=module.redactor, log=module.debug_log) as client:
            found = ServerProperties(client).select(module.params['name'], module.params['search'])
    module.exit_json(changed=False, properties=snake_case(found),
                     values_by_name=dict((p['name'], p.get('value')) for p in found))


if __name__ == '__main__':
    main()
