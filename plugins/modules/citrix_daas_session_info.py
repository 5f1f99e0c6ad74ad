#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: citrix_daas_session_info
short_description: List the user sessions of a Citrix DaaS site
version_added: 0.1.0
description:
  - Reads every session of a Citrix DaaS site, or of an on-premises site (see O(ddc_url)), 1000 per request
    (C(GET /Sessions) with C(limit) and C(continuationToken)), and keeps those matching all the filters given.
  - With O(machine) naming a few machines as C(DOMAIN\\NAME), only those machines' sessions are read.
  - An empty entry in O(user) or O(machine) fails the task instead of being ignored.
  - Each session is returned with the full record the API gives (applications in use, client, how it was launched
    and connected, logon state, SmartAccess tags...), or only the facts named in O(fields), which are then the only
    properties read from the API.
  - A hibernated site (HTTP 530) fails the task with one line saying how to wake it; this module never activates a
    site.
author:
  - opencitrix maintainers (@opencitrix)
requirements:
  - requests
options:
  user:
    description:
      - Only sessions of these users, as C(DOMAIN\\user), C(user) or user principal name. Case-insensitive.
    type: list
    elements: str
  machine:
    description: Only sessions on these machines, as C(DOMAIN\\NAME), C(NAME) or DNS name. Case-insensitive.
    type: list
    elements: str
  state:
    description: Only sessions in these states.
    type: list
    elements: str
    choices: [Active, Connected, Disconnected, Unknown]
  fields:
    description:
      - Facts to return for each session (C(id) always comes too). Not set - every fact.
      - Only the API properties these facts (and the filters) need are read.
    type: list
    elements: str
    choices: [id, state, user, user_principal_name, session_type, app_state, applications_in_use, machine,
              machine_dns_name, catalog, delivery_group, start_time, state_change_time, logon_in_progress,
              logoff_in_progress, client_name, client_address, client_platform, client_version, protocol,
              launched_via_host_name, launched_via_ip, connected_via_host_name, connected_via_ip, smart_access_tags]
extends_documentation_fragment:
  - opencitrix.automation.daas
  - opencitrix.automation.citrix_cloud
  - opencitrix.automation.transport
  - opencitrix.automation.attributes
  - opencitrix.automation.attributes.info_module
  - opencitrix.automation.attributes.daas
'''

EXAMPLES = r'''
- name: Every session of the site
  opencitrix.automation.citrix_daas_session_info:
  register: all_sessions

- name: Disconnected sessions of one user
  opencitrix.automation.citrix_daas_session_info:
    user: CORP\jdoe
    state: Disconnected
  register: jdoe_disconnected

- name: Which client platforms and Receiver versions connect, and through which Gateway
  opencitrix.automation.citrix_daas_session_info:
    fields: [user, client_platform, client_version, connected_via_host_name]
  register: clients
'''

RETURN = r'''
sessions:
  description: The sessions, in API order, with every fact below (or those of O(fields)).
  returned: success
  type: list
  elements: dict
  contains:
    id:
      description: Session ID.
      type: str
    state:
      description: V(Active), V(Connected), V(Disconnected) or V(Unknown).
      type: str
    user:
      description: User name as C(DOMAIN\\user).
      type: str
    user_principal_name:
      description: User principal name.
      type: str
    session_type:
      description: V(Desktop) or V(Application).
      type: str
    app_state:
      description: Application state of the session (for example V(Active), V(PreLaunched), V(Lingering)).
      type: str
    applications_in_use:
      description: Names of the applications running in the session.
      type: list
      elements: str
    machine:
      description: Name of the machine running the session (C(DOMAIN\\NAME)).
      type: str
    machine_dns_name:
      description: DNS name of that machine.
      type: str
    catalog:
      description: Machine catalog of that machine.
      type: str
    delivery_group:
      description: Delivery group of that machine.
      type: str
    start_time:
      description: When the session started (RFC 3339).
      type: str
    state_change_time:
      description: When the session last changed state (RFC 3339).
      type: str
    logon_in_progress:
      description: Whether the user is still logging on.
      type: bool
    logoff_in_progress:
      description: Whether the session is logging off.
      type: bool
    client_name:
      description: Name of the client device.
      type: str
    client_address:
      description: IP address of the client device.
      type: str
    client_platform:
      description: Platform of the Citrix Workspace app (for example V(Windows), V(Mac), V(HTML5)).
      type: str
    client_version:
      description: Version of the Citrix Workspace app.
      type: str
    protocol:
      description: Display protocol (for example V(Hdx)).
      type: str
    launched_via_host_name:
      description: Host name of the StoreFront server the session was launched through.
      type: str
    launched_via_ip:
      description: IP address of that StoreFront server.
      type: str
    connected_via_host_name:
      description: Host name the connection comes through (usually a Gateway), or null for a direct connection.
      type: str
    connected_via_ip:
      description: IP address the connection comes through.
      type: str
    smart_access_tags:
      description: SmartAccess tags of the session (C(Farm:Filter) as the Gateway sets them).
      type: list
      elements: str
  sample:
    - id: 41ba32e9-d12b-485c-afd2-c4d0d047cd8b
      state: Disconnected
      user: CORP\jdoe
      user_principal_name: jdoe@corp.example.com
      session_type: Application
      app_state: Active
      applications_in_use: [Microsoft Excel, SAP Logon]
      machine: CORP\APPS-0003
      machine_dns_name: apps-0003.corp.example.com
      catalog: Win2022-Apps
      delivery_group: Published Apps
      start_time: '2026-11-16T14:01:04Z'
      state_change_time: '2026-11-16T14:02:49Z'
      logon_in_progress: false
      logoff_in_progress: false
      client_name: LAPTOP-42
      client_address: 10.107.1.120
      client_platform: Windows
      client_version: 23.11.0.23
      protocol: Hdx
      launched_via_host_name: storefront.corp.example.com
      launched_via_ip: 20.62.252.155
      connected_via_host_name: gateway.corp.example.com
      connected_via_ip: 10.107.1.34
      smart_access_tags: [CorpGateway:ManagedDevice]
'''

from ansible_collections.opencitrix.automation.plugins.module_utils.daas.argspec import daas_argument_spec
from ansible_collections.opencitrix.automation.plugins.module_utils.daas.client import DaasClient
from ansible_collections.opencitrix.automation.plugins.module_utils.daas.sessions import (
    FACT_NAMES, SESSION_STATES, Sessions, api_fields, session_facts,
)
from ansible_collections.opencitrix.automation.plugins.module_utils.module import CitrixModule


def main():
    module = CitrixModule(
        argument_spec=dict(
            user=dict(type='list', elements='str'),
            machine=dict(type='list', elements='str'),
            state=dict(type='list', elements='str', choices=SESSION_STATES),
            fields=dict(type='list', elements='str', choices=FACT_NAMES),
        ),
        connection_spec=daas_argument_spec(),
    )
    params = module.params
    with module.handle_errors():
        client = DaasClient.from_params(params, redactor=module.redactor, log=module.debug_log)
        sessions, _missing = Sessions(client).find(users=params['user'], machines=params['machine'],
                                                   states=params['state'], all_targets=True,
                                                   fields=api_fields(params['fields']))
    module.exit_json(changed=False, sessions=[session_facts(s, params['fields']) for s in sessions])


if __name__ == '__main__':
    main()
