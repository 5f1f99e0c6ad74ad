"""The DaaS client in-process against the simulator: site discovery, paging, lookups, power actions and
jobs, error bodies, retries, and the on-premises Orchestration API."""

import pytest
import requests

from ansible_collections.opencitrix.automation.plugins.module_utils import errors
from ansible_collections.opencitrix.automation.plugins.module_utils.daas.client import DaasClient
from ansible_collections.opencitrix.automation.plugins.module_utils.daas.jobs import wait_for_jobs
from ansible_collections.opencitrix.automation.plugins.module_utils.daas.machines import MACHINE_FIELDS, Machines
from ansible_collections.opencitrix.automation.plugins.module_utils.daas.power import apply_power_state
from tests.integration.daas.support import (
    FAST_CLOCK, ONPREM_PASSWORD, ONPREM_USER, cloud_client, cloud_params, onprem_env,
)


class Sleeps:
    def __init__(self):
        self.delays = []

    def __call__(self, seconds):
        self.delays.append(seconds)


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv('XDG_CACHE_HOME', str(tmp_path / 'cache'))


def raw_session(sim):
    """A requests session signed in to the simulator's Cloud API (for probing the simulator itself)."""
    session = requests.Session()
    session.trust_env = False  # REQUESTS_CA_BUNDLE from the environment would override verify
    session.verify = sim.ca_path
    token = session.post(sim.url + '/cctrustoauth2/root/tokens/clients', data={
        'grant_type': 'client_credentials', 'client_id': 'sim-client-id',
        'client_secret': 'sim-client-secret'}).json()['access_token']
    session.headers.update({'Authorization': 'CwsAuth Bearer=' + token, 'Accept': 'application/json',
                            'Citrix-CustomerId': 'simcustomer1',
                            'Citrix-InstanceId': sim.service('daas').site().id})
    return session


# -- sites ------------------------------------------------------------------------------------------

def test_single_site_is_discovered_once(sim):
    client = cloud_client(sim)
    assert client.site() == {'id': sim.service('daas').site().id, 'name': 'cloudxdsite'}
    list(Machines(client).list())
    client.jobs()
    assert sim.stats.count(route='daas.me') == 1


def test_several_sites_need_a_name(make_sim):
    sim = make_sim(config={'daas': {'sites': ['emea-site', 'amer-site']}})
    with pytest.raises(errors.InputError) as caught:
        cloud_client(sim).site()
    assert str(caught.value) == ('Customer "simcustomer1" has several sites (amer-site, emea-site); set site_name or '
                                 'site_id (CITRIX_DAAS_SITE_NAME / CITRIX_DAAS_SITE_ID)')
    amer = cloud_client(sim, site_name='AMER-site')
    assert amer.site()['id'] == sim.service('daas').site('amer-site').id
    assert {m['Name'].split('\\')[0] for m in Machines(amer).list()} == {'SIMLAB2'}
    with pytest.raises(errors.InputError) as caught:
        cloud_client(sim, site_name='apac-site').site()
    assert 'Site "apac-site" not found; sites available: amer-site, emea-site' in str(caught.value)
    before = sim.stats.count(route='daas.me')
    by_id = cloud_client(sim, site_id=sim.service('daas').site('emea-site').id)
    assert len(list(Machines(by_id).list())) == 50
    assert sim.stats.count(route='daas.me') == before  # a site id needs no discovery


# -- listings ---------------------------------------------------------------------------------------

def test_listing_asks_1000_at_a_time_and_only_the_fields_it_uses(make_sim):
    sim = make_sim(size=2500)
    machines = list(Machines(cloud_client(sim)).list())
    assert len(machines) == 2500 and len({m['Id'] for m in machines}) == 2500
    assert sim.stats.count(route='daas.machines.list') == 3
    assert set().union(*(m.keys() for m in machines)) == set(MACHINE_FIELDS)


def test_simulator_pages_limits_and_error_bodies(sim):
    session = raw_session(sim)
    base = sim.url + '/cvad/manage'
    assert len(session.get(base + '/Machines').json()['Items']) == 100  # default 250, site of 100
    too_many = session.get(base + '/Machines', params={'limit': 1001})
    assert too_many.status_code == 400
    assert too_many.json()['SdkErrorId'] == 'InvalidArgument' and '1000' in too_many.json()['ErrorMessage']
    first = session.get(base + '/Machines', params={'limit': 60}).json()
    second = session.get(base + '/Machines', params={'limit': 60, 'continuationToken': first['ContinuationToken']}).json()
    assert len(first['Items']) == 60 and len(second['Items']) == 40 and second['ContinuationToken'] is None
    wrong_token = session.get(base + '/Sessions', params={'continuationToken': first['ContinuationToken']})
    assert wrong_token.status_code == 400
    no_customer = session.get(base + '/Machines', headers={'Citrix-CustomerId': None})
    assert no_customer.status_code == 500
    assert set(no_customer.json()) == {'activityId', 'message', 'statusCode'}
    no_site = session.get(base + '/Machines', headers={'Citrix-InstanceId': None})
    assert no_site.status_code == 400 and no_site.json()['SdkErrorId'] == 'InstanceIdMissing'
    other_customer = session.get(base + '/Machines', headers={'Citrix-CustomerId': 'someoneelse'})
    assert other_customer.status_code == 403
    assert session.get(base + '/Machines/SIMLAB%7CNOPE').json()['SdkErrorId'] == 'UnknownMachine'


def test_server_error_without_customer_header_is_one_line(sim):
    client = cloud_client(sim, sleep=Sleeps())
    client.customer_id = ''  # what a client without the header would get
    client._site = {'id': sim.service('daas').site().id, 'name': None}
    with pytest.raises(errors.ServerError) as caught:
        client.jobs()
    text = str(caught.value)
    assert 'activityId' in text and 'Internal server error' in text and 'HTTP 500' in text and '\n' not in text


def test_malformed_page_is_a_format_error(sim):
    sim.faults.add('malformed', route='daas.machines.list')
    with pytest.raises(errors.ResponseFormatError) as caught:
        list(Machines(cloud_client(sim, sleep=Sleeps())).list())
    assert 'not valid JSON' in str(caught.value)


# -- lookups ----------------------------------------------------------------------------------------

def test_machines_by_name_id_catalog_and_group(sim):
    client = cloud_client(sim)
    daas = sim.service('daas')
    first, second = daas.machines_of()[:2]
    name = daas.machine(first)['Name']
    found = Machines(client).find(names=[name.lower()], machine_ids=[second])
    assert [m['Id'] for m in found] == [first, second]
    # DOMAIN\\NAME travels as DOMAIN|NAME
    assert sim.stats.count(method='GET', path='/cvad/manage/Machines/' + name.lower().replace('\\', '%7C')) == 1
    short = Machines(client).find(names=[name.split('\\')[1]])  # no domain: matched in one listing
    assert [m['Id'] for m in short] == [first]
    assert sim.stats.count(route='daas.machines.list') == 1
    apps = Machines(client).find(catalog='Win2022-Apps')
    assert len(apps) == 25 and {m['MachineCatalog']['Name'] for m in apps} == {'Win2022-Apps'}
    narrowed = Machines(client).find(catalog='Dev-Persistent', delivery_group='developers')
    assert narrowed and {m['DeliveryGroup']['Name'] for m in narrowed} == {'Developers'}
    with pytest.raises(errors.NotFoundError) as caught:
        Machines(client).find(catalog='Win2022-Apps', names=[name, 'SIMLAB\\NOPE'])
    assert str(caught.value).startswith('Machines not found in Win2022-Apps: %s, SIMLAB\\NOPE' % name)
    with pytest.raises(errors.NotFoundError) as caught:
        Machines(client).find(catalog='No-Such-Catalog')
    assert 'UnknownCatalog' in str(caught.value) and 'HTTP 404' in str(caught.value)


def test_delivery_group_machines_are_listed_without_fields(sim):
    """GET /DeliveryGroups/{nameOrId}/Machines takes only limit and continuationToken; its answer carries
    every property of each machine."""
    sim.record(['daas'])
    found = Machines(cloud_client(sim)).find(delivery_group='Developers')
    listed = [e for e in sim.exchanges if e['route'] == 'daas.group_machines.list']
    assert len(listed) == 1 and set(listed[0]['query']) == {'limit'}
    assert found and all(m['DeliveryGroup']['Name'] == 'Developers' and 'Hosting' in m for m in found)


# -- power actions and jobs -------------------------------------------------------------------------

def test_unsupported_action_is_an_api_error_with_errordata(sim):
    daas = sim.service('daas')
    machine = daas.machines_of()[0]
    daas.update_machine(machine, SupportedPowerActions=['PowerOn'])
    with pytest.raises(errors.ApiError) as caught:
        Machines(cloud_client(sim)).power_action(machine, 'reboot')
    assert caught.value.status == 400
    assert 'PowerActionsNotSupported: Machine does not support specified power action.' in str(caught.value)


def test_throttled_power_action_is_retried_and_server_error_is_not(make_sim):
    sim = make_sim(time_scale=FAST_CLOCK)
    daas = sim.service('daas')
    catalog = daas.add_catalog('Retry', 2)
    sleeps = Sleeps()
    client = cloud_client(sim, sleep=sleeps)
    sim.faults.add('status', route='daas.power.reboot', status=429, headers={'Retry-After': '2'},
                   body={'SdkErrorId': 'TooManyRequests', 'ErrorMessage': 'Slow down'})
    assert Machines(client).power_action(catalog['machine_ids'][0], 'reboot')
    assert sleeps.delays == [2.0]
    sim.faults.add('status', route='daas.power.reboot', status=500,
                   body={'SdkErrorId': 'InternalError', 'ErrorMessage': 'Broker unavailable'})
    with pytest.raises(errors.ServerError):
        Machines(client).power_action(catalog['machine_ids'][1], 'reboot')
    assert sim.stats.count(route='daas.power.reboot') == 3  # 429 + retry, 500 once (a write is not repeated)


def test_wait_gives_up_at_the_timeout_and_reports_running_jobs(sim):
    daas = sim.service('daas')
    machine = daas.add_catalog('Slow', 1)['machine_ids'][0]
    client = cloud_client(sim)
    job_id = Machines(client).power_action(machine, 'reboot')
    clock = {'now': 0.0}

    def fake_sleep(seconds):
        clock['now'] += seconds

    finished, unfinished = wait_for_jobs(client, [job_id], timeout=5, sleep=fake_sleep, now=lambda: clock['now'])
    assert finished == {} and unfinished == {job_id}
    assert sim.stats.count(route='daas.jobs.list') == 4  # after 1, 2.5, 4.75 and 5 s (the deadline)
    sim.clock.advance(60)
    finished, unfinished = wait_for_jobs(client, [job_id], timeout=5, sleep=fake_sleep, now=lambda: clock['now'])
    assert finished[job_id]['Status'] == 'Complete' and not unfinished


def test_jobs_missing_from_the_list_are_read_one_by_one(make_sim):
    sim = make_sim(time_scale=FAST_CLOCK)
    daas = sim.service('daas')
    machines = daas.add_catalog('Polled', 3)['machine_ids']
    other = cloud_client(sim)
    client = cloud_client(sim, client_id='second-client', client_secret='second-secret')
    sim.service('cloud').add_client('second-client', 'second-secret', 'simcustomer1')
    job_id = Machines(other).power_action(machines[0], 'reboot')  # started by another caller: not in our GET /Jobs
    sim.clock.advance(60)
    finished, _running = wait_for_jobs(client, [job_id], timeout=30, sleep=lambda s: None)
    assert finished[job_id]['Status'] == 'Complete'
    assert sim.stats.count(route='daas.job.get') == 1


def test_each_state_sends_the_action_that_gets_there(make_sim):
    sim = make_sim(time_scale=FAST_CLOCK)
    daas = sim.service('daas')
    ids = daas.add_catalog('States', 4, profile='vm-suspend')['machine_ids']
    daas.update_machine(ids[1], PowerState='Off')
    daas.update_machine(ids[2], PowerState='Suspended')
    client = cloud_client(sim)
    machines = Machines(client).find(catalog='States')
    plans = {state: [r['action'] for r in apply_power_state(client, machines, state, check_mode=True).items]
             for state in ('started', 'stopped', 'suspended', 'restarted')}
    assert plans == {'started': [None, 'start', 'resume', None], 'stopped': ['shutdown', None, 'shutdown', 'shutdown'],
                     'suspended': ['suspend', None, None, 'suspend'], 'restarted': ['reboot', None, None, 'reboot']}
    results = apply_power_state(client, machines, 'stopped', force=True, sleep=lambda s: sim.clock.advance(60)).items
    assert [r['outcome'] for r in results] == ['changed', 'unchanged', 'changed', 'changed']
    assert {daas.machine(i)['PowerState'] for i in ids} == {'Off'}
    assert all(entry['force'] for entry in daas.power_log)


# -- on-premises ------------------------------------------------------------------------------------

def onprem_client(sim, password=ONPREM_PASSWORD, token_cache=True):
    env = onprem_env(sim)
    return DaasClient.from_params(dict(ddc_url=env['CITRIX_DDC_URL'], client_id=ONPREM_USER, client_secret=password,
                                       ca_path=sim.ca_path, token_cache=token_cache))


def test_on_premises_token_site_and_paths(sim):
    client = onprem_client(sim)
    site = sim.service('daas').site()
    assert client.site() == {'id': site.id, 'name': 'cloudxdsite'}
    assert len(list(Machines(client).list())) == 100
    assert sim.stats.count(method='GET', path='/citrix/orchestration/api/CitrixOnPremises/%s/Machines' % site.id) == 1
    again = onprem_client(sim)  # a second task of the run: the cached token, no new sign-in
    list(Machines(again).list())
    assert sim.stats.count(route='daas.onprem.token') == 1
    sim.service('daas').expire_onprem_tokens()
    list(Machines(again).list())
    assert sim.stats.count(route='daas.onprem.token') == 2  # one new token, one retry
    assert sim.stats.count(route='cloud.*') == 0


def test_on_premises_wrong_password_is_one_line_without_the_secret(sim):
    with pytest.raises(errors.AuthenticationError) as caught:
        onprem_client(sim, password='not-the-password', token_cache=False).site()
    text = str(caught.value)
    assert text.startswith('Could not sign in to the Delivery Controller as "SIMLAB\\automation": '
                           'AuthenticationFailed: The user name or password is incorrect. (HTTP 401')
    assert 'check client_id' in text and 'not-the-password' not in text


def test_cloud_options_are_checked_before_any_request(sim):
    with pytest.raises(errors.InputError) as caught:
        DaasClient.from_params(dict(cloud_params(sim), customer_id=None))
    assert 'customer_id is required' in str(caught.value)
    with pytest.raises(errors.InputError):
        DaasClient.from_params(dict(ddc_url='http://ddc.example.com', client_id='a', client_secret='b'))
    assert sim.stats.count() == 0
