# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""ansible-rulebook event source: changes of Citrix DaaS machines (power, registration, maintenance
mode, sessions), found by polling the machine list."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
short_description: Changes of Citrix DaaS machines (power, registration, maintenance, sessions) as events
description:
  - An ansible-rulebook event source that lists the machines of a Citrix DaaS site (or an on-premises
    site, see O(ddc_url)) every O(interval) seconds and puts one event on the queue for each machine
    whose watched state changed since the previous poll.
  - Each poll is one listing of 1,000 machines a page that asks only for the properties watched and the
    session count (C(fields)). The Citrix Cloud (or Delivery Controller) token is cached and reused across
    polls.
  - Each event is C(citrix_daas) with C(operation) (C(mod); C(add) and C(del) for machines that
    appear or disappear), C(id), C(machine) (C(DOMAIN\\NAME)), C(site), C(changes) (each changed
    watched value with its C(before) and C(after)) and C(state) (every watched value now, and always
    C(session_count), whether watched or not).
  - The first poll records the current state and emits nothing.
  - A poll that fails after the transport's retries (connection, server or throttling errors) is
    skipped and logged; O(max_failed_polls) failures in a row stop the source with the error. Other
    errors (credentials, permissions, an unknown catalog) stop it at once.
  - Events carry text that others control (machine and site names). A playbook run by a rulebook gets
    the event as extra vars, which Ansible templates; read it with the C(opencitrix.automation.eda_event)
    lookup, which keeps it as text (see the Event-Driven Ansible guide).
  - Recoveries (a token the API rejected and a new sign-in, retries) are logged at the INFO level, which
    C(ansible-rulebook -v) shows; skipped polls at the WARNING level.
  - Connection options fall back to the same environment variables as the DaaS modules, so an
    Event-Driven Ansible credential can inject them.
author:
  - opencitrix maintainers (@opencitrix)
requirements:
  - requests
  - ansible-core (for the collection's shared code)
options:
  interval:
    description: Seconds between two polls.
    type: float
    default: 60.0
  watch:
    description:
      - What makes a change worth an event. V(has_sessions) changes when the session count crosses
        zero (a machine becomes idle or busy); V(session_count) changes with every count change.
    type: list
    elements: str
    choices: [has_sessions, maintenance_mode, power_action_pending, power_state, registration_state, session_count]
    default: [power_state, registration_state, maintenance_mode, has_sessions]
  catalog:
    description: Only watch the machines of this machine catalog (name or ID).
    type: str
  delivery_group:
    description: Only watch the machines of this delivery group (name or ID).
    type: str
  names:
    description:
      - Only watch machines whose name matches one of these shell-style patterns (case-insensitive), with
        or without the domain, for example C(W11-*) or C(CORP\\FIN-*).
    type: list
    elements: str
    default: []
  max_failed_polls:
    description: Failed polls in a row that stop the source.
    type: int
    default: 5
extends_documentation_fragment:
  - opencitrix.automation.daas
  - opencitrix.automation.citrix_cloud
  - opencitrix.automation.transport
'''

EXAMPLES = r'''
- name: Reboot DaaS machines that unregister while powered on
  hosts: localhost
  sources:
    - name: DaaS machine changes
      opencitrix.automation.citrix_daas_machines:
        interval: 60
        delivery_group: Win11 Desktops
        watch: [registration_state, power_state]
  rules:
    - name: A machine unregistered
      condition: event.citrix_daas.changes.registration_state.after == "Unregistered"
      action:
        run_playbook:
          name: opencitrix.automation.eda_reboot_unregistered_machine
'''

import logging
import os
import sys

try:
    from ansible_collections.opencitrix.automation.plugins.plugin_utils import daas_machine_watch as _probe  # noqa: F401
except ImportError:
    # Loaded by file path from an installed collection: make its ansible_collections tree importable.
    sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), *(['..'] * 7))))

from ansible_collections.opencitrix.automation.plugins.module_utils import errors  # noqa: E402
from ansible_collections.opencitrix.automation.plugins.module_utils.daas.client import DaasClient  # noqa: E402
from ansible_collections.opencitrix.automation.plugins.plugin_utils.daas_machine_watch import (  # noqa: E402
    MachineWatch, machine_watch_argument_spec,
)
from ansible_collections.opencitrix.automation.plugins.plugin_utils.event_source import (  # noqa: E402
    run_blocking_source, run_by_hand, source_params,
)

LOGGER = logging.getLogger('opencitrix.automation.citrix_daas_machines')


async def main(queue, args):
    """Put machine changes on ``queue`` until cancelled."""
    params, redactor = source_params(machine_watch_argument_spec(), args, 'citrix_daas_machines')
    if params['interval'] <= 0:
        raise errors.InputError('interval must be a positive number of seconds (%s given)' % params['interval'])
    client = DaasClient.from_params(params, redactor=redactor, log=lambda message: LOGGER.info(redactor(message)))
    watch = MachineWatch.from_params(client, params, log=lambda message: LOGGER.warning(redactor(message)))
    await run_blocking_source(queue, watch.poll, watch.close, pause=params['interval'])


if __name__ == '__main__':
    # Manual use, from the installed collection: python citrix_daas_machines.py '{"interval": 30}'
    # with CITRIX_CLIENT_ID, CITRIX_CLIENT_SECRET and CITRIX_CUSTOMER_ID set.
    run_by_hand(main)
