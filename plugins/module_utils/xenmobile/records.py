# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Pure functions on XenMobile device records (no I/O): a device's user and last access, per-user
activity, the report day. Modules and tests share them."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import re

from ansible_collections.opencitrix.automation.plugins.module_utils import errors

LAST_ACCESS = re.compile(r'^\s*(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?\s*$')
USER_NAME = re.compile(r'^\s*(?P<login>[^"\s]+)?\s*(?:"(?P<display>.*)")?\s*$', re.DOTALL)


def parse_last_access(value):
    """A device's ``lastAccess`` as a naive datetime (server local time), or None. The API sends a
    display string such as ``11/23/16 8:32 AM`` or ``11/1/17 3:02pm``; epoch milliseconds are
    accepted too."""
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
    after the login (``user4@acme.com "user4"``); ('', None) when no user is assigned."""
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


def report_day(text):
    """The day an activity report is for: ``YYYY-MM-DD``, or today when not given."""
    if not text:
        return datetime.date.today()
    try:
        return datetime.datetime.strptime(text, '%Y-%m-%d').date()
    except ValueError:
        raise errors.InputError('as_of "%s" is not a date' % text, hint='use YYYY-MM-DD')
