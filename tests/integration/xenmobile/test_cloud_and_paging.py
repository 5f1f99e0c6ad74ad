"""XenMobile cloud sign-in with both kinds of Citrix Cloud token (the legacy trust token the public REST
API documents, then the cctrustoauth2 token), and Endpoint Management device paging under both readings
of ``start`` (a 0-based offset, or the PDF example's "Start=101" for page two)."""

import pytest

from ansible_collections.opencitrix.automation.plugins.module_utils import errors
from ansible_collections.opencitrix.automation.plugins.module_utils.retries import RetryPolicy
from ansible_collections.opencitrix.automation.plugins.module_utils.xenmobile.client import XenMobileClient
from ansible_collections.opencitrix.automation.plugins.module_utils.xenmobile.devices import Devices
from tests.integration.xenmobile.support import xm_client
from tests.simulator.services.citrix_cloud.state import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_CUSTOMER


def cloud_params(sim, **extra):
    params = {'url': sim.service('xenmobile').url(), 'login_type': 'cloud', 'cloud_client_id': DEFAULT_CLIENT_ID,
              'cloud_client_secret': DEFAULT_CLIENT_SECRET, 'cloud_customer_id': DEFAULT_CUSTOMER,
              'cloud_api_url': sim.url, 'cloud_trust_url': sim.url + '/{service}', 'ca_path': sim.ca_path,
              'retries': 0}
    params.update(extra)
    return params


def counts(sim):
    return dict((route, sim.stats.count(route=route)) for route in
                ('cloud.trust_token', 'cloud.token', 'xenmobile.login_cloud'))


@pytest.fixture
def cache_home(tmp_path, monkeypatch):
    monkeypatch.setenv('XDG_CACHE_HOME', str(tmp_path / 'cache'))


def sign_in(sim, **extra):
    client = XenMobileClient.from_params(cloud_params(sim, **extra))
    client.login()
    return client


def test_the_legacy_trust_token_is_used_first(make_sim, cache_home):
    sim = make_sim(services=['cloud', 'xenmobile'], size=1)
    with sign_in(sim) as client:
        assert Devices(client).described()
    assert counts(sim) == {'cloud.trust_token': 1, 'cloud.token': 0, 'xenmobile.login_cloud': 1}
    token = [t for t, r in sim.service('cloud').tokens.items() if r['kind'] == 'trust']
    assert len(token) == 1


def test_a_server_that_takes_only_cctrustoauth2_tokens_gets_one_after_the_trust_token(make_sim, cache_home):
    sim = make_sim(services=['cloud', 'xenmobile'], size=1, config={'xenmobile': {'cloud_token_kinds': ['oauth2']}})
    client = sign_in(sim)
    assert counts(sim) == {'cloud.trust_token': 1, 'cloud.token': 1, 'xenmobile.login_cloud': 2}
    # A new sign-in (the session expired) starts with the kind that worked.
    sim.service('xenmobile').expire_tokens()
    assert Devices(client).described()
    assert counts(sim) == {'cloud.trust_token': 1, 'cloud.token': 1, 'xenmobile.login_cloud': 3}
    client.logout()


def test_a_retired_trust_api_falls_back_to_cctrustoauth2(make_sim, cache_home):
    sim = make_sim(services=['cloud', 'xenmobile'], size=1,
                   config={'cloud': {'legacy_trust': False}, 'xenmobile': {'cloud_token_kinds': ['trust', 'oauth2']}})
    with sign_in(sim):
        pass
    assert counts(sim) == {'cloud.trust_token': 1, 'cloud.token': 1, 'xenmobile.login_cloud': 1}


def test_without_a_customer_id_auto_goes_to_cctrustoauth2_and_trust_alone_refuses_before_any_request(
        make_sim, cache_home):
    sim = make_sim(services=['cloud', 'xenmobile'], size=1, config={'xenmobile': {'cloud_token_kinds': ['oauth2']}})
    with sign_in(sim, cloud_customer_id=None):
        pass
    assert counts(sim) == {'cloud.trust_token': 0, 'cloud.token': 1, 'xenmobile.login_cloud': 1}
    before = sim.stats.count()
    with pytest.raises(errors.InputError) as caught:
        XenMobileClient.from_params(cloud_params(sim, cloud_customer_id=None, cloud_token_kind='trust'))
    assert 'customer id' in str(caught.value) and sim.stats.count() == before


def test_both_kinds_refused_fail_in_one_line_naming_both(make_sim, cache_home):
    sim = make_sim(services=['cloud', 'xenmobile'], size=1, config={'xenmobile': {'cloud_token_kinds': []}})
    with pytest.raises(errors.AuthenticationError) as caught:
        sign_in(sim)
    message = str(caught.value)
    assert '\n' not in message
    assert 'legacy trust token (POST %s/trust/%s/tokens/clients) -> refused by XenMobile (HTTP 401' % (
        sim.url, DEFAULT_CUSTOMER) in message
    assert 'cctrustoauth2 token (POST %s/cctrustoauth2/root/tokens/clients) -> refused by XenMobile' % sim.url in message
    assert 'tried in this order: legacy trust token, cctrustoauth2 token' in message
    assert DEFAULT_CLIENT_SECRET not in message
    assert not any(token in message for token in sim.service('cloud').tokens)


def test_a_wrong_secret_names_the_trust_api_refusal_too(make_sim, cache_home):
    sim = make_sim(services=['cloud', 'xenmobile'], size=1)
    with pytest.raises(errors.AuthenticationError) as caught:
        sign_in(sim, cloud_client_secret='xm-wrong-secret-77aa')
    message = str(caught.value)
    assert 'legacy trust token' in message and 'not obtained' in message and 'cctrustoauth2 token' in message
    assert 'xm-wrong-secret-77aa' not in message
    assert sim.stats.count(route='xenmobile.login_cloud') == 0


# -- Endpoint Management paging -------------------------------------------------------------------

@pytest.mark.parametrize('convention', ['offset', 'one_based'])
@pytest.mark.parametrize('devices, page_size', [(250, 100), (200, 100), (199, 100), (100, 100), (7, 3), (1, 100)])
def test_endpoint_management_paging_reads_every_device_once(make_sim, convention, devices, page_size):
    sim = make_sim(services=['xenmobile'], size=1,
                   config={'xenmobile': {'devices': devices, 'device_ids': 'guid', 'em_start': convention}})
    with xm_client(sim) as client:
        listed = list(Devices(client).list(api='endpoint_management', page_size=page_size))
    expected = [str(d['id']) for d in sorted(sim.service('xenmobile').instance().devices, key=lambda d: d['id'])]
    assert sorted(str(d['id']) for d in listed) == sorted(expected)
    assert len(listed) == len(set(str(d['id']) for d in listed)) == devices
    requests = sim.stats.count(route='xenmobile.device_filter_em')
    pages = -(-devices // page_size)
    # A 1-based server overlaps each page with the previous one by a device: one request more at most.
    assert requests <= pages + (1 if convention == 'one_based' else 0)
    if convention == 'offset':
        assert requests == pages


def test_a_server_repeating_the_same_page_ends_in_one_line():
    """A server that ignores ``start`` brings nothing new after the first page: the listing stops with a
    ResponseFormatError instead of paging for ever (the stall detection of paging.iterate_pages)."""
    class Repeating:
        server = 'https://xm.example'

        def __init__(self):
            self.calls = 0

        def paged(self, *args, **kwargs):
            return XenMobileClient.paged(self, *args, **kwargs)

        def call(self, method, path, what, json_body=None, state_changing=None):
            self.calls += 1
            return {'filteredDevicesDataList': [{'id': n} for n in range(100)], 'matchedRecords': 1000}

    fake = Repeating()
    with pytest.raises(errors.ResponseFormatError) as caught:
        list(Devices(fake).list(api='endpoint_management'))
    assert 'paging did not advance' in str(caught.value)
    assert fake.calls == 4


def test_the_legacy_device_listing_is_unchanged(make_sim):
    """The device listing through the legacy path is unchanged: 1,050 devices in 2 requests of 1,000."""
    sim = make_sim(services=['xenmobile'], size=1, config={'xenmobile': {'devices': 1050}})
    client = XenMobileClient(sim.service('xenmobile').url(), 'sim-xm-admin', 'sim-xm-Passw0rd', ca_path=sim.ca_path,
                             retry=RetryPolicy(retries=0))
    with client:
        assert len(list(Devices(client).list())) == 1050
    assert sim.stats.count(route='xenmobile.device_filter') == 2


def test_cloud_sign_in_through_ansible_playbook_at_vvvv_shows_no_token(make_sim, run_playbook):
    """The module path: options from the environment as an AWX credential injects them (the customer id from
    CITRIX_CUSTOMER_ID), the trust token first, and neither the client secret nor any token in the -vvvv output."""
    sim = make_sim(services=['cloud', 'xenmobile'], size=1, config={'xenmobile': {'devices': 12}})
    env = {'XENMOBILE_URL': sim.service('xenmobile').url(), 'XENMOBILE_LOGIN_TYPE': 'cloud',
           'XENMOBILE_CA_PATH': sim.ca_path, 'CITRIX_CLIENT_ID': DEFAULT_CLIENT_ID,
           'CITRIX_CLIENT_SECRET': DEFAULT_CLIENT_SECRET, 'CITRIX_CUSTOMER_ID': DEFAULT_CUSTOMER,
           'CITRIX_CLOUD_API_URL': sim.url, 'CITRIX_TRUST_URL': sim.url + '/{service}', 'CITRIX_CA_PATH': sim.ca_path}
    play = [{'name': 'cloud', 'hosts': 'targets', 'gather_facts': False, 'tasks': [
        {'name': 'devices', 'opencitrix.automation.xenmobile_device_info': {}, 'register': 'devices'}]}]
    run = run_playbook(play, env=env, verbosity=4)
    assert run.rc == 0, run
    assert run.task('devices')['result']['count'] == 12
    assert counts(sim) == {'cloud.trust_token': 1, 'cloud.token': 0, 'xenmobile.login_cloud': 1}
    secrets = [DEFAULT_CLIENT_SECRET] + list(sim.service('cloud').tokens) + list(
        sim.service('xenmobile').instance().issued)
    assert len(secrets) >= 3
    assert not [s[:4] for s in secrets if s in run.output or s in str(run.results)]
