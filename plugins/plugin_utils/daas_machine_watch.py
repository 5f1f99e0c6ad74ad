# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Changes of Citrix DaaS machines as events, for the ``citrix_daas_machines`` event source.

DaaS has no change feed, so :class:`MachineWatch` polls: one machine listing per poll (1,000 machines
a page, only the properties it watches), compared with the previous poll. A machine whose watched state
changed gives exactly one event listing what changed; machines that appear or disappear give ``add``
and ``del`` events. Session counts are watched as "has sessions" (crossing zero) unless every count
change is asked for; every event's state carries the count, watched or not. The Citrix Cloud token is cached and reused across polls.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import fnmatch

from ansible_collections.opencitrix.automation.plugins.module_utils import errors
from ansible_collections.opencitrix.automation.plugins.module_utils.daas.argspec import daas_argument_spec
from ansible_collections.opencitrix.automation.plugins.module_utils.daas.machines import Machines, in_delivery_groups

# What can be watched, and the machine property each one reads.
WATCHES = {
    'power_state': 'PowerState',
    'registration_state': 'RegistrationState',
    'maintenance_mode': 'InMaintenanceMode',
    'has_sessions': 'SessionCount',
    'session_count': 'SessionCount',
    'power_action_pending': 'PowerActionPending',
}
DEFAULT_WATCH = ('power_state', 'registration_state', 'maintenance_mode', 'has_sessions')
# Failures that may pass: the poll is skipped (after the transport's own retries) unless they persist.
TRANSIENT_ERRORS = (errors.TransportError, errors.ServerError, errors.RateLimitedError)


def machine_watch_argument_spec():
    """Options of the ``citrix_daas_machines`` event source: the DaaS connection and what to watch."""
    spec = daas_argument_spec()
    spec.update(
        interval=dict(type='float', default=60.0),
        watch=dict(type='list', elements='str', choices=sorted(WATCHES), default=list(DEFAULT_WATCH)),
        catalog=dict(type='str'),
        delivery_group=dict(type='str'),
        names=dict(type='list', elements='str', default=[]),
        max_failed_polls=dict(type='int', default=5),
    )
    return spec


def watched_state(machine, watch):
    """The watched values of one machine, and its session count whether watched or not
    (``has_sessions`` is None while the count is unknown)."""
    state = {}
    count = machine.get('SessionCount')
    for name in watch:
        if name == 'has_sessions':
            state[name] = None if count is None else count > 0
        else:
            state[name] = machine.get(WATCHES[name])
    state['session_count'] = count
    return state


class MachineWatch:
    """Polls the machines of a site (or of one catalog or delivery group) and reports changes."""

    def __init__(self, client, watch=DEFAULT_WATCH, catalog=None, delivery_group=None, names=(), max_failed_polls=5,
                 log=None):
        self.client = client
        self.machines = Machines(client)
        self.watch = list(watch or DEFAULT_WATCH)
        unknown = sorted(set(self.watch) - set(WATCHES))
        if unknown:
            raise errors.InputError('Cannot watch %s' % ', '.join(unknown), hint='choose from %s' % ', '.join(sorted(WATCHES)))
        self.catalog = catalog
        self.delivery_group = delivery_group
        self.names = [n.lower() for n in names or ()]
        self.max_failed_polls = max(1, int(max_failed_polls))
        self.log = log
        fields = ['Id', 'Name'] + [WATCHES[w] for w in self.watch] + ['SessionCount']
        if catalog and delivery_group:
            fields.append('DeliveryGroup')
        self.fields = tuple(sorted(set(fields), key=fields.index))
        self.known = None     # {id: (name, state)} after the first poll
        self.failed_polls = 0
        self.polls = 0

    @classmethod
    def from_params(cls, client, params, log=None):
        return cls(client, watch=params.get('watch'), catalog=params.get('catalog'),
                   delivery_group=params.get('delivery_group'), names=params.get('names'),
                   max_failed_polls=params.get('max_failed_polls') or 5, log=log)

    def close(self):
        self.client.http.close()

    def _machines(self):
        machines = self.machines.list(catalog=self.catalog, delivery_group=None if self.catalog else self.delivery_group,
                                      fields=self.fields)
        current = {}
        for machine in machines:
            if self.catalog and self.delivery_group and not in_delivery_groups(machine, [self.delivery_group]):
                continue
            name = str(machine.get('Name') or '')
            if self.names and not any(fnmatch.fnmatchcase(key, pattern) for pattern in self.names
                                      for key in (name.lower(), name.lower().rsplit('\\', 1)[-1])):
                continue
            current[machine.get('Id')] = (name, watched_state(machine, self.watch))
        return current

    def poll(self):
        """One listing; the events for what changed since the previous poll (none the first time).
        A transient failure skips the poll (and is logged), unless ``max_failed_polls`` fail in a row."""
        self.polls += 1
        try:
            current = self._machines()
        except TRANSIENT_ERRORS as exc:
            self.failed_polls += 1
            if self.failed_polls >= self.max_failed_polls:
                raise errors.TransportError('%d polls of the DaaS machines failed in a row' % self.failed_polls,
                                            api_message=str(exc))
            if self.log:
                self.log('poll %d skipped: %s' % (self.polls, exc))
            return []
        self.failed_polls = 0
        previous, self.known = self.known, current
        if previous is None:
            return []
        site = self.client.site().get('name')
        events = []
        for machine_id, (name, state) in previous.items():
            if machine_id not in current:
                events.append(self._event('del', machine_id, name, site, state, {}))
        for machine_id, (name, state) in current.items():
            if machine_id not in previous:
                events.append(self._event('add', machine_id, name, site, state, {}))
                continue
            before = previous[machine_id][1]
            changes = dict((key, {'before': before.get(key), 'after': value}) for key, value in state.items()
                           if key in self.watch and before.get(key) != value)
            if changes:
                events.append(self._event('mod', machine_id, name, site, state, changes))
        return events

    @staticmethod
    def _event(operation, machine_id, name, site, state, changes):
        return {'citrix_daas': {'operation': operation, 'id': machine_id, 'machine': name, 'site': site,
                                'changes': changes, 'state': state}}
