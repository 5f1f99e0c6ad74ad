# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Citrix Cloud platform APIs on top of a signed-in :class:`citrix_cloud.CloudClient`.

- Resource locations, through the current API (``{api_url}/resourcelocations/``, customer in the
  ``Citrix-CustomerId`` header): list, get, create, rename/update (PUT), delete.
- Administrator notifications (``{notifications host}/{customerId}/notifications/items``): send, and
  look one up by event id by following ``continuationToken`` pages.

``ensure_*`` methods read first, decide, and write only when something must change (never in check
mode); they return a :class:`Change` with before/after for ``--diff``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import re
import uuid

from urllib.parse import quote, urlsplit

from ansible_collections.opencitrix.automation.plugins.module_utils import errors
from ansible_collections.opencitrix.automation.plugins.module_utils.transport import (
    dumps, iterate_pages, require_keys,
)

# ResourceLocationModel.name in the spec: none of / \ # ? % | [ ] { } < > $ ^ & +
LOCATION_NAME = re.compile(r'[^/\\#?%|\[\]{}<>$^&+]+')
LOCATION_NAME_RULE = 'a resource location name cannot contain / \\ # ? % | [ ] { } < > $ ^ & +'
LOCATIONS_PATH = '/resourcelocations/'

SEVERITIES = ('Information', 'Warning', 'Critical')
PRIORITIES = ('Low', 'Normal', 'High')
NOTIFICATION_PAGE_SIZE = 100  # the largest page the listing serves; fewer requests per lookup
LANGUAGE_TAG = re.compile(r'^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$')
# Fixed namespace of derived notification event ids (uuid5 of DNS "notifications.opencitrix.automation").
EVENT_ID_NAMESPACE = uuid.UUID('73559da4-f34e-51fa-abc6-2dc7a93b46a7')


class Change:
    """What an ``ensure_*`` call did (or would do in check mode)."""

    __slots__ = ('changed', 'before', 'after', 'warnings')

    def __init__(self, changed, before=None, after=None, warnings=None):
        self.changed = changed
        self.before = before
        self.after = after
        self.warnings = warnings or []


def _items(body, what):
    body = require_keys(body, ('items',), what)
    if not isinstance(body['items'], list):
        raise errors.ResponseFormatError('Could not ' + what, api_message='items is not a list')
    return body['items']


# -- resource locations ---------------------------------------------------------------------------

def location_model(location):
    """The comparable part of a resource location."""
    location = location or {}
    return {'name': location.get('name'), 'internalOnly': location.get('internalOnly'),
            'timeZone': location.get('timeZone')}


def validate_location_name(name, option='name'):
    if not isinstance(name, str) or not name.strip():
        raise errors.InputError('Invalid %s: a resource location name cannot be empty' % option)
    if not LOCATION_NAME.fullmatch(name):
        raise errors.InputError('Invalid %s "%s": %s' % (option, name, LOCATION_NAME_RULE))
    return name


class ResourceLocations:
    """Resource locations of the client's customer."""

    def __init__(self, cloud):
        self.cloud = cloud

    def _call(self, method, location_id, what, **kwargs):
        """One call on the collection (``location_id`` None) or on one location; decoded JSON or None."""
        path = LOCATIONS_PATH + (quote(location_id, safe='') if location_id else '')
        headers = {'Citrix-CustomerId': self.cloud.require_customer_id()}
        return self.cloud.call(method, path, what=what, headers=headers, **kwargs)

    def list(self):
        return _items(self._call('GET', None, 'list resource locations'), 'list resource locations')

    def get(self, location_id):
        """The location with this id, or None."""
        what = 'read resource location %s' % location_id
        try:
            return require_keys(self._call('GET', location_id, what), ('id', 'name'), what)
        except errors.NotFoundError:
            return None

    @staticmethod
    def find(locations, name):
        """The location called ``name``: an exact match, else the only case-insensitive one."""
        exact = [loc for loc in locations if loc.get('name') == name]
        if exact:
            return exact[0]
        folded = [loc for loc in locations if str(loc.get('name', '')).lower() == name.lower()]
        if len(folded) > 1:
            raise errors.InputError('Resource location name "%s" is ambiguous' % name,
                                    hint='these differ only in case: %s' % ', '.join(loc['name'] for loc in folded))
        return folded[0] if folded else None

    def create(self, model):
        what = 'create resource location "%s"' % model['name']
        return require_keys(self._call('POST', None, what, json_body=model), ('id', 'name'), what)

    def update(self, location, model):
        # PUT replaces the object: send every field, not only the changed ones.
        what = 'update resource location "%s"' % location['name']
        return require_keys(self._call('PUT', location['id'], what, json_body=model), ('id', 'name'), what)

    def delete(self, location):
        self._call('DELETE', location['id'], 'delete resource location "%s"' % location['name'])

    @staticmethod
    def _refuse_read_only(location, verb):
        if location.get('readOnly'):
            raise errors.InputError('Resource location "%s" is managed by Citrix (readOnly) and cannot be %s'
                                    % (location['name'], verb), hint='choose a location your organization manages')

    def ensure_present(self, name, new_name=None, internal_only=None, time_zone=None, check_mode=False):
        validate_location_name(name)
        if new_name is not None:
            validate_location_name(new_name, 'new_name')
        locations = self.list()
        current = self.find(locations, name)
        if new_name is not None and new_name != name:
            renamed = self.find(locations, new_name)
            if current and renamed and current['id'] != renamed['id']:
                raise errors.InputError('Cannot rename resource location "%s" to "%s": a location with that name '
                                        'already exists' % (name, new_name),
                                        hint='delete or rename the other location first')
            if current is None and renamed is None:
                raise errors.NotFoundError('Cannot rename resource location "%s": neither it nor "%s" exists'
                                           % (name, new_name),
                                           hint='create it first, or drop new_name to create "%s"' % name)
            current = current or renamed
        if current is None:
            model = {'name': new_name if new_name is not None else name, 'internalOnly': bool(internal_only)}
            if time_zone is not None:
                model['timeZone'] = time_zone
            after = model if check_mode else self.create(model)
            return Change(True, None, after)
        model = location_model(current)
        if new_name is not None:  # a name only finds the location; only new_name renames it (even its case)
            model['name'] = new_name
        if internal_only is not None:
            model['internalOnly'] = internal_only
        if time_zone is not None:
            model['timeZone'] = time_zone
        if model == location_model(current):
            return Change(False, current, current)
        self._refuse_read_only(current, 'changed')
        after = dict(current, **model) if check_mode else self.update(current, model)
        return Change(True, current, after)

    def ensure_absent(self, name, check_mode=False):
        validate_location_name(name)
        current = self.find(self.list(), name)
        if current is None:
            return Change(False)
        self._refuse_read_only(current, 'deleted')
        if not check_mode:
            self.delete(current)
        return Change(True, current, None)


# -- notifications --------------------------------------------------------------------------------

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
        items = _items(body, what)
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
