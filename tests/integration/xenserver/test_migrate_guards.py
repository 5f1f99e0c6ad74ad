"""Blast-radius guards of xenserver_vm_migrate through real ansible-playbook runs: empty or missing ``vms``
fail in one line before signing in; every running VM of the pool takes ``all_targets: true``; ``max_targets``
refuses before any migration."""

from tests.integration.fleet_support import assert_refused, empty_refusal, play_of
from tests.integration.xenserver.support import XEN_PASSWORD, XEN_USER, calls, writes

MIGRATE = 'opencitrix.automation.xenserver_vm_migrate'
VMS_EMPTY = empty_refusal('VM', 'pool')

XEN_REFUSED = [
    ('migrate, no vms', MIGRATE, {'vms': [], 'target_host': 'xs-host-02'}, 'vms is an empty list; ' + VMS_EMPTY),
    ('migrate, vms from an empty variable', MIGRATE, {'vms': ['web-0005', '{{ empty }}'], 'target_host': 'xs-host-02'},
     'vms contains an empty entry; ' + VMS_EMPTY),
    ('migrate, no target', MIGRATE, {'target_host': 'xs-host-02'},
     'No VM named; set vms, or all_targets: true to act on every VM of the pool'),
    ('migrate, all_targets and vms', MIGRATE, {'vms': ['web-0005'], 'all_targets': True, 'target_host': 'xs-host-02'},
     'all_targets: true contradicts vms; name the VMs to act on, or set all_targets: true for every VM of the pool, '
     'not both'),
]


def test_empty_or_missing_vms_fail_before_signing_in(xen_sim, xen, xen_env, run_playbook):
    xen_sim.stats.reset()
    run = run_playbook(play_of(XEN_REFUSED), env=xen_env)
    assert run.rc == 0, run
    assert_refused(run, XEN_REFUSED)
    assert calls(xen_sim) == 0 and calls(xen_sim, 'session.login_with_password') == 0
    assert xen_sim.stats.count() == 0 and xen.logins == 0


def test_all_targets_moves_every_running_vm_and_max_targets_moves_none(make_pool, run_playbook):
    xen_sim = make_pool(vms=12)
    xen = xen_sim.service('xenserver')
    env = {'XENSERVER_HOST': xen.url, 'XENSERVER_USER': XEN_USER, 'XENSERVER_PASSWORD': XEN_PASSWORD,
           'XENSERVER_CA_PATH': xen_sim.ca_path}
    target = xen.hosts[1]
    running = [r for r, vm in xen.db.all('VM').items()
               if vm['power_state'] == 'Running' and not vm['is_control_domain'] and not vm['is_a_template']
               and not vm['is_a_snapshot']]
    away = [r for r in running if xen.db.get('VM', r)['resident_on'] != target]
    assert len(away) >= 3
    refused = run_playbook(play_of([
        ('over the limit', MIGRATE, {'all_targets': True, 'target_host': 'xs-host-02', 'max_targets': len(away) - 1},
         None)]), env=env)
    msg = refused.task('over the limit')['result']['msg']
    assert msg.startswith('%d VMs would change, more than max_targets (%d): ' % (len(away), len(away) - 1)), msg
    assert writes(xen_sim) == 0 and calls(xen_sim, 'Async.VM.pool_migrate') == 0

    run = run_playbook(play_of([('gather', MIGRATE, {'all_targets': True, 'target_host': 'xs-host-02',
                                                     'concurrency': 8, 'max_targets': len(away)}, None)]), env=env)
    result = run.task('gather')
    assert result['status'] == 'ok', result
    statuses = [v['status'] for v in result['result']['vms']]
    assert len(statuses) == len(running)
    assert statuses.count('migrated') == len(away) and statuses.count('unchanged') == len(running) - len(away)
    assert calls(xen_sim, 'Async.VM.pool_migrate') == len(away)
    assert all(xen.db.get('VM', r)['resident_on'] == target for r in running)
