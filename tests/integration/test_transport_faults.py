"""The HTTP transport against the simulator's fault injection: retries, their delays (through an
injected sleep, so nothing waits) and what is never retried."""

import pytest

from ansible_collections.opencitrix.automation.plugins.module_utils import errors
from ansible_collections.opencitrix.automation.plugins.module_utils.citrix_cloud.client import CloudClient
from ansible_collections.opencitrix.automation.plugins.module_utils.retries import RetryPolicy
from ansible_collections.opencitrix.automation.plugins.module_utils.transport import HttpClient


class RecordingSleep:
    def __init__(self):
        self.delays = []

    def __call__(self, seconds):
        self.delays.append(seconds)


@pytest.fixture
def sleeps():
    return RecordingSleep()


def cloud_client(sim, sleeps, tmp_path, **kwargs):
    return CloudClient('sim-client-id', 'sim-client-secret', 'simcustomer1', api_url=sim.url,
                       workspaces_api_url=sim.url + '/{service}', ca_path=sim.ca_path,
                       retry=RetryPolicy(retries=3, sleep=sleeps, rand=lambda: 1.0),
                       cache=None, **kwargs)


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv('XDG_CACHE_HOME', str(tmp_path / 'cache'))


def test_429_retry_after_is_honoured_then_succeeds(sim, sleeps, tmp_path):
    sim.faults.add('status', route='cloud.service_states', status=429, headers={'Retry-After': '1'},
                   body={'detail': 'Too many requests'})
    client = cloud_client(sim, sleeps, tmp_path)
    assert len(client.service_states()) == 11
    assert sleeps.delays == [1.0]
    assert sim.stats.count(route='cloud.service_states') == 2


def test_429_retry_after_http_date(sim, sleeps, tmp_path):
    now = 1_900_000_000.0
    sim.faults.add('status', route='cloud.service_states', status=429,
                   headers={'Retry-After': 'Sun, 17 Mar 2030 17:46:47 GMT'})
    client = cloud_client(sim, sleeps, tmp_path)
    client.http.retry.now = lambda: now
    client.service_states()
    # 2030-03-17T17:46:47Z is 1900000007 epoch seconds: seven seconds after "now".
    assert sleeps.delays == [7.0]


def test_retry_after_is_capped(sim, sleeps, tmp_path):
    sim.faults.add('status', route='cloud.service_states', status=503, headers={'Retry-After': '86400'})
    client = cloud_client(sim, sleeps, tmp_path)
    client.service_states()
    assert sleeps.delays == [120.0]


def test_500_on_state_changing_post_is_not_retried(sim, sleeps):
    sim.faults.add('status', path=r'^/core/.*/things$', method='POST', status=500, times=-1,
                   body={'activityId': 'a1', 'message': 'Internal server error', 'statusCode': 500})
    http = HttpClient(sim.url, ca_path=sim.ca_path, retry=RetryPolicy(retries=3, sleep=sleeps))
    with pytest.raises(errors.ServerError) as caught:
        http.request('POST', '/core/x/things', json_body={'a': 1}, what='create a thing')
    assert sim.stats.count(method='POST', path='/core/x/things') == 1
    assert sleeps.delays == []
    assert 'Internal server error' in str(caught.value) and 'HTTP 500' in str(caught.value)


def test_502_on_read_is_retried_with_backoff(sim, sleeps, tmp_path):
    sim.faults.add('html', route='cloud.service_states', status=502, times=2)
    client = cloud_client(sim, sleeps, tmp_path)
    assert client.service_states()
    assert sleeps.delays == [1.0, 2.0]  # rand pinned to 1.0: full exponential steps


def test_503_without_retry_after_on_write_is_not_retried(sim, sleeps):
    sim.faults.add('status', method='POST', path='/things', status=503, times=-1)
    http = HttpClient(sim.url, ca_path=sim.ca_path, retry=RetryPolicy(retries=3, sleep=sleeps))
    with pytest.raises(errors.ServerError):
        http.request('POST', '/things', json_body={})
    assert sim.stats.count(method='POST', path='/things') == 1


def test_429_on_write_is_retried(sim, sleeps):
    sim.faults.add('status', method='POST', path='/things', status=429, headers={'Retry-After': '2'})
    http = HttpClient(sim.url, ca_path=sim.ca_path, retry=RetryPolicy(retries=3, sleep=sleeps))
    with pytest.raises(errors.NotFoundError):  # the retry reached the (absent) route
        http.request('POST', '/things', json_body={})
    assert sleeps.delays == [2.0]
    assert sim.stats.count(method='POST', path='/things') == 2


def test_reset_is_retried_for_reads_but_not_writes(sim, sleeps):
    http = HttpClient(sim.url, ca_path=sim.ca_path, retry=RetryPolicy(retries=3, sleep=sleeps))
    sim.faults.add('reset', method='GET', path='/nothing-here')
    with pytest.raises(errors.NotFoundError):
        http.request('GET', '/nothing-here')
    assert sim.stats.count(method='GET', path='/nothing-here') == 2
    sim.faults.add('reset', method='POST', path='/write-here')
    with pytest.raises(errors.TransportError) as caught:
        http.request('POST', '/write-here', json_body={})
    assert sim.stats.count(method='POST', path='/write-here') == 1
    assert 'may have been processed' in str(caught.value)


def test_read_timeout_is_reported_in_one_line(sim, sleeps):
    sim.faults.add('timeout', method='GET', path='/slow', seconds=2, times=-1)
    http = HttpClient(sim.url, ca_path=sim.ca_path, read_timeout=0.3,
                      retry=RetryPolicy(retries=1, sleep=sleeps))
    with pytest.raises(errors.TransportError) as caught:
        http.request('GET', '/slow', what='read the slow thing')
    text = str(caught.value)
    assert 'read timeout' in text and '\n' not in text
    assert sim.stats.count(method='GET', path='/slow') == 2


def test_connection_refused_write_is_retried(sleeps, tmp_path):
    import socket
    sock = socket.socket()
    sock.bind(('127.0.0.1', 0))
    port = sock.getsockname()[1]
    sock.close()
    http = HttpClient('https://127.0.0.1:%d' % port, retry=RetryPolicy(retries=2, sleep=sleeps, rand=lambda: 0.0))
    with pytest.raises(errors.TransportError) as caught:
        http.request('POST', '/x', json_body={})
    assert 'connection refused' in str(caught.value)
    assert sleeps.delays == [0.5, 1.0]


def test_malformed_json_is_a_format_error(sim, sleeps, tmp_path):
    sim.faults.add('malformed', route='cloud.service_states')
    client = cloud_client(sim, sleeps, tmp_path)
    with pytest.raises(errors.ResponseFormatError) as caught:
        client.service_states()
    assert 'not valid JSON' in str(caught.value)


def test_html_error_page_names_its_title(sim, sleeps, tmp_path):
    sim.faults.add('html', route='cloud.service_states', status=502, times=-1)
    client = cloud_client(sim, sleeps, tmp_path)
    with pytest.raises(errors.ServerError) as caught:
        client.service_states()
    assert '502 Bad Gateway' in str(caught.value)
    assert len(sleeps.delays) == 3


def test_tls_verification_failure_is_clear(sim, sleeps):
    http = HttpClient(sim.url, retry=RetryPolicy(retries=0, sleep=sleeps))  # system CAs only
    with pytest.raises(errors.TransportError) as caught:
        http.request('GET', '/core/x/serviceStates')
    assert 'TLS verification failed' in str(caught.value) and 'ca_path' in str(caught.value)


def test_406_when_accept_is_not_json(sim, sleeps, tmp_path):
    client = cloud_client(sim, sleeps, tmp_path)
    with pytest.raises(errors.ApiError) as caught:
        client.request('GET', client.workspaces_url('core', '/simcustomer1/serviceStates'),
                       headers={'Accept': '*/*'}, what='list service states')
    assert caught.value.status == 406
    assert 'notAcceptable' in str(caught.value)


def test_expired_token_is_refreshed_once(sim, sleeps, tmp_path):
    client = cloud_client(sim, sleeps, tmp_path)
    client.service_states()
    sim.service('cloud').expire_tokens()
    client.service_states()
    assert sim.stats.count(route='cloud.token') == 2
    assert sim.stats.count(route='cloud.service_states') == 3


def test_request_counter(sim, sleeps, tmp_path):
    client = cloud_client(sim, sleeps, tmp_path)
    client.service_states()
    client.service_states()
    counts = client.stats.counts()
    assert counts[('POST', '/cctrustoauth2/root/tokens/clients')] == 1
    assert counts[('GET', '/core/simcustomer1/serviceStates')] == 2
