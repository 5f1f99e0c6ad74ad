# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The users assigned to personal (static) desktops: ``AssignedUsers`` of a machine, set with
``PATCH /Machines/{id}`` (the whole list each time), many machines per ``$batch`` request.

Users are given as the API accepts them: ``DOMAIN\\user`` (SamName), user principal name or SID; a user
given any of those ways matches the assigned user with that name, UPN or SID, case-insensitively.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.opencitrix.automation.plugins.module_utils.daas.batch import (
    DEFAULT_BATCH_SIZE, BatchWriter, Write, WriteOutcome,
)
from ansible_collections.opencitrix.automation.plugins.module_utils.daas.client import DEFAULT_CONCURRENCY, path_segment
from ansible_collections.opencitrix.automation.plugins.module_utils.daas.machines import (
    MACHINE_FIELDS, Machines, finder, gone,
)
from ansible_collections.opencitrix.automation.plugins.module_utils.results import FleetResult

ASSIGNMENT_STATES = ('present', 'absent', 'exact')
ASSIGNMENT_FIELDS = MACHINE_FIELDS + ('AssignedUsers',)


def _keys(user):
    """The lower-case spellings an assigned user (``IdentityUserResponseModel``) answers to."""
    return set(str(user.get(k)).lower() for k in ('Name', 'SamName', 'PrincipalName', 'Sid') if user.get(k))


def _assigned(user, given):
    return str(given).strip().lower() in _keys(user)


def desired_users(current, users, state):
    """``(users to send, changed)``: the machine's assigned users (models) with ``users`` (as given)
    added, removed, or as the exact list. Users already assigned keep their ``DOMAIN\\user`` name."""
    users = list(users or ())
    if state == 'absent':
        kept = [c for c in current if not any(_assigned(c, u) for u in users)]
        return [c.get('Name') for c in kept], len(kept) != len(current)
    if state == 'exact':
        kept = [c for c in current if any(_assigned(c, u) for u in users)]
        new = [u for u in _unique(users) if not any(_assigned(c, u) for c in current)]
        return [c.get('Name') for c in kept] + new, bool(new) or len(kept) != len(current)
    new = [u for u in _unique(users) if not any(_assigned(c, u) for c in current)]
    return [c.get('Name') for c in current] + new, bool(new)


def _unique(users):
    seen, out = set(), []
    for user in users:
        if str(user).lower() not in seen:
            seen.add(str(user).lower())
            out.append(user)
    return out


def apply_assignments(client, machines, wanted, state, check_mode=False, max_targets=None,
                      concurrency=DEFAULT_CONCURRENCY, batch=True, batch_size=DEFAULT_BATCH_SIZE):
    """Bring the assigned users of machines to what is asked: ``wanted`` is ``[(machine key, [users])]``
    (keys as found in ``machines``, the listing read with ``ASSIGNMENT_FIELDS``). One outcome per machine,
    with ``users_before`` and ``users``. A machine of a random (pooled) catalog cannot have assigned users:
    asking it for some fails that machine, before any write. The updates go through ``$batch`` unless
    ``batch`` is False; after a lost answer, a machine that shows the users asked for is done."""
    fleet = FleetResult('User assignment')
    find = finder(machines)
    for key, users in wanted:
        machine = find(key)
        current = machine.get('AssignedUsers') or []
        before = [u.get('Name') for u in current]
        after, changed = desired_users(current, users, state)
        item = fleet.add(machine.get('Name'), 'changed' if changed else 'unchanged', id=machine.get('Id'),
                         allocation_type=machine.get('AllocationType'), users_before=before, users=after,
                         transaction_id=None)
        if changed and after and machine.get('AllocationType') != 'Static':
            fleet.fail(item, 'not a personal desktop: its catalog allocates machines at random (AllocationType %s), '
                             'so users cannot be assigned to it' % machine.get('AllocationType'), users=before)
    fleet.check_max_targets(max_targets, 'machines')
    if check_mode:
        return fleet

    def resolve(writes):
        found = Machines(client).by_ids([w.target['id'] for w in writes], concurrency, fields=ASSIGNMENT_FIELDS)
        return [gone(w.target['name']) if w.target['id'] not in found else
                (WriteOutcome(resolved=True) if same_users(found[w.target['id']], w.target['users']) else None)
                for w in writes]

    writes = [Write('PATCH', '/Machines/%s' % path_segment(item['id']), 'set the users assigned to the machine',
                    body={'AssignedUsers': item['users']}, target=item) for item in fleet.with_outcome('changed')]
    BatchWriter(client, batch, batch_size, concurrency).apply(
        fleet, writes, resolve, on_failure=lambda item: item.update(users=item['users_before']))
    return fleet


def same_users(machine, users):
    """Whether a machine's assigned users are exactly ``users`` (as given)."""
    current = machine.get('AssignedUsers') or []
    return (len(current) == len(_unique(users)) and all(any(_assigned(c, u) for c in current) for u in users))
