"""State of the ``cloud_platform`` service: resource locations and notifications per customer, each
customer seeded on first use (``seeding.py``). Notifications carry an arrival sequence number (the
basis of continuation tokens) and an arrival time (the basis of the 90-day retention). ``listed_ids``
(service config ``listed_ids``, or set on the state) names the id fields listed notifications show."""

import uuid

from tests.simulator.services.citrix_cloud_platform import seeding

DEFAULT_TIME_ZONE = 'GMT Standard Time'
RETENTION_SECONDS = 90 * 24 * 3600  # Citrix Cloud deletes notifications older than 90 days


class PlatformState:
    """``lock`` guards every change; ``clock`` dates notifications; ``seed_value`` and ``size`` shape
    what a customer starts with."""

    def __init__(self, lock, clock, seed_value, size, listed_ids=()):
        self.lock = lock
        self.clock = clock
        self.seed_value = seed_value
        self.size = size
        self.locations = {}       # customer -> {id: record}
        self.notifications = {}   # customer -> [record, ...] in arrival order
        self.sequence = 0
        # Id fields listed notifications carry (nothing public shows any): a test knob.
        self.listed_ids = tuple(listed_ids)

    # -- resource locations ---------------------------------------------------------------------

    def customer_locations(self, customer):
        with self.lock:
            if customer not in self.locations:
                records = seeding.seed_locations(self.seed_value, customer, self.size)
                self.locations[customer] = {r['id']: r for r in records}
            return self.locations[customer]

    def add_location(self, customer, name, internal_only=False, time_zone=DEFAULT_TIME_ZONE, read_only=False):
        record = {'id': str(uuid.uuid4()), 'name': name, 'internalOnly': internal_only, 'timeZone': time_zone,
                  'readOnly': read_only}
        with self.lock:
            self.customer_locations(customer)[record['id']] = record
        return dict(record)

    # -- notifications --------------------------------------------------------------------------

    def customer_notifications(self, customer):
        with self.lock:
            if customer not in self.notifications:
                self.notifications[customer] = []
                now = self.clock.now()
                for item, received in seeding.seed_notifications(self.seed_value, customer, self.size, now):
                    self.store(customer, item, received=received)
            return self.notifications[customer]

    def add_notifications(self, customer, count, component='Load Test', title='Bulk notice'):
        """Append ``count`` notifications (newest last); returns their event ids."""
        ids = []
        self.customer_notifications(customer)
        with self.lock:
            for n in range(count):
                event_id = str(uuid.uuid4())
                self.store(customer, seeding.bulk_notification(component, title, n, event_id, self.clock.now()))
                ids.append(event_id)
        return ids

    def store(self, customer, item, received=None):
        with self.lock:
            records = self.customer_notifications(customer)
            self.sequence += 1
            records.append({'seq': self.sequence, 'received': received or self.clock.now(), 'item': item})

    def visible_notifications(self, customer):
        """Stored notifications still within retention, newest first."""
        horizon = self.clock.now() - RETENTION_SECONDS
        with self.lock:
            records = [r for r in self.customer_notifications(customer) if r['received'] >= horizon]
        return sorted(records, key=lambda r: r['seq'], reverse=True)

    def find_notification(self, customer, event_id):
        """The newest stored notification with ``event_id`` (the full item, as the send answered it)."""
        for record in self.visible_notifications(customer):
            if record['item']['eventId'].lower() == str(event_id).lower():
                return record['item']
        return None

    def notifications_with(self, customer, event_id):
        """How many stored notifications carry ``event_id`` (the service stores repeats)."""
        return sum(1 for r in self.visible_notifications(customer)
                   if r['item']['eventId'].lower() == str(event_id).lower())
