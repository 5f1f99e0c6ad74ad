"""xenserver_vm with disks, NICs, a CD, cores per socket and xenstore data, through real ansible-playbook
runs: a VM made from a template with two more disks on a named storage repository, two NICs with fixed
MACs on named networks, an ISO, 4 vCPUs as 2 cores per socket and first-boot xenstore data, started and
waited for until it reports an address; the same task again changes nothing and writes nothing; check
mode on a changed spec writes nothing and shows the right diff."""

from ansible_collections.opencitrix.automation.plugins.module_utils.xenserver.vm_state import VmState
from tests.integration.xenserver.support import calls, client, play, writes

VM = 'opencitrix.automation.xenserver_vm'
ISCSI = 'iSCSI virtual disk storage'
ETH0, ETH1 = 'Pool-wide network associated with eth0', 'Pool-wide network associated with eth1'
MACS = ('02:16:3e:5a:00:01', '02:16:3e:5a:00:02')
ISO, OTHER_ISO = 'debian-12.5.0-amd64-netinst.iso', 'NSVPX-XEN-14.1-21.57_nc_64.iso'
GIB = 1024 ** 3

SPEC = dict(name='app01', template='web-template', vcpus=4, cores_per_socket=2, memory_mb=4096,
            disks=[{'size_gb': 20}, {'size_gb': 10, 'name': 'app01-data', 'sr': ISCSI},
                   {'size': '5GiB', 'name': 'app01-logs', 'sr': ISCSI}],
            networks=[{'name': ETH0, 'mac': MACS[0]}, {'name': ETH1, 'mac': MACS[1]}],
            cdrom={'iso_name': ISO}, xenstore_data={'vm-data/ip': '10.0.10.21', 'netmask': '255.255.255.0'},
            home_server='xs-host-02', state='running', wait_for_ip=True, timeout=120)


def task(title, check=False, **args):
    entry = {'name': title, VM: args}
    if check:
        entry.update(check_mode=True, diff=True)
    return entry


def devices(xen, name):
    record = xen.vm(name)
    vbds = sorted((xen.db.get('VBD', v) for v in record['VBDs']), key=lambda b: int(b['userdevice']))
    disks = [(b['userdevice'], xen.db.get('VDI', b['VDI'])) for b in vbds if b['type'] == 'Disk']
    cds = [b for b in vbds if b['type'] == 'CD']
    nics = sorted((xen.db.get('VIF', v) for v in record['VIFs']), key=lambda n: n['device'])
    return record, disks, cds, nics


def test_a_vm_with_disks_nics_iso_cores_and_xenstore_data_then_idempotent_and_checked(xen_sim, xen, xen_env, run_playbook):
    created = run_playbook(play([task('create', **SPEC)]), env=xen_env)
    assert created.rc == 0, created
    result = created.task('create')['result']
    assert result['changed'] is True and result['vm']['ip'].startswith('10.')
    assert result['actions'][:2] == ['clone template web-template into VM app01', 'provision VM app01 (create its disks)']
    assert result['actions'][-2:] == ['start VM app01', 'VM app01 reports IP address %s' % result['vm']['ip']]
    record, disks, cds, nics = devices(xen, 'app01')
    iscsi = [r for r, sr in xen.db.all('SR').items() if sr['name_label'] == ISCSI][0]
    assert record['power_state'] == 'Running' and record['VCPUs_max'] == 4 and record['platform']['cores-per-socket'] == '2'
    assert record['xenstore_data'] == {'vm-data/ip': '10.0.10.21', 'vm-data/netmask': '255.255.255.0'}
    assert [(d, v['name_label'], v['virtual_size'] // GIB) for d, v in disks] == [
        ('0', 'web-template disk 0', 20), ('1', 'app01-data', 10), ('2', 'app01-logs', 5)]
    assert [v['SR'] for _d, v in disks][1:] == [iscsi, iscsi]
    assert [(n['device'], xen.db.get('network', n['network'])['name_label'], n['MAC']) for n in nics] == [
        ('0', ETH0, MACS[0]), ('1', ETH1, MACS[1])]
    assert [xen.db.get('VDI', cd['VDI'])['name_label'] for cd in cds] == [ISO]
    assert xen.db.get('host', record['affinity'])['name_label'] == 'xs-host-02' == result['vm']['home_server']
    assert not [v for v in xen.db.all('VDI').values() if '[creating' in v['name_label']]
    assert result['vm']['cores_per_socket'] == 2 and [d['size_gb'] for d in result['vm']['disks']] == [20.0, 10.0, 5.0]
    assert [c['iso_name'] for c in result['vm']['cdroms']] == [ISO]
    create_calls, create_writes = calls(xen_sim), writes(xen_sim)
    assert calls(xen_sim, 'Async.VDI.create') == 2 and calls(xen_sim, 'VBD.create') == 3 and calls(xen_sim, 'VIF.create') == 2
    assert calls(xen_sim, 'VM.get_allowed_VBD_devices') == 1 and calls(xen_sim, 'VM.get_allowed_VIF_devices') == 1

    xen_sim.stats.reset()
    changed = dict(SPEC)
    changed.update(disks=SPEC['disks'][:2] + [{'size_gb': 8, 'name': 'app01-logs', 'sr': ISCSI}],
                   xenstore_data=dict(SPEC['xenstore_data'], gateway='10.0.10.1'), cdrom={'iso_name': OTHER_ISO},
                   halt_for_changes=True)
    second = run_playbook(play([task('again', **SPEC), task('changed spec', check=True, **changed)]), env=xen_env)
    assert second.rc == 0, second
    again = second.task('again')['result']
    assert again['changed'] is False and again['actions'] == ['VM app01 reports IP address %s' % result['vm']['ip']]
    planned = second.task('changed spec')['result']
    assert planned['changed'] is True and writes(xen_sim) == 0
    assert planned['actions'] == ['shut down VM app01', 'update xenstore_data of VM app01',
                                  'grow disk app01-logs of VM app01 to 8.0 GiB', 'eject %s from VM app01' % ISO,
                                  'insert %s into VM app01' % OTHER_ISO, 'start VM app01']
    before, after = planned['diff']['before'], planned['diff']['after']
    assert [k for k in before if before[k] != after[k]] == ['xenstore_data', 'disks', 'cdrom']
    assert after['xenstore_data']['vm-data/gateway'] == '10.0.10.1' and 'vm-data/gateway' not in before['xenstore_data']
    assert (before['disks'][2]['size_gb'], after['disks'][2]['size_gb']) == (5.0, 8.0)
    assert before['disks'][:2] == after['disks'][:2] and before['networks'] == after['networks']
    assert (before['cdrom'], after['cdrom']) == ({'type': 'iso', 'iso_name': ISO}, {'type': 'iso', 'iso_name': OTHER_ISO})
    assert before['power_state'] == after['power_state'] == 'running'
    assert '+            "size_gb": 8.0' in second.stdout and '-            "size_gb": 5.0' in second.stdout
    print('create: %d XenAPI calls, %d writes; second run and check mode: %d calls, %d writes' % (
        create_calls, create_writes, calls(xen_sim), writes(xen_sim)))
    assert xen.vm('app01')['power_state'] == 'Running' and xen.active_sessions() == {}


def test_a_full_copy_to_a_named_sr_and_a_clone_of_a_running_vm_through_a_snapshot(xen_sim, xen, xen_env, run_playbook):
    copy = dict(name='copy01', template='web-template', linked_clone=False, disks=[{'sr': ISCSI}])
    clone = dict(name='clone01', template='web-0005', clone_from_snapshot=True, tags=['cloned'])
    snapshots_before = list(xen.vm('web-0005')['snapshots'])
    run = run_playbook(play([
        task('copy (check)', check=True, **copy), task('copy', **copy), task('copy again', **copy),
        task('clone (check)', check=True, **clone), task('clone', **clone), task('clone again', **clone),
    ]), env=xen_env)
    assert run.rc == 0, [(r['task'], r['result'].get('msg')) for r in run.results if r['status'] == 'failed']
    titles = ('copy (check)', 'copy', 'copy again', 'clone (check)', 'clone', 'clone again')
    results = dict((t, run.task(t)['result']) for t in titles)
    assert dict((t, r['changed']) for t, r in results.items()) == {
        'copy (check)': True, 'copy': True, 'copy again': False, 'clone (check)': True, 'clone': True, 'clone again': False}
    copy_actions = ['copy template web-template into VM copy01', 'provision VM copy01 (create its disks)']
    assert results['copy (check)']['actions'] == results['copy']['actions'] == copy_actions
    clone_actions = ['snapshot VM web-0005 to clone it', 'clone the snapshot of VM web-0005 into VM clone01',
                     'delete the snapshot of VM web-0005', 'set the tags of VM clone01']
    assert results['clone (check)']['actions'] == results['clone']['actions'] == clone_actions
    assert results['copy again']['actions'] == results['clone again']['actions'] == []
    assert results['copy (check)']['diff']['after']['name'] == 'copy01' and not results['copy (check)']['diff']['before']

    iscsi = [r for r, sr in xen.db.all('SR').items() if sr['name_label'] == ISCSI][0]
    _record, copied, _cds, _nics = devices(xen, 'copy01')
    template_disk = devices(xen, 'web-template')[1][0][1]
    assert [(d, v['SR'], v['virtual_size']) for d, v in copied] == [('0', iscsi, template_disk['virtual_size'])]
    assert template_disk['SR'] != iscsi  # a full copy: disks of its own, on the SR asked for
    cloned = xen.vm('clone01')
    assert cloned['power_state'] == 'Halted' and not cloned['is_a_template'] and cloned['tags'] == ['cloned']
    assert xen.vm('web-0005')['power_state'] == 'Running' and xen.vm('web-0005')['snapshots'] == snapshots_before
    assert not [v for v in xen.db.all('VM').values() if '[creating' in v['name_label']]
    # one copy, one snapshot, one clone, one deletion (the snapshot): the check-mode and second runs sent none
    assert [calls(xen_sim, m) for m in ('Async.VM.copy', 'Async.VM.snapshot', 'Async.VM.clone', 'VM.destroy')] == [1, 1, 1, 1]
    assert xen.active_sessions() == {}


def test_devices_of_a_running_vm_hot_plugged_or_changed_with_a_halt_then_idempotent(xen_sim, xen, xen_env, run_playbook):
    xen.add_test_vm('dev01', disks=2, nics=2, host_index=1)
    hot = dict(name='dev01', disks=[{}, {}, {'size_gb': 4, 'name': 'dev01-scratch'}],
               networks=[{'name': ETH0}, {'name': ETH0}, {'name': ETH1, 'mac': MACS[1]}],
               xenstore_data={'role': 'db'}, home_server='xs-host-03')
    refused = dict(name='dev01', disks=[{'size_gb': 12}], cdrom={'iso_name': ISO})
    first = run_playbook(play([dict(task('refused', **refused), ignore_errors=True), task('hot', **hot)]), env=xen_env)
    assert first.rc == 0, first
    assert first.task('refused')['result']['msg'] == (
        'Could not grow disk dev01 disk 0 of VM dev01 to 12.0 GiB; add a CD drive with %s to VM dev01: VM dev01 is '
        'running; each of these changes needs it halted; use state: halted in this task (then start it in another), '
        'set halt_for_changes: true, or shut it down first' % ISO)
    assert first.task('hot')['result']['actions'] == [
        'update xenstore_data of VM dev01', 'set the home server of VM dev01 to xs-host-03',
        'add disk dev01-scratch (4.0 GiB) to VM dev01', 'move NIC 1 of VM dev01 to %s' % ETH0,
        'add NIC 2 on %s to VM dev01' % ETH1]
    record, disks, cds, nics = devices(xen, 'dev01')
    assert record['power_state'] == 'Running' and cds == [] and record['xenstore_data'] == {'vm-data/role': 'db'}
    assert [(d, v['name_label'], v['virtual_size'] // GIB) for d, v in disks] == [
        ('0', 'dev01 disk 0', 10), ('1', 'dev01 disk 1', 11), ('2', 'dev01-scratch', 4)]
    assert all(xen.db.get('VBD', v)['currently_attached'] for v in record['VBDs'])  # hot-plugged
    assert [(n['device'], n['network'], n['currently_attached']) for n in nics][1:] == [
        ('1', xen.networks[0], True), ('2', xen.networks[1], True)] and nics[2]['MAC'] == MACS[1]
    assert [calls(xen_sim, m) for m in ('VBD.plug', 'VIF.plug', 'VIF.move', 'Async.VM.clean_shutdown')] == [1, 1, 1, 0]

    halted = dict(name='dev01', disks=[{'size_gb': 12}, {}], remove_extra_disks=True,
                  networks=[{'name': ETH0, 'mac': MACS[0]}, {'name': ETH0}], remove_extra_networks=True,
                  cdrom={'iso_name': ISO}, halt_for_changes=True)
    second = run_playbook(play([task('with a halt', **halted)]), env=xen_env)
    assert second.rc == 0, second
    assert second.task('with a halt')['result']['actions'] == [
        'shut down VM dev01', 'grow disk dev01 disk 0 of VM dev01 to 12.0 GiB',
        'remove disk dev01-scratch (device 2) from VM dev01', 'replace NIC 0 of VM dev01 (MAC %s)' % MACS[0],
        'remove NIC 2 of VM dev01', 'add a CD drive with %s to VM dev01' % ISO, 'start VM dev01']
    record, disks, cds, nics = devices(xen, 'dev01')
    assert record['power_state'] == 'Running'
    assert [(d, v['virtual_size'] // GIB) for d, v in disks] == [('0', 12), ('1', 11)]
    assert not [v for v in xen.db.all('VDI').values() if v['name_label'] == 'dev01-scratch']
    assert [(n['device'], n['network'], n['MAC']) for n in nics][0] == ('0', xen.networks[0], MACS[0]) and len(nics) == 2
    assert [(cd['userdevice'], xen.db.get('VDI', cd['VDI'])['name_label']) for cd in cds] == [('3', ISO)]

    xen_sim.stats.reset()
    empty = dict(halted)
    empty.update(cdrom={'type': 'none'})
    third = run_playbook(play([task('again', **halted), task('eject (check)', check=True, **empty)]), env=xen_env)
    assert third.rc == 0 and writes(xen_sim) == 0, third
    assert third.task('again')['result']['changed'] is False and third.task('again')['result']['actions'] == []
    eject = third.task('eject (check)')['result']
    assert eject['actions'] == ['eject %s from VM dev01' % ISO]
    assert (eject['diff']['before']['cdrom'], eject['diff']['after']['cdrom']) == (
        {'type': 'iso', 'iso_name': ISO}, {'type': 'none', 'iso_name': None})
    assert xen.active_sessions() == {}


def test_check_mode_plans_a_template_s_provisioned_disks_on_the_sr_asked_for_as_the_real_run_makes_them(xen_sim, xen):
    args = dict(name='deb01', uuid=None, template='Debian Bookworm 12', state='present', timeout=60, force=False,
                shutdown_timeout=30, disks=[{'size_gb': 16, 'sr': ISCSI}, {'size': '2GiB', 'name': 'deb01-data'}])
    runs = []
    for check_mode in (True, False):
        with client(xen) as session:
            runs.append(VmState(session, check_mode=check_mode).ensure(args))
    planned, made = runs
    actions = ['clone template Debian Bookworm 12 into VM deb01', 'provision VM deb01 (create its disks)',
               'grow disk %s of VM deb01 to 16.0 GiB', 'add disk deb01-data (2.0 GiB) to VM deb01']
    # check mode cannot know the name provisioning will give the system disk
    assert planned.result['actions'] == [a.replace('%s', 'on device 0') for a in actions]
    assert made.result['actions'] == [a.replace('%s', 'deb01 0') for a in actions]
    assert [(d['size_gb'], d['sr']) for d in planned.after['disks']] == [(d['size_gb'], d['sr']) for d in made.after['disks']] \
        == [(16.0, ISCSI), (2.0, 'NFS virtual disk storage')]
    assert [(d['name'], d['size_gb'], d['sr']) for d in made.result['vm']['disks']] == [
        ('deb01 0', 16.0, ISCSI), ('deb01-data', 2.0, 'NFS virtual disk storage')]
    # the system disk is provisioned on the iSCSI SR (its spec pointed there first), not made elsewhere and moved
    assert calls(xen_sim, 'VM.add_to_other_config') == 1 and calls(xen_sim, 'Async.VDI.create') == 1
