"""State of the DaaS service: sites with their catalogs, delivery groups, machines, sessions, jobs and
tags, on-premises administrators and their tokens, the log of accepted power actions and of messages sent
to sessions, and whether the site is hibernated.

Power actions and their jobs are in ``power.py``, group membership and user assignment in
``membership.py``, tags in ``tags.py``, messages in ``messages.py``, hibernation in ``hibernation.py``; the
helpers at the end shape the estate for tests and the admin API. Look-ups that fail raise the API's 404
(``errors.fail``).
"""

import random
import re
import secrets
import uuid
from urllib.parse import unquote

from tests.simulator.services.daas import hibernation, seeding
from tests.simulator.services.daas.errors import fail
from tests.simulator.services.daas.membership import set_assigned_users
from tests.simulator.services.daas.power import POWER_PROFILES, settle
from tests.simulator.services.daas.tags import ensure_tag

DEFAULT_SITES = ('cloudxdsite',)
DEFAULT_ADMIN = 'SIMLAB\\admin'
DEFAULT_ADMIN_PASSWORD = 'sim-admin-password'
ONPREM_TOKEN_LIFETIME = 3600


class Site:
    def __init__(self, site_id, name, domain):
        self.id = site_id
        self.name = name
        self.domain = domain
        self.catalogs = {}
        self.groups = {}
        self.machines = {}   # id -> machine record, in listing order
        self.by_name = {}    # lower-case DOMAIN\NAME -> id
        self.sessions = {}   # id -> session record, in listing order
        self.jobs = {}
        self.zone = None
        self.tags = {}       # id -> tag record, in creation order
        self.directory = {}  # lower-case SID -> user name, for users given by SID


class Estate:
    """Every site of one simulator. ``lock`` guards changes (callers hold it around reads that settle
    machines); ``clock`` drives transitions and jobs."""

    def __init__(self, config, size, seed_value, lock, clock):
        self.lock = lock
        self.clock = clock
        # A generator of our own, derived from the simulator's seed, so that the estate does not depend
        # on which other services drew from sim.random first.
        self.rng = random.Random('daas-%s' % seed_value)
        self.sites = {}
        self.admins = {config.get('admin', DEFAULT_ADMIN): config.get('admin_password', DEFAULT_ADMIN_PASSWORD)}
        self.onprem_tokens = {}
        self.power_log = []
        # A broken server when True: every listing answers its first page again, with a continuation
        # token it never handed out before, forever.
        self.endless_paging = False
        self.endless_tokens = 0
        # Cloud tokens the gateway still accepts but the DaaS service refuses (401 ErrorData).
        self.refused_tokens = set()
        # The next asynchronous batch fails as a whole with this ``{'code', 'message'}``, running no item.
        self.fail_next_batch = None
        self.uid = 0
        # Messages sent to sessions ($sendMessage), in order, and what users do after one (messages.py).
        self.messages = []
        self.message_logoff = config.get('message_logoff')
        self.pending_logoffs = []
        # Sessions that ended, in order: session, machine, simulator time, and by whom ('api': $logoff,
        # 'user': a user who logged off after a message, 'reboot' or 'power off': the machine went down under it).
        self.logoffs = []
        # Simulator seconds a machine stays unregistered after it powered on (0: registered at once).
        self.registration_delay = float(config.get('registration_delay', 0))
        # A hibernated site (hibernation.py): the Cloud way in answers 530 until activated.
        self.hibernated = bool(config.get('hibernated', False))
        self.activation_seconds = float(config.get('activation_seconds', 90))
        self.wake_at = None
        self.activations = 0
        names = list(config.get('sites', DEFAULT_SITES))
        per_site = size // max(1, len(names))
        for index, site_name in enumerate(names):
            count = per_site + (size - per_site * len(names) if index == 0 else 0)
            self.add_site(site_name, count)

    def new_id(self):
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def next_uid(self):
        self.uid += 1
        return self.uid

    # -- building the estate --------------------------------------------------------------------

    def add_site(self, name, machines=0):
        with self.lock:
            domain = 'SIMLAB' if not self.sites else 'SIMLAB%d' % (len(self.sites) + 1)
            site = Site(self.new_id(), name, domain)
            site.zone = {'Id': self.new_id(), 'Uid': None, 'Name': '%s-Primary' % name}
            self.sites[site.id] = site
            seeding.seed_site(self, site, machines)
            return site

    def new_group(self, site, name, support, sharing='Shared'):
        for group in site.groups.values():
            if group['Name'].lower() == name.lower():
                return group
        group = {'Id': self.new_id(), 'Uid': self.next_uid(), 'Name': name,
                 'DeliveryType': 'AppsOnly' if support == 'MultiSession' else 'DesktopsOnly',
                 'SessionSupport': support, 'SharingKind': sharing, 'InMaintenanceMode': False, '_tags': []}
        site.groups[group['Id']] = group
        return group

    def new_catalog(self, site, name, count, group_name, support, os_type, provisioning, allocation, profile,
                    varied, prefix=None):
        catalog = {'Id': self.new_id(), 'Uid': self.next_uid(), 'Name': name, 'SessionSupport': support,
                   'OSType': os_type, 'ProvisioningType': provisioning, 'AllocationType': allocation,
                   'MachineType': 'Physical' if profile == 'physical' else 'Virtual', 'profile': profile,
                   '_tags': []}
        site.catalogs[catalog['Id']] = catalog
        sharing = 'Private' if allocation == 'Static' else 'Shared'
        group = self.new_group(site, group_name, support, sharing) if group_name else None
        prefix = prefix or seeding.NAME_PREFIX.get(name) or re.sub(r'[^A-Z0-9]', '', name.upper())[:6] or 'VDA'
        start = sum(1 for m in site.machines.values() if m['_prefix'] == prefix)
        created = []
        for index in range(start + 1, start + count + 1):
            machine = self.new_machine(site, catalog, group, '%s-%05d' % (prefix, index), prefix)
            if varied:
                seeding.vary(self, site, machine, catalog)
            created.append(machine)
        return catalog, created

    def new_machine(self, site, catalog, group, short_name, prefix):
        managed = catalog['profile'] != 'physical'
        n = len(site.machines) + 1
        machine = {
            'Id': self.new_id(), 'Uid': self.next_uid(), 'Name': '%s\\%s' % (site.domain, short_name),
            'DnsName': '%s.%s.example.com' % (short_name.lower(), site.domain.lower()),
            'IPAddress': '10.%d.%d.%d' % (len(self.sites) % 250, (n // 250) % 250, n % 250 + 1),
            'Sid': 'S-1-5-21-3623811015-3361044348-30300820-%d' % (10000 + n),
            'PowerState': 'On' if managed else 'Unmanaged', 'PowerActionPending': False if managed else None,
            'RegistrationState': 'Registered', 'InMaintenanceMode': False,
            'SupportedPowerActions': list(POWER_PROFILES[catalog['profile']]),
            'LastDeregistrationReason': None, 'LastDeregistrationTime': None,
            '_catalog': catalog['Id'], '_group': group['Id'] if group else None, '_sessions': [],
            '_transition': None, '_fail_next': None, '_prefix': prefix, '_site': site.id,
            '_tags': [], '_assigned': [], '_registers_at': None, '_stuck_next_boot': False,
        }
        site.machines[machine['Id']] = machine
        site.by_name[machine['Name'].lower()] = machine['Id']
        return machine

    def set_power(self, machine, state):
        machine['PowerState'] = state
        if state in ('Off', 'Suspended'):
            machine['RegistrationState'] = 'Unregistered'
            machine['LastDeregistrationReason'] = 'PowerOff' if state == 'Off' else 'AgentSuspended'
            machine['LastDeregistrationTime'] = self.clock.now()
            self.end_sessions(machine, by='power off')
        elif state == 'On':
            machine['RegistrationState'] = 'Registered'

    # -- sessions -------------------------------------------------------------------------------

    def new_session(self, site, machine, state='Active', user=None):
        now = self.clock.now()
        number = len(site.sessions) + 1
        started = now - self.rng.randint(300, 8 * 3600)
        multi = site.catalogs[machine['_catalog']]['SessionSupport'] == 'MultiSession'
        session = {'Id': self.new_id(), 'Uid': self.next_uid(), 'State': state,
                   'User': user or '%s\\user%04d' % (site.domain, self.rng.randint(1, 9999)),
                   'StartTime': started, 'StateChangeTime': started + 60, 'Machine': machine['Id'],
                   'SessionType': 'Application' if multi else 'Desktop',
                   'ClientAddress': '192.168.%d.%d' % (number // 250 % 250, number % 250 + 1),
                   'ClientName': 'CLIENT-%04d' % number}
        site.sessions[session['Id']] = session
        machine['_sessions'].append(session['Id'])
        return session

    def end_sessions(self, machine, by=None):
        """End every session of ``machine``; ``by``: who ended them, for ``logoffs`` (None: test setup)."""
        site = self.sites.get(machine['_site'])
        for session_id in machine['_sessions']:
            if site is not None and site.sessions.pop(session_id, None) is not None and by:
                self.logoffs.append({'session_id': session_id, 'machine_id': machine['Id'], 'at': self.clock.now(),
                                     'by': by})
        machine['_sessions'] = []

    def logoff(self, site, key, by='api'):
        session = self.find_session(site, key)
        site.sessions.pop(session['Id'], None)
        self.logoffs.append({'session_id': session['Id'], 'machine_id': session['Machine'], 'at': self.clock.now(),
                             'by': by})
        machine = site.machines.get(session['Machine'])
        if machine and session['Id'] in machine['_sessions']:
            machine['_sessions'].remove(session['Id'])

    def disconnect(self, site, key):
        session = self.find_session(site, key)
        if session['State'] != 'Disconnected':
            session['State'] = 'Disconnected'
            session['StateChangeTime'] = self.clock.now()
        return session

    # -- look-ups -------------------------------------------------------------------------------

    def find_site(self, key):
        key = unquote(key or '')
        site = self.sites.get(key)
        if site is None:
            for candidate in self.sites.values():
                if candidate.name.lower() == key.lower():
                    return candidate
            fail(404, 'ObjectNotFound', 'Site %s was not found.' % key)
        return site

    def site(self, name_or_id=None):
        if name_or_id is None:
            return next(iter(self.sites.values()))
        return self.find_site(name_or_id)

    @staticmethod
    def find_machine(site, key):
        key = unquote(key)
        machine = site.machines.get(key)
        if machine is None:
            machine_id = site.by_name.get(key.replace('|', '\\').lower())
            machine = site.machines.get(machine_id)
        if machine is None:
            fail(404, 'UnknownMachine', 'Machine %s was not found.' % key)
        return machine

    @staticmethod
    def find_by_name_or_id(table, key, what, error_id):
        key = unquote(key)
        if key in table:
            return table[key]
        for item in table.values():
            if item['Name'].lower() == key.lower():
                return item
        fail(404, error_id, '%s %s was not found.' % (what, key))

    def find_catalog(self, site, key):
        return self.find_by_name_or_id(site.catalogs, key, 'Machine catalog', 'UnknownCatalog')

    def find_group(self, site, key):
        return self.find_by_name_or_id(site.groups, key, 'Delivery group', 'ObjectNotFound')

    @staticmethod
    def find_session(site, key):
        session = site.sessions.get(unquote(key))
        if session is None:
            fail(404, 'UnknownSession', 'Session %s was not found.' % key)
        return session

    # -- on-premises administrators -------------------------------------------------------------

    def add_admin(self, user, password):
        with self.lock:
            self.admins[user] = password

    def issue_onprem_token(self, user, password):
        """``(token, expiry)`` for a right user name and password, else None."""
        known = self.admins.get(user) if user else None
        if known is None or not secrets.compare_digest(known, password or ''):
            return None
        token = 'onprem' + secrets.token_urlsafe(40)
        expires = self.clock.now() + ONPREM_TOKEN_LIFETIME
        with self.lock:
            self.onprem_tokens[token] = {'user': user, 'expires_at': expires}
        return token, expires

    def onprem_user(self, token):
        """The administrator behind an unexpired on-premises token, else None."""
        record = self.onprem_tokens.get(token) if token else None
        if record is None or record['expires_at'] <= self.clock.now():
            return None
        return record['user']

    def expire_onprem_tokens(self):
        with self.lock:
            for record in self.onprem_tokens.values():
                record['expires_at'] = 0

    # -- shaping the estate (tests and the admin API) -------------------------------------------

    def add_catalog(self, name, machines, delivery_group=None, session_support='SingleSession', site=None,
                    profile='vm', os_type='Windows 11', prefix=None, allocation='Random', provisioning='MCS'):
        """A catalog of ``machines`` identical machines (On, registered, idle, not in maintenance), in
        ``delivery_group`` when given (else available: in no delivery group)."""
        if allocation not in ('Random', 'Static'):
            raise ValueError('allocation must be Random or Static')
        with self.lock:
            target = self.site(site)
            catalog, created = self.new_catalog(target, name, int(machines), delivery_group, session_support,
                                                os_type, provisioning, allocation, profile, varied=False, prefix=prefix)
            return {'id': catalog['Id'], 'name': name, 'site_id': target.id, 'machine_ids': [m['Id'] for m in created]}

    def add_group(self, name, session_support='SingleSession', sharing='Shared', site=None):
        """An empty delivery group; returns its id."""
        if sharing not in ('Shared', 'Private'):
            raise ValueError('sharing must be Shared or Private')
        with self.lock:
            return self.new_group(self.site(site), name, session_support, sharing)['Id']

    def set_sessions(self, catalog, machines, per_machine=1, state='Active', site=None):
        """Give sessions to exactly ``machines`` machines of ``catalog`` (chosen by the seeded generator)
        and none to the others; returns the ids of the machines that have sessions."""
        with self.lock:
            target = self.site(site)
            found = self.find_catalog(target, catalog)
            members = [m for m in target.machines.values() if m['_catalog'] == found['Id']]
            for machine in members:
                self.end_sessions(machine)
            chosen = self.rng.sample(members, int(machines))
            for machine in chosen:
                for _session in range(int(per_machine)):
                    self.new_session(target, machine, state=state)
            return [m['Id'] for m in chosen]

    def add_session(self, machine, user=None, state='Active', site=None):
        """One more session on a machine; returns its id."""
        with self.lock:
            target = self.site(site)
            return self.new_session(target, self.find_machine(target, machine), state=state, user=user)['Id']

    def update_machine(self, machine, site=None, **changes):
        """Admin changes to one machine: ``fail_next_power_action`` (``{'code', 'message'}``), or model
        fields (``PowerState``, ``SupportedPowerActions``, ``InMaintenanceMode``, ``RegistrationState``).
        Returns ``(site, machine record)``; the caller holds ``lock``."""
        target = self.site(site)
        record = settle(self, self.find_machine(target, machine))
        failure = changes.pop('fail_next_power_action', None)
        if changes.pop('stuck_on_next_boot', False):
            record['_stuck_next_boot'] = True
        if failure:
            record['_fail_next'] = {'code': failure.get('code', 'HypervisorNotContactable'),
                                    'message': failure.get('message', 'The hypervisor could not be contacted.')}
        if 'PowerState' in changes:
            self.set_power(record, changes.pop('PowerState'))
        for key, value in changes.items():
            if key.startswith('_') or key not in record:
                raise ValueError('unknown machine field %r' % key)
            record[key] = value
        return target, record

    def machines_of(self, catalog=None, site=None):
        """Machine ids in listing order (of one catalog, when given)."""
        with self.lock:
            target = self.site(site)
            if catalog is None:
                return list(target.machines)
            found = self.find_catalog(target, catalog)
            return [m['Id'] for m in target.machines.values() if m['_catalog'] == found['Id']]

    def tag_objects(self, tag, machines=(), catalogs=(), groups=(), site=None):
        """Tag machines, catalogs and delivery groups (names or ids), creating the tag when missing;
        returns the tag's id."""
        with self.lock:
            target = self.site(site)
            record = ensure_tag(self, target, tag)
            objects = ([self.find_machine(target, key) for key in machines]
                       + [self.find_catalog(target, key) for key in catalogs]
                       + [self.find_group(target, key) for key in groups])
            for obj in objects:
                if record['Id'] not in obj['_tags']:
                    obj['_tags'].append(record['Id'])
            return record['Id']

    def tag_names_of(self, machine, site=None):
        """The names of a machine's tags, in the order they were added."""
        with self.lock:
            target = self.site(site)
            found = self.find_machine(target, machine)
            return [target.tags[t]['Name'] for t in found['_tags'] if t in target.tags]

    def assign_users(self, machine, users, site=None):
        """Assign users (``DOMAIN\\user``, UPN) to a machine of a static catalog."""
        with self.lock:
            target = self.site(site)
            set_assigned_users(target, self.find_machine(target, machine), list(users))

    def group_of(self, machine, site=None):
        """The name of a machine's delivery group, or None."""
        with self.lock:
            target = self.site(site)
            group = target.groups.get(self.find_machine(target, machine)['_group'])
            return group['Name'] if group else None

    def hibernate(self, activation_seconds=None):
        """Put the site to sleep: the Cloud way in answers 530 until it is activated."""
        with self.lock:
            hibernation.hibernate(self, activation_seconds)
