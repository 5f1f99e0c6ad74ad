#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: xenmobile_app
short_description: Upload an enterprise app package to a XenMobile server, or delete the app
version_added: 0.1.0
description:
  - Makes sure the enterprise app O(name) on the server has a package for O(platform), of O(version) when
    given, by uploading O(file). This is the production half of moving an app from a test server; read
    its details there with M(opencitrix.automation.xenmobile_app_info) and pass them here.
  - Idempotent by app name, platform and version. No app of that name yet creates the app
    (C(POST /xenmobile/api/v1/application/mobile/enterprise/{platform})); an app without a package for
    O(platform) gets one, and an app whose package for O(platform) has another version than O(version)
    gets the new package (both C(POST .../enterprise/{platform}/{containerId})).
  - O(state=absent) deletes the app with all its platforms (C(DELETE /xenmobile/api/v1/application/{containerId})).
  - "What the public API does not allow, and this module therefore does not do: download a package
    from a server (so a package must come from a file you have, not from the test server); change the
    description, categories, delivery groups or schedule of an app that exists (they are used when
    the app is created); manage MDX apps. Web link and public store apps have their own modules,
    M(opencitrix.automation.xenmobile_weblink_app) and M(opencitrix.automation.xenmobile_store_app)."
author:
  - opencitrix maintainers (@opencitrix)
requirements:
  - requests
options:
  name:
    description: Name of the enterprise app (the container name).
    type: str
    required: true
  state:
    description: V(present) uploads as needed, V(absent) deletes the app.
    type: str
    choices: [present, absent]
    default: present
  platform:
    description: Platform of the package. Required with O(state=present).
    type: str
    choices: [ios, android, android_work, android_knox, windows, windows_tab]
  file:
    description:
      - Package file on the controller (C(.ipa), C(.apk), ...). Required with O(state=present); read only
        when an upload is needed (also in check mode, where its presence is checked).
    type: path
  version:
    description:
      - Version the package in O(file) carries. When the app's package for O(platform) has another
        version, the file is uploaded. Without it, any package for O(platform) counts as up to date.
      - The server reads the version from the package itself; if it reports another version after the
        upload, the module warns, because the next run would upload again.
    type: str
  description:
    description: Description, used when the app is created.
    type: str
  categories:
    description: Categories, used when the app is created.
    type: list
    elements: str
  delivery_groups:
    description: Delivery groups, used when the app is created.
    type: list
    elements: str
  workflow_template:
    description: Name of the workflow template, used when the app is created.
    type: str
extends_documentation_fragment:
  - opencitrix.automation.xenmobile
  - opencitrix.automation.xenmobile.deployment
  - opencitrix.automation.transport
  - opencitrix.automation.attributes
  - opencitrix.automation.attributes.xenmobile
attributes:
  check_mode:
    support: full
    details: Reads the app and reports the upload or deletion it would do.
  diff_mode:
    support: full
    details: Shows the app's package versions per platform before and after.
notes:
  - "Least-privilege RBAC role: C(Public API access) and C(Apps) (add, edit and delete apps)."
'''

EXAMPLES = r'''
- name: Expenses for iOS on production, version 2.1.0
  opencitrix.automation.xenmobile_app:
    url: https://xms.example.com:4443
    username: api-apps
    password: "{{ xenmobile_password }}"
    name: Expenses
    platform: ios
    file: /srv/packages/Expenses-2.1.0.ipa
    version: 2.1.0
    description: Travel expenses
    categories: [Finance]
    delivery_groups: [AllUsers]

- name: Remove an app with all its platforms
  opencitrix.automation.xenmobile_app:
    name: Old Portal
    state: absent
'''

RETURN = r'''
action:
  description: What was (or in check mode would be) done, V(created), V(platform_added), V(upgraded), V(deleted) or V(none).
  returned: always
  type: str
  sample: upgraded
check_mode:
  description: Whether the module ran in check mode, so that RV(action) is a plan (also set by a task-level C(check_mode)).
  returned: always
  type: bool
  sample: false
app:
  description: The app after the task; null when it does not exist.
  returned: always
  type: dict
  contains:
    id:
      description: Container id (null for an app that check mode would create).
      type: int
    name:
      description: App name.
      type: str
    versions:
      description: Package version per platform.
      type: dict
  sample: {id: 12, name: Expenses, versions: {ios: 2.1.0, android: 2.1.0}}
'''

from ansible_collections.opencitrix.automation.plugins.module_utils.module import CitrixModule
from ansible_collections.opencitrix.automation.plugins.module_utils.xenmobile.apps import (
    ENTERPRISE_PLATFORMS, Apps, deployment_spec,
)
from ansible_collections.opencitrix.automation.plugins.module_utils.xenmobile.client import (
    XenMobileClient, xenmobile_argument_spec,
)

CREATION_DETAILS = ('description', 'categories', 'delivery_groups', 'workflow_template', 'deployment')


def argument_spec():
    return dict(
        name=dict(type='str', required=True),
        state=dict(type='str', default='present', choices=['present', 'absent']),
        platform=dict(type='str', choices=list(ENTERPRISE_PLATFORMS)),
        file=dict(type='path'),
        version=dict(type='str'),
        description=dict(type='str'),
        categories=dict(type='list', elements='str'),
        delivery_groups=dict(type='list', elements='str'),
        workflow_template=dict(type='str'),
        deployment=deployment_spec(),
    )


def main():
    module = CitrixModule(argument_spec(), connection_spec=xenmobile_argument_spec(),
                          required_if=[('state', 'present', ('platform', 'file'))])
    params = module.params
    with module.handle_errors(changed=False, action='none', app=None, check_mode=module.check_mode):
        with XenMobileClient.from_params(params, redactor=module.redactor, log=module.debug_log) as client:
            apps = Apps(client)
            if params['state'] == 'absent':
                change = apps.ensure_absent(params['name'], check_mode=module.check_mode)
            else:
                details = dict((key, params[key]) for key in CREATION_DETAILS)
                change = apps.ensure_present(params['name'], params['platform'], params['file'], params['version'],
                                             check_mode=module.check_mode, **details)
    module.exit_change(change, 'app', check_mode=module.check_mode)


if __name__ == '__main__':
    main()
