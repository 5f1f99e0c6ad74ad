"""Issue 12: hostile or mistaken input fails with one clear line, and before any request wherever the
input alone says it is wrong (the simulator's request counter stays at 0). Unreachable hosts fail with
one line naming the cause. In-process: the module's real argument checks and clients run, only the
process boundary is skipped."""

import pytest

from tests.module_runner import run_module
from tests.reliability import record
from tests.reliability_probes import CLOUD, DAAS, STOREFRONT, XEN, XENMOBILE

UNRESOLVABLE = 'https://citrix-sim.invalid'


class Bad:
    """``env``: changes to the product's environment (a callable of the simulator, or a dict);
    ``expect``: fragments the one-line message must hold; ``offline``: the input alone is wrong, so no
    request may reach the simulator."""

    def __init__(self, label, module, args, sim, expect, env=None, offline=True):
        self.label = label
        self.module = module
        self.args = args
        self.sim = sim
        self.expect = expect
        self.env = env or {}
        self.offline = offline


def _plain_http(var, path=''):
    def change(sim):
        return {var: sim.url.replace('https://', 'http://') + path}
    return change


CASES = [
    Bad('wrong type', 'citrix_daas_machine', {'catalog': 'X', 'maintenance_mode': 'perhaps'}, DAAS,
        ['maintenance_mode', 'bool']),
    Bad('wrong type', 'xenserver_vm', {'name': 'vm', 'vcpus': 'many'}, XEN, ['vcpus', 'int']),
    Bad('wrong type', 'citrix_cloud_service_info', {'retries': 'a few'}, CLOUD, ['retries', 'int']),
    Bad('wrong type', 'xenmobile_server_property', {'properties': 42}, XENMOBILE, ['properties must be a mapping']),
    Bad('unknown choice', 'citrix_daas_machine_power', {'catalog': 'X', 'state': 'exploded'}, DAAS,
        ['state', 'exploded']),
    Bad('unknown region', 'citrix_cloud_service_info', {'region': 'mars'}, CLOUD, ['region', 'mars'],
        env=lambda sim: {'CITRIX_CLOUD_API_URL': ''}),
    Bad('unknown region (environment)', 'citrix_daas_machine_info', {}, DAAS, ['region', 'antarctica'],
        env={'CITRIX_CLOUD_REGION': 'antarctica'}),
    Bad('unknown region', 'xenmobile_server_property_info', {'login_type': 'cloud', 'cloud_client_id': 'c',
                                                             'cloud_client_secret': 'bad-region-secret',
                                                             'cloud_region': 'moon'}, XENMOBILE, ['cloud_region', 'moon']),
    Bad('bad name', 'citrix_cloud_resource_location', {'name': 'Lab/Floor 2'}, CLOUD, ['Lab/Floor 2']),
    Bad('bad name', 'xenserver_vm_info', {'name': 'web "01"'}, XEN, ['double quotes', 'uuid']),
    Bad('bad name', 'xenmobile_device_info', {'filter_ids': ["device.mode.managed'"]}, XENMOBILE, ['single quote']),
    Bad('bad value', 'xenserver_vm', {'name': 'vm', 'vcpus': 0}, XEN, ['vcpus', 'at least 1']),
    Bad('bad value', 'xenserver_vm', {'name': 'vm', 'memory_mb': -512}, XEN, ['memory_mb', 'at least 1']),
    Bad('bad value', 'xenserver_vm', {'name': 'vm', 'vcpus': 6, 'cores_per_socket': 4}, XEN,
        ['vcpus (6) must be a multiple of cores_per_socket (4)']),
    Bad('bad value', 'xenserver_vm', {'name': 'vm', 'disks': [{'size': 'big'}]}, XEN, ['disks[0].size "big"', '20GiB']),
    Bad('bad value', 'xenserver_vm', {'name': 'vm', 'networks': [{'name': 'n', 'mac': '02:16:3e'}]}, XEN,
        ['networks[0].mac', 'not a MAC address']),
    Bad('bad value', 'xenserver_vm', {'name': 'vm', 'cdrom': {'type': 'iso'}}, XEN, ['cdrom.type iso needs cdrom.iso_name']),
    Bad('running source', 'xenserver_vm', {'name': 'vm', 'template': 'web-0005'}, XEN,
        ['Could not create VM vm from web-0005', 'cloning needs it halted', 'clone_from_snapshot: true'], offline=False),
    Bad('unknown SR', 'xenserver_vm', {'name': 'vm', 'template': 'web-template', 'disks': [{}, {'size_gb': 1, 'sr': 'nope'}]},
        XEN, ['disks[1]: no storage repository "nope"'], offline=False),
    Bad('bad value', 'citrix_cloud_notification', {'title': 'T', 'description': 'D', 'language_tag': 'english'},
        CLOUD, ['language tag', 'english']),
    Bad('bad value', 'xenmobile_device_info', {'api': 'endpoint_management', 'page_size': 500}, XENMOBILE,
        ['page_size 500']),
    Bad('bad value', 'storefront_resource_info', {'max_response_size': 0}, STOREFRONT, ['max_response_size']),
    # The package is read only when an upload is needed (documented): whether it is needed, only the server knows.
    Bad('missing file', 'xenmobile_app', {'name': 'App', 'platform': 'ios', 'file': '/nonexistent/app.ipa'},
        XENMOBILE, ['/nonexistent/app.ipa', 'does not exist'], offline=False),
    Bad('missing credential', 'storefront_resource_info', {'password': None}, STOREFRONT,
        ['username and password go together'], env={'STOREFRONT_PASSWORD': ''}),
    Bad('plain HTTP', 'citrix_cloud_service_info', {}, CLOUD, ['plain HTTP', 'allow_plain_http'],
        env=_plain_http('CITRIX_CLOUD_API_URL')),
    Bad('plain HTTP', 'citrix_daas_machine_info', {}, DAAS, ['plain HTTP', 'allow_plain_http'],
        env=lambda sim: {'CITRIX_DDC_URL': sim.url.replace('https://', 'http://'),
                         'CITRIX_CLIENT_ID': 'SIMLAB\\admin'}),
    Bad('plain HTTP', 'xenmobile_app_info', {}, XENMOBILE, ['plain HTTP', 'allow_plain_http'],
        env=_plain_http('XENMOBILE_URL')),
    Bad('plain HTTP', 'storefront_resource_info', {}, STOREFRONT, ['plain HTTP', 'allow_plain_http'],
        env=_plain_http('STOREFRONT_URL', '/Citrix/Store')),
    Bad('plain HTTP', 'xenserver_host_info', {}, XEN, ['plain HTTP', 'allow_plain_http'],
        env=lambda sim: {'XENSERVER_HOST': sim.service('xenserver').url.replace('https://', 'http://')}),
    Bad('not a URL', 'xenmobile_app_info', {'url': 'https://'}, XENMOBILE, ['Invalid XenMobile URL']),
    # Fleet modules: an empty or missing target never means the whole site or pool (issue 24).
    Bad('empty target: name ""', 'citrix_daas_machine_power', {'name': '', 'state': 'stopped'}, DAAS,
        ['name is empty', 'never means every machine', 'all_targets: true']),
    Bad('empty target: names [""]', 'citrix_daas_machine_power', {'names': [''], 'state': 'stopped'}, DAAS,
        ['names contains an empty entry', 'never means every machine']),
    Bad('empty target: catalog ""', 'citrix_daas_machine_power', {'catalog': '', 'state': 'stopped'}, DAAS,
        ['catalog is empty', 'never means every machine']),
    Bad('empty target: machine_ids []', 'citrix_daas_machine_power', {'machine_ids': [], 'state': 'stopped'}, DAAS,
        ['machine_ids is an empty list', 'never means every machine']),
    Bad('no target', 'citrix_daas_machine_power', {'state': 'stopped'}, DAAS,
        ['No machine named', 'all_targets: true to act on every machine of the site']),
    Bad('all_targets with a target', 'citrix_daas_machine_power', {'catalog': 'X', 'all_targets': True,
                                                                   'state': 'stopped'}, DAAS,
        ['all_targets: true contradicts catalog']),
    Bad('bad value: max_targets 0', 'citrix_daas_machine_power', {'catalog': 'X', 'state': 'stopped', 'max_targets': 0},
        DAAS, ['max_targets must be at least 1']),
    Bad('bad value: batch_size 0', 'citrix_daas_machine', {'catalog': 'X', 'maintenance_mode': True, 'batch_size': 0},
        DAAS, ['batch_size must be between 1 and 1000, got 0']),
    Bad('bad value: batch_size 5000', 'citrix_daas_session', {'user': ['X\\y'], 'state': 'logged_off',
                                                              'batch_size': 5000}, DAAS,
        ['batch_size must be between 1 and 1000, got 5000']),
    Bad('empty target: names []', 'citrix_daas_machine', {'names': [], 'maintenance_mode': True}, DAAS,
        ['names is an empty list', 'never means every machine']),
    Bad('no target', 'citrix_daas_machine', {'maintenance_mode': True}, DAAS, ['No machine named', 'all_targets']),
    Bad('empty target: machine []', 'citrix_daas_session', {'machine': [], 'state': 'logged_off'}, DAAS,
        ['machine is an empty list', 'never means every session']),
    Bad('empty target: session_ids []', 'citrix_daas_session', {'session_ids': [], 'state': 'logged_off'}, DAAS,
        ['session_ids is an empty list', 'never means every session']),
    Bad('no target', 'citrix_daas_session', {'state': 'logged_off'}, DAAS, ['No session named', 'all_targets']),
    Bad('empty target: tag ""', 'citrix_daas_machine', {'tag': '', 'tags': ['Ring1']}, DAAS,
        ['tag is empty', 'never means every machine']),
    Bad('neither maintenance_mode nor tags', 'citrix_daas_machine', {'catalog': 'X'}, DAAS,
        ['one of the following is required: maintenance_mode, tags']),
    Bad('empty target: machines []', 'citrix_daas_delivery_group_machine', {
        'delivery_group': 'G', 'catalog': 'C', 'machines': []}, DAAS, ['machines is an empty list']),
    Bad('empty target: names [""]', 'citrix_daas_delivery_group_machine', {
        'delivery_group': 'G', 'state': 'absent', 'names': ['']}, DAAS, ['names contains an empty entry']),
    Bad('no target', 'citrix_daas_delivery_group_machine', {'delivery_group': 'G', 'state': 'absent'}, DAAS,
        ['No machine named', 'all_targets']),
    Bad('bad value: count 0', 'citrix_daas_delivery_group_machine', {
        'delivery_group': 'G', 'catalog': 'C', 'count': 0}, DAAS, ['count must be at least 1']),
    Bad('all_targets to add', 'citrix_daas_delivery_group_machine', {
        'delivery_group': 'G', 'catalog': 'C', 'all_targets': True}, DAAS, ['all_targets applies to state: absent']),
    Bad('names to add', 'citrix_daas_delivery_group_machine', {
        'delivery_group': 'G', 'catalog': 'C', 'names': ['M']}, DAAS, ['names does not apply to state: present']),
    Bad('empty target: assignments []', 'citrix_daas_machine_assignment', {'assignments': []}, DAAS,
        ['assignments is an empty list', 'never means every machine']),
    Bad('no users', 'citrix_daas_machine_assignment', {'catalog': 'C'}, DAAS, ['users is required']),
    Bad('empty target: delivery_group []', 'citrix_daas_session_message', {'delivery_group': [], 'text': 'T'}, DAAS,
        ['delivery_group is an empty list', 'never means every session']),
    Bad('no target', 'citrix_daas_session_message', {'text': 'T'}, DAAS, ['No session named', 'all_targets']),
    Bad('empty target: vms []', 'xenserver_vm_migrate', {'vms': [], 'target_host': 'xs-host-02'}, XEN,
        ['vms is an empty list', 'never means every VM', 'whole pool']),
    Bad('no target', 'xenserver_vm_migrate', {'target_host': 'xs-host-02'}, XEN, ['No VM named', 'all_targets']),
    Bad('empty target: names []', 'xenserver_vm_power', {'names': [], 'state': 'halted'}, XEN,
        ['names is an empty list', 'never means every VM', 'whole pool']),
    Bad('empty target: tags [""]', 'xenserver_vm_power', {'tags': [''], 'state': 'halted'}, XEN,
        ['tags contains an empty entry', 'never means every VM']),
    Bad('no target', 'xenserver_vm_power', {'power_states': ['running'], 'state': 'halted'}, XEN,
        ['No VM named', 'set names, tags or host, or all_targets']),
    Bad('empty target: id []', 'xenmobile_device', {'action': 'lock', 'id': []}, XENMOBILE,
        ['id is an empty list', 'never means every device', 'whole server']),
    Bad('no target', 'xenmobile_device', {'action': 'locate'}, XENMOBILE, ['No device named', 'all_targets']),
    Bad('unconfirmed wipe', 'xenmobile_device', {'action': 'full_wipe', 'serial_number': ['SN00000001']}, XENMOBILE,
        ['action full_wipe needs confirm: true', 'cannot be undone']),
    Bad('unconfirmed delete', 'xenmobile_device', {'action': 'delete', 'all_targets': True, 'max_targets': 1},
        XENMOBILE, ['action delete needs confirm: true']),
    Bad('over max_targets by id', 'xenmobile_device', {'action': 'selective_wipe', 'id': ['1', '2', '3'],
                                                       'confirm': True, 'max_targets': 2}, XENMOBILE,
        ['3 devices would change, more than max_targets (2)', 'nothing was changed']),
    Bad('empty target: user [""]', 'xenmobile_enrollment', {'user': ['']}, XENMOBILE,
        ['user contains an empty entry']),
    Bad('unknown choice', 'xenmobile_enrollment', {'user': ['a@acme.com'], 'platform': ['blackberry']}, XENMOBILE,
        ['platform', 'blackberry']),
    Bad('missing option', 'xenmobile_weblink_app', {'name': 'Link'}, XENMOBILE, ['link_url']),
    Bad('unknown choice', 'xenmobile_store_app', {'name': 'App', 'platforms': [{'platform': 'symbian'}]}, XENMOBILE,
        ['platform', 'symbian']),
    Bad('bad value', 'xenmobile_device_export', {'dest': '/nonexistent/archive', 'keep_days': 0}, XENMOBILE,
        ['keep_days must be at least 1']),
    Bad('bad value', 'xenmobile_device_export', {'dest': '/nonexistent/archive', 'date': '2026-13-45'}, XENMOBILE,
        ['date "2026-13-45" is not a date']),
    Bad('empty target: resources []', 'storefront_launch_check', {'resources': []}, STOREFRONT,
        ['resources is an empty list']),
    Bad('empty target: resources [""]', 'storefront_subscription', {'resources': ['']}, STOREFRONT,
        ['resources contains an empty entry']),
    # More objects would change than max_targets allows: the reads that resolve the targets are made, no write.
    Bad('over max_targets', 'citrix_daas_machine_power', {'all_targets': True, 'state': 'stopped', 'max_targets': 2},
        DAAS, ['more than max_targets (2)', 'nothing was changed'], offline=False),
    Bad('over max_targets', 'citrix_daas_session', {'all_targets': True, 'state': 'logged_off', 'max_targets': 1},
        DAAS, ['more than max_targets (1)', 'nothing was changed'], offline=False),
    Bad('over max_targets', 'citrix_daas_session_message', {'all_targets': True, 'text': 'T', 'max_targets': 1},
        DAAS, ['more than max_targets (1)', 'nothing was changed'], offline=False),
    Bad('over max_targets', 'citrix_daas_machine', {'all_targets': True, 'tags': ['T'], 'max_targets': 1},
        DAAS, ['more than max_targets (1)', 'nothing was changed'], offline=False),
    Bad('over max_targets', 'xenserver_vm_migrate', {'all_targets': True, 'target_host': 'xs-host-02',
                                                     'max_targets': 1}, XEN,
        ['more than max_targets (1)', 'nothing was changed'], offline=False),
    Bad('over max_targets', 'xenserver_vm_power', {'all_targets': True, 'state': 'restarted', 'max_targets': 3}, XEN,
        ['more than max_targets (3)', 'nothing was changed'], offline=False),
    Bad('over max_targets', 'xenmobile_device', {'action': 'selective_wipe', 'user': ['user5@acme.com'],
                                                 'confirm': True, 'max_targets': 1}, XENMOBILE,
        ['devices would change, more than max_targets (1)', 'nothing was changed'], offline=False),
    Bad('unreachable host', 'citrix_cloud_service_info', {}, CLOUD, ['could not be resolved'],
        env={'CITRIX_CLOUD_API_URL': UNRESOLVABLE}, offline=False),
    Bad('unreachable host', 'xenmobile_server_property_info', {}, XENMOBILE, ['could not be resolved'],
        env={'XENMOBILE_URL': UNRESOLVABLE}, offline=False),
    Bad('unreachable host', 'storefront_resource_info', {}, STOREFRONT, ['could not be resolved'],
        env={'STOREFRONT_URL': UNRESOLVABLE + '/Citrix/Store'}, offline=False),
    Bad('unreachable host', 'xenserver_host_info', {}, XEN, ['could not be resolved'],
        env={'XENSERVER_HOST': UNRESOLVABLE}, offline=False),
    Bad('unreachable host', 'citrix_daas_session_info', {}, DAAS, ['could not be resolved'],
        env={'CITRIX_DDC_URL': UNRESOLVABLE, 'CITRIX_CLIENT_ID': 'SIMLAB\\admin'}, offline=False),
]


CASE_IDS = ['%02d-%s-%s' % (n, c.module, c.label) for n, c in enumerate(CASES)]


@pytest.mark.parametrize('case', CASES, ids=CASE_IDS)
def test_bad_input_fails_in_one_line_before_any_request(case, make_sim, tmp_path, monkeypatch, simulator_waits):
    monkeypatch.setenv('XDG_CACHE_HOME', str(tmp_path / 'cache'))
    sim = make_sim(**case.sim)
    simulator_waits(sim)
    env = dict(sim.client_env())
    env.update(case.env(sim) if callable(case.env) else case.env)
    env = {k: v for k, v in env.items() if v != ''}
    sim.reset()
    result = run_module(case.module, case.args, env=env)
    msg = result.get('msg', '')
    requests = sim.stats.count()
    assert sim.stats.writes() == 0
    record('bad_input', CASE_IDS[CASES.index(case)], {
        'module': case.module, 'case': case.label, 'msg': msg, 'requests': requests, 'offline': case.offline})
    assert result.get('failed') and not result.get('escaped'), result
    assert msg and '\n' not in msg and 'Traceback' not in str(result), msg
    for fragment in case.expect:
        assert fragment in msg, (fragment, msg)
    if case.offline:
        assert requests == 0, '%d request(s) before refusing input that is wrong on its face' % requests


def test_a_guest_agent_reporting_odd_network_keys_breaks_nothing(make_sim, tmp_path):
    """Regression (property test of guest_addresses, issue 12): the agent inside a guest writes the
    ``networks`` of its guest metrics, so the VM's owner controls those keys and values. Keys that are not
    ``<device>/ip...`` used to make sorting fail with a TypeError, failing every VM listing and the
    inventory of the whole pool; and a host name reported as an address became ``ansible_host``."""
    from tests.inventory_runner import run_inventory
    sim = make_sim(**XEN)
    xen = sim.service('xenserver')
    ref = xen.add_test_vm('odd-guest', power_state='Running')
    metrics = xen.db.get('VM', ref)['guest_metrics']
    xen.db.update('VM_guest_metrics', metrics, networks={'0/ip': '10.0.0.5', 'eth0': 'x', 'ip': '10.9.9.9',
                                                         '0/ipv4/0': '10.0.0.5', 'é/ip': 'y'})
    liar = xen.add_test_vm('liar-guest', power_state='Running')
    xen.db.update('VM_guest_metrics', xen.db.get('VM', liar)['guest_metrics'],
                  networks={'0/ip': 'collector.attacker.example', '0/ipv6/0': 'not-an-address'})
    info = run_module('xenserver_vm_info', {'name': 'odd-guest'}, env=sim.client_env())
    assert not info.get('failed'), info
    assert info['vms'][0]['ipv4'] == ['10.0.0.5']
    inventory = run_inventory('xenserver', {'plugin': 'opencitrix.automation.xenserver'}, tmp_path, env=sim.client_env())
    assert not inventory.get('failed'), inventory
    assert inventory['hostvars']['odd-guest']['ansible_host'] == '10.0.0.5'
    assert 'ansible_host' not in inventory['hostvars']['liar-guest']
