"""cloud_platform: input validation, event id derivation and name matching (no sockets)."""

import datetime
import uuid

import pytest

from ansible_collections.opencitrix.automation.plugins.module_utils import errors
from ansible_collections.opencitrix.automation.plugins.module_utils.citrix_cloud.notifications import (
    EVENT_ID_NAMESPACE, build_notification, derive_event_id, normalize_content,
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
        'eventId': body['eventId'], 'severity': 'Information', 'priority': 'Normal',
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
