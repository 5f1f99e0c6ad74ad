"""Issue 12: check mode and idempotence of every module, in-process against the simulator, proved with its
write counters.

Each state-changing case runs four times: in check mode with --diff (0 writes; predicts ``changed``
and the per-object counts of the real run), for real (writes; reports ``changed``), for real again
(0 writes, ``changed: false``) and in check mode again (0 writes, ``changed: false``). States that
always act by convention (``restarted``) are marked: their second run acts and reports a change again.
Info modules run for real and in check mode: 0 writes and ``changed: false`` both times. Real
``ansible-playbook`` runs of the same sequence (one per product) are in test_secret_hygiene.py."""

import os

import pytest

from tests.module_runner import run_module
from tests.reliability import record
from tests.reliability_probes import CLOUD, DAAS, STOREFRONT, XEN, XENMOBILE
from tests.simulator.services.xenmobile import seeding as xenmobile_seed


class Case:
    """One module call. ``kind``: 'change' (state-changing), 'always' (acts on every run by convention)
    or 'info'."""

    def __init__(self, product, module, args, sim, setup=None, kind='change', label=None):
        self.product = product
        self.module = module
        self.args = args
        self.sim = sim
        self.setup = setup or (lambda sim: None)
        self.kind = kind
        self.label = label or args.get('state') or ''

    @property
    def id(self):
        return '%s:%s' % (self.module, self.label) if self.label else self.module


# -- set-ups ----------------------------------------------------------------------------------------

def _location(name, **fields):
    def setup(sim):
        sim.service('cloud_platform').add_location(sim.service('cloud').customer, name, **fields)
    return setup


def _daas_catalog(profile='vm', **machine_fields):
    def setup(sim):
        daas = sim.service('daas')
        daas.add_catalog('Idem', 3, delivery_group='Idem Group', profile=profile)
        for machine in daas.machines_of('Idem'):
            if machine_fields:
                daas.update_machine(machine, **machine_fields)
    return setup


def _daas_sessions(state='Active'):
    def setup(sim):
        daas = sim.service('daas')
        daas.add_catalog('Idem', 3)
        for machine in daas.machines_of('Idem')[:2]:
            daas.add_session(machine, user='SIMLAB\\idem', state=state)
    return setup


def _daas_pool(sim):
    """A catalog of 3 machines in no delivery group, and an empty group."""
    daas = sim.service('daas')
    daas.add_catalog('Idem', 3)
    daas.add_group('Idem Group')


def _daas_personal(assigned=(), tags=()):
    """A static catalog of 3 machines (no group for now when ``assigned`` is None), some assigned or tagged."""
    def setup(sim):
        daas = sim.service('daas')
        catalog = daas.add_catalog('Idem', 3, allocation='Static')
        daas.add_group('Idem Group', sharing='Private')
        for machine in catalog['machine_ids']:
            if assigned:
                daas.assign_users(machine, list(assigned))
            if tags:
                daas.tag_objects(tags[0], machines=[machine])
    return setup


def _xen_vm(name, power_state):
    def setup(sim):
        sim.service('xenserver').add_test_vm(name, power_state=power_state, host_index=0)
    return setup


def _xen_two_running(sim):
    for name in ('idem-a', 'idem-b'):
        sim.service('xenserver').add_test_vm(name, power_state='Running', host_index=0)


def _xen_snapshot(name, power_state, snapshot=None):
    """VM ``name`` in ``power_state``, with a snapshot called ``snapshot`` taken now (none without it)."""
    def setup(sim):
        xen = sim.service('xenserver')
        ref = xen.add_test_vm(name, power_state=power_state, host_index=0)
        if snapshot:
            with xen.db.lock:
                xen.parts.snapshot(ref, snapshot)
    return setup


def _xm_property(name, value, default):
    def setup(sim):
        sim.service('xenmobile').instance().put_property(
            xenmobile_seed.property_record(None, name, value, default_value=default))
    return setup


def _xm_package(sim):
    with open(os.path.join(sim.workdir, 'idem.apk'), 'wb') as handle:
        handle.write(xenmobile_seed.build_package('android', '2.0.1', name='Idem'))


def _xm_app(sim):
    sim.service('xenmobile').instance().add_app('Idem Gone', 'Enterprise', {'android': '1.0.0'})


def _xm_catalog(app_type, content, name='Idem Link'):
    def setup(sim):
        sim.service('xenmobile').instance().add_app(name, app_type, content)
    return setup


def _sf_off(sim):
    """The desktop the launch case starts is on: a launch check then changes nothing."""
    for resource in sim.service('storefront').resources:
        resource['power'] = 'on'


XM_DEVICES = {'services': ['xenmobile'], 'size': 1, 'config': {'xenmobile': {'devices': 40}}}
IDEM_IPHONE = {'platform': 'iphone', 'store_url': 'https://itunes.apple.com/us/app/idem/id1?mt=8'}
IDEM_ANDROID = {'platform': 'android', 'store_url': 'https://play.google.com/store/apps/details?id=idem',
                'remove_with_mdm': False}
SF_LAUNCHABLE = ['Controller.Notepad', 'Farm2.Microsoft Excel 1', 'Farm2.Windows 11 Desktop 10']


CASES = [
    Case('Citrix Cloud', 'citrix_cloud_resource_location', {'name': 'Idem lab'}, CLOUD, label='present (create)'),
    Case('Citrix Cloud', 'citrix_cloud_resource_location', {'name': 'Idem edit', 'internal_only': True}, CLOUD,
         _location('Idem edit'), label='present (update)'),
    Case('Citrix Cloud', 'citrix_cloud_resource_location', {'name': 'Idem old', 'new_name': 'Idem new'}, CLOUD,
         _location('Idem old'), label='present (rename)'),
    Case('Citrix Cloud', 'citrix_cloud_resource_location', {'name': 'Idem gone', 'state': 'absent'}, CLOUD,
         _location('Idem gone')),
    Case('Citrix Cloud', 'citrix_cloud_notification', {'title': 'Idem', 'description': 'Sent once'},
         CLOUD, label='sent once (same title and description listed)'),
    Case('Citrix Cloud', 'citrix_cloud_service_info', {}, CLOUD, kind='info'),
    Case('Citrix Cloud', 'citrix_cloud_resource_location_info', {}, CLOUD, kind='info'),

    Case('Citrix DaaS', 'citrix_daas_machine', {'catalog': 'Idem', 'maintenance_mode': True}, DAAS, _daas_catalog(),
         label='maintenance on'),
    Case('Citrix DaaS', 'citrix_daas_machine', {'catalog': 'Idem', 'maintenance_mode': False}, DAAS,
         _daas_catalog(InMaintenanceMode=True), label='maintenance off'),
    Case('Citrix DaaS', 'citrix_daas_machine_power', {'catalog': 'Idem', 'state': 'started'}, DAAS,
         _daas_catalog(PowerState='Off')),
    Case('Citrix DaaS', 'citrix_daas_machine_power', {'catalog': 'Idem', 'state': 'stopped'}, DAAS, _daas_catalog()),
    Case('Citrix DaaS', 'citrix_daas_machine_power', {'catalog': 'Idem', 'state': 'suspended'}, DAAS,
         _daas_catalog(profile='vm-suspend')),
    Case('Citrix DaaS', 'citrix_daas_machine_power', {'catalog': 'Idem', 'state': 'restarted'}, DAAS,
         _daas_catalog(), kind='always'),
    Case('Citrix DaaS', 'citrix_daas_session', {'user': ['SIMLAB\\idem'], 'state': 'logged_off'}, DAAS,
         _daas_sessions()),
    Case('Citrix DaaS', 'citrix_daas_session', {'user': ['SIMLAB\\idem'], 'state': 'disconnected'}, DAAS,
         _daas_sessions()),
    Case('Citrix DaaS', 'citrix_daas_machine', {'catalog': 'Idem', 'tags': ['Idem', 'Ring1']}, DAAS,
         _daas_catalog(), label='tags present'),
    Case('Citrix DaaS', 'citrix_daas_machine', {'catalog': 'Idem', 'tags': ['Ring1'], 'tags_state': 'exact'}, DAAS,
         _daas_personal(tags=['Old']), label='tags exact'),
    Case('Citrix DaaS', 'citrix_daas_machine', {'catalog': 'Idem', 'tags': ['old'], 'tags_state': 'absent'}, DAAS,
         _daas_personal(tags=['Old']), label='tags absent'),
    Case('Citrix DaaS', 'citrix_daas_delivery_group_machine', {'delivery_group': 'Idem Group', 'catalog': 'Idem',
                                                               'count': 2}, DAAS, _daas_pool, label='present (count)'),
    Case('Citrix DaaS', 'citrix_daas_delivery_group_machine', {
        'delivery_group': 'Idem Group', 'catalog': 'Idem', 'machines': [
            {'name': 'IDEM-00001', 'users': ['SIMLAB\\idem']}, {'name': 'IDEM-00002'}]}, DAAS, _daas_personal(),
         label='present (machines and users)'),
    Case('Citrix DaaS', 'citrix_daas_delivery_group_machine', {'delivery_group': 'Idem Group', 'state': 'absent',
                                                               'names': ['IDEM-00001', 'IDEM-00003']}, DAAS,
         _daas_catalog()),
    Case('Citrix DaaS', 'citrix_daas_machine_assignment', {'catalog': 'Idem', 'users': ['idem@simlab.example.com']},
         DAAS, _daas_personal(assigned=['SIMLAB\\other'])),
    Case('Citrix DaaS', 'citrix_daas_machine_assignment', {'catalog': 'Idem', 'state': 'exact', 'assignments': [
        {'machine': 'IDEM-00002', 'users': ['SIMLAB\\idem']}]}, DAAS, _daas_personal(assigned=['SIMLAB\\other'])),
    Case('Citrix DaaS', 'citrix_daas_machine_assignment', {'catalog': 'Idem', 'users': ['SIMLAB\\OTHER'],
                                                           'state': 'absent'}, DAAS,
         _daas_personal(assigned=['SIMLAB\\other'])),
    Case('Citrix DaaS', 'citrix_daas_session_message', {'user': ['SIMLAB\\idem'], 'text': 'Idem'}, DAAS,
         _daas_sessions(), kind='always', label='message'),
    Case('Citrix DaaS', 'citrix_daas_machine_info', {'catalog': 'Idem'}, DAAS, _daas_catalog(), kind='info'),
    Case('Citrix DaaS', 'citrix_daas_session_info', {}, DAAS, _daas_sessions(), kind='info'),
    Case('Citrix DaaS', 'citrix_daas_catalog_info', {}, DAAS, _daas_personal(tags=['Old']), kind='info'),
    Case('Citrix DaaS', 'citrix_daas_delivery_group_info', {'include_catalogs': True}, DAAS, kind='info'),
    Case('Citrix DaaS', 'citrix_daas_site_info', {}, DAAS, kind='info'),

    Case('XenServer', 'xenserver_vm', {'name': 'idem-new', 'template': 'web-template'}, XEN, label='present (create)'),
    Case('XenServer', 'xenserver_vm', {'name': 'idem-set', 'description': 'Set by the idempotence test', 'vcpus': 4,
                                       'memory_mb': 2048, 'tags': ['idem'], 'other_config': {'owner': 'idem'}},
         XEN, _xen_vm('idem-set', 'Halted'), label='present (settings)'),
    Case('XenServer', 'xenserver_vm', {'name': 'idem-vm', 'state': 'running'}, XEN, _xen_vm('idem-vm', 'Halted')),
    Case('XenServer', 'xenserver_vm', {'name': 'idem-vm', 'state': 'halted'}, XEN, _xen_vm('idem-vm', 'Running')),
    Case('XenServer', 'xenserver_vm', {'name': 'idem-vm', 'state': 'suspended'}, XEN, _xen_vm('idem-vm', 'Running')),
    Case('XenServer', 'xenserver_vm', {'name': 'idem-vm', 'state': 'paused'}, XEN, _xen_vm('idem-vm', 'Running')),
    Case('XenServer', 'xenserver_vm', {'name': 'idem-vm', 'state': 'absent'}, XEN, _xen_vm('idem-vm', 'Halted')),
    # force: the guest agent of a VM that has just been rebooted has not reported yet (no clean reboot)
    Case('XenServer', 'xenserver_vm', {'name': 'idem-vm', 'state': 'restarted', 'force': True}, XEN,
         _xen_vm('idem-vm', 'Running'), kind='always'),
    Case('XenServer', 'xenserver_vm', {
        'name': 'idem-dev', 'vcpus': 4, 'cores_per_socket': 2, 'home_server': 'xs-host-02',
        'xenstore_data': {'ip': '10.0.0.9'}, 'disks': [{}, {'size_gb': 2, 'sr': 'iSCSI virtual disk storage'}],
        'networks': [{'name': 'Pool-wide network associated with eth0'},
                     {'name': 'Pool-wide network associated with eth1', 'mac': '02:16:3e:77:00:01'}],
        'cdrom': {'iso_name': 'debian-12.5.0-amd64-netinst.iso'}}, XEN, _xen_vm('idem-dev', 'Halted'),
        label='present (devices and hardware)'),
    Case('XenServer', 'xenserver_vm', {'name': 'idem-copy', 'template': 'web-template', 'linked_clone': False,
                                       'disks': [{'sr': 'iSCSI virtual disk storage'}]}, XEN, label='present (full copy)'),
    Case('XenServer', 'xenserver_vm', {'name': 'idem-clone', 'template': 'idem-vm', 'clone_from_snapshot': True}, XEN,
         _xen_vm('idem-vm', 'Running'), label='present (clone of a running VM)'),
    Case('XenServer', 'xenserver_vm_migrate', {'vms': ['idem-a', 'idem-b'], 'target_host': 'xs-host-03'}, XEN,
         _xen_two_running, label='migrate'),
    Case('XenServer', 'xenserver_vm_power', {'names': ['idem-a', 'idem-b'], 'state': 'suspended'}, XEN, _xen_two_running),
    Case('XenServer', 'xenserver_vm_power', {'names': ['idem-a', 'idem-b'], 'state': 'restarted', 'force': True}, XEN,
         _xen_two_running, kind='always'),
    Case('XenServer', 'xenserver_vm_snapshot', {'name': 'idem-vm', 'snapshot': 'idem-snap'}, XEN,
         _xen_snapshot('idem-vm', 'Running')),
    Case('XenServer', 'xenserver_vm_snapshot', {'name': 'idem-vm', 'snapshot': 'idem-snap', 'state': 'reverted'}, XEN,
         _xen_snapshot('idem-vm', 'Running', 'idem-snap')),
    Case('XenServer', 'xenserver_vm_snapshot', {'name': 'idem-vm', 'snapshot': 'idem-snap', 'state': 'absent'}, XEN,
         _xen_snapshot('idem-vm', 'Halted', 'idem-snap')),
    Case('XenServer', 'xenserver_host_info', {}, XEN, kind='info'),
    Case('XenServer', 'xenserver_vm_info', {}, XEN, kind='info'),

    Case('XenMobile', 'xenmobile_server_property', {'name': 'idem.new', 'value': 'on'}, XENMOBILE,
         label='present (add)'),
    Case('XenMobile', 'xenmobile_server_property', {'name': 'idem.edit', 'value': 'new'}, XENMOBILE,
         _xm_property('idem.edit', 'old', 'old'), label='present (edit)'),
    Case('XenMobile', 'xenmobile_server_property', {'name': 'idem.gone', 'state': 'absent'}, XENMOBILE,
         _xm_property('idem.gone', 'x', 'x')),
    Case('XenMobile', 'xenmobile_server_property', {'name': 'idem.tuned', 'state': 'default'}, XENMOBILE,
         _xm_property('idem.tuned', '90', '30')),
    Case('XenMobile', 'xenmobile_app', {'name': 'Idem', 'platform': 'android', 'version': '2.0.1',
                                        'file': '{workdir}/idem.apk'}, XENMOBILE, _xm_package, label='present (upload)'),
    Case('XenMobile', 'xenmobile_app', {'name': 'Idem Gone', 'state': 'absent'}, XENMOBILE, _xm_app),
    # Device actions: the device carries them out when it next connects, so a second run finds them pending.
    Case('XenMobile', 'xenmobile_device', {'action': 'lock', 'id': ['3']}, XM_DEVICES, label='lock'),
    Case('XenMobile', 'xenmobile_device', {'action': 'locate', 'serial_number': ['SN00000004']}, XM_DEVICES,
         label='locate'),
    Case('XenMobile', 'xenmobile_device', {'action': 'unlock', 'id': ['5']}, XM_DEVICES, label='unlock'),
    Case('XenMobile', 'xenmobile_device', {'action': 'selective_wipe', 'user': ['user6@acme.com'], 'confirm': True},
         XM_DEVICES, label='selective_wipe'),
    Case('XenMobile', 'xenmobile_device', {'action': 'full_wipe', 'id': ['7'], 'confirm': True}, XM_DEVICES,
         label='full_wipe'),
    Case('XenMobile', 'xenmobile_device', {'action': 'revoke', 'id': ['8'], 'confirm': True}, XM_DEVICES,
         label='revoke'),
    Case('XenMobile', 'xenmobile_device', {'action': 'delete', 'id': ['9', '10'], 'confirm': True}, XM_DEVICES,
         label='delete'),
    Case('XenMobile', 'xenmobile_enrollment', {'user': ['idem@acme.com'], 'platform': ['ios', 'android']},
         XM_DEVICES, label='present (invite)'),
    Case('XenMobile', 'xenmobile_enrollment', {'user': ['user1@acme.com'], 'platform': ['ios'], 'state': 'absent'},
         XM_DEVICES),
    Case('XenMobile', 'xenmobile_weblink_app', {'name': 'Idem Link', 'link_url': 'https://idem.example/'}, XENMOBILE,
         label='present (add)'),
    Case('XenMobile', 'xenmobile_weblink_app', {'name': 'Idem Link', 'link_url': 'https://idem.example/new',
                                                'vpn': True}, XENMOBILE,
         _xm_catalog('Web Link', {'url': 'https://idem.example/'}), label='present (update)'),
    Case('XenMobile', 'xenmobile_weblink_app', {'name': 'Idem Link', 'state': 'absent'}, XENMOBILE,
         _xm_catalog('Web Link', {'url': 'https://idem.example/'})),
    Case('XenMobile', 'xenmobile_store_app', {'name': 'Idem Store', 'platforms': [IDEM_IPHONE]}, XENMOBILE,
         label='present (add)'),
    Case('XenMobile', 'xenmobile_store_app', {'name': 'Idem Store', 'delivery_groups': ['Sales'],
                                              'platforms': [IDEM_ANDROID]}, XENMOBILE,
         _xm_catalog('App Store App', {'iphone': IDEM_IPHONE['store_url']}, 'Idem Store'),
         label='present (add a platform)'),
    Case('XenMobile', 'xenmobile_server_property_info', {}, XENMOBILE, kind='info'),
    Case('XenMobile', 'xenmobile_device_info', {}, XENMOBILE, kind='info'),
    Case('XenMobile', 'xenmobile_user_activity_info', {}, XENMOBILE, kind='info'),
    Case('XenMobile', 'xenmobile_app_info', {'details': True}, XENMOBILE, kind='info'),

    Case('StoreFront', 'storefront_resource_info', {}, STOREFRONT, kind='info'),
    Case('StoreFront', 'storefront_subscription', {'resources': ['Farm3.AutoCAD 5', 'Farm1.SAP GUI 6']}, STOREFRONT,
         label='subscribed'),
    Case('StoreFront', 'storefront_subscription', {'resources': ['Farm2.Microsoft Excel 1'], 'state': 'unsubscribed'},
         STOREFRONT),
    # Launches that start nothing: no write, no change; check mode launches nothing.
    Case('StoreFront', 'storefront_launch_check', {'resources': SF_LAUNCHABLE}, STOREFRONT, _sf_off, kind='info'),
]


def _run(case, args, env, check_mode):
    result = run_module(case.module, args, env=env, check_mode=check_mode, diff=True)
    assert not result.get('failed'), result
    return result


@pytest.mark.parametrize('case', CASES, ids=[c.id for c in CASES])
def test_check_mode_and_second_run(case, make_sim, tmp_path, monkeypatch, simulator_waits):
    monkeypatch.setenv('XDG_CACHE_HOME', str(tmp_path / 'cache'))
    sim = make_sim(**case.sim)
    simulator_waits(sim)
    case.setup(sim)
    env = sim.client_env()
    args = {k: v.format(workdir=sim.workdir) if isinstance(v, str) else v for k, v in case.args.items()}
    acts_again = case.kind == 'always'
    runs = []
    for check_mode in (True, False, False, True):
        before = sim.stats.writes()
        result = _run(case, args, env, check_mode)
        runs.append((result, sim.stats.writes() - before))
    (check, check_writes), (first, first_writes), (second, second_writes), (recheck, recheck_writes) = runs

    assert check_writes == 0 and recheck_writes == 0, 'check mode wrote'
    if case.kind == 'info':
        assert first_writes == 0 and second_writes == 0
        assert not any(r['changed'] for r, _writes in runs)
    else:
        assert check['changed'] is True and first['changed'] is True, 'check mode did not predict the change'
        assert first_writes >= 1
        if 'counts' in check:
            assert check['counts'] == first['counts'], 'check mode predicted other per-object outcomes'
        diff = check.get('diff') or {}
        if not acts_again:  # a restart ends where it started
            assert diff.get('before') != diff.get('after'), '--diff in check mode shows no change'
        assert second['changed'] is acts_again and recheck['changed'] is acts_again
        assert (second_writes >= 1) if acts_again else (second_writes == 0)
    record('modes', case.id, {'product': case.product, 'module': case.module, 'case': case.label or '-',
                              'kind': case.kind, 'check_writes': check_writes, 'check_changed': check['changed'],
                              'first_writes': first_writes, 'first_changed': first['changed'],
                              'second_writes': second_writes, 'second_changed': second['changed'],
                              'recheck_writes': recheck_writes})
