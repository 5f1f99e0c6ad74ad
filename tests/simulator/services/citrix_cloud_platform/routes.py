"""Routes of the ``cloud_platform`` service: the resource locations API (current and registry paths),
notifications (send and list, on the Workspaces host and in the gateway form), and the admin routes."""

import uuid

from tests.simulator.base import Reply, Response, Route, Routes
from tests.simulator.services.citrix_cloud.auth import FORBIDDEN_CUSTOMER, cloud_auth, transaction_headers
from tests.simulator.services.citrix_cloud_platform.state import DEFAULT_TIME_ZONE
from tests.simulator.services.citrix_cloud_platform.rendering import listed_notification
from tests.simulator.services.citrix_cloud_platform.validation import (
    check_location_flags, check_location_name, check_notification, decode_page_token, encode_page_token, problem,
    require_json_body,
)

PAGE_SIZE = 100  # what public scripts see per page


class PlatformRoutes(Routes):
    """Handlers of the ``cloud_platform`` service."""

    @property
    def lock(self):
        return self.service.sim.lock

    # -- resource locations: current API --------------------------------------------------------

    @staticmethod
    def _customer_from_header(request, check_accept):
        record = cloud_auth(request, None, check_accept=check_accept)
        customer = (request.header('Citrix-CustomerId') or '').strip()
        if not customer:
            raise problem(400, 'badRequest', 'The Citrix-CustomerId header is required')
        if customer != record['customer']:
            raise Reply(Response(403, FORBIDDEN_CUSTOMER, transaction_headers()))
        return customer

    def _location(self, customer, location_id):
        record = self.state.customer_locations(customer).get(location_id)
        if record is None:
            raise problem(404, 'notFound', 'Resource location %s was not found' % location_id, id=location_id)
        return record

    def list_locations(self, request):
        customer = self._customer_from_header(request, check_accept=False)  # GetAll lists no Accept header
        with self.lock:
            items = [dict(r) for r in self.state.customer_locations(customer).values()]
        return Response(200, {'items': items}, transaction_headers())

    def create_location(self, request):
        customer = self._customer_from_header(request, check_accept=True)
        body = require_json_body(request)
        check_location_flags(body)
        with self.lock:
            locations = self.state.customer_locations(customer)
            check_location_name(locations, body.get('name'))
            record = {'id': str(uuid.uuid4()), 'name': body['name'], 'internalOnly': bool(body.get('internalOnly', False)),
                      'timeZone': body.get('timeZone') or DEFAULT_TIME_ZONE, 'readOnly': False}
            locations[record['id']] = record
        return Response(200, dict(record), transaction_headers())

    def get_location(self, request):
        customer = self._customer_from_header(request, check_accept=True)
        with self.lock:
            return Response(200, dict(self._location(customer, request.params['id'])), transaction_headers())

    def update_location(self, request):
        customer = self._customer_from_header(request, check_accept=True)
        body = require_json_body(request)
        check_location_flags(body)
        with self.lock:
            record = self._location(customer, request.params['id'])
            if record['readOnly']:
                raise problem(403, 'authorization', 'Resource location "%s" is managed by Citrix and cannot be changed'
                              % record['name'], id=record['id'])
            name = body.get('name', record['name'])
            check_location_name(self.state.customer_locations(customer), name, exclude_id=record['id'])
            # PUT replaces: an omitted internalOnly becomes false and an omitted timeZone null.
            record.update(name=name, internalOnly=bool(body.get('internalOnly', False)), timeZone=body.get('timeZone'))
            return Response(200, dict(record), transaction_headers())

    def delete_location(self, request):
        customer = self._customer_from_header(request, check_accept=True)
        with self.lock:
            record = self._location(customer, request.params['id'])
            if record['readOnly']:
                raise problem(403, 'authorization', 'Resource location "%s" is managed by Citrix and cannot be deleted'
                              % record['name'], id=record['id'])
            del self.state.customer_locations(customer)[record['id']]
        return Response(204, None, transaction_headers())

    # -- resource locations: registry path of seed 001 -------------------------------------------

    def registry_locations(self, request):
        customer = request.params['customer']
        cloud_auth(request, customer, check_accept=False)  # seed 001 calls it with no Accept header
        with self.lock:
            items = [dict(r) for r in self.state.customer_locations(customer).values()]
        return Response(200, {'items': items}, transaction_headers())

    # -- notifications --------------------------------------------------------------------------

    def _gateway_customer(self, request):
        """The customer of a gateway-form notifications call (``Citrix-CustomerId``), authenticated."""
        customer = (request.header('Citrix-CustomerId') or '').strip()
        if not customer:
            raise problem(400, 'badRequest', 'The Citrix-CustomerId header is required')
        cloud_auth(request, customer, check_accept=False)
        return customer

    def send_notification(self, request):
        customer = request.params['customer']
        cloud_auth(request, customer, check_accept=False)
        return self._send(customer, request)

    def gateway_send_notification(self, request):
        return self._send(self._gateway_customer(request), request)

    def _send(self, customer, request):
        body = require_json_body(request)
        check_notification(body)
        item = {
            'destinationAdmin': body['destinationAdmin'], 'component': body['component'],
            'createdDate': body['createdDate'], 'categories': body.get('categories'), 'severity': body['severity'],
            'eventId': body['eventId'], 'priority': body['priority'],
            'content': [{'languageTag': e['languageTag'], 'title': e['title'], 'description': e['description'],
                         'detailUri': e.get('detailUri')} for e in body['content']],
            'data': body.get('data'), 'externalId': body.get('externalId'),
            'suppressEmail': bool(body.get('suppressEmail', False)),
        }
        # Nothing public shows the service refusing a repeated eventId: a second one is stored too.
        with self.lock:
            self.state.store(customer, item)
        return Response(200, dict(item), transaction_headers())

    def list_notifications(self, request):
        customer = request.params['customer']
        cloud_auth(request, customer, check_accept=False)
        return self._list(customer, request)

    def gateway_list_notifications(self, request):
        return self._list(self._gateway_customer(request), request)

    def _list(self, customer, request):
        unknown = sorted(name for name in request.query if name.lower() != 'continuationtoken')
        if unknown:
            raise problem(400, 'badRequest', 'Unknown query parameter %s' % ', '.join(unknown), field=unknown[0])
        records = self.state.visible_notifications(customer)
        token = request.arg('continuationToken')
        if token:
            before = decode_page_token(token)
            records = [r for r in records if r['seq'] < before]
        page = records[:PAGE_SIZE]
        next_token = encode_page_token(page[-1]['seq']) if len(records) > PAGE_SIZE else None
        return Response(200, {'items': [listed_notification(r['item'], self.state.listed_ids) for r in page],
                              'continuationToken': next_token}, transaction_headers())

    # -- wiring ---------------------------------------------------------------------------------

    def routes(self):
        workspaces = r'/notifications/(?P<customer>[^/]+)/notifications'
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
            Route('POST', workspaces + '/items', self.send_notification, 'notifications.send', write=True),
            Route('GET', workspaces, self.list_notifications, 'notifications.list'),
            Route('POST', r'/notifications/?', self.gateway_send_notification, 'notifications.send', write=True),
            Route('GET', r'/notifications/?', self.gateway_list_notifications, 'notifications.list'),
        ]

    # -- admin ----------------------------------------------------------------------------------

    def admin_notifications(self, request):
        customer = request.params['customer']
        return {'items': [r['item'] for r in self.state.visible_notifications(customer)]}

    def admin_locations(self, request):
        customer = request.params['customer']
        if request.method == 'POST':
            body = request.json() or {}
            return self.state.add_location(customer, body['name'], body.get('internalOnly', False),
                                           body.get('timeZone', DEFAULT_TIME_ZONE), body.get('readOnly', False))
        return {'items': list(self.state.customer_locations(customer).values())}

    def admin_routes(self):
        return [
            Route('GET', r'/(?P<customer>[^/]+)/notifications', self.admin_notifications,
                  'admin.cloud_platform.notifications'),
            Route('GET', r'/(?P<customer>[^/]+)/resourcelocations', self.admin_locations,
                  'admin.cloud_platform.locations'),
            Route('POST', r'/(?P<customer>[^/]+)/resourcelocations', self.admin_locations,
                  'admin.cloud_platform.add_location'),
        ]
