# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Citrix Cloud administrator notifications: send one, and find out whether it was sent already.

Sending is documented (``POST {notifications host}/{customerId}/notifications/items``, or the gateway
form ``POST {api gateway}/notifications/`` with ``Citrix-CustomerId``). Listing is not: public admin
scripts read ``GET {notifications host}/{customerId}/notifications`` (``{"items", "continuationToken"}``,
items with ``title``, ``description`` and ``createdDate``), and nothing public shows listed items
carrying an event id or the service refusing a repeated one. So :meth:`Notifications.ensure_sent`
decides "already sent" from what the listing shows:

1. an item whose ``eventId`` or ``externalId`` is the notification's event id (both are sent);
2. when listed items have neither field, and the caller gave no key of its own (``event_id`` or
   ``dedup_key``): an item with the same title and description, created within the look-back window;
3. when listed items have neither field and the caller gave a key: nothing can be verified; it is sent
   with a warning;
4. when the listing is refused (401 after a new token, 403, 404, 405): sent with a warning.

It returns a :class:`results.Change`.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import re
import uuid

from urllib.parse import urlsplit

from ansible_collections.opencitrix.automation.plugins.module_utils import errors
from ansible_collections.opencitrix.automation.plugins.module_utils.paging import iterate_pages
from ansible_collections.opencitrix.automation.plugins.module_utils.responses import dumps, require_list
from ansible_collections.opencitrix.automation.plugins.module_utils.results import Change

SEVERITIES = ('Information', 'Warning', 'Critical')
PRIORITIES = ('Low', 'Normal', 'High')
ENDPOINTS = ('workspaces', 'gateway')
# Answers to the listing that say "you cannot list here", whatever the reason; the send goes ahead.
LISTING_REFUSED = (401, 403, 404, 405)
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


def _parse_date(value):
    """An RFC 3339 date and time as a datetime (naive when it has no offset), or None."""
    try:
        return datetime.datetime.fromisoformat(str(value).replace('Z', '+00:00').replace('z', '+00:00'))
    except ValueError:
        return None


def _created_date(value, now=None):
    if value is None:
        moment = now or datetime.datetime.now(datetime.timezone.utc)
        return moment.isoformat(timespec='milliseconds').replace('+00:00', 'Z')
    parsed = _parse_date(value)
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
        'createdDate': _created_date(created_date, now), 'eventId': event_id, 'externalId': event_id,
        'severity': _choice(severity, SEVERITIES, 'severity'), 'priority': _choice(priority, PRIORITIES, 'priority'),
        'content': entries,
    }


def _texts(item):
    """The (title, description) pairs of a listed or sent notification: top level, as the listing shows
    them, and those of its ``content`` entries."""
    pairs = set()
    if item.get('title') is not None or item.get('description') is not None:
        pairs.add((item.get('title'), item.get('description')))
    for entry in item.get('content') or ():
        if isinstance(entry, dict):
            pairs.add((entry.get('title'), entry.get('description')))
    return pairs


class Lookup:
    """What the listing says about one notification: ``found`` (the listed item, or None), ``matched_by``
    (``eventId``, ``externalId``, ``content`` or None) and ``warnings``."""

    def __init__(self, found=None, matched_by=None, warnings=()):
        self.found = found
        self.matched_by = matched_by
        self.warnings = list(warnings)


class Notifications:
    """Administrator notifications of the client's customer, through the Citrix Workspaces notifications
    host (``endpoint='workspaces'``) or the API gateway (``endpoint='gateway'``)."""

    def __init__(self, cloud, endpoint='workspaces'):
        if endpoint not in ENDPOINTS:
            raise errors.InputError('Unknown notifications endpoint "%s"' % endpoint,
                                    hint='use one of %s' % ', '.join(ENDPOINTS))
        self.cloud = cloud
        self.endpoint = endpoint

    def _where(self, workspaces_path, gateway_path):
        """``(url, headers)`` of one operation on the chosen endpoint."""
        customer = self.cloud.require_customer_id()
        if self.endpoint == 'gateway':
            return gateway_path, {'Citrix-CustomerId': customer}
        return self.cloud.workspaces_url('notifications', workspaces_path % customer), None

    def _page(self, token):
        what = 'list Citrix Cloud notifications'
        url, headers = self._where('/%s/notifications', '/notifications')
        body = self.cloud.call('GET', url, what=what, headers=headers,
                               params={'continuationToken': token} if token else None)
        items = require_list(body, 'items', what)
        next_token = body.get('continuationToken')
        if next_token is not None and not isinstance(next_token, str):
            raise errors.ResponseFormatError('Could not ' + what, api_message='continuationToken is not a string')
        return items, next_token

    def iterate(self):
        """Every listed notification, one page at a time (stop early to save requests)."""
        return iterate_pages(self._page, what='list Citrix Cloud notifications')

    def send(self, body):
        what = 'send Citrix Cloud notification "%s"' % body['content'][0]['title']
        url, headers = self._where('/%s/notifications/items', '/notifications/')
        stored = self.cloud.call('POST', url, what=what, json_body=body, headers=headers)
        return stored if isinstance(stored, dict) else body

    def lookup(self, body, explicit_key=False, lookback_hours=None, now=None):
        """Whether the listing shows ``body`` as sent (see the module docstring for the rules)."""
        wanted = body['eventId'].lower()
        horizon = None
        if lookback_hours is not None:
            if float(lookback_hours) <= 0:
                raise errors.InputError('Invalid lookback_hours %s: it must be more than 0' % lookback_hours,
                                        hint='leave it out to compare with every listed notification')
            moment = now or datetime.datetime.now(datetime.timezone.utc)
            horizon = moment - datetime.timedelta(hours=float(lookback_hours))
        texts = _texts(body)
        ids_listed = False
        self.cloud.token()  # a sign-in failure is the send's failure too: raised, not warned about
        try:
            for item in self.iterate():
                if not isinstance(item, dict):
                    continue
                for key in ('eventId', 'externalId'):
                    if key in item:  # the listing shows this field (null for notifications sent without it)
                        ids_listed = True
                        if str(item[key] or '').lower() == wanted:
                            return Lookup(item, key)
                if not ids_listed and not explicit_key and _texts(item) & texts:
                    created = _parse_date(item.get('createdDate'))
                    if created is not None and created.tzinfo is None:
                        created = created.replace(tzinfo=datetime.timezone.utc)
                    if horizon is None or created is None or created >= horizon:
                        return Lookup(item, 'content')
        except errors.ApiError as exc:
            if exc.status not in LISTING_REFUSED:
                raise
            return Lookup(warnings=['Citrix Cloud refused to list notifications (%s), so whether this one was '
                                    'sent already is unknown' % exc])
        if explicit_key and not ids_listed:
            return Lookup(warnings=['Listed notifications carry no event ids, so whether notification %s was sent '
                                    'already could not be verified (leave out event_id and dedup_key to match by '
                                    'title and description instead)' % body['eventId']])
        return Lookup()

    @staticmethod
    def _differences(stored, body):
        return sorted(key for key in ('severity', 'priority', 'destinationAdmin', 'component')
                      if stored.get(key) is not None and stored.get(key) != body[key])

    def ensure_sent(self, body, explicit_key=False, lookback_hours=None, check_mode=False, now=None):
        """Send ``body`` unless the listing shows it as sent. ``explicit_key``: the event id was given or
        derived with a ``dedup_key`` (then title and description alone never count as "sent")."""
        lookup = self.lookup(body, explicit_key, lookback_hours, now)
        existing = lookup.found
        if existing is None:
            after = body if check_mode else self.send(body)
            warnings = ['%s; %s' % (w, 'it would be sent' if check_mode else 'it was sent') for w in lookup.warnings]
            return Change(True, None, after, warnings, matched_by=None)
        warnings = list(lookup.warnings)
        differences = self._differences(existing, body)
        if differences:
            warnings.append('Notification %s was already sent with a different %s; sent notifications cannot be '
                            'changed, so nothing was sent (set dedup_key or event_id to send a new one)'
                            % (body['eventId'], ' and '.join(differences)))
        return Change(False, existing, existing, warnings, matched_by=lookup.matched_by)
