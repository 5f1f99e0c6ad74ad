"""Application routes of XenMobile (``application/filter``, ``application/mobile/{id}``, enterprise
uploads as ``multipart/form-data`` with the parts ``appInfo`` and ``uploadFile``, ``DELETE
application/{id}``), with the ``APPS`` permission. Successful writes go to the instance's journal."""

import email.parser
import email.policy
import json
import re

from tests.simulator.base import Route, Routes
from tests.simulator.services.xenmobile import seeding
from tests.simulator.services.xenmobile.auth_routes import API
from tests.simulator.services.xenmobile.filters import (
    app_filter, build_matcher, flag, int_field, parse_filter_ids, sort_key_text,
)
from tests.simulator.services.xenmobile.rendering import app_list_entry, container as render_container, failed, invalid, ok

APP_SORT = ('id', 'name', 'appType', 'disabled', 'vppAccount', 'creationDate', 'lastModificationDate')


def multipart(request):
    """{part name: (filename, bytes)} of a multipart/form-data body, or a 400."""
    content_type = request.header('Content-Type') or ''
    if not content_type.lower().startswith('multipart/form-data'):
        invalid('expected multipart/form-data with the parts appInfo and uploadFile')
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b'Content-Type: ' + content_type.encode('latin-1') + b'\r\n\r\n' + request.body)
    parts = {}
    for part in message.iter_parts():
        name = part.get_param('name', header='content-disposition')
        if name:
            parts[name] = (part.get_filename(), part.get_payload(decode=True) or b'')
    return parts


def upload_info(parts):
    """The ``appInfo`` part as a dict, its deployment schedule checked; 400 for anything malformed."""
    if 'uploadFile' not in parts or not parts['uploadFile'][1]:
        invalid('the uploadFile part is missing or empty')
    try:
        info = json.loads(parts['appInfo'][1].decode('utf-8')) if 'appInfo' in parts else {}
    except ValueError:
        invalid('appInfo is not valid JSON')
    if not isinstance(info, dict):
        invalid('appInfo must be a JSON object')
    return info, check_schedule(info.get('deploymentSchedule') or {})


def check_schedule(schedule):
    """A deployment schedule, checked as the app sections describe it; 400 for anything malformed."""
    if not isinstance(schedule, dict):
        invalid('the deployment schedule must be an object')
    if schedule.get('deploySchedule', 'NOW') not in ('NOW', 'LATER'):
        invalid('deploySchedule must be NOW or LATER')
    if schedule.get('deployScheduleCondition', 'EVERYTIME') not in ('EVERYTIME', 'ONPREVIOUSFAILED'):
        invalid('deployScheduleCondition must be EVERYTIME or ONPREVIOUSFAILED')
    if schedule.get('deploySchedule') == 'LATER' and not (
            re.match(r'^\d{2}/\d{2}/\d{4}$', str(schedule.get('deployDate') or ''))
            and re.match(r'^\d{2}:\d{2}$', str(schedule.get('deployTime') or ''))):
        invalid('deploySchedule LATER needs deployDate MM/DD/YYYY and deployTime HH:MM')
    return schedule


class AppRoutes(Routes):
    """Handlers over ``state``; ``auth`` (an :class:`~.auth_routes.AuthRoutes`) checks the session."""

    def filter_apps(self, request):
        inst = self.auth.session(request, 'APPS')
        body = request.json() or {}
        if not isinstance(body, dict):
            invalid('the request body must be a JSON object')
        start = int_field(body, 'start', 0)
        limit = int_field(body, 'limit')
        matcher = build_matcher(parse_filter_ids(body.get('filterIds')), app_filter)
        search = str(body.get('search') or '').lower()
        column = body.get('applicationSortColumn') or 'id'
        if column not in APP_SORT:
            invalid('Unknown applicationSortColumn: %s' % column)
        with self.state.lock:
            apps = [dict(a) for a in inst.apps.values()]
        matched = [a for a in apps if matcher(a) and (not search or search in a['name'].lower())]
        matched.sort(key=lambda a: sort_key_text(a[column]) if column != 'id' else (0, a['id']),
                     reverse=str(body.get('sortOrder') or 'ASC').upper() == 'DESC')
        page = matched[start:start + limit] if limit is not None else matched[start:]
        counted = flag(body, 'enableCount')
        return ok(applicationListData={
            'totalMatchCount': len(matched) if counted else 0, 'totalCount': len(apps) if counted else 0,
            'appList': [app_list_entry(a) for a in page]})

    def get_container(self, request):
        inst = self.auth.session(request, 'APPS')
        with self.state.lock:
            found = inst.apps.get(int(request.params['id']))
            if found is None:
                return failed('Application %s not found.' % request.params['id'])
            if found['appType'] not in ('Enterprise', 'MDX'):  # our choice: each type is read at its own path
                return failed('Application %s is not a mobile app.' % request.params['id'])
            return ok(container=render_container(found))

    def _upload(self, request, inst, platform, container=None):
        if platform not in seeding.ENTERPRISE_PLATFORMS:
            invalid('Unsupported platform %s; use one of %s' % (platform, ', '.join(seeding.ENTERPRISE_PLATFORMS)))
        parts = multipart(request)
        info, schedule = upload_info(parts)
        version = seeding.package_version(parts['uploadFile'][1]) or '1.0'
        now_ms = int(self.state.clock.now() * 1000)
        with self.state.lock:
            if container is None:
                name = info.get('name')
                if not isinstance(name, str) or not name:
                    invalid('appInfo needs a name')
                if any(a['name'] == name for a in inst.apps.values()):
                    return failed('An application named %s already exists.' % name)
                container = inst.add_app(name, 'Enterprise', {}, info.get('description'))
                container['categories'] = list(info.get('category') or ['Default'])
                container['roles'] = list(info.get('deliveryGroups') or [])
                container['workflow'] = info.get('workflowTemplateName')
                container['creationDate'] = now_ms
                if schedule:
                    container['schedule'].update({k: v for k, v in schedule.items() if k in container['schedule']})
            # Uploading to a platform that already has a package replaces it (our choice; see README).
            container[platform] = seeding.package_record(platform, container['name'], container['description'], version,
                                                         inst.next_package_id)
            inst.next_package_id += 1
            container['lastModificationDate'] = now_ms
            inst.journal.append({'route': 'upload', 'names': ['%s/%s' % (container['name'], platform)]})
            return ok(message='Application uploaded successfully. Container Id: %d' % container['id'],
                      container=render_container(container))

    def upload_app(self, request):
        inst = self.auth.session(request, 'APPS')
        return self._upload(request, inst, request.params['platform'])

    def add_platform(self, request):
        inst = self.auth.session(request, 'APPS')
        with self.state.lock:
            found = inst.apps.get(int(request.params['id']))
        if found is None:
            return failed('Application %s not found.' % request.params['id'])
        if found['appType'] != 'Enterprise':
            return failed('Application %s is not an enterprise app.' % found['name'])
        return self._upload(request, inst, request.params['platform'], found)

    def delete_app(self, request):
        inst = self.auth.session(request, 'APPS')
        with self.state.lock:
            found = inst.apps.pop(int(request.params['id']), None)
            if found is None:
                return failed('Application %s not found.' % request.params['id'])
            inst.journal.append({'route': 'delete_app', 'names': [found['name']]})
        return ok(message='Operation completed successfully')

    def routes(self):
        return [
            Route('POST', API + r'/application/filter', self.filter_apps, 'xenmobile.app_filter'),
            Route('GET', API + r'/application/mobile/(?P<id>\d+)', self.get_container, 'xenmobile.app_container'),
            Route('POST', API + r'/application/mobile/enterprise/(?P<platform>[a-z_]+)', self.upload_app,
                  'xenmobile.app_upload', write=True),
            Route('POST', API + r'/application/mobile/enterprise/(?P<platform>[a-z_]+)/(?P<id>\d+)',
                  self.add_platform, 'xenmobile.app_upload', write=True),
            Route('DELETE', API + r'/application/(?P<id>\d+)', self.delete_app, 'xenmobile.app_delete', write=True),
        ]
