"""The one sign-in sequence (``auth.TokenAuth`` in the transport), per scheme, against the simulator.

For every answer a scheme can really get when its token is no longer good, the client asks for exactly
one new token and resends the rejected request exactly once; when the new token is rejected as well,
the call fails in one line (no third token, no loop):

- Citrix Cloud and DaaS through Citrix Cloud: the Workspaces hosts' ``CWSAuthException``, the API
  gateway's ``errors-api.cloud.com/common/authentication`` problem and DaaS's ``ErrorData`` with
  ``ErrorType: AuthenticationFailed``; a 401 in another shape (not a token problem) gets no new token;
- the on-premises Delivery Controller and XenMobile (password and Citrix Cloud sign-in): any 401;
- StoreFront: a 401 with a CitrixAuth challenge.
"""

import pytest

from ansible_collections.opencitrix.automation.plugins.module_utils import errors
from ansible_collections.opencitrix.automation.plugins.module_utils.citrix_cloud.client import CloudClient
from ansible_collections.opencitrix.automation.plugins.module_utils.citrix_cloud.trust import TrustClient
from ansible_collections.opencitrix.automation.plugins.module_utils.citrix_cloud.resource_locations import (
    ResourceLocations,
)
from ansible_collections.opencitrix.automation.plugins.module_utils.daas.client import DaasClient
from ansible_collections.opencitrix.automation.plugins.module_utils.daas.machines import Machines
from ansible_collections.opencitrix.automation.plugins.module_utils.retries import RetryPolicy
from ansible_collections.opencitrix.automation.plugins.module_utils.storefront.resources import Resources
from ansible_collections.opencitrix.automation.plugins.module_utils.xenmobile.properties import ServerProperties
from tests.integration.conftest import CLIENT_ID, CLIENT_SECRET, CUSTOMER_ID
from tests.integration.daas.support import ONPREM_PASSWORD, ONPREM_USER
from tests.integration.storefront import support as sf_support
from tests.integration.xenmobile.support import xm_client

NO_WAIT = dict(retry=RetryPolicy(retries=1, sleep=lambda _s: None))

WORKSPACES_401 = {'Error': {'Type': 'CWSAuthException', 'Message': 'Invalid bearer token'}}
GATEWAY_401 = {'type': 'https://errors-api.cloud.com/common/authentication', 'title': 'Authentication failed',
               'status': 401, 'detail': 'Missing or invalid authentication details'}
DAAS_401 = {'ErrorType': 'AuthenticationFailed', 'SdkErrorId': 'AuthenticationFailed',
            'ErrorMessage': 'Invalid bearer token.', 'ErrorDetails': None}
OTHER_401 = {'message': 'This customer is not entitled to this service'}


def cloud_client(sim):
    sim.service('cloud').add_client(CLIENT_ID, CLIENT_SECRET, CUSTOMER_ID)
    return CloudClient(CLIENT_ID, CLIENT_SECRET, CUSTOMER_ID, api_url=sim.url, workspaces_api_url=sim.url + '/{service}',
                       ca_path=sim.ca_path, token_cache=False, **NO_WAIT)


def daas_cloud_client(sim):
    sim.service('cloud').add_client(CLIENT_ID, CLIENT_SECRET, CUSTOMER_ID)
    return DaasClient.from_params(dict(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, customer_id=CUSTOMER_ID,
                                       api_url=sim.url, ca_path=sim.ca_path, token_cache=False, retries=1))


def daas_onprem_client(sim):
    sim.service('daas').add_admin(ONPREM_USER, ONPREM_PASSWORD)
    return DaasClient.from_params(dict(ddc_url=sim.url, client_id=ONPREM_USER, client_secret=ONPREM_PASSWORD,
                                       ca_path=sim.ca_path, token_cache=False, retries=1))


def list_machines(client):
    return list(Machines(client).list())


# scheme, client factory, the call, the route rejected, the token route, the rejection body
CASES = [
    ('cloud workspaces', cloud_client, lambda c: c.service_states(), 'cloud.service_states', 'cloud.token',
     WORKSPACES_401),
    ('cloud gateway', cloud_client, lambda c: ResourceLocations(c).list(), 'resource_locations.list', 'cloud.token',
     GATEWAY_401),
    ('daas via cloud', daas_cloud_client, list_machines, 'daas.machines.list', 'cloud.token', DAAS_401),
    ('daas on-premises', daas_onprem_client, list_machines, 'daas.machines.list', 'daas.onprem.token',
     {'Message': 'Authorization has been denied for this request.'}),
]


def _prepare(sim, factory, call):
    client = factory(sim)
    call(client)  # signed in, the route known to work
    sim.reset()
    return client


@pytest.mark.parametrize('scheme,factory,call,route,token_route,body', CASES, ids=[c[0] for c in CASES])
def test_a_rejected_token_gets_one_new_token_and_one_resend(scheme, factory, call, route, token_route, body, make_sim):
    sim = make_sim()
    client = _prepare(sim, factory, call)
    sim.faults.add('status', route=route, status=401, body=body, times=1)
    call(client)
    assert sim.stats.count(route=token_route) == 1
    assert sim.stats.count(route=route) == 2


@pytest.mark.parametrize('scheme,factory,call,route,token_route,body', CASES, ids=[c[0] for c in CASES])
def test_a_second_rejection_fails_in_one_line(scheme, factory, call, route, token_route, body, make_sim):
    sim = make_sim()
    client = _prepare(sim, factory, call)
    sim.faults.add('status', route=route, status=401, body=body, times=2)
    with pytest.raises(errors.AuthenticationError) as caught:
        call(client)
    message = str(caught.value)
    assert '\n' not in message and 'a new sign-in was rejected too' in message and 'HTTP 401' in message
    assert sim.stats.count(route=token_route) == 1
    assert sim.stats.count(route=route) == 2


@pytest.mark.parametrize('route', ['cloud.service_states', 'daas.machines.list'])
def test_a_cloud_401_that_is_not_about_the_token_gets_no_new_token(route, make_sim):
    sim = make_sim()
    factory, call = (cloud_client, lambda c: c.service_states()) if route.startswith('cloud') else \
        (daas_cloud_client, list_machines)
    client = _prepare(sim, factory, call)
    sim.faults.add('status', route=route, status=401, body=OTHER_401, times=1)
    with pytest.raises(errors.AuthenticationError, match='not entitled'):
        call(client)
    assert sim.stats.count(route='cloud.token') == 0
    assert sim.stats.count(route=route) == 1


@pytest.mark.parametrize('login_type', ['password', 'cloud'])
def test_xenmobile_401_gets_one_new_sign_in_and_one_resend(login_type, make_sim):
    sim = make_sim()
    login_route = 'xenmobile.login' if login_type == 'password' else 'xenmobile.login_cloud'
    kwargs = {}
    if login_type == 'cloud':
        sim.service('cloud').add_client(CLIENT_ID, CLIENT_SECRET, CUSTOMER_ID)
        # The legacy trust token, the one the public REST API documents for this sign-in.
        trust = TrustClient(CLIENT_ID, CLIENT_SECRET, CUSTOMER_ID, trust_url=sim.url + '/{service}',
                            ca_path=sim.ca_path, token_cache=False, **NO_WAIT)
        kwargs = dict(login_type='cloud', cloud_token=trust.token, username=None, password=None)
    with xm_client(sim, **kwargs) as client:
        ServerProperties(client).list()
        sim.reset()
        sim.faults.add('status', route='xenmobile.properties', status=401, times=1,
                       body={'status': 401, 'message': 'Unauthorized'})
        ServerProperties(client).list()
        assert sim.stats.count(route=login_route) == 1
        assert sim.stats.count(route='xenmobile.properties') == 2
        sim.faults.add('status', route='xenmobile.properties', status=401, times=2,
                       body={'status': 401, 'message': 'Unauthorized'})
        with pytest.raises(errors.AuthenticationError) as caught:
            ServerProperties(client).list()
        assert 'a new sign-in was rejected too' in str(caught.value) and '\n' not in str(caught.value)
        assert sim.stats.count(route=login_route) == 2


def test_storefront_challenge_gets_one_new_token_and_one_resend(make_sim, tmp_path):
    sim = make_sim()
    client = sf_support.client(sim, tmp_path)
    Resources(client).list()
    sim.reset()
    sim.service('storefront').expire_tokens('service')  # the store answers the next read with a challenge
    Resources(client).list()
    assert sim.stats.count(route='storefront.token') == 1
    assert sim.stats.count(route='storefront.resources_noauto') == 2
