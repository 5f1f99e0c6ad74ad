"""xenserver_vm_info, xenserver_host_info and xenserver_vm_migrate through real ansible-playbook runs:
call budgets counted by the simulator, module_defaults, bounded parallel migrations, idempotence,
check mode and per-VM failures."""

from tests.integration.xenserver.support import XEN_PASSWORD, calls, play, writes

VM_INFO = 'opencitrix.automation.xenserver_vm_info'
HOST_INFO = 'opencitrix.automation.xenserver_host_info'
MIGRATE = 'opencitrix.automation.xenserver_vm_migrate'


def test_facts_in_five_calls_per_task_with_module_defaults(xen_sim, xen, run_playbook):
    xen.add_test_vm('small', disks=2, nics=2)
    xen.add_test_vm('large', disks=8, nics=8)
    defaults = {'hostname': xen.url, 'password': XEN_PASSWORD, 'ca_path': xen_sim.ca_path}
    plays = play([
        {'name': 'small', VM_INFO: {'name': 'small'}},
        {'name': 'large', VM_INFO: {'name': 'large'}},
        {'name': 'web in prod', VM_INFO: {'tags': ['web', 'prod'], 'power_state': ['running']}},
        {'name': 'hosts', HOST_INFO: {}},
    ])
    plays[0]['module_defaults'] = {'group/opencitrix.automation.xenserver': defaults}
    xen_sim.stats.reset()
    run = run_playbook(plays, env={})
    assert run.rc == 0, run
    small = run.task('small')['result']['vms'][0]
    large = run.task('large')['result']['vms'][0]
    assert (len(small['disks']), len(small['nics']), len(large['disks']), len(large['nics'])) == (2, 2, 8, 8)
    assert all(len(n['ipv4']) == 1 for n in large['nics']) and large['ip'] == large['nics'][0]['ipv4'][0]
    assert large['guest']['pv_drivers_detected'] is True and large['disks'][7]['device'] == '8'
    web = run.task('web in prod')['result']['vms']
    assert [v['name'] for v in web] == ['web-0015', 'web-0030']  # web-0030 and web-0015 are the running prod web VMs
    hosts = run.task('hosts')['result']
    assert hosts['pool']['master'] == 'xs-host-01' and len(hosts['hosts']) == 3
    assert hosts['hosts'][0]['is_master'] and hosts['hosts'][0]['product_version'] == '8.4.0'
    assert hosts['hosts'][0]['cpu_count'] == 32 and hosts['hosts'][0]['memory_total_mb'] == 512 * 1024
    # 5 calls per task: login, one read of the VMs (or the pool), two event.from (or two more reads), logout.
    assert calls(xen_sim) == 20
    assert calls(xen_sim, 'session.login_with_password') == 4 and calls(xen_sim, 'session.logout') == 4
    assert calls(xen_sim, 'event.from') == 6 and writes(xen_sim) == 0
    assert xen.active_sessions() == {}


def test_info_survives_a_session_evicted_mid_task(xen_sim, xen, xen_env, run_playbook):
    xen.evict_after_calls = 2  # every session dies after two calls, as if the pool's limit evicted it
    run = run_playbook(play([{'name': 'facts', VM_INFO: {'name': 'web-0005'}}]), env=xen_env)
    assert run.rc == 0, run
    assert run.task('facts')['result']['vms'][0]['name'] == 'web-0005'
    assert xen.logins == 2 and xen.active_sessions() == {}


def test_migrate_bounded_idempotent_check_mode_and_failures(xen_sim, xen, xen_env, run_playbook):
    vms = ['app-0006', 'batch-0009', 'db-0012', 'cache-0013', 'app-0016', 'db-0017']
    first = run_playbook(play([
        {'name': 'move', MIGRATE: {'vms': vms + ['web-0020'], 'target_host': 'xs-host-03', 'concurrency': 2},
         'ignore_errors': True}]), env=xen_env, diff=True)
    move = first.task('move')
    assert move['status'] == 'failed'
    assert move['result']['msg'] == ('Migration to xs-host-03 failed for 1 of 7: web-0020: Could not migrate VM web-0020: '
                                     'VM_BAD_POWER_STATE: VM web-0020 is halted; live migration needs it running')
    assert move['result']['counts'] == {'changed': 5, 'unchanged': 1, 'skipped': 0, 'failed': 1}
    assert move['result']['failed_vms'] == ['web-0020']
    statuses = {v['vm']: v['status'] for v in move['result']['vms']}
    assert statuses == dict({v: 'migrated' for v in vms[:5]}, **{'db-0017': 'unchanged', 'web-0020': 'failed'})
    assert move['result']['diff']['after'] == {v: 'xs-host-03' for v in vms[:5]}
    assert xen.max_in_flight['pool_migrate'] == 2 and calls(xen_sim, 'Async.VM.pool_migrate') == 5
    assert all(xen.vm(v)['resident_on'] == xen.hosts[2] for v in vms)

    xen_sim.stats.reset()
    again = run_playbook(play([{'name': 'again', MIGRATE: {'vms': vms, 'target_host': 'xs-host-03'}}]), env=xen_env)
    assert again.rc == 0, again
    assert again.task('again')['result']['changed'] is False and writes(xen_sim) == 0

    checked = run_playbook(play([{'name': 'plan', MIGRATE: {'vms': vms[:2], 'target_host': '127.0.0.1'}}]), env=xen_env, check=True)
    assert checked.rc == 0, checked
    plan = checked.task('plan')['result']
    assert plan['changed'] is True and [v['status'] for v in plan['vms']] == ['would migrate'] * 2
    assert writes(xen_sim) == 0 and xen.vm('app-0006')['resident_on'] == xen.hosts[2]
    assert xen.active_sessions() == {}
