"""xenserver_vm with disks, NICs, a CD, cores per socket and xenstore data, through real ansible-playbook
runs: a VM made from a template with two more disks on a named storage repository, two NICs with fixed
MACs on named networks, an ISO, 4 vCPUs as 2 cores per socket and first-boot xenstore data, started and
waited for until it reports an address; the same task again changes nothing and writes nothing; check
mode on a changed spec writes nothing and shows the right diff."""

from tests.integration.xenserver.support import calls, play, writes

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
    changed = dict(SPEC, disks=SPEC['disks'][:2] + [{'size_gb': 8, 'name': 'app01-logs', 'sr': ISCSI}],
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
