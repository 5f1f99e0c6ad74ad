"""DaaS fleet writes through $batch, in-process against the simulator: the simulator's validation of a
batch (the spec's 400), the RelativeUrl forms of both ways in, items counted as the direct requests they
stand for, and the batch writer under faults: a lost answer (after and before the site processed the
batch), lost results, throttling on the batch POST and on job reads (the batch's job, its results, the
listing of the machines' jobs), a batch job that fails as a whole."""

import json

import pytest

from ansible_collections.opencitrix.automation.plugins.module_utils import errors
from ansible_collections.opencitrix.automation.plugins.module_utils.daas.client import DaasClient
from ansible_collections.opencitrix.automation.plugins.module_utils.daas.machines import Machines
from ansible_collections.opencitrix.automation.plugins.module_utils.daas.power import apply_power_state
from tests.conformance import plugin as conformance
from tests.integration.daas.support import FAST_CLOCK, ONPREM_PASSWORD, ONPREM_USER, cloud_client, onprem_env


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv('XDG_CACHE_HOME', str(tmp_path / 'cache'))


def onprem_client(sim):
    env = onprem_env(sim)
    return DaasClient.from_params(dict(ddc_url=env['CITRIX_DDC_URL'], client_id=ONPREM_USER,
                                       client_secret=ONPREM_PASSWORD, ca_path=sim.ca_path, token_cache=False))


def post_batch(client, items, run_async=False):
    """A raw batch through the client (its answer, or the typed error for a refused batch)."""
    response = client.request('POST', '/$batch', 'send a batch', params={'async': 'true'} if run_async else None,
                              json_body={'Items': items}, expected=(200, 202))
    return response.status_code, (response.json() if response.content else None)


def refusal(client, items):
    with pytest.raises(errors.ApiError) as caught:
        post_batch(client, items)
    assert caught.value.status == 400 and caught.value.code == 'InvalidArgument'
    return caught.value.api_message


def test_the_simulator_takes_the_documented_forms_and_refuses_a_malformed_batch(sim):
    cloud, onprem = cloud_client(sim), onprem_client(sim)
    site = sim.service('daas').site().id
    machine = sim.service('daas').machines_of()[0]
    read = '/Machines/%s?fields=Id' % machine
    for client, url in ((cloud, read), (cloud, 'simcustomer1/%s%s' % (site, read)),
                        (cloud, 'simcustomer1/%s/%s' % (site, read)), (cloud, 'v1/simcustomer1/%s%s' % (site, read)),
                        (onprem, 'CitrixOnPremises/%s%s' % (site, read))):
        status, body = post_batch(client, [{'Reference': 'r-1_A', 'RelativeUrl': url}])
        assert status == 200 and body['Items'][0]['Code'] == 200, url
        assert json.loads(body['Items'][0]['Body']) == {'Id': machine}
    assert 'not a path relative to the root of this site' in refusal(onprem, [{'Reference': 'a', 'RelativeUrl': read}])
    for items, message in [
            ([{'Reference': 'a b', 'RelativeUrl': read}], 'Reference is required'),
            ([{'Reference': 'x' * 65, 'RelativeUrl': read}], 'Reference is required'),
            ([{'Reference': 'a', 'RelativeUrl': read}, {'Reference': 'a', 'RelativeUrl': read}], 'used by another item'),
            ([{'Reference': 'a', 'RelativeUrl': read, 'Method': 'TRACE'}], 'Method must be one of'),
            ([{'Reference': 'a', 'RelativeUrl': read, 'Body': '{}'}], 'Body cannot be specified for GET'),
            ([{'Reference': 'a', 'RelativeUrl': 'othercustomer/%s%s' % (site, read)}], 'not a path relative'),
            ([{'Reference': 'a', 'RelativeUrl': 'https://elsewhere.example.com' + read}], 'not a path relative'),
            ([{'Reference': 'a'}], 'not a path relative')]:
        with conformance.waived(sim):  # malformed on purpose
            assert message in refusal(cloud, items)
    assert sim.stats.items() == 5  # the refused batches ran nothing
    _status, body = post_batch(cloud, [
        {'Reference': 'nested', 'Method': 'POST', 'RelativeUrl': '/$batch', 'Body': '{"Items": []}'},
        {'Reference': 'token', 'RelativeUrl': read, 'Headers': [{'Name': 'Authorization', 'Value': 'Bearer other'}]}])
    assert [item['Code'] for item in body['Items']] == [400, 401]


def test_items_count_as_the_direct_requests_they_stand_for(make_sim):
    sim = make_sim(time_scale=FAST_CLOCK)
    daas = sim.service('daas')
    ids = daas.add_catalog('Counted', 4)['machine_ids']
    client = onprem_client(sim)
    fleet = apply_power_state(client, Machines(client).find(catalog='Counted'), 'stopped', batch_size=3,
                              sleep=lambda s: sim.clock.advance(30))
    assert fleet.counts()['changed'] == 4 and {i['job_status'] for i in fleet.items} == {'Complete'}
    assert sim.stats.count(route='daas.batch') == 2 and sim.stats.count(route='daas.job.results') == 2
    assert sim.stats.items(route='daas.power.shutdown') == 4 == sim.stats.writes(route='daas.power.shutdown')
    assert sim.stats.count(route='daas.power.*') == 0
    batch_jobs = {j['Id'] for j in daas.site().jobs.values() if j['Type'] == 'Batch'}
    job_reads = [p.rsplit('/', 1)[-1] for p in sim.stats.snapshot()['paths'] if '/Jobs/' in p and 'Results' not in p]
    assert len(batch_jobs) == 2 and set(job_reads) == batch_jobs  # jobs read one by one: the batches', never a machine's
    assert sorted(e['machine_id'] for e in daas.power_log) == sorted(ids)
    assert {daas.machine(m)['PowerState'] for m in ids} == {'Off'}


@pytest.mark.parametrize('fault', ['lost_answer', 'reset'])
def test_a_lost_batch_answer_never_acts_on_a_machine_twice(make_sim, fault):
    """lost_answer: the site ran the batch, the client never heard: nothing is sent again, and the jobs come
    from GET /Jobs. reset: the site never got it: the machines show no trace, so they get a new batch."""
    sim = make_sim(time_scale=FAST_CLOCK)
    daas = sim.service('daas')
    ids = daas.add_catalog('Lost', 5)['machine_ids']
    client = cloud_client(sim, sleep=lambda s: None)
    machines = Machines(client).find(catalog='Lost')
    sim.faults.add(fault, route='daas.batch', times=1)
    fleet = apply_power_state(client, machines, 'restarted', sleep=sim.clock.advance)
    assert fleet.counts()['changed'] == 5 and not fleet.failed
    assert sorted(e['machine_id'] for e in daas.power_log) == sorted(ids)  # each machine once
    assert sim.stats.count(route='daas.batch') == (1 if fault == 'lost_answer' else 2)
    assert {i['job_id'] for i in fleet.items} == {e['job_id'] for e in daas.power_log}
    assert {i['job_status'] for i in fleet.items} == {'Complete'}


def test_lost_results_are_resolved_from_the_machines(make_sim):
    sim = make_sim(time_scale=FAST_CLOCK)
    daas = sim.service('daas')
    ids = daas.add_catalog('Drain', 5)['machine_ids']
    client = cloud_client(sim, sleep=lambda s: None)
    machines = Machines(client).find(catalog='Drain')
    sim.faults.add('status', route='daas.job.results', status=500, times=-1, body={'message': 'Internal server error'})
    fleet = Machines(client).apply_maintenance_mode(machines, True)
    assert fleet.counts()['changed'] == 5 and not fleet.failed
    assert sim.stats.count(route='daas.batch') == 1 and sim.stats.writes(route='daas.machine.update') == 5
    assert {daas.machine(m)['InMaintenanceMode'] for m in ids} == {True}


def test_throttling_on_the_batch_post_and_on_job_reads_is_honoured(make_sim):
    sim = make_sim(time_scale=FAST_CLOCK)
    daas = sim.service('daas')
    daas.add_catalog('Throttled', 3)
    sleeps = []
    client = cloud_client(sim, sleep=sleeps.append)
    machines = Machines(client).find(catalog='Throttled')
    throttled = dict(status=429, headers={'Retry-After': '7'}, body={'SdkErrorId': 'TooManyRequests'}, times=1)
    for route in ('daas.batch', 'daas.job.get', 'daas.job.results', 'daas.jobs.list'):
        sim.faults.add('status', route=route, **throttled)
    fleet = apply_power_state(client, machines, 'stopped', sleep=lambda s: sim.clock.advance(30))
    assert fleet.counts()['changed'] == 3 and not fleet.failed
    assert sleeps == [7.0] * 4
    assert sim.stats.count(route='daas.batch') == 2 and sim.stats.items(route='daas.power.shutdown') == 3
    assert all(rule['fired'] for rule in sim.faults.rules)


def test_a_batch_job_that_fails_as_a_whole_fails_each_of_its_machines(make_sim):
    sim = make_sim(time_scale=FAST_CLOCK)
    daas = sim.service('daas')
    daas.add_catalog('Whole', 3)
    client = cloud_client(sim)
    machines = Machines(client).find(catalog='Whole')
    daas.fail_next_batch = {'code': 'UnknownError', 'message': 'The orchestration service stopped.'}
    fleet = apply_power_state(client, machines, 'restarted', sleep=sim.clock.advance)
    assert [i['outcome'] for i in fleet.items] == ['failed'] * 3
    assert {i['reason'] for i in fleet.items} == {
        'Batch job %s Failed: UnknownError: The orchestration service stopped. (transaction id %s)' % (next(
            j['Id'] for j in daas.site().jobs.values() if j['Type'] == 'Batch'), fleet.items[0]['transaction_id'])}
    assert daas.power_log == [] and sim.stats.items() == 0
