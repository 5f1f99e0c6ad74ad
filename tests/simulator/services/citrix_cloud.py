"""Citrix Cloud: the OAuth token endpoint on the API gateway and the core ``serviceStates`` API.

Shapes come from seed 001 (token response, error bodies) and ../shared/specs. The Workspaces hosts
(``core``, ``registry``, ``notifications`` .citrixworkspacesapi.net) are served under a path prefix
named after the host (``/core/...``), which a ``{service}`` URL template in the clients maps to.

Other Cloud-authenticated services (DaaS, registry, notifications) call :func:`cloud_auth`.
"""

import re
import secrets
import uuid

from tests.simulator.core import Reply, Response, Route, Service

DEFAULT_CUSTOMER = 'simcustomer1'
DEFAULT_CLIENT_ID = 'sim-client-id'
DEFAULT_CLIENT_SECRET = 'sim-client-secret'
TOKEN_LIFETIME = 3600

INVALID_CLIENT = {'error': 'invalid_client', 'error_description': 'Invalid client id or client secret.'}
BAD_CWS_HEADER = {'Error': {'Message': 'Missing or invalid CWSAuth header.', 'Type': 'CWSAuthException'}}
EXPIRED = {'detail': 'Missing or invalid authentication details', 'parameters': {'reason': 'invalid'},
           'type': 'https://errors-api.cloud.com/common/authentication'}
NOT_ACCEPTABLE = {'detail': 'Must accept application/json media type',
                  'parameters': {'contentType': 'application/json'},
                  'type': 'https://errors-api.cloud.com/common/notAcceptable'}
FORBIDDEN_CUSTOMER = {'detail': 'The caller is not authorized for this customer',
                      'parameters': {'reason': 'customerMismatch'},
                      'type': 'https://errors-api.cloud.com/common/authorization'}

CWS_HEADER = re.compile(r'^\s*CwsAuth\s+Bearer\s*=\s*(\S+)\s*$', re.IGNORECASE)

# Service states as the seed's examples list them: the ProductionTrial set from seed 001, plus
# services in other states so filters have something to do.
SERVICE_STATES = [
    ('cas', 'ProductionTrial'), ('itsm', 'ProductionTrial'), ('microapps', 'ProductionTrial'),
    ('netscalergateway', 'ProductionTrial'), ('wem', 'ProductionTrial'), ('xendesktop', 'ProductionTrial'),
    ('xenmobile', 'Production'), ('workspace', 'Production'), ('analytics', 'NotOnboarded'),
    ('sharefile', 'Expired'), ('secureprivateaccess', 'Trial'),
]


def _transaction_headers():
    return {'X-Cws-TransactionId': str(uuid.uuid4()), 'Access-Control-Expose-Headers': 'X-Cws-TransactionId'}


def require_json_accept(request):
    """406 unless Accept is exactly application/json (a charset parameter is tolerated)."""
    accept = (request.header('Accept') or '').strip()
    media = accept.split(';', 1)[0].strip().lower()
    params = accept.split(';', 1)[1].strip().lower() if ';' in accept else ''
    if media != 'application/json' or ',' in accept or (params and not params.startswith('charset=')):
        raise Reply(Response(406, NOT_ACCEPTABLE, _transaction_headers()))


def cloud_auth(request, customer_id=None, check_accept=True):
    """Validate ``Authorization: CwsAuth Bearer=<token>`` the way Citrix Cloud answers; returns the
    token record ``{'client_id', 'customer', 'expires_at'}`` or raises :class:`Reply`."""
    return request.sim.service('cloud').authenticate(request, customer_id, check_accept)


class CitrixCloud(Service):
    name = 'cloud'

    def seed(self):
        self.customer = self.config.get('customer_id', DEFAULT_CUSTOMER)
        self.clients = {}
        self.tokens = {}
        self.token_lifetime = int(self.config.get('token_lifetime', TOKEN_LIFETIME))
        self.service_states = {}
        self.add_client(self.config.get('client_id', DEFAULT_CLIENT_ID),
                        self.config.get('client_secret', DEFAULT_CLIENT_SECRET), self.customer)

    def add_client(self, client_id, secret, customer=None):
        customer = customer or self.customer
        with self.sim.lock:
            self.clients[client_id] = {'secret': secret, 'customer': customer}
            if customer not in self.service_states:
                self.service_states[customer] = [
                    {'serviceName': name, 'state': state, 'lastUpdated': '2026-11-01T08:00:00Z'}
                    for name, state in SERVICE_STATES]

    # -- token endpoint -------------------------------------------------------------------------

    def token(self, request):
        content_type = (request.header('Content-Type') or '').lower()
        if not content_type.startswith('application/x-www-form-urlencoded') or 'charset' in content_type:
            return Response(400, {'error': 'invalid_request',
                                  'error_description': 'Content-Type must be application/x-www-form-urlencoded.'})
        form = request.form()
        if form.get('grant_type') != 'client_credentials':
            return Response(400, {'error': 'unsupported_grant_type',
                                  'error_description': 'Only client_credentials is supported.'})
        client = self.clients.get(form.get('client_id'))
        if client is None or not secrets.compare_digest(client['secret'], form.get('client_secret', '')):
            return Response(400, INVALID_CLIENT, _transaction_headers())
        tenant = request.params.get('tenant')
        if tenant not in (None, 'root') and tenant != client['customer']:
            return Response(400, INVALID_CLIENT, _transaction_headers())
        token = 'sim' + secrets.token_urlsafe(48)
        with self.sim.lock:
            self.tokens[token] = {'client_id': form['client_id'], 'customer': client['customer'],
                                  'expires_at': self.sim.clock.now() + self.token_lifetime}
        # The real service pads its JSON with whitespace and sends expires_in as a string (seed 001).
        body = ('\n                        {\n                            "token_type": "bearer",\n'
                '                            "access_token": "%s",\n'
                '                            "expires_in": "%d"\n                        }\n                        '
                % (token, self.token_lifetime))
        headers = {'Cache-Control': 'no-store', 'Pragma': 'no-cache', 'X-CC-LocalGeo': 'US',
                   'X-Content-Type-Options': 'nosniff'}
        headers.update(_transaction_headers())
        return Response(200, body, headers, content_type='application/json; charset=utf-8')

    # -- authentication for every Cloud API -----------------------------------------------------

    def authenticate(self, request, customer_id=None, check_accept=True):
        match = CWS_HEADER.match(request.header('Authorization') or '')
        if not match:
            raise Reply(Response(401, BAD_CWS_HEADER, _transaction_headers()))
        record = self.tokens.get(match.group(1))
        if record is None or record['expires_at'] <= self.sim.clock.now():
            raise Reply(Response(401, EXPIRED, _transaction_headers()))
        if check_accept:
            require_json_accept(request)
        if customer_id is not None and customer_id != record['customer']:
            raise Reply(Response(403, FORBIDDEN_CUSTOMER, _transaction_headers()))
        return record

    def expire_tokens(self):
        with self.sim.lock:
            for record in self.tokens.values():
                record['expires_at'] = 0

    # -- core API -------------------------------------------------------------------------------

    def get_service_states(self, request):
        customer = request.params['customer']
        self.authenticate(request, customer)
        return Response(200, {'items': list(self.service_states.get(customer, []))}, _transaction_headers())

    def routes(self):
        return [
            Route('POST', r'/cctrustoauth2/root/tokens/clients', self.token, 'cloud.token'),
            Route('POST', r'/cctrustoauth2/(?P<tenant>[^/]+)/tokens/clients', self.token, 'cloud.token'),
            Route('GET', r'/core/(?P<customer>[^/]+)/serviceStates', self.get_service_states, 'cloud.service_states'),
        ]

    def client_env(self):
        return {
            'CITRIX_CLIENT_ID': self.config.get('client_id', DEFAULT_CLIENT_ID),
            'CITRIX_CLIENT_SECRET': self.config.get('client_secret', DEFAULT_CLIENT_SECRET),
            'CITRIX_CUSTOMER_ID': self.customer,
            'CITRIX_CLOUD_API_URL': self.sim.url,
            'CITRIX_WORKSPACES_API_URL': self.sim.url + '/{service}',
            'CITRIX_CA_PATH': self.sim.ca_path or '',
        }

    # -- admin ----------------------------------------------------------------------------------

    def admin_routes(self):
        def add_client(request):
            body = request.json() or {}
            self.add_client(body['client_id'], body['client_secret'], body.get('customer'))
            return {'ok': True}

        def expire(_request):
            self.expire_tokens()
            return {'expired': len(self.tokens)}

        def tokens(_request):
            now = self.sim.clock.now()
            return {'issued': len(self.tokens), 'valid': sum(1 for t in self.tokens.values() if t['expires_at'] > now)}

        return [
            Route('POST', r'/clients', add_client, 'admin.cloud.clients'),
            Route('POST', r'/expire-tokens', expire, 'admin.cloud.expire'),
            Route('GET', r'/tokens', tokens, 'admin.cloud.tokens'),
        ]


SERVICE = CitrixCloud
