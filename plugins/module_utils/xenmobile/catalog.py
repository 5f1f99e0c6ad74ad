# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Web link apps and public store apps: apps defined by URLs rather than by an uploaded package, so that
everything about them can be read from one server and written to another.

- Web link (public REST API §3.15.4): ``GET``/``PUT .../application/weblink/{id}``, ``POST .../application/weblink``;
  ``name``, ``description`` and ``loginUrl`` are mandatory in writes.
- Public store app (§3.15.6): ``GET``/``PUT .../application/store/{id}``, ``POST .../application/store``; a
  platform object (``iphone``, ``android`` ...) needs its ``storeUrl`` when it is added; a ``PUT`` updates the
  container and adds or updates the platforms it names, and never removes one.
- Both are deleted with ``DELETE .../application/{id}``.

:func:`ensure_catalog_app` reads the app of a name first, compares the fields the caller gave, writes only
when something differs (nothing in check mode) and returns a :class:`results.Change` with ``action``
``created``, ``updated``, ``deleted`` or ``none``. A store URL is compared only to decide that a platform is
missing: the server keeps its own form of the URL.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.opencitrix.automation.plugins.module_utils import errors
from ansible_collections.opencitrix.automation.plugins.module_utils.results import Change
from ansible_collections.opencitrix.automation.plugins.module_utils.xenmobile.apps import (
    STORE_PATH, STORE_PLATFORM_FIELDS, STORE_PLATFORMS, STORE_TYPE, WEBLINK_PATH, WEBLINK_TYPE, Apps, deployment_spec,
    schedule_body, store_platforms, weblink_fields,
)

KINDS = {'weblink': (WEBLINK_TYPE, WEBLINK_PATH), 'store': (STORE_TYPE, STORE_PATH)}
UNORDERED = ('categories', 'delivery_groups')
PLATFORM_COMPARED = tuple(option for _api, option in STORE_PLATFORM_FIELDS if option != 'store_url')


def view(kind, container):
    """What results and ``--diff`` show of a web link or store app (None: no such app)."""
    if container is None:
        return None
    shown = {'id': container.get('id'), 'name': container.get('name'), 'description': container.get('description'),
             'categories': container.get('categories'), 'delivery_groups': container.get('roles'),
             'disabled': container.get('disabled')}
    if kind == 'weblink':
        shown.update(weblink_fields(container))
    else:
        shown['platforms'] = store_platforms(container)
    return shown


def _same(key, wanted, current):
    if key in UNORDERED:
        return sorted(wanted or []) == sorted(current or [])
    return wanted == current


def differences(kind, current, desired):
    """The option names whose desired value differs from ``current`` (a :func:`view`); for store apps also
    ``platform:<name>`` for each platform to add or update. The deployment schedule is used on creation only."""
    found = [key for key, value in desired.items()
             if key not in ('platforms', 'deployment') and value is not None and not _same(key, value, current.get(key))]
    if kind == 'store':
        have = dict((p['platform'], p) for p in current.get('platforms') or ())
        for wanted in desired.get('platforms') or ():
            now = have.get(wanted['platform'])
            if now is None or any(wanted.get(k) is not None and wanted[k] != now.get(k) for k in PLATFORM_COMPARED):
                found.append('platform:%s' % wanted['platform'])
    return found


def _platform_body(wanted, adding):
    body = dict((api, wanted.get(option)) for api, option in STORE_PLATFORM_FIELDS
                if wanted.get(option) is not None and (adding or option != 'store_url'))
    return body


def request_body(kind, name, desired, current=None, changed=()):
    """The ``POST`` (``current`` None) or ``PUT`` body: every given field on creation; on update the mandatory
    fields plus those that differ (and, for store apps, only the platforms to add or update)."""
    body = {'name': name}
    creating = current is None
    fields = (('description', 'description'), ('categories', 'categories'), ('roles', 'delivery_groups'))
    for api, option in fields:
        if desired.get(option) is not None and (creating or option in changed):
            body[api] = desired[option]
    if kind == 'weblink':
        body['description'] = desired.get('description') or (current or {}).get('description') or name
        body['loginUrl'] = desired.get('link_url') or (current or {}).get('link_url')
        if desired.get('vpn') is not None:
            body['vpn'] = desired['vpn']
    else:
        have = set(p['platform'] for p in (current or {}).get('platforms') or ())
        for wanted in desired.get('platforms') or ():
            if creating or 'platform:%s' % wanted['platform'] in changed:
                body[wanted['platform']] = _platform_body(wanted, wanted['platform'] not in have)
    schedule = schedule_body(desired.get('deployment'))
    if schedule and creating:
        body['schedule'] = schedule
    return body


def predicted(kind, name, desired, current):
    """The view after the write, for check mode (and the diff)."""
    after = dict(current or {'id': None, 'name': name, 'description': None, 'categories': None,
                             'delivery_groups': None, 'disabled': False})
    after.update((k, v) for k, v in desired.items() if v is not None and k not in ('platforms', 'deployment'))
    if kind == 'weblink' and current is None:
        after.setdefault('vpn', desired.get('vpn'))
        after['description'] = after.get('description') or name
    if kind == 'store':
        platforms = dict((p['platform'], dict(p)) for p in (current or {}).get('platforms') or ())
        for wanted in desired.get('platforms') or ():
            merged = platforms.setdefault(wanted['platform'], dict((option, None) for _api, option in STORE_PLATFORM_FIELDS))
            merged.update((k, v) for k, v in wanted.items() if v is not None)
        after['platforms'] = [platforms[p] for p in sorted(platforms)]
    return after


def check_desired(kind, desired):
    """Input errors before any request: a web link needs its URL, each store platform is named once."""
    if kind == 'weblink' and not desired.get('link_url'):
        raise errors.InputError('link_url is required for a web link app', hint='set link_url to the address the app opens')
    if kind == 'store':
        names = [p['platform'] for p in desired.get('platforms') or ()]
        if len(set(names)) != len(names):
            raise errors.InputError('platforms names a platform twice: %s' % ', '.join(names))


class CatalogApps:
    """Web link or public store apps (``kind``: ``weblink`` or ``store``) of one server (``client``: a
    signed-in XenMobileClient)."""

    def __init__(self, client, kind):
        self.client = client
        self.kind = kind
        self.app_type, self.path = KINDS[kind]
        self.apps = Apps(client)

    def find(self, name):
        """The container of the app of this kind called ``name``, or None; an app of another type with that
        name, or two of them, are input errors."""
        server = self.client.server
        found = self.apps.named(name)
        mine = [a for a in found if a.get('appType') == self.app_type]
        if not mine and found:
            raise errors.InputError('App "%s" on %s has type "%s", not "%s"' % (
                name, server, found[0].get('appType'), self.app_type),
                hint='choose another name, or delete that app first')
        if len(mine) > 1:
            raise errors.InputError('%d %s apps on %s are named "%s" (ids %s)' % (
                len(mine), self.app_type, server, name, ', '.join(str(a.get('id')) for a in mine)),
                hint='rename or delete the duplicates in the console')
        return self.apps.container(mine[0]['id'], self.app_type) if mine else None

    def _write(self, method, path, body, what):
        reply = self.client.call(method, path, what, json_body=body)
        return reply.get('container') if isinstance(reply.get('container'), dict) else None

    def ensure_present(self, name, desired, check_mode=False):
        check_desired(self.kind, desired)
        container = self.find(name)
        before = view(self.kind, container)
        if container is None:
            action, changed = 'created', ()
        else:
            changed = differences(self.kind, before, desired)
            action = 'updated' if changed else 'none'
        if action == 'none':
            return Change(False, before, before, action='none', differences=[])
        after = predicted(self.kind, name, desired, before)
        if not check_mode:
            body = request_body(self.kind, name, desired, before, changed)
            verb = 'add' if container is None else 'update'
            what = '%s %s app "%s" on %s' % (verb, self.app_type, name, self.client.server)
            if container is None:
                written = self._write('POST', self.path, body, what)
            else:
                written = self._write('PUT', '%s/%s' % (self.path, container['id']), body, what)
            after = view(self.kind, written) if written else after
        return Change(True, before, after, action=action, differences=list(changed))

    def ensure_absent(self, name, check_mode=False):
        container = self.find(name)
        if container is None:
            return Change(False, None, None, action='none', differences=[])
        if not check_mode:
            self.apps.delete(container['id'], name)
        return Change(True, view(self.kind, container), None, action='deleted', differences=[])


def ensure_catalog_app(client, kind, name, state='present', check_mode=False, **desired):
    """Make the ``kind`` app ``name`` match ``desired`` (``description``, ``categories``, ``delivery_groups``,
    ``deployment``, and ``link_url``, ``vpn`` for a web link or ``platforms`` for a store app), or be gone."""
    apps = CatalogApps(client, kind)
    if state == 'absent':
        return apps.ensure_absent(name, check_mode)
    return apps.ensure_present(name, desired, check_mode)


def catalog_argument_spec(kind):
    """Options of ``xenmobile_weblink_app`` (``kind`` weblink) and ``xenmobile_store_app`` (store)."""
    spec = dict(
        name=dict(type='str', required=True),
        state=dict(type='str', default='present', choices=['present', 'absent']),
        description=dict(type='str'),
        categories=dict(type='list', elements='str'),
        delivery_groups=dict(type='list', elements='str'),
        deployment=deployment_spec(),
    )
    if kind == 'weblink':
        spec.update(link_url=dict(type='str'), vpn=dict(type='bool'))
    else:
        flags = ('remove_with_mdm', 'prevent_backup', 'change_management_state')
        platform = dict((option, dict(type='bool' if option in flags else 'str'))
                        for _api, option in STORE_PLATFORM_FIELDS)
        platform['platform'] = dict(type='str', required=True, choices=list(STORE_PLATFORMS))
        spec['platforms'] = dict(type='list', elements='dict', options=platform)
    return spec


def desired_of(kind, params):
    """The desired fields of :func:`ensure_catalog_app` from module parameters."""
    keys = ('description', 'categories', 'delivery_groups', 'deployment') + (
        ('link_url', 'vpn') if kind == 'weblink' else ('platforms',))
    return dict((key, params.get(key)) for key in keys)
