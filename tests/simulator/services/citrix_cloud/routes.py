"""Routes of the ``cloud`` service: the token endpoint (form-encoded client credentials in, seed 001's
padded JSON out), ``GET /core/{customerId}/serviceStates``, and the admin routes."""

from tests.simulator.base import Response, Route, Routes
from tests.simulator.services.citrix_cloud.auth import INVALID_CLIENT, transaction_headers


class CloudRoutes(Routes):
    """Handlers of the ``cloud`` service."""

    def token(self, request):
        content_type = (request.header('Content-Type') or '').lower()
        if not content_type.startswith('application/x-www-form-urlencoded') or 'charset' in content_type:
            return Response(400, {'error': 'invalid_request',
                                  'error_description': 'Content-Type must be application/x-www-form-urlencoded.'})
        form = request.form()
        if form.get('grant_type') != 'client_credentials':
            return Response(400, {'error': 'unsupported_grant_type',
                                  'error_description': 'Only client_credentials is supported.'})
        client = self.state.client(form.get('client_id'), form.get('client_secret', ''))
        if client is None:
            return Response(400, INVALID_CLIENT, transaction_headers())
        tenant = request.params.get('tenant')
        if tenant not in (None, 'root') and tenant != client['customer']:
            return Response(400, INVALID_CLIENT, transaction_headers())
        token = self.state.issue_token(form['client_id'], client['customer'])
        # The real service pads its JSON with whitespace and sends expires_in as a string (seed 001).
        body = ('\n                        {\n                            "token_type": "bearer",\n'
                '                            "access_token": "%s",\n'
                '                            "expires_in": "%d"\n                        }\n                        '
                % (token, self.state.token_lifetime))
        headers = {'Cache-Control': 'no-store', 'Pragma': 'no-cache', 'X-CC-LocalGeo': 'US',
                   'X-Content-Type-Options': 'nosniff'}
        headers.update(transaction_headers())
        return Response(200, body, headers, content_type='application/json; charset=utf-8')

    def trust_token(self, request):
        """The legacy trust API (``trust.citrixworkspacesapi.net/{customerId}/tokens/clients``): JSON
        ``{ClientId, ClientSecret}`` in, ``{"token": ...}`` out (the only field the sources show)."""
        if not self.state.legacy_trust:
            return Response(404, {'Message': 'No HTTP resource was found that matches the request URI.'})
        body = request.json()
        if not isinstance(body, dict) or not isinstance(body.get('ClientId'), str) \
                or not isinstance(body.get('ClientSecret'), str):
            return Response(400, {'Error': {'Message': 'ClientId and ClientSecret are required.',
                                            'Type': 'BadRequestException'}}, transaction_headers())
        client = self.state.client(body['ClientId'], body['ClientSecret'])
        if client is None or client['customer'] != request.params['customer']:
            return Response(401, {'Error': {'Message': 'Invalid client credentials for this customer.',
                                            'Type': 'CWSAuthException'}}, transaction_headers())
        token = self.state.issue_token(body['ClientId'], client['customer'], kind='trust')
        return Response(200, {'token': token}, transaction_headers())

    def service_states(self, request):
        customer = request.params['customer']
        self.service.authenticate(request, customer)
        return Response(200, {'items': list(self.state.service_states.get(customer, []))}, transaction_headers())

    def routes(self):
        return [
            Route('POST', r'/cctrustoauth2/root/tokens/clients', self.token, 'cloud.token'),
            Route('POST', r'/cctrustoauth2/(?P<tenant>[^/]+)/tokens/clients', self.token, 'cloud.token'),
            Route('GET', r'/core/(?P<customer>[^/]+)/serviceStates', self.service_states, 'cloud.service_states'),
            Route('POST', r'/trust/(?P<customer>[^/]+)/tokens/clients', self.trust_token, 'cloud.trust_token'),
        ]

    # -- admin ----------------------------------------------------------------------------------

    def add_client(self, request):
        body = request.json() or {}
        self.state.add_client(body['client_id'], body['client_secret'], body.get('customer'))
        return {'ok': True}

    def expire_tokens(self, _request):
        self.state.expire_tokens()
        return {'expired': len(self.state.tokens)}

    def tokens(self, _request):
        return {'issued': len(self.state.tokens), 'valid': self.state.valid_tokens()}

    def admin_routes(self):
        return [
            Route('POST', r'/clients', self.add_client, 'admin.cloud.clients'),
            Route('POST', r'/expire-tokens', self.expire_tokens, 'admin.cloud.expire'),
            Route('GET', r'/tokens', self.tokens, 'admin.cloud.tokens'),
        ]
