"""Web link and public store apps of XenMobile ([P21] §3.15.4 and §3.15.6, the PDF that
../shared/specs/xenmobile/facts.md cites), with the ``APPS`` permission:

- ``GET application/weblink/{id}``, ``POST application/weblink`` (``name``, ``description`` and ``loginUrl``
  required), ``PUT application/weblink/{id}`` (the same body);
- ``GET application/store/{id}``, ``POST application/store`` (``name`` required; per platform key of
  ``seeding.STORE_PLATFORMS`` a platform object whose ``storeUrl`` is required), ``PUT application/store/{id}``
  (updates the container and adds or updates the platforms given, never removes one), and
  ``POST``/``PUT``/``DELETE application/store/{id}/platform/{platform}``.

Every answer is ``{status, message, container}``. Successful writes go to the instance's journal."""

from tests.simulator.base import Route, Routes
from tests.simulator.services.xenmobile import seeding
from tests.simulator.services.xenmobile.app_routes import check_schedule
from tests.simulator.services.xenmobile.auth_routes import API
from tests.simulator.services.xenmobile.rendering import container as render_container, failed, invalid, ok

PLATFORM_FIELDS = ('displayName', 'description', 'removeWithMdm', 'preventBackup', 'changeManagementState', 'faqs',
                   'storeSettings')


def json_object(request):
    body = request.json()
    if not isinstance(body, dict):
        invalid('the request body must be a JSON object')
    return body


def text_list(body, key):
    value = body.get(key)
    if value is not None and (not isinstance(value, list) or not all(isinstance(v, str) for v in value)):
        invalid('%s must be a list of names' % key)
    return value


class CatalogRoutes(Routes):
    """Handlers over ``state``; ``auth`` (an :class:`~.auth_routes.AuthRoutes`) checks the session."""

    def _app(self, inst, request, app_type):
        found = inst.apps.get(int(request.params['id']))
        if found is None or found['appType'] != app_type:
            return None
        return found

    def _container_fields(self, container, body, now_ms):
        for key in ('name', 'description'):
            if body.get(key) is not None:
                container[key] = body[key]
        for key in ('categories', 'roles'):
            value = text_list(body, key)
            if value is not None:
                container[key] = list(value)
        schedule = check_schedule(body.get('schedule') or {})
        container['schedule'].update((k, v) for k, v in schedule.items() if k in container['schedule'])
        container['lastModificationDate'] = now_ms

    def _new(self, inst, body, app_type, parts):
        name = body.get('name')
        if not isinstance(name, str) or not name.strip():
            invalid('name is required')
        if any(a['name'] == name for a in inst.apps.values()):
            return None
        cid = inst.next_app_id
        inst.next_app_id += 1
        now_ms = int(self.state.clock.now() * 1000)
        container = seeding.container_record(cid, name, app_type, body.get('description') or '', created_ms=now_ms,
                                             packages=parts)
        self._container_fields(container, body, now_ms)
        inst.apps[cid] = container
        return container

    # -- web links ----------------------------------------------------------------------------------

    @staticmethod
    def _weblink_body(body):
        for key in ('name', 'description', 'loginUrl'):
            if not isinstance(body.get(key), str) or not body[key].strip():
                invalid('name, description and loginUrl are mandatory')
        return body

    def get_weblink(self, request):
        inst = self.auth.session(request, 'APPS')
        with self.state.lock:
            found = self._app(inst, request, 'Web Link')
            if found is None:
                return failed('Web link application %s not found.' % request.params['id'])
            return ok(container=render_container(found))

    def add_weblink(self, request):
        inst = self.auth.session(request, 'APPS')
        body = self._weblink_body(json_object(request))
        with self.state.lock:
            application = seeding.weblink_application(body['loginUrl'], body.get('vpn'), body.get('faqs'),
                                                      body.get('storeSettings'))
            container = self._new(inst, body, 'Web Link', {'application': application})
            if container is None:
                return failed('An application named %s already exists.' % body['name'])
            inst.journal.append({'route': 'weblink_add', 'names': [container['name']]})
            return ok(container=render_container(container))

    def edit_weblink(self, request):
        inst = self.auth.session(request, 'APPS')
        body = self._weblink_body(json_object(request))
        with self.state.lock:
            found = self._app(inst, request, 'Web Link')
            if found is None:
                return failed('Web link application %s not found.' % request.params['id'])
            self._container_fields(found, body, int(self.state.clock.now() * 1000))
            application = found['application']
            application['ssoStoreData']['loginUrl'] = body['loginUrl']
            if body.get('vpn') is not None:
                application['vpn'] = bool(body['vpn'])
            inst.journal.append({'route': 'weblink_edit', 'names': [found['name']]})
            return ok(container=render_container(found))

    # -- public store apps --------------------------------------------------------------------------

    @staticmethod
    def _platforms(body, require_url):
        found = {}
        for platform in seeding.STORE_PLATFORMS:
            data = body.get(platform)
            if data is None:
                continue
            if not isinstance(data, dict):
                invalid('%s must be an object' % platform)
            if require_url and not (isinstance(data.get('storeUrl'), str) and data['storeUrl'].strip()):
                invalid('storeUrl is required for %s' % platform)
            found[platform] = data
        return found

    def _put_platform(self, inst, container, platform, data):
        current = container.get(platform)
        if current is None:
            if not (isinstance(data.get('storeUrl'), str) and data['storeUrl'].strip()):
                invalid('storeUrl is required to add %s' % platform)
            container[platform] = seeding.store_platform_record(platform, container['name'], data, inst.next_package_id)
            inst.next_package_id += 1
            return
        for key in PLATFORM_FIELDS:
            if key in data and key not in ('faqs', 'storeSettings'):
                current[key] = data[key]
        if 'faqs' in data:
            current['store']['faqs'] = list(data['faqs'] or [])
        if 'storeSettings' in data:
            current['store']['storeSettings'] = dict(data['storeSettings'] or {})

    def get_store(self, request):
        inst = self.auth.session(request, 'APPS')
        with self.state.lock:
            found = self._app(inst, request, 'App Store App')
            if found is None:
                return failed('Public store application %s not found.' % request.params['id'])
            return ok(container=render_container(found))

    def add_store(self, request):
        inst = self.auth.session(request, 'APPS')
        body = json_object(request)
        platforms = self._platforms(body, require_url=True)
        with self.state.lock:
            container = self._new(inst, body, 'App Store App', {})
            if container is None:
                return failed('An application named %s already exists.' % body['name'])
            for platform, data in platforms.items():
                self._put_platform(inst, container, platform, data)
            inst.journal.append({'route': 'store_add', 'names': [container['name']]})
            return ok(container=render_container(container))

    def edit_store(self, request):
        inst = self.auth.session(request, 'APPS')
        body = json_object(request)
        platforms = self._platforms(body, require_url=False)
        with self.state.lock:
            found = self._app(inst, request, 'App Store App')
            if found is None:
                return failed('Public store application %s not found.' % request.params['id'])
            self._container_fields(found, body, int(self.state.clock.now() * 1000))
            for platform, data in platforms.items():
                self._put_platform(inst, found, platform, data)
            inst.journal.append({'route': 'store_edit', 'names': [found['name']]})
            return ok(container=render_container(found))

    def store_platform(self, request):
        inst = self.auth.session(request, 'APPS')
        platform = request.params['platform']
        if platform not in seeding.STORE_PLATFORMS:
            invalid('Valid platforms are: %s.' % ', '.join(seeding.STORE_PLATFORMS))
        body = json_object(request) if request.method != 'DELETE' else {}
        with self.state.lock:
            found = self._app(inst, request, 'App Store App')
            if found is None:
                return failed('Public store application %s not found.' % request.params['id'])
            if request.method == 'POST' and found.get(platform) is not None:
                return failed('The application already has %s platform data.' % platform)
            if request.method != 'POST' and found.get(platform) is None:
                return failed('The application has no %s platform data.' % platform)
            if request.method == 'DELETE':
                found[platform] = None
            else:
                self._put_platform(inst, found, platform, body)
            inst.journal.append({'route': 'store_platform', 'names': ['%s/%s' % (found['name'], platform)]})
            return ok(container=render_container(found))

    def routes(self):
        platform = API + r'/application/store/(?P<id>\d+)/platform/(?P<platform>[a-z_]+)'
        return [
            Route('GET', API + r'/application/weblink/(?P<id>\d+)', self.get_weblink, 'xenmobile.app_weblink'),
            Route('POST', API + r'/application/weblink', self.add_weblink, 'xenmobile.app_weblink_add', write=True),
            Route('PUT', API + r'/application/weblink/(?P<id>\d+)', self.edit_weblink, 'xenmobile.app_weblink_edit',
                  write=True),
            Route('GET', API + r'/application/store/(?P<id>\d+)', self.get_store, 'xenmobile.app_store'),
            Route('POST', API + r'/application/store', self.add_store, 'xenmobile.app_store_add', write=True),
            Route('PUT', API + r'/application/store/(?P<id>\d+)', self.edit_store, 'xenmobile.app_store_edit',
                  write=True),
            Route('POST', platform, self.store_platform, 'xenmobile.app_store_platform', write=True),
            Route('PUT', platform, self.store_platform, 'xenmobile.app_store_platform', write=True),
            Route('DELETE', platform, self.store_platform, 'xenmobile.app_store_platform', write=True),
        ]
