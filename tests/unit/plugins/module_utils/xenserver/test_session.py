"""The XenServer session without a server: host URLs, the master URL, redirects, the password and
XAPI filter quoting."""

import xmlrpc.client

import pytest

from ansible_collections.opencitrix.automation.plugins.module_utils import errors
from ansible_collections.opencitrix.automation.plugins.module_utils.xenserver.session import (
    XenServerSession, host_url, quote,
)


@pytest.mark.parametrize('given,url', [
    ('xs1.example.com', 'https://xs1.example.com'),
    ('xs1.example.com:8443', 'https://xs1.example.com:8443'),
    ('https://10.0.0.5/', 'https://10.0.0.5'),
])
def test_host_urls(given, url):
    assert host_url(given) == (url, False)


def test_plain_http_needs_the_opt_in_and_the_local_socket_is_recognised():
    with pytest.raises(errors.InputError) as caught:
        host_url('http://xs1')
    assert 'allow_plain_http' in str(caught.value)
    assert host_url('http://xs1', allow_plain_http=True) == ('http://xs1', False)
    assert host_url('unix:/var/lib/xcp/xapi') == ('http://_var_lib_xcp_xapi/', True)
    assert host_url('unix:') == ('http://_var_lib_xcp_xapi/', True)
    with pytest.raises(errors.InputError):
        host_url('unix:/tmp/my_socket')
    with pytest.raises(errors.InputError):
        host_url('')


def test_master_url_keeps_scheme_and_port():
    session = XenServerSession('https://10.0.0.2:8443', 'root', 'pw-123456')
    assert session._master('https://10.0.0.2:8443', '10.0.0.1') == 'https://10.0.0.1:8443'
    assert session._master('https://xs2', '10.0.0.1') == 'https://10.0.0.1'
    assert session._master('https://[fd00::2]:443', 'fd00::1') == 'https://[fd00::1]:443'


@pytest.mark.parametrize('hostname,status,headers,expected', [
    ('https://xs1', 302, {'Location': 'http://u:pw@other.example/x?q=1'},
     'Refusing to follow a redirect from https://xs1:443 to http://other.example:80: XenAPI calls are never '
     'redirected: they carry the password or a session (HTTP 302, https://xs1); check hostname (XENSERVER_HOST)'),
    ('xs1:8443', 307, {'location': '/moved'}, 'Refusing to follow a redirect from https://xs1:8443 to https://xs1:8443: '),
    ('https://xs1', 301, {}, 'Refusing to follow a redirect from https://xs1:443 to nowhere (no Location): '),
    ('unix:', 302, {'Location': 'https://other.example/'},
     'Refusing to follow a redirect from the local socket to https://other.example:443: '),
])
def test_a_redirected_call_is_never_followed_and_reads_as_one_line(hostname, status, headers, expected):
    session = XenServerSession(hostname, 'root', 'pw-123456')

    def redirected():
        raise xmlrpc.client.ProtocolError('xs1/', status, 'Moved', headers)
    with pytest.raises(errors.RedirectRefusedError) as caught:
        session._attempt('session.login_with_password', redirected, 'log in', session.url)
    assert str(caught.value).startswith(expected) and 'pw' not in str(caught.value)


def test_password_is_required_off_host_and_registered_as_secret():
    with pytest.raises(errors.InputError) as caught:
        XenServerSession('xs1', 'root', None)
    assert 'XENSERVER_PASSWORD' in str(caught.value)
    session = XenServerSession('xs1', 'root', 'S3cret-value')
    assert session.redact('login S3cret-value') == 'login ********'


def test_quote_refuses_double_quotes():
    assert quote('web01') == '"web01"'
    with pytest.raises(errors.InputError):
        quote('a"b')
