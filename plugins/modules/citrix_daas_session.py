#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: citrix_daas_session
short_description: Log off or disconnect Citrix DaaS user sessions
version_added: 0.1.0
description:
  - Logs off (C($logoff)) or disconnects (C($disconnect)) sessions of a Citrix DaaS site, or of an on-premises
    site (see O(ddc_url)), chosen by ID, user and/or machine. Sessions must match every option given. Acting
    on every session of the site takes O(all_targets=true); an empty O(session_ids), O(user) or O(machine) (or an
    empty entry in one) fails the task before any request.
  - O(max_targets) caps how many sessions may be logged off or disconnected; over it, none is.
  - Idempotent - a session already disconnected is left alone, and a session ID that no longer exists counts
    as logged off.
  - The requests go through C($batch), hundreds in one HTTP request (see O(batch)).
  - Every request is sent before failures are reported; if any session failed, the task fails after the
    others completed, naming the sessions and the API's errors.
author:
  - opencitrix maintainers (@opencitrix)
requirements:
  - requests
options:
  state:
    description: V(logged_off) ends the sessions; V(disconnected) disconnects them and keeps them running.
    type: str
    required: true
    choices: [logged_off, disconnected]
  session_ids:
    description: Sessions by ID.
    type: list
    elements: str
  user:
    description: Sessions of these users, as C(DOMAIN\\user), C(user) or user principal name. Case-insensitive.
    type: list
    elements: str
  machine:
    description: Sessions on these machines, as C(DOMAIN\\NAME), C(NAME) or DNS name. Case-insensitive.
    type: list
    elements: str
  concurrency:
    description:
      - Requests in flight at once (at most 32) when they are sent one per session (O(batch=false), or a site
        without C($batch)).
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
    details: Reads the sessions and reports which would change; sends no log-off or disconnect.
  diff_mode:
    support: full
    details: Shows the state of each session that changes, before and after.
'''

EXAMPLES = r'''
- name: Log a user off everywhere
  opencitrix.automation.citrix_daas_session:
    user: CORP\jdoe
    state: logged_off

- name: Disconnect every session on a machine before maintenance
  opencitrix.automation.citrix_daas_session:
    machine: CORP\APPS-0003
    state: disconnected

- name: Log off the sessions of the users who left, refusing if more than 20 would end
  opencitrix.automation.citrix_daas_session:
    user: "{{ leavers }}"
    state: logged_off
    max_targets: 20

- name: Disconnect every session of the site before a maintenance window
  opencitrix.automation.citrix_daas_session:
    all_targets: true
    state: disconnected
'''

RETURN = r'''
sessions:
  description: One entry per session found, in API order.
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
    state_before:
      description: Session state when the task read it.
      type: str
    state:
      description: State after the task (V(LoggedOff) for a session that was logged off).
      type: str
    outcome:
      description: V(changed), V(unchanged) or V(failed).
      type: str
    reason:
      description:
        - What failed (the API's error), or null.
        - For an V(unchanged) log-off, why nothing was done (the session had ended between the read and the
          log-off, as when its user logs off at that moment).
      type: str
    transaction_id:
      description:
        - The C(Citrix-TransactionId) the server answered the log-off or disconnect with, by which Citrix support can trace
          it; null when no request was sent for this session.
      type: str
  sample:
    - id: 41ba32e9-d12b-485c-afd2-c4d0d047cd8b
      name: 41ba32e9-d12b-485c-afd2-c4d0d047cd8b
      user: CORP\jdoe
      machine: CORP\APPS-0003
      state_before: Active
      state: LoggedOff
      outcome: changed
      reason: null
      transaction_id: 5d3c1a7e-0f42-4b8e-9a61-2c7d9e0b4f13
already_gone:
  description: Session IDs given in O(session_ids) that do not exist (already logged off).
  returned: always
  type: list
  elements: str
counts:
  description: How many sessions had each outcome.
  returned: always
  type: dict
  sample: {changed: 2, unchanged: 0, skipped: 0, failed: 0}
'''

from ansible_collections.opencitrix.automation.plugins.module_utils.daas.argspec import (
    daas_argument_spec, fleet_write_argument_spec, site_activation,
)
from ansible_collections.opencitrix.automation.plugins.module_utils.daas.batch import batch_options
from ansible_collections.opencitrix.automation.plugins.module_utils.daas.client import DaasClient
from ansible_collections.opencitrix.automation.plugins.module_utils.daas.sessions import Sessions
from ansible_collections.opencitrix.automation.plugins.module_utils.module import CitrixModule
from ansible_collections.opencitrix.automation.plugins.module_utils.targets import check_targets

TARGET_OPTIONS = ('session_ids', 'user', 'machine')


def argument_spec():
    return fleet_write_argument_spec(
        state=dict(type='str', required=True, choices=['logged_off', 'disconnected']),
        session_ids=dict(type='list', elements='str'),
        user=dict(type='list', elements='str'),
        machine=dict(type='list', elements='str'),
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
        found, missing = sessions.find(session_ids=params['session_ids'], users=params['user'],
                                       machines=params['machine'], concurrency=params['concurrency'],
                                       all_targets=params['all_targets'])
        fleet = sessions.apply_state(found, params['state'], missing=missing, concurrency=params['concurrency'],
                                     check_mode=module.check_mode, max_targets=params['max_targets'], **sending)
    module.exit_fleet(fleet, 'sessions', diff=fleet.diff(None, 'state_before', 'state'), already_gone=missing)


if __name__ == '__main__':
    main()
