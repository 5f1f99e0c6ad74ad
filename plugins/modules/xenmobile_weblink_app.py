#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: xenmobile_weblink_app
short_description: Add, update or delete a web link app on a XenMobile server
version_added: 0.2.0
description:
  - Makes sure the web link app O(name) (an app that opens O(link_url)) exists with the given settings, or is gone.
  - Idempotent by name. The app is found through the application filter and read
    (C(GET /xenmobile/api/v1/application/weblink/{containerId})); a missing app is added
    (C(POST .../application/weblink)); an app whose O(link_url), O(description), O(vpn), O(categories) or
    O(delivery_groups) differ from the options given is updated (C(PUT .../application/weblink/{containerId}));
    options left out are not compared. O(state=absent) deletes it (C(DELETE .../application/{containerId})).
  - An app of another type with the same name is an error, never changed.
author:
  - opencitrix maintainers (@opencitrix)
requirements:
  - requests
options:
  link_url:
    description: The address the app opens (the API's C(loginUrl)). Required with O(state=present).
    type: str
  vpn:
    description: Whether the app needs the VPN (Secure Web) to open.
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
- name: The intranet as an app on every enrolled device
  opencitrix.automation.xenmobile_weblink_app:
    name: Intranet
    link_url: https://intranet.example.com/
    vpn: true
    categories: [Default]
    delivery_groups: [AllUsers]

- name: Retire the old portal
  opencitrix.automation.xenmobile_weblink_app:
    name: Old Portal
    state: absent
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
    link_url:
      description: The address the app opens.
      type: str
    vpn:
      description: Whether the app needs the VPN.
      type: bool
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
  sample: {id: 7, name: Intranet, link_url: "https://intranet.example.com/", vpn: true, description: Intranet,
           categories: [Default], delivery_groups: [AllUsers], disabled: false}
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
  description: The options whose values differed (what an update changed).
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
    module = CitrixModule(catalog_argument_spec('weblink'), connection_spec=xenmobile_argument_spec(),
                          required_if=[('state', 'present', ('link_url',))])
    params = module.params
    with module.handle_errors(changed=False, action='none', app=None):
        with XenMobileClient.from_params(params, redactor=module.redactor, log=module.debug_log) as client:
            change = ensure_catalog_app(client, 'weblink', params['name'], params['state'], module.check_mode,
                                        **desired_of('weblink', params))
    module.exit_change(change, 'app', check_mode=module.check_mode)


if __name__ == '__main__':
    main()
