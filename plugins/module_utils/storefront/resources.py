# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The resources of a StoreFront store (Store Services resources v2): the enumeration
(``{store}/resources/v2``, or ``.../withoutautoprovision``), one resource through the details URL the
enumeration gives for it, and the plain dicts both become.

The XML is read with :mod:`safe_xml`; elements that repeat are taken with ``safe_xml.as_list`` after
the parse, so reading is linear in the size of the document.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.opencitrix.automation.plugins.module_utils import errors
from ansible_collections.opencitrix.automation.plugins.module_utils.storefront import safe_xml

NS_RESOURCES = 'http://citrix.com/delivery-services/2-0/resources'
NS_SUBSCRIPTIONS = 'http://citrix.com/delivery-services/2-0/subscriptions'
MEDIA_RESOURCES = 'application/vnd.citrix.resources+xml'
MEDIA_RESOURCE = 'application/vnd.citrix.resource+xml'
SCOPES = {'prelaunch': '$PRELAUNCH$', 'anonymous_prelaunch': '$ANONYMOUS_PRELAUNCH$'}
_NAMESPACES = {NS_RESOURCES: None, NS_SUBSCRIPTIONS: 'sub'}

# Result key, element (after namespace mapping: resources -> bare, subscriptions -> "sub:"), kind.
# Missing elements the Store Services API tells clients to read as false or empty get that value.
RESOURCE_FIELDS = (
    ('id', 'id', 'text'), ('title', 'title', 'text'), ('description', 'summary', 'text'),
    ('type', 'resourcetype', 'text'), ('path', 'path', 'text'), ('enabled', 'enabled', 'bool'),
    ('details_url', 'link', 'url'), ('launch_url', 'launchica', 'url'), ('launch_rade_url', 'launchrade', 'url'),
    ('image_url', 'image', 'url'), ('icon_url', 'icon', 'url'), ('image_hash', 'imagehash', 'text'),
    ('power_off_url', 'machinepoweroff', 'url'), ('content_location', 'contentlocation', 'text'),
    ('client_types', 'clienttypes', 'list:clienttype'), ('keywords', 'keywords', 'list:keyword'),
    ('mandatory', 'mandatory', 'bool:false'), ('featured', 'featured', 'bool'),
    ('show_on_desktop', 'showondesktop', 'bool:false'), ('show_on_start_menu', 'showonstartmenu', 'bool:false'),
    ('start_menu_root', 'startmenuroot', 'text:'), ('start_menu_path', 'startmenupath', 'text:'),
    ('workflow_enabled', 'workflowenabled', 'bool'), ('aggregated', 'aggregatedresource', 'bool'),
    ('publisher_name', 'publishername', 'text'), ('publisher_resource_id', 'publisherresourceid', 'text'),
    ('subscription_status', 'sub:subscriptionstatus', 'text'), ('subscription_id', 'sub:subscriptionid', 'text'),
    ('subscription_url', 'sub:subscriptionactions', 'url'),
    ('subscription_response_reason', 'sub:subscriptionresponsereason', 'text'),
)


def folder_of(path):
    """``\\Apps\\Office\\`` (the farm's folder path) as ``Apps/Office``; the root folder is ``''``."""
    parts = [p for p in (path or '').replace('/', '\\').split('\\') if p.strip()]
    return '/'.join(p.strip() for p in parts)


def in_folder(resource, folder):
    """True when the resource sits in ``folder`` or below it (case-insensitive)."""
    wanted = folder_of(folder).lower()
    have = (resource.get('folder') or '').lower()
    return not wanted or have == wanted or have.startswith(wanted + '/')


def _value(node, kind):
    if kind.startswith('list:'):
        items = safe_xml.as_list(node.get(kind[5:])) if isinstance(node, dict) else ()
        return [safe_xml.text(i) for i in items if safe_xml.text(i) is not None] if node is not None else []
    if kind == 'url':
        return safe_xml.text(node.get('url')) if isinstance(node, dict) else None
    if kind.startswith('text'):
        value = safe_xml.text(node)
        return value if value is not None else (kind[5:] if ':' in kind else None)
    value = (safe_xml.text(node) or '').strip().lower()
    if value in ('true', 'false'):
        return value == 'true'
    return False if kind == 'bool:false' else None


def resource_from_xml(node):
    """A plain dict for one ``<resource>`` element (as xmltodict returns it)."""
    node = node if isinstance(node, dict) else {}
    resource = dict((key, _value(node.get(element), kind)) for key, element, kind in RESOURCE_FIELDS)
    resource['folder'] = folder_of(resource['path'])
    properties = {}
    container = node.get('properties')
    for prop in safe_xml.as_list(container.get('property') if isinstance(container, dict) else None):
        if isinstance(prop, dict) and prop.get('@propertyId'):
            properties[prop['@propertyId']] = [safe_xml.text(v) for v in safe_xml.as_list(prop.get('value'))]
    resource['properties'] = properties
    return resource


def parse_resources(data, what='list StoreFront resources', url=None, max_bytes=safe_xml.DEFAULT_MAX_BYTES):
    """``{'enumeration', 'subscriptions_status', 'resources'}`` from a resources v2 document."""
    root = safe_xml.parse_root(data, 'resources', what, url=url, max_bytes=max_bytes, namespaces=_NAMESPACES)
    return {'enumeration': root.get('@enumeration') or 'full',
            'subscriptions_status': root.get('@sub:subscriptionsstatus'),
            'resources': [resource_from_xml(r) for r in safe_xml.as_list(root.get('resource'))]}


def parse_resource(data, what, url=None, max_bytes=safe_xml.DEFAULT_MAX_BYTES):
    """One resource from a single-resource document (the same elements as in an enumeration)."""
    return resource_from_xml(safe_xml.parse_root(data, 'resource', what, url=url, max_bytes=max_bytes,
                                                 namespaces=_NAMESPACES))


def enumeration_problem(listing, allow_partial=True):
    """``('warning' | 'failure', message)`` for an enumeration that is not complete or whose
    subscription data is missing; None when all is well."""
    state = listing.get('enumeration')
    count = len(listing.get('resources') or ())
    if state == 'failed':
        return 'failure', ('StoreFront could not enumerate resources: enumeration="failed" (none of the '
                           'store\'s delivery controllers / XML services answered); check the controllers '
                           'configured for the store')
    if state == 'partial':
        message = ('StoreFront enumeration is partial: enumeration="partial" (some of the store\'s delivery '
                   'controllers / XML services did not answer), so the %d resources returned may be incomplete' % count)
        return ('warning' if allow_partial else 'failure'), message
    if listing.get('subscriptions_status') == 'unavailable':
        return 'warning', ('StoreFront subscriptions are enabled but their database is unavailable '
                           '(subscriptionsstatus="unavailable"); subscription_status may be missing')
    return None


CLIENT_PARAMS = (('client_name', 'clientName'), ('client_address', 'clientAddress'), ('device_id', 'deviceId'))


def client_identity_spec():
    """``client_name``, ``client_address`` and ``device_id``: how the modules present the client to the store."""
    return dict((option, dict(type='str')) for option, _api in CLIENT_PARAMS)


def client_identity(params):
    """The client identity options of module parameters."""
    return dict((option, params.get(option)) for option, _api in CLIENT_PARAMS)


def query(groups=None, subscription_status=None, scope=None, client=None):
    """Query parameters of an enumeration; a scope may be given as the API value or its short name;
    ``client``: :func:`client_identity` values, sent as ``clientName``, ``clientAddress``, ``deviceId``."""
    params = [('group', g) for g in groups or ()]
    params += [('subscriptionStatus', s) for s in subscription_status or ()]
    if scope:
        params.append(('scope', SCOPES.get(scope.strip().lower(), scope)))
    params += [(api, (client or {}).get(option)) for option, api in CLIENT_PARAMS if (client or {}).get(option)]
    return params


def select_resources(resources, names):
    """``(chosen, missing)``: the resources whose id or title is one of ``names`` (ids exactly, titles
    case-insensitively), in the store's order, and the names nothing matched."""
    wanted = list(names or ())
    ids = set(wanted)
    titles = set(n.lower() for n in wanted)
    chosen = [r for r in resources if r['id'] in ids or (r.get('title') or '').lower() in titles]
    found = set(r['id'] for r in chosen) | set((r.get('title') or '').lower() for r in chosen)
    return chosen, [n for n in wanted if n not in found and n.lower() not in found]


def listing_result(listing, folder=None):
    """What ``storefront_resource_info`` returns of a listing: every folder read, and the resources in
    ``folder`` (all when not given)."""
    return dict(enumeration=listing['enumeration'], subscriptions_status=listing['subscriptions_status'],
                folders=sorted(set(r['folder'] for r in listing['resources'])),
                resources=[r for r in listing['resources'] if in_folder(r, folder)])


class Resources:
    """The resources of the store of ``client`` (a StoreFrontClient)."""

    def __init__(self, client):
        self.client = client

    def list(self, auto_provision=False, groups=None, subscription_status=None, scope=None, client=None):
        """Enumerate the store. ``auto_provision`` uses ListResourcesWithAutoProvision, which may subscribe
        the user to auto-provisioned applications; the default ListResources changes nothing."""
        what = 'list StoreFront resources'
        url = self.client.store_url + ('/resources/v2' if auto_provision else '/resources/v2/withoutautoprovision')
        response = self.client.get(url, MEDIA_RESOURCES, what,
                                   params=query(groups, subscription_status, scope, client))
        self.client.expect(response, MEDIA_RESOURCES, what)
        return parse_resources(response.content, what, url=url, max_bytes=self.client.max_bytes)

    def get(self, resource_id, auto_provision=False, groups=None, scope=None, client=None):
        """One resource, read from the details URL that the enumeration gives for it."""
        listing = self.list(auto_provision, groups=['status'], scope=scope, client=client)
        match = [r for r in listing['resources'] if r['id'] == resource_id]
        if not match:
            raise errors.NotFoundError(
                'No StoreFront resource with id "%s"' % resource_id, url=self.client.redact(self.client.store_url),
                api_message='the enumeration (%s) lists %d resources' % (listing['enumeration'], len(listing['resources'])),
                hint='ids are case-sensitive and start with the farm or controller name, for example Controller.Notepad')
        if not match[0]['details_url']:
            raise errors.ResponseFormatError('Could not read StoreFront resource "%s"' % resource_id,
                                             api_message='the enumeration gives no details URL (<link>) for it')
        what = 'read StoreFront resource "%s"' % resource_id
        url = match[0]['details_url']
        response = self.client.get(self.client.secure(url), MEDIA_RESOURCE, what,
                                   params=query(groups, None, scope, client))
        self.client.expect(response, MEDIA_RESOURCE, what)
        listing['resources'] = [parse_resource(response.content, what, url=url, max_bytes=self.client.max_bytes)]
        return listing

    def read(self, resource_id=None, auto_provision=False, groups=None, subscription_status=None, scope=None,
             client=None):
        """One resource (``resource_id``) or the enumeration."""
        if resource_id:
            return self.get(resource_id, auto_provision, groups, scope, client)
        return self.list(auto_provision, groups, subscription_status, scope, client)
