"""What each customer of the ``cloud_platform`` service starts with, derived from the simulator's seed
and size: seed 001's "My Resource Location", one Citrix-managed location and ``size // 25`` (at most 48)
branch offices; ``min(size, 500)`` notifications one hour apart."""

import datetime
import random
import uuid

SEED_LOCATION = {'id': '9e2fda49-c878-4c23-aae1-8ffcbdc2dab2', 'name': 'My Resource Location',
                 'internalOnly': False, 'timeZone': 'GMT Standard Time', 'readOnly': False}
CITRIX_MANAGED = {'name': 'Citrix Managed Azure (East US)', 'internalOnly': False,
                  'timeZone': 'Eastern Standard Time', 'readOnly': True}
TIME_ZONES = ('GMT Standard Time', 'W. Europe Standard Time', 'Eastern Standard Time',
              'Pacific Standard Time', 'Tokyo Standard Time', 'AUS Eastern Standard Time')
SEED_NOTICES = (
    ('Citrix Cloud', 'Warning', 'Cloud Connector update available',
     'A new Cloud Connector version is available for {location}.'),
    ('Citrix DaaS', 'Information', 'Machine catalog updated', 'The image of catalog {n} was updated.'),
    ('Citrix Cloud', 'Critical', 'Cloud Connector unreachable', 'A Cloud Connector in {location} is not responding.'),
    ('Citrix Workspace', 'Information', 'New feature available', 'Feature preview {n} is now available.'),
)


def rfc3339(epoch):
    return datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%S.%fZ')


def seed_locations(seed_value, customer, size):
    """The resource location records a customer starts with."""
    rng = random.Random('%s:%s:locations' % (seed_value, customer))
    records = [dict(SEED_LOCATION), dict(CITRIX_MANAGED, id=str(uuid.UUID(int=rng.getrandbits(128))))]
    for n in range(min(size // 25, 48)):
        records.append({'id': str(uuid.UUID(int=rng.getrandbits(128))), 'name': 'Branch Office %02d' % (n + 1),
                        'internalOnly': n % 3 == 0, 'timeZone': TIME_ZONES[n % len(TIME_ZONES)],
                        'readOnly': False})
    return records


def seed_notifications(seed_value, customer, size, now):
    """``(notification, received)`` pairs a customer starts with, oldest first."""
    rng = random.Random('%s:%s:notifications' % (seed_value, customer))
    count = min(size, 500)
    out = []
    for n in range(count):
        component, severity, title, text = SEED_NOTICES[n % len(SEED_NOTICES)]
        age = (count - n) * 3600.0
        out.append(({
            'destinationAdmin': '*', 'component': component,
            'createdDate': rfc3339(now - age), 'categories': None, 'severity': severity,
            'eventId': str(uuid.UUID(int=rng.getrandbits(128), version=4)), 'priority': 'Normal',
            'content': [{'languageTag': 'en-US', 'title': title,
                         'description': text.format(n=n, location='Branch Office %02d' % (n % 9 + 1)),
                         'detailUri': None}],
            'data': None, 'externalId': None, 'suppressEmail': False}, now - age))
    return out


def bulk_notification(component, title, n, event_id, now):
    """One of the notifications ``add_notifications`` appends (load tests)."""
    return {
        'destinationAdmin': '*', 'component': component,
        'createdDate': rfc3339(now), 'categories': None, 'severity': 'Information',
        'eventId': event_id, 'priority': 'Normal',
        'content': [{'languageTag': 'en-US', 'title': '%s %d' % (title, n), 'description': 'Bulk',
                     'detailUri': None}],
        'data': None, 'externalId': None, 'suppressEmail': False}
