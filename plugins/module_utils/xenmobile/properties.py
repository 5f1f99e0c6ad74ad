# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""XenMobile server properties (``/xenmobile/api/v1/serverproperties``): read them all, add or edit one
at a time, delete or reset many in one call.

:meth:`ServerProperties.ensure` reads every property once, plans the changes (:func:`plan_property_changes`,
a pure function), writes only those (none in check mode) and returns a :class:`results.Change`: before and
after of each changed property for ``--diff``, and ``changes`` and ``failed_names`` in ``change.result``.
One failed change does not stop the others; the Change then carries a failure naming them.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from ansible_collections.opencitrix.automation.plugins.module_utils import errors
from ansible_collections.opencitrix.automation.plugins.module_utils.concurrency import Outcome, run_bounded
from ansible_collections.opencitrix.automation.plugins.module_utils.responses import require_keys
from ansible_collections.opencitrix.automation.plugins.module_utils.results import Change
from ansible_collections.opencitrix.automation.plugins.module_utils.xenmobile.client import API

PROPERTIES_PATH = API + '/serverproperties'
PROPERTY_FIELDS = ('value', 'displayName', 'description')
READ_ONLY_KEYS = ('id', 'default_value')


def property_value(value):
    """Server property values are strings; YAML booleans become the server's ``true``/``false``."""
    if value is None:
        return None
    if isinstance(value, bool):
        return 'true' if value else 'false'
    return str(value)


def wanted_property(spec):
    """``{value, displayName, description}`` from a bulk entry: a plain value, or a dict with
    ``value``, ``display_name`` and ``description``."""
    if isinstance(spec, dict):
        unknown = set(spec) - {'value', 'display_name', 'description'}
        if unknown:
            raise errors.InputError('Unknown keys %s in a properties entry' % ', '.join(sorted(unknown)),
                                    hint='use value, display_name and description')
        return {'value': property_value(spec.get('value')), 'displayName': spec.get('display_name'),
                'description': spec.get('description')}
    return {'value': property_value(spec), 'displayName': None, 'description': None}


def wanted_properties(properties=None, name=None, value=None, display_name=None, description=None):
    """``{name: {value, displayName, description}}`` (None meaning "leave as it is") from the bulk
    ``properties`` option - a mapping of name to entry, or a list of records as
    ``xenmobile_server_property_info`` returns them (their read-only ``id`` and ``default_value`` are
    ignored) - or, without it, from the single property ``name``."""
    if properties is None:
        return {name: {'value': property_value(value), 'displayName': display_name, 'description': description}}
    if isinstance(properties, dict):
        return dict((str(key), wanted_property(spec)) for key, spec in properties.items())
    if not isinstance(properties, list):
        raise errors.InputError('properties must be a mapping or a list of property records')
    wanted = {}
    for record in properties:
        if not isinstance(record, dict) or not record.get('name'):
            raise errors.InputError('Every record in properties needs a name', api_message=repr(record)[:80])
        entry = dict((k, v) for k, v in record.items() if k not in READ_ONLY_KEYS and k != 'name')
        wanted[str(record['name'])] = wanted_property(entry)
    return wanted


def plan_property_changes(current, wanted, state):
    """The changes that bring ``current`` (the server's records) to ``wanted`` (see
    :func:`wanted_properties`) for ``state`` (``present``, ``absent`` or ``default``).

    Returns a list of ``{name, action, before, after}`` with ``action`` one of ``add``, ``edit``,
    ``delete``, ``reset``. Raises InputError for a property that must exist but does not."""
    by_name = dict((record['name'], record) for record in current)
    changes = []
    unknown = []
    for name, want in wanted.items():
        have = by_name.get(name)
        if state == 'present':
            if have is None:
                if want.get('value') is None:
                    unknown.append(name)
                    continue
                after = {'name': name, 'value': want['value'], 'displayName': want.get('displayName') or name,
                         'description': want.get('description') or ''}
                changes.append({'name': name, 'action': 'add', 'before': None, 'after': after})
                continue
            after = dict(have)
            after.update((k, v) for k, v in want.items() if v is not None)
            if any(after.get(k) != have.get(k) for k in PROPERTY_FIELDS):
                changes.append({'name': name, 'action': 'edit', 'before': have, 'after': after})
        elif state == 'absent':
            if have is not None:
                changes.append({'name': name, 'action': 'delete', 'before': have, 'after': None})
        elif have is None:
            unknown.append(name)
        elif have.get('value') != have.get('defaultValue'):
            changes.append({'name': name, 'action': 'reset', 'before': have,
                            'after': dict(have, value=have.get('defaultValue'))})
    if unknown:
        reason = 'give a value to add them' if state == 'present' else 'only existing properties have defaults'
        raise errors.InputError('No server property named %s' % ', '.join(unknown), hint=reason)
    return changes


def property_view(record):
    """What --diff and results show of a property."""
    if record is None:
        return None
    return {'value': record.get('value'), 'display_name': record.get('displayName'),
            'description': record.get('description')}


def property_body(record):
    return {'name': record['name'], 'value': record['value'], 'displayName': record.get('displayName') or record['name'],
            'description': record.get('description') or ''}


def select(properties, names=None, search=None):
    """The properties named in ``names`` (all when empty) whose name or display name contains ``search``
    (case-insensitive)."""
    wanted = set(names or ())
    text = (search or '').lower()
    return [p for p in properties
            if (not wanted or p.get('name') in wanted)
            and (not text or text in str(p.get('name', '')).lower() or text in str(p.get('displayName', '')).lower())]


class ServerProperties:
    """The server properties of one XenMobile server (``client``: a signed-in XenMobileClient)."""

    def __init__(self, client):
        self.client = client

    def list(self):
        """Every server property: ``{id, name, value, displayName, description, defaultValue}``."""
        what = 'list the server properties of %s' % self.client.server
        reply = require_keys(self.client.call('GET', PROPERTIES_PATH, what), ('allEwProperties',), what)
        records = reply['allEwProperties']
        if not isinstance(records, list) or not all(isinstance(r, dict) and 'name' in r for r in records):
            raise errors.ResponseFormatError('Could not ' + what, api_message='allEwProperties is not a list of properties')
        return records

    def add(self, record):
        return self.client.call('POST', PROPERTIES_PATH, 'add server property "%s"' % record['name'],
                                json_body=property_body(record))

    def edit(self, record):
        return self.client.call('PUT', PROPERTIES_PATH, 'edit server property "%s"' % record['name'],
                                json_body=property_body(record))

    def delete(self, names):
        return self.client.call('DELETE', PROPERTIES_PATH, 'delete server properties %s' % ', '.join(names),
                                json_body=list(names))

    def reset(self, names):
        return self.client.call('POST', PROPERTIES_PATH + '/reset', 'reset server properties %s' % ', '.join(names),
                                json_body={'names': list(names)})

    def apply(self, changes):
        """Carry out planned changes: adds and edits one call each, deletes and resets one call for
        all of them. Returns one :class:`concurrency.Outcome` per change, in the order given; a
        failure does not stop the others."""
        single = {'add': self.add, 'edit': self.edit}
        grouped = {'delete': self.delete, 'reset': self.reset}
        done = {}
        for outcome in run_bounded([c for c in changes if c['action'] in single],
                                   lambda c: single[c['action']](c['after']), concurrency=1):
            done[outcome.item['name']] = outcome
        for action, func in grouped.items():
            batch = [c for c in changes if c['action'] == action]
            if batch:
                (outcome,) = run_bounded([batch], lambda b: func([c['name'] for c in b]), concurrency=1)
                done.update((c['name'], Outcome(c, outcome.value, outcome.error)) for c in batch)
        return [done[c['name']] for c in changes]

    def select(self, names=None, search=None):
        return select(self.list(), names, search)

    def ensure(self, wanted, state, name=None, check_mode=False):
        """Bring the properties in ``wanted`` (see :func:`wanted_properties`) to ``state``. ``name``: the
        single property the task is about, returned as ``property`` after the task."""
        current = self.list()
        changes = plan_property_changes(current, wanted, state)
        outcomes = self.apply(changes) if changes and not check_mode else [None] * len(changes)
        done, failed = [], []
        for change, outcome in zip(changes, outcomes):
            if outcome is not None and not outcome.ok:
                failed.append((change['name'], outcome.error))
            else:
                done.append({'name': change['name'], 'action': change['action'],
                             'before': property_view(change['before']), 'after': property_view(change['after'])})
        failed_names = [failed_name for failed_name, _error in failed]
        result = dict(changes=done, failed_names=failed_names)
        if name is not None:
            after = dict((record['name'], record) for record in current)
            after.update((c['name'], c['after']) for c in changes if c['name'] not in failed_names)
            result['property'] = camel_dict_to_snake_dict(after[name]) if after.get(name) else None
        failure = None
        if failed:
            failure = '%d of %d server property changes failed on %s: %s' % (
                len(failed), len(changes), self.client.server, '; '.join('%s: %s' % item for item in failed))
        return Change(bool(done), dict((c['name'], c['before']) for c in done if c['before']),
                      dict((c['name'], c['after']) for c in done if c['after']), failure=failure, **result)
