#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: xenmobile_store_app
short_description: Add, update or delete a public store app (App Store, Google Play, Microsoft Store) on XenMobile
version_added: 0.2.0
description:
  - Makes sure the public store app O(name) exists, with a store link for each platform in O(platforms) and the
    settings given, or is gone. The server fetches the app itself from the public store.
  - Idempotent by name. The app is found through the application filter and read
    (C(GET /xenmobile/api/v1/application/store/{containerId})); a missing app is added (C(POST .../application/store));
    an app whose O(description), O(categories) or O(delivery_groups) differ, that lacks a platform of O(platforms),
    or whose platform settings differ, is updated with one C(PUT .../application/store/{containerId}) that names
    only what changes. Options left out are not compared.
  - A platform's C(store_url) is used when the platform is added and is not compared afterwards, because the
    server keeps its own form of the link (App Store links come back with C(&uo=4)). Platforms the app has and
    O(platforms) does not name are left alone (the API's update never removes one).
  - O(state=absent) deletes the app with all its platforms (C(DELETE .../application/{containerId})).
  - An app of another type with the same name is an error, never changed.
author:
  - opencitrix maintainers (@opencitrix)
requirements:
  - requests
options:
  platforms:
    description:
      - A store link per platform. The entries have the form that M(opencitrix.automation.xenmobile_app_info)
        returns as C(store_platforms) with O(opencitrix.automation.xenmobile_app_info#module:details=true),
        so a test server's app can be passed as is.
    type: list
    elements: dict
    suboptions:
      platform:
        description: The platform.
        type: str
        required: true
        choices: [iphone, ipad, android, android_work, windows, windows_phone]
      store_url:
        description: The app's page in the public store. Needed when the platform is added.
        type: str
      display_name:
        description: Name shown in the app store of Secure Hub.
        type: str
      description:
        description: Description of the platform's app.
        type: str
      remove_with_mdm:
        description: Remove the app when the device leaves device management.
        type: bool
      prevent_backup:
        description: Keep the app's data out of device backups.
        type: bool
      change_management_state:
        description: Take over the app when the user installed it before (iOS).
        type: bool
extends_documentation_fragment:
  - opencitrix.automation.xenmobile
  - opencitrix.automation.xenmobile.catalog_app
  - opencitrix.automation.xenmobile.deployment
  - opencitrix.automation.transport
  - opencitrix.automation.attributes
  - opencitrix.automation.attributes.xenmobile
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
notes:
  - "Least-privilege RBAC role: C(Public API access) and C(Apps)."
'''

EXAMPLES = r'''
- name: Microsoft Teams from the public stores
  opencitrix.automation.xenmobile_store_app:
    name: Microsoft Teams
    delivery_groups: [AllUsers]
    platforms:
      - platform: iphone
        store_url: https://apps.apple.com/us/app/microsoft-teams/id1113153706
        remove_with_mdm: true
      - platform: android
        store_url: https://play.google.com/store/apps/details?id=com.microsoft.teams
'''

RETURN = r'''
app:
  description: The app after the task (what check mode expects it to be), or null when it is gone.
  returned: always
  type: dict
  contains:
    id:
      description: Container id (null for an app check mode would add).
      type: int
    name:
      description: App name.
      type: str
    description:
      description: Description.
      type: str
    categories:
      description: Categories.
      type: list
      elements: str
    delivery_groups:
      description: Delivery groups.
      type: list
      elements: str
    disabled:
      description: Whether the app is disabled.
      type: bool
    platforms:
      description: The app's platforms, in the form of O(platforms) (C(store_url) as the server keeps it).
      type: list
      elements: dict
  sample:
    id: 6
    name: Microsoft Teams
    description: Chat and meetings
    categories: [Default]
    delivery_groups: [AllUsers]
    disabled: false
    platforms:
      - {platform: iphone, store_url: "https://apps.apple.com/us/app/microsoft-teams/id1113153706?uo=4",
         display_name: Microsoft Teams, description: Chat and meetings, remove_with_mdm: true, prevent_backup: true,
         change_management_state: false}
action:
  description: V(created), V(updated), V(deleted) or V(none).
  returned: always
  type: str
check_mode:
  description: Whether the module ran in check mode, so that RV(action) is a plan (also set by a task-level C(check_mode)).
  returned: always
  type: bool
  sample: false
differences:
  description: The options whose values differed, and C(platform:<name>) for each platform added or updated.
  returned: always
  type: list
  elements: str
'''

from ansible_collections.opencitrix.automation.plugins.module_utils.module import CitrixModule
from ansible_collections.opencitrix.automation.plugins.module_utils.xenmobile.catalog import (
    catalog_argument_spec, desired_of, ensure_catalog_app,
)
from ansible_collections.opencitrix.automation.plugins.module_utils.xenmobile.client import (
    XenMobileClient, xenmobile_argument_spec,
)


def main():
    module = CitrixModule(catalog_argument_spec('store'), connection_spec=xenmobile_argument_spec())
    params = module.params
    with module.handle_errors(changed=False, action='none', app=None):
        with XenMobileClient.from_params(params, redactor=module.redactor, log=module.debug_log) as client:
            change = ensure_catalog_app(client, 'store', params['name'], params['state'], module.check_mode,
                                        **desired_of('store', params))
    module.exit_change(change, 'app', check_mode=module.check_mode)


if __name__ == '__main__':
    main()
