# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Citrix Cloud administrator notifications (``{notifications host}/{customerId}/notifications/items``):
send, and look one up by event id by following ``continuationToken`` pages.

``ensure_sent`` sends a notification unless one with its event id exists; it returns a
:class:`results.Change`.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import re
import uuid

from urllib.parse import urlsplit

from ansible_collections.opencitrix.automation.plugins.module_utils import errors
from ansible_collections.opencitrix.automation.plugins.module_utils.paging import iterate_pages
from ansible_collections.opencitrix.automation.plugins.module_utils.responses import dumps, require_keys, require_list
from ansible_collections.opencitrix.automation.plugins.module_utils.results import Change

SEVERITIES = ('Information', 'Warning', 'Critical')
PRIORITIES = ('Low', 'Normal', 'High')
NOTIFICATION_PAGE_SIZE = 100  # the largest page the listing serves; fewer requests per lookup
LANGUAGE_TAG = re.compile(r'^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$')
# Fixed namespace of derived notification event ids (uuid5 of DNS "notifications.opencitrix.automation").
EVENT_ID_NAMESPACE = uuid.UUID('73559da4-f34e-51fa-abc6-2dc7a93b46a7')


def _choice(value, allowed, option):
    for candidate in allowed:
        if str(value).lower() == candidate.lower():
            return candidate
    raise errors.InputError('Invalid %s "%s"' % (option, value), hint='use one of %s' % ', '.join(allowed))


def normalize_content(content):
    """Validated ``content`` entries in the API's shape (``languageTag``, ``title``, ``description``,
    ``detailUri``), from dicts with either snake_case or the API's keys."""
    if not isinstance(content, list) or not content:
        raise errors.InputError('A notification needs at least one content entry with a title and a description')
    entries = []
    for index, entry in enumerate(content):
        where = 'content[%d]' % index
        if not isinstance(entry, dict):
            raise errors.InputError('Invalid %s: expected a dictionary' % where)
        tag = entry.get('language_tag', entry.get('languageTag')) or 'en-US'
        if not isinstance(tag, str) or not LANGUAGE_TAG.match(tag):
            raise errors.InputError('Invalid %s language tag "%s"' % (where, tag),
                                    hint='use a language tag such as en-US, de-DE or ja')
        texts = {}
        for field in ('title', 'description'):
            value = entry.get(field)
            if not isinstance(value, str) or not value.strip():
                raise errors.InputError('Invalid %s: %s is required' % (where, field))
            texts[field] = value
        uri = entry.get('detail_uri', entry.get('detailUri'))
        if uri is not None:
            parts = urlsplit(str(uri))
            if parts.scheme not in ('https', 'http') or not parts.netloc:
                raise errors.InputError('Invalid %s detail URI "%s"' % (where, uri), hint='use an absolute https:// URL')
        entry = {'languageTag': tag, 'title': texts['title'], 'description': texts['description']}
        if uri is not None:
            entry['detailUri'] = uri
        entries.append(entry)
    return entries


def derive_event_id(destination_admin, component, content, dedup_key=''):
    """A UUIDv5 of what the notification says and to whom, plus ``dedup_key``: the same notice gets the
    same id on every run, so it is sent once."""
    canonical = dumps({
        'destinationAdmin': destination_admin, 'component': component, 'dedupKey': dedup_key or '',
        'content': [[entry['languageTag'].lower(), entry['title'], entry['description'], entry.get('detailUri')]
                    for entry in content],
    })
    return str(uuid.uuid5(EVENT_ID_NAMESPACE, canonical))


def _created_date(value, now=None):
    if value is None:
        moment = now or datetime.datetime.now(datetime.timezone.utc)
        return moment.isoformat(timespec='milliseconds').replace('+00:00', 'Z')
    try:
        parsed = datetime.datetime.fromisoformat(str(value).replace('Z', '+00:00').replace('z', '+00:00'))
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        raise errors.InputError('Invalid created_date "%s"' % value,
                                hint='use an RFC 3339 date and time with an offset, such as 2026-11-23T08:00:00Z')
    return str(value)


def build_notification(content, destination_admin='*', component='Citrix Cloud', severity='Information',
                       priority='Normal', created_date=None, event_id=None, dedup_key='', now=None):
    """The validated request body of a notification (raises InputError before anything is sent)."""
    for option, value in (('destination_admin', destination_admin), ('component', component)):
        if not isinstance(value, str) or not value.strip():
            raise errors.InputError('Invalid %s: it cannot be empty' % option)
    entries = normalize_content(content)
    if event_id:
        try:
            event_id = str(uuid.UUID(str(event_id)))
        except ValueError:
            raise errors.InputError('Invalid event_id "%s"' % event_id, hint='use a GUID, or leave it out to derive one')
    else:
        event_id = derive_event_id(destination_admin, component, entries, dedup_key)
    return {
        'destinationAdmin': destination_admin, 'component': component,
        'createdDate': _created_date(created_date, now), 'eventId': event_id,
        'severity': _choice(severity, SEVERITIES, 'severity'), 'priority': _choice(priority, PRIORITIES, 'priority'),
        'content': entries,
    }


class Notifications:
    """Administrator notifications of the client's customer."""

    def __init__(self, cloud, page_size=NOTIFICATION_PAGE_SIZE):
        self.cloud = cloud
        self.page_size = page_size

    def url(self):
        return self.cloud.workspaces_url('notifications', '/%s/notifications/items' % self.cloud.require_customer_id())

    def _page(self, token):
        what = 'list Citrix Cloud notifications'
        params = {'limit': self.page_size}
        if token:
            params['continuationToken'] = token
        body = self.cloud.call('GET', self.url(), what=what, params=params)
        items = require_list(body, 'items', what)
        next_token = body.get('continuationToken')
        if next_token is not None and not isinstance(next_token, str):
            raise errors.ResponseFormatError('Could not ' + what, api_message='continuationToken is not a string')
        return items, next_token

    def iterate(self):
        """Every notification, newest first, one page at a time (stop early to save requests)."""
        return iterate_pages(self._page)

    def find(self, event_id):
        wanted = str(event_id).lower()
        for item in self.iterate():
            if isinstance(item, dict) and str(item.get('eventId', '')).lower() == wanted:
                return item
        return None

    def send(self, body):
        what = 'send Citrix Cloud notification "%s"' % body['content'][0]['title']
        stored = self.cloud.call('POST', self.url(), what=what, json_body=body)
        return require_keys(stored, ('eventId',), what)

    @staticmethod
    def _differences(stored, body):
        return sorted(key for key in ('severity', 'priority', 'destinationAdmin', 'component')
                      if stored.get(key) != body[key])

    def ensure_sent(self, body, check_mode=False):
        """Send ``body`` unless a notification with its event id exists."""
        existing = self.find(body['eventId'])
        if existing is None and check_mode:
            return Change(True, None, body)
        if existing is None:
            try:
                return Change(True, None, self.send(body))
            except errors.ConflictError:
                existing = self.find(body['eventId'])  # sent by another fork meanwhile
                if existing is None:
                    raise
        warnings = []
        differences = self._differences(existing, body)
        if differences:
            warnings.append('Notification %s was already sent with a different %s; sent notifications cannot be '
                            'changed, so nothing was sent (set dedup_key or event_id to send a new one)'
                            % (body['eventId'], ' and '.join(differences)))
        return Change(False, existing, existing, warnings)
