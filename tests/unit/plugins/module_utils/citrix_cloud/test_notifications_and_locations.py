"""cloud_platform: input validation, event id derivation, what counts as "sent already" and name matching
(no sockets)."""

import datetime
import uuid

import pytest

from ansible_collections.opencitrix.automation.plugins.module_utils import errors
from ansible_collections.opencitrix.automation.plugins.module_utils.citrix_cloud.notifications import (
    EVENT_ID_NAMESPACE, Notifications, build_notification, derive_event_id, normalize_content,
)
from ansible_collections.opencitrix.automation.plugins.module_utils.citrix_cloud.resource_locations import ResourceLocations, validate_location_name

CONTENT = [{'title': 'Maintenance finished', 'description': 'All machines are back.'}]
NOW = datetime.datetime(2026, 11, 23, 3, 0, 0, 123000, tzinfo=datetime.timezone.utc)


def test_event_id_namespace_is_the_documented_one():
    assert EVENT_ID_NAMESPACE == uuid.uuid5(uuid.NAMESPACE_DNS, 'notifications.opencitrix.automation')


def test_event_id_is_a_stable_uuid5_of_destination_component_content_and_key():
    entries = normalize_content(CONTENT)
    first = derive_event_id('*', 'Citrix Cloud', entries)
    assert uuid.UUID(first).version == 5
    assert derive_event_id('*', 'Citrix Cloud', normalize_content(CONTENT)) == first
    others = {
        derive_event_id('*', 'Citrix Cloud', entries, dedup_key='2026-11-23'),
        derive_event_id('admin@example.com', 'Citrix Cloud', entries),
        derive_event_id('*', 'Image pipeline', entries),
        derive_event_id('*', 'Citrix Cloud', normalize_content([dict(CONTENT[0], title='Other')])),
        derive_event_id('*', 'Citrix Cloud', normalize_content([dict(CONTENT[0], detail_uri='https://x.example/1')])),
    }
    assert first not in others and len(others) == 5


def test_event_id_ignores_severity_date_and_language_tag_case():
    one = build_notification(CONTENT, severity='Information', now=NOW)
    two = build_notification([dict(CONTENT[0], language_tag='EN-us')], severity='Critical', priority='High',
                             created_date='2020-01-01T00:00:00Z')
    assert one['eventId'] == two['eventId']


def test_build_notification_shape_matches_the_api():
    body = build_notification(CONTENT, now=NOW)
    assert body == {
        'destinationAdmin': '*', 'component': 'Citrix Cloud', 'createdDate': '2026-11-23T03:00:00.123Z',
        'eventId': body['eventId'], 'externalId': body['eventId'], 'severity': 'Information', 'priority': 'Normal',
        'content': [{'languageTag': 'en-US', 'title': 'Maintenance finished', 'description': 'All machines are back.'}],
    }


def test_given_event_id_is_used_in_canonical_form():
    body = build_notification(CONTENT, event_id='392768A6-C531-474D-ABA9-BCC550A5E1AC', dedup_key='ignored')
    assert body['eventId'] == '392768a6-c531-474d-aba9-bcc550a5e1ac'


def test_choices_are_case_insensitive_and_canonicalized():
    body = build_notification(CONTENT, severity='warning', priority='HIGH')
    assert (body['severity'], body['priority']) == ('Warning', 'High')


@pytest.mark.parametrize('kwargs, fragment', [
    (dict(severity='Critcal'), 'Invalid severity "Critcal"'),
    (dict(priority='Urgent'), 'use one of Low, Normal, High'),
    (dict(content=[]), 'at least one content entry'),
    (dict(content=[{'title': '', 'description': 'x'}]), 'content[0]: title is required'),
    (dict(content=[{'title': 'x'}]), 'description is required'),
    (dict(content=[dict(CONTENT[0], language_tag='english')]), 'language tag "english"'),
    (dict(content=[dict(CONTENT[0], language_tag='en_US')]), 'language tag "en_US"'),
    (dict(content=[dict(CONTENT[0], detail_uri='tickets/42')]), 'detail URI "tickets/42"'),
    (dict(created_date='2026-11-23 03:00'), 'with an offset'),
    (dict(created_date='yesterday'), 'Invalid created_date'),
    (dict(event_id='not-a-guid'), 'Invalid event_id'),
    (dict(destination_admin=''), 'destination_admin'),
    (dict(component=' '), 'component'),
])
def test_invalid_notifications_are_refused_with_a_clear_line(kwargs, fragment):
    kwargs.setdefault('content', CONTENT)
    with pytest.raises(errors.InputError) as caught:
        build_notification(**kwargs)
    assert fragment in str(caught.value)
    assert '\n' not in str(caught.value)


@pytest.mark.parametrize('tag', ['en-US', 'de', 'ja', 'zh-Hant-TW', 'es-419'])
def test_language_tags_accepted(tag):
    assert normalize_content([dict(CONTENT[0], language_tag=tag)])[0]['languageTag'] == tag


@pytest.mark.parametrize('char', list('/\\#?%|[]{}<>$^&+'))
def test_location_names_follow_the_spec_pattern(char):
    with pytest.raises(errors.InputError) as caught:
        validate_location_name('Lab%sOne' % char)
    assert 'cannot contain' in str(caught.value)


@pytest.mark.parametrize('name', ['London DC', 'Büro (Köln) - 2', 'a.b_c@d', "O'Hare"])
def test_location_names_accepted(name):
    assert validate_location_name(name) == name


def test_empty_location_name_refused():
    with pytest.raises(errors.InputError):
        validate_location_name('  ')


def test_find_prefers_exact_then_unique_case_insensitive_match():
    locations = [{'id': '1', 'name': 'Lab'}, {'id': '2', 'name': 'LAB'}, {'id': '3', 'name': 'Office'}]
    assert ResourceLocations.find(locations, 'LAB')['id'] == '2'
    assert ResourceLocations.find(locations, 'office')['id'] == '3'
    assert ResourceLocations.find(locations, 'Nowhere') is None
    with pytest.raises(errors.InputError) as caught:
        ResourceLocations.find(locations, 'lab')
    assert 'ambiguous' in str(caught.value)


class FakeCloud:
    """Answers the listing with ``pages`` (lists of items) or raises ``error``; records the calls."""

    def __init__(self, pages=(), error=None):
        self.pages = [list(page) for page in pages] or [[]]
        self.error = error
        self.calls = []

    def require_customer_id(self):
        return 'cust'

    def workspaces_url(self, service, path):
        return 'https://%s.example%s' % (service, path)

    def token(self):
        return 'token'

    def call(self, method, url, what=None, params=None, json_body=None, headers=None):
        self.calls.append((method, url, params, headers))
        if method == 'POST':
            return dict(json_body)
        if self.error is not None:
            raise self.error
        index = int((params or {}).get('continuationToken') or 0)
        following = str(index + 1) if index + 1 < len(self.pages) else None
        return {'items': self.pages[index], 'continuationToken': following}


def listed(title='Maintenance finished', description='All machines are back.', created='2026-11-23T02:00:00Z', **ids):
    return dict(ids, title=title, description=description, createdDate=created)


def posts(cloud):
    return [call for call in cloud.calls if call[0] == 'POST']


def test_listed_ids_decide_and_title_alone_does_not_count_then():
    body = build_notification(CONTENT, now=NOW)
    cloud = FakeCloud([[listed(eventId='another', externalId=None)], [listed(externalId=body['eventId'])]])
    change = Notifications(cloud).ensure_sent(body, now=NOW)
    assert change.changed is False and change.result['matched_by'] == 'externalId' and len(cloud.calls) == 2
    cloud = FakeCloud([[listed(eventId='another')]])
    change = Notifications(cloud).ensure_sent(body, now=NOW)
    assert change.changed is True and change.warnings == [] and len(posts(cloud)) == 1


def test_without_ids_the_title_match_stops_at_the_first_page_and_respects_the_window():
    body = build_notification(CONTENT, now=NOW)
    cloud = FakeCloud([[listed(title='Other'), listed()], [listed()]])
    change = Notifications(cloud).ensure_sent(body, now=NOW)
    assert change.changed is False and change.result['matched_by'] == 'content' and len(cloud.calls) == 1
    cloud = FakeCloud([[listed(created='2026-11-22T01:00:00Z')]])
    assert Notifications(cloud).ensure_sent(body, lookback_hours=24, now=NOW).changed is True
    assert Notifications(FakeCloud([[listed(created=None)]])).ensure_sent(body, lookback_hours=1, now=NOW).changed is False


def test_a_key_without_listed_ids_warns_and_sends_and_check_mode_says_would():
    body = build_notification(CONTENT, dedup_key='2026-11-23', now=NOW)
    cloud = FakeCloud([[listed()]])
    change = Notifications(cloud).ensure_sent(body, explicit_key=True, check_mode=True, now=NOW)
    assert change.changed is True and posts(cloud) == []
    assert len(change.warnings) == 1
    assert change.warnings[0].endswith('could not be verified (leave out event_id and dedup_key to match by title '
                                       'and description instead); it would be sent')


@pytest.mark.parametrize('status, sent', [(401, True), (403, True), (404, True), (405, True), (400, False),
                                          (500, False), (429, False)])
def test_only_a_refused_listing_is_passed_over(status, sent):
    cloud = FakeCloud(error=errors.error_class_for_status(status)('Could not list', status=status))
    notifications = Notifications(cloud)
    if sent:
        change = notifications.ensure_sent(build_notification(CONTENT, now=NOW), now=NOW)
        assert change.changed and len(change.warnings) == 1 and 'HTTP %d' % status in change.warnings[0]
        assert len(posts(cloud)) == 1
    else:
        with pytest.raises(errors.CitrixError):
            notifications.ensure_sent(build_notification(CONTENT, now=NOW), now=NOW)
        assert posts(cloud) == []


def test_gateway_endpoint_paths_and_customer_header():
    cloud = FakeCloud([[]])
    Notifications(cloud, 'gateway').ensure_sent(build_notification(CONTENT, now=NOW), now=NOW)
    assert [(m, u, h) for m, u, _p, h in cloud.calls] == [
        ('GET', '/notifications', {'Citrix-CustomerId': 'cust'}),
        ('POST', '/notifications/', {'Citrix-CustomerId': 'cust'})]
    cloud = FakeCloud([[]])
    Notifications(cloud).ensure_sent(build_notification(CONTENT, now=NOW), now=NOW)
    assert [(m, u, h) for m, u, _p, h in cloud.calls] == [
        ('GET', 'https://notifications.example/cust/notifications', None),
        ('POST', 'https://notifications.example/cust/notifications/items', None)]
    with pytest.raises(errors.InputError, match='Unknown notifications endpoint'):
        Notifications(cloud, 'smtp')
