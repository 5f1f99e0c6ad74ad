# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""XenMobile enrollment invitations (public REST API §3.19): ``POST /enrollment`` creates an invitation per
platform of a user, ``POST /enrollment/filter`` lists them (paged, ``search`` matching the user name),
``DELETE /enrollment`` removes invitations by token.

:func:`ensure_invitations` makes sure each user has an invitation per platform (one that is pending or was
redeemed counts; an expired or failed one does not), or that a user's pending invitations are gone; it
reads first, writes only what is missing (nothing in check mode) and returns a :class:`results.FleetResult`
with one item per user and platform. The invitation PIN (``secret``) is never returned.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.opencitrix.automation.plugins.module_utils import errors
from ansible_collections.opencitrix.automation.plugins.module_utils.results import FleetResult
from ansible_collections.opencitrix.automation.plugins.module_utils.targets import emptiness
from ansible_collections.opencitrix.automation.plugins.module_utils.xenmobile.client import API

ENROLLMENT_PATH = API + '/enrollment'
FILTER_PATH = API + '/enrollment/filter'
PLATFORMS = {'ios': 'iOS', 'android': 'SHTP', 'macos': 'MACOSX'}
OWNERSHIP = {'corporate': 'CORPORATE', 'byod': 'BYOD', 'no_binding': 'NO_BINDING'}
BINDINGS = {'serial_number': 'SERIALNUMBER', 'udid': 'UDID', 'imei': 'IMEI'}
TEMPLATE_CATEGORIES = {'agent': 'ENROLLMENT_AGENT', 'url': 'ENROLLMENT_URL', 'pin': 'ENROLLMENT_PIN',
                       'confirmation': 'ENROLLMENT_CONFIRMATION'}
LIVE = ('PENDING', 'REDEEMED')  # an invitation that still counts for "present"
PAGE_SIZE = 1000
SEARCH_MAX_USERS = 5  # more users than this: one listing of every invitation instead of a search per user


def platform_of(record):
    """The collection's platform name of an invitation record's ``type`` (None for another platform)."""
    kind = str(record.get('type') or '').lower()
    for name, api in PLATFORMS.items():
        if kind in (api.lower(), name):
            return name
    return None


def invitation_view(record):
    """What results show of an invitation: never its PIN (``secret``)."""
    return {'token': record.get('token'), 'platform': platform_of(record), 'status': record.get('status'),
            'mode': record.get('mode'), 'created': record.get('createTime')}


def request_body(user, platforms, ownership='no_binding', mode='classic', notify=False, templates=None,
                 phone_number=None, carrier=None, binding_type=None, binding_data=None, pin=None):
    """The ``POST /enrollment`` body for one user (§3.19.4)."""
    body = {'platforms': [PLATFORMS[p] for p in platforms], 'deviceOwnership': OWNERSHIP[ownership],
            'mode': {'name': mode}, 'userName': user, 'notifyNow': bool(notify),
            'notificationTemplateCategories': [
                {'category': category, 'notificationTemplate': {'name': (templates or {}).get(key) or 'NONE'}}
                for key, category in sorted(TEMPLATE_CATEGORIES.items())]}
    optional = (('phoneNumber', phone_number), ('carrier', carrier), ('pin', pin),
                ('deviceBindingType', BINDINGS.get(binding_type)), ('deviceBindingData', binding_data))
    body.update((key, value) for key, value in optional if value)
    return body


class Enrollments:
    """The enrollment invitations of one XenMobile server (``client``: a XenMobileClient)."""

    def __init__(self, client):
        self.client = client

    def list(self, search=None):
        what = 'list enrollment invitations of %s' % self.client.server

        def listing(reply):
            found = (reply.get('enrollmentFilterResponse') or {}).get('enrollmentList') or {}
            return found if isinstance(found, dict) else {}

        body = {'search': search} if search else {}
        return self.client.paged(FILTER_PATH, body, PAGE_SIZE, what, lambda r: listing(r).get('enrollments'),
                                 lambda r: listing(r).get('totalCount'), numbers_as_text=True, key='token')

    def of_users(self, users):
        """``{user (lower case): [records]}`` for ``users``: a search per user for a few, else one listing."""
        wanted = dict((u.lower(), []) for u in users)
        searches = users if len(wanted) <= SEARCH_MAX_USERS else [None]
        for search in searches:
            for record in self.list(search):
                name = str(record.get('userName') or '').lower()
                if name in wanted and record not in wanted[name]:
                    wanted[name].append(record)
        return wanted

    def create(self, body):
        what = 'invite %s to enroll (%s) on %s' % (body['userName'], ', '.join(body['platforms']), self.client.server)
        reply = self.client.call('POST', ENROLLMENT_PATH, what, json_body=body)
        urls = reply.get('urls')
        return dict((str(u.get('platform')).lower(), u) for u in urls if isinstance(u, dict)) if isinstance(
            urls, list) else {}

    def remove(self, tokens):
        what = 'remove %d enrollment invitations from %s' % (len(tokens), self.client.server)
        return self.client.call('DELETE', ENROLLMENT_PATH, what, json_body=list(tokens))


def check_users(users, platforms):
    """An empty user list or an empty entry is an error before any request."""
    for option, value in (('user', users), ('platform', platforms)):
        problem = emptiness(value if value is not None else [])
        if problem:
            raise errors.InputError('%s %s' % (option, problem), hint='name the users and platforms to invite')


def ensure_invitations(client, users, platforms, state='present', check_mode=False, **details):
    """Each user has a live invitation per platform (``present``), or none pending (``absent``); ``details``
    are :func:`request_body`'s options."""
    check_users(users, platforms)
    enrollments = Enrollments(client)
    existing = enrollments.of_users(users)
    fleet = FleetResult('Enrollment')
    creates, removals = {}, []
    for user in users:
        records = existing[user.lower()]
        for platform in platforms:
            mine = [r for r in records if platform_of(r) == platform]
            live = [r for r in mine if r.get('status') in LIVE]
            pending = [r for r in mine if r.get('status') == 'PENDING']
            name = '%s/%s' % (user, platform)
            if state == 'present' and live:
                fleet.add(name, 'unchanged', 'an invitation is %s' % live[0].get('status').lower(), user=user,
                          platform=platform, action=None, invitations=[invitation_view(r) for r in live])
            elif state == 'present':
                creates.setdefault(user, []).append(fleet.add(name, 'changed', None, user=user, platform=platform,
                                                              action='invite', invitations=[]))
            elif pending:
                removals.append((fleet.add(name, 'changed', None, user=user, platform=platform, action='remove',
                                           invitations=[invitation_view(r) for r in pending]), pending))
            else:
                fleet.add(name, 'unchanged', 'no pending invitation', user=user, platform=platform, action=None,
                          invitations=[])
    if not check_mode:
        _create(enrollments, fleet, creates, details)
        _remove(enrollments, fleet, removals)
    return fleet


def _create(enrollments, fleet, creates, details):
    for user, items in creates.items():
        try:
            urls = enrollments.create(request_body(user, [i['platform'] for i in items], **details))
        except errors.CitrixError as exc:
            for item in items:
                fleet.fail(item, exc)
            continue
        for item in items:
            made = urls.get(PLATFORMS[item['platform']].lower())
            item['invitations'] = [{'token': made.get('token'), 'platform': item['platform'], 'status': 'PENDING',
                                    'url': made.get('url')}] if made else []


def _remove(enrollments, fleet, removals):
    if not removals:
        return
    try:
        enrollments.remove([r.get('token') for _item, records in removals for r in records])
    except errors.CitrixError as exc:
        for item, _records in removals:
            fleet.fail(item, exc)


def invitation_diff(fleet):
    """``--diff``: the pending invitations of each user and platform changed, before and after."""
    return fleet.diff('pending_invitations', lambda i: 1 if i['action'] == 'remove' else 0,
                      lambda i: 1 if i['action'] == 'invite' else 0)
