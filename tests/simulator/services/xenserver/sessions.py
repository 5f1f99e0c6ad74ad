"""Sessions of the simulated XenServer pool: ``session.login_with_password`` (2 to 4 parameters, as xapi
accepts; ``SESSION_AUTHENTICATION_FAILED``), at most ``session_limit`` sessions per originator (or user)
with the least recently used evicted, expiry after a day idle on the simulator clock, and the
``SESSION_INVALID`` every call with an unknown, evicted or expired session gets."""

import collections

from tests.simulator.services.xenserver.estate import PoolComponent
from tests.simulator.services.xenserver.wire import datetime
from tests.simulator.services.xenserver.xenapi_db import XenFailure

SESSION_LIMIT = 500
SESSION_IDLE_LIMIT = 24 * 3600.0


class Sessions(PoolComponent):
    """Session records live in ``db``; ``layout`` (a :class:`~.estate.PoolLayout`) names the master they
    are made on. ``logins`` and ``issued_sessions`` count and list every login (leak tests look for
    them); ``evict_after_calls`` is a test knob: sessions die after that many calls, as if evicted."""

    def __init__(self, db, clock, layout, username, password, session_limit=SESSION_LIMIT):
        super().__init__(db, clock, layout)
        self.username = username
        self.password = password
        self.session_limit = session_limit
        self.logins = 0
        self.issued_sessions = []
        self.session_calls = collections.Counter()
        self.evict_after_calls = None

    def login(self, method, params):
        if method == 'session.slave_local_login_with_password':
            raise XenFailure('HOST_IS_SLAVE', self.db.get('host', self.layout.master_host)['address'])
        # Old clients send two or three parameters; xapi accepts those too.
        if not 2 <= len(params) <= 4:
            raise XenFailure('MESSAGE_PARAMETER_COUNT_MISMATCH', method, 4, len(params))
        username, password = params[0], params[1]
        originator = params[3] if len(params) > 3 and isinstance(params[3], str) else ''
        if username != self.username or password != self.password:
            raise XenFailure('SESSION_AUTHENTICATION_FAILED')
        now = self.clock.now()
        with self.db.lock:
            ref = self.db.create('session', this_host=self.layout.master_host, last_active=datetime(now), validation_time=datetime(now),
                                 originator=originator, auth_user_name=username, is_local_superuser=True,
                                 other_config={'last_active': repr(now)})
            self.logins += 1
            self.issued_sessions.append(ref)
            owner = originator or username
            mine = [(float(rec['other_config']['last_active']), r) for r, rec in self.db.all('session').items()
                    if (rec['originator'] or rec['auth_user_name']) == owner]
            for _when, oldest in sorted(mine)[:max(0, len(mine) - self.session_limit)]:
                self.db.destroy('session', oldest)
        return ref

    def check_session(self, ref):
        record = self.db.find('session', ref) if isinstance(ref, str) else None
        if record is None:
            raise XenFailure('SESSION_INVALID', ref)
        now = self.clock.now()
        if now - float(record['other_config']['last_active']) > SESSION_IDLE_LIMIT:
            self.db.destroy('session', ref)
            raise XenFailure('SESSION_INVALID', ref)
        self.session_calls[ref] += 1
        if self.evict_after_calls is not None and self.session_calls[ref] > self.evict_after_calls:
            self.db.destroy('session', ref)
            raise XenFailure('SESSION_INVALID', ref)
        record['other_config']['last_active'] = repr(now)
        record['last_active'] = datetime(now)
        return ref

    def active_sessions(self):
        return dict(self.db.all('session'))

    def invalidate_sessions(self):
        """Drop every session, as a toolstack restart or session eviction does."""
        with self.db.lock:
            for ref in list(self.db.all('session')):
                self.db.destroy('session', ref)
