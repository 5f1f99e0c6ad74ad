#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: storefront_subscription
short_description: Subscribe or unsubscribe a StoreFront user to applications, desktops and documents
version_added: 0.2.0
description:
  - Subscribes the signed-in user to the store's resources named in O(resources) (ids or titles), or unsubscribes
    them, through the Store Services API's subscriptions service (C(POST) of a C(subscriptionUpdate) to the
    resource's C(subscriptionactions) URL), as Citrix Workspace app does when a user adds an app to favourites.
  - Idempotent. The store is enumerated first (C(resources/v2/withoutautoprovision), which changes nothing) and only
    resources whose subscription status differs get an update. A resource already subscribed (or, for
    V(unsubscribed), not subscribed) is left alone; so is one whose approval workflow is still running.
  - A resource with an approval workflow answers C(202 Accepted); its status becomes the workflow's until someone
    approves it, and a later run leaves it alone while the workflow runs.
  - Mandatory resources cannot be unsubscribed (the store always subscribes them); they are skipped with that reason.
  - A name the store does not offer the user fails that resource; every other resource is still handled, and the
    task fails at the end naming the failures.
  - Subscriptions belong to the user signed in (O(username), or the owner of O(token)).
author:
  - opencitrix maintainers (@opencitrix)
requirements:
  - requests
  - xmltodict
  - defusedxml
options:
  resources:
    description:
      - Resources by id (for example V(Controller.Notepad), matched exactly) or title (case-insensitive).
      - An empty list, or an empty entry, fails before any request.
    type: list
    elements: str
    required: true
  state:
    description: V(subscribed) or V(unsubscribed).
    type: str
    choices: [subscribed, unsubscribed]
    default: subscribed
  client_name:
    description: Client name sent with the enumeration and each update (C(clientName)).
    type: str
  client_address:
    description: Client IP address sent with the enumeration (C(clientAddress)).
    type: str
  device_id:
    description: Device id sent with the enumeration (C(deviceId)).
    type: str
extends_documentation_fragment:
  - opencitrix.automation.storefront
  - opencitrix.automation.transport
  - opencitrix.automation.attributes
  - opencitrix.automation.attributes.storefront
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
'''

EXAMPLES = r'''
- name: Give a new starter the usual applications
  opencitrix.automation.storefront_subscription:
    username: EXAMPLE\jdoe
    password: "{{ jdoe_password }}"
    resources: [Microsoft Word, Microsoft Excel, Farm1.SAP GUI]

- name: Remove a retired application from the favourites of the service account
  opencitrix.automation.storefront_subscription:
    resources: [Controller.LegacyCRM]
    state: unsubscribed
'''

RETURN = r'''
subscriptions:
  description: One entry per resource named.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: The resource id (or the name given, when nothing matched it).
      type: str
    title:
      description: The resource's title.
      type: str
    outcome:
      description: V(changed), V(unchanged), V(skipped) or V(failed).
      type: str
    reason:
      description: Why the resource was not changed, or the error.
      type: str
    status_before:
      description: Subscription status before the task (C(notSubscribed), C(subscribed), C(approved), C(denied), or a workflow state).
      type: str
    status_after:
      description: Subscription status the store answered (or would, in check mode).
      type: str
  sample:
    - {name: Farm2.Microsoft Word 1, id: Farm2.Microsoft Word 1, title: Microsoft Word 1, outcome: changed,
       reason: null, status_before: notSubscribed, status_after: subscribed}
counts:
  description: Resources per outcome.
  returned: always
  type: dict
'''

from ansible_collections.opencitrix.automation.plugins.module_utils.module import CitrixModule
from ansible_collections.opencitrix.automation.plugins.module_utils.storefront.client import (
    LIBRARIES, StoreFrontClient, storefront_argument_spec,
)
from ansible_collections.opencitrix.automation.plugins.module_utils.storefront.launch import check_names
from ansible_collections.opencitrix.automation.plugins.module_utils.storefront.resources import (
    client_identity, client_identity_spec,
)
from ansible_collections.opencitrix.automation.plugins.module_utils.storefront.subscriptions import (
    Subscriptions, subscription_diff,
)


def argument_spec():
    spec = dict(
        resources=dict(type='list', elements='str', required=True),
        state=dict(type='str', choices=['subscribed', 'unsubscribed'], default='subscribed'),
    )
    spec.update(client_identity_spec())
    return spec


def main():
    module = CitrixModule(argument_spec(), connection_spec=storefront_argument_spec(),
                          libraries=LIBRARIES)
    params = module.params
    with module.handle_errors():
        check_names(params['resources'])
        client = StoreFrontClient.from_params(params, redactor=module.redactor, log=module.debug_log)
        fleet = Subscriptions(client).ensure(params['resources'], params['state'], client_identity(params),
                                             check_mode=module.check_mode)
    module.exit_fleet(fleet, 'subscriptions', diff=subscription_diff(fleet))


if __name__ == '__main__':
    main()
