"""State of the StoreFront service: the store's and token service's realms, users, issued tokens on the
simulator clock, ExplicitForms conversations, the resources and the switches tests turn (enumeration
outcome, subscriptions status, offered protocols, challenge style, second factor, a domain field on the
logon form, hostile answers)."""

import random
import secrets
import uuid

from tests.simulator.services.storefront.seeding import DEFAULT_RESOURCES, seed_resources

DEFAULT_USERNAME = 'SIM\\storefront-user'
DEFAULT_PASSWORD = 'sim-storefront-Passw0rd'
PRIMARY_LIFETIME = 20 * 3600   # "0.20:00:00" in the token-service examples
SERVICE_LIFETIME = 3600        # the service token of the examples lives one hour
ENUMERATIONS = ('full', 'partial', 'failed')


class StoreState:
    """``lock`` guards changes; ``clock`` dates tokens."""

    def __init__(self, config, seed_value, lock, clock):
        self.lock = lock
        self.clock = clock
        rnd = random.Random(seed_value)
        self.store_realm = str(uuid.UUID(int=rnd.getrandbits(128), version=4))
        self.token_realm = str(uuid.UUID(int=rnd.getrandbits(128), version=4))
        self.users = {}
        self.add_user(config.get('username', DEFAULT_USERNAME), config.get('password', DEFAULT_PASSWORD))
        self.enumeration = config.get('enumeration', 'full')            # full | partial | failed
        self.subscriptions_status = config.get('subscriptions', 'enabled')
        self.offered_protocols = list(config.get('protocols', ['ExplicitForms', 'IntegratedWindows', 'CitrixAGBasic']))
        self.challenge_style = config.get('challenge_style', 'canonical')   # canonical | doc-examples
        self.second_factor = bool(config.get('second_factor', False))
        self.domain_field = bool(config.get('domain_field', False))  # the logon form asks for the domain apart
        self.served_users = {}  # user -> store requests answered with that user's token
        self.passcode = config.get('passcode', '123456')
        self.hostile = None
        self.last_query = None
        self.tokens = {}
        self.sessions = {}
        self.resources = seed_resources(int(config.get('resources', DEFAULT_RESOURCES)))
        self.subscription_log = []   # (resource id, updateType) of every subscription change
        self.launch_log = []         # the launch parameters of every launch request
        self.retries = {}            # retry key -> {'id', 'ready_at'} of desktops being started
        self.issued_tickets = []     # every logon ticket and launch reference handed out, for leak tests
        self.launch_errors = dict(config.get('launch_errors', {}))  # resource id -> launch error id
        # The "after" of a retry answer while a desktop starts (the launch example's 30 s; tests shorten it).
        self.retry_after = int(config.get('launch_retry_after', 30))

    def add_user(self, username, password):
        with self.lock:
            self.users[username.lower()] = password

    def served(self, user):
        with self.lock:
            self.served_users[user] = self.served_users.get(user, 0) + 1

    def password_matches(self, username, password):
        expected = self.users.get(username.lower())
        return expected is not None and secrets.compare_digest(expected, password)

    # -- tokens ---------------------------------------------------------------------------------

    def mint_token(self, user, primary=False, lifetime=None):
        """A token as the token service would issue it (tests use it as "a token obtained elsewhere")."""
        realm = self.token_realm if primary else self.store_realm
        lifetime = lifetime or (PRIMARY_LIFETIME if primary else SERVICE_LIFETIME)
        token = 'H4sIAAAAAAAEA' + secrets.token_urlsafe(60).replace('_', '+').replace('-', '/') + '=='
        with self.lock:
            self.tokens[token] = {'realm': realm, 'user': user, 'expires_at': self.clock.now() + lifetime,
                                  'kind': 'primary' if primary else 'service'}
        return token

    def expire_tokens(self, kind=None):
        """Expire every issued token, or only the ``primary`` or ``service`` ones."""
        with self.lock:
            for record in self.tokens.values():
                if kind in (None, record['kind']):
                    record['expires_at'] = 0

    def token_counts(self):
        now = self.clock.now()
        return {'issued': len(self.tokens), 'valid': sum(1 for t in self.tokens.values() if t['expires_at'] > now),
                'primary': sum(1 for t in self.tokens.values() if t['kind'] == 'primary')}

    # -- ExplicitForms conversations ------------------------------------------------------------

    def start_conversation(self):
        """``(session id, state context)`` of a new logon conversation."""
        session = secrets.token_hex(12)  # 24 characters, like the example's ASP.NET session id
        state = secrets.token_hex(4)
        with self.lock:
            self.sessions[session] = {'state': state, 'stage': 'credentials', 'user': None}
        return session, state

    # -- resources ------------------------------------------------------------------------------

    def visible(self):
        """The resources an enumeration returns, given ``enumeration``."""
        if self.enumeration == 'failed':
            return []
        if self.enumeration == 'partial':  # Farm2's XML service does not answer
            return [r for r in self.resources if r['farm'] != 'Farm2']
        return list(self.resources)

    def auto_provision(self, visible):
        """Subscribe auto-provisioned applications that were never subscribed and have no workflow;
        returns how many changed."""
        changed = 0
        with self.lock:
            for r in visible:
                if r['auto'] and r.get('never_subscribed') and not r['workflow'] and self.subscriptions_status == 'enabled':
                    r['status'], r['never_subscribed'] = 'subscribed', False
                    changed += 1
        return changed
