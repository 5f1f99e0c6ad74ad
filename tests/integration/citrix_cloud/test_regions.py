"""Regions reach the hosts of ``../shared/specs/citrix-cloud/facts.md``: the module runs with only ``region``
set, and the region table's own URL templates are pointed at simulator listeners by swapping their host
names for listener addresses (the rest of each template, ``{service}`` included, is the table's)."""

import pytest

from ansible_collections.opencitrix.automation.plugins.module_utils.citrix_cloud import client
from tests.module_runner import run_module

REAL_HOSTS = {'global': ('api.cloud.com', '{service}.citrixworkspacesapi.net'),
              'jp': ('api.citrixcloud.jp', '{service}.citrixworkspacesapi.jp')}


@pytest.mark.parametrize('region', sorted(REAL_HOSTS))
def test_region_reaches_its_gateway_and_workspaces_hosts(make_sim, monkeypatch, region):
    sim = make_sim(services=['cloud', 'cloud_platform'])
    gateway = sim.listen('region-gateway', host='127.0.0.12', port=0)
    workspaces = sim.listen('region-workspaces', host='127.0.0.13', port=0)
    api_url, template = client.REGIONS[region]
    gateway_host, workspaces_host = REAL_HOSTS[region]
    assert gateway_host in api_url and workspaces_host in template  # else the swap below would not happen
    monkeypatch.setitem(client.REGIONS, region, (
        api_url.replace('https://' + gateway_host, gateway.url),
        template.replace('https://' + workspaces_host, workspaces.url + '/{service}')))
    env = dict(sim.client_env(), CITRIX_CLOUD_REGION=region)
    del env['CITRIX_CLOUD_API_URL'], env['CITRIX_WORKSPACES_API_URL']

    result = run_module('citrix_cloud_notification', {'title': 'Region %s' % region, 'description': 'Reached.',
                                                      'token_cache': False}, env=env)
    assert result.get('changed') is True, result
    services = run_module('citrix_cloud_service_info', {'token_cache': False}, env=env)
    assert not services.get('failed'), services

    assert sim.stats.count(listener='main') == 0
    assert sim.stats.count(listener='region-gateway') == sim.stats.count(route='cloud.token') == 1  # in-process: shared
    assert sim.stats.count(listener='region-workspaces') == sim.stats.count(route='notifications.*') + \
        sim.stats.count(route='cloud.service_states')
    assert sim.stats.count(route='notifications.send') == 1 and sim.stats.count(route='cloud.service_states') == 1
