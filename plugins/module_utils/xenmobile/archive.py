# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A directory of dated device archives: ``<prefix>-<YYYY-MM-DD>.json`` and ``.csv`` per day, the newest
earlier archive to compare with, and retention by the date in the file names (not the files' times, so
copying or restoring archives does not change what is kept).

:func:`archive_devices` writes one day's archive (only files whose content differs; nothing in check mode),
compares it with the previous one (:func:`device_changes`: devices new, gone, with another owner or another
compliance) and removes archives beyond the retention. It returns a :class:`results.Change` whose before and
after are the directory's archive files. The directory is the only state, so it must outlive the run.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import json
import os
import re
import tempfile

from ansible_collections.opencitrix.automation.plugins.module_utils import errors
from ansible_collections.opencitrix.automation.plugins.module_utils.csv_text import rows_to_csv
from ansible_collections.opencitrix.automation.plugins.module_utils.results import Change

CSV_COLUMNS = ['id', 'serial_number', 'device_name', 'user', 'platform', 'os_version', 'device_model', 'managed',
               'compliant', 'jail_broken', 'last_access', 'last_access_iso', 'inactivity_days']
KINDS = ('new', 'gone', 'owner_changed', 'compliance_changed')


def _key(device):
    return str(device.get('id'))


def _brief(device):
    return {'id': device.get('id'), 'serial_number': device.get('serial_number'), 'user': device.get('user'),
            'device_name': device.get('device_name')}


def device_changes(current, previous, shown=None):
    """What changed between two archives of device records (``id``, ``serial_number``, ``user``,
    ``compliant``, as ``xenmobile_device_info`` returns them): devices ``new`` and ``gone`` (by id), and
    those whose owner (login, case-insensitive) or compliance changed. ``previous`` None: nothing to compare.
    ``shown``: at most that many devices listed per kind (the counts are always whole)."""
    found = dict((kind, []) for kind in KINDS)
    if previous is not None:
        before = dict((_key(d), d) for d in previous)
        after = dict((_key(d), d) for d in current)
        found['new'] = [_brief(after[k]) for k in after if k not in before]
        found['gone'] = [_brief(before[k]) for k in before if k not in after]
        for key in after:
            old, now = before.get(key), after[key]
            if old is None:
                continue
            if str(old.get('user') or '').lower() != str(now.get('user') or '').lower():
                found['owner_changed'].append(dict(_brief(now), before=old.get('user'), after=now.get('user')))
            if 'compliant' in old and 'compliant' in now and old['compliant'] != now['compliant']:
                found['compliance_changed'].append(dict(_brief(now), before=old['compliant'], after=now['compliant']))
    counts = dict((kind, len(items)) for kind, items in found.items())
    counts['devices'] = len(current)
    result = {'compared': previous is not None, 'counts': counts}
    result.update((kind, items[:shown] if shown is not None else items) for kind, items in found.items())
    return result


def archive_day(text=None):
    """The archive date, ``YYYY-MM-DD`` (today when not given)."""
    if not text:
        return datetime.date.today().isoformat()
    try:
        return datetime.datetime.strptime(text, '%Y-%m-%d').date().isoformat()
    except ValueError:
        raise errors.InputError('date "%s" is not a date' % text, hint='use YYYY-MM-DD, or leave it out for today')


class ArchiveDirectory:
    """The dated archive files of ``prefix`` in ``path``."""

    def __init__(self, path, prefix):
        if not prefix or '/' in prefix:
            raise errors.InputError('prefix "%s" cannot name archive files' % prefix, hint='use a plain file name prefix')
        self.path = path
        self.name = re.compile(r'^%s-(\d{4}-\d{2}-\d{2})\.(json|csv)$' % re.escape(prefix))
        self.prefix = prefix
        if os.path.exists(path) and not os.path.isdir(path):
            raise errors.InputError('dest %s is not a directory' % path)

    def files(self):
        """``[(date, file name)]`` of the archive files there, oldest first."""
        if not os.path.isdir(self.path):
            return []
        found = [(m.group(1), name) for name, m in ((n, self.name.match(n)) for n in os.listdir(self.path)) if m]
        return sorted(found)

    def file(self, day, ext):
        return '%s-%s.%s' % (self.prefix, day, ext)

    def previous(self, day):
        """The newest JSON archive dated before ``day``, or None."""
        earlier = [name for date, name in self.files() if date < day and name.endswith('.json')]
        return earlier[-1] if earlier else None

    def load(self, name):
        path = os.path.join(self.path, name)
        try:
            with open(path) as handle:
                devices = json.load(handle).get('devices')
        except (IOError, OSError, ValueError, AttributeError) as exc:
            raise errors.InputError('The previous archive %s cannot be read (%s)' % (path, exc),
                                    hint='move the damaged file out of the directory; the next run compares with '
                                         'the archive before it')
        if not isinstance(devices, list):
            raise errors.InputError('The previous archive %s holds no device list' % path)
        return devices

    def expired(self, day, keep_days):
        """Archive files dated ``keep_days`` days or more before ``day`` (keeping 7 days keeps ``day`` and the
        six days before)."""
        cutoff = (datetime.datetime.strptime(day, '%Y-%m-%d').date() - datetime.timedelta(days=keep_days)).isoformat()
        return [name for date, name in self.files() if date <= cutoff]

    def differs(self, name, text):
        try:
            with open(os.path.join(self.path, name), newline='') as handle:
                return handle.read() != text
        except (IOError, OSError):
            return True

    def write(self, name, text):
        """Write atomically (a reader never sees half a file), mode 0640."""
        if not os.path.isdir(self.path):
            os.makedirs(self.path, 0o750)
        handle, temporary = tempfile.mkstemp(prefix='.%s.' % name, dir=self.path)
        try:
            with os.fdopen(handle, 'w', newline='') as out:
                out.write(text)
            os.chmod(temporary, 0o640)
            os.replace(temporary, os.path.join(self.path, name))
        except BaseException:
            if os.path.exists(temporary):
                os.unlink(temporary)
            raise

    def remove(self, name):
        os.unlink(os.path.join(self.path, name))


def check_options(dest, day=None, prefix='xenmobile-devices', keep_days=30):
    """``(directory, day)`` for the options, or InputError (before any request)."""
    if keep_days < 1:
        raise errors.InputError('keep_days must be at least 1, got %d' % keep_days)
    return ArchiveDirectory(dest, prefix), archive_day(day)


def archive_devices(devices, dest, day=None, prefix='xenmobile-devices', keep_days=30, columns=None, shown=100,
                    check_mode=False):
    """Write the archive of ``devices`` for ``day`` into ``dest`` (see the module docstring)."""
    directory, day = check_options(dest, day, prefix, keep_days)
    before = [name for _date, name in directory.files()]
    previous = directory.previous(day)
    changes = device_changes(devices, directory.load(previous) if previous else None, shown)
    document = json.dumps({'date': day, 'count': len(devices), 'previous': previous, 'changes': changes['counts'],
                           'devices': devices}, sort_keys=True) + '\n'
    texts = {directory.file(day, 'json'): document,
             directory.file(day, 'csv'): rows_to_csv(devices, list(columns or CSV_COLUMNS))}
    writes = [name for name, text in sorted(texts.items()) if directory.differs(name, text)]
    removals = [name for name in directory.expired(day, keep_days) if name not in texts]
    if not check_mode:
        for name in writes:
            directory.write(name, texts[name])
        for name in removals:
            directory.remove(name)
    after = sorted(set(before + list(texts)) - set(removals))
    return Change(bool(writes or removals), {'files': before}, {'files': after}, date=day, previous=previous,
                  devices=len(devices), changes=changes, written=writes, removed=removals,
                  json=os.path.join(dest, directory.file(day, 'json')), csv=os.path.join(dest, directory.file(day, 'csv')))
