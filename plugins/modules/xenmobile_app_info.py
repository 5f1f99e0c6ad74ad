#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: xenmobile_app_info
short_description: List the apps of a XenMobile server
version_added: 0.1.0
description:
  - Lists apps through the application filter (C(POST /xenmobile/api/v1/application/filter)), page by page.
  - With O(details=true), also reads each selected app's container, a few requests at a time. An enterprise or
    MDX app's (C(GET /xenmobile/api/v1/application/mobile/{id})) gives its deployment schedule and its package per
    platform (version, OS limits), a web link's (C(GET .../application/weblink/{id})) its C(link_url) and C(vpn),
    a public store app's (C(GET .../application/store/{id})) its C(store_platforms). SaaS apps have no
    container the public API reads.
author:
  - opencitrix maintainers (@opencitrix)
requirements:
  - requests
options:
  name:
    description: Only apps with these exact names.
    type: list
    elements: str
  search:
    description: Only apps whose name contains this text (matched by the server).
    type: str
  filter_ids:
    description:
      - Filter ids of the application filter, for example V(application.type.enterprise),
        V(application.type.mdx), V(application.platform.ios) or V(application.category#Sales@_fn_@app.cat).
    type: list
    elements: str
  details:
    description: Read the container of every selected enterprise, MDX, web link and public store app (one request per app).
    type: bool
    default: false
  include_icon:
    description: Keep each app's base64 C(icon_data) in the result (left out by default to keep results small).
    type: bool
    default: false
  page_size:
    description: Apps per request of the application filter.
    type: int
    default: 1000
extends_documentation_fragment:
  - opencitrix.automation.xenmobile
  - opencitrix.automation.transport
  - opencitrix.automation.attributes
  - opencitrix.automation.attributes.info_module
  - opencitrix.automation.attributes.xenmobile
notes:
  - "Least-privilege RBAC role: C(Public API access) and C(Apps)."
'''

EXAMPLES = r'''
- name: Every app of the test server
  opencitrix.automation.xenmobile_app_info:
    url: https://xms-test.example.com:4443
    username: api-apps
    password: "{{ xenmobile_test_password }}"
  register: test_apps

- name: Enterprise apps with their package versions
  opencitrix.automation.xenmobile_app_info:
    filter_ids: [application.type.enterprise]
    details: true
  register: enterprise_apps

- name: Versions per platform of one app
  ansible.builtin.debug:
    msg: "{{ (enterprise_apps.apps | selectattr('name', 'equalto', 'Expenses') | first).versions }}"
'''

RETURN = r'''
apps:
  description: The apps with the API's fields in snake_case.
  returned: success
  type: list
  elements: dict
  contains:
    id:
      description: Container id.
      type: int
    name:
      description: App name.
      type: str
    app_type:
      description: App type as the API names it, for example V(Enterprise), V(MDX), V(App Store App).
      type: str
    description:
      description: Description.
      type: str
    categories:
      description: Categories.
      type: list
      elements: str
    versions:
      description: Package version per platform (V(ios), V(android), ...); only with O(details=true).
      type: dict
    packages:
      description:
        - The platforms that have a package, as a list of C(platform) and C(version) (for C(subelements));
          only with O(details=true).
      type: list
      elements: dict
    link_url:
      description: The address a web link app opens; only for web links, with O(details=true).
      type: str
    vpn:
      description: Whether a web link app needs the VPN; only for web links, with O(details=true).
      type: bool
    store_platforms:
      description:
        - A public store app's platforms, in the form of the C(platforms) option of
          M(opencitrix.automation.xenmobile_store_app) (C(platform), C(store_url), C(display_name), C(description),
          C(remove_with_mdm), C(prevent_backup), C(change_management_state)); only for store apps, with
          O(details=true).
      type: list
      elements: dict
    schedule:
      description: Deployment schedule (C(enable_deployment), C(deploy_schedule), ...).
      type: dict
  sample:
    - {id: 1, name: Expenses, app_type: Enterprise, description: Travel expenses, categories: [Default],
       versions: {ios: 2.1.0, android: 2.1.0}}
count:
  description: Number of apps returned.
  returned: success
  type: int
  sample: 8
'''

from ansible_collections.opencitrix.automation.plugins.module_utils.module import CitrixModule, snake_case
from ansible_collections.opencitrix.automation.plugins.module_utils.xenmobile.apps import Apps
from ansible_collections.opencitrix.automation.plugins.module_utils.xenmobile.client import (
    XenMobileClient, xenmobile_argument_spec,
)


def main():
    module = CitrixModule(
        argument_spec=dict(
            name=dict(type='list', elements='str'),
            search=dict(type='str'),
            filter_ids=dict(type='list', elements='str'),
            details=dict(type='bool', default=False),
            include_icon=dict(type='bool', default=False),
            page_size=dict(type='int', default=1000),
        ),
        connection_spec=xenmobile_argument_spec(),
    )
    params = module.params
    with module.handle_errors():
        with XenMobileClient.from_params(params, redactor=module.redactor, log=module.debug_log) as client:
            apps = Apps(client).listing(params['name'], params['search'], params['filter_ids'], params['details'],
                                        params['include_icon'], params['page_size'])
    module.exit_json(changed=False, apps=snake_case(apps), count=len(apps))


if __name__ == '__main__':
    main()
