"""The XenMobile client against the simulator, in-process: sessions, the status envelope, RBAC,
paging request counts, retries, uploads and the cloud login."""

import pytest

from ansible_collections.opencitrix.automation.plugins.module_utils import errors
from ansible_collections.opencitrix.automation.plugins.module_utils.citrix_cloud.client import CloudClient
from ansible_collections.opencitrix.automation.plugins.module_utils.xenmobile.apps import Apps, platform_versions
from ansible_collections.opencitrix.automation.plugins.module_utils.xenmobile.client import XenMobileClient
from ansible_collections.opencitrix.automation.plugins.module_utils.xenmobile.devices import Devices
from ansible_collections.opencitrix.automation.plugins.module_utils.xenmobile.properties import ServerProperties
from tests.integration.xenmobile.support import WRONG_PASSWORD, XM_PASSWORD, XM_USER, xenmobile, xm_client
from tests.simulator.services.xenmobile import seeding as xenmobile_seed


@pytest.fixture
def big_sim(make_sim):
    return make_sim(config={'xenmobile': {'devices': 1050}})


def test_session_logs_in_once_and_out_at_the_end(sim):
    with xm_client(sim) as client:
        assert len(ServerProperties(client).list()) == 60
        assert len(ServerProperties(client).list()) == 60
    assert sim.stats.count(route='xenmobile.login') == 1
    assert sim.stats.count(route='xenmobile.logout') == 1
    assert xenmobile(sim).instance().tokens == {}  # the server forgot the token


def test_logout_also_after_a_failure(sim):
    with pytest.raises(errors.ApiError):
        with xm_client(sim) as client:
            ServerProperties(client).edit({'name': 'no.such.property', 'value': '1'})
    assert sim.stats.count(route='xenmobile.logout') == 1


def test_no_logout_attempt_when_the_server_is_unreachable(sim):
    sim.faults.add('reset', route='xenmobile.properties', times=-1)
    with pytest.raises(errors.TransportError):
        with xm_client(sim) as client:
            ServerProperties(client).list()
    assert sim.stats.count(route='xenmobile.properties') == 3  # first try and two retries
    assert sim.stats.count(route='xenmobile.logout') == 0


def test_non_zero_status_with_http_200_is_an_error(sim):
    with xm_client(sim) as client:
        with pytest.raises(errors.ApiError) as caught:
            ServerProperties(client).edit({'name': 'no.such.property', 'value': '1'})
    text = str(caught.value)
    assert caught.value.status == 200 and caught.value.code == 'status -1'
    assert 'Server property no.such.property does not exist.' in text
    assert 'edit server property "no.such.property"' in text and '\n' not in text


def test_wrong_password_names_server_and_api_message(sim):
    client = xm_client(sim, password=WRONG_PASSWORD)
    with pytest.raises(errors.AuthenticationError) as caught:
        with client:
            ServerProperties(client).list()
    text = str(caught.value)
    assert client.server in text and XM_USER in text
    assert 'Invalid user name or password.' in text and 'HTTP 401' in text
    assert 'XENMOBILE_PASSWORD' in text  # says what to check
    assert WRONG_PASSWORD not in text and '\n' not in text
    assert sim.stats.count(route='xenmobile.properties') == 0


def test_login_401_without_body_still_names_the_server(sim):
    sim.faults.add('status', route='xenmobile.login', status=401)
    client = xm_client(sim)
    with pytest.raises(errors.AuthenticationError) as caught:
        client.login()
    assert client.server in str(caught.value) and 'HTTP 401' in str(caught.value)


def test_expired_token_gets_one_new_login(sim):
    with xm_client(sim) as client:
        ServerProperties(client).list()
        xenmobile(sim).expire_tokens()
        assert ServerProperties(client).list()
    assert sim.stats.count(route='xenmobile.login') == 2
    assert sim.stats.count(route='xenmobile.properties') == 3


def test_static_timeout_from_server_properties_expires_tokens(sim):
    with xm_client(sim) as client:
        ServerProperties(client).list()
        sim.clock.advance(59 * 60)
        ServerProperties(client).list()
        assert sim.stats.count(route='xenmobile.login') == 1
        sim.clock.advance(2 * 60)  # past xms.publicapi.static.timeout (60 minutes)
        ServerProperties(client).list()
    assert sim.stats.count(route='xenmobile.login') == 2


def test_second_401_is_not_retried_again(sim):
    sim.faults.add('status', route='xenmobile.properties', status=401, times=-1)
    with pytest.raises(errors.AuthenticationError) as caught:
        with xm_client(sim) as client:
            ServerProperties(client).list()
    assert sim.stats.count(route='xenmobile.login') == 2
    assert sim.stats.count(route='xenmobile.properties') == 2
    assert 'a new sign-in was rejected too' in str(caught.value)


def test_rbac_devices_only_user(sim):
    xenmobile(sim).add_user('devices-only', 'Dev1ces-Only-pw', permissions=['PUBLIC_API_ACCESS', 'DEVICES'])
    with xm_client(sim, username='devices-only', password='Dev1ces-Only-pw') as client:
        assert len(list(Devices(client).list())) == 1000
        with pytest.raises(errors.AccessDeniedError) as caught:
            ServerProperties(client).list()
    assert 'HTTP 403' in str(caught.value) and 'Public API access' in str(caught.value)


def test_user_without_public_api_access_cannot_sign_in(sim):
    xenmobile(sim).add_user('console-only', 'C0nsole-Only-pw', permissions=['DEVICES'])
    with pytest.raises(errors.AccessDeniedError) as caught:
        xm_client(sim, username='console-only', password='C0nsole-Only-pw').login()
    assert 'lacks the Public API access permission' in str(caught.value)


def test_missing_credentials_fail_before_any_request(sim):
    with pytest.raises(errors.InputError) as caught:
        XenMobileClient(xenmobile(sim).url(), username=XM_USER, password=None)
    assert 'XENMOBILE_PASSWORD' in str(caught.value)
    assert sim.stats.count() == 0


# -- paging ----------------------------------------------------------------------------------------

@pytest.mark.parametrize('api, page_size, requests', [
    ('endpoint_management', 100, 11),  # 1,050 devices: ten full pages and one of 50
    ('endpoint_management', 50, 21),
    ('legacy', None, 2),  # default page of 1000
    ('legacy', 5000, 1),
])
def test_device_paging_request_counts(big_sim, api, page_size, requests):
    with xm_client(big_sim) as client:
        devices = list(Devices(client).list(api=api, page_size=page_size))
    assert len(devices) == 1050
    assert len(set(d['id'] for d in devices)) == 1050
    route = 'xenmobile.device_filter_em' if api == 'endpoint_management' else 'xenmobile.device_filter'
    assert big_sim.stats.count(route=route) == requests


def test_endpoint_management_guid_device_ids(make_sim):
    sim = make_sim(config={'xenmobile': {'devices': 230, 'device_ids': 'guid'}})
    with xm_client(sim) as client:
        devices = list(Devices(client).list(api='endpoint_management'))
    assert len(set(d['id'] for d in devices)) == 230 and all(len(d['id']) == 36 for d in devices)
    assert sim.stats.count(route='xenmobile.device_filter_em') == 3


def test_exact_multiple_needs_no_trailing_empty_page(sim):
    with xm_client(sim) as client:
        assert len(list(Devices(client).list(api='endpoint_management', page_size=100))) == 1000
    assert sim.stats.count(route='xenmobile.device_filter_em') == 10


def test_endpoint_management_page_cap_is_enforced_before_sending(sim):
    with xm_client(sim) as client:
        with pytest.raises(errors.InputError) as caught:
            list(Devices(client).list(api='endpoint_management', page_size=101))
    assert 'page_size 101' in str(caught.value) and '1 to 100' in str(caught.value)
    assert sim.stats.count(route='xenmobile.device_filter_em') == 0


def test_simulator_refuses_an_uncapped_endpoint_management_request(sim):
    """The simulator's cap is real: a client that sent limit 500 would get the API's error."""
    with xm_client(sim) as client:
        with pytest.raises(errors.ApiError) as caught:
            client.call('POST', '/api/endpoint-management/devices/filter', 'list devices',
                        json_body={'start': '0', 'limit': '500'}, state_changing=False)
    assert caught.value.status == 400 and 'between 1 and 100' in str(caught.value)


def test_filter_ids_and_search_reach_the_server(sim):
    devices = xenmobile(sim).instance().devices
    ios = [d for d in devices if d['platform'] == 'iOS']
    byod_ios = [d for d in ios if d['_ownership'] == 'byod']
    with xm_client(sim) as client:
        assert len(list(Devices(client).list(filter_ids=['device.platform.ios']))) == len(ios)
        assert len(list(Devices(client).list(filter_ids=['device.platform.ios', 'device.ownership.byod']))) == len(byod_ios)
        found = list(Devices(client).list(search='SN00000042'))
    assert [d['serialNumber'] for d in found] == ['SN00000042']


def test_filter_ids_must_be_the_quoted_list_string(sim):
    with xm_client(sim) as client:
        with pytest.raises(errors.ApiError) as caught:
            client.call('POST', '/xenmobile/api/v1/device/filter', 'list devices',
                        json_body={'filterIds': ['device.platform.ios']}, state_changing=False)
    assert 'filterIds must be a string' in str(caught.value)


def test_throttled_device_page_is_retried(sim):
    sleeps = []
    sim.faults.add('status', route='xenmobile.device_filter', status=429, headers={'Retry-After': '3'}, after=1)
    with xm_client(sim, sleeps=sleeps.append) as client:
        assert len(list(Devices(client).list(page_size=400))) == 1000
    assert sleeps == [3.0]
    assert sim.stats.count(route='xenmobile.device_filter') == 4  # three pages, one of them twice


def test_failed_write_is_not_repeated(sim):
    sim.faults.add('status', route='xenmobile.property_edit', status=500, body={'status': 500, 'message': 'boom'},
                   times=-1)
    with xm_client(sim) as client:
        with pytest.raises(errors.ServerError) as caught:
            ServerProperties(client).edit({'name': 'sim.shp.enabled', 'value': 'true'})
    assert sim.stats.count(route='xenmobile.property_edit') == 1
    assert 'boom' in str(caught.value)


def test_malformed_reply_is_a_format_error(sim):
    sim.faults.add('malformed', route='xenmobile.properties')
    with xm_client(sim) as client:
        with pytest.raises(errors.ResponseFormatError) as caught:
            ServerProperties(client).list()
    assert 'not valid JSON' in str(caught.value)


def test_apps_are_paged_with_the_application_filter(sim):
    with xm_client(sim) as client:
        apps = list(Apps(client).list(page_size=3))
        enterprise = list(Apps(client).list(filter_ids=['application.type.enterprise']))
    assert len(apps) == 8
    assert sim.stats.count(route='xenmobile.app_filter') == 3 + 1
    assert [a['name'] for a in enterprise] == ['Expenses', 'Field Notes', 'Badge Reader']


# -- enterprise app uploads ----------------------------------------------------------------------

def test_upload_new_app_add_platform_and_upgrade(sim, tmp_path):
    ipa = tmp_path / 'Scanner.ipa'
    ipa.write_bytes(xenmobile_seed.build_package('ios', '1.0.0', 'Scanner'))
    apk = tmp_path / 'Scanner.apk'
    apk.write_bytes(xenmobile_seed.build_package('android', '1.0.0'))
    info = {'name': 'Scanner', 'description': 'Barcode scanner', 'category': ['Tools'],
            'deploymentSchedule': {'deploySchedule': 'NOW', 'deployScheduleCondition': 'EVERYTIME'}}
    with xm_client(sim) as client:
        created = Apps(client).upload('ios', str(ipa), info)
        assert platform_versions(created) == {'ios': '1.0.0'}
        Apps(client).upload('android', str(apk), info, created['id'])
        ipa.write_bytes(xenmobile_seed.build_package('ios', '1.1.0', 'Scanner'))
        Apps(client).upload('ios', str(ipa), info, created['id'])
        container = Apps(client).container(created['id'])
    assert platform_versions(container) == {'ios': '1.1.0', 'android': '1.0.0'}
    assert container['categories'] == ['Tools'] and container['description'] == 'Barcode scanner'
    assert xenmobile(sim).writes('default') == ['Scanner/ios', 'Scanner/android', 'Scanner/ios']


def test_upload_refuses_a_missing_file_before_sending(sim, tmp_path):
    with xm_client(sim) as client:
        with pytest.raises(errors.InputError):
            Apps(client).upload('ios', str(tmp_path / 'nope.ipa'), {'name': 'X'})
    assert sim.stats.count(route='xenmobile.app_upload') == 0


# -- Citrix Cloud login --------------------------------------------------------------------------

def test_cloud_login_with_a_citrix_cloud_token(make_sim, tmp_path, monkeypatch):
    sim = make_sim(services=['cloud', 'xenmobile'], config={'xenmobile': {'cloud_token_kinds': ['oauth2']}})
    monkeypatch.setenv('XDG_CACHE_HOME', str(tmp_path / 'cache'))
    cloud = CloudClient('sim-client-id', 'sim-client-secret', api_url=sim.url, ca_path=sim.ca_path)
    client = XenMobileClient(xenmobile(sim).url(), login_type='cloud', cloud_token=cloud.token, ca_path=sim.ca_path)
    with client:
        assert ServerProperties(client).list()
    assert sim.stats.count(route='cloud.token') == 1
    assert sim.stats.count(route='xenmobile.login_cloud') == 1
    assert sim.stats.count(route='xenmobile.login') == 0
    assert sim.stats.count(route='xenmobile.logout') == 1


def test_cloud_login_with_an_unknown_token_fails_clearly(sim):
    client = XenMobileClient(xenmobile(sim).url(), login_type='cloud', cloud_token=lambda: 'not-a-cloud-token',
                             ca_path=sim.ca_path)
    with pytest.raises(errors.AuthenticationError) as caught:
        client.login()
    assert 'invalid or expired' in str(caught.value) and client.server in str(caught.value)


def test_password_and_token_are_registered_for_redaction(sim):
    with xm_client(sim) as client:
        token = client.login()
        assert client.redact('x %s y %s' % (XM_PASSWORD, token)) == 'x ******** y ********'
