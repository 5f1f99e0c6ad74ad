"""XenServer client pieces that need no server: error sentences, URLs, task results, guest
addresses, VM summaries and the desired-state planner."""

import ipaddress
import xmlrpc.client

import pytest
from hypothesis import given, settings, strategies as st

from ansible_collections.opencitrix.automation.plugins.module_utils import errors
from ansible_collections.opencitrix.automation.plugins.module_utils.xenserver import (
    XenServerSession, describe_failure, failure_error, host_url, join_states, parse_task_result, quote,
)
from ansible_collections.opencitrix.automation.plugins.module_utils.xenserver_vm import guest_addresses, summarize
from ansible_collections.opencitrix.automation.plugins.module_utils.xenserver_vm_state import (
    desired_settings, power_steps, settings_of,
)

VM_REF = 'OpaqueRef:1f0c6d1e-0d7b-4c55-9a3e-2b1f3c4d5e6f'


def test_vm_bad_power_state_with_and_without_a_known_name():
    details = ['VM_BAD_POWER_STATE', VM_REF, 'halted', 'running']
    assert describe_failure(details, {VM_REF: 'web01'}) == 'VM web01 is running; this operation needs it halted'
    assert describe_failure(details) == 'VM %s is running; this operation needs it halted' % VM_REF
    several = ['VM_BAD_POWER_STATE', VM_REF, 'paused, suspended, running', 'halted']
    assert describe_failure(several, {VM_REF: 'db1'}) == 'VM db1 is halted; this operation needs it paused, suspended or running'


def test_join_states():
    assert join_states('halted') == 'halted'
    assert join_states('halted, suspended') == 'halted or suspended'


def test_other_codes_use_the_datamodel_parameter_names():
    assert describe_failure(['VDI_IN_USE', 'OpaqueRef:v', 'destroy']) == 'vdi=OpaqueRef:v, operation=destroy'
    assert describe_failure(['SOMETHING_NEW', 'a', 'b']) == 'a, b'
    assert describe_failure(['EVENTS_LOST']) == ''


def test_failure_errors_are_typed_one_line_with_a_hint():
    err = failure_error(['HANDLE_INVALID', 'VM', VM_REF], 'start VM web01', {VM_REF: 'web01'}, 'https://xs1')
    assert isinstance(err, errors.NotFoundError) and err.code == 'HANDLE_INVALID'
    assert str(err) == ('Could not start VM web01: HANDLE_INVALID: the VM object web01 does not exist (https://xs1); '
                        'it was probably deleted meanwhile; run again to act on the current pool')
    auth = failure_error(['SESSION_AUTHENTICATION_FAILED'], 'log in', url='https://xs1')
    assert isinstance(auth, errors.AuthenticationError) and 'XENSERVER_PASSWORD' in str(auth)
    assert isinstance(failure_error(['VM_BAD_POWER_STATE', VM_REF, 'halted', 'running'], 'x'), errors.ConflictError)
    other = failure_error(['SR_FULL', '10', '5'], 'x')
    assert isinstance(other, errors.ApiError) and not isinstance(other, (errors.ConflictError, errors.NotFoundError))


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


def test_task_results():
    assert parse_task_result('') is None
    assert parse_task_result('<value>OpaqueRef:abc</value>') == 'OpaqueRef:abc'
    assert parse_task_result('<value><array><data><value>a</value><value>b</value></data></array></value>') == ['a', 'b']
    with pytest.raises(errors.ResponseFormatError):
        parse_task_result('<value>broken')


def test_quote_refuses_double_quotes():
    assert quote('web01') == '"web01"'
    with pytest.raises(errors.InputError):
        quote('a"b')


def test_guest_addresses_in_device_order():
    networks = {'10/ip': '10.0.0.10', '2/ipv4/0': '10.0.0.2', '2/ip': '10.0.0.2', '0/ipv6/0': 'fe80::1',
                '0/ipv4/1': '10.0.0.1', '0/ipv4/0': '10.0.0.0'}
    assert guest_addresses(networks) == (['10.0.0.0', '10.0.0.1', '10.0.0.2', '10.0.0.10'], ['fe80::1'])
    assert guest_addresses(networks, device='2') == (['10.0.0.2'], [])
    assert guest_addresses({}) == ([], [])


def test_summary_from_records_with_ints_as_strings():
    related = {
        'OpaqueRef:gm': {'networks': {'0/ip': '10.1.1.1'}, 'os_version': {'name': 'Windows|C:\\|x', 'distro': 'windows'},
                         'PV_drivers_version': {'major': '9', 'minor': '4', 'micro': '0'}, 'PV_drivers_detected': True,
                         'live': True},
        'OpaqueRef:vbd': {'type': 'Disk', 'VDI': 'OpaqueRef:vdi', 'userdevice': '0', 'bootable': True, 'mode': 'RW'},
        'OpaqueRef:cd': {'type': 'CD', 'VDI': 'OpaqueRef:NULL', 'userdevice': '3', 'empty': True},
        'OpaqueRef:vdi': {'name_label': 'disk', 'uuid': 'u-vdi', 'virtual_size': '21474836480', 'SR': 'OpaqueRef:sr'},
        'OpaqueRef:sr': {'name_label': 'NFS', 'uuid': 'u-sr'},
        'OpaqueRef:vif': {'device': '0', 'MAC': 'aa:bb', 'network': 'OpaqueRef:net', 'currently_attached': True},
        'OpaqueRef:net': {'name_label': 'LAN', 'uuid': 'u-net', 'bridge': 'xenbr0'},
        'OpaqueRef:host': {'name_label': 'xs1', 'uuid': 'u-host'},
    }
    vm = {'name_label': 'w', 'uuid': 'u-vm', 'power_state': 'Running', 'VCPUs_at_startup': '2', 'VCPUs_max': '4',
          'memory_static_max': '4294967296', 'tags': ['b', 'a'], 'guest_metrics': 'OpaqueRef:gm',
          'VBDs': ['OpaqueRef:vbd', 'OpaqueRef:cd', 'OpaqueRef:gone'], 'VIFs': ['OpaqueRef:vif'], 'resident_on': 'OpaqueRef:host'}
    facts = summarize('OpaqueRef:vm', vm, related)
    assert facts['power_state'] == 'running' and facts['vcpus'] == 2 and facts['vcpus_max'] == 4 and facts['memory_mb'] == 4096
    assert facts['ip'] == '10.1.1.1' and facts['host'] == 'xs1' and facts['tags'] == ['a', 'b']
    assert facts['disks'] == [{'device': '0', 'name': 'disk', 'uuid': 'u-vdi', 'size_bytes': 21474836480, 'size_gb': 20.0,
                               'sr': 'NFS', 'sr_uuid': 'u-sr', 'bootable': True, 'mode': 'RW'}]
    assert facts['cdroms'] == [{'device': '3', 'empty': True}]
    assert facts['nics'][0]['network'] == 'LAN' and facts['nics'][0]['ipv4'] == ['10.1.1.1']
    assert facts['guest'] == {'os_name': 'Windows', 'distro': 'windows', 'pv_drivers_version': '9.4.0',
                              'pv_drivers_detected': True, 'live': True}


def test_desired_settings_and_power_plan():
    record = {'name_label': 'w', 'name_description': '', 'VCPUs_at_startup': '2', 'memory_static_max': str(2 << 30),
              'tags': ['x'], 'other_config': {'keep': '1', 'owner': 'a'}, 'power_state': 'Running'}
    before = settings_of(record, ['owner', 'gone'])
    assert before == {'name': 'w', 'description': '', 'vcpus': 2, 'memory_mb': 2048, 'tags': ['x'],
                      'other_config': {'owner': 'a'}, 'power_state': 'running'}
    after = desired_settings(before, {'uuid': 'u', 'name': 'w2', 'description': None, 'vcpus': 4, 'memory_mb': None,
                                      'tags': ['y', 'y'], 'other_config': {'owner': 'b', 'gone': None}, 'state': 'halted'})
    assert after == {'name': 'w2', 'description': '', 'vcpus': 4, 'memory_mb': 2048, 'tags': ['y'],
                     'other_config': {'owner': 'b'}, 'power_state': 'halted'}
    assert power_steps('w', 'running', 'halted') == ['shutdown']
    assert power_steps('w', 'paused', 'halted') == ['unpause', 'shutdown']
    assert power_steps('w', 'halted', 'restarted') == ['start']
    assert power_steps('w', 'running', 'present') == []
    with pytest.raises(errors.InputError):
        power_steps('w', 'halted', 'suspended')


# -- properties of XenAPI result decoding (issue 12) -----------------------------------------------

# What xapi puts in a task's result: strings (references, UUIDs), ints as strings, booleans, floats,
# arrays and structs of those, or "" for void.
XAPI_VALUES = st.recursive(
    st.booleans() | st.floats(allow_nan=False, allow_infinity=False) | st.integers(-2 ** 31, 2 ** 31 - 1).map(str)
    | st.text(st.characters(blacklist_categories=('Cs', 'Cc')), min_size=1, max_size=40),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(
        st.text(st.characters(blacklist_categories=('Cs', 'Cc')), max_size=10), children, max_size=4),
    max_leaves=15)


def _as_task_result(value):
    text = xmlrpc.client.dumps((value,))
    return text[text.index('<value>'):text.rindex('</value>') + len('</value>')]


@settings(max_examples=300, deadline=None)
@given(XAPI_VALUES)
def test_task_results_round_trip(value):
    assert parse_task_result(_as_task_result(value)) == value


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=120))
def test_any_task_result_text_is_a_value_or_a_format_error(text):
    try:
        parse_task_result(text)
    except errors.ResponseFormatError as exc:
        assert '\n' not in str(exc)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(max_size=40) | st.integers().map(str), max_size=6),
       st.dictionaries(st.text(min_size=1, max_size=30), st.text(max_size=20), max_size=3))
def test_any_error_description_is_one_typed_line(details, names):
    error = failure_error(details, 'start VM web01', names)
    assert isinstance(error, errors.CitrixError)
    text = str(error)
    assert '\n' not in text and text.startswith('Could not start VM web01')
    assert error.code == (str(details[0]) if details else 'UNKNOWN_ERROR')


# Guest metrics are written by the agent inside the guest, so a VM's owner controls them: any keys, any values.
NETWORK_KEYS = st.lists(st.sampled_from(['0', '1', '10', 'ip', 'ipv4', 'ipv6', 'x', '']) | st.text(max_size=4),
                        min_size=1, max_size=4).map('/'.join)
NETWORK_VALUES = st.sampled_from(['10.0.0.5', '192.168.1.20', 'fe80::1', '2001:db8::7', 'evil.example.com', '',
                                  '10.0.0.300', ' 10.0.0.6 ']) | st.text(max_size=20)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(NETWORK_KEYS, NETWORK_VALUES, max_size=8), st.none() | st.sampled_from(['0', '1', 'x']))
def test_guest_addresses_take_whatever_a_guest_agent_reports(networks, device):
    ipv4, ipv6 = guest_addresses(networks, device)
    assert all(ipaddress.ip_address(a).version == 4 for a in ipv4)
    assert all(ipaddress.ip_address(a).version == 6 for a in ipv6)
    assert set(ipv4) | set(ipv6) <= set(v.strip() for v in networks.values())
    for key, value in networks.items():
        parts = key.split('/')
        if len(parts) == 3 and parts[0].isdecimal() and parts[1] == 'ipv4' and (device is None or parts[0] == device):
            try:
                wellformed = ipaddress.ip_address(value.strip()).version == 4
            except ValueError:
                wellformed = False
            assert not wellformed or value.strip() in ipv4
