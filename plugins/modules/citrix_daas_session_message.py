#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: citrix_daas_session_message
short_description: Send a message to the users of Citrix DaaS sessions
version_added: 0.1.0
description:
  - Shows a message box (title, text, style) in the sessions of given users, machines, delivery groups or machine tags
    of a Citrix DaaS site, or of an on-premises site (see O(ddc_url)) - C(POST /Sessions/{id}/$sendMessage), one per
    session, hundreds of them in one C($batch) request (see O(batch)). Sessions must match every option given.
  - A message leaves no trace on its session, so when a batch's answer is lost its messages are reported as failed
    and not sent again (the users may have seen them).
  - It always acts, like O(opencitrix.automation.citrix_daas_machine_power#module:state=restarted) - every run sends the
    message again and reports C(changed) when it reached a session. In check mode it lists the sessions it would reach
    and sends nothing.
  - Messaging every session of the site takes O(all_targets=true); an empty target (or an empty entry in one) fails the
    task before any request. O(max_targets) caps how many sessions may get the message; over it, none does.
  - Every message is sent before failures are reported; if any session failed, the task fails after the others,
    naming them.
author:
  - opencitrix maintainers (@opencitrix)
requirements:
  - requests
options:
  text:
    description: The message.
    type: str
    required: true
  title:
    description: Title of the message box.
    type: str
  style:
    description: Style of the message box (its icon).
    type: str
    choices: [Information, Exclamation, Critical, Question]
    default: Information
  user:
    description: Sessions of these users, as C(DOMAIN\\user), C(user) or user principal name. Case-insensitive.
    type: list
    elements: str
  machine:
    description: Sessions on these machines, as C(DOMAIN\\NAME), C(NAME) or DNS name. Case-insensitive.
    type: list
    elements: str
  delivery_group:
    description: Sessions on machines of these delivery groups (names or IDs). Case-insensitive.
    type: list
    elements: str
  tag:
    description: Sessions on machines with at least one of these tags (names). Case-insensitive.
    type: list
    elements: str
  concurrency:
    description:
      - Requests in flight at once when they are sent one per session (O(batch=false), or a site without C($batch); at
        most 32).
    type: int
    default: 25
extends_documentation_fragment:
  - opencitrix.automation.daas
  - opencitrix.automation.daas.SITE_ACTIVATION
  - opencitrix.automation.daas.BATCH
  - opencitrix.automation.fleet
  - opencitrix.automation.citrix_cloud
  - opencitrix.automation.transport
  - opencitrix.automation.attributes
  - opencitrix.automation.attributes.daas
attributes:
  check_mode:
    support: full
    details: Reads the sessions and lists those it would message; sends nothing.
  diff_mode:
    support: none
    details: A message changes no state to compare.
'''

EXAMPLES = r'''
- name: Warn the users of a delivery group before maintenance
  opencitrix.automation.citrix_daas_session_message:
    delivery_group: Win11 Desktops
    title: Maintenance at 22:00
    text: Please save your work and log off before 22:00. Your desktop restarts then.
    style: Exclamation

- name: Tell one user their desktop is ready
  opencitrix.automation.citrix_daas_session_message:
    user: CORP\jdoe
    text: Your new applications are installed.
'''

RETURN = r'''
sessions:
  description: One entry per session messaged (in check mode, that would be), in API order.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: Session ID.
      type: str
    name:
      description: Session ID (the name failures are reported under).
      type: str
    user:
      description: User name (C(DOMAIN\\user)).
      type: str
    machine:
      description: Machine name (C(DOMAIN\\NAME)).
      type: str
    state:
      description: Session state when the task read it.
      type: str
    outcome:
      description: V(changed) (messaged) or V(failed).
      type: str
    reason:
      description: What failed (the API's error), or null.
      type: str
    transaction_id:
      description:
        - The C(Citrix-TransactionId) the server answered the message with, by which Citrix support can trace
          it; null when no request was sent for this session.
      type: str
  sample:
    - id: 41ba32e9-d12b-485c-afd2-c4d0d047cd8b
      name: 41ba32e9-d12b-485c-afd2-c4d0d047cd8b
      user: CORP\jdoe
      machine: CORP\W11-0001
      state: Active
      outcome: changed
      reason: null
      transaction_id: 5d3c1a7e-0f42-4b8e-9a61-2c7d9e0b4f13
counts:
  description: How many sessions had each outcome.
  returned: always
  type: dict
  sample: {changed: 12, unchanged: 0, skipped: 0, failed: 0}
'''

from ansible_collections.opencitrix.automation.plugins.module_utils.daas.argspec import (
    daas_argument_spec, fleet_write_argument_spec, site_activation,
)
from ansible_collections.opencitrix.automation.plugins.module_utils.daas.batch import batch_options
from ansible_collections.opencitrix.automation.plugins.module_utils.daas.client import DaasClient
from ansible_collections.opencitrix.automation.plugins.module_utils.daas.sessions import (
    MESSAGE_STYLES, Sessions, api_fields,
)
from ansible_collections.opencitrix.automation.plugins.module_utils.module import CitrixModule
from ansible_collections.opencitrix.automation.plugins.module_utils.targets import check_targets

TARGET_OPTIONS = ('user', 'machine', 'delivery_group', 'tag')


def argument_spec():
    return fleet_write_argument_spec(
        dict((option, dict(type='list', elements='str')) for option in TARGET_OPTIONS),
        text=dict(type='str', required=True),
        title=dict(type='str'),
        style=dict(type='str', choices=MESSAGE_STYLES, default='Information'),
    )


def main():
    module = CitrixModule(argument_spec(), connection_spec=daas_argument_spec())
    params = module.params
    with module.handle_errors():
        check_targets(params, TARGET_OPTIONS, noun='session')
        sending = batch_options(params)
        client = DaasClient.from_params(params, redactor=module.redactor, log=module.debug_log,
                                        activate_site=site_activation(params, module.check_mode))
        sessions = Sessions(client)
        found, _missing = sessions.find(users=params['user'], machines=params['machine'],
                                        delivery_groups=params['delivery_group'], tags=params['tag'],
                                        concurrency=params['concurrency'], all_targets=params['all_targets'],
                                        fields=api_fields(()))
        fleet = sessions.apply_message(found, params['text'], params['title'], params['style'], params['concurrency'],
                                       module.check_mode, params['max_targets'], **sending)
    module.exit_fleet(fleet, 'sessions')


if __name__ == '__main__':
    main()
