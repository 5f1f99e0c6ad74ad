#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: xenmobile_user_activity_info
short_description: How recently each XenMobile user was active, from their devices' last access
version_added: 0.1.0
description:
  - The user APIs do not say when a user was last active; the devices do. This module lists every device
    through the device filter (like M(opencitrix.automation.xenmobile_device_info)), groups the devices by
    user and takes the most recent C(lastAccess) over each user's devices.
  - Returns one row per user, the number of users whose most recent access fell on each of the last
    O(days) days (for a chart), and a summary. The role C(opencitrix.automation.xenmobile_user_activity)
    turns this into a CSV file and an HTML report.
author:
  - opencitrix maintainers (@opencitrix)
requirements:
  - requests
options:
  days:
    description: How many days, up to O(as_of), C(by_day) covers.
    type: int
    default: 30
  as_of:
    description:
      - Day the report is for, as C(YYYY-MM-DD); C(days_since_last_access) counts from it. Defaults to
        today on the controller. Last access times are in the server's local time.
    type: str
extends_documentation_fragment:
  - opencitrix.automation.xenmobile
  - opencitrix.automation.xenmobile.device_listing
  - opencitrix.automation.transport
  - opencitrix.automation.attributes
  - opencitrix.automation.attributes.info_module
  - opencitrix.automation.attributes.xenmobile
notes:
  - "Least-privilege RBAC role: C(Public API access) and C(Devices)."
'''

EXAMPLES = r'''
- name: User activity of the last 30 days
  opencitrix.automation.xenmobile_user_activity_info:
  register: activity

- name: Users not seen for more than 90 days
  ansible.builtin.debug:
    msg: "{{ activity.users | selectattr('days_since_last_access', 'gt', 90) | map(attribute='user') | list }}"
'''

RETURN = r'''
users:
  description: One entry per user, sorted by login.
  returned: success
  type: list
  elements: dict
  contains:
    user:
      description: Login of the user.
      type: str
    display_name:
      description: Short name the API shows after the login, if any.
      type: str
    devices:
      description: Number of devices of the user.
      type: int
    platforms:
      description: Platforms of those devices.
      type: list
      elements: str
    last_access:
      description: Most recent access over the user's devices, C(YYYY-MM-DD HH:MM) in server local time; null if never.
      type: str
    days_since_last_access:
      description: Whole days from that access to O(as_of); null if never.
      type: int
  sample:
    - {user: user4@acme.com, display_name: user4, devices: 2, platforms: [Android, iOS],
       last_access: "2026-11-20 15:02", days_since_last_access: 3}
by_day:
  description: For each of the last O(days) days, oldest first, how many users were last active that day.
  returned: success
  type: list
  elements: dict
  sample: [{date: "2026-11-22", users: 41}, {date: "2026-11-23", users: 57}]
summary:
  description: Counts of devices and users, and of users by how recently they were active.
  returned: success
  type: dict
  sample: {devices: 1050, users: 656, unassigned_devices: 10, active_last_7_days: 310, active_last_30_days: 470,
           inactive_over_30_days: 170, never_seen: 16, as_of: "2026-11-23", days: 30}
'''

from ansible_collections.opencitrix.automation.plugins.module_utils.module import CitrixModule
from ansible_collections.opencitrix.automation.plugins.module_utils.xenmobile.client import (
    XenMobileClient, xenmobile_argument_spec,
)
from ansible_collections.opencitrix.automation.plugins.module_utils.xenmobile.devices import (
    Devices, device_listing_spec,
)


def main():
    module = CitrixModule(
        argument_spec=dict(device_listing_spec(), days=dict(type='int', default=30), as_of=dict(type='str')),
        connection_spec=xenmobile_argument_spec(),
    )
    params = module.params
    with module.handle_errors():
        with XenMobileClient.from_params(params, redactor=module.redactor, log=module.debug_log) as client:
            activity = Devices(client).user_activity(params['days'], params['as_of'], api=params['api'],
                                                     page_size=params['page_size'], filter_ids=params['filter_ids'])
    module.exit_json(changed=False, **activity)


if __name__ == '__main__':
    main()
