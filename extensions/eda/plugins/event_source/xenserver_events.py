# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""ansible-rulebook event source: the changes of a XenServer pool, from the XenAPI event system."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
short_description: Changes of a XenServer pool (VMs, hosts, ...) as events, as they happen
description:
  - An ansible-rulebook event source that follows the XenAPI event system (C(event.from) with a token)
    and puts one event on the queue for every change of a watched object, within one round trip.
  - Each event is C(xenserver) with C(class) (C(vm), C(host), ...), C(operation) (C(add), C(mod) or
    C(del)), C(ref), C(uuid), C(name), C(changes) (each changed field with its C(before) and C(after)
    values; empty for C(add) and C(del)), C(record) (the object's record, for C(del) the last one seen),
    C(pool) (the pool's name), C(resync) (true when the change was found by re-reading the pool, see
    below) and, for VMs, C(host) (the name of the host the VM runs on).
  - The first read takes the pool's current state and emits nothing. While nothing changes, one call
    waits up to O(event_timeout) seconds on the server; there is no polling loop.
  - An expired session (C(SESSION_INVALID)) is renewed and the stream goes on where it was. After
    C(EVENTS_LOST), and after a change of pool master, the pool is read again and only the objects that
    differ from what was last seen are reported, once. When the master stops answering, the other pool
    members (followed through their host records) are asked for the new one, for up to
    O(reconnect_timeout) seconds. Five recoveries in a row without one successful read stop the source
    with the last error.
  - On shutdown the session is logged out, once the call in flight returns (within O(event_timeout)).
    ansible-rulebook stopped by a signal exits at once, without shutting its sources down; a small helper
    process that the source starts with its session then logs the session out (see the Event-Driven
    Ansible guide for what remains).
  - Recoveries (a new login after C(SESSION_INVALID), C(EVENTS_LOST), a new pool master, retries) are
    logged at the INFO level, which C(ansible-rulebook -v) shows.
  - Events carry text that others control (names, descriptions and tags). A playbook run by a rulebook gets
    the event as extra vars, which Ansible templates; read it with the C(opencitrix.automation.eda_event)
    lookup, which keeps it as text (see the Event-Driven Ansible guide).
  - Connection options fall back to the same environment variables as the XenServer modules, so an
    Event-Driven Ansible credential can inject them.
author:
  - opencitrix maintainers (@opencitrix)
requirements:
  - XenAPI
  - ansible-core (for the collection's shared code)
options:
  classes:
    description:
      - XenAPI classes to watch (names as in the API, case-insensitive), for example C(VM), C(host),
        C(SR), C(VDI), C(network), C(pool) or C(task).
      - C(session) and C(*) are refused, since session records are other clients' credentials.
    type: list
    elements: str
    default: [VM, host]
  names:
    description:
      - Only report objects whose name (C(name_label)) matches one of these shell-style patterns, such
        as C(web-*). Case-sensitive, as XenServer names are.
    type: list
    elements: str
    default: []
  fields:
    description:
      - Only report modifications of these fields (for example C(power_state) and C(resident_on)), and
        list only them in C(changes). Empty means every field but O(ignore_fields).
    type: list
    elements: str
    default: []
  ignore_fields:
    description:
      - Fields whose changes alone are not reported. The defaults change as a side effect of every
        operation (a host's C(resident_VMs) with every VM started, stopped or moved, which the VM's own
        C(resident_on) already reports).
    type: list
    elements: str
    default: [allowed_operations, current_operations, resident_VMs]
  operations:
    description: Which operations to report.
    type: list
    elements: str
    choices: [add, mod, del]
    default: [add, mod, del]
  include_templates:
    description: Also report VM templates.
    type: bool
    default: false
  include_snapshots:
    description: Also report VM snapshots.
    type: bool
    default: false
  include_control_domains:
    description: Also report the hosts' control domains (dom0).
    type: bool
    default: false
  event_timeout:
    description:
      - Seconds one C(event.from) call waits on the server for a change (0.1 to 60, and less than
        O(read_timeout)). Also the longest a shutdown waits for the call in flight.
    type: float
    default: 5.0
  reconnect_timeout:
    description: Seconds to keep looking for a pool master that answers before the source fails.
    type: float
    default: 300.0
extends_documentation_fragment:
  - opencitrix.automation.xenserver
  - opencitrix.automation.transport
'''

EXAMPLES = r'''
- name: Restart VMs tagged auto-restart that halt
  hosts: localhost
  sources:
    - name: XenServer pool events
      opencitrix.automation.xenserver_events:
        hostname: https://xs-pool.example.com
        classes: [VM]
        fields: [power_state]
        operations: [mod]
  rules:
    - name: A VM halted
      condition: event.xenserver.changes.power_state.after == "Halted"
      action:
        run_playbook:
          name: opencitrix.automation.eda_restart_vm
'''

import logging
import os
import sys

try:
    from ansible_collections.opencitrix.automation.plugins.plugin_utils import xenserver_event_stream as _probe  # noqa: F401
except ImportError:
    # Loaded by file path from an installed collection: make its ansible_collections tree importable.
    sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), *(['..'] * 7))))

from ansible_collections.opencitrix.automation.plugins.plugin_utils.event_source import (  # noqa: E402
    run_blocking_source, run_by_hand, source_params,
)
from ansible_collections.opencitrix.automation.plugins.plugin_utils.logout_guard import LogoutGuard  # noqa: E402
from ansible_collections.opencitrix.automation.plugins.module_utils.xenserver.session import XenServerSession  # noqa: E402
from ansible_collections.opencitrix.automation.plugins.plugin_utils.xenserver_event_stream import (  # noqa: E402
    EventStream, event_stream_argument_spec,
)

LOGGER = logging.getLogger('opencitrix.automation.xenserver_events')


async def main(queue, args):
    """Put the pool's changes on ``queue`` until cancelled."""
    params, redactor = source_params(event_stream_argument_spec(), args, 'xenserver_events')

    def log(message):
        LOGGER.info(redactor(message))

    session = XenServerSession.from_params(params, redactor=redactor, log=log)
    stream = EventStream.from_params(session, params, log=log)
    guard = LogoutGuard(log=log)

    def close():
        stream.close()
        guard.release()

    await run_blocking_source(queue, guard.watching(session, stream.next_events), close)


if __name__ == '__main__':
    # Manual use, from the installed collection: python xenserver_events.py '{"classes": ["VM"]}'
    # with XENSERVER_HOST, XENSERVER_USER and XENSERVER_PASSWORD set.
    run_by_hand(main)
