# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Subscribing the signed-in user to StoreFront resources (Store Services API, subscriptions service).

Each resource of an enumeration names its subscription URL (``subscriptionactions``) and status. A POST of a
``subscriptionUpdate`` (``updateType`` subscribe or unsubscribe) to that URL answers ``200`` with a
``subscriptionResult`` (the new status) or a ``subscriptionConflict`` (the resource was already in that state),
``202`` when an approval workflow must run first, and ``404`` with ``X-Citrix-Error-Reason`` when the
resource or subscriptions are not available. :func:`ensure_subscriptions` reads the status first and sends
only what is needed (nothing in check mode), returning a :class:`results.FleetResult`.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.opencitrix.automation.plugins.module_utils import errors
from ansible_collections.opencitrix.automation.plugins.module_utils.results import FleetResult
from ansible_collections.opencitrix.automation.plugins.module_utils.storefront import safe_xml
from ansible_collections.opencitrix.automation.plugins.module_utils.storefront.client import media_type
from ansible_collections.opencitrix.automation.plugins.module_utils.storefront.resources import (
    NS_SUBSCRIPTIONS, Resources, select_resources,
)

MEDIA_UPDATE = 'application/vnd.citrix.subscriptionupdate+xml'
MEDIA_RESULT = 'application/vnd.citrix.subscriptionresult+xml'
MEDIA_CONFLICT = 'application/vnd.citrix.subscriptionconflict+xml'
SETTLED = {'subscribed': ('subscribed',), 'unsubscribed': ('notSubscribed',)}
KNOWN = ('notSubscribed', 'subscribed', 'approved', 'denied')


def update_body(update_type, client_name=None):
    body = {'@xmlns': NS_SUBSCRIPTIONS, '@updateType': update_type, '@updateDataMode': 'merge'}
    if client_name:
        body['clientName'] = client_name
    return safe_xml.unparse({'subscriptionUpdate': body}).encode('utf-8')


def read_answer(response, what, url):
    """``(status, conflict reason)`` of a subscription answer."""
    if response.status_code == 202:
        return 'pending approval', None
    kind = media_type(response)
    if kind == MEDIA_CONFLICT:
        root = safe_xml.parse_root(response.content, 'subscriptionConflict', what, url=url,
                                   namespaces={NS_SUBSCRIPTIONS: None})
        return None, root.get('@reason') or 'unknown'
    root = safe_xml.parse_root(response.content, 'subscriptionResult', what, url=url,
                               namespaces={NS_SUBSCRIPTIONS: None})
    return safe_xml.text(root.get('status')), None


def plan(resource, state):
    """``(outcome, reason)`` for one resource before anything is sent."""
    status = resource.get('subscription_status')
    if status in SETTLED[state]:
        return 'unchanged', None
    if state == 'unsubscribed' and resource.get('mandatory'):
        return 'skipped', 'mandatory resources are always subscribed and cannot be unsubscribed'
    if not resource.get('subscription_url'):
        return 'skipped', 'the store gives no subscription URL for it (subscriptions read-only or disabled)'
    if state == 'subscribed' and status not in KNOWN and status is not None:
        return 'unchanged', 'an approval workflow is running (status %s)' % status
    return 'changed', None


class Subscriptions:
    """The subscriptions of the user signed in to ``client`` (a StoreFrontClient)."""

    def __init__(self, client):
        self.client = client

    def send(self, resource, update_type, client_name=None):
        url = self.client.secure(resource['subscription_url'])
        what = '%s the StoreFront resource "%s"' % (update_type, resource['id'])
        response = self.client.http.request(
            'POST', url, data=update_body(update_type, client_name), what=what, expected=(200, 202),
            headers={'Content-Type': MEDIA_UPDATE, 'Accept': '%s, %s' % (MEDIA_RESULT, MEDIA_CONFLICT)})
        return read_answer(response, what, self.client.redact(url))

    def ensure(self, names, state='subscribed', client=None, check_mode=False):
        """Bring the resources ``names`` (ids or titles) to ``state``; ``client``: the client identity
        (:func:`resources.client_identity`) sent with the enumeration and the updates."""
        client_name = (client or {}).get('client_name')
        listing = Resources(self.client).list(client=client)
        if listing.get('subscriptions_status') == 'disabled':
            raise errors.InputError('Subscriptions are disabled on this store (subscriptionsstatus="disabled")',
                                    hint='nothing to subscribe to: every resource the user sees can be launched')
        chosen, missing = select_resources(listing['resources'], names)
        fleet = FleetResult('Subscription')
        for name in missing:
            fleet.add(name, 'failed', 'the store offers the user no resource with this id or title', id=None)
        update_type = 'subscribe' if state == 'subscribed' else 'unsubscribe'
        for resource in chosen:
            outcome, reason = plan(resource, state)
            item = fleet.add(resource['id'], outcome, reason, id=resource['id'], title=resource['title'],
                             status_before=resource.get('subscription_status'),
                             status_after=(SETTLED[state][0] if outcome == 'changed'
                                           else resource.get('subscription_status')))
            if outcome != 'changed' or check_mode:
                continue
            try:
                status, conflict = self.send(resource, update_type, client_name)
            except errors.CitrixError as exc:
                fleet.fail(item, exc)
                continue
            if conflict:
                item.update(outcome='unchanged', reason='the store answered a conflict (%s)' % conflict)
            else:
                item['status_after'] = status
        return fleet


def subscription_diff(fleet):
    return fleet.diff('subscription_status', 'status_before', 'status_after')
