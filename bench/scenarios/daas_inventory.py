"""The citrix_daas inventory plugin over a large site, through real ansible-inventory, 50 ms latency.

Requests: a Cloud token, the site discovery (``GET /me``) and one page per 1000 machines; a rerun
answered from the inventory cache sends none. A tenth of the machines carry a tag and a third another: the
``citrix_tag_*`` groups come from the listing's ``Tags``, with no request of their own. Baseline: the same machines read the way the hand-written
reboot-idle script reads a catalog (the API's default page of 250, every property), written here with requests.
"""

import math

import requests

from bench.common import Metric, per_item_ms, timed

NAME = 'daas_inventory'
DESCRIPTION = 'citrix_daas inventory of N machines (ansible-inventory), cached rerun, vs a default-page reader'
LATENCY_MS = 50
PLUGIN = 'opencitrix.automation.citrix_daas'
LISTING = 'daas.machines.list'


def naive_listing(sim):
    """Every machine of the site, page by page with the API's defaults; returns the number read."""
    env = sim.client_env()
    with requests.Session() as http:
        http.trust_env = False  # no proxy, and no CA bundle from the environment over the simulator's CA
        http.verify = sim.ca_path
        answer = http.post(sim.url + '/cctrustoauth2/root/tokens/clients', data={
            'grant_type': 'client_credentials', 'client_id': env['CITRIX_CLIENT_ID'],
            'client_secret': env['CITRIX_CLIENT_SECRET']})
        answer.raise_for_status()
        http.headers.update({'Authorization': 'CwsAuth Bearer=%s' % answer.json()['access_token'],
                             'Citrix-CustomerId': env['CITRIX_CUSTOMER_ID'], 'Accept': 'application/json'})
        answer = http.get(sim.url + '/cvad/manage/me')
        answer.raise_for_status()
        http.headers['Citrix-InstanceId'] = answer.json()['Customers'][0]['Sites'][0]['Id']
        read, params = 0, {}
        while True:
            answer = http.get(sim.url + '/cvad/manage/Machines', params=params)
            answer.raise_for_status()
            page = answer.json()
            read += len(page['Items'])
            if not page.get('ContinuationToken'):
                return read
            params = {'continuationToken': page['ContinuationToken']}


def run(ctx):
    machines = ctx.size(2000, 10000)
    sim = ctx.simulator(size=machines, latency_ms=LATENCY_MS)
    ids = sim.service('daas').machines_of()
    tagged = {'ring_1': ids[::10], 'gpu': ids[::3]}
    sim.service('daas').tag_objects('Ring 1', machines=tagged['ring_1'])
    sim.service('daas').tag_objects('GPU', machines=tagged['gpu'])
    runner = ctx.runner(NAME)
    config = {'plugin': PLUGIN, 'cache': True, 'cache_plugin': 'ansible.builtin.jsonfile',
              'cache_connection': ctx.subdir(NAME + '-cache'), 'cache_timeout': 3600}
    env = sim.client_env()

    first, seconds = timed(runner.inventory, config, env=env, name='bench.citrix_daas.yml')
    assert first.parsed and len(first.hostvars) == machines, first
    for tag, members in tagged.items():
        assert len(first.group('citrix_tag_' + tag)) == len(members), tag
    tag_requests = sim.stats.count(route='daas.tag*') + sim.stats.count(route='daas.machine_tag*')
    requests_sent = sim.stats.count()
    listing = sim.stats.span(LISTING)
    sim.reset()
    cached, cached_seconds = timed(runner.inventory, config, env=env, name='bench.citrix_daas.yml')
    assert cached.parsed and cached.data == first.data, cached
    cached_requests = sim.stats.count()
    sim.reset()

    read, _naive_seconds = timed(naive_listing, sim)
    assert read == machines, read
    naive_requests = sim.stats.count()
    naive_listing_seconds = sim.stats.span(LISTING)

    return [
        Metric(NAME, 'requests (%d machines)' % machines, requests_sent, 'req', baseline=naive_requests,
               bound=math.ceil(machines / 1000.0) + 2, note='token + GET /me + one page per 1000 machines'),
        Metric(NAME, 'requests for tags', tag_requests, 'req', bound=0,
               note='citrix_tag_* groups of %d and %d hosts from the listing' % (
                   len(tagged['ring_1']), len(tagged['gpu']))),
        Metric(NAME, 'listing time', round(listing, 2), 's', baseline=round(naive_listing_seconds, 2),
               note='first page request to last page answer, as the simulator saw them'),
        Metric(NAME, 'ansible-inventory wall time', round(seconds, 2), 's',
               note='%.2f ms per machine' % per_item_ms(seconds, machines)),
        Metric(NAME, 'cached rerun requests', cached_requests, 'req', bound=0),
        Metric(NAME, 'cached rerun wall time', round(cached_seconds, 2), 's', baseline=round(seconds, 2)),
    ]
