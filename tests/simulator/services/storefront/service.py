"""The ``storefront`` service: one store behind the CitrixAuth token flow. Wires the state
(``state.py``) to the store's and the Authentication service's routes, and offers the switches tests and
the admin API (``/_sim/storefront/...``) turn."""

from tests.simulator.base import Reply, Response, Route, Service, forwards
from tests.simulator.services.storefront.auth_routes import AuthRoutes
from tests.simulator.services.storefront.hostile import KINDS
from tests.simulator.services.storefront.launch_routes import LaunchRoutes
from tests.simulator.services.storefront.rendering import STORE
from tests.simulator.services.storefront.state import DEFAULT_PASSWORD, DEFAULT_USERNAME, ENUMERATIONS, StoreState
from tests.simulator.services.storefront.store_routes import StoreRoutes


@forwards('state', 'store_realm', 'token_realm', 'users', 'enumeration', 'subscriptions_status',
          'offered_protocols', 'challenge_style', 'second_factor', 'domain_field', 'hostile', 'last_query', 'tokens',
          'resources', 'served_users', 'subscription_log', 'launch_log', 'issued_tickets', 'launch_errors',
          'add_user', 'mint_token', 'expire_tokens')
class StoreFront(Service):
    name = 'storefront'

    def seed(self):
        self.state = StoreState(self.config, self.sim.seed_value, self.sim.lock, self.sim.clock)

    def routes(self):
        auth = AuthRoutes(self)
        return LaunchRoutes(self, auth).routes() + StoreRoutes(self, auth).routes() + auth.routes()

    def client_env(self):
        return {
            'STOREFRONT_URL': self.sim.url + STORE,
            'STOREFRONT_USERNAME': self.config.get('username', DEFAULT_USERNAME),
            'STOREFRONT_PASSWORD': self.config.get('password', DEFAULT_PASSWORD),
            'STOREFRONT_CA_PATH': self.sim.ca_path or '',
        }

    # -- admin ----------------------------------------------------------------------------------

    def admin_routes(self):
        def enumeration(request):
            body = request.json() or {}
            if body.get('status') not in ENUMERATIONS:
                raise Reply(Response(400, {'message': 'status must be full, partial or failed'}))
            self.enumeration = body['status']
            return {'enumeration': self.enumeration}

        def hostile(request):
            body = request.json() or {}
            if body.get('kind') not in (None,) + KINDS:
                raise Reply(Response(400, {'message': 'unknown kind'}))
            self.hostile = body.get('kind')
            return {'hostile': self.hostile}

        def users(request):
            body = request.json() or {}
            self.add_user(body['username'], body['password'])
            return {'ok': True}

        def expire(request):
            self.expire_tokens((request.json() or {}).get('kind'))
            return {'expired': len(self.tokens)}

        def tokens(_request):
            return self.state.token_counts()

        return [
            Route('POST', r'/enumeration', enumeration, 'admin.storefront.enumeration'),
            Route('POST', r'/hostile', hostile, 'admin.storefront.hostile'),
            Route('POST', r'/users', users, 'admin.storefront.users'),
            Route('POST', r'/expire-tokens', expire, 'admin.storefront.expire'),
            Route('GET', r'/tokens', tokens, 'admin.storefront.tokens'),
        ]
