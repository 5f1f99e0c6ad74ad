"""The collection's XenServer client against the simulated pool, in-process: call budgets, the master
redirect, session renewal and logout, error messages, transport faults, event waits and migrations."""

import os
import socket
import socketserver
import threading
import uuid

import pytest

from ansible_collections.opencitrix.automation.plugins.module_utils import errors
from ansible_collections.opencitrix.automation.plugins.module_utils.xenserver.session import XenServerSession
from ansible_collections.opencitrix.automation.plugins.module_utils.xenserver.pool import Migration, pool_facts
from ansible_collections.opencitrix.automation.plugins.module_utils.xenserver.vm import VmFacts
from tests.integration.xenserver.support import XEN_PASSWORD, RecordingSleep, calls, client, writes


@pytest.mark.parametrize('disks,nics', [(2, 2), (8, 8)])
def test_facts_for_one_vm_take_five_calls_whatever_the_disk_and_nic_count(xen_sim, xen, disks, nics):
    xen.add_test_vm('facts-vm', disks=disks, nics=nics)
    xen_sim.stats.reset()
    with client(xen) as session:
        [vm] = VmFacts(session).select(name='facts-vm')
    assert len(vm['disks']) == disks and len(vm['nics']) == nics
    assert all(n['ipv4'] and n['network'] for n in vm['nics']) and all(d['sr'] for d in vm['disks'])
    assert vm['ip'] == vm['nics'][0]['ipv4'][0] and vm['host'] == 'xs-host-01'
    assert calls(xen_sim) == 5  # login, get_all_records_where, event.from x2, logout
    assert calls(xen_sim, 'event.from') == 2 and calls(xen_sim, 'session.logout') == 1
    assert xen.active_sessions() == {}


def test_facts_for_many_vms_use_one_read_per_class(xen_sim, xen):
    xen_sim.stats.reset()
    with client(xen) as session:
        vms = VmFacts(session).select(tags=['web'])
    assert len(vms) == 8 and all('web' in v['tags'] for v in vms)
    with client(xen) as session:
        everything = VmFacts(session).select()
    assert len(everything) == 40
    # 40 VMs name fewer related objects than the bulk threshold: still two event.from calls per run.
    assert calls(xen_sim) == 10 and calls(xen_sim, 'event.from') == 4


def test_pool_member_redirects_to_the_master(xen_sim, xen):
    xen_sim.stats.reset()
    with client(xen, url=xen.member_url(2)) as session:
        pool, hosts = pool_facts(session)
        assert session.master_url == xen.url
    assert pool['master'] == 'xs-host-01' and [h['is_master'] for h in hosts] == [True, False, False]
    assert xen.calls_by_listener[('xenserver-member2', 'session.login_with_password')] == 1
    assert xen.calls_by_listener[('xenserver-master', 'session.login_with_password')] == 1
    assert calls(xen_sim) == 6  # member login, master login, pool, host, host_metrics, logout
    assert xen.active_sessions() == {}


def test_invalidated_session_is_renewed_and_the_new_one_logged_out(xen_sim, xen):
    with client(xen) as session:
        first = session.call('pool.get_all')
        xen.invalidate_sessions()
        assert session.call('pool.get_all') == first
        assert session.renewals == 1
    assert xen.logins == 2 and xen.active_sessions() == {}
    assert calls(xen_sim, 'session.logout') == 1


def test_session_is_logged_out_after_a_failure(xen_sim, xen):
    with pytest.raises(errors.NotFoundError):
        with client(xen) as session:
            session.call('VM.get_record', 'OpaqueRef:%s' % uuid.uuid4(), what='read a VM')
    assert xen.logins == 1 and xen.active_sessions() == {}


def test_vm_bad_power_state_reads_like_a_sentence(xen_sim, xen):
    with client(xen) as session:
        [(ref, _vm)] = VmFacts(session).find(name='web-0005').items()
        with pytest.raises(errors.ConflictError) as caught:
            session.run_task('VM.start', ref, False, False, what='start VM web-0005')
    message = str(caught.value)
    assert message.startswith('Could not start VM web-0005: VM_BAD_POWER_STATE: '
                              'VM web-0005 is running; this operation needs it halted (https://127.0.0.1:')
    assert '\n' not in message and 'OpaqueRef' not in message
    assert calls(xen_sim, 'task.destroy') == 1  # the failed task is cleaned up too


def test_handle_invalid_says_what_vanished_and_what_to_do(xen_sim, xen):
    with client(xen) as session:
        [(ref, _vm)] = VmFacts(session).find(name='web-0020').items()
        xen.vm_destroy(None, ref)  # another client deletes it meanwhile
        with pytest.raises(errors.NotFoundError) as caught:
            session.call('VM.start', ref, False, False, what='start VM web-0020')
    assert str(caught.value).startswith('Could not start VM web-0020: HANDLE_INVALID: the VM object web-0020 does not exist')
    assert 'run again' in str(caught.value)


def test_wrong_password_fails_in_one_line_without_the_password(xen_sim, xen):
    with pytest.raises(errors.AuthenticationError) as caught:
        with client(xen, password='Wr0ng-pass-77') as session:
            session.call('pool.get_all')
    message = str(caught.value)
    assert message == ('Could not log in to XenServer %s as root: SESSION_AUTHENTICATION_FAILED: the user name or '
                       'password was rejected; check username and password (XENSERVER_USER / XENSERVER_PASSWORD)' % xen.url
                       ).replace('; check', ' (%s); check' % xen.url)
    assert 'Wr0ng-pass-77' not in message and xen.active_sessions() == {}


def test_reads_are_retried_after_a_reset_but_writes_are_not(xen_sim, xen):
    sleeps = RecordingSleep()
    xen_sim.faults.add('reset', route='xenserver.VM.get_all_records_where', times=2)
    xen_sim.faults.add('reset', route='xenserver.VM.set_name_description', times=1)
    with client(xen, sleeps=sleeps) as session:
        assert VmFacts(session).find(name='web-0005')
        assert sleeps.delays == [1.0, 2.0]
        ref = next(iter(VmFacts(session).find(name='web-0005')))
        with pytest.raises(errors.TransportError) as caught:
            session.call('VM.set_name_description', ref, 'x', what='describe VM web-0005')
    assert 'may have been processed' in str(caught.value)
    assert calls(xen_sim, 'VM.set_name_description') == 1 and sleeps.delays == [1.0, 2.0]
    assert calls(xen_sim, 'VM.get_all_records_where') == 4


def test_a_body_cut_short_is_a_transport_failure_not_a_foreign_server(xen_sim, xen):
    """Regression found by the fault matrix: an answer whose connection dies before Content-Length bytes
    arrived used to be read as "the answer is not XML-RPC; check that hostname points at a XenServer
    host". It is a transport failure: retried for reads, reported as possibly processed for writes."""
    partial = "<?xml version='1.0'?>\n<methodResponse>\n<params>"
    xen_sim.faults.add('reset_mid_body', route='xenserver.VM.get_all_records_where', body=partial,
                       content_type='text/xml', times=1)
    xen_sim.faults.add('reset_mid_body', route='xenserver.VM.set_name_description', body=partial,
                       content_type='text/xml', times=1)
    sleeps = RecordingSleep()
    with client(xen, sleeps=sleeps) as session:
        ref = next(iter(VmFacts(session).find(name='web-0005')))
        assert sleeps.delays == [1.0]
        with pytest.raises(errors.TransportError) as caught:
            session.call('VM.set_name_description', ref, 'x', what='describe VM web-0005')
    message = str(caught.value)
    assert 'connection reset by the server' in message and 'may have been processed' in message
    assert 'not XML-RPC' not in message
    assert calls(xen_sim, 'VM.set_name_description') == 1 and calls(xen_sim, 'VM.get_all_records_where') == 2


def test_read_timeout_and_tls_failures_are_one_line(xen_sim, xen):
    xen_sim.faults.add('timeout', route='xenserver.pool.get_all', seconds=2, times=-1)
    with pytest.raises(errors.TransportError) as caught:
        with client(xen, read_timeout=0.5, retries=1) as session:
            session.call('pool.get_all', what='list pools')
    assert 'no answer within 0.5s (read timeout)' in str(caught.value)
    with pytest.raises(errors.TransportError) as caught:
        with XenServerSession(xen.url, 'root', XEN_PASSWORD) as session:  # the system CAs do not know the simulator's
            session.call('pool.get_all')
    assert 'TLS verification failed' in str(caught.value) and 'ca_path' in str(caught.value)


def test_an_http_endpoint_that_is_not_xenapi(xen_sim, xen):
    xen_sim.faults.add('html', route='xenserver.session.login_with_password', status=502, times=-1)
    with pytest.raises(errors.ServerError) as caught:
        with client(xen, retries=0) as session:
            session.call('pool.get_all')
    assert 'HTTP 502' in str(caught.value)


def test_waits_survive_events_lost(xen_sim, xen):
    with client(xen) as session:
        [(ref, _vm)] = VmFacts(session).find(name='web-0020').items()
        task = session.call('Async.VM.start', ref, False, False)
        seen = []

        def done(records):
            seen.append(dict(records))
            if len(seen) == 1:
                xen.db.forget_deletions()  # the server drops history: the next token is too old
            record = records.get(task)
            return record if record and record['status'] != 'pending' else None
        record = session.watch(['task/%s' % task], done, 30, 'start VM web-0020')
        session.forget_task(task)
    assert record['status'] == 'success'
    assert xen.calls['event.from'] >= 3  # first read, EVENTS_LOST, full re-read


def test_migrations_stay_within_the_concurrency_bound_and_are_idempotent(xen_sim, xen):
    names = ['app-0006', 'batch-0009', 'db-0012', 'cache-0013', 'app-0016', 'db-0017']
    with client(xen) as session:
        outcomes = Migration(session, concurrency=2).run(names, 'xs-host-03')
    assert [o['status'] for o in outcomes.items] == ['migrated'] * 5 + ['unchanged']  # db-0017 already runs there
    assert xen.max_in_flight['pool_migrate'] == 2
    assert all(xen.vm(n)['resident_on'] == xen.hosts[2] for n in names)
    assert calls(xen_sim, 'task.destroy') == 5
    before = writes(xen_sim)
    with client(xen) as session:
        again = Migration(session, concurrency=2).run(names, 'xs-host-03')
    assert [o['status'] for o in again.items] == ['unchanged'] * 6 and writes(xen_sim) == before
    assert xen.active_sessions() == {}


class _Relay(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True


def test_local_socket_transport(make_pool):
    """On a host, the package's unix-socket transport reaches xapi; here a relay stands in for
    /var/lib/xcp/xapi in front of a plain-HTTP simulator."""
    sim = make_pool(tls=False, vms=3)
    target = sim.service('xenserver').master_listener
    path = '/tmp/xs-%s' % uuid.uuid4().hex[:12]

    class Handler(socketserver.BaseRequestHandler):
        def handle(self):
            upstream = socket.create_connection((target.host, target.port))

            def pump(src, dst):
                try:
                    while True:
                        data = src.recv(65536)
                        if not data:
                            break
                        dst.sendall(data)
                except OSError:
                    pass
                finally:
                    dst.close()
            thread = threading.Thread(target=pump, args=(upstream, self.request), daemon=True)
            thread.start()
            pump(self.request, upstream)
            thread.join(5)

    relay = _Relay(path, Handler)
    threading.Thread(target=relay.serve_forever, daemon=True).start()
    try:
        with XenServerSession('unix:%s' % path, 'root', XEN_PASSWORD) as session:
            assert len(session.call('host.get_all')) == 3
    finally:
        relay.shutdown()
        relay.server_close()
        os.unlink(path)
    assert sim.service('xenserver').active_sessions() == {}
