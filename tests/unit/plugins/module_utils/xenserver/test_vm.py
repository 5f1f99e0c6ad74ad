"""XenServer VM facts and the desired-state planner without a server: guest addresses, VM summaries,
settings and power steps."""

import ipaddress

import pytest
from hypothesis import given, settings, strategies as st

from ansible_collections.opencitrix.automation.plugins.module_utils import errors
from ansible_collections.opencitrix.automation.plugins.module_utils.xenserver.vm import guest_addresses, summarize
from ansible_collections.opencitrix.automation.plugins.module_utils.xenserver.vm_power import power_steps
from ansible_collections.opencitrix.automation.plugins.module_utils.xenserver.vm_settings import (
    changed_settings, desired_settings, settings_of,
)


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
    assert facts['cdroms'] == [{'device': '3', 'empty': True, 'iso_name': None}]
    assert facts['nics'][0]['network'] == 'LAN' and facts['nics'][0]['ipv4'] == ['10.1.1.1']
    assert facts['guest'] == {'os_name': 'Windows', 'distro': 'windows', 'pv_drivers_version': '9.4.0',
                              'pv_drivers_detected': True, 'live': True}


def test_desired_settings_and_power_plan():
    record = {'name_label': 'w', 'name_description': '', 'VCPUs_at_startup': '2', 'memory_static_max': str(2 << 30),
              'tags': ['x'], 'other_config': {'keep': '1', 'owner': 'a'}, 'power_state': 'Running',
              'xenstore_data': {'vm-data/ip': '10.0.0.1', 'vm-data/other': 'x'}, 'platform': {'cores-per-socket': '2'},
              'affinity': 'OpaqueRef:h1'}
    hosts = {'OpaqueRef:h1': {'name_label': 'xs1'}}
    params = {'uuid': 'u', 'name': 'w2', 'description': None, 'vcpus': 4, 'memory_mb': None, 'tags': ['y', 'y'],
              'other_config': {'owner': 'b', 'gone': None}, 'xenstore_data': {'ip': '10.0.0.2', 'vm-data/mask': None},
              'state': 'halted'}
    before = settings_of(record, params, hosts)
    assert before == {'name': 'w', 'description': '', 'vcpus': 2, 'cores_per_socket': 2, 'memory_mb': 2048,
                      'tags': ['x'], 'other_config': {'owner': 'a'}, 'xenstore_data': {'vm-data/ip': '10.0.0.1'},
                      'home_server': 'xs1', 'power_state': 'running'}
    after = desired_settings(before, params, home_server='')
    assert after == {'name': 'w2', 'description': '', 'vcpus': 4, 'cores_per_socket': 2, 'memory_mb': 2048,
                     'tags': ['y'], 'other_config': {'owner': 'b'}, 'xenstore_data': {'vm-data/ip': '10.0.0.2'},
                     'home_server': None, 'power_state': 'running'}
    assert changed_settings(before, after) == ['name', 'vcpus', 'tags', 'other_config', 'xenstore_data', 'home_server']
    with pytest.raises(errors.InputError, match=r'vcpus \(3\) must be a multiple of cores_per_socket \(2\)'):
        desired_settings(before, dict(params, vcpus=3))
    assert power_steps('w', 'running', 'halted') == ['shutdown']
    assert power_steps('w', 'paused', 'halted') == ['unpause', 'shutdown']
    assert power_steps('w', 'halted', 'restarted') == ['start']
    assert power_steps('w', 'running', 'present') == []
    with pytest.raises(errors.InputError):
        power_steps('w', 'halted', 'suspended')


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
