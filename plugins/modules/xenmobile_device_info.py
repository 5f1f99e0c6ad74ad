#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: xenmobile_device_info
short_description: List the devices of a XenMobile server, with their users and last access
version_added: 0.1.0
description:
  - Lists devices through the device filter, page by page (C(start)/C(limit)), for example for a
    nightly inventory archive.
author:
  - opencitrix maintainers (@opencitrix)
requirements:
  - requests
options:
  search:
    description: Only devices matching this text (the server matches it against serial number, IMEI and similar fields).
    type: str
  sort_column:
    description: Sort column of the API, for example V(LASTAUTHDATE), V(LASTUSER) or V(SERIAL).
    type: str
  sort_order:
    description: Sort order.
    type: str
    choices: [ASC, DESC]
  include_properties:
    description: Also return each device's C(properties) list (large on big estates).
    type: bool
    default: false
  include_compliance:
    description:
      - Also return C(compliant) for each device. The device listing does not carry compliance, so the devices
        out of compliance are listed as well (the filter C(device.status.out.of.compliance), one more paged
        listing, usually a single request).
    type: bool
    default: false
extends_documentation_fragment:
  - opencitrix.automation.xenmobile
  - opencitrix.automation.xenmobile.device_listing
  - opencitrix.automation.transport
  - opencitrix.automation.attributes
  - opencitrix.automation.attributes.info_module
  - opencitrix.automation.attributes.xenmobile
notes:
  - "Least-privilege RBAC role: C(Public API access) and C(Devices)."
  - C(last_access) is the server's display string in the server's local time, for example
    C(11/23/16 8:32 AM); C(last_access_iso) is the same moment in ISO 8601 form, without a time zone.
'''

EXAMPLES = r'''
- name: Nightly device inventory
  opencitrix.automation.xenmobile_device_info:
  register: inventory

- name: Archive it
  ansible.builtin.copy:
    content: "{{ inventory.devices | to_nice_json }}"
    dest: "/var/archive/xenmobile/devices-{{ now(fmt='%Y-%m-%d') }}.json"
    mode: "0640"

- name: Managed iOS devices through the Endpoint Management path
  opencitrix.automation.xenmobile_device_info:
    url: https://tenant.xm.cloud.com:4443
    username: api-devices
    password: "{{ xenmobile_password }}"
    api: endpoint_management
    filter_ids: [device.platform.ios, device.mode.mdm.managed]
  register: ios_devices
'''

RETURN = r'''
devices:
  description:
    - The devices with the API's fields in snake_case (C(blue_tooth_mac_accress) keeps the API's spelling),
      plus C(user), C(user_display_name) and C(last_access_iso).
  returned: success
  type: list
  elements: dict
  contains:
    id:
      description: Device id (an integer on XenMobile Server, a GUID string on Endpoint Management).
      type: raw
    user:
      description: Login of the device's user (empty for a device without a user).
      type: str
    user_display_name:
      description: Short name the API shows in quotes after the login, if any.
      type: str
    user_name:
      description: The API's C(userName) as sent.
      type: str
    platform:
      description: Platform, for example V(iOS) or V(Android).
      type: str
    os_version:
      description: Operating system version.
      type: str
    last_access:
      description: Last access as the API shows it.
      type: str
    last_access_iso:
      description: Last access in ISO 8601 form (server local time); null when unknown.
      type: str
    serial_number:
      description: Serial number.
      type: str
    compliant:
      description: Whether the device is in compliance; only with O(include_compliance=true).
      type: bool
  sample:
    - {id: 2, user: user4@acme.com, user_display_name: user4, user_name: 'user4@acme.com "user4"',
       platform: iOS, os_version: "18.1", last_access: "11/1/17 3:02 PM", last_access_iso: "2017-11-01T15:02:00",
       serial_number: SN00000002, managed: true}
count:
  description: Number of devices returned.
  returned: success
  type: int
  sample: 1050
'''

from ansible_collections.opencitrix.automation.plugins.module_utils.module import CitrixModule, snake_case
from ansible_collections.opencitrix.automation.plugins.module_utils.xenmobile.client import (
    XenMobileClient, xenmobile_argument_spec,
)
from ansible_collections.opencitrix.automation.plugins.module_utils.xenmobile.devices import (
    Devices, device_listing_spec,
)


def main():
    module = CitrixModule(
        argument_spec=dict(
            device_listing_spec(),
            search=dict(type='str'),
            sort_column=dict(type='str'),
            sort_order=dict(type='str', choices=['ASC', 'DESC']),
            include_properties=dict(type='bool', default=False),
            include_compliance=dict(type='bool', default=False),
        ),
        connection_spec=xenmobile_argument_spec(),
    )
    params = module.params
    listing = dict((key, params[key]) for key in ('api', 'page_size', 'search', 'filter_ids', 'sort_column', 'sort_order'))
    with module.handle_errors():
        with XenMobileClient.from_params(params, redactor=module.redactor, log=module.debug_log) as client:
            devices = snake_case(Devices(client).described(params['include_properties'], params['include_compliance'],
                                                           **listing))
    module.exit_json(changed=False, devices=devices, count=len(devices))


if __name__ == '__main__':
    main()
