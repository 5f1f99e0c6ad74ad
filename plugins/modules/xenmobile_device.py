#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: xenmobile_device
short_description: Lock, unlock, locate, wipe, revoke or delete XenMobile devices
version_added: 0.2.0
description:
  - Sends a device action of the XenMobile / Endpoint Management public REST API to the devices chosen by
    O(id), O(serial_number), O(user) and/or the device filter O(filter_ids). With a target option and
    O(filter_ids), the filter narrows the devices the other options name; O(filter_ids) alone selects every
    device it matches. Acting on every device of the server takes O(all_targets=true).
  - V(lock), V(unlock), V(locate), V(selective_wipe) and V(full_wipe) are carried out by a device when it
    next connects; until then the action is pending (the device record's C(cancel...Enabled) flag). An
    action that is still pending is not sent again, so a second run sends nothing and reports no change.
  - V(lock), V(unlock) and V(locate) act each time they are asked, as Ansible's C(restarted) states do,
    unless one is still pending.
  - V(selective_wipe), V(full_wipe), V(revoke) and V(delete) cannot be undone and need O(confirm=true); without
    it the task fails before any request. A device already wiped or revoked (or no longer offering the
    action) is left alone, with the reason in its result; a device already deleted counts as done.
  - Devices are found with one paged listing of the device filter, then each device's record is read
    (C(GET /device/{id})) to see what it offers and what is pending; the action goes to all devices that need
    it in bulk calls of up to 100 ids (C(POST /device/{action}), C(DELETE /device)).
  - Check mode reads and lists the devices the action would reach and sends nothing.
author:
  - opencitrix maintainers (@opencitrix)
requirements:
  - requests
options:
  action:
    description:
      - V(lock) locks the device (O(lock_message), O(phone_number) on iOS; O(new_pin_code) on Android and
        Windows). V(unlock) clears the passcode. V(locate) asks the device for its location.
      - V(selective_wipe) removes the corporate data, apps and policies the server installed (the console's
        "selective wipe"). V(full_wipe) resets the device to factory settings. V(revoke) revokes the device's
        certificates so it can no longer connect. V(delete) removes the device from the server.
    type: str
    required: true
    choices: [lock, unlock, locate, selective_wipe, full_wipe, revoke, delete]
  id:
    description:
      - Device ids (integers on XenMobile Server, GUID strings on Endpoint Management), as O(api) lists them.
      - An id the listing does not show fails that device (V(delete) counts it as already deleted).
    type: list
    elements: str
  serial_number:
    description: Devices with these serial numbers (case-insensitive).
    type: list
    elements: str
  user:
    description: Devices of these users (their login, such as V(user4@acme.com), case-insensitive).
    type: list
    elements: str
  confirm:
    description:
      - Required for V(selective_wipe), V(full_wipe), V(revoke) and V(delete). Without it those fail before any
        request, whatever else is set.
    type: bool
    default: false
  lock_message:
    description: Message shown on a locked iOS device (V(lock) only).
    type: str
  phone_number:
    description: Phone number shown on a locked iOS device (V(lock) only).
    type: str
  new_pin_code:
    description:
      - New PIN for V(lock) on Android (4 to 16 characters) and Windows (4 digits) devices. Never logged.
    type: str
  erase_memory_card:
    description: For V(full_wipe), whether to erase the memory card too (the API's default is to erase it).
    type: bool
  concurrency:
    description: Device records read at once.
    type: int
    default: 8
extends_documentation_fragment:
  - opencitrix.automation.xenmobile
  - opencitrix.automation.xenmobile.device_listing
  - opencitrix.automation.fleet
  - opencitrix.automation.transport
  - opencitrix.automation.attributes
  - opencitrix.automation.attributes.xenmobile
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
notes:
  - "Least-privilege RBAC role: C(Public API access) and C(Devices)."
  - O(max_targets) counts the devices that would get the action. When the devices are named only by O(id)
    and O(serial_number), more names than O(max_targets) fail before any request; with O(user) or O(filter_ids)
    the listing is read first, and the task fails before any action is sent.
  - The PIN given in O(new_pin_code) is masked in all output.
'''

EXAMPLES = r'''
- name: Lock a lost phone and show a number to call
  opencitrix.automation.xenmobile_device:
    action: lock
    serial_number: [SN00004711]
    lock_message: This phone is lost. Please call the service desk.
    phone_number: "+44 20 7946 0000"

- name: Plan a selective wipe of a leaver's devices (check mode lists them)
  opencitrix.automation.xenmobile_device:
    action: selective_wipe
    user: [jdoe@example.com]
    confirm: true
  check_mode: true
  register: plan

- name: Selectively wipe them, at most 3 devices
  opencitrix.automation.xenmobile_device:
    action: selective_wipe
    user: [jdoe@example.com]
    confirm: true
    max_targets: 3

- name: Delete every device inactive for more than 30 days in the Sales group
  opencitrix.automation.xenmobile_device:
    action: delete
    filter_ids: [device.inactive.time.more.than.30.days, "group#/group/Sales@_fn_@normal"]
    confirm: true
    max_targets: 50
'''

RETURN = r'''
devices:
  description: One entry per device the targets chose (and per id that was not found).
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: The device id as text.
      type: str
    id:
      description: The device id as the API gives it.
      type: raw
    serial_number:
      description: Serial number.
      type: str
    device_name:
      description: Device name.
      type: str
    user:
      description: Login of the device's user.
      type: str
    platform:
      description: Platform.
      type: str
    outcome:
      description:
        - V(changed) (the action was sent, or would be in check mode), V(unchanged) (pending or done already),
          V(skipped) (the server does not offer the action for this device now) or V(failed).
      type: str
    reason:
      description: Why the device was not changed, or the API's error.
      type: str
    action:
      description: The action sent, or null.
      type: str
    state_before:
      description: V(none), V(pending) or V(present) (V(delete)).
      type: str
    state_after:
      description: V(pending) (lock, unlock, locate, wipes), V(done) (revoke) or V(absent) (delete), for devices acted on.
      type: str
  sample:
    - {name: "17", id: 17, serial_number: SN00000017, device_name: iPhone-00017, user: user17@acme.com,
       platform: iOS, outcome: changed, reason: null, action: lock, state_before: none, state_after: pending}
counts:
  description: Devices per outcome.
  returned: always
  type: dict
  sample: {changed: 1, unchanged: 0, skipped: 0, failed: 0}
acted_on:
  description: Ids of the devices the action was sent to (or would be, in check mode).
  returned: always
  type: list
  elements: str
'''

from ansible_collections.opencitrix.automation.plugins.module_utils.module import CitrixModule
from ansible_collections.opencitrix.automation.plugins.module_utils.targets import check_targets, fleet_argument_spec
from ansible_collections.opencitrix.automation.plugins.module_utils.xenmobile.client import (
    XenMobileClient, xenmobile_argument_spec,
)
from ansible_collections.opencitrix.automation.plugins.module_utils.xenmobile.device_actions import (
    ACTIONS, TARGET_OPTIONS, action_diff, action_params, apply_device_action, preflight,
)
from ansible_collections.opencitrix.automation.plugins.module_utils.xenmobile.devices import device_listing_spec


def argument_spec():
    spec = dict(
        action=dict(type='str', required=True, choices=list(ACTIONS)),
        id=dict(type='list', elements='str'),
        serial_number=dict(type='list', elements='str'),
        user=dict(type='list', elements='str'),
        confirm=dict(type='bool', default=False),
        lock_message=dict(type='str'),
        phone_number=dict(type='str'),
        new_pin_code=dict(type='str', no_log=True),
        erase_memory_card=dict(type='bool'),
        concurrency=dict(type='int', default=8),
    )
    spec.update(device_listing_spec())
    spec.update(fleet_argument_spec())
    return spec


def main():
    module = CitrixModule(argument_spec(), connection_spec=xenmobile_argument_spec())
    p = module.params
    targets = dict(ids=p['id'], serials=p['serial_number'], users=p['user'], filter_ids=p['filter_ids'])
    with module.handle_errors():
        check_targets(p, TARGET_OPTIONS, noun='device', scope='server')
        preflight(p['action'], p['confirm'], max_targets=p['max_targets'], **targets)
        with XenMobileClient.from_params(p, redactor=module.redactor, log=module.debug_log) as client:
            fleet = apply_device_action(
                client, p['action'], all_targets=p['all_targets'], api=p['api'], page_size=p['page_size'],
                check_mode=module.check_mode, max_targets=p['max_targets'], concurrency=p['concurrency'],
                params=action_params(p['action'], p['lock_message'], p['phone_number'], p['new_pin_code'],
                                     p['erase_memory_card']), **targets)
    module.exit_fleet(fleet, 'devices', diff=action_diff(fleet),
                      acted_on=[item['name'] for item in fleet.with_outcome('changed')])


if __name__ == '__main__':
    main()
