# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A XenServer pool's changes as events, for the ``xenserver_events`` event source (Event-Driven Ansible).

:class:`EventStream` follows ``event.from`` with a token, keeps the last record of every watched
object and turns each change into one event naming the fields that changed (before and after).
Blocking calls only: the event source runs them in a worker thread.

Recovery, as the XenAPI documentation describes it: ``SESSION_INVALID`` is renewed by the session wrapper (the token stays
valid); after ``EVENTS_LOST``, and after reconnecting to a new or restarted master, the stream reads a
fresh snapshot and reports only the objects that differ from what it last knew (no repeats, and
nothing that changed meanwhile is missed). The pool's host addresses are followed so that a master
that stops answering can be replaced by asking the other members (``HOST_IS_SLAVE`` names the master).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import fnmatch

from ansible_collections.opencitrix.automation.plugins.module_utils import clock as _clock, errors
from ansible_collections.opencitrix.automation.plugins.module_utils.xenserver.session import NULL_REF, xenserver_argument_spec
from ansible_collections.opencitrix.automation.plugins.plugin_utils.xenserver_inventory import json_safe

DEFAULT_CLASSES = ('VM', 'host')
DEFAULT_IGNORED_FIELDS = ('allowed_operations', 'current_operations', 'resident_VMs')
OPERATIONS = ('add', 'mod', 'del')
# Followed whatever the user watches: pool (its name and master) and host (the member addresses).
INTERNAL_CLASSES = ('pool', 'host')
# Session records are other clients' credentials; "*" would include them.
REFUSED_CLASSES = ('session', '*')
RECONNECT_DELAY_MAX = 30.0
# Recoveries in a row without one successful read: the pool answers logins but not event.from.
MAX_RECOVERIES_IN_A_ROW = 5


def event_stream_argument_spec():
    """Options of the ``xenserver_events`` event source: the XenServer connection and what to report."""
    spec = xenserver_argument_spec()
    spec.update(
        classes=dict(type='list', elements='str', default=list(DEFAULT_CLASSES)),
        names=dict(type='list', elements='str', default=[]),
        fields=dict(type='list', elements='str', default=[]),
        ignore_fields=dict(type='list', elements='str', default=list(DEFAULT_IGNORED_FIELDS)),
        operations=dict(type='list', elements='str', choices=list(OPERATIONS), default=list(OPERATIONS)),
        include_templates=dict(type='bool', default=False),
        include_snapshots=dict(type='bool', default=False),
        include_control_domains=dict(type='bool', default=False),
        event_timeout=dict(type='float', default=5.0),
        reconnect_timeout=dict(type='float', default=300.0),
    )
    return spec


class EventStream:
    """Events of one pool. ``next_events()`` waits up to ``event_timeout`` seconds in one ``event.from``
    call and returns the events to emit (often none); the first call reads the current state and emits
    nothing. ``close()`` logs out."""

    def __init__(self, session, classes=DEFAULT_CLASSES, names=(), fields=(), ignore_fields=DEFAULT_IGNORED_FIELDS,
                 operations=OPERATIONS, include_templates=False, include_snapshots=False,
                 include_control_domains=False, event_timeout=5.0, reconnect_timeout=300.0, log=None,
                 sleep=None, clock=None):
        self.classes = [str(c).lower() for c in classes or DEFAULT_CLASSES]
        refused = [c for c in self.classes if c in REFUSED_CLASSES]
        if refused:
            raise errors.InputError('classes cannot include %s' % ', '.join(refused),
                                    hint='name the classes to watch, such as VM and host (session objects are credentials)')
        if not 0.1 <= float(event_timeout) <= 60 or float(event_timeout) >= session.read_timeout:
            raise errors.InputError('event_timeout must be between 0.1 and 60 seconds and less than read_timeout '
                                    '(%s and %s given)' % (event_timeout, session.read_timeout))
        self.session = session
        self.subscriptions = sorted(set(self.classes) | set(INTERNAL_CLASSES))
        self.names = list(names or ())
        self.fields = list(fields or ())
        self.ignore_fields = set(ignore_fields or ())
        self.operations = set(operations or OPERATIONS)
        self.include = {'is_a_template': include_templates, 'is_a_snapshot': include_snapshots,
                        'is_control_domain': include_control_domains}
        self.event_timeout = float(event_timeout)
        self.reconnect_timeout = float(reconnect_timeout)
        self.log = log
        self.sleep = sleep or _clock.sleep
        self.clock = clock or _clock.current().monotonic
        self.records = None   # {ref: (class, record)} once the first snapshot was read
        self.token = None     # None: the next call reads a fresh snapshot
        self.recoveries = {'events_lost': 0, 'reconnects': 0}
        self.recovering = 0

    @classmethod
    def from_params(cls, session, params, log=None):
        keys = ('classes', 'names', 'fields', 'ignore_fields', 'operations', 'include_templates', 'include_snapshots',
                'include_control_domains', 'event_timeout', 'reconnect_timeout')
        return cls(session, log=log, **dict((k, params[k]) for k in keys if params.get(k) is not None))

    def _debug(self, message):
        if self.log:
            self.log(message)

    def close(self):
        self.session.close()

    # -- reading ----------------------------------------------------------------------------------

    def next_events(self):
        """The events of the next ``event.from`` round trip (after a recovery: of a fresh snapshot)."""
        while True:
            try:
                events = self._read()
                self.recovering = 0
                return events
            except errors.CitrixError as exc:
                self.recovering += 1
                if self.recovering > MAX_RECOVERIES_IN_A_ROW:
                    raise
                self._recover(exc)

    def _read(self):
        if self.token is None:
            return self._resync()
        batch = self.session.event_from(self.subscriptions, self.token, self.event_timeout, what='read XenServer events')
        events = []
        for event in batch.get('events') or []:
            events.extend(self._apply(event))
        self.token = batch.get('token')
        return events

    def _resync(self):
        """Read every watched object; emit what differs from the records known before (nothing the
        first time)."""
        batch = self.session.event_from(self.subscriptions, '', 0.0, what='read the current state of the pool')
        fresh = {}
        for event in batch.get('events') or []:
            if event.get('operation') != 'del' and isinstance(event.get('snapshot'), dict):
                fresh[event['ref']] = (str(event.get('class')).lower(), event['snapshot'])
        previous, self.records = self.records, fresh
        self.token = batch.get('token')
        if previous is None:
            return []
        events = []
        for ref, (cls, before) in previous.items():
            if ref not in fresh:
                events.extend(self._report(cls, 'del', ref, before, None, resync=True))
        for ref, (cls, after) in fresh.items():
            before = previous.get(ref, (cls, None))[1]
            events.extend(self._report(cls, 'mod' if before is not None else 'add', ref, before, after, resync=True))
        return events

    def _apply(self, event):
        cls, ref, operation = str(event.get('class')).lower(), event.get('ref'), event.get('operation')
        before = self.records.get(ref, (cls, None))[1]
        if operation == 'del':
            self.records.pop(ref, None)
            return self._report(cls, 'del', ref, before, None) if before is not None else []
        after = event.get('snapshot')
        if not isinstance(after, dict):
            return []
        self.records[ref] = (cls, after)
        return self._report(cls, 'mod' if before is not None else 'add', ref, before, after)

    # -- recovery ---------------------------------------------------------------------------------

    def _recover(self, exc):
        """Prepare the next round after a failure: a fresh snapshot after EVENTS_LOST; a new session at
        the master after HOST_IS_SLAVE or a connection failure. Anything else is raised."""
        if exc.code == 'EVENTS_LOST':
            self._debug('EVENTS_LOST: reading the pool again and reporting what changed')
            self.recoveries['events_lost'] += 1
        elif exc.code == 'HOST_IS_SLAVE':
            master = (exc.details.get('error_description') or [None, None])[1:2]
            self._debug('the pool master moved to %s' % (master or ['?'])[0])
            self._reconnect(master)
        elif isinstance(exc, errors.TransportError):
            self._debug('the pool master does not answer (%s); asking the pool members' % exc.api_message)
            self._reconnect([])
        else:
            raise exc
        self.token = None

    def member_addresses(self):
        records = self.records or {}
        return sorted(rec.get('address') for cls, rec in records.values() if cls == 'host' and rec.get('address'))

    def _reconnect(self, first):
        deadline = self.clock() + self.reconnect_timeout
        delay = 1.0
        while True:
            try:
                self.session.reconnect(list(first) + self.member_addresses())
                self.recoveries['reconnects'] += 1
                return
            except errors.TransportError as exc:
                if self.clock() + delay > deadline:
                    raise errors.TransportError(
                        'No member of the XenServer pool answers', url=self.session.where, api_message=exc.api_message,
                        hint='tried %s for %ss; check the pool and the network path'
                             % (', '.join(self.member_addresses()) or self.session.url, round(self.reconnect_timeout)))
                self.sleep(delay)
                delay = min(delay * 2, RECONNECT_DELAY_MAX)

    # -- events -----------------------------------------------------------------------------------

    def _wanted(self, cls, record):
        if cls not in self.classes:
            return False
        if cls == 'vm' and any(record.get(flag) and not allowed for flag, allowed in self.include.items()):
            return False
        if self.names:
            name = str(record.get('name_label') or '')
            return any(fnmatch.fnmatchcase(name, pattern) for pattern in self.names)
        return True

    def changes(self, before, after):
        """``{field: {'before', 'after'}}`` for the watched fields that differ."""
        keys = self.fields or sorted(set(before) | set(after))
        return dict((key, {'before': json_safe(before.get(key)), 'after': json_safe(after.get(key))})
                    for key in keys if key not in self.ignore_fields and before.get(key) != after.get(key))

    def _name_of(self, ref):
        entry = (self.records or {}).get(ref)
        return entry[1].get('name_label') if entry else None

    def _report(self, cls, operation, ref, before, after, resync=False):
        record = after if after is not None else before
        if operation not in self.operations or not self._wanted(cls, record):
            return []
        changes = self.changes(before, after) if operation == 'mod' else {}
        if operation == 'mod' and not changes:
            return []
        pools = [rec for kind, rec in (self.records or {}).values() if kind == 'pool']
        event = {
            'class': cls, 'operation': operation, 'ref': ref, 'uuid': record.get('uuid'),
            'name': record.get('name_label'), 'changes': changes, 'record': json_safe(record),
            'pool': pools[0].get('name_label') if pools else None, 'resync': resync,
        }
        if cls == 'vm':
            resident = record.get('resident_on')
            event['host'] = self._name_of(resident) if resident and resident != NULL_REF else None
        return [{'xenserver': event}]
