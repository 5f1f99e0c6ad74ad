import pytest

from ansible_collections.opencitrix.automation.plugins.module_utils import errors
from ansible_collections.opencitrix.automation.plugins.module_utils.citrix_cloud.client import (
    REGION_API_HOSTS, REGIONS, CloudClient, cloud_argument_spec,
)


# ../shared/specs/citrix-cloud/facts.md, "Hosts": the gateway and the Workspaces domain of each region.
FACTS_HOSTS = [
    ('global', 'https://api.cloud.com', 'https://notifications.citrixworkspacesapi.net'),
    ('us', 'https://api-us.cloud.com', 'https://notifications.citrixworkspacesapi.net'),
    ('eu', 'https://api-eu.cloud.com', 'https://notifications.citrixworkspacesapi.net'),
    ('ap-s', 'https://api-ap-s.cloud.com', 'https://notifications.citrixworkspacesapi.net'),
    ('jp', 'https://api.citrixcloud.jp', 'https://notifications.citrixworkspacesapi.jp'),
]


@pytest.mark.parametrize('region,gateway,notifications', FACTS_HOSTS)
def test_region_hosts_follow_the_facts(region, gateway, notifications):
    client = CloudClient('id', 'secret', 'cust', region=region, token_cache=False)
    assert client.http.base_url == gateway
    assert client.workspaces_url('notifications', '/cust/notifications') == notifications + '/cust/notifications'
    assert client.workspaces_url('core', 'cust/serviceStates') == \
        notifications.replace('notifications.', 'core.') + '/cust/serviceStates'


def test_every_region_is_in_the_facts_and_us_stays_the_default():
    assert sorted(REGIONS) == sorted(region for region, _gateway, _hosts in FACTS_HOSTS)
    assert CloudClient('id', 'secret', 'cust', token_cache=False).http.base_url == 'https://api-us.cloud.com'
    assert cloud_argument_spec()['region']['default'] == 'us'


def test_unknown_region_is_an_input_error():
    with pytest.raises(errors.InputError, match='Unknown Citrix Cloud region "mars".*ap-s, eu, global, jp, us'):
        CloudClient('id', 'secret', 'cust', region='mars')


def test_workspaces_url_overrides_win_over_the_region():
    client = CloudClient('id', 'secret', 'cust', region='jp', workspaces_api_url='https://127.0.0.1:9/{service}/',
                         api_url='https://127.0.0.1:9', token_cache=False)
    assert client.workspaces_url('registry', 'cust/resourcelocations') == \
        'https://127.0.0.1:9/registry/cust/resourcelocations'
    assert client.http.base_url == 'https://127.0.0.1:9'


def test_workspaces_template_needs_placeholder_and_https():
    with pytest.raises(errors.InputError, match='placeholder'):
        CloudClient('id', 'secret', 'cust', workspaces_api_url='https://core.example')
    with pytest.raises(errors.InputError, match='plain HTTP'):
        CloudClient('id', 'secret', 'cust', workspaces_api_url='http://{service}.example')


def test_missing_customer_id_is_an_input_error():
    client = CloudClient('id', 'secret', None, token_cache=False)
    with pytest.raises(errors.InputError, match='CITRIX_CUSTOMER_ID'):
        client.service_states()


def test_secret_is_registered_for_redaction():
    client = CloudClient('id', 'my-long-secret', 'cust', token_cache=False)
    assert client.redact('x my-long-secret y') == 'x ******** y'


def test_argument_spec_env_fallbacks_have_no_ansible_prefix():
    spec = cloud_argument_spec()
    names = [option['fallback'][1][0] for option in spec.values() if 'fallback' in option]
    assert 'CITRIX_CLIENT_SECRET' in names and all(not n.startswith('ANSIBLE_') for n in names)
    assert spec['client_secret']['no_log'] is True
    assert sorted(spec['region']['choices']) == sorted(REGION_API_HOSTS)


def test_empty_environment_values_count_as_unset(monkeypatch):
    from ansible.module_utils.errors import AnsibleFallbackNotFound
    from ansible_collections.opencitrix.automation.plugins.module_utils.argspec import env_fallback
    monkeypatch.setenv('OC_EMPTY', '  ')
    monkeypatch.setenv('OC_SET', 'x')
    assert env_fallback('OC_EMPTY', 'OC_SET') == 'x'
    monkeypatch.delenv('OC_SET')
    with pytest.raises(AnsibleFallbackNotFound):
        env_fallback('OC_EMPTY')
