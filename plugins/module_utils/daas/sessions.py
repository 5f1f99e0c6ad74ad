# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The user sessions of a DaaS site: listings, single reads, log-off and disconnect; finding the sessions
a task names, their facts, and a log-off or disconnect applied to many sessions (through ``$batch``)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.opencitrix.automation.plugins.module_utils import errors
from ansible_collections.opencitrix.automation.plugins.module_utils.daas.batch import (
    DEFAULT_BATCH_SIZE, BatchWriter, Write, WriteOutcome, send_one,
)
from ansible_collections.opencitrix.automation.plugins.module_utils.daas.client import (
    DEFAULT_CONCURRENCY, NAME_LOOKUP_LIMIT, is_exact_reference, path_segment, read_all, read_by_ids, ref_name,
)
from ansible_collections.opencitrix.automation.plugins.module_utils.results import FleetResult
from ansible_collections.opencitrix.automation.plugins.module_utils.targets import require_named

SESSION_FIELDS = ('Id', 'State', 'UntrustedUserName', 'User', 'Machine', 'SessionType', 'FormattedStartTime',
                  'FormattedStateChangeTime', 'Client', 'Connection')
SESSION_STATES = ['Active', 'Connected', 'Disconnected', 'Unknown']


class Sessions:
    """The sessions of the client's site."""

    def __init__(self, client):
        self.client = client

    def list(self, fields=SESSION_FIELDS):
        return self.client.paged('/Sessions', 'list sessions', fields)

    def of_machine(self, machine):
        what = 'list the sessions of machine "%s"' % machine
        return self.client.collection(self.client.call('GET', '/Machines/%s/Sessions' % path_segment(machine), what),
                                      what)[0]

    def get(self, session_id):
        """One session, or None when there is no such session (any more)."""
        try:
            return self.client.call('GET', '/Sessions/%s' % path_segment(session_id), 'read session %s' % session_id)
        except errors.NotFoundError:
            return None

    def by_ids(self, session_ids, concurrency=DEFAULT_CONCURRENCY):
        """Sessions by id (a dict; sessions that no longer exist are missing): one GET each for a few, else one
        listing of the site."""
        return read_by_ids(session_ids, self.get, lambda: self.list(fields=SESSION_FIELDS + ('LogoffInProgress',)),
                           concurrency)

    def log_off(self, session_id):
        send_one(self.client, session_write(session_id, 'logoff'))

    def disconnect(self, session_id):
        send_one(self.client, session_write(session_id, 'disconnect'))

    def find(self, session_ids=(), users=(), machines=(), states=(), concurrency=DEFAULT_CONCURRENCY, all_targets=False):
        """Sessions matching every condition given: ``session_ids`` (read one by one; ids that do not exist
        are returned in the second value), ``users`` (DOMAIN\\user, user or UPN), ``machines`` (DOMAIN\\NAME,
        NAME or DNS name) and ``states``. Returns ``(sessions, missing_ids)``. Without ids, users or machines:
        every session of the site, only with ``all_targets`` (else an InputError, as for an empty entry)."""
        require_named(list(session_ids or ()) + list(users or ()) + list(machines or ()), all_targets, noun='session')
        missing = []
        if session_ids:
            values = read_all(session_ids, self.get, concurrency)
            sessions = [v for v in values if v is not None]
            missing = [key for key, value in zip(session_ids, values) if value is None]
        elif machines and len(machines) <= NAME_LOOKUP_LIMIT and all(is_exact_reference(m) for m in machines):
            sessions = [s for per_machine in read_all(machines, self.of_machine, concurrency) for s in per_machine]
        else:
            sessions = list(self.list())
        users = set(u.lower() for u in users or ())
        machines = set(m.lower() for m in machines or ())
        states = set(s.lower() for s in states or ())
        selected = [s for s in sessions
                    if (not users or users & _user_keys(s))
                    and (not machines or machines & _machine_keys(s))
                    and (not states or str(s.get('State') or '').lower() in states)]
        return selected, missing

    def apply_state(self, sessions, state, missing=(), concurrency=DEFAULT_CONCURRENCY, check_mode=False,
                    max_targets=None, batch=True, batch_size=DEFAULT_BATCH_SIZE):
        """``logged_off`` or ``disconnected``; one outcome per session (a logged-off session is gone, so it is
        never ``unchanged`` here). ``missing``: session ids asked for that do not exist; logged off already,
        but they cannot be disconnected (NotFoundError). With ``max_targets``, nothing is changed when more
        sessions than that would change. The actions go through ``$batch`` unless ``batch`` is False
        (:class:`.batch.BatchWriter`)."""
        if missing and state == 'disconnected':
            raise errors.NotFoundError('Sessions not found, so they cannot be disconnected: %s' % ', '.join(missing))
        fleet = FleetResult('Log-off' if state == 'logged_off' else 'Disconnect')
        for session in sessions:
            facts = session_facts(session)
            before = facts['state']
            change = state == 'logged_off' or before != 'Disconnected'
            fleet.add(facts['id'], 'changed' if change else 'unchanged', id=facts['id'], user=facts['user'],
                      machine=facts['machine'], state_before=before,
                      state='LoggedOff' if state == 'logged_off' else 'Disconnected', transaction_id=None)
        fleet.check_max_targets(max_targets, 'sessions')
        if check_mode:
            return fleet
        action = 'logoff' if state == 'logged_off' else 'disconnect'

        def resolve(writes):
            """After a lost answer: a session gone or logging off (log-off), or disconnected, is done."""
            found = self.by_ids([w.target['id'] for w in writes], concurrency)
            decisions = []
            for write in writes:
                session = found.get(write.target['id'])
                if session is None and action == 'disconnect':
                    decisions.append(WriteOutcome(error=errors.NotFoundError(
                        'Session %s no longer exists' % write.target['id'])))
                elif session is None or (session.get('LogoffInProgress') if action == 'logoff'
                                         else session.get('State') == 'Disconnected'):
                    decisions.append(WriteOutcome(resolved=True))
                else:
                    decisions.append(None)
            return decisions

        writes = [session_write(item['id'], action, target=item) for item in fleet.with_outcome('changed')]
        BatchWriter(self.client, batch, batch_size, concurrency).apply(
            fleet, writes, resolve, on_failure=lambda item: item.update(state=item['state_before']))
        return fleet


def session_write(session_id, action, target=None):
    """``POST /Sessions/{id}/$logoff`` or ``$disconnect``."""
    what = '%s session %s' % ('log off' if action == 'logoff' else 'disconnect', session_id)
    return Write('POST', '/Sessions/%s/$%s' % (path_segment(session_id), action), what, target=target)


def _user_keys(session):
    user = session.get('User') or {}
    untrusted = str(session.get('UntrustedUserName') or '')
    keys = (untrusted, untrusted.rsplit('\\', 1)[-1], user.get('Name'), user.get('PrincipalName'))
    return set(str(k).lower() for k in keys if k)


def _machine_keys(session):
    machine = session.get('Machine') or {}
    name = str(machine.get('Name') or '')
    return set(str(k).lower() for k in (name, name.rsplit('\\', 1)[-1], machine.get('DnsName')) if k)


def session_facts(session):
    """A session as the session modules report it."""
    machine = session.get('Machine') or {}
    user = session.get('User') or {}
    client = session.get('Client') or {}
    connection = session.get('Connection') or {}
    return {
        'id': session.get('Id'), 'state': session.get('State'),
        'user': session.get('UntrustedUserName') or user.get('Name'),
        'user_principal_name': user.get('PrincipalName'), 'session_type': session.get('SessionType'),
        'machine': machine.get('Name'), 'machine_dns_name': machine.get('DnsName'),
        'catalog': ref_name(machine.get('MachineCatalog')), 'delivery_group': ref_name(machine.get('DeliveryGroup')),
        'start_time': session.get('FormattedStartTime'), 'state_change_time': session.get('FormattedStateChangeTime'),
        'client_name': client.get('Name'), 'client_address': client.get('IPAddress'),
        'protocol': connection.get('Protocol'),
    }
