"""The cloud_platform client against the simulator, in-process: resource location CRUD over the
current API (and its registry twin), notification paging, dedup under concurrency, faults, and the
request counts the issue asks to measure."""

import math
import threading

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

def test_send_once_then_found_on_the_first_page(sim, notifications):
    body = build_notification(CONTENT)
    sent = notifications.ensure_sent(body)
    assert sent.changed and sent.after['eventId'] == body['eventId']
    assert sent.after['content'][0]['detailUri'] is None and sent.after['suppressEmail'] is False
    lists_before = sim.stats.count(route='notifications.list')
    again = notifications.ensure_sent(build_notification(CONTENT))
    assert again.changed is False and again.after == sent.after
    assert sim.stats.count(route='notifications.send') == 1
    assert sim.stats.count(route='notifications.list') - lists_before == 1  # newest first: page one


def test_lookup_cost_follows_pages_and_stops_early(sim, notifications):
    """Measured: a miss reads every page of 100; a hit on a recent notification reads one."""
    platform(sim).add_notifications(CUSTOMER, 950)
    total = len(platform(sim).visible_notifications(CUSTOMER))
    assert notifications.find('7d0bbcc3-0000-4000-8000-000000000000') is None
    assert sim.stats.count(route='notifications.list') == math.ceil(total / 100.0) == 11
    sim.stats.reset()
    sent = notifications.ensure_sent(build_notification(CONTENT, dedup_key='paging'))
    assert sent.changed and sim.stats.count(route='notifications.list') == 11
    sim.stats.reset()
    assert notifications.ensure_sent(build_notification(CONTENT, dedup_key='paging')).changed is False
    assert sim.stats.count(route='notifications.list') == 1 and sim.stats.writes() == 0


def test_pages_are_capped_and_tokens_survive_new_arrivals(sim, cloud, notifications):
    platform(sim).add_notifications(CUSTOMER, 150)
    url = notifications.url()
    first = cloud.call('GET', url, params={'limit': 5000})
    assert len(first['items']) == 100 and first['continuationToken']
    platform(sim).add_notifications(CUSTOMER, 3, title='Late')  # arrive between two page reads
    rest = []
    token = first['continuationToken']
    while token:
        page = cloud.call('GET', url, params={'continuationToken': token})
        rest.extend(page['items'])
        token = page['continuationToken']
    seen = [i['eventId'] for i in first['items'] + rest]
    assert len(seen) == len(set(seen)) == 250  # the 100 seeded + 150; the late ones start page one next time


def test_bad_continuation_token_and_limit_are_400(cloud, notifications):
    for params in ({'continuationToken': 'garbage!'}, {'limit': 0}, {'limit': 'ten'}):
        with pytest.raises(errors.ApiError) as caught:
            cloud.call('GET', notifications.url(), params=params)
        assert caught.value.status == 400


def test_new_dedup_key_or_event_id_sends_a_new_notification(sim, notifications):
    assert notifications.ensure_sent(build_notification(CONTENT, dedup_key='2026-11-23')).changed
    assert notifications.ensure_sent(build_notification(CONTENT, dedup_key='2026-11-24')).changed
    assert notifications.ensure_sent(build_notification(CONTENT, event_id='392768A6-C531-474D-ABA9-BCC550A5E1AC')).changed
    assert not notifications.ensure_sent(build_notification(
        [{'title': 'Other', 'description': 'text'}], event_id='392768a6-c531-474d-aba9-bcc550a5e1ac')).changed
    assert sim.stats.count(route='notifications.send') == 3


def test_changed_severity_of_a_sent_notification_warns(sim, notifications):
    notifications.ensure_sent(build_notification(CONTENT))
    again = notifications.ensure_sent(build_notification(CONTENT, severity='Critical', priority='High'))
    assert again.changed is False
    assert len(again.warnings) == 1 and 'different priority and severity' in again.warnings[0]
    assert sim.stats.count(route='notifications.send') == 1


def test_parallel_senders_send_once(sim, cloud):
    """Eight forks that all miss the lookup: the server's conflict answer makes seven of them report ok."""
    # Every lookup is answered before any send is processed: all eight miss and all eight send.
    sim.route_latency.update({'notifications.list': 0.3, 'notifications.send': 0.3})
    body = build_notification(CONTENT, dedup_key='parallel')
    cloud.token()
    outcomes = []

    def send():
        outcomes.append(Notifications(cloud).ensure_sent(dict(body)).changed)

    threads = [threading.Thread(target=send) for _thread_number in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == [False] * 7 + [True]
    stored = [i for i in platform(sim).visible_notifications(CUSTOMER) if i['item']['eventId'] == body['eventId']]
    assert len(stored) == 1
    assert sim.stats.count(route='notifications.send') == 8  # seven got 409 and looked again
    assert sim.stats.writes(route='notifications.send') == 1


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
        cloud.call('POST', notifications.url(), data='destinationAdmin=*',
                   headers={'Content-Type': 'application/x-www-form-urlencoded'})
    assert caught.value.status == 415
    assert sim.stats.writes() == 0


def test_malformed_page_and_expired_token_mid_paging(sim, notifications):
    platform(sim).add_notifications(CUSTOMER, 150)
    sim.faults.add('malformed', route='notifications.list')
    with pytest.raises(errors.ResponseFormatError):
        notifications.find('00000000-0000-0000-0000-000000000000')
    sim.faults.add('status', route='notifications.list', after=1, status=401,
                   body={'detail': 'Missing or invalid authentication details', 'parameters': {'reason': 'invalid'},
                         'type': 'https://errors-api.cloud.com/common/authentication'})
    assert notifications.find('00000000-0000-0000-0000-000000000000') is None
    assert sim.stats.count(route='cloud.token') == 2


def test_notifications_older_than_90_days_are_gone(sim, notifications):
    sent = notifications.ensure_sent(build_notification(CONTENT)).after
    sim.clock.advance(91 * 24 * 3600)
    assert list(notifications.iterate()) == []
    assert notifications.ensure_sent(build_notification(CONTENT)).changed  # sent again, as documented
    assert [i['eventId'] for i in notifications.iterate()] == [sent['eventId']]
