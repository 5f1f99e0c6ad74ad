"""The ``xenserver`` service: a pool of three hosts speaking the XenAPI over XML-RPC. Composes the object
database, the estate, tasks, sessions, VM operations, messages and the XML-RPC dispatch (each a module
of this package), opens the pool's listeners, and offers the knobs tests and the admin API
(``/_sim/xenserver/...``) use."""

from tests.simulator.base import Route, Service, forward, forwards
from tests.simulator.services.xenserver.devices import Devices
from tests.simulator.services.xenserver.estate import GIB, EstateBuilder, PoolLayout
from tests.simulator.services.xenserver.listeners import PoolListeners
from tests.simulator.services.xenserver.messages import Messages
from tests.simulator.services.xenserver.records import RecordReader
from tests.simulator.services.xenserver.rpc import XmlRpc
from tests.simulator.services.xenserver.sessions import SESSION_LIMIT, Sessions
from tests.simulator.services.xenserver.snapshots import Snapshots
from tests.simulator.services.xenserver.tasks import Tasks
from tests.simulator.services.xenserver.vm_lifecycle import VmLifecycle
from tests.simulator.services.xenserver.vm_operations import VmOperations
from tests.simulator.services.xenserver.vm_parts import VmParts
from tests.simulator.services.xenserver.xenapi_db import Database
from tests.simulator.services.xenserver.xenapi_model import NULL_REF, load as load_model

DEFAULT_USER = 'root'
DEFAULT_PASSWORD = 'xs-sim-Pa55word'
DEFAULT_HOSTS = 3
# Simulator seconds each long operation takes (overridable: {"xenserver": {"durations": {...}}}).
DURATIONS = {'start': 3.0, 'start_on': 3.0, 'clean_shutdown': 4.0, 'hard_shutdown': 1.0, 'shutdown': 4.0,
             'clean_reboot': 5.0, 'hard_reboot': 2.0, 'suspend': 3.0, 'resume': 3.0, 'resume_on': 3.0,
             'pause': 0.5, 'unpause': 0.5, 'clone': 2.0, 'copy': 6.0, 'provision': 2.0, 'pool_migrate': 4.0,
             'snapshot': 2.0, 'checkpoint': 4.0, 'revert': 3.0, 'vdi_create': 1.0, 'vdi_resize': 1.0}
BOOT_SECONDS = 10.0


@forwards('sessions', 'username', 'password', 'logins', 'issued_sessions', 'evict_after_calls', 'active_sessions',
          'invalidate_sessions')
@forwards('tasks', 'jobs', 'in_flight', 'max_in_flight', 'process_due')
@forwards('layout', 'pool', 'hosts', 'networks', 'master_index', 'master_host')
@forwards('rpc', 'calls', 'calls_by_listener', 'injected', 'inject_failure', 'odd_answers', 'answer_oddly')
@forwards('lifecycle', 'vm_destroy', 'clone_vm')
@forwards('listeners', 'member_url')
class XenServerPool(Service):
    name = 'xenserver'

    master_listener = forward('listeners', 'master')

    def seed(self):
        config = self.config
        self.model = load_model()
        # Events are reported for every class whose records get_all_records lists.
        self.db = Database(self.model, self.model.listed(), clock=self.sim.clock)
        self.layout = PoolLayout()
        self.sessions = Sessions(self.db, self.sim.clock, self.layout, config.get('username', DEFAULT_USER),
                                 config.get('password', DEFAULT_PASSWORD),
                                 int(config.get('session_limit', SESSION_LIMIT)))
        self.tasks = Tasks(self.db, self.sim.clock, self.layout)
        self.parts = VmParts(self.db, self.sim.clock, self.layout)
        durations = dict(DURATIONS, **config.get('durations', {}))
        self.vms = VmOperations(self.db, self.sim.clock, self.tasks, self.layout, self.parts, durations,
                                float(config.get('boot_seconds', BOOT_SECONDS)))
        reader = RecordReader(self.db, self.model)
        self.lifecycle = VmLifecycle(self.db, self.sim.clock, self.layout, self.vms, self.parts, reader)
        self.devices = Devices(self.db, self.sim.clock, self.layout, self.parts, reader, durations)
        self.snapshots = Snapshots(self.db, self.sim.clock, self.layout, self.parts, self.vms, self.lifecycle)
        self.messages = Messages(self.db, self.model, self.tasks, self.vms, self.layout, self.designate_master,
                                 collaborators=(self.lifecycle, self.devices, self.snapshots), reader=reader)
        if not hasattr(self, 'listeners'):
            self.listeners = PoolListeners(self.sim)
        else:  # seeding again (POST /_sim/reset with state) keeps the listeners start() opened
            self.listeners.set_master(0)
        self.rpc = XmlRpc(self.listeners, self.layout, self.db, self.model, self.sessions, self.tasks, self.messages,
                          self.sim.stats)
        # Other services' large sizes (10,000 DaaS machines) should not cost every test a huge pool.
        vm_count = int(config.get('vms', min(self.sim.size, 1000)))
        EstateBuilder(self.db, self.parts, self.layout, self.sim.clock.now(), vm_count,
                      int(config.get('hosts', DEFAULT_HOSTS)), names=config).build()

    # -- listeners ------------------------------------------------------------------------------

    def start(self):
        self.listeners.open([self.db.get('host', h)['address'] for h in self.hosts[1:]], self.master_index)

    @property
    def url(self):
        return self.master_listener.url

    def designate_master(self, index):
        """Make host ``index`` the pool master, as ``pool.designate_new_master`` or an HA failover does:
        from now on its listener serves the pool and every other member (the old master included)
        answers ``HOST_IS_SLAVE`` with its address. Sessions and the event history are pool-wide and
        survive; calls already in progress on the old master finish normally."""
        with self.db.lock:
            self.layout.master_index = int(index)
            self.listeners.set_master(self.layout.master_index)
            self.db.update('pool', self.pool, master=self.master_host)
        return ''

    def client_env(self):
        return {
            'XENSERVER_HOST': self.url,
            'XENSERVER_USER': self.username,
            'XENSERVER_PASSWORD': self.password,
            'XENSERVER_CA_PATH': self.sim.ca_path or '',
        }

    # -- HTTP / XML-RPC -------------------------------------------------------------------------

    def routes(self):
        return [Route('POST', r'/(?:RPC2)?', self.handle_rpc, 'xenserver.rpc', classify=self.classify_rpc)]

    # Through the service at call time: seeding again replaces the dispatcher.
    def handle_rpc(self, request):
        return self.rpc.handle(request)

    def classify_rpc(self, request):
        return self.rpc.classify(request)

    # -- test and admin helpers -----------------------------------------------------------------

    def vm_ref(self, name):
        refs = [ref for ref, rec in self.db.all('VM').items() if rec['name_label'] == name]
        if len(refs) != 1:
            raise KeyError('%d VMs named %r' % (len(refs), name))
        return refs[0]

    def vm(self, name):
        self.tasks.process_due()
        return self.db.get('VM', self.vm_ref(name))

    def add_test_vm(self, name, disks=1, nics=1, power_state='Running', tools=True, host_index=0, **kwargs):
        """A VM with ``disks`` disks and ``nics`` NICs; unless halted, its guest agent has reported already."""
        parts = self.parts
        with self.db.lock:
            host = self.hosts[host_index] if power_state in ('Running', 'Paused') else NULL_REF
            ref = parts.new_vm(name, power_state=power_state, resident_on=host, **kwargs)
            for i in range(disks):
                parts.add_disk(ref, (10 + i) * GIB, userdevice=str(i if i < 3 else i + 1), name='%s disk %d' % (name, i))
            for i in range(nics):
                parts.add_nic(ref, self.networks[i % len(self.networks)], device=str(i))
            if not tools:
                self.vms.no_tools.add(ref)
            elif power_state != 'Halted':
                parts.report_guest(ref)
            return ref

    def install_os(self, name):
        """Install an operating system with its guest agent in VM ``name`` (one made from a blank template
        has none): a running VM reports at once, any other from its next boot on."""
        with self.db.lock:
            ref = self.vm_ref(name)
            self.vms.no_tools.discard(ref)
            if self.db.get('VM', ref)['power_state'] == 'Running':
                self.parts.report_guest(ref)
        return ref

    def hang_guest(self, name, hang=True):
        """Make ``name``'s guest ignore clean shutdown and reboot requests (tasks stay pending)."""
        (self.vms.hung.add if hang else self.vms.hung.discard)(self.vm_ref(name))

    def halt_guest(self, name):
        """The guest powers itself off (a shutdown from inside, or a crash with ``actions_after_crash``
        destroy): the VM is Halted without any API call, and event.from reports it like any change."""
        with self.db.lock:
            self.vms.power_off(self.vm_ref(name))

    def admin_routes(self):
        def sessions(_request):
            return {'active': len(self.db.all('session')), 'logins': self.logins}

        def invalidate(_request):
            count = len(self.db.all('session'))
            self.invalidate_sessions()
            return {'invalidated': count}

        def calls(_request):
            return {'calls': dict(self.calls), 'max_in_flight': dict(self.max_in_flight)}

        def install_os(request):
            return {'vm': self.install_os((request.json() or {}).get('vm'))}

        def events_lost(_request):
            self.db.forget_deletions()
            return {'forgotten': self.db.forgotten}

        return [
            Route('GET', r'/sessions', sessions, 'admin.xenserver.sessions'),
            Route('POST', r'/invalidate-sessions', invalidate, 'admin.xenserver.invalidate'),
            Route('GET', r'/calls', calls, 'admin.xenserver.calls'),
            Route('POST', r'/events-lost', events_lost, 'admin.xenserver.events_lost'),
            Route('POST', r'/install-os', install_os, 'admin.xenserver.install_os'),
        ]
