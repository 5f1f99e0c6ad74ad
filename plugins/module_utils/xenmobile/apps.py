# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""XenMobile apps: the application filter, an app's container (its package per platform, or a web link's URL,
or a public store app's store links), enterprise package uploads (multipart ``appInfo`` + ``uploadFile``) and
deletion. Web link and public store apps are managed in :mod:`catalog`.

:meth:`Apps.ensure_present` makes sure the enterprise app of a name has a package for a platform (of a
version, when given) and :meth:`Apps.ensure_absent` that it is gone; both read first, decide
(:func:`plan`), write only what is needed (nothing in check mode) and return a :class:`results.Change`
with the app's package versions before and after, and ``action`` in ``change.result``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os

from ansible_collections.opencitrix.automation.plugins.module_utils import errors
from ansible_collections.opencitrix.automation.plugins.module_utils.concurrency import run_bounded
from ansible_collections.opencitrix.automation.plugins.module_utils.responses import require_keys
from ansible_collections.opencitrix.automation.plugins.module_utils.results import Change
from ansible_collections.opencitrix.automation.plugins.module_utils.xenmobile.client import API, filter_body

try:
    from urllib3.fields import RequestField
    from urllib3.filepost import encode_multipart_formdata
except ImportError:  # pragma: no cover - reported through HAS_REQUESTS by the module base
    RequestField = encode_multipart_formdata = None

APP_FILTER_PATH = API + '/application/filter'
ENTERPRISE_PLATFORMS = ('ios', 'android', 'android_work', 'android_knox', 'windows', 'windows_tab')
CONTAINER_PLATFORMS = ('ios', 'android', 'android_knox', 'android_work', 'windows', 'windows_tab')
MOBILE_TYPES = ('Enterprise', 'MDX')  # the app types that have a container with packages
WEBLINK_TYPE, STORE_TYPE = 'Web Link', 'App Store App'
WEBLINK_PATH = API + '/application/weblink'
STORE_PATH = API + '/application/store'
# Platform keys of a public store app container (§3.15.6), and the fields of a platform the collection
# reads and writes (API name -> option name). storeUrl is what the server keeps, which may differ from the
# URL given (the App Store links of the samples come back with "&uo=4").
STORE_PLATFORMS = ('iphone', 'ipad', 'android', 'android_work', 'windows', 'windows_phone')
STORE_PLATFORM_FIELDS = (('storeUrl', 'store_url'), ('displayName', 'display_name'), ('description', 'description'),
                         ('removeWithMdm', 'remove_with_mdm'), ('preventBackup', 'prevent_backup'),
                         ('changeManagementState', 'change_management_state'))
DETAIL_PATHS = {WEBLINK_TYPE: WEBLINK_PATH, STORE_TYPE: STORE_PATH}
DETAIL_CONCURRENCY = 4
SCHEDULE_KEYS = {'enable_deployment': 'enableDeployment', 'deploy_schedule': 'deploySchedule',
                 'deploy_schedule_condition': 'deployScheduleCondition', 'deploy_date': 'deployDate',
                 'deploy_time': 'deployTime', 'deploy_in_background': 'deployInBackground'}
UPLOADING_ACTIONS = ('created', 'platform_added', 'upgraded')


def platform_versions(container):
    """``{platform: appVersion}`` for the platforms of an app container that hold a package."""
    return {p: (container.get(p) or {}).get('appVersion') for p in CONTAINER_PLATFORMS if container.get(p)}


def weblink_fields(container):
    """``link_url`` (the ``loginUrl``) and ``vpn`` of a web link container."""
    application = container.get('application') or {}
    return {'link_url': (application.get('ssoStoreData') or {}).get('loginUrl'), 'vpn': application.get('vpn')}


def store_platforms(container):
    """The platforms of a public store app container, as ``[{platform, store_url, display_name, ...}]``
    (the suboptions of ``xenmobile_store_app``'s ``platforms``)."""
    found = []
    for platform in STORE_PLATFORMS:
        data = container.get(platform)
        if isinstance(data, dict):
            found.append(dict([('platform', platform)] + [(option, data.get(api)) for api, option in STORE_PLATFORM_FIELDS]))
    return found


def deployment_spec():
    """The ``deployment`` option of the modules that create apps (their schedule, ``SCHEDULE_KEYS``)."""
    return dict(type='dict', options=dict(
        enable_deployment=dict(type='bool'), deploy_schedule=dict(type='str', choices=['NOW', 'LATER']),
        deploy_schedule_condition=dict(type='str', choices=['EVERYTIME', 'ONPREVIOUSFAILED']),
        deploy_date=dict(type='str'), deploy_time=dict(type='str'), deploy_in_background=dict(type='bool')))


def _padded(text, separator):
    """``3/14/2018`` -> ``03/14/2018``, ``9:05`` -> ``09:05``: apps read back their schedule without leading
    zeros, and writes want ``MM/DD/YYYY`` and ``HH:MM``."""
    parts = str(text).split(separator)
    if not all(part.isdigit() for part in parts):
        return text
    return separator.join(part.zfill(2) for part in parts)


def schedule_body(deployment):
    """The API's schedule object of a ``deployment`` option (snake_case keys of ``SCHEDULE_KEYS``)."""
    schedule = dict((SCHEDULE_KEYS[k], v) for k, v in (deployment or {}).items() if v is not None and k in SCHEDULE_KEYS)
    if schedule.get('deployDate'):
        schedule['deployDate'] = _padded(schedule['deployDate'], '/')
    if schedule.get('deployTime'):
        schedule['deployTime'] = _padded(schedule['deployTime'], ':')
    return schedule


def upload_info(name, description=None, categories=None, delivery_groups=None, workflow_template=None,
                deployment=None):
    """The ``appInfo`` part of an upload; ``deployment`` has the snake_case keys of ``SCHEDULE_KEYS``."""
    info = {'name': name, 'description': description, 'category': categories, 'deliveryGroups': delivery_groups,
            'workflowTemplateName': workflow_template}
    schedule = schedule_body(deployment)
    if schedule:
        info['deploymentSchedule'] = schedule
    return dict((k, v) for k, v in info.items() if v is not None)


def plan(container, state, platform=None, version=None):
    """What ``state`` needs done to the app ``container`` (None: no such app): ``created``,
    ``platform_added``, ``upgraded``, ``deleted`` or ``none``."""
    if state == 'absent':
        return 'deleted' if container else 'none'
    if container is None:
        return 'created'
    versions = platform_versions(container)
    if platform not in versions:
        return 'platform_added'
    if version and versions[platform] != version:
        return 'upgraded'
    return 'none'


def view(container, name):
    """What results and --diff show of an app."""
    return {'id': container.get('id'), 'name': container.get('name', name), 'versions': platform_versions(container)}


class Apps:
    """The apps of one XenMobile server (``client``: a signed-in XenMobileClient)."""

    def __init__(self, client):
        self.client = client

    def list(self, page_size=1000, search=None, filter_ids=None, sort_column=None, sort_order=None):
        """Iterate the app list of the application filter."""
        body = filter_body(search, filter_ids, applicationSortColumn=sort_column, sortOrder=sort_order)

        def list_data(reply):
            return require_keys(reply, ('applicationListData',), 'list apps').get('applicationListData') or {}

        return self.client.paged(APP_FILTER_PATH, body, page_size, 'list apps of %s' % self.client.server,
                                 lambda r: list_data(r).get('appList'), lambda r: list_data(r).get('totalMatchCount'))

    def container(self, container_id, app_type='Enterprise'):
        """The container of an app; each type is read at its own path (mobile, web link, public store)."""
        what = 'read app %s of %s' % (container_id, self.client.server)
        path = DETAIL_PATHS.get(app_type, API + '/application/mobile')
        return require_keys(self.client.call('GET', '%s/%s' % (path, container_id), what),
                            ('container',), what)['container']

    def named(self, name):
        """Apps whose name is exactly ``name`` (the filter's search matches substrings)."""
        return [app for app in self.list(search=name) if app.get('name') == name]

    def listing(self, names=None, search=None, filter_ids=None, details=False, include_icon=False, page_size=1000):
        """The apps of the filter (only those named in ``names`` when given); ``details`` adds each mobile
        app's container with its ``versions`` and ``packages``, read with bounded concurrency."""
        apps = [a for a in self.list(page_size=page_size, search=search, filter_ids=filter_ids)
                if not names or a.get('name') in names]
        if details:
            detailed = [a for a in apps if a.get('appType') in MOBILE_TYPES + tuple(DETAIL_PATHS)]
            outcomes = run_bounded(detailed, lambda a: self.container(a['id'], a.get('appType')), DETAIL_CONCURRENCY)
            failed = [o for o in outcomes if not o.ok]
            if failed:
                raise failed[0].error
            for outcome in outcomes:
                app, container = outcome.item, outcome.value
                if app.get('appType') == WEBLINK_TYPE:
                    app.update(weblink_fields(container))
                elif app.get('appType') == STORE_TYPE:
                    app['store_platforms'] = store_platforms(container)
                else:
                    app.update(container)
                    app['versions'] = platform_versions(container)
                    app['packages'] = [dict(platform=p, version=v) for p, v in app['versions'].items()]
        if not include_icon:
            for app in apps:
                app.pop('iconData', None)
        return apps

    def upload(self, platform, path, app_info, container_id=None):
        """Upload a package as a new enterprise app, or to a platform of an existing one; returns the
        container from the reply."""
        if platform not in ENTERPRISE_PLATFORMS:
            raise errors.InputError('Unknown platform "%s"' % platform, hint='use one of ' + ', '.join(ENTERPRISE_PLATFORMS))
        server = self.client.server
        what = 'upload %s package %s of app "%s" to %s' % (platform, os.path.basename(path), app_info.get('name'), server)
        try:
            with open(path, 'rb') as handle:
                content = handle.read()
        except (IOError, OSError) as exc:
            raise errors.InputError('Cannot read app package %s' % path, api_message=exc.strerror)
        info_part = RequestField('appInfo', json.dumps(app_info))
        info_part.make_multipart(content_type='application/json')
        file_part = RequestField('uploadFile', content, filename=os.path.basename(path))
        file_part.make_multipart(content_type='application/octet-stream')
        data, content_type = encode_multipart_formdata([info_part, file_part])
        url = API + '/application/mobile/enterprise/%s' % platform
        if container_id is not None:
            url += '/%s' % container_id
        reply = self.client.call('POST', url, what, data=data, headers={'Content-Type': content_type})
        return reply.get('container') or {}

    def delete(self, container_id, name=None):
        return self.client.call('DELETE', API + '/application/%s' % container_id,
                                'delete app "%s" (%s) from %s' % (name or container_id, container_id, self.client.server))

    def find_enterprise(self, name):
        """The container of the enterprise app called ``name``, or None; another type of app or two
        enterprise apps of that name are input errors."""
        server = self.client.server
        found = self.named(name)
        enterprise = [a for a in found if a.get('appType') == 'Enterprise']
        if not enterprise and found:
            raise errors.InputError('App "%s" on %s is a %s app' % (name, server, found[0].get('appType')),
                                    hint='this module manages enterprise apps only')
        if len(enterprise) > 1:
            raise errors.InputError('%d enterprise apps on %s are named "%s" (ids %s)' % (
                len(enterprise), server, name, ', '.join(str(a.get('id')) for a in enterprise)),
                hint='rename or delete the duplicates in the console')
        return self.container(enterprise[0]['id']) if enterprise else None

    def ensure_present(self, name, platform, path, version=None, check_mode=False, **details):
        """The enterprise app ``name`` has a package for ``platform`` (of ``version`` when given), uploaded
        from ``path`` when needed. ``details`` (description, categories, delivery_groups,
        workflow_template, deployment) are used when the app is created (see :func:`upload_info`)."""
        container = self.find_enterprise(name)
        action = plan(container, 'present', platform, version)
        before = view(container, name) if container else None
        after, warnings = before, []
        if action in UPLOADING_ACTIONS:
            if not os.path.isfile(path):
                raise errors.InputError('App package %s does not exist' % path)
            after = dict(before or {'id': None, 'name': name, 'versions': {}})
            after['versions'] = dict(after['versions'], **{platform: version or 'uploaded'})
            if not check_mode:
                uploaded = self.upload(platform, path, upload_info(name, **details),
                                       container['id'] if container else None)
                after = view(uploaded, name)
                reported = after['versions'].get(platform)
                if version and reported != version:
                    warnings.append('%s reports version %s for the uploaded %s package, not %s; the next run will '
                                    'upload it again' % (self.client.server, reported, platform, version))
        return Change(action != 'none', before, after, warnings=warnings, action=action)

    def ensure_absent(self, name, check_mode=False):
        """The enterprise app ``name`` is gone, with all its platforms."""
        container = self.find_enterprise(name)
        if container is None:
            return Change(False, None, None, action='none')
        if not check_mode:
            self.delete(container['id'], name)
        return Change(True, view(container, name), None, action='deleted')
