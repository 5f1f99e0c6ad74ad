"""XenMobile Server / Endpoint Management public REST API (``/xenmobile/api/v1/...`` and the
``/api/endpoint-management/devices/filter`` path), shaped from ../shared/specs/xenmobile/facts.md and
seed 000.

Several servers at once: every instance has its own users, tokens, server properties, devices and
apps. Requests on the main listener reach the ``default`` instance; every other instance gets its
own listener, named ``xenmobile-<instance>`` (by default ``test`` and ``prod``, for the seed's
test-to-production story). Choices the specs leave open are listed in tests/simulator/README.md.
"""

import datetime
import email.parser
import email.policy
import functools
import json
import random
import re
import secrets
import threading

from tests.simulator.core import Reply, Response, Route, Service
from tests.simulator.services import xenmobile_seed as seed

API = '/xenmobile/api/v1'
EM_DEVICE_FILTER = '/api/endpoint-management/devices/filter'
EM_MAX_LIMIT = 100

DEFAULT_USER = 'sim-xm-admin'
DEFAULT_PASSWORD = 'sim-xm-Passw0rd'
PUBLIC_API = 'PUBLIC_API_ACCESS'
ALL_PERMISSIONS = frozenset((PUBLIC_API, 'DEVICES', 'APPS', 'SETTINGS'))
RESTART_NOTE = 'Restart XenMobile on all cluster nodes for the change to take effect.'


def ok(**payload):
    body = {'status': 0, 'message': 'Success'}
    body.update(payload)
    return body


def failed(message, http_status=200):
    """An API error in the status/message envelope (HTTP 200 unless the request itself was invalid)."""
    return Response(http_status, {'status': -1, 'message': message})


def invalid(message):
    raise Reply(failed(message, 400))


def int_field(body, key, default=None):
    """``start``/``limit``: the facts show strings ("0", "10"); numbers are accepted too."""
    value = body.get(key)
    if value is None or value == '':
        return default
    if isinstance(value, bool):
        invalid('%s must be a number' % key)
    try:
        number = int(value)
    except (TypeError, ValueError):
        invalid('%s must be a number, got %r' % (key, value))
    if number < 0:
        invalid('%s must not be negative' % key)
    return number


def flag(body, key, default=True):
    value = body.get(key)
    if value is None:
        return default
    return str(value).lower() not in ('false', '0', 'no')


def parse_filter_ids(value):
    """``filterIds`` is a string holding a single-quoted list, e.g. "['device.platform.ios']"."""
    if value is None or value == '':
        return []
    if not isinstance(value, str):
        invalid('filterIds must be a string such as "[\'device.mode.enterprise.managed\']", not %s'
                % type(value).__name__)
    text = value.strip()
    if not (text.startswith('[') and text.endswith(']')):
        invalid('filterIds must be a bracketed list of quoted filter ids')
    return re.findall(r"'([^']*)'", text)


def sort_key_text(value):
    return (value is None, str(value).lower() if value is not None else '')


def _equals(key, expected, record):
    return record.get(key) == expected


def _contains(key, member, record):
    return member in record.get(key, ())


def _present(key, record):
    return record.get(key) is not None


def _idle_since(limit, record):
    return record['_last'] is None or record['_last'] < limit


def _all_categories(categories, record):
    return all(any(test(record) for test in tests) for tests in categories.values())


INACTIVE_DAYS = {'8.hours': 8 / 24.0, '24.hours': 1, '7.days': 7, '30.days': 30, 'more.than.30.days': 30}
APP_TYPES = {'mdx': 'MDX', 'enterprise': 'Enterprise', 'store': 'App Store App', 'weblink': 'Web Link', 'saas': 'SaaS'}
APP_PLATFORMS = {'androidknox': 'android_knox', 'androidwork': 'android_work', 'windows8': 'windows',
                 'winphone': 'windows', 'windowsce': 'windows'}


def device_filter(fid, now):
    """``(category, predicate)`` of one device filter id, or None for an id we do not know.
    ``device.inactive.time.X`` means no access within X."""
    for prefix, category, key in (('device.mode.', 'mode', '_mode_state'), ('device.platform.', 'platform', '_platform'),
                                  ('device.ownership.', 'ownership', '_ownership')):
        if fid.startswith(prefix):
            return category, functools.partial(_equals, key, fid[len(prefix):].lower())
    if fid.startswith('device.inactive.time.') and fid[len('device.inactive.time.'):] in INACTIVE_DAYS:
        days = INACTIVE_DAYS[fid[len('device.inactive.time.'):]]
        return 'inactive', functools.partial(_idle_since, now - datetime.timedelta(days=days))
    if fid == 'device.status.jailbroken':
        return 'status', functools.partial(_equals, 'jailBroken', True)
    if fid == 'device.status.out.of.compliance':
        return 'status', functools.partial(_equals, '_compliant', False)
    group = re.match(r'^group#/group/(.+)@_fn_@normal$', fid)
    if group:
        return 'group', functools.partial(_contains, '_groups', group.group(1))
    return None


def app_filter(fid):
    """``(category, predicate)`` of one application filter id, or None."""
    kind = APP_TYPES.get(fid[len('application.type.'):]) if fid.startswith('application.type.') else None
    if kind:
        return 'type', functools.partial(_equals, 'appType', kind)
    if fid.startswith('application.platform.'):
        platform = fid[len('application.platform.'):]
        return 'platform', functools.partial(_present, APP_PLATFORMS.get(platform, platform))
    for pattern, category, key in ((r'^application\.category#(.+)@_fn_@app\.cat$', 'category', 'categories'),
                                   (r'^application\.deliverygroup#(.+)@_fn_@app\.dg$', 'deliverygroup', 'roles')):
        match = re.match(pattern, fid)
        if match:
            return category, functools.partial(_contains, key, match.group(1))
    return None


def build_matcher(filter_ids, parse):
    """A predicate for a record: filter ids of one category are OR-ed, categories AND-ed (like the
    console's filter tree). An unknown id is a 400."""
    categories = {}
    for fid in filter_ids:
        parsed = parse(fid)
        if parsed is None:
            invalid('Unknown filter id: %s' % fid)
        categories.setdefault(parsed[0], []).append(parsed[1])
    return functools.partial(_all_categories, categories)


class Instance:
    """The state of one simulated XenMobile server."""

    def __init__(self, name, rng, now, devices=0, properties=None, apps=None, id_style='int'):
        self.name = name
        self.users = {DEFAULT_USER: {'password': DEFAULT_PASSWORD, 'permissions': set(ALL_PERMISSIONS)}}
        self.tokens = {}
        self.issued = []  # every token ever issued, so leak tests can look for them
        self.properties = {}
        self.next_property_id = 1
        for record in properties or ():
            self.put_property(dict(record))
        self.devices = seed.make_devices(devices, rng, now, id_style)
        self.apps = {}
        self.next_app_id = 1
        self.next_package_id = 1000
        for name_, app_type, versions in apps or ():
            self.add_app(name_, app_type, versions)
        self.journal = []  # successful writes: {'route': ..., 'names': [...]}

    def put_property(self, record):
        if not record.get('id'):
            record['id'] = self.next_property_id
        self.next_property_id = max(self.next_property_id, record['id'] + 1)
        self.properties[record['name']] = record
        return record

    def set_properties(self, records):
        """Replace every property (tests build exact scenarios with this)."""
        self.properties = {}
        self.next_property_id = 1
        for record in records:
            self.put_property(dict(record))

    def property_value(self, name, default=None):
        record = self.properties.get(name)
        return record['value'] if record else default

    def add_app(self, name, app_type, versions, description=None):
        cid = self.next_app_id
        self.next_app_id += 1
        packages = {}
        for platform, version in versions.items():
            packages[platform] = seed.package_record(platform, name, description or name, version, self.next_package_id)
            self.next_package_id += 1
        created = 1700000000000 + cid * 86400000
        self.apps[cid] = seed.container_record(cid, name, app_type, description or '%s app' % name, created_ms=created,
                                               packages=packages)
        return self.apps[cid]


class XenMobile(Service):
    name = 'xenmobile'
    after = ('cloud',)

    def seed(self):
        self.lock = threading.RLock()
        config = self.config
        rng = random.Random('xenmobile-%s' % self.sim.seed_value)
        now = self.local_now()
        device_count = int(config.get('devices', self.sim.size * 10))
        test_properties = seed.base_properties(40)
        prod_properties = [dict(p) for p in test_properties]
        # The test server has been tuned: some values differ, some properties exist only there.
        for record in test_properties[5:17]:
            record['value'] = str(record['value']) + '0' if record['value'].isdigit() else 'tuned'
        for n in range(1, 4):
            test_properties.append(seed.property_record(None, 'sim.pilot.feature.%d' % n, 'enabled',
                                                        'Pilot feature %d' % n, 'Only on the test server'))
        self.instances = {
            'default': Instance('default', rng, now, device_count, seed.base_properties(60), seed.SEED_APPS,
                                id_style=config.get('device_ids', 'int')),
            'test': Instance('test', rng, now, 25, test_properties, seed.SEED_APPS[:3]),
            'prod': Instance('prod', rng, now, 25, prod_properties,
                             [('Expenses', 'Enterprise', {'ios': '2.0.0'})]),
        }
        for extra in config.get('instances', ()):
            self.instances.setdefault(extra, Instance(extra, rng, now, 0, seed.base_properties(12)))

    def local_now(self):
        """The server's local time (naive), following the simulator clock."""
        return datetime.datetime.fromtimestamp(self.sim.clock.now()).replace(microsecond=0)

    # -- instances and listeners ------------------------------------------------------------------

    def start(self):
        for name in self.instances:
            if name != 'default':
                self.sim.listen('xenmobile-' + name, port=0)

    def instance(self, name='default'):
        return self.instances[name]

    def url(self, name='default'):
        listener = 'main' if name == 'default' else 'xenmobile-' + name
        return self.sim.listeners[listener].url

    def env(self, name='default'):
        """Environment reaching one instance with the default administrator."""
        return {'XENMOBILE_URL': self.url(name), 'XENMOBILE_USER': DEFAULT_USER,
                'XENMOBILE_PASSWORD': DEFAULT_PASSWORD, 'XENMOBILE_CA_PATH': self.sim.ca_path or ''}

    def client_env(self):
        if 'main' not in self.sim.listeners:
            return {}
        env = self.env('default')
        if 'xenmobile-test' in self.sim.listeners and 'xenmobile-prod' in self.sim.listeners:
            env['XENMOBILE_SOURCE_URL'] = self.url('test')
            env['XENMOBILE_TARGET_URL'] = self.url('prod')
        return env

    def add_user(self, login, password, permissions=ALL_PERMISSIONS, instance=None):
        names = [instance] if instance else list(self.instances)
        with self.lock:
            for name in names:
                self.instances[name].users[login] = {'password': password, 'permissions': set(permissions)}

    def expire_tokens(self, instance=None):
        with self.lock:
            for name, inst in self.instances.items():
                if instance in (None, name):
                    inst.tokens.clear()

    def writes(self, instance):
        """Names written on ``instance`` by successful write calls, in order."""
        return [name for entry in self.instances[instance].journal for name in entry['names']]

    def _instance_for(self, request):
        listener = request.listener
        name = 'default' if listener == 'main' else (listener[len('xenmobile-'):]
                                                     if listener.startswith('xenmobile-') else None)
        inst = self.instances.get(name)
        if inst is None:
            raise Reply(Response(404, {'Message': 'No HTTP resource was found that matches the request URI.'}))
        return inst

    # -- authentication ---------------------------------------------------------------------------

    def _token_expired(self, inst, record, now):
        kind = inst.property_value('xms.publicapi.timeout.type', 'STATIC_TIMEOUT')
        if kind == 'INACTIVITY_TIMEOUT':
            minutes = float(inst.property_value('xms.publicapi.inactivity.timeout', '5'))
            return now - record['last_used'] > minutes * 60
        minutes = float(inst.property_value('xms.publicapi.static.timeout', '60'))
        return now - record['issued'] > minutes * 60

    def _issue_token(self, inst, login):
        half = secrets.token_hex(16)
        token = '%s:%s' % (half, half)  # the documented form: two identical halves
        now = self.sim.clock.now()
        inst.tokens[token] = {'login': login, 'issued': now, 'last_used': now}
        inst.issued.append(token)
        return {'auth_token': token}

    def session(self, request, permission=None):
        """The instance and user of an authenticated request; 401 (no body: none is documented) for
        a missing, unknown or expired ``auth_token``; 403 (no body) without the RBAC permission."""
        inst = self._instance_for(request)
        token = request.header('auth_token')
        now = self.sim.clock.now()
        with self.lock:
            record = inst.tokens.get(token) if token else None
            if record is not None and self._token_expired(inst, record, now):
                del inst.tokens[token]
                record = None
            if record is None:
                raise Reply(Response(401, None))
            record['last_used'] = now
            user = inst.users.get(record['login'], {'permissions': ALL_PERMISSIONS})
        if permission and permission not in user['permissions']:
            raise Reply(Response(403, None))
        return inst

    def login(self, request):
        inst = self._instance_for(request)
        body = request.json()
        if not isinstance(body, dict) or not isinstance(body.get('login'), str) \
                or not isinstance(body.get('password'), str):
            return failed('login and password are required', 400)
        with self.lock:
            user = inst.users.get(body['login'])
            if user is None or not secrets.compare_digest(user['password'], body['password']):
                return failed('Invalid user name or password.', 401)
            if PUBLIC_API not in user['permissions']:
                return Response(403, None)
            return self._issue_token(inst, body['login'])

    def login_cloud(self, request):
        inst = self._instance_for(request)
        body = request.json()
        bearer = body.get('bearerToken') if isinstance(body, dict) else None
        if not isinstance(bearer, str) or not bearer:
            return failed('bearerToken is required', 400)
        cloud = self.sim.services.get('cloud')
        record = cloud.tokens.get(bearer) if cloud else None
        if record is None or record['expires_at'] <= self.sim.clock.now():
            return failed('The Citrix Cloud bearer token is invalid or expired.', 401)
        with self.lock:
            return self._issue_token(inst, 'cloud:%s' % record['client_id'])

    def logout(self, request):
        inst = self._instance_for(request)
        token = request.header('auth_token')
        with self.lock:
            record = inst.tokens.pop(token, None) if token else None
        if record is None:
            return Response(401, None)
        body = request.json() or {}
        return {'Status': 'user %s logged out successfully.' % (body.get('login') or record['login'])}

    # -- server properties ------------------------------------------------------------------------

    def list_properties(self, request):
        inst = self.session(request, 'SETTINGS')
        with self.lock:
            return ok(allEwProperties=[dict(p) for p in inst.properties.values()])

    def filter_properties(self, request):
        inst = self.session(request, 'SETTINGS')
        body = request.json() or {}
        search = str(body.get('searchStr') or '').lower()
        with self.lock:
            found = [dict(p) for p in inst.properties.values()
                     if not search or search in p['name'].lower() or search in p['displayName'].lower()]
        order = body.get('orderBy') or 'name'
        if order not in ('name', 'value', 'displayName', 'description', 'id'):
            invalid('orderBy must be one of name, value, displayName, description, id')
        found.sort(key=lambda p: sort_key_text(p.get(order)), reverse=str(body.get('sortOrder')).lower() == 'desc')
        start = int_field(body, 'start', 0)
        limit = int_field(body, 'limit')
        return ok(allEwProperties=found[start:start + limit] if limit is not None else found[start:])

    @staticmethod
    def _property_body(request):
        body = request.json()
        if not isinstance(body, dict) or not isinstance(body.get('name'), str) or not body['name']:
            invalid('a server property needs a name')
        for key in ('value', 'displayName', 'description'):
            if body.get(key) is not None and not isinstance(body[key], str):
                invalid('%s must be a string' % key)
        if body.get('value') is None:
            invalid('a server property needs a value')
        return body

    def add_property(self, request):
        inst = self.session(request, 'SETTINGS')
        body = self._property_body(request)
        with self.lock:
            if body['name'] in inst.properties:
                return failed('Server property %s already exists.' % body['name'])
            inst.put_property(seed.property_record(None, body['name'], body['value'], body.get('displayName'),
                                                   body.get('description')))
            inst.journal.append({'route': 'add', 'names': [body['name']]})
        return ok(message='Server property added. ' + RESTART_NOTE)

    def edit_property(self, request):
        inst = self.session(request, 'SETTINGS')
        body = self._property_body(request)
        with self.lock:
            record = inst.properties.get(body['name'])
            if record is None:
                return failed('Server property %s does not exist.' % body['name'])
            record['value'] = body['value']
            for key in ('displayName', 'description'):
                if body.get(key) is not None:
                    record[key] = body[key]
            inst.journal.append({'route': 'edit', 'names': [body['name']]})
        return ok(message='Server property updated. ' + RESTART_NOTE)

    def _names_present(self, inst, names):
        if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
            invalid('expected a non-empty list of property names')
        missing = [n for n in names if n not in inst.properties]
        if missing:
            raise Reply(failed('Server properties not found: %s' % ', '.join(missing)))

    def delete_properties(self, request):
        inst = self.session(request, 'SETTINGS')
        names = request.json()
        with self.lock:
            self._names_present(inst, names)
            for name in names:
                del inst.properties[name]
            inst.journal.append({'route': 'delete', 'names': list(names)})
        return ok(message='Server properties deleted. ' + RESTART_NOTE)

    def reset_properties(self, request):
        inst = self.session(request, 'SETTINGS')
        body = request.json()
        names = body.get('names') if isinstance(body, dict) else None
        with self.lock:
            self._names_present(inst, names)
            for name in names:
                inst.properties[name]['value'] = inst.properties[name]['defaultValue']
            inst.journal.append({'route': 'reset', 'names': list(names)})
        return ok(message='Server properties reset to their default values. ' + RESTART_NOTE)

    # -- devices ----------------------------------------------------------------------------------

    DEVICE_SORT = {
        'ID': 'id', 'SERIAL': 'serialNumber', 'IMEI': 'imeiOrMeid', 'ACTIVESYNCID': 'activeSyncId',
        'WIFIMAC': 'wifiMacAddress', 'BLUETOOTHMAC': 'blueToothMacAccress', 'OSFAMILY': 'platform',
        'SYSTEM_OEM': 'deviceModel', 'SYSTEM_PLATFORM': 'devicePlatform', 'SYSTEM_OS_VERSION': 'osVersion',
        'DEVICE_PROPERTY': 'deviceName', 'LASTAUTHDATE': '_last', 'INACTIVITYDAYS': '_last', 'ISACTIVE': '_last',
        'LASTUSER': 'userName', 'BLCOMPLIANT': '_compliant', 'WLCOMPLIANT': '_compliant',
        'RLCOMPLIANT': '_compliant', 'MANAGED': 'managed', 'SHAREABLE': 'shareable', 'BULKPROFILESTATUS': 'id',
    }

    FILTER_TREE = [
        ('device.platform', 'Platforms', [('device.platform.ios', 'iOS'), ('device.platform.android', 'Android'),
                                          ('device.platform.windows', 'Windows'), ('device.platform.macosx', 'macOS')]),
        ('device.ownership', 'Ownership', [('device.ownership.corporate', 'Corporate'), ('device.ownership.byod', 'BYOD')]),
    ]

    def _device_filter_tree(self, selected):
        def node(name, display, level, children):
            return {'displayName': display, 'name': name, 'value': None, 'level': level, 'checked': name in selected,
                    'leafNode': not children, 'nodes': children}

        detail = [node(name, display, 0, [node(n, d, 1, []) for n, d in leaves])
                  for name, display, leaves in self.FILTER_TREE]
        return {'detail': detail, 'selectedFilters': list(selected)}

    @staticmethod
    def _public(record):
        return {k: v for k, v in record.items() if not k.startswith('_')}

    def _filter_devices(self, request, capped):
        inst = self.session(request, 'DEVICES')
        body = request.json()
        if body is None:
            body = {}
        if not isinstance(body, dict):
            invalid('the request body must be a JSON object')
        start = int_field(body, 'start', 0)
        limit = int_field(body, 'limit')
        if capped and (limit is None or not 1 <= limit <= EM_MAX_LIMIT):
            invalid('limit is required and must be between 1 and %d' % EM_MAX_LIMIT)
        filter_ids = parse_filter_ids(body.get('filterIds'))
        matcher = build_matcher(filter_ids, functools.partial(device_filter, now=self.local_now()))
        search = str(body.get('search') or '').lower()
        column = str(body.get('sortColumn') or 'ID').upper()
        if column not in self.DEVICE_SORT:
            invalid('Unknown sortColumn: %s' % column)
        with self.lock:
            devices = list(inst.devices)
        matched = [d for d in devices if matcher(d) and (
            not search or any(search in str(d[k]).lower() for k in ('serialNumber', 'imeiOrMeid', 'deviceName',
                                                                    'userName')))]
        key = self.DEVICE_SORT[column]
        matched.sort(key=lambda d: sort_key_text(d[key]) if key != 'id' else (0, d['id']),
                     reverse=str(body.get('sortOrder') or 'ASC').upper() == 'DESC')
        page = matched[start:start + limit] if limit is not None else matched[start:]
        counted = flag(body, 'enableCount')
        return ok(currentFilter=self._device_filter_tree(filter_ids),
                  filteredDevicesDataList=[self._public(d) for d in page],
                  totalCount=len(devices) if counted else 0, matchedRecords=len(matched) if counted else 0)

    def filter_devices_legacy(self, request):
        return self._filter_devices(request, capped=False)

    def filter_devices_em(self, request):
        return self._filter_devices(request, capped=True)

    # -- applications -----------------------------------------------------------------------------

    APP_SORT = ('id', 'name', 'appType', 'disabled', 'vppAccount', 'creationDate', 'lastModificationDate')
    LIST_FIELDS = ('id', 'name', 'description', 'creationDate', 'lastModificationDate', 'disabled', 'nbSuccess',
                   'nbFailure', 'nbPending', 'schedule', 'permitAsRequired', 'iconData', 'appType', 'categories',
                   'roles', 'workflow', 'vppAccount')

    def filter_apps(self, request):
        inst = self.session(request, 'APPS')
        body = request.json() or {}
        if not isinstance(body, dict):
            invalid('the request body must be a JSON object')
        start = int_field(body, 'start', 0)
        limit = int_field(body, 'limit')
        matcher = build_matcher(parse_filter_ids(body.get('filterIds')), app_filter)
        search = str(body.get('search') or '').lower()
        column = body.get('applicationSortColumn') or 'id'
        if column not in self.APP_SORT:
            invalid('Unknown applicationSortColumn: %s' % column)
        with self.lock:
            apps = [dict(a) for a in inst.apps.values()]
        matched = [a for a in apps if matcher(a) and (not search or search in a['name'].lower())]
        matched.sort(key=lambda a: sort_key_text(a[column]) if column != 'id' else (0, a['id']),
                     reverse=str(body.get('sortOrder') or 'ASC').upper() == 'DESC')
        page = matched[start:start + limit] if limit is not None else matched[start:]
        counted = flag(body, 'enableCount')
        return ok(applicationListData={
            'totalMatchCount': len(matched) if counted else 0, 'totalCount': len(apps) if counted else 0,
            'appList': [{k: a[k] for k in self.LIST_FIELDS} for a in page]})

    def get_container(self, request):
        inst = self.session(request, 'APPS')
        with self.lock:
            container = inst.apps.get(int(request.params['id']))
            if container is None:
                return failed('Application %s not found.' % request.params['id'])
            return ok(container=json.loads(json.dumps(container)))

    @staticmethod
    def _multipart(request):
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

    def _upload(self, request, inst, platform, container=None):
        if platform not in seed.ENTERPRISE_PLATFORMS:
            invalid('Unsupported platform %s; use one of %s' % (platform, ', '.join(seed.ENTERPRISE_PLATFORMS)))
        parts = self._multipart(request)
        if 'uploadFile' not in parts or not parts['uploadFile'][1]:
            invalid('the uploadFile part is missing or empty')
        try:
            info = json.loads(parts['appInfo'][1].decode('utf-8')) if 'appInfo' in parts else {}
        except ValueError:
            invalid('appInfo is not valid JSON')
        if not isinstance(info, dict):
            invalid('appInfo must be a JSON object')
        schedule = info.get('deploymentSchedule') or {}
        if schedule.get('deploySchedule', 'NOW') not in ('NOW', 'LATER'):
            invalid('deploySchedule must be NOW or LATER')
        if schedule.get('deployScheduleCondition', 'EVERYTIME') not in ('EVERYTIME', 'ONPREVIOUSFAILED'):
            invalid('deployScheduleCondition must be EVERYTIME or ONPREVIOUSFAILED')
        if schedule.get('deploySchedule') == 'LATER' and not (
                re.match(r'^\d{2}/\d{2}/\d{4}$', str(schedule.get('deployDate') or ''))
                and re.match(r'^\d{2}:\d{2}$', str(schedule.get('deployTime') or ''))):
            invalid('deploySchedule LATER needs deployDate MM/DD/YYYY and deployTime HH:MM')
        version = seed.package_version(parts['uploadFile'][1]) or '1.0'
        now_ms = int(self.sim.clock.now() * 1000)
        with self.lock:
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
            container[platform] = seed.package_record(platform, container['name'], container['description'], version,
                                                      inst.next_package_id)
            inst.next_package_id += 1
            container['lastModificationDate'] = now_ms
            inst.journal.append({'route': 'upload', 'names': ['%s/%s' % (container['name'], platform)]})
            return ok(message='Application uploaded successfully. Container Id: %d' % container['id'],
                      container=json.loads(json.dumps(container)))

    def upload_app(self, request):
        inst = self.session(request, 'APPS')
        return self._upload(request, inst, request.params['platform'])

    def add_platform(self, request):
        inst = self.session(request, 'APPS')
        with self.lock:
            container = inst.apps.get(int(request.params['id']))
        if container is None:
            return failed('Application %s not found.' % request.params['id'])
        if container['appType'] != 'Enterprise':
            return failed('Application %s is not an enterprise app.' % container['name'])
        return self._upload(request, inst, request.params['platform'], container)

    def delete_app(self, request):
        inst = self.session(request, 'APPS')
        with self.lock:
            container = inst.apps.pop(int(request.params['id']), None)
            if container is None:
                return failed('Application %s not found.' % request.params['id'])
            inst.journal.append({'route': 'delete_app', 'names': [container['name']]})
        return ok(message='Operation completed successfully')

    # -- wiring -----------------------------------------------------------------------------------

    def routes(self):
        return [
            Route('POST', API + r'/authentication/login', self.login, 'xenmobile.login'),
            Route('POST', API + r'/authentication/login/cloud', self.login_cloud, 'xenmobile.login_cloud'),
            Route('POST', API + r'/authentication/logout', self.logout, 'xenmobile.logout'),
            Route('GET', API + r'/serverproperties', self.list_properties, 'xenmobile.properties'),
            Route('POST', API + r'/serverproperties/filter', self.filter_properties, 'xenmobile.properties_filter'),
            Route('POST', API + r'/serverproperties', self.add_property, 'xenmobile.property_add', write=True),
            Route('PUT', API + r'/serverproperties', self.edit_property, 'xenmobile.property_edit', write=True),
            Route('DELETE', API + r'/serverproperties', self.delete_properties, 'xenmobile.property_delete',
                  write=True),
            Route('POST', API + r'/serverproperties/reset', self.reset_properties, 'xenmobile.property_reset',
                  write=True),
            Route('POST', API + r'/device/filter', self.filter_devices_legacy, 'xenmobile.device_filter'),
            Route('POST', API + r'/device/filter/v2', self.filter_devices_legacy, 'xenmobile.device_filter'),
            Route('POST', EM_DEVICE_FILTER, self.filter_devices_em, 'xenmobile.device_filter_em'),
            Route('POST', API + r'/application/filter', self.filter_apps, 'xenmobile.app_filter'),
            Route('GET', API + r'/application/mobile/(?P<id>\d+)', self.get_container, 'xenmobile.app_container'),
            Route('POST', API + r'/application/mobile/enterprise/(?P<platform>[a-z_]+)', self.upload_app,
                  'xenmobile.app_upload', write=True),
            Route('POST', API + r'/application/mobile/enterprise/(?P<platform>[a-z_]+)/(?P<id>\d+)',
                  self.add_platform, 'xenmobile.app_upload', write=True),
            Route('DELETE', API + r'/application/(?P<id>\d+)', self.delete_app, 'xenmobile.app_delete', write=True),
        ]

    def admin_routes(self):
        def expire(request):
            body = request.json() or {}
            self.expire_tokens(body.get('instance'))
            return {'ok': True}

        def add_user(request):
            body = request.json() or {}
            self.add_user(body['login'], body['password'], body.get('permissions', ALL_PERMISSIONS),
                          body.get('instance'))
            return {'ok': True}

        def instances(_request):
            return {name: self.url(name) for name in self.instances}

        def writes(_request):
            return {name: self.writes(name) for name in self.instances}

        return [
            Route('POST', r'/expire-tokens', expire, 'admin.xenmobile.expire'),
            Route('POST', r'/users', add_user, 'admin.xenmobile.users'),
            Route('GET', r'/instances', instances, 'admin.xenmobile.instances'),
            Route('GET', r'/writes', writes, 'admin.xenmobile.writes'),
        ]


SERVICE = XenMobile
