"""The cloud_platform client against the simulator, in-process: resource location CRUD over the
current API (and its registry twin), notifications against the documented listing shape (and a listing
with ids, a refused listing, the gateway form), faults, and the request counts the issue asks to measure."""

import datetime
import math

import pytest

from ansible_collections.opencitrix.automation.plugins.module_utils import errors
from ansible_collections.opencitrix.automation.plugins.module_utils.citrix_cloud.client import CloudClient
from ansible_collections.opencitrix.automation.plugins.module_utils.citrix_cloud.notifications import Notifications, build_notification
from ansible_collections.opencitrix.automation.plugins.module_utils.citrix_cloud.resource_locations import ResourceLocations
from ansible_collections.opencitrix.automation.plugins.module_utils.retries import RetryPolicy
from tests.conformance import plugin as conformance

CUSTOMER = 'simcustomer1'
CONTENT = [{'title': 'Maintenance finished', 'description': 'All machines are back.'}]


@pytest.fixture
def delays():
    """Retry delays the transport chose (recorded instead of slept)."""
    return []


@pytest.fixture
def cloud(sim, delays):
    return CloudClient('sim-client-id', 'sim-client-secret', CUSTOMER, api_url=sim.url,
                       workspaces_api_url=sim.url + '/{service}', ca_path=sim.ca_path, token_cache=False,
                       retry=RetryPolicy(retries=3, sleep=delays.append, rand=lambda: 1.0))


@pytest.fixture
def locations(cloud):
    return ResourceLocations(cloud)


@pytest.fixture
def notifications(cloud):
    return Notifications(cloud)


def platform(sim):
    return sim.service('cloud_platform')


def registry_names(cloud):
    body = cloud.call('GET', cloud.workspaces_url('registry', '/%s/resourcelocations' % CUSTOMER))
    return sorted(item['name'] for item in body['items'])


# -- resource locations ---------------------------------------------------------------------------

def test_seeded_locations_include_the_seed_example(locations, sim):
    items = locations.list()
    seed = [loc for loc in items if loc['id'] == '9e2fda49-c878-4c23-aae1-8ffcbdc2dab2']
    assert seed == [{'id': '9e2fda49-c878-4c23-aae1-8ffcbdc2dab2', 'name': 'My Resource Location',
                     'internalOnly': False, 'timeZone': 'GMT Standard Time', 'readOnly': False}]
    assert any(loc['readOnly'] for loc in items)
    assert len(items) == 2 + sim.size // 25


def test_lifecycle_writes_only_when_needed_and_registry_path_shares_state(sim, cloud, locations):
    change = locations.ensure_present('Lab A', internal_only=True, time_zone='Pacific Standard Time')
    assert change.changed and change.before is None
    assert change.after['internalOnly'] is True and change.after['id']
    assert locations.ensure_present('Lab A', internal_only=True, time_zone='Pacific Standard Time').changed is False
    assert locations.ensure_present('lab a').changed is False  # unspecified values are left alone
    assert sim.stats.writes(service='cloud_platform') == 1
    assert 'Lab A' in registry_names(cloud)

    renamed = locations.ensure_present('Lab A', new_name='Lab B')
    assert renamed.changed and renamed.before['name'] == 'Lab A'
    # PUT replaces the object: the client must send the values it did not change.
    assert renamed.after == dict(change.after, name='Lab B')
    assert locations.get(change.after['id']) == renamed.after
    assert locations.ensure_present('Lab A', new_name='Lab B').changed is False
    assert sim.stats.writes(service='cloud_platform') == 2
    assert 'Lab B' in registry_names(cloud) and 'Lab A' not in registry_names(cloud)

    assert locations.ensure_absent('Lab B').changed is True
    assert locations.ensure_absent('Lab B').changed is False
    assert locations.get(change.after['id']) is None
    assert sim.stats.writes(service='cloud_platform') == 3
    assert sim.stats.count(route='resource_locations.delete') == 1


def test_check_mode_reads_but_never_writes(sim, locations):
    created = locations.ensure_present('Dry Run', check_mode=True)
    assert created.changed and created.after == {'name': 'Dry Run', 'internalOnly': False}
    seed = 'My Resource Location'
    assert locations.ensure_present(seed, new_name='Renamed', check_mode=True).after['name'] == 'Renamed'
    assert locations.ensure_absent(seed, check_mode=True).changed is True
    assert sim.stats.writes() == 0
    assert locations.find(locations.list(), seed) is not None


def test_invalid_name_is_refused_before_any_request(sim, locations):
    with pytest.raises(errors.InputError) as caught:
        locations.ensure_present('Lab/1')
    assert 'cannot contain' in str(caught.value)
    with pytest.raises(errors.InputError):
        locations.ensure_present('Lab', new_name='Lab#2')
    assert sim.stats.count() == 0


def test_simulator_enforces_the_spec_pattern_too(cloud):
    with pytest.raises(errors.ApiError) as caught:
        cloud.call('POST', '/resourcelocations/', headers={'Citrix-CustomerId': CUSTOMER}, json_body={'name': 'a&b'},
                   what='create resource location')
    assert caught.value.status == 400
    assert 'common/badRequest' in str(caught.value) and 'not allowed' in str(caught.value)


def test_citrix_managed_location_is_never_changed(sim, locations):
    managed = [loc for loc in locations.list() if loc['readOnly']][0]
    for call in (lambda: locations.ensure_absent(managed['name']),
                 lambda: locations.ensure_present(managed['name'], time_zone='Tokyo Standard Time')):
        with pytest.raises(errors.InputError) as caught:
            call()
        assert 'managed by Citrix' in str(caught.value)
    assert locations.ensure_present(managed['name']).changed is False  # nothing to change is fine
    assert sim.stats.writes() == 0


def test_simulator_refuses_changes_to_read_only_locations(cloud, locations):
    managed = [loc for loc in locations.list() if loc['readOnly']][0]
    with pytest.raises(errors.AccessDeniedError) as caught:
        locations.delete(managed)
    assert 'managed by Citrix' in str(caught.value) and 'HTTP 403' in str(caught.value)


def test_rename_conflicts_and_missing_source_are_explained(sim, locations):
    locations.ensure_present('Alpha')
    locations.ensure_present('Beta')
    with pytest.raises(errors.InputError) as caught:
        locations.ensure_present('Alpha', new_name='Beta')
    assert 'already exists' in str(caught.value)
    with pytest.raises(errors.NotFoundError) as caught:
        locations.ensure_present('Gamma', new_name='Delta')
    assert 'neither it nor "Delta" exists' in str(caught.value)
    assert sim.stats.writes() == 2


def test_duplicate_name_is_a_conflict_on_the_server(cloud, locations):
    with pytest.raises(errors.ConflictError) as caught:
        locations.create({'name': 'MY RESOURCE LOCATION', 'internalOnly': False})
    assert 'already exists' in str(caught.value)


def test_customer_header_rules(sim, cloud):
    for headers, status in (({}, 400), ({'Citrix-CustomerId': 'someoneelse'}, 403)):
        with conformance.waived(sim), pytest.raises(errors.ApiError) as caught:  # the spec requires the header
            cloud.call('GET', '/resourcelocations/', headers=headers)
        assert caught.value.status == status
    # GetAll lists no Accept header in the spec; Create requires application/json.
    assert cloud.request('GET', '/resourcelocations/', headers={'Citrix-CustomerId': CUSTOMER, 'Accept': '*/*'})
    with pytest.raises(errors.ApiError) as caught:
        cloud.call('POST', '/resourcelocations/', headers={'Citrix-CustomerId': CUSTOMER, 'Accept': '*/*'},
                   json_body={'name': 'x'})
    assert caught.value.status == 406


def test_info_by_id_uses_one_request(sim, locations):
    assert locations.get('9e2fda49-c878-4c23-aae1-8ffcbdc2dab2')['name'] == 'My Resource Location'
    assert locations.get('00000000-0000-0000-0000-000000000000') is None
    assert sim.stats.count(route='resource_locations.get') == 2
    assert sim.stats.count(route='resource_locations.list') == 0


def test_malformed_location_list_is_a_format_error(sim, locations):
    sim.faults.add('status', route='resource_locations.list', status=200, body={'value': []})
    with pytest.raises(errors.ResponseFormatError) as caught:
        locations.list()
    assert 'lacks items' in str(caught.value)


# -- notifications --------------------------------------------------------------------------------

def list_url(sim):
    return sim.url + '/notifications/%s/notifications' % CUSTOMER


def with_listed_ids(sim, *fields):
    platform(sim).state.listed_ids = fields


def test_the_listing_has_the_documented_shape_only(sim, cloud):
    """facts.md: 100 a page, continuationToken, items with title, description and createdDate; no limit."""
    platform(sim).add_notifications(CUSTOMER, 150)
    first = cloud.call('GET', list_url(sim))
    assert len(first['items']) == 100 and first['continuationToken']
    assert all(sorted(item) == ['createdDate', 'description', 'title'] for item in first['items'])
    platform(sim).add_notifications(CUSTOMER, 3, title='Late')  # arrive between two page reads
    rest, token = [], first['continuationToken']
    while token:
        page = cloud.call('GET', list_url(sim), params={'continuationToken': token})
        rest.extend(page['items'])
        token = page['continuationToken']
    titles = [i['title'] for i in first['items'] + rest]
    assert len(titles) == 250 and not any(t.startswith('Late') for t in titles)
    for params in ({'limit': 100}, {'continuationToken': 'garbage!'}):
        with pytest.raises(errors.ApiError) as caught:
            cloud.call('GET', list_url(sim), params=params)
        assert caught.value.status == 400
    with pytest.raises(errors.ApiError) as caught:  # the path with /items lists nothing
        cloud.call('GET', list_url(sim) + '/items')
    assert caught.value.status in (404, 405)


def test_a_repeated_event_id_is_stored_again_not_refused(sim, notifications):
    body = build_notification(CONTENT)
    notifications.send(body)
    notifications.send(dict(body))
    assert platform(sim).notifications_with(CUSTOMER, body['eventId']) == 2
    assert sim.stats.writes(route='notifications.send') == 2


def test_without_ids_in_the_listing_the_same_title_and_description_is_found(sim, notifications):
    body = build_notification(CONTENT)
    sent = notifications.ensure_sent(body)
    assert sent.changed and sent.after['eventId'] == sent.after['externalId'] == body['eventId']
    assert sent.after['content'][0]['detailUri'] is None and sent.after['suppressEmail'] is False
    sim.stats.reset()
    again = notifications.ensure_sent(build_notification(CONTENT))
    assert again.changed is False and again.result['matched_by'] == 'content' and again.warnings == []
    assert again.after['title'] == 'Maintenance finished'
    assert sim.stats.writes() == 0 and sim.stats.count(route='notifications.list') == 1
    other = notifications.ensure_sent(build_notification([dict(CONTENT[0], description='Other text')]))
    assert other.changed
    assert platform(sim).notifications_with(CUSTOMER, body['eventId']) == 1


def test_the_look_back_window_limits_the_title_match(sim, notifications):
    notifications.ensure_sent(build_notification(CONTENT))
    later = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=3)
    within = notifications.ensure_sent(build_notification(CONTENT), lookback_hours=4, now=later)
    assert within.changed is False
    outside = notifications.ensure_sent(build_notification(CONTENT), lookback_hours=2, now=later)
    assert outside.changed is True and outside.warnings == []
    assert sim.stats.writes(route='notifications.send') == 2
    with pytest.raises(errors.InputError, match='lookback_hours'):
        notifications.ensure_sent(build_notification(CONTENT), lookback_hours=0)


def test_with_a_key_and_no_ids_in_the_listing_it_warns_and_sends(sim, notifications):
    for _run in range(2):
        change = notifications.ensure_sent(build_notification(CONTENT, dedup_key='2026-11-24'), explicit_key=True)
        assert change.changed and len(change.warnings) == 1
        assert 'could not be verified' in change.warnings[0]
    assert sim.stats.writes(route='notifications.send') == 2


@pytest.mark.parametrize('field', ['eventId', 'externalId'])
def test_listed_ids_find_the_notification_by_its_event_id(sim, notifications, field):
    with_listed_ids(sim, field)
    keyed = build_notification(CONTENT, dedup_key='2026-11-24')
    assert notifications.ensure_sent(keyed, explicit_key=True).changed
    again = notifications.ensure_sent(build_notification(CONTENT, dedup_key='2026-11-24'), explicit_key=True)
    assert again.changed is False and again.result['matched_by'] == field and again.warnings == []
    # A new key is a new notification although title and description are the same.
    assert notifications.ensure_sent(build_notification(CONTENT, dedup_key='2026-11-25'), explicit_key=True).changed
    given = build_notification(CONTENT, event_id='392768A6-C531-474D-ABA9-BCC550A5E1AC')
    assert notifications.ensure_sent(given, explicit_key=True).changed
    assert not notifications.ensure_sent(build_notification(
        [{'title': 'Other', 'description': 'text'}], event_id='392768a6-c531-474d-aba9-bcc550a5e1ac'),
        explicit_key=True).changed
    assert sim.stats.writes(route='notifications.send') == 3


def test_lookup_cost_follows_pages_and_stops_early(sim, notifications):
    """Measured: a miss reads every page of 100; a hit on a recent notification reads one."""
    with_listed_ids(sim, 'eventId', 'externalId')
    platform(sim).add_notifications(CUSTOMER, 950)
    total = len(platform(sim).visible_notifications(CUSTOMER))
    sent = notifications.ensure_sent(build_notification(CONTENT, dedup_key='paging'), explicit_key=True)
    assert sent.changed and sim.stats.count(route='notifications.list') == math.ceil(total / 100.0) == 11
    sim.stats.reset()
    again = notifications.ensure_sent(build_notification(CONTENT, dedup_key='paging'), explicit_key=True)
    assert again.changed is False
    assert sim.stats.count(route='notifications.list') == 1 and sim.stats.writes() == 0


REFUSALS = {
    403: {'detail': 'Forbidden', 'type': 'https://errors-api.cloud.com/common/authorization'},
    404: {'detail': 'Not found', 'type': 'https://errors-api.cloud.com/common/notFound'},
    405: None,
    401: {'Error': {'Message': 'Missing or invalid CWSAuth header.', 'Type': 'CWSAuthException'}},
}


@pytest.mark.parametrize('status', sorted(REFUSALS))
def test_a_refused_listing_warns_once_and_sends(sim, notifications, status):
    sim.faults.add('status', route='notifications.list', status=status, times=-1, body=REFUSALS[status])
    change = notifications.ensure_sent(build_notification(CONTENT))
    assert change.changed and len(change.warnings) == 1
    assert 'refused to list notifications' in change.warnings[0] and 'HTTP %d' % status in change.warnings[0]
    assert sim.stats.writes(route='notifications.send') == 1
    # A 401 is answered with a new token first; the listing is refused only when that is rejected too.
    assert sim.stats.count(route='cloud.token') == (2 if status == 401 else 1)


def test_other_listing_failures_fail_before_anything_is_sent(sim, delays, notifications):
    sim.faults.add('status', route='notifications.list', status=500, times=-1, body={'message': 'Internal error'})
    with pytest.raises(errors.ServerError):
        notifications.ensure_sent(build_notification(CONTENT))
    assert sim.stats.writes() == 0


def test_sign_in_failure_is_raised_not_warned_about(sim):
    wrong = CloudClient('sim-client-id', 'wrong-secret', CUSTOMER, api_url=sim.url,
                        workspaces_api_url=sim.url + '/{service}', ca_path=sim.ca_path, token_cache=False)
    with pytest.raises(errors.AuthenticationError):
        Notifications(wrong).ensure_sent(build_notification(CONTENT))
    assert sim.stats.count(route='notifications.*') == 0


def test_the_gateway_form_sends_and_lists_with_the_customer_header(sim, cloud):
    gateway = Notifications(cloud, 'gateway')
    sent = gateway.ensure_sent(build_notification(CONTENT))
    assert sent.changed and sent.after['externalId'] == sent.after['eventId']
    assert gateway.ensure_sent(build_notification(CONTENT)).changed is False
    assert sim.stats.count(method='POST', path='/notifications/') == 1
    assert sim.stats.count(method='GET', path='/notifications') == 2
    assert sim.stats.count(path='/notifications/%s/notifications' % CUSTOMER) == 0
    # The same notifications, whichever way they are read.
    assert Notifications(cloud).ensure_sent(build_notification(CONTENT)).changed is False
    with pytest.raises(errors.ApiError) as caught:  # the header is required
        cloud.call('GET', '/notifications')
    assert caught.value.status == 400


def test_changed_severity_of_a_sent_notification_warns_where_the_listing_shows_it(sim, notifications):
    with_listed_ids(sim, 'eventId')
    notifications.ensure_sent(build_notification(CONTENT))
    again = notifications.ensure_sent(build_notification(CONTENT, severity='Critical', priority='High'))
    assert again.changed is False and again.warnings == []  # the documented listing shows no severity
    assert sim.stats.count(route='notifications.send') == 1


def test_throttled_send_is_retried_and_sent_once(sim, delays, notifications):
    sim.faults.add('status', route='notifications.send', status=429, headers={'Retry-After': '2'},
                   body={'detail': 'Too many requests', 'type': 'https://errors-api.cloud.com/common/throttled'})
    assert notifications.ensure_sent(build_notification(CONTENT)).changed
    assert delays == [2.0]
    assert sim.stats.count(route='notifications.send') == 2 and sim.stats.writes() == 1


def test_server_error_on_send_is_not_repeated(sim, delays, notifications):
    sim.faults.add('status', route='notifications.send', status=500, times=-1,
                   body={'activityId': 'c59d1c1a', 'message': 'Internal server error', 'statusCode': 500})
    with pytest.raises(errors.ServerError) as caught:
        notifications.ensure_sent(build_notification(CONTENT))
    text = str(caught.value)
    assert 'Could not send Citrix Cloud notification "Maintenance finished"' in text
    assert 'Internal server error' in text and 'HTTP 500' in text and '\n' not in text
    assert sim.stats.count(route='notifications.send') == 1 and delays == []


def test_server_validation_errors_are_reported(sim, cloud, notifications):
    body = build_notification(CONTENT)
    body['severity'] = 'Catastrophic'
    with pytest.raises(errors.ApiError) as caught:
        notifications.send(body)
    assert caught.value.status == 400 and 'severity must be one of' in str(caught.value)
    with pytest.raises(errors.ApiError) as caught:
        cloud.call('POST', list_url(sim) + '/items', data='destinationAdmin=*',
                   headers={'Content-Type': 'application/x-www-form-urlencoded'})
    assert caught.value.status == 415
    assert sim.stats.writes() == 0


def test_malformed_page_and_expired_token_mid_paging(sim, notifications):
    platform(sim).add_notifications(CUSTOMER, 150)
    sim.faults.add('malformed', route='notifications.list')
    with pytest.raises(errors.ResponseFormatError):
        notifications.ensure_sent(build_notification(CONTENT))
    assert sim.stats.writes() == 0
    sim.faults.add('status', route='notifications.list', after=1, status=401,
                   body={'detail': 'Missing or invalid authentication details', 'parameters': {'reason': 'invalid'},
                         'type': 'https://errors-api.cloud.com/common/authentication'})
    change = notifications.ensure_sent(build_notification(CONTENT))
    assert change.changed and change.warnings == []
    assert sim.stats.count(route='notifications.list') == 1 + 3 + 1  # the malformed page, three pages, one repeat
    assert sim.stats.count(route='cloud.token') == 2


def test_notifications_older_than_90_days_are_gone(sim, notifications):
    notifications.ensure_sent(build_notification(CONTENT))
    sim.clock.advance(91 * 24 * 3600)
    assert list(notifications.iterate()) == []
    assert notifications.ensure_sent(build_notification(CONTENT)).changed  # sent again, as documented
    assert [i['title'] for i in notifications.iterate()] == ['Maintenance finished']
