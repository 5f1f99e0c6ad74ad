# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Pure functions on XenMobile records (no I/O): server property plans, a device's user and last
access, per-user activity. Modules, roles and tests share them."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import re

from ansible_collections.opencitrix.automation.plugins.module_utils import errors

PROPERTY_FIELDS = ('value', 'displayName', 'description')


def property_value(value):
    """Server property values are strings; YAML booleans become the server's ``true``/``false``."""
    if value is None:
        return None
    if isinstance(value, bool):
        return 'true' if value else 'false'
    return str(value)


READ_ONLY_KEYS = ('id', 'default_value')


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


def wanted_properties(properties):
    """``{name: {value, displayName, description}}`` from the bulk ``properties`` option: a mapping of
    name to entry, or a list of records as ``xenmobile_server_property_info`` returns them (their
    read-only ``id`` and ``default_value`` are ignored)."""
    if isinstance(properties, dict):
        return dict((str(name), wanted_property(spec)) for name, spec in properties.items())
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
    """The changes that bring ``current`` (the server's records) to ``wanted`` (``{name: {value,
    displayName, description}}``, None meaning "leave as it is").

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


# -- devices -----------------------------------------------------------------------------------

LAST_ACCESS = re.compile(r'^\s*(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?\s*$')
USER_NAME = re.compile(r'^\s*(?P<login>[^"\s]+)?\s*(?:"(?P<display>.*)")?\s*$', re.DOTALL)


def parse_last_access(value):
    """A device's ``lastAccess`` as a naive datetime (server local time), or None. The API sends a
    display string, ``11/23/16 8:32 AM`` (facts) or ``11/1/17 3:02pm`` (seed 000); epoch
    milliseconds are accepted too."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if value <= 0:
            return None
        return datetime.datetime.fromtimestamp(value / 1000.0, tz=datetime.timezone.utc).replace(tzinfo=None)
    match = LAST_ACCESS.match(value or '') if isinstance(value, str) else None
    if not match:
        return None
    month, day, year, hour, minute, second, half = match.groups()
    year = int(year) + (2000 if len(year) == 2 else 0)
    hour = int(hour)
    if half:
        hour = hour % 12 + (12 if half.lower() == 'pm' else 0)
    try:
        return datetime.datetime(year, int(month), int(day), hour, int(minute), int(second or 0))
    except ValueError:
        return None


def device_user(device):
    """``(login, display name)`` of a device's user. ``userName`` may carry the short name in quotes
    after the login (seed 000: ``user4@acme.com "user4"``); ('', None) when no user is assigned."""
    raw = device.get('userName')
    if raw is None:
        raw = device.get('username') or ''
    match = USER_NAME.match(raw)
    if not match:
        return raw.strip(), None
    display = match.group('display')
    if display is not None:
        display = display.replace('\\"', '"')
    return match.group('login') or display or '', display


def describe_device(device, include_properties=False):
    """A device record plus ``user``, ``userDisplayName`` and ``lastAccessIso`` (None when unknown)."""
    record = dict(device)
    if not include_properties:
        record.pop('properties', None)
    record['user'], record['userDisplayName'] = device_user(device)
    seen = parse_last_access(device.get('lastAccess'))
    record['lastAccessIso'] = seen.isoformat() if seen else None
    return record


def user_activity(devices, today, days=30):
    """Per-user activity from device records: the most recent last access over a user's devices.

    Returns ``{users: [...], by_day: [...], summary: {...}}``: users sorted by login; ``by_day``
    counts, for each of the last ``days`` days up to ``today``, the users whose most recent access
    fell on that day (the API keeps only the latest access per device, not a history)."""
    users = {}
    unassigned = 0
    total = 0
    for device in devices:
        total += 1
        login, display = device_user(device)
        if not login:
            unassigned += 1
            continue
        entry = users.setdefault(login.lower(), {'user': login, 'display_name': display, 'devices': 0,
                                                 'platforms': set(), 'last': None})
        entry['devices'] += 1
        if device.get('platform'):
            entry['platforms'].add(str(device['platform']))
        seen = parse_last_access(device.get('lastAccess'))
        if seen and (entry['last'] is None or seen > entry['last']):
            entry['last'] = seen
    rows = []
    for key in sorted(users):
        entry = users[key]
        last = entry['last']
        rows.append({'user': entry['user'], 'display_name': entry['display_name'], 'devices': entry['devices'],
                     'platforms': sorted(entry['platforms']),
                     'last_access': last.isoformat(sep=' ', timespec='minutes') if last else None,
                     'days_since_last_access': max(0, (today - last.date()).days) if last else None})
    per_day = {}
    for entry in users.values():
        if entry['last']:
            per_day[entry['last'].date()] = per_day.get(entry['last'].date(), 0) + 1
    window = [today - datetime.timedelta(days=n) for n in range(days - 1, -1, -1)]
    idle = [r['days_since_last_access'] for r in rows]
    summary = {
        'devices': total, 'users': len(rows), 'unassigned_devices': unassigned,
        'active_last_7_days': sum(1 for d in idle if d is not None and d < 7),
        'active_last_30_days': sum(1 for d in idle if d is not None and d < 30),
        'inactive_over_30_days': sum(1 for d in idle if d is not None and d >= 30),
        'never_seen': sum(1 for d in idle if d is None),
        'as_of': today.isoformat(), 'days': days,
    }
    return {'users': rows, 'by_day': [{'date': day.isoformat(), 'users': per_day.get(day, 0)} for day in window],
            'summary': summary}
