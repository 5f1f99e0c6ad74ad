"""Citrix Cloud platform APIs: resource locations and administrator notifications.

Resource locations are served twice over one state per customer:
- the current API (``../shared/specs/citrix-cloud/resourcelocations/openapi.yaml``): ``/resourcelocations/``
  and ``/resourcelocations/{Id}`` on the API gateway, customer in the ``Citrix-CustomerId`` header;
- the older registry path seed 001 shows: ``GET registry.citrixworkspacesapi.net/{customerId}/resourcelocations``
  (served as ``/registry/{customerId}/resourcelocations``).

Notifications: ``POST notifications.citrixworkspacesapi.net/{customerId}/notifications/items`` with the
request and response bodies of seed 001. No public spec lists notifications; the ``GET`` on the same
path with ``limit`` / ``continuationToken`` is our choice, documented in tests/simulator/README.md.
"""

import base64
import datetime
import random
import re
import uuid

from tests.simulator.core import Reply, Response, Route, Service
from tests.simulator.services.citrix_cloud import FORBIDDEN_CUSTOMER, _transaction_headers, cloud_auth

ERRORS = 'https://errors-api.cloud.com/common/'
# From the spec's ResourceLocationModel.name pattern: none of / \ # ? % | [ ] { } < > $ ^ & +
LOCATION_NAME = re.compile(r'[^/\\#?%|\[\]{}<>$^&+]+')
SEED_LOCATION = {'id': '9e2fda49-c878-4c23-aae1-8ffcbdc2dab2', 'name': 'My Resource Location',
                 'internalOnly': False, 'timeZone': 'GMT Standard Time', 'readOnly': False}
CITRIX_MANAGED = {'name': 'Citrix Managed Azure (East US)', 'internalOnly': False,
                  'timeZone': 'Eastern Standard Time', 'readOnly': True}
TIME_ZONES = ('GMT Standard Time', 'W. Europe Standard Time', 'Eastern Standard Time',
              'Pacific Standard Time', 'Tokyo Standard Time', 'AUS Eastern Standard Time')
DEFAULT_TIME_ZONE = 'GMT Standard Time'

SEVERITIES = ('Information', 'Warning', 'Critical')
PRIORITIES = ('Low', 'Normal', 'High')
LANGUAGE_TAG = re.compile(r'^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$')
PAGE_DEFAULT = 100
PAGE_MAX = 100
RETENTION_SECONDS = 90 * 24 * 3600  # Citrix Cloud deletes notifications older than 90 days
SEED_NOTICES = (
    ('Citrix Cloud', 'Warning', 'Cloud Connector update available',
     'A new Cloud Connector version is available for {location}.'),
    ('Citrix DaaS', 'Information', 'Machine catalog updated', 'The image of catalog {n} was updated.'),
    ('Citrix Cloud', 'Critical', 'Cloud Connector unreachable', 'A Cloud Connector in {location} is not responding.'),
    ('Citrix Workspace', 'Information', 'New feature available', 'Feature preview {n} is now available.'),
)


def problem(status, kind, detail, **parameters):
    """A Citrix Cloud problem-details error body, as the foundation's services answer."""
    body = {'detail': detail, 'parameters': parameters or None, 'type': ERRORS + kind}
    return Reply(Response(status, body, _transaction_headers()))


def require_json_body(request):
    content_type = (request.header('Content-Type') or '').split(';', 1)[0].strip().lower()
    if content_type not in ('application/json', 'text/json'):
        raise problem(415, 'unsupportedMediaType', 'Content-Type must be application/json',
                      contentType=content_type or None)
    body = request.json()
    if not isinstance(body, dict):
        raise problem(400, 'badRequest', 'The request body must be a JSON object')
    return body


class CloudPlatform(Service):
    name = 'cloud_platform'
    after = ('cloud',)

    def seed(self):
        self.locations = {}       # customer -> {id: record}
        self.notifications = {}   # customer -> [record, ...] in arrival order
        self.sequence = 0

    # -- state ----------------------------------------------------------------------------------

    def customer_locations(self, customer):
        with self.sim.lock:
            if customer not in self.locations:
                rng = random.Random('%s:%s:locations' % (self.sim.seed_value, customer))
                records = [dict(SEED_LOCATION), dict(CITRIX_MANAGED, id=str(uuid.UUID(int=rng.getrandbits(128))))]
                for n in range(min(self.sim.size // 25, 48)):
                    records.append({'id': str(uuid.UUID(int=rng.getrandbits(128))), 'name': 'Branch Office %02d' % (n + 1),
                                    'internalOnly': n % 3 == 0, 'timeZone': TIME_ZONES[n % len(TIME_ZONES)],
                                    'readOnly': False})
                self.locations[customer] = {r['id']: r for r in records}
            return self.locations[customer]

    def add_location(self, customer, name, internal_only=False, time_zone=DEFAULT_TIME_ZONE, read_only=False):
        record = {'id': str(uuid.uuid4()), 'name': name, 'internalOnly': internal_only, 'timeZone': time_zone,
                  'readOnly': read_only}
        with self.sim.lock:
            self.customer_locations(customer)[record['id']] = record
        return dict(record)

    def customer_notifications(self, customer):
        with self.sim.lock:
            if customer not in self.notifications:
                self.notifications[customer] = []
                rng = random.Random('%s:%s:notifications' % (self.sim.seed_value, customer))
                count = min(self.sim.size, 500)
                now = self.sim.clock.now()
                for n in range(count):
                    component, severity, title, text = SEED_NOTICES[n % len(SEED_NOTICES)]
                    age = (count - n) * 3600.0
                    self._store(customer, {
                        'destinationAdmin': '*', 'component': component,
                        'createdDate': self._rfc3339(now - age), 'categories': None, 'severity': severity,
                        'eventId': str(uuid.UUID(int=rng.getrandbits(128), version=4)), 'priority': 'Normal',
                        'content': [{'languageTag': 'en-US', 'title': title,
                                     'description': text.format(n=n, location='Branch Office %02d' % (n % 9 + 1)),
                                     'detailUri': None}],
                        'data': None, 'externalId': None, 'suppressEmail': False}, received=now - age)
            return self.notifications[customer]

    def add_notifications(self, customer, count, component='Load Test', title='Bulk notice'):
        """Append ``count`` notifications (newest last); returns their event ids."""
        ids = []
        self.customer_notifications(customer)
        with self.sim.lock:
            for n in range(count):
                event_id = str(uuid.uuid4())
                self._store(customer, {
                    'destinationAdmin': '*', 'component': component,
                    'createdDate': self._rfc3339(self.sim.clock.now()), 'categories': None, 'severity': 'Information',
                    'eventId': event_id, 'priority': 'Normal',
                    'content': [{'languageTag': 'en-US', 'title': '%s %d' % (title, n), 'description': 'Bulk',
                                 'detailUri': None}],
                    'data': None, 'externalId': None, 'suppressEmail': False})
                ids.append(event_id)
        return ids

    def _store(self, customer, item, received=None):
        self.sequence += 1
        self.notifications[customer].append({'seq': self.sequence, 'received': received or self.sim.clock.now(),
                                             'item': item})

    def visible_notifications(self, customer):
        """Stored notifications still within retention, newest first."""
        horizon = self.sim.clock.now() - RETENTION_SECONDS
        with self.sim.lock:
            records = [r for r in self.customer_notifications(customer) if r['received'] >= horizon]
        return sorted(records, key=lambda r: r['seq'], reverse=True)

    def find_notification(self, customer, event_id):
        for record in self.visible_notifications(customer):
            if record['item']['eventId'].lower() == str(event_id).lower():
                return record['item']
        return None

    @staticmethod
    def _rfc3339(epoch):
        return datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%S.%fZ')

    # -- resource locations: current API --------------------------------------------------------

    def _customer_from_header(self, request, check_accept):
        record = cloud_auth(request, None, check_accept=check_accept)
        customer = (request.header('Citrix-CustomerId') or '').strip()
        if not customer:
            raise problem(400, 'badRequest', 'The Citrix-CustomerId header is required')
        if customer != record['customer']:
            raise Reply(Response(403, FORBIDDEN_CUSTOMER, _transaction_headers()))
        return customer

    def _location(self, customer, location_id):
        record = self.customer_locations(customer).get(location_id)
        if record is None:
            raise problem(404, 'notFound', 'Resource location %s was not found' % location_id, id=location_id)
        return record

    def _check_name(self, customer, name, exclude_id=None):
        if not isinstance(name, str) or not name.strip():
            raise problem(400, 'badRequest', 'name is required', field='name')
        if not LOCATION_NAME.fullmatch(name):
            raise problem(400, 'badRequest', 'name contains characters that are not allowed: / \\ # ? % | [ ] { } < > $ ^ & +',
                          field='name')
        for other in self.customer_locations(customer).values():
            if other['id'] != exclude_id and other['name'].lower() == name.lower():
                raise problem(409, 'conflict', 'A resource location named "%s" already exists' % name, name=name)

    @staticmethod
    def _check_flags(body):
        if 'internalOnly' in body and not isinstance(body['internalOnly'], bool):
            raise problem(400, 'badRequest', 'internalOnly must be a boolean', field='internalOnly')
        if body.get('timeZone') is not None and not isinstance(body['timeZone'], str):
            raise problem(400, 'badRequest', 'timeZone must be a string', field='timeZone')

    def list_locations(self, request):
        customer = self._customer_from_header(request, check_accept=False)  # GetAll lists no Accept header
        with self.sim.lock:
            items = [dict(r) for r in self.customer_locations(customer).values()]
        return Response(200, {'items': items}, _transaction_headers())

    def create_location(self, request):
        customer = self._customer_from_header(request, check_accept=True)
        body = require_json_body(request)
        self._check_flags(body)
        with self.sim.lock:
            self._check_name(customer, body.get('name'))
            record = {'id': str(uuid.uuid4()), 'name': body['name'], 'internalOnly': bool(body.get('internalOnly', False)),
                      'timeZone': body.get('timeZone') or DEFAULT_TIME_ZONE, 'readOnly': False}
            self.customer_locations(customer)[record['id']] = record
        return Response(200, dict(record), _transaction_headers())

    def get_location(self, request):
        customer = self._customer_from_header(request, check_accept=True)
        with self.sim.lock:
            return Response(200, dict(self._location(customer, request.params['id'])), _transaction_headers())

    def update_location(self, request):
        customer = self._customer_from_header(request, check_accept=True)
        body = require_json_body(request)
        self._check_flags(body)
        with self.sim.lock:
            record = self._location(customer, request.params['id'])
            if record['readOnly']:
                raise problem(403, 'authorization', 'Resource location "%s" is managed by Citrix and cannot be changed'
                              % record['name'], id=record['id'])
            name = body.get('name', record['name'])
            self._check_name(customer, name, exclude_id=record['id'])
            # PUT replaces: an omitted internalOnly becomes false and an omitted timeZone null.
            record.update(name=name, internalOnly=bool(body.get('internalOnly', False)), timeZone=body.get('timeZone'))
            return Response(200, dict(record), _transaction_headers())

    def delete_location(self, request):
        customer = self._customer_from_header(request, check_accept=True)
        with self.sim.lock:
            record = self._location(customer, request.params['id'])
            if record['readOnly']:
                raise problem(403, 'authorization', 'Resource location "%s" is managed by Citrix and cannot be deleted'
                              % record['name'], id=record['id'])
            del self.customer_locations(customer)[record['id']]
        return Response(204, None, _transaction_headers())

    # -- resource locations: registry path of seed 001 -------------------------------------------

    def registry_locations(self, request):
        customer = request.params['customer']
        cloud_auth(request, customer, check_accept=False)  # seed 001 calls it with no Accept header
        with self.sim.lock:
            items = [dict(r) for r in self.customer_locations(customer).values()]
        return Response(200, {'items': items}, _transaction_headers())

    # -- notifications --------------------------------------------------------------------------

    @staticmethod
    def _validate_notification(body):
        for field in ('destinationAdmin', 'component', 'createdDate', 'eventId', 'severity', 'priority'):
            if not isinstance(body.get(field), str) or not body[field].strip():
                raise problem(400, 'badRequest', '%s is required' % field, field=field)
        try:
            uuid.UUID(body['eventId'])
        except ValueError:
            raise problem(400, 'badRequest', 'eventId must be a GUID', field='eventId')
        if body['severity'] not in SEVERITIES:
            raise problem(400, 'badRequest', 'severity must be one of %s' % ', '.join(SEVERITIES), field='severity')
        if body['priority'] not in PRIORITIES:
            raise problem(400, 'badRequest', 'priority must be one of %s' % ', '.join(PRIORITIES), field='priority')
        content = body.get('content')
        if not isinstance(content, list) or not content:
            raise problem(400, 'badRequest', 'content must list at least one localized entry', field='content')
        for entry in content:
            if not isinstance(entry, dict):
                raise problem(400, 'badRequest', 'content entries must be objects', field='content')
            if not LANGUAGE_TAG.match(str(entry.get('languageTag') or '')):
                raise problem(400, 'badRequest', 'content.languageTag must be a language tag such as en-US',
                              field='content.languageTag')
            for field in ('title', 'description'):
                if not isinstance(entry.get(field), str) or not entry[field].strip():
                    raise problem(400, 'badRequest', 'content.%s is required' % field, field='content.' + field)

    def send_notification(self, request):
        customer = request.params['customer']
        cloud_auth(request, customer, check_accept=False)
        body = require_json_body(request)
        self._validate_notification(body)
        item = {
            'destinationAdmin': body['destinationAdmin'], 'component': body['component'],
            'createdDate': body['createdDate'], 'categories': body.get('categories'), 'severity': body['severity'],
            'eventId': body['eventId'], 'priority': body['priority'],
            'content': [{'languageTag': e['languageTag'], 'title': e['title'], 'description': e['description'],
                         'detailUri': e.get('detailUri')} for e in body['content']],
            'data': body.get('data'), 'externalId': body.get('externalId'),
            'suppressEmail': bool(body.get('suppressEmail', False)),
        }
        with self.sim.lock:
            if self.find_notification(customer, item['eventId']) is not None:
                raise problem(409, 'conflict', 'A notification with eventId %s already exists' % item['eventId'],
                              eventId=item['eventId'])
            self._store(customer, item)
        return Response(200, dict(item), _transaction_headers())

    @staticmethod
    def _encode_token(seq):
        return base64.urlsafe_b64encode(('before:%d' % seq).encode()).decode().rstrip('=')

    @staticmethod
    def _decode_token(token):
        try:
            text = base64.urlsafe_b64decode(token + '=' * (-len(token) % 4)).decode()
            kind, value = text.split(':', 1)
            if kind != 'before':
                raise ValueError(kind)
            return int(value)
        except (ValueError, UnicodeDecodeError):
            raise problem(400, 'badRequest', 'The continuation token is not valid', field='continuationToken')

    def list_notifications(self, request):
        customer = request.params['customer']
        cloud_auth(request, customer, check_accept=False)
        raw_limit = request.arg('limit')
        try:
            limit = PAGE_DEFAULT if raw_limit in (None, '') else int(raw_limit)
        except ValueError:
            raise problem(400, 'badRequest', 'limit must be an integer', field='limit')
        if limit < 1:
            raise problem(400, 'badRequest', 'limit must be at least 1', field='limit')
        limit = min(limit, PAGE_MAX)
        records = self.visible_notifications(customer)
        token = request.arg('continuationToken')
        if token:
            before = self._decode_token(token)
            records = [r for r in records if r['seq'] < before]
        page = records[:limit]
        next_token = self._encode_token(page[-1]['seq']) if len(records) > limit else None
        return Response(200, {'items': [dict(r['item']) for r in page], 'continuationToken': next_token},
                        _transaction_headers())

    # -- wiring ---------------------------------------------------------------------------------

    def routes(self):
        notifications = r'/notifications/(?P<customer>[^/]+)/notifications/items'
        return [
            Route('GET', r'/resourcelocations/?', self.list_locations, 'resource_locations.list'),
            Route('POST', r'/resourcelocations/?', self.create_location, 'resource_locations.create', write=True),
            Route('GET', r'/resourcelocations/(?P<id>[^/]+)', self.get_location, 'resource_locations.get'),
            Route('PUT', r'/resourcelocations/(?P<id>[^/]+)', self.update_location, 'resource_locations.update',
                  write=True),
            Route('DELETE', r'/resourcelocations/(?P<id>[^/]+)', self.delete_location, 'resource_locations.delete',
                  write=True),
            Route('GET', r'/registry/(?P<customer>[^/]+)/resourcelocations/?', self.registry_locations,
                  'registry.resource_locations'),
            Route('POST', notifications, self.send_notification, 'notifications.send', write=True),
            Route('GET', notifications, self.list_notifications, 'notifications.list'),
        ]

    def admin_routes(self):
        def notifications(request):
            customer = request.params['customer']
            return {'items': [r['item'] for r in self.visible_notifications(customer)]}

        def locations(request):
            customer = request.params['customer']
            if request.method == 'POST':
                body = request.json() or {}
                return self.add_location(customer, body['name'], body.get('internalOnly', False),
                                         body.get('timeZone', DEFAULT_TIME_ZONE), body.get('readOnly', False))
            return {'items': list(self.customer_locations(customer).values())}

        return [
            Route('GET', r'/(?P<customer>[^/]+)/notifications', notifications, 'admin.cloud_platform.notifications'),
            Route('GET', r'/(?P<customer>[^/]+)/resourcelocations', locations, 'admin.cloud_platform.locations'),
            Route('POST', r'/(?P<customer>[^/]+)/resourcelocations', locations, 'admin.cloud_platform.add_location'),
        ]


SERVICE = CloudPlatform
