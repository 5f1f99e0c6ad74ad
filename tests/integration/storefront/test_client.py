"""The StoreFront client against the simulated store, in process: the token flow step by step, token
reuse, the errors a sign-in or a store can answer with, and what the simulator must look like to match the spec."""

import os

import pytest
import requests

from ansible_collections.opencitrix.automation.plugins.module_utils import errors
from ansible_collections.opencitrix.automation.plugins.module_utils.retries import RetryPolicy
from ansible_collections.opencitrix.automation.plugins.module_utils.storefront.client import StoreFrontClient
from ansible_collections.opencitrix.automation.plugins.module_utils.storefront.resources import (
    MEDIA_RESOURCES, Resources, parse_resources,
)
from tests.harness import ROOT
from tests.integration.storefront.support import PASSWORD, SIGN_IN_ROUTES, USERNAME, client

SPEC_EXAMPLE = os.path.join(ROOT, '..', 'shared', 'specs', 'storefront',
                            'example-resources.xml')


def paths(sim):
    return sim.stats.snapshot()['paths']


def test_flow_follows_the_documented_sequence(sim):
    sf = client(sim)
    listing = Resources(sf).list(auto_provision=True)
    assert len(listing['resources']) == 500
    assert paths(sim) == {
        'GET /Citrix/Store/resources/v2': 2,                   # 401 challenge, then 200 with the token
        'POST /Citrix/Authentication/auth/v1/token': 2,        # 401 (no primary token), then the service token
        'POST /Citrix/Authentication/auth/v1/protocols': 1,    # 300 Multiple Choices
        'POST /Citrix/Authentication/ExplicitForms/Authenticate': 1,
        'POST /Citrix/Authentication/ExplicitForms': 1,        # the post-back, with the session cookie
    }
    assert not [c for c in sf.http.session.cookies if c.name == 'ASP.NET_SessionId']  # forgotten afterwards
    assert sf.redact('x %s y' % sf._service_token) == 'x ******** y'
    assert sf.redact('x %s y' % sf._primary_token) == 'x ******** y'


def test_lenient_challenges_of_the_published_examples(make_sim):
    sim = make_sim(services=['storefront'], config={'storefront': {'challenge_style': 'doc-examples'}})
    response = requests.get(sim.url + '/Citrix/Store/resources/v2', headers={'Accept': MEDIA_RESOURCES},
                            verify=sim.ca_path)
    assert 'serviceroot-hint=https://' in response.headers['WWW-Authenticate']  # unquoted, as published
    assert len(Resources(client(sim)).list()['resources']) == 500


def test_tokens_are_reused_and_renewed_as_they_expire(sim):
    sf = client(sim)
    Resources(sf).list()
    Resources(sf).list()
    assert sim.stats.count(route='storefront.forms_postback') == 1
    assert sim.stats.count(route='storefront.resources_noauto') == 3  # one challenge, two enumerations
    sim.reset()
    sim.service('storefront').expire_tokens('service')
    Resources(sf).list()  # expired service token: a new one from the primary token, no new sign-in
    assert sim.stats.snapshot()['routes'] == {'storefront.resources_noauto': 2, 'storefront.token': 1}
    sim.reset()
    sim.service('storefront').expire_tokens()
    Resources(sf).list()  # both expired: the primary token is refused too, so the user signs in again
    assert sim.stats.snapshot()['routes'] == dict(SIGN_IN_ROUTES, **{'storefront.resources_noauto': 2})


def test_token_cache_is_shared_and_a_refused_token_is_replaced(sim, tmp_path):
    Resources(client(sim, tmp_path)).list()
    sim.reset()
    Resources(client(sim, tmp_path)).list()  # another process of the same run: the cached token works
    assert sim.stats.snapshot()['routes'] == {'storefront.resources_noauto': 1}
    sim.service('storefront').expire_tokens()
    sim.reset()
    Resources(client(sim, tmp_path)).list()
    assert sim.stats.count(route='storefront.forms_postback') == 1
    sim.reset()
    other = client(sim, tmp_path, password=PASSWORD + '-other')  # another secret never reads this token
    with pytest.raises(errors.AuthenticationError):
        Resources(other).list()


def test_token_from_elsewhere_service_or_primary(sim):
    store = sim.service('storefront')
    url = sim.url + '/Citrix/Store'
    as_service = StoreFrontClient(url, token=store.mint_token(USERNAME), ca_path=sim.ca_path)
    assert Resources(as_service).list()['resources']
    assert sim.stats.snapshot()['routes'] == {'storefront.resources_noauto': 1}
    sim.reset()
    as_primary = StoreFrontClient(url, token=store.mint_token(USERNAME, primary=True), ca_path=sim.ca_path)
    assert Resources(as_primary).list()['resources']
    assert sim.stats.snapshot()['routes'] == {'storefront.resources_noauto': 2, 'storefront.token': 1}
    sim.reset()
    stale = StoreFrontClient(url, token='H4sIAAAAAAAEAnot-a-real-token==', ca_path=sim.ca_path)
    with pytest.raises(errors.AuthenticationError) as caught:
        Resources(stale).list()
    text = str(caught.value)
    assert 'reason invalidtoken' in text and 'STOREFRONT_USERNAME' in text and 'not-a-real' not in text


def test_wrong_password_names_the_form_message(sim):
    with pytest.raises(errors.AuthenticationError) as caught:
        Resources(client(sim, password='Not-the-password-77')).list()
    text = str(caught.value)
    assert text.startswith('Could not sign in to StoreFront as "IT\\sf-tester": fail: Incorrect user name or password.')
    assert 'check username and password' in text and 'Not-the-password-77' not in text and '\n' not in text


@pytest.mark.parametrize('config,expected', [
    ({'protocols': ['IntegratedWindows', 'CitrixAGBasic']}, 'offers IntegratedWindows, CitrixAGBasic but not ExplicitForms'),
    ({'second_factor': True}, 'asks for "Passcode:" (passcode)'),
])
def test_sign_in_that_needs_a_person_fails_clearly(make_sim, config, expected):
    sim = make_sim(services=['storefront'], config={'storefront': config})
    with pytest.raises(errors.AuthenticationError) as caught:
        Resources(client(sim)).list()
    assert expected in str(caught.value)


def test_session_cookie_is_required_by_the_simulated_forms(sim):
    """Fidelity: a post-back without the conversation's cookie gets the documented error form."""
    response = requests.post(sim.url + '/Citrix/Authentication/ExplicitForms', data={'StateContext': ''},
                             verify=sim.ca_path)
    assert response.headers['Content-Type'].startswith('application/vnd.citrix.authenticateresponse-1+xml')
    assert '<Status>error-sessionid-expired</Status><Result>fail</Result>' in response.text


@pytest.mark.parametrize('header', ['CitrixAuth "%s"', 'CitrixAuth token=%s', 'Bearer %s', 'citrixauth %s'])
def test_simulated_store_accepts_only_the_exact_authorization_format(sim, header):
    token = sim.service('storefront').mint_token(USERNAME)
    response = requests.get(sim.url + '/Citrix/Store/resources/v2/withoutautoprovision', verify=sim.ca_path,
                            headers={'Accept': MEDIA_RESOURCES, 'Authorization': header % token})
    assert response.status_code == 401 and 'reason="invalidtoken"' in response.headers['WWW-Authenticate']


def test_bad_scope_is_the_apis_400_and_short_scope_names_map(sim):
    sf = client(sim)
    with pytest.raises(errors.ApiError) as caught:
        Resources(sf).list(scope='everything')
    text = str(caught.value)
    assert caught.value.status == 400 and "Invalid scope 'everything'." in text and 'HTTP 400' in text
    Resources(sf).list(scope='anonymous_prelaunch')
    assert sim.service('storefront').last_query['scope'] == ['$ANONYMOUS_PRELAUNCH$']
    Resources(sf).list(scope='$prelaunch$')  # the store compares case-insensitively
    assert sim.service('storefront').last_query['scope'] == ['$prelaunch$']


def test_unsupported_accept_is_406_and_unknown_id_404(sim):
    sf = client(sim)
    with pytest.raises(errors.ApiError) as caught:
        sf.get(sf.store_url + '/resources/v2', 'application/json', 'list StoreFront resources')
    assert caught.value.status == 406 and 'Not acceptable' in str(caught.value)
    with pytest.raises(errors.NotFoundError) as caught:
        sf.get(sf.store_url + '/resources/v2/Tm9TdWNoUmVzb3VyY2U-', 'application/vnd.citrix.resource+xml', 'read it')
    assert caught.value.code == 'ResourceNotFound'
    before = sim.stats.count(route='storefront.resource')
    with pytest.raises(errors.NotFoundError) as caught:
        Resources(sf).get('Controller.NoSuchApp')
    assert 'No StoreFront resource with id "Controller.NoSuchApp"' in str(caught.value) and 'lists 500' in str(caught.value)
    assert sim.stats.count(route='storefront.resource') == before


def test_one_resource_by_id_from_its_details_url(sim):
    listing = Resources(client(sim)).get('Farm1.Microsoft Excel 21')
    [excel] = listing['resources']
    assert excel['title'] == 'Microsoft Excel 21' and excel['folder'] == 'Finance'
    assert excel['description'] == 'Published by Farm1 & maintained by <IT> "Apps" team'
    assert sim.stats.count(route='storefront.resource') == 1


def test_groups_and_subscription_filter_are_the_stores(sim):
    sf = client(sim)
    status_only = Resources(sf).list(groups=['STATUS'])['resources']
    assert all(r['title'] is None and r['details_url'] and r['subscription_status'] for r in status_only)
    ids_only = Resources(sf).list(groups=['no-such-group'])['resources']
    assert len(ids_only) == 500 and all(r['details_url'] is None and r['mandatory'] is False for r in ids_only)
    denied = Resources(sf).list(subscription_status=['denied', 'approved'])['resources']
    assert denied and {r['subscription_status'] for r in denied} == {'denied', 'approved'}
    assert all(r['subscription_response_reason'] == 'Not approved by manager'
               for r in denied if r['subscription_status'] == 'denied')


def test_extension_elements_and_keywords_are_read_or_ignored(sim):
    resources = Resources(client(sim)).list()['resources']
    auto = [r for r in resources if 'Auto' in r['keywords']]
    assert auto and all(r['properties'].get('Category') for r in auto)
    desktops = [r for r in resources if r['type'] == 'Citrix.MPS.Desktop']
    assert desktops and all(r['power_off_url'].endswith('/poweroff') for r in desktops)
    documents = [r for r in resources if r['type'] == 'Citrix.MPS.Document']
    assert documents and all(r['content_location'].startswith('\\\\fileserver') for r in documents)


@pytest.mark.skipif(not os.path.exists(SPEC_EXAMPLE), reason='../shared/specs not beside the checkout')
def test_simulated_notepad_matches_the_published_example(sim):
    """Fidelity: the spec's example resource, parsed, equals the simulator's (apart from the host)."""
    with open(SPEC_EXAMPLE, 'rb') as handle:
        example = parse_resources(handle.read())
    ours = Resources(client(sim)).list()
    assert (ours['enumeration'], ours['subscriptions_status']) == (example['enumeration'], example['subscriptions_status'])
    simulated = dict(ours['resources'][0])
    published = example['resources'][0]
    for key, value in published.items():
        if isinstance(value, str) and value.startswith('https://www.example.com/'):
            value = sim.url + value[len('https://www.example.com'):]
        if value not in (None, [], {}):
            assert simulated[key] == value, key


def test_throttling_and_gateway_errors_during_the_flow_are_retried(sim):
    delays = []
    sf = client(sim, retry=RetryPolicy(retries=3, sleep=delays.append, rand=lambda: 1.0))
    sim.faults.add('status', route='storefront.protocols', status=429, headers={'Retry-After': '2'})
    sim.faults.add('html', route='storefront.resources_noauto', status=502, after=1)
    sim.faults.add('reset', route='storefront.forms_postback')
    assert len(Resources(sf).list()['resources']) == 500
    assert delays == [2.0, 1.0, 1.0]  # Retry-After, then backoff for the reset and the 502
    assert sim.stats.count(route='storefront.protocols') == 2
    assert sim.stats.count(route='storefront.forms_postback') == 2


def test_an_answer_that_is_not_the_api_is_named(sim):
    sf = client(sim)
    Resources(sf).list(groups=['none'])
    sim.faults.add('malformed', route='storefront.resources_noauto')
    with pytest.raises(errors.ResponseFormatError) as caught:
        Resources(sf).list()
    assert 'expected application/vnd.citrix.resources+xml, got application/json' in str(caught.value)
    sim.faults.add('html', route='storefront.resources_noauto', status=503, times=-1)
    with pytest.raises(errors.ServerError) as caught:
        Resources(sf).list()
    assert 'text/html page "503 Bad Gateway"' in str(caught.value) and 'HTTP 503' in str(caught.value)
