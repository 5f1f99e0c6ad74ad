#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: xenmobile_enrollment
short_description: Invite XenMobile users to enroll their devices, idempotently by user and platform
version_added: 0.2.0
description:
  - Makes sure each user in O(user) has an enrollment invitation for each platform in O(platform)
    (C(POST /xenmobile/api/v1/enrollment), public REST API section 3.19.4), or, with O(state=absent), that the
    user has no pending invitation for it (C(DELETE /xenmobile/api/v1/enrollment), section 3.19.7).
  - Idempotent by user and platform. The invitations are read first (C(POST .../enrollment/filter), a search per
    user for up to five users, one paged listing of all invitations for more). An invitation that is pending or
    was redeemed counts as present, so a user who has enrolled is not invited again; an expired or failed one
    does not count, and a new invitation is created.
  - One request per user creates the invitations of all the platforms that user lacks.
  - For many users, pass a list (for example read from a CSV file with C(community.general.read_csv)), or loop over
    them; each run reads before it writes.
  - Group invitations (C(groupName)) and sending notifications again (C(enrollment/notify)) are not offered.
author:
  - opencitrix maintainers (@opencitrix)
requirements:
  - requests
options:
  user:
    description:
      - User names as XenMobile knows them (local users or directory users, such as V(jdoe@example.com)).
        Matched case-insensitively.
      - An empty list, or an empty entry, fails before any request.
    type: list
    elements: str
    required: true
  platform:
    description: Platforms to invite for (V(android) is sent as the API's C(SHTP), V(macos) as C(MACOSX)).
    type: list
    elements: str
    choices: [ios, android, macos]
    default: [ios, android]
  state:
    description:
      - V(present) creates the invitations that are missing.
      - V(absent) removes the pending invitations of the users for the platforms (redeemed, expired and failed
        ones are history and stay).
    type: str
    choices: [present, absent]
    default: present
  ownership:
    description: Device ownership the invitation binds (C(deviceOwnership)).
    type: str
    choices: [corporate, byod, no_binding]
    default: no_binding
  mode:
    description:
      - Enrollment mode (C(mode.name)), for example V(classic) (user name and password), V(invitation),
        V(invitation_pin), V(invitation_pwd), V(username_pin), V(high_security) or V(two_factor). The mode must be
        enabled on the server.
    type: str
    default: classic
  notify:
    description: Send the notifications of the templates in O(templates) at once (C(notifyNow)).
    type: bool
    default: false
  templates:
    description: Names of the notification templates (case-sensitive, as the console shows them); unset ones are C(NONE).
    type: dict
    suboptions:
      agent:
        description: Template of the Secure Hub download message.
        type: str
      url:
        description: Template of the enrollment URL message.
        type: str
      pin:
        description: Template of the one-time PIN message.
        type: str
      confirmation:
        description: Template of the enrollment confirmation message.
        type: str
  phone_number:
    description: Phone number for SMS notifications.
    type: str
  carrier:
    description: SMS carrier, when several are configured.
    type: str
  device_binding_type:
    description: Binds the invitation to one device by this identifier (with O(device_binding_data)).
    type: str
    choices: [serial_number, udid, imei]
  device_binding_data:
    description: The serial number, UDID or IMEI of the device the invitation is bound to.
    type: str
  pin:
    description:
      - A PIN of your own instead of the one the server generates, for modes that use one. Never logged; the
        invitation records' PIN field is never returned.
    type: str
extends_documentation_fragment:
  - opencitrix.automation.xenmobile
  - opencitrix.automation.transport
  - opencitrix.automation.attributes
  - opencitrix.automation.attributes.xenmobile
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
notes:
  - "Least-privilege RBAC role: C(Public API access) and the permission to manage enrollment invitations (C(Devices))."
  - The invitation URLs returned let their holder start an enrollment as the user; handle them like the
    e-mail they would otherwise be sent in.
'''

EXAMPLES = r'''
- name: Invite two users for iOS and Android
  opencitrix.automation.xenmobile_enrollment:
    user: [jdoe@example.com, asmith@example.com]
    platform: [ios, android]
    ownership: corporate
    mode: invitation
    notify: true
    templates:
      url: Enrollment Invitation
      agent: iOS Download Link

- name: Read the users of a bulk enrollment from a CSV file (column "user")
  community.general.read_csv:
    path: /srv/enrollment/new-starters.csv
  register: starters
  delegate_to: localhost

- name: Invite every one of them (those already invited or enrolled are left alone)
  opencitrix.automation.xenmobile_enrollment:
    user: "{{ starters.list | map(attribute='user') | list }}"
    platform: [ios]

- name: Withdraw a pending invitation
  opencitrix.automation.xenmobile_enrollment:
    user: [leaver@example.com]
    platform: [ios, android, macos]
    state: absent
'''

RETURN = r'''
invitations:
  description: One entry per user and platform.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: C(user/platform).
      type: str
    user:
      description: The user.
      type: str
    platform:
      description: V(ios), V(android) or V(macos).
      type: str
    outcome:
      description: V(changed) (invited or removed, or would be in check mode), V(unchanged) or V(failed).
      type: str
    reason:
      description: Why nothing was done (for example C(an invitation is pending)), or the API's error.
      type: str
    action:
      description: V(invite), V(remove) or null.
      type: str
    invitations:
      description:
        - The user's invitations for the platform that count (V(present)), were removed, or were just created
          (with C(url), the enrollment URL). Never holds the PIN.
      type: list
      elements: dict
  sample:
    - {name: jdoe@example.com/ios, user: jdoe@example.com, platform: ios, outcome: changed, reason: null, action: invite,
       invitations: [{token: ep-cf3f01a5-cf63-4b34-b626-369c8dc12f7d, platform: ios, status: PENDING,
                      url: "https://xms.example.com:8443/zdm/su?e=ep-cf3f01a5-cf63-4b34-b626-369c8dc12f7d"}]}
counts:
  description: Users and platforms per outcome.
  returned: always
  type: dict
  sample: {changed: 1, unchanged: 3, skipped: 0, failed: 0}
'''

from ansible_collections.opencitrix.automation.plugins.module_utils.module import CitrixModule
from ansible_collections.opencitrix.automation.plugins.module_utils.xenmobile.client import (
    XenMobileClient, xenmobile_argument_spec,
)
from ansible_collections.opencitrix.automation.plugins.module_utils.xenmobile.enrollment import (
    BINDINGS, OWNERSHIP, PLATFORMS, ensure_invitations, invitation_diff,
)


def argument_spec():
    return dict(
        user=dict(type='list', elements='str', required=True),
        platform=dict(type='list', elements='str', choices=sorted(PLATFORMS), default=['ios', 'android']),
        state=dict(type='str', choices=['present', 'absent'], default='present'),
        ownership=dict(type='str', choices=sorted(OWNERSHIP), default='no_binding'),
        mode=dict(type='str', default='classic'),
        notify=dict(type='bool', default=False),
        templates=dict(type='dict', options=dict(agent=dict(type='str'), url=dict(type='str'), pin=dict(type='str'),
                                                 confirmation=dict(type='str'))),
        phone_number=dict(type='str'),
        carrier=dict(type='str'),
        device_binding_type=dict(type='str', choices=sorted(BINDINGS)),
        device_binding_data=dict(type='str'),
        pin=dict(type='str', no_log=True),
    )


def main():
    module = CitrixModule(argument_spec(), connection_spec=xenmobile_argument_spec())
    p = module.params
    details = dict(ownership=p['ownership'], mode=p['mode'], notify=p['notify'], templates=p['templates'],
                   phone_number=p['phone_number'], carrier=p['carrier'], binding_type=p['device_binding_type'],
                   binding_data=p['device_binding_data'], pin=p['pin'])
    with module.handle_errors():
        with XenMobileClient.from_params(p, redactor=module.redactor, log=module.debug_log) as client:
            fleet = ensure_invitations(client, p['user'], p['platform'], p['state'], module.check_mode, **details)
    module.exit_fleet(fleet, 'invitations', diff=invitation_diff(fleet))


if __name__ == '__main__':
    main()
