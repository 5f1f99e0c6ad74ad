#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: storefront_resource_info
short_description: List the applications, desktops and documents a StoreFront store offers a user
version_added: 0.1.0
description:
  - Enumerates the resources of a StoreFront store through the Store Services API (resources v2), as
    Citrix Workspace app does, signing in through the CitrixAuth token flow.
  - Returns each resource's id, title, type, folder path, description, subscription status and launch,
    icon and image URLs; or a single resource with O(id).
  - An enumeration the store reports as C(partial) (some delivery controllers did not answer) returns
    the resources with a warning, or fails with O(allow_partial=false); one reported as C(failed) fails.
author:
  - opencitrix maintainers (@opencitrix)
requirements:
  - requests
  - xmltodict
  - defusedxml
options:
  id:
    description:
      - Return only the resource with this id (for example V(Controller.Notepad)), read from its own
        details URL after an enumeration has found it. Fails when the store has no such resource.
    type: str
  auto_provision:
    description:
      - Use the store's C(ListResourcesWithAutoProvision) enumeration (C(resources/v2)), which subscribes
        the user to auto-provisioned applications that were never subscribed, as Citrix Workspace app does.
      - By default the C(ListResources) enumeration (C(resources/v2/withoutautoprovision)) is used, which
        changes nothing. In check mode auto-provisioning is never used.
    type: bool
    default: false
  scope:
    description:
      - Enumeration scope passed to the store, V($PRELAUNCH$) or V($ANONYMOUS_PRELAUNCH$) (the PNAgent
        pre-launch optimisations); V(prelaunch) and V(anonymous_prelaunch) are accepted for them.
      - The store checks the value and refuses others with HTTP 400, whose reason the failure shows.
    type: str
  groups:
    description:
      - Element groups to return (the store's C(group) parameter), for example V(core), V(sub), V(status),
        V(launch), V(keywords), V(images), V(icon), V(vm). By default all elements are returned.
      - Elements outside the requested groups come back as V(null) (or V(false) and empty values where the
        API says a missing element means that).
    type: list
    elements: str
  subscription_status:
    description:
      - Only return resources with these subscription statuses (V(subscribed), V(notSubscribed),
        V(approved), V(denied), or a workflow status). Filtered by the store.
    type: list
    elements: str
  folder:
    description:
      - Only return resources in this folder or below it, for example V(Office) or V(\\Office\\Tools\\).
        Case-insensitive; both separators are accepted.
    type: str
  client_name:
    description:
      - Client name sent with the enumeration (the API's C(clientName)). Citrix Workspace app sends the client's
        host name; workspace control needs the same value in every call of one client.
    type: str
  client_address:
    description: Client IP address sent with the enumeration (C(clientAddress)); used by Zone Preference.
    type: str
  device_id:
    description: Device id sent with the enumeration (C(deviceId)).
    type: str
  allow_partial:
    description:
      - What to do when the store reports a C(partial) enumeration. V(true) returns what was enumerated with a
        warning; V(false) fails.
    type: bool
    default: true
extends_documentation_fragment:
  - opencitrix.automation.storefront
  - opencitrix.automation.transport
  - opencitrix.automation.attributes
  - opencitrix.automation.attributes.info_module
  - opencitrix.automation.attributes.storefront
'''

EXAMPLES = r'''
- name: List everything the user sees (connection from STOREFRONT_* environment variables)
  opencitrix.automation.storefront_resource_info:
  register: store

- name: Subscribed applications in the Office folder
  opencitrix.automation.storefront_resource_info:
    store_url: https://storefront.example.com/Citrix/Store
    username: EXAMPLE\jdoe
    password: "{{ storefront_password }}"
    subscription_status: subscribed
    folder: Office
  register: office_apps

- name: Fail unless Notepad can be launched
  opencitrix.automation.storefront_resource_info:
    id: Controller.Notepad
  register: notepad
  failed_when: not notepad.resources[0].enabled or notepad.resources[0].launch_url is none

- name: Pre-launch scope, every delivery controller must answer
  opencitrix.automation.storefront_resource_info:
    scope: $PRELAUNCH$
    allow_partial: false
'''

RETURN = r'''
resources:
  description: The resources, in the store's order (one with O(id)).
  returned: success
  type: list
  elements: dict
  contains:
    id:
      description: Id unique within the store; starts with the farm or controller name.
      type: str
      sample: Controller.Notepad
    title:
      description: Display name.
      type: str
      sample: Notepad
    description:
      description: Description (the API's C(summary)).
      type: str
      sample: Notepad
    type:
      description: C(Citrix.MPS.Application), C(Citrix.MPS.Desktop) or C(Citrix.MPS.Document).
      type: str
    path:
      description: Folder path as the farm publishes it.
      type: str
      sample: '\Office\Tools\'
    folder:
      description: The same path with C(/) separators and no leading or trailing one; empty for the root.
      type: str
      sample: Office/Tools
    enabled:
      description: Whether the resource is enabled.
      type: bool
    client_types:
      description: Clients it can be launched with (C(ica30), C(rdp), C(rade)...).
      type: list
      elements: str
    keywords:
      description: Keywords from the published description.
      type: list
      elements: str
    properties:
      description: Properties from the published description, each a list of values.
      type: dict
    details_url:
      description: URL of the resource's own details.
      type: str
    launch_url:
      description: ICA launch URL.
      type: str
    launch_rade_url:
      description: Streaming (RADE) launch URL, if any.
      type: str
    image_url:
      description: URL of the resource's best image.
      type: str
    icon_url:
      description: URL of its icon file.
      type: str
    image_hash:
      description: Hash of the image data; equal hashes mean equal images.
      type: str
    power_off_url:
      description: Power-off URL of a XenDesktop desktop.
      type: str
    content_location:
      description: Location of a published document.
      type: str
    mandatory:
      description: Always subscribed and cannot be unsubscribed.
      type: bool
    featured:
      description: Marked as featured or recommended.
      type: bool
    show_on_desktop:
      description: Shown as a desktop shortcut.
      type: bool
    show_on_start_menu:
      description: Shown in the start menu.
      type: bool
    start_menu_root:
      description: Start menu root location.
      type: str
    start_menu_path:
      description: Start menu location below the root.
      type: str
    workflow_enabled:
      description: Subscription goes through an approval workflow.
      type: bool
    aggregated:
      description: Aggregated from several farms.
      type: bool
    publisher_name:
      description: Publisher (the farm name for XenApp).
      type: str
      sample: Farm1
    publisher_resource_id:
      description: The publisher's own id for the resource.
      type: str
    subscription_status:
      description: C(notSubscribed), C(subscribed), C(approved), C(denied), or a workflow state.
      type: str
    subscription_id:
      description: Subscription id.
      type: str
    subscription_url:
      description: URL that subscribes or unsubscribes the user.
      type: str
    subscription_response_reason:
      description: Reason given by the approval workflow.
      type: str
enumeration:
  description: How complete the store says the enumeration is.
  returned: success
  type: str
  sample: full
  choices: [full, partial, failed]
subscriptions_status:
  description: State of the store's subscriptions (C(enabled), C(disabled), C(unavailable)).
  returned: success
  type: str
  sample: enabled
folders:
  description: Every folder of the resources read (before O(folder) filtering), sorted; C('') is the root.
  returned: success
  type: list
  elements: str
  sample: ['', Office, Office/Tools]
'''

from ansible_collections.opencitrix.automation.plugins.module_utils.module import CitrixModule
from ansible_collections.opencitrix.automation.plugins.module_utils.storefront.client import (
    LIBRARIES, StoreFrontClient, storefront_argument_spec,
)
from ansible_collections.opencitrix.automation.plugins.module_utils.storefront.resources import (
    Resources, client_identity, client_identity_spec, enumeration_problem, listing_result,
)


def main():
    module = CitrixModule(
        argument_spec=dict(
            id=dict(type='str'),
            auto_provision=dict(type='bool', default=False),
            scope=dict(type='str'),
            groups=dict(type='list', elements='str'),
            subscription_status=dict(type='list', elements='str'),
            folder=dict(type='str'),
            allow_partial=dict(type='bool', default=True),
            **client_identity_spec()
        ),
        connection_spec=storefront_argument_spec(),
        libraries=LIBRARIES,
    )
    params = module.params
    with module.handle_errors():
        client = StoreFrontClient.from_params(params, redactor=module.redactor, log=module.debug_log)
        if params['auto_provision'] and module.check_mode:
            module.warn('Check mode: enumerated without auto-provisioning, so no subscription was made')
        listing = Resources(client).read(params['id'], params['auto_provision'] and not module.check_mode,
                                         params['groups'], params['subscription_status'], params['scope'],
                                         client_identity(params))
    result = listing_result(listing, params['folder'])
    problem = enumeration_problem(listing, params['allow_partial'])
    if problem and problem[0] == 'failure':
        module.fail_json(msg=problem[1], changed=False, **result)
    if problem:
        module.warn(problem[1])
    module.exit_json(changed=False, **result)


if __name__ == '__main__':
    main()
