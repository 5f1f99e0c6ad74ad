"""http.py without sockets: redaction, retry policy, error extraction and the retry rules, through a
fake requests adapter."""

import io
import json

import pytest
import requests
import urllib3
from hypothesis import given, settings, strategies as st

from ansible_collections.opencitrix.automation.plugins.module_utils import errors
from ansible_collections.opencitrix.automation.plugins.module_utils.transport import (
    MAX_REDIRECTS, HttpClient, Redactor, RetryPolicy, extract_api_error, origin, safe_url, show_origin,
    transport_options, validate_url,
)


# -- redaction -----------------------------------------------------------------------------------

def test_redactor_masks_registered_values_and_encoded_forms():
    redact = Redactor(['s3cr3t/with+chars'])
    assert redact('a s3cr3t/with+chars b') == 'a ******** b'
    assert redact('client_secret=s3cr3t%2Fwith%2Bchars&x=1') == 'client_secret=********&x=1'


def test_redactor_masks_credential_patterns_without_registration():
    redact = Redactor()
    assert redact('Authorization: CwsAuth Bearer=abc.def') == 'Authorization: CwsAuth Bearer=********'
    assert redact('CitrixAuth QUJDREVGR0hJSktMTU5PUA==') == 'CitrixAuth ********'
    assert redact('{"auth_token": "xyz:xyz"}') == '{"auth_token": "********"}'
    assert redact('password=hunter22&user=a') == 'password=********&user=a'


def test_redactor_ignores_short_values():
    redact = Redactor(['ab', ''])
    assert redact('about a cab') == 'about a cab'


# -- retry policy --------------------------------------------------------------------------------

def test_retry_after_seconds_date_cap_and_garbage():
    policy = RetryPolicy(retry_after_max=60, now=lambda: 1_900_000_000.0)
    assert policy.retry_after('1') == 1.0
    assert policy.retry_after(' 2.5 ') == 2.5
    assert policy.retry_after('Sun, 17 Mar 2030 17:46:47 GMT') == 7.0
    assert policy.retry_after('Sun, 17 Mar 2030 17:46:30 GMT') == 0.0  # in the past
    assert policy.retry_after('3600') == 60.0
    assert policy.retry_after('soon') is None
    assert policy.retry_after(None) is None
    assert policy.retry_after('') is None


@pytest.mark.parametrize('rand,expected', [(0.0, [0.5, 1.0, 2.0, 4.0, 5.0]), (1.0, [1.0, 2.0, 4.0, 8.0, 10.0])])
def test_backoff_is_jittered_exponential_and_capped(rand, expected):
    policy = RetryPolicy(backoff_base=1.0, backoff_max=10.0, rand=lambda: rand)
    assert [policy.backoff(n) for n in range(5)] == expected


# -- error bodies from the seeds and specs ----------------------------------------------------------

@pytest.mark.parametrize('body,code,message', [
    ({'error': 'invalid_client', 'error_description': 'Invalid client id or client secret.'},
     'invalid_client', 'Invalid client id or client secret.'),
    ({'Error': {'Message': 'Missing or invalid CWSAuth header.', 'Type': 'CWSAuthException'}},
     'CWSAuthException', 'Missing or invalid CWSAuth header.'),
    ({'detail': 'Missing or invalid authentication details', 'parameters': {'reason': 'invalid'},
      'type': 'https://errors-api.cloud.com/common/authentication'},
     'common/authentication', 'Missing or invalid authentication details'),
    ({'detail': 'Must accept application/json media type', 'parameters': {'contentType': 'application/json'},
      'type': 'https://errors-api.cloud.com/common/notAcceptable'},
     'common/notAcceptable', 'Must accept application/json media type'),
    ({'activityId': 'c59d1c1a', 'message': 'Internal server error', 'statusCode': 500},
     'activityId c59d1c1a', 'Internal server error'),
    ({'SdkErrorId': 'MachineNotFound', 'ErrorMessage': 'Machine not found.'}, 'MachineNotFound', 'Machine not found.'),
    ({'status': 1001, 'message': 'Invalid credentials'}, 'status 1001', 'Invalid credentials'),
    ({'Type': 'https://errors-api.cloud.com/x/y', 'Detail': 'nope'}, 'https://errors-api.cloud.com/x/y', 'nope'),
    ([1, 2], None, None),
    ({'unrelated': True}, None, None),
])
def test_extract_api_error(body, code, message):
    assert extract_api_error(body) == (code, message)


# -- urls and options ----------------------------------------------------------------------------

def test_validate_url():
    assert validate_url('https://h:1/x/', 'X') == 'https://h:1/x'
    with pytest.raises(errors.InputError, match='plain HTTP'):
        validate_url('http://h', 'X')
    assert validate_url('http://h', 'X', allow_plain_http=True) == 'http://h'
    with pytest.raises(errors.InputError, match='Invalid X URL'):
        validate_url('h.example.com', 'X')


def test_transport_options_defaults():
    opts = transport_options({})
    assert opts['validate_certs'] is True and opts['connect_timeout'] == 10 and opts['read_timeout'] == 60
    assert opts['retry'].retries == 5 and opts['allow_plain_http'] is False
    assert transport_options({'retries': 0})['retry'].retries == 0


# -- retry rules through a fake adapter ----------------------------------------------------------

class FakeAdapter(requests.adapters.BaseAdapter):
    """Answers from a script: each item is (status, headers, body) or an exception instance."""

    def __init__(self, script):
        super().__init__()
        self.script = list(script)
        self.sent = []
        self.requests = []
        self.options = []

    def send(self, request, **kwargs):
        self.sent.append((request.method, request.url))
        self.requests.append(request)
        self.options.append(kwargs)
        item = self.script.pop(0)
        if isinstance(item, BaseException):
            raise item
        status, headers, body = item
        raw = urllib3.HTTPResponse(body=io.BytesIO(body.encode()), status=status, headers=headers,
                                   preload_content=False)
        return requests.adapters.HTTPAdapter().build_response(request, raw)

    def close(self):
        pass


def client_with(script, retries=3, **options):
    sleeps = []
    client = HttpClient('https://api.example.test', retry=RetryPolicy(retries=retries, sleep=sleeps.append,
                                                                      rand=lambda: 1.0), **options)
    adapter = FakeAdapter(script)
    client.session.mount('https://', adapter)
    client.session.mount('http://', adapter)  # so a request that should never leave would be seen
    return client, adapter, sleeps


def refused():
    reason = urllib3.exceptions.NewConnectionError(None, 'Connection refused')
    return requests.exceptions.ConnectionError(urllib3.exceptions.MaxRetryError(None, '/', reason))


def test_get_retries_read_timeout_then_succeeds():
    client, adapter, sleeps = client_with([requests.exceptions.ReadTimeout('slow'), (200, {}, '{"a": 1}')])
    assert client.call('GET', '/x') == {'a': 1}
    assert len(adapter.sent) == 2 and sleeps == [1.0]


def test_get_retries_a_body_cut_short():
    client, adapter, sleeps = client_with([requests.exceptions.ChunkedEncodingError('IncompleteRead'),
                                           (200, {}, '{"a": 1}')])
    assert client.call('GET', '/x') == {'a': 1}
    assert len(adapter.sent) == 2


def test_post_is_not_retried_after_read_timeout():
    client, adapter, sleeps = client_with([requests.exceptions.ReadTimeout('slow')])
    with pytest.raises(errors.TransportError, match='may have been processed'):
        client.request('POST', '/x', json_body={})
    assert len(adapter.sent) == 1 and sleeps == []


def test_post_is_retried_after_connection_refused():
    client, adapter, sleeps = client_with([refused(), (201, {}, '{}')])
    client.request('POST', '/x', json_body={})
    assert len(adapter.sent) == 2


def test_post_marked_as_read_is_retried_on_502():
    client, adapter, sleeps = client_with([(502, {}, ''), (200, {}, '{}')])
    client.request('POST', '/search', json_body={}, state_changing=False)
    assert len(adapter.sent) == 2


@pytest.mark.parametrize('status,headers,retried', [
    (500, {}, False), (502, {}, False), (504, {}, False), (503, {}, False),
    (503, {'Retry-After': '3'}, True), (429, {}, True), (429, {'Retry-After': '3'}, True),
])
def test_which_write_failures_are_retried(status, headers, retried):
    client, adapter, sleeps = client_with([(status, headers, ''), (200, {}, '{}')])
    if retried:
        client.request('POST', '/x', json_body={})
        assert len(adapter.sent) == 2
    else:
        with pytest.raises(errors.ApiError):
            client.request('POST', '/x', json_body={})
        assert len(adapter.sent) == 1


def test_gives_up_after_the_allowed_retries_with_a_rate_limit_error():
    client, adapter, sleeps = client_with([(429, {'Retry-After': '1'}, '')] * 3, retries=2)
    with pytest.raises(errors.RateLimitedError) as caught:
        client.request('GET', '/x')
    assert len(adapter.sent) == 3 and sleeps == [1.0, 1.0]
    assert 'after 2 retries' in str(caught.value)


def test_status_maps_to_typed_error_with_api_code():
    body = '{"ErrorMessage": "Machine not found.", "SdkErrorId": "NotFound"}'
    client = client_with([(404, {'Content-Type': 'application/json'}, body)])[0]
    with pytest.raises(errors.NotFoundError) as caught:
        client.request('GET', '/Machines/X', what='read machine X')
    text = str(caught.value)
    assert text == ('Could not read machine X: NotFound: Machine not found. '
                    '(HTTP 404, GET https://api.example.test/Machines/X)')


def test_expected_statuses():
    client = client_with([(300, {}, '<x/>')])[0]
    response = client.request('POST', '/auth', expected=(200, 300), state_changing=False)
    assert response.status_code == 300


def test_error_messages_never_carry_secrets():
    client = client_with([(401, {}, '{"message": "token abcdefgh-secret rejected"}')])[0]
    client.redact.add('abcdefgh-secret')
    with pytest.raises(errors.AuthenticationError) as caught:
        client.request('GET', '/x')
    assert 'abcdefgh-secret' not in str(caught.value)


def test_counts_requests_per_method_and_path():
    client = client_with([(503, {}, ''), (200, {}, '{}'), (200, {}, '{}')])[0]
    client.request('GET', '/a?x=1')
    client.request('GET', '/b')
    assert client.stats.counts() == {('GET', '/a'): 2, ('GET', '/b'): 1}


def test_environment_is_read_once_per_host_with_proxies_no_proxy_and_ca_bundle_but_no_netrc(monkeypatch, tmp_path):
    netrc = tmp_path / 'netrc'
    netrc.write_text('machine api.example.test login someone password netrc-PASSWORD\n')
    for name in ('https_proxy', 'http_proxy', 'no_proxy', 'all_proxy'):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)
    monkeypatch.setenv('NETRC', str(netrc))
    monkeypatch.setenv('HTTPS_PROXY', 'http://proxy.example.test:3128')
    monkeypatch.setenv('NO_PROXY', 'internal.example.test')
    monkeypatch.setenv('REQUESTS_CA_BUNDLE', '/etc/pki/corporate-ca.pem')
    looked_up = []
    lookup = requests.utils.get_environ_proxies
    monkeypatch.setattr(requests.utils, 'get_environ_proxies', lambda url, no_proxy=None: looked_up.append(url) or lookup(url))
    client, adapter, _sleeps = client_with([(200, {}, '{}')] * 4)
    client.request('GET', '/a')
    client.request('GET', '/b', headers={'Authorization': 'CwsAuth Bearer=abc'})
    client.request('GET', 'https://internal.example.test/c')
    client.request('GET', 'https://internal.example.test/d')
    assert looked_up == ['https://api.example.test/a', 'https://internal.example.test/c']
    assert [o['proxies'].get('https') for o in adapter.options] == ['http://proxy.example.test:3128'] * 2 + [None] * 2
    assert {o['verify'] for o in adapter.options} == {'/etc/pki/corporate-ca.pem'}
    assert 'Authorization' not in adapter.requests[0].headers
    assert adapter.requests[1].headers['Authorization'] == 'CwsAuth Bearer=abc'
    own_ca = HttpClient('https://api.example.test', ca_path='/tmp/lab-ca.pem')
    assert own_ca.verify == '/tmp/lab-ca.pem' and HttpClient('https://x.test', validate_certs=False).verify is False


# -- properties of the JSON envelopes (issue 12) ---------------------------------------------------

JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
                    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children,
                                                                                      max_size=5),
                    max_leaves=20)
ERROR_KEYS = ['error', 'error_description', 'Error', 'Type', 'Message', 'Detail', 'type', 'detail', 'title',
              'ErrorType', 'SdkErrorId', 'ErrorMessage', 'ErrorDetails', 'activityId', 'message', 'status',
              'statusCode', 'parameters']
# Bodies that look like the known error shapes, with any values in their fields.
ERROR_LIKE = st.dictionaries(st.sampled_from(ERROR_KEYS), JSON, max_size=6)
# Secrets as a person or a server would make them: no whitespace, no mask characters.
SECRET = st.text(st.characters(blacklist_categories=('Cs', 'Cc', 'Zs', 'Zl', 'Zp'), blacklist_characters='*'),
                 min_size=8, max_size=40)


@settings(max_examples=300, deadline=None)
@given(JSON | ERROR_LIKE)
def test_extract_api_error_takes_any_json_value(body):
    code, message = extract_api_error(body)
    if not isinstance(body, dict):
        assert (code, message) == (None, None)


TEXT = st.text(st.characters(blacklist_categories=('Cs',)), min_size=1, max_size=60)


@settings(max_examples=200, deadline=None)
@given(error_type=st.none() | TEXT, sdk_id=st.none() | TEXT, message=st.none() | TEXT, details=st.none() | TEXT)
def test_daas_error_data_gives_the_type_or_sdk_id_and_the_message_with_details(error_type, sdk_id, message, details):
    body = {'ErrorType': error_type, 'SdkErrorId': sdk_id, 'ErrorMessage': message, 'ErrorDetails': details,
            'ErrorData': {'Machine': 'CORP\\W11-0001'}}
    code, text = extract_api_error(body)
    assert code == (error_type or sdk_id)
    if details:
        assert text == ('%s (%s)' % (message, details) if message else details)
    else:
        assert text == message


@settings(max_examples=200, deadline=None)
@given(status=st.integers(-5, 9999) | st.text(max_size=6), message=TEXT)
def test_status_and_message_envelope(status, message):
    code, text = extract_api_error({'status': status, 'message': message})
    assert text == message
    assert code == (None if status in (0, '0') else 'status %s' % status)


def _response(status, body):
    response = requests.Response()
    response.status_code = status
    response._content = body.encode('utf-8')
    response.headers['Content-Type'] = 'application/json; charset=utf-8'
    return response


@settings(max_examples=200, deadline=None)
@given(status=st.sampled_from([400, 401, 403, 404, 409, 429, 500, 502]), body=ERROR_LIKE, secret=SECRET,
       where=st.sampled_from(['message', 'ErrorMessage', 'error_description', 'detail', 'ErrorDetails']))
def test_any_error_body_renders_one_line_without_the_secret(status, body, secret, where):
    """Whatever an API puts in its error body, even a secret echoed back in its message (as some APIs
    do with the value they refused) or text over several lines, the error is one line without it."""
    body = dict(body, **{where: 'refused value %s\nsee\tlog' % secret})
    client = HttpClient('https://api.example.test', redactor=Redactor([secret]))
    error = client.error_from_response(_response(status, json.dumps(body)), 'Could not do it', 'GET',
                                       'https://api.example.test/x')
    text = str(error)
    assert isinstance(error, errors.ApiError)
    assert '\n' not in text and secret not in text and text.startswith('Could not do it')


def test_an_error_code_that_is_not_text_is_redacted_like_one():
    """Found by hypothesis: a list in ``SdkErrorId`` went past the redactor, which only masks text."""
    assert extract_api_error({'SdkErrorId': ['12345678'], 'ErrorMessage': 7}) == ('["12345678"]', '7')
    client = HttpClient('https://api.example.test', redactor=Redactor(['12345678']))
    error = client.error_from_response(_response(400, json.dumps({'error': None, 'SdkErrorId': ['12345678']})),
                                       'Could not do it', 'GET', 'https://api.example.test/x')
    assert '12345678' not in str(error) and '********' in str(error)


# -- redirects ----------------------------------------------------------------------------------------

def test_origin_makes_the_port_explicit_and_prints_nothing_but_scheme_host_and_port():
    assert origin('https://API.Example.test/x?y=1') == ('https', 'api.example.test', 443)
    assert origin('http://user:pw@host:8080/p') == ('http', 'host', 8080)
    assert origin('https://[::1]:4443/') == ('https', '::1', 4443)
    assert origin('ftp://host/x') is None and origin('/relative') is None and origin('https://host:99999/') is None
    assert show_origin(origin('https://[::1]/')) == 'https://[::1]:443'
    assert safe_url('https://user:pw@host:8443/a/b?sig=x#frag') == 'https://host:8443/a/b'


@pytest.mark.parametrize('status', [301, 302, 307, 308])
def test_a_redirect_within_the_origin_repeats_method_and_body_and_counts_each_hop(status):
    client, adapter, _sleeps = client_with([(status, {'Location': '/v2/things?page=1'}, ''), (201, {}, '{"ok": 1}')])
    response = client.request('POST', '/things', params={'a': 'b'}, json_body={'name': 'x'},
                              headers={'auth_token': 'tok-12345678'})
    assert response.status_code == 201
    assert adapter.sent == [('POST', 'https://api.example.test/things?a=b'),
                            ('POST', 'https://api.example.test/v2/things?page=1')]
    assert adapter.requests[1].body == b'{"name": "x"}' and adapter.requests[1].headers['auth_token'] == 'tok-12345678'
    assert client.stats.counts() == {('POST', '/things'): 1, ('POST', '/v2/things'): 1}


def test_303_turns_the_request_into_a_get_without_a_body():
    client, adapter, _sleeps = client_with([(303, {'Location': 'https://api.example.test/jobs/7'}, ''),
                                            (200, {}, '{"id": 7}')])
    assert client.call('POST', '/jobs', data='a=1', headers={'Content-Type': 'application/x-www-form-urlencoded'}) == {'id': 7}
    assert [r.method for r in adapter.requests] == ['POST', 'GET']
    assert adapter.requests[1].body is None and 'Content-Type' not in adapter.requests[1].headers


@pytest.mark.parametrize('location,shown', [
    ('https://other.example.test/things', 'https://other.example.test:443'),
    ('http://other.example.test/things', 'http://other.example.test:80'),
    ('http://api.example.test/things', 'http://api.example.test:80'),      # same host, plain HTTP
    ('https://api.example.test:8443/things', 'https://api.example.test:8443'),  # same host, other port
    ('//other.example.test/things', 'https://other.example.test:443'),    # scheme-relative
    ('https://lk-user:lk-Pa55w0rd@other.example.test/t?sig=lk-QUERY', 'https://other.example.test:443'),
    ('gopher://other.example.test/', 'a location that is not an http(s) URL'),
])
@pytest.mark.parametrize('status', [301, 302, 303, 307, 308])
def test_a_redirect_to_another_origin_is_refused_before_anything_is_sent_there(location, shown, status):
    client, adapter, _sleeps = client_with([(status, {'Location': location}, '')] + [(200, {}, '{}')] * 2,
                                           allow_plain_http=True)
    with pytest.raises(errors.RedirectRefusedError) as caught:
        client.request('POST', '/token', data={'client_id': 'a', 'client_secret': 'b-secret'}, what='sign in')
    assert len(adapter.sent) == 1
    text = str(caught.value)
    assert text.startswith('Refusing to follow a redirect from https://api.example.test:443 to %s: '
                           'the request carries credentials (HTTP %d, POST https://api.example.test/token); '
                           'check the URL' % (shown, status)), text
    assert 'lk-' not in text and '\n' not in text


@pytest.mark.parametrize('headers,body,carries', [
    ({'Authorization': 'CitrixAuth abcdefgh'}, None, True),
    ({'auth_token': 'x:x'}, None, True),
    ({'Cookie': 'ASP.NET_SessionId=abc'}, None, True),
    ({'X-Custom': 'has registered-SECRET inside'}, None, True),
    ({}, b'{"login": "a", "password": "b"}', True),
    ({}, b'<x>registered-SECRET</x>', True),
    ({'Accept': 'application/xml'}, None, False),
    ({}, b'{"name": "lab"}', False),
])
def test_the_refusal_says_whether_the_request_carried_credentials(headers, body, carries):
    client, adapter, _sleeps = client_with([(302, {'Location': 'https://elsewhere.example.test/'}, '')])
    client.redact.add('registered-SECRET')
    with pytest.raises(errors.RedirectRefusedError) as caught:
        client.request('POST', '/x', data=body, headers=headers)
    assert ('the request carries credentials' in str(caught.value)) is carries
    assert carries or 'API answers are only taken from the host the request went to' in str(caught.value)
    assert 'registered-SECRET' not in str(caught.value)


def test_redirects_within_the_origin_stop_after_the_limit():
    client, adapter, _sleeps = client_with([(302, {'Location': '/loop'}, '')] * (MAX_REDIRECTS + 2))
    with pytest.raises(errors.RedirectRefusedError, match='more than %d redirects' % MAX_REDIRECTS):
        client.request('GET', '/loop')
    assert len(adapter.sent) == MAX_REDIRECTS + 1


def test_a_redirect_the_caller_expects_is_returned_and_one_without_location_is_an_error():
    client, adapter, _sleeps = client_with([(302, {'Location': 'https://elsewhere.example.test/'}, ''), (302, {}, '')])
    assert client.request('GET', '/x', expected=(302,)).status_code == 302
    with pytest.raises(errors.ApiError) as caught:
        client.request('GET', '/x')
    assert caught.value.status == 302 and len(adapter.sent) == 2


def test_requests_itself_never_follows_nor_reads_a_redirect():
    # Even a caller going around request() (allow_redirects=True is requests' default) gets the 3xx.
    client, adapter, _sleeps = client_with([(307, {'Location': 'https://elsewhere.example.test/'}, 'x' * 100)] * 2)
    response = client.session.request('POST', 'https://api.example.test/x', data='secret-body')
    assert response.status_code == 307 and len(adapter.sent) == 1 and response.next is None
    # A redirect's body is not read: with a 10-byte limit, a 100-byte redirect within the origin is followed.
    client, adapter, _sleeps = client_with([(307, {'Location': '/y'}, 'x' * 100), (200, {}, '{}')], max_response_bytes=10)
    assert client.request('GET', '/x').status_code == 200


def test_plain_http_is_refused_for_any_url_without_the_opt_in():
    client, adapter, _sleeps = client_with([(200, {}, '{}')])
    with pytest.raises(errors.InputError, match='over plain HTTP'):
        client.request('GET', 'http://api.example.test/x')
    assert adapter.sent == []
