# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The user sessions of a DaaS site: listings, single reads, log-off, disconnect and messages; finding
the sessions a task names, their facts (seed 002's full record, or the fields asked for), and a log-off,
disconnect or message applied to many sessions (through ``$batch``)."""

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

SESSION_STATES = ['Active', 'Connected', 'Disconnected', 'Unknown']
MESSAGE_STYLES = ['Information', 'Exclamation', 'Critical', 'Question']


def _ref_name(key):
    return lambda s: ref_name((s.get('Machine') or {}).get(key))


def _part(field, key):
    return lambda s: (s.get(field) or {}).get(key)


def smart_access_tags(tags):
    """``SmartAccessTagResponseModel``s (``{"Farm", "Filter"}``) as ``Farm:Filter``, the form NetScaler
    policies name them in."""
    return ['%s:%s' % (t.get('Farm'), t.get('Filter')) if isinstance(t, dict) else str(t) for t in tags or []]


# Every fact a session reports: its name, the API properties it is read from, and how.
FACTS = (
    ('id', ('Id',), lambda s: s.get('Id')),
    ('state', ('State',), lambda s: s.get('State')),
    ('user', ('UntrustedUserName', 'User'), lambda s: s.get('UntrustedUserName') or (s.get('User') or {}).get('Name')),
    ('user_principal_name', ('User',), _part('User', 'PrincipalName')),
    ('session_type', ('SessionType',), lambda s: s.get('SessionType')),
    ('app_state', ('AppState',), lambda s: s.get('AppState')),
    ('applications_in_use', ('ApplicationsInUse',),
     lambda s: [a.get('Name') for a in s.get('ApplicationsInUse') or [] if isinstance(a, dict)]),
    ('machine', ('Machine',), _part('Machine', 'Name')),
    ('machine_dns_name', ('Machine',), _part('Machine', 'DnsName')),
    ('catalog', ('Machine',), _ref_name('MachineCatalog')),
    ('delivery_group', ('Machine',), _ref_name('DeliveryGroup')),
    ('start_time', ('FormattedStartTime',), lambda s: s.get('FormattedStartTime')),
    ('state_change_time', ('FormattedStateChangeTime',), lambda s: s.get('FormattedStateChangeTime')),
    ('logon_in_progress', ('LogonInProgress',), lambda s: s.get('LogonInProgress')),
    ('logoff_in_progress', ('LogoffInProgress',), lambda s: s.get('LogoffInProgress')),
    ('client_name', ('Client',), _part('Client', 'Name')),
    ('client_address', ('Client',), _part('Client', 'IPAddress')),
    ('client_platform', ('Client',), _part('Client', 'Platform')),
    ('client_version', ('Client',), _part('Client', 'Version')),
    ('protocol', ('Connection',), _part('Connection', 'Protocol')),
    ('launched_via_host_name', ('Connection',), _part('Connection', 'LaunchedViaHostName')),
    ('launched_via_ip', ('Connection',), _part('Connection', 'LaunchedViaIP')),
    ('connected_via_host_name', ('Connection',), _part('Connection', 'ConnectedViaHostName')),
    ('connected_via_ip', ('Connection',), _part('Connection', 'ConnectedViaIP')),
    ('smart_access_tags', ('Connection',), lambda s: smart_access_tags(_part('Connection', 'SmartAccessTags')(s))),
)
FACT_NAMES = [name for name, _fields, _read in FACTS]
# What matching sessions to users, machines, delivery groups, tags and states reads.
FILTER_FIELDS = ('Id', 'State', 'UntrustedUserName', 'User', 'Machine')
SESSION_FIELDS = tuple(dict.fromkeys(f for _name, fields, _read in FACTS for f in fields))


def api_fields(facts=None):
    """The API properties that ``facts`` (names; None: all) and the filters need."""
    wanted = set(FILTER_FIELDS)
    for name, fields, _read in FACTS:
        if facts is None or name in facts:
            wanted.update(fields)
    return tuple(f for f in SESSION_FIELDS if f in wanted)


class Sessions:
    """The sessions of the client's site."""

    def __init__(self, client):
        self.client = client

    def list(self, fields=SESSION_FIELDS):
        return self.client.paged('/Sessions', 'list sessions', fields)

    def of_machine(self, machine):
        """The sessions of one machine (``GET /Machines/{nameOrId}/Sessions`` takes no ``fields``: its answer
        carries every property)."""
        what = 'list the sessions of machine "%s"' % machine
        return self.client.call('GET', '/Machines/%s/Sessions' % path_segment(machine), what,
                                check=lambda body: self.client.collection(body, what)[0])

    def get(self, session_id):
        """One session, or None when there is no such session (any more)."""
        try:
            return self.client.call('GET', '/Sessions/%s' % path_segment(session_id), 'read session %s' % session_id)
        except errors.NotFoundError:
            return None

    def by_ids(self, session_ids, concurrency=DEFAULT_CONCURRENCY):
        """Sessions by id (a dict; sessions that no longer exist are missing): one GET each for a few, else one
        listing of the site."""
        return read_by_ids(session_ids, self.get, self.list, concurrency)

    def log_off(self, session_id):
        send_one(self.client, session_write(session_id, 'logoff'))

    def disconnect(self, session_id):
        send_one(self.client, session_write(session_id, 'disconnect'))

    def find(self, session_ids=(), users=(), machines=(), states=(), concurrency=DEFAULT_CONCURRENCY, all_targets=False,
             delivery_groups=(), tags=(), fields=SESSION_FIELDS):
        """Sessions matching every condition given: ``session_ids`` (read one by one; ids that do not exist
        are returned in the second value), ``users`` (DOMAIN\\user, user or UPN), ``machines`` (DOMAIN\\NAME,
        NAME or DNS name), ``delivery_groups`` and ``tags`` of their machines (names; groups also by id) and
        ``states``. Returns ``(sessions, missing_ids)``. Without ids, users, machines, groups or tags: every
        session of the site, only with ``all_targets`` (else an InputError, as for an empty entry).
        ``fields``: the properties to read (:func:`api_fields`)."""
        named = [list(v or ()) for v in (session_ids, users, machines, delivery_groups, tags)]
        require_named([v for values in named for v in values], all_targets, noun='session')
        missing = []
        if session_ids:
            values = read_all(session_ids, self.get, concurrency)
            sessions = [v for v in values if v is not None]
            missing = [key for key, value in zip(session_ids, values) if value is None]
        elif machines and len(machines) <= NAME_LOOKUP_LIMIT and all(is_exact_reference(m) for m in machines):
            sessions = [s for per_machine in read_all(machines, self.of_machine, concurrency)
                        for s in per_machine]
        else:
            sessions = list(self.list(fields))
        users = set(u.lower() for u in users or ())
        machines = set(m.lower() for m in machines or ())
        groups = set(g.lower() for g in delivery_groups or ())
        tags = set(t.lower() for t in tags or ())
        states = set(s.lower() for s in states or ())
        selected = [s for s in sessions
                    if (not users or users & _user_keys(s))
                    and (not machines or machines & _machine_keys(s))
                    and (not groups or groups & _group_keys(s))
                    and (not tags or tags & set(str(t).lower() for t in (s.get('Machine') or {}).get('Tags') or ()))
                    and (not states or str(s.get('State') or '').lower() in states)]
        return selected, missing

    def apply_message(self, sessions, text, title=None, style='Information', concurrency=DEFAULT_CONCURRENCY,
                      check_mode=False, max_targets=None, batch=True, batch_size=DEFAULT_BATCH_SIZE):
        """Send a message to every session (it always acts: a message is sent each time); one outcome per
        session. In check mode, the sessions it would reach. With ``max_targets``, none is sent when more
        sessions than that would get it. The messages go through ``$batch`` unless ``batch`` is False. A
        message leaves no trace on its session, so one whose batch answer was lost fails (not sent twice)."""
        fleet = FleetResult('Message')
        for session in sessions:
            facts = session_facts(session, ('id', 'user', 'machine', 'state'))
            fleet.add(facts['id'], 'changed', id=facts['id'], user=facts['user'], machine=facts['machine'],
                      state=facts['state'], transaction_id=None)
        fleet.check_max_targets(max_targets, 'sessions')
        if not check_mode:
            writes = [message_write(item['id'], text, title, style, target=item) for item in fleet.items]
            BatchWriter(self.client, batch, batch_size, concurrency).apply(fleet, writes)
        return fleet

    def apply_state(self, sessions, state, missing=(), concurrency=DEFAULT_CONCURRENCY, check_mode=False,
                    max_targets=None, batch=True, batch_size=DEFAULT_BATCH_SIZE):
        """``logged_off`` or ``disconnected``; one outcome per session (a logged-off session is gone, so it is
        ``unchanged`` only when its log-off is answered 404: it ended between the read and the write).
        ``missing``: session ids asked for that do not exist; logged off already, but they cannot be
        disconnected (NotFoundError). With ``max_targets``, nothing is changed when more
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
            fleet, writes, resolve, on_failure=lambda item: item.update(state=item['state_before']),
            settled=_already_ended if action == 'logoff' else None)
        return fleet


def _already_ended(error):
    """A log-off answered 404: its user logged off between the read and the write, so the session is gone, as
    asked."""
    return 'the session had already ended' if isinstance(error, errors.NotFoundError) else None


def session_write(session_id, action, target=None):
    """``POST /Sessions/{id}/$logoff`` or ``$disconnect``."""
    what = '%s session %s' % ('log off' if action == 'logoff' else 'disconnect', session_id)
    return Write('POST', '/Sessions/%s/$%s' % (path_segment(session_id), action), what, target=target)


def message_write(session_id, text, title=None, style='Information', target=None):
    """``POST /Sessions/{id}/$sendMessage`` with a ``SendMessageRequestModel``."""
    body = {'Text': text, 'Style': style}
    if title:
        body['Title'] = title
    return Write('POST', '/Sessions/%s/$sendMessage' % path_segment(session_id),
                 'send a message to session %s' % session_id, body=body, target=target)


def _user_keys(session):
    user = session.get('User') or {}
    untrusted = str(session.get('UntrustedUserName') or '')
    keys = (untrusted, untrusted.rsplit('\\', 1)[-1], user.get('Name'), user.get('PrincipalName'))
    return set(str(k).lower() for k in keys if k)


def _machine_keys(session):
    machine = session.get('Machine') or {}
    name = str(machine.get('Name') or '')
    return set(str(k).lower() for k in (name, name.rsplit('\\', 1)[-1], machine.get('DnsName')) if k)


def _group_keys(session):
    group = (session.get('Machine') or {}).get('DeliveryGroup') or {}
    return set(str(v).lower() for v in (group.get('Name'), group.get('Id')) if v)


def session_facts(session, facts=None):
    """A session as the session modules report it: every fact, or those named in ``facts`` (``id`` always)."""
    return dict((name, read(session)) for name, _fields, read in FACTS
                if facts is None or name == 'id' or name in facts)
