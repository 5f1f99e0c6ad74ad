"""State of the XenMobile service: several servers at once (``default`` on the main listener, ``test``,
``prod`` and any configured ones on listeners of their own), each an :class:`Instance` with its own
users, tokens, server properties, devices, apps and journal of successful writes. Token lifetime follows
the instance's own ``xms.publicapi.*`` properties on the simulator clock."""

import datetime
import random
import secrets
import threading

from tests.simulator.services.xenmobile import actions, seeding

DEFAULT_USER = 'sim-xm-admin'
DEFAULT_PASSWORD = 'sim-xm-Passw0rd'
PUBLIC_API = 'PUBLIC_API_ACCESS'
ALL_PERMISSIONS = frozenset((PUBLIC_API, 'DEVICES', 'APPS', 'SETTINGS'))


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
        self.devices = seeding.make_devices(devices, rng, now, id_style)
        self.enrollments = seeding.make_enrollments(min(8, devices), int(now.timestamp() * 1000))
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

    def add_app(self, name, app_type, content, description=None):
        """Add an app container; ``content`` as in ``seeding.SEED_APPS``: package versions per platform
        (enterprise, MDX), store URLs per platform (public store apps) or ``{'url': ...}`` (a web link)."""
        cid = self.next_app_id
        self.next_app_id += 1
        parts = {}
        if app_type == 'Web Link':
            parts['application'] = seeding.weblink_application(content.get('url') or 'https://www.example.com/')
        for platform, value in (content.items() if app_type != 'Web Link' else ()):
            if app_type == 'App Store App':
                parts[platform] = seeding.store_platform_record(platform, name, {'storeUrl': value},
                                                                self.next_package_id)
            else:
                parts[platform] = seeding.package_record(platform, name, description or name, value,
                                                         self.next_package_id)
            self.next_package_id += 1
        created = 1700000000000 + cid * 86400000
        self.apps[cid] = seeding.container_record(cid, name, app_type, description or '%s app' % name,
                                                  created_ms=created, packages=parts)
        return self.apps[cid]


class XenMobileState:
    """Every instance; ``lock`` guards their changes, ``clock`` dates tokens and device activity."""

    def __init__(self, config, size, seed_value, clock):
        self.lock = threading.RLock()
        self.clock = clock
        rng = random.Random('xenmobile-%s' % seed_value)
        now = self.local_now()
        device_count = int(config.get('devices', size * 10))
        test_properties = seeding.base_properties(40)
        prod_properties = [dict(p) for p in test_properties]
        # The test server has been tuned: some values differ, some properties exist only there.
        for record in test_properties[5:17]:
            record['value'] = str(record['value']) + '0' if record['value'].isdigit() else 'tuned'
        for n in range(1, 4):
            test_properties.append(seeding.property_record(None, 'sim.pilot.feature.%d' % n, 'enabled',
                                                           'Pilot feature %d' % n, 'Only on the test server'))
        self.instances = {
            'default': Instance('default', rng, now, device_count, seeding.base_properties(60), seeding.SEED_APPS,
                                id_style=config.get('device_ids', 'int')),
            'test': Instance('test', rng, now, 25, test_properties, seeding.SEED_APPS[:3]),
            'prod': Instance('prod', rng, now, 25, prod_properties,
                             [('Expenses', 'Enterprise', {'ios': '2.0.0'})]),
        }
        for extra in config.get('instances', ()):
            self.instances.setdefault(extra, Instance(extra, rng, now, 0, seeding.base_properties(12)))

    def local_now(self):
        """The server's local time (naive), following the simulator clock."""
        return datetime.datetime.fromtimestamp(self.clock.now()).replace(microsecond=0)

    def instance_for(self, listener):
        """The instance a listener serves (``main``: ``default``; ``xenmobile-<name>``: ``name``), or None."""
        name = 'default' if listener == 'main' else (listener[len('xenmobile-'):]
                                                     if listener.startswith('xenmobile-') else None)
        return self.instances.get(name)

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

    def complete_device_actions(self, instance='default', ids=None):
        """The devices of ``instance`` (those with ``ids`` when given) connect and carry out their pending
        actions; returns how many actions were carried out."""
        wanted = set(str(i) for i in ids) if ids is not None else None
        now = self.local_now().strftime('%m/%d/%Y %H:%M:%S')
        with self.lock:
            return sum(actions.complete(d, now) for d in self.instances[instance].devices
                       if wanted is None or str(d['id']) in wanted)

    def writes(self, instance):
        """Names written on ``instance`` by successful write calls, in order."""
        return [name for entry in self.instances[instance].journal for name in entry['names']]

    # -- tokens ---------------------------------------------------------------------------------

    @staticmethod
    def token_expired(inst, record, now):
        kind = inst.property_value('xms.publicapi.timeout.type', 'STATIC_TIMEOUT')
        if kind == 'INACTIVITY_TIMEOUT':
            minutes = float(inst.property_value('xms.publicapi.inactivity.timeout', '5'))
            return now - record['last_used'] > minutes * 60
        minutes = float(inst.property_value('xms.publicapi.static.timeout', '60'))
        return now - record['issued'] > minutes * 60

    def issue_token(self, inst, login):
        half = secrets.token_hex(16)
        token = '%s:%s' % (half, half)  # the documented form: two identical halves
        now = self.clock.now()
        inst.tokens[token] = {'login': login, 'issued': now, 'last_used': now}
        inst.issued.append(token)
        return {'auth_token': token}

    def token_user(self, inst, token):
        """The user behind an unexpired ``auth_token`` of ``inst`` (its use counts as activity), or None."""
        now = self.clock.now()
        with self.lock:
            record = inst.tokens.get(token) if token else None
            if record is not None and self.token_expired(inst, record, now):
                del inst.tokens[token]
                record = None
            if record is None:
                return None
            record['last_used'] = now
            return inst.users.get(record['login'], {'permissions': ALL_PERMISSIONS})
