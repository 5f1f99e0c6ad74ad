"""State of the ``cloud`` service: API clients (id, secret, customer), issued bearer tokens on the
simulator clock, and each customer's service states."""

import secrets

DEFAULT_CUSTOMER = 'simcustomer1'
DEFAULT_CLIENT_ID = 'sim-client-id'
DEFAULT_CLIENT_SECRET = 'sim-client-secret'
TOKEN_LIFETIME = 3600

# Service states as the seed's examples list them: the ProductionTrial set from seed 001, plus
# services in other states so filters have something to do.
SERVICE_STATES = [
    ('cas', 'ProductionTrial'), ('itsm', 'ProductionTrial'), ('microapps', 'ProductionTrial'),
    ('netscalergateway', 'ProductionTrial'), ('wem', 'ProductionTrial'), ('xendesktop', 'ProductionTrial'),
    ('xenmobile', 'Production'), ('workspace', 'Production'), ('analytics', 'NotOnboarded'),
    ('sharefile', 'Expired'), ('secureprivateaccess', 'Trial'),
]


class CloudState:
    """Clients, tokens and service states; ``lock`` guards changes, ``clock`` dates tokens."""

    def __init__(self, config, lock, clock):
        self.lock = lock
        self.clock = clock
        self.customer = config.get('customer_id', DEFAULT_CUSTOMER)
        self.clients = {}
        self.tokens = {}
        self.token_lifetime = int(config.get('token_lifetime', TOKEN_LIFETIME))
        self.legacy_trust = bool(config.get('legacy_trust', True))  # False: the trust API answers 404
        self.service_states = {}
        self.add_client(config.get('client_id', DEFAULT_CLIENT_ID),
                        config.get('client_secret', DEFAULT_CLIENT_SECRET), self.customer)

    def add_client(self, client_id, secret, customer=None):
        customer = customer or self.customer
        with self.lock:
            self.clients[client_id] = {'secret': secret, 'customer': customer}
            if customer not in self.service_states:
                self.service_states[customer] = [
                    {'serviceName': name, 'state': state, 'lastUpdated': '2026-11-01T08:00:00Z'}
                    for name, state in SERVICE_STATES]

    def client(self, client_id, secret):
        """The client record when ``secret`` is right, else None."""
        client = self.clients.get(client_id)
        if client is None or not secrets.compare_digest(client['secret'], secret):
            return None
        return client

    def issue_token(self, client_id, customer, kind='oauth2'):
        """A bearer token; ``kind``: ``oauth2`` (cctrustoauth2) or ``trust`` (the legacy trust API)."""
        token = ('sim' if kind == 'oauth2' else 'simtrust') + secrets.token_urlsafe(48)
        with self.lock:
            self.tokens[token] = {'client_id': client_id, 'customer': customer, 'kind': kind,
                                  'expires_at': self.clock.now() + self.token_lifetime}
        return token

    def expire_tokens(self):
        with self.lock:
            for record in self.tokens.values():
                record['expires_at'] = 0

    def valid_tokens(self):
        now = self.clock.now()
        return sum(1 for t in self.tokens.values() if t['expires_at'] > now)
