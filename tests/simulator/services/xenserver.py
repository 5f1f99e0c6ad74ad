"""XenServer pool: the XenAPI over XML-RPC, the way xapi answers it.

Shapes come from seed 004 and ../shared/specs/xenapi (the datamodel in ``data/xenapi-model.json``,
``errors.json`` for error parameters, ``power-states.md`` for which operation runs in which power
state and the order of the checks):

- every answer is ``{"Status": "Success", "Value": ...}`` or ``{"Status": "Failure",
  "ErrorDescription": [code, *params]}``; 64-bit ints travel as strings; references are
  ``OpaqueRef:<uuid>``; ``OpaqueRef:NULL`` is the empty reference;
- the pool master listens on 127.0.0.1; members listen on 127.0.0.2, 127.0.0.3... on the SAME port
  and answer every call with ``HOST_IS_SLAVE [master address]``;
- sessions from ``session.login_with_password`` (limit per originator, oldest evicted; idle expiry),
  ``SESSION_INVALID`` for an unknown or evicted session;
- arity checked against the datamodel (``MESSAGE_PARAMETER_COUNT_MISMATCH``), unknown methods
  ``MESSAGE_METHOD_UNKNOWN``, parameter types ``FIELD_TYPE_ERROR``, references ``HANDLE_INVALID``;
- implicit messages (get_record, get_all, get_all_records, get_all_records_where, get_by_uuid,
  get_by_name_label, field getters and setters, map/set editors) served generically from the model;
- VM operations follow the power-state table and check order; long operations run as tasks on the
  simulator clock (``Async.*`` returns the task at once, a synchronous call waits for it), with
  progress, ``result`` as an XML-RPC value, ``error_info`` and ``task.cancel``;
- ``event.from`` over classes, ``class/ref`` and ``*``, blocking up to its timeout, with xapi's
  token format and ``EVENTS_LOST`` once deletion history was dropped;
- guest metrics (OS, IP addresses) appear ``boot_seconds`` of simulator time after a VM starts.

Every XML-RPC method is its own route (``xenserver.VM.start``, ``xenserver.Async.VM.clone``...), so
``sim.stats`` counts calls per method and writes per method, and faults can target one method.
"""

import collections
import re
import time
import xmlrpc.client
from xml.sax.saxutils import escape

from tests.simulator.core import Response, Route, Service
from tests.simulator.xenapi_db import Database, Subscriptions, XenFailure
from tests.simulator.xenapi_model import NULL_REF, load as load_model
from tests.simulator.xenserver_estate import (
    GIB, GUEST_FEATURES, OS_VERSIONS, PV_DRIVERS, EstateBuilder, datetime,
)

DEFAULT_USER = 'root'
DEFAULT_PASSWORD = 'xs-sim-Pa55word'
SESSION_LIMIT = 500
SESSION_IDLE_LIMIT = 24 * 3600.0
DEFAULT_HOSTS = 3
EVENT_CLASSES = ('task', 'pool', 'host', 'host_metrics', 'host_cpu', 'VM', 'VM_metrics', 'VM_guest_metrics',
                 'VBD', 'VDI', 'VIF', 'network', 'SR', 'PIF')
# Simulator seconds each long operation takes (overridable: {"xenserver": {"durations": {...}}}).
DURATIONS = {'start': 3.0, 'start_on': 3.0, 'clean_shutdown': 4.0, 'hard_shutdown': 1.0, 'shutdown': 4.0,
             'clean_reboot': 5.0, 'hard_reboot': 2.0, 'suspend': 3.0, 'resume': 3.0, 'resume_on': 3.0,
             'pause': 0.5, 'unpause': 0.5, 'clone': 2.0, 'copy': 6.0, 'provision': 2.0, 'pool_migrate': 4.0}
BOOT_SECONDS = 10.0

# power-states.md: allowed power states per operation, in the order xapi lists them in VM_BAD_POWER_STATE.
ALLOWED_STATES = {
    'start': ('halted',), 'start_on': ('halted',), 'clean_shutdown': ('running',),
    'hard_shutdown': ('paused', 'suspended', 'running'), 'shutdown': ('paused', 'suspended', 'running'),
    'clean_reboot': ('running',), 'hard_reboot': ('paused', 'running'), 'suspend': ('running',),
    'resume': ('suspended',), 'resume_on': ('suspended',), 'pause': ('running',), 'unpause': ('paused',),
    'clone': ('halted',), 'copy': ('halted',), 'destroy': ('halted', 'suspended'), 'pool_migrate': ('running',),
    'provision': ('halted',), 'export': ('halted', 'suspended'), 'changing_VCPUs': ('halted',),
    'changing_memory_limits': ('halted',), 'changing_static_range': ('halted',), 'make_into_template': ('halted',),
}
TEMPLATE_OPERATIONS = ('clone', 'copy', 'export', 'metadata_export', 'provision', 'changing_VCPUs',
                       'changing_memory_limits', 'changing_static_range', 'changing_dynamic_range', 'destroy')
SNAPSHOT_OPERATIONS = ('revert', 'clone', 'copy', 'export', 'destroy', 'hard_shutdown', 'metadata_export')
GUEST_FEATURE_NEEDED = {'clean_shutdown': ('feature-shutdown', 'feature-poweroff'),
                        'clean_reboot': ('feature-shutdown', 'feature-reboot'),
                        'suspend': ('feature-suspend',), 'pool_migrate': ('feature-suspend',)}
LISTED_OPERATIONS = ('start', 'start_on', 'clean_shutdown', 'hard_shutdown', 'clean_reboot', 'hard_reboot',
                     'suspend', 'resume', 'resume_on', 'pause', 'unpause', 'clone', 'copy', 'destroy',
                     'pool_migrate', 'provision', 'export', 'changing_VCPUs', 'changing_memory_limits',
                     'changing_static_range', 'changing_dynamic_range')
READ_PREFIXES = ('get_', 'assert_', 'compute_', 'query_', 'retrieve_')
SESSION_METHODS = ('session.login_with_password', 'session.logout', 'session.local_logout',
                   'session.slave_local_login_with_password')
WHERE_SPEC = (1, [['session ref', 'session_id'], ['string', 'expr']])


class Pending:
    """A VM operation accepted but not finished: it occupies ``vm``'s ``current_operations`` for
    ``duration`` simulator seconds (forever when ``hang``), then ``finish()`` returns its result."""

    def __init__(self, op, vm, duration, finish, hang=False):
        self.op = op
        self.vm = vm
        self.duration = duration
        self.finish = finish
        self.hang = hang
        self.task = None
        self.started = 0.0
        self.progress = 0.0
        self.done = False
        self.result = None
        self.failure = None


class Wired:
    """A value already in wire form (skips the encoder)."""

    def __init__(self, value):
        self.value = value


def wire(value):
    """Python values as xapi sends them: ints (64-bit) as strings, map keys as strings."""
    if isinstance(value, bool) or value is None:
        return value if value is not None else ''
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dict):
        return {str(k): wire(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [wire(v) for v in value]
    return value


def task_result(value):
    """``task.result``: the operation's return value as an XML-RPC ``<value>`` ("" for void)."""
    if value is None or value == '':
        return ''
    if isinstance(value, str):
        return '<value>%s</value>' % escape(value)
    text = xmlrpc.client.dumps((wire(value),))
    return text[text.index('<value>'):text.rindex('</value>') + len('</value>')]


def is_write(method):
    """Methods that change the pool. Session handling and event reads are not writes."""
    name = method[len('Async.'):] if method.startswith('Async.') else method
    cls, _sep, message = name.partition('.')
    if cls in ('session', 'event'):
        return False
    return not message.startswith(READ_PREFIXES)


class XenServerPool(Service):
    name = 'xenserver'

    def seed(self):
        self.model = load_model()
        self.db = Database(self.model, EVENT_CLASSES)
        config = self.config
        self.username = config.get('username', DEFAULT_USER)
        self.password = config.get('password', DEFAULT_PASSWORD)
        self.session_limit = int(config.get('session_limit', SESSION_LIMIT))
        self.durations = dict(DURATIONS, **config.get('durations', {}))
        self.boot_seconds = float(config.get('boot_seconds', BOOT_SECONDS))
        self.jobs = []
        self.finishing = None
        self.scheduled = []
        self.boot_ids = collections.Counter()
        self.hung = set()          # VMs whose guest ignores clean shutdown / reboot requests
        self.no_tools = set()      # VMs whose guest never reports metrics
        self.vif_ips = {}
        self.ip_counter = 0
        self.mac_counter = 0
        self.domid_counter = 0
        self.in_flight = collections.Counter()
        self.max_in_flight = collections.Counter()
        self.calls = collections.Counter()
        self.calls_by_listener = collections.Counter()
        self.logins = 0
        self.issued_sessions = []
        self.session_calls = collections.Counter()
        self.evict_after_calls = None   # test knob: sessions die after this many calls (as if evicted)
        self.injected = []              # test knob: [method, ErrorDescription, remaining times]
        self._wire_cache = {}
        self._method_routes = {}
        self.handlers = self._handlers()
        vm_count = int(config.get('vms', self.sim.size))
        self.pool = None
        builder = EstateBuilder(self, vm_count, int(config.get('hosts', DEFAULT_HOSTS)))
        builder.build()
        self.hosts = builder.hosts
        self.networks = builder.networks
        if not hasattr(self, 'listener_hosts'):
            self.listener_hosts = {}

    # -- listeners ------------------------------------------------------------------------------

    def start(self):
        """Open the master on 127.0.0.1 and every member on its own loopback address, all on one port
        (HOST_IS_SLAVE names only an address, so clients keep their port)."""
        members = [self.db.get('host', h)['address'] for h in self.hosts[1:]]
        for _attempt in range(50):
            opened = []
            try:
                master = self.sim.listen('xenserver-master', host='127.0.0.1', port=0)
                opened.append(master)
                for i, address in enumerate(members, 1):
                    opened.append(self.sim.listen('xenserver-member%d' % i, host=address, port=master.port))
            except OSError:
                for listener in opened:
                    listener.server.shutdown()
                    listener.server.server_close()
                    self.sim.listeners.pop(listener.name, None)
                continue
            self.listener_hosts = {listener.name: listener for listener in opened}
            self.master_listener = master
            return
        raise RuntimeError('could not open the XenServer pool listeners on one port')

    @property
    def url(self):
        return self.master_listener.url

    def member_url(self, index=1):
        return self.listener_hosts['xenserver-member%d' % index].url

    def client_env(self):
        return {
            'XENSERVER_HOST': self.url,
            'XENSERVER_USER': self.username,
            'XENSERVER_PASSWORD': self.password,
            'XENSERVER_CA_PATH': self.sim.ca_path or '',
        }

    # -- HTTP / XML-RPC -------------------------------------------------------------------------

    def routes(self):
        return [Route('POST', r'/(?:RPC2)?', self.rpc, 'xenserver.rpc', classify=self.classify)]

    @staticmethod
    def _parse(request):
        parsed = getattr(request, 'xmlrpc_call', None)
        if parsed is None:
            try:
                params, method = xmlrpc.client.loads(request.body)
            except Exception:  # pylint: disable=broad-except
                # anything unparsable is a bad request
                params, method = None, None
            parsed = request.xmlrpc_call = (method, params)
        return parsed

    def classify(self, request):
        if request.listener not in self.listener_hosts:
            return None
        method, _params = self._parse(request)
        if not isinstance(method, str) or not re.match(r'^[A-Za-z0-9_.]{1,120}$', method):
            return None
        route = self._method_routes.get(method)
        if route is None:
            route = Route('POST', r'/(?:RPC2)?', self.rpc, 'xenserver.' + method, service=self.name)
            self._method_routes[method] = route
        return route

    def rpc(self, request):
        if request.listener not in self.listener_hosts:
            return Response(404, {'Message': 'No HTTP resource was found that matches the request URI.'})
        method, params = self._parse(request)
        if method is None:
            return Response(500, 'Malformed XML-RPC request\n', content_type='text/plain')
        self.calls[method] += 1
        self.calls_by_listener[(request.listener, method)] += 1
        try:
            value = self.dispatch(request.listener, method, list(params))
            body = {'Status': 'Success', 'Value': value.value if isinstance(value, Wired) else wire(value)}
            if is_write(method) and request.route is not None:
                self.sim.stats.record_write(request.route)
        except XenFailure as failure:
            body = {'Status': 'Failure', 'ErrorDescription': failure.description}
        data = xmlrpc.client.dumps((body,), methodresponse=True, allow_none=True)
        return Response(200, data.encode('utf-8'), content_type='text/xml')

    def dispatch(self, listener, method, params):
        if listener != self.master_listener.name:
            raise XenFailure('HOST_IS_SLAVE', self.db.get('host', self.hosts[0])['address'])
        if method in ('session.login_with_password', 'session.slave_local_login_with_password'):
            return self.login(method, params)
        asynchronous = method.startswith('Async.')
        name = method[len('Async.'):] if asynchronous else method
        cls, _sep, message = name.partition('.')
        spec = self.model.message(cls, message) if cls in self.model.classes else None
        if spec is None and message == 'get_all_records_where' and cls in self.model.classes:
            spec = WHERE_SPEC
        if spec is None or (asynchronous and spec[0]):
            raise XenFailure('MESSAGE_METHOD_UNKNOWN', method)
        implicit, param_spec = spec
        if len(params) != len(param_spec):
            raise XenFailure('MESSAGE_PARAMETER_COUNT_MISMATCH', method, len(param_spec), len(params))
        session = self.check_session(params[0])
        if method in ('session.logout', 'session.local_logout'):
            self.db.destroy('session', session)
            return ''
        if asynchronous:
            return self.start_async(method, cls, message, implicit, param_spec[1:], params[1:], session)
        with self.db.lock:
            self.process_due()
            outcome = self.execute(cls, message, implicit, param_spec[1:], params[1:], session)
        if isinstance(outcome, Pending):
            return self.wait_sync(method, outcome)
        return outcome

    def execute(self, cls, message, implicit, param_spec, params, session):
        self._raise_injected('%s.%s' % (cls, message))
        values = [self.decode(ptype, pname, value) for (ptype, pname), value in zip(param_spec, params)]
        handler = self.handlers.get((cls, message))
        if handler is not None:
            return handler(session, *values)
        if implicit:
            return self.generic(cls, message, values)
        raise XenFailure('NOT_IMPLEMENTED', '%s.%s' % (cls, message))

    def inject_failure(self, method, *description, **kwargs):
        """Make the next ``times`` calls of ``method`` (``VM.start``; also reached through ``Async.``) fail
        with ``description`` (code and parameters), as a concurrent change on a real pool would."""
        self.injected.append([method, [str(d) for d in description], kwargs.get('times', 1)])

    def _raise_injected(self, method):
        for entry in self.injected:
            if entry[0] == method and entry[2] != 0:
                entry[2] -= 1
                raise XenFailure(*entry[1])

    def decode(self, ptype, pname, value):
        """Check one parameter against its datamodel type; ints are accepted as strings (their wire
        form) or XML-RPC ints."""
        if ptype == 'int':
            if isinstance(value, bool):
                raise XenFailure('FIELD_TYPE_ERROR', pname)
            try:
                return int(value)
            except (TypeError, ValueError):
                raise XenFailure('FIELD_TYPE_ERROR', pname)
        if ptype == 'float':
            try:
                return float(value)
            except (TypeError, ValueError):
                raise XenFailure('FIELD_TYPE_ERROR', pname)
        if ptype == 'bool':
            if not isinstance(value, bool):
                raise XenFailure('FIELD_TYPE_ERROR', pname)
            return value
        if ptype.endswith(' set'):
            if not isinstance(value, list):
                raise XenFailure('FIELD_TYPE_ERROR', pname)
            return value
        if ptype.endswith(' map') or ptype.endswith(' record'):
            if not isinstance(value, dict):
                raise XenFailure('FIELD_TYPE_ERROR', pname)
            return value
        if not isinstance(value, str):
            raise XenFailure('FIELD_TYPE_ERROR', pname)
        if ptype.endswith(' ref'):
            cls = ptype[:-len(' ref')]
            if cls in self.model.classes and cls != 'session':
                self.db.get(cls, value)
        return value

    # -- sessions -------------------------------------------------------------------------------

    def login(self, method, params):
        if method == 'session.slave_local_login_with_password':
            raise XenFailure('HOST_IS_SLAVE', self.db.get('host', self.hosts[0])['address'])
        # Old clients send two or three parameters; xapi accepts those too.
        if not 2 <= len(params) <= 4:
            raise XenFailure('MESSAGE_PARAMETER_COUNT_MISMATCH', method, 4, len(params))
        username, password = params[0], params[1]
        originator = params[3] if len(params) > 3 and isinstance(params[3], str) else ''
        if username != self.username or password != self.password:
            raise XenFailure('SESSION_AUTHENTICATION_FAILED')
        now = self.sim.clock.now()
        with self.db.lock:
            ref = self.db.create('session', this_host=self.hosts[0], last_active=datetime(now), validation_time=datetime(now),
                                 originator=originator, auth_user_name=username, is_local_superuser=True,
                                 other_config={'last_active': repr(now)})
            self.logins += 1
            self.issued_sessions.append(ref)
            owner = originator or username
            mine = [(float(rec['other_config']['last_active']), r) for r, rec in self.db.all('session').items()
                    if (rec['originator'] or rec['auth_user_name']) == owner]
            for _when, oldest in sorted(mine)[:max(0, len(mine) - self.session_limit)]:
                self.db.destroy('session', oldest)
        return ref

    def check_session(self, ref):
        record = self.db.find('session', ref) if isinstance(ref, str) else None
        if record is None:
            raise XenFailure('SESSION_INVALID', ref)
        now = self.sim.clock.now()
        if now - float(record['other_config']['last_active']) > SESSION_IDLE_LIMIT:
            self.db.destroy('session', ref)
            raise XenFailure('SESSION_INVALID', ref)
        self.session_calls[ref] += 1
        if self.evict_after_calls is not None and self.session_calls[ref] > self.evict_after_calls:
            self.db.destroy('session', ref)
            raise XenFailure('SESSION_INVALID', ref)
        record['other_config']['last_active'] = repr(now)
        record['last_active'] = datetime(now)
        return ref

    def active_sessions(self):
        return dict(self.db.all('session'))

    def invalidate_sessions(self):
        """Drop every session, as a toolstack restart or session eviction does."""
        with self.db.lock:
            for ref in list(self.db.all('session')):
                self.db.destroy('session', ref)

    # -- tasks and time -------------------------------------------------------------------------

    def new_task(self, name):
        now = self.sim.clock.now()
        return self.db.create('task', name_label=name, status='pending', progress=0.0, created=datetime(now),
                              finished=datetime(0), resident_on=self.hosts[0], allowed_operations=['cancel'],
                              other_config={})

    def finish_task(self, task, result=None, failure=None, status=None):
        if not self.db.exists('task', task):
            return
        fields = dict(progress=1.0, finished=datetime(self.sim.clock.now()), allowed_operations=['destroy'])
        if failure is None:
            fields.update(status='success', result=task_result(result))
        else:
            fields.update(status=status or 'failure', error_info=failure.description)
        self.db.update('task', task, **fields)

    def start_job(self, pending, task):
        pending.task = task
        pending.started = self.sim.clock.now()
        if pending.vm:
            self.db.get('VM', pending.vm)['current_operations'][task] = pending.op
            self.refresh_allowed(pending.vm)
        self.jobs.append(pending)
        self.in_flight[pending.op] += 1
        self.max_in_flight[pending.op] = max(self.max_in_flight[pending.op], self.in_flight[pending.op])

    def end_job(self, job, result=None, failure=None, status=None):
        if job.done:
            return
        job.done = True
        job.result, job.failure = result, failure
        self.jobs.remove(job)
        self.in_flight[job.op] -= 1
        if job.vm and self.db.exists('VM', job.vm):
            self.db.get('VM', job.vm)['current_operations'].pop(job.task, None)
            self.refresh_allowed(job.vm)
        self.finish_task(job.task, result, failure, status)

    def start_async(self, method, cls, message, implicit, param_spec, params, session):
        with self.db.lock:
            self.process_due()
            task = self.new_task(method)
            try:
                outcome = self.execute(cls, message, implicit, param_spec, params, session)
            except XenFailure as failure:
                self.finish_task(task, failure=failure)
                return task
            if isinstance(outcome, Pending):
                self.start_job(outcome, task)
            else:
                self.finish_task(task, outcome)
            return task

    def wait_sync(self, method, pending, limit=600.0):
        with self.db.lock:
            task = self.new_task(method)
            self.start_job(pending, task)
            deadline = time.monotonic() + limit
            while not pending.done and time.monotonic() < deadline:
                self.process_due()
                if not pending.done:
                    self.db.changed.wait(0.02)
            if not pending.done:
                self.end_job(pending, failure=XenFailure('INTERNAL_ERROR', 'operation did not finish'))
            if self.db.exists('task', task):
                self.db.destroy('task', task)
        if pending.failure is not None:
            raise pending.failure
        return pending.result

    def schedule(self, delay, action):
        self.scheduled.append((self.sim.clock.now() + delay, action))

    def process_due(self):
        """Apply everything simulator time has made due: task progress and completion, guest agents
        reporting. Called on every call and while ``event.from`` or a synchronous call waits."""
        with self.db.lock:
            now = self.sim.clock.now()
            for job in list(self.jobs):
                elapsed = now - job.started
                if job.hang or elapsed < job.duration:
                    step = 0.0 if job.hang or job.duration <= 0 else int(4 * elapsed / job.duration) / 4.0
                    if step > job.progress:
                        job.progress = step
                        if self.db.exists('task', job.task):
                            self.db.update('task', job.task, progress=step)
                    continue
                self.finishing = job
                try:
                    self.end_job(job, result=job.finish())
                except XenFailure as failure:
                    self.end_job(job, failure=failure)
                finally:
                    self.finishing = None
            due = [item for item in self.scheduled if item[0] <= now]
            if due:
                self.scheduled = [item for item in self.scheduled if item[0] > now]
                for _when, action in sorted(due, key=lambda item: item[0]):
                    action()

    def settle(self):
        self.process_due()

    # -- generic (implicit) messages ------------------------------------------------------------

    def wire_record(self, cls, ref):
        stat = self.db.stats[cls][ref]
        cached = self._wire_cache.get((cls, ref))
        if cached is not None and cached[0] == stat[1]:
            return cached[1]
        value = wire(self.db.get(cls, ref))
        self._wire_cache[(cls, ref)] = (stat[1], value)
        return value

    def generic(self, cls, message, values):
        db = self.db
        if message == 'get_record':
            return Wired(self.wire_record(cls, values[0]))
        if message == 'get_all':
            return list(db.all(cls))
        if message == 'get_all_records':
            return Wired({ref: self.wire_record(cls, ref) for ref in db.all(cls)})
        if message == 'get_all_records_where':
            return Wired({ref: self.wire_record(cls, ref) for ref in db.where(cls, values[0])})
        if message == 'get_by_uuid':
            return db.by_uuid_ref(cls, values[0])
        if message == 'get_by_name_label':
            return [ref for ref, rec in db.all(cls).items() if rec.get('name_label') == values[0]]
        if message == 'destroy':
            db.destroy(cls, values[0])
            return ''
        for prefix in ('get_', 'set_', 'add_to_', 'remove_from_', 'add_', 'remove_'):
            if not message.startswith(prefix):
                continue
            field = message[len(prefix):]
            if self.model.field_type(cls, field) is None:
                continue
            record = db.get(cls, values[0])
            if prefix == 'get_':
                return record[field]
            if prefix == 'set_':
                db.update(cls, values[0], **{field: values[1]})
            elif prefix == 'add_to_':
                if values[1] in record[field]:
                    raise XenFailure('MAP_DUPLICATE_KEY', cls, field, record['uuid'], values[1])
                record[field][values[1]] = values[2]
                db.touch(cls, values[0])
            elif prefix == 'remove_from_':
                record[field].pop(values[1], None)
                db.touch(cls, values[0])
            elif prefix == 'add_':
                if values[1] not in record[field]:
                    record[field].append(values[1])
                db.touch(cls, values[0])
            else:
                if values[1] in record[field]:
                    record[field].remove(values[1])
                db.touch(cls, values[0])
            return ''
        raise XenFailure('NOT_IMPLEMENTED', '%s.%s' % (cls, message))

    # -- explicit messages ----------------------------------------------------------------------

    def _handlers(self):
        vm_ops = {
            'start': self.vm_start, 'start_on': self.vm_start_on, 'clean_shutdown': self.vm_clean_shutdown,
            'hard_shutdown': self.vm_hard_shutdown, 'shutdown': self.vm_shutdown, 'clean_reboot': self.vm_clean_reboot,
            'hard_reboot': self.vm_hard_reboot, 'suspend': self.vm_suspend, 'resume': self.vm_resume,
            'resume_on': self.vm_resume_on, 'pause': self.vm_pause, 'unpause': self.vm_unpause, 'clone': self.vm_clone,
            'copy': self.vm_copy, 'provision': self.vm_provision, 'destroy': self.vm_destroy,
            'pool_migrate': self.vm_pool_migrate, 'set_VCPUs_max': self.vm_set_vcpus_max,
            'set_VCPUs_at_startup': self.vm_set_vcpus_at_startup, 'set_memory': self.vm_set_memory,
            'set_memory_limits': self.vm_set_memory_limits, 'set_memory_static_max': self.vm_set_memory_static_max,
            'set_memory_dynamic_range': self.vm_set_memory_dynamic_range, 'set_is_a_template': self.vm_set_is_a_template,
        }
        handlers = {('VM', name): handler for name, handler in vm_ops.items()}
        handlers.update({
            ('task', 'cancel'): self.task_cancel, ('task', 'destroy'): self.task_destroy,
            ('event', 'from'): self.event_from, ('event', 'get_current_id'): lambda _s: self.db.generation,
            ('VDI', 'destroy'): self.vdi_destroy,
        })
        return handlers

    def event_from(self, session, classes, token, timeout):
        subscriptions = Subscriptions(classes)
        if token == '':
            since = 0
        else:
            match = re.match(r'^(\d+),(\d+)$', token)
            if not match:
                raise XenFailure('EVENT_FROM_TOKEN_PARSE_FAILURE', token)
            since = int(match.group(1))
        deadline = time.monotonic() + max(0.0, min(float(timeout), 3600.0))
        with self.db.lock:
            while True:
                self.process_due()
                events, last = self.db.events_since(subscriptions, since)
                if events or time.monotonic() >= deadline:
                    break
                since = max(since, last) if not events else since
                self.db.changed.wait(min(0.05, max(0.0, deadline - time.monotonic())))
                if not self.db.exists('session', session):
                    raise XenFailure('SESSION_INVALID', session)
            for event in events:
                if 'snapshot' in event:
                    event['snapshot'] = self.wire_record(self.model.canonical(event['class']), event['ref'])
            counts = self.db.valid_ref_counts()
        # valid_ref_counts are 32-bit ints on the wire; everything else follows the usual encoding.
        return Wired({'events': events, 'valid_ref_counts': counts, 'token': '%020d,%020d' % (last, 0)})

    def task_cancel(self, _session, task):
        for job in self.jobs:
            if job.task == task:
                self.end_job(job, failure=XenFailure('TASK_CANCELLED', task), status='cancelled')
                return ''
        raise XenFailure('OPERATION_NOT_ALLOWED', 'Task %s is not pending' % task)

    def task_destroy(self, _session, task):
        self.db.destroy('task', task)
        return ''

    def vdi_destroy(self, _session, vdi):
        record = self.db.get('VDI', vdi)
        if record['VBDs']:
            raise XenFailure('VDI_IN_USE', vdi, 'destroy')
        self.db.destroy('VDI', vdi)
        sr = self.db.find('SR', record['SR'])
        if sr is not None and vdi in sr['VDIs']:
            sr['VDIs'].remove(vdi)
            self.db.touch('SR', record['SR'])
        return ''

    # -- VM checks (power-states.md, in xapi's order) -------------------------------------------

    def check_operation(self, vm, op, strict=True):
        record = self.db.get('VM', vm)
        if op in record['blocked_operations']:
            raise XenFailure('OPERATION_BLOCKED', vm, record['blocked_operations'][op])
        power = record['power_state'].lower()
        allowed = ALLOWED_STATES.get(op)
        if allowed and power not in allowed:
            raise XenFailure('VM_BAD_POWER_STATE', vm, ', '.join(allowed), power)
        for task, other in record['current_operations'].items():
            if not self._may_overlap(op, other):
                raise XenFailure('OTHER_OPERATION_IN_PROGRESS', 'VM', vm, other, task)
        if record['is_a_template'] and not record['is_a_snapshot']:
            if op not in TEMPLATE_OPERATIONS or (op == 'destroy' and record['is_default_template']):
                if op == 'destroy':
                    raise XenFailure('VM_CANNOT_DELETE_DEFAULT_TEMPLATE', vm)
                raise XenFailure('VM_IS_TEMPLATE', vm, op)
        if record['is_a_snapshot'] and op not in SNAPSHOT_OPERATIONS:
            raise XenFailure('VM_IS_SNAPSHOT', vm, op)
        if op == 'provision' and not record['is_a_template']:
            raise XenFailure('PROVISION_ONLY_ALLOWED_ON_TEMPLATE')
        if record['is_control_domain'] and op not in ('start', 'start_on', 'changing_memory_limits'):
            raise XenFailure('OPERATION_NOT_ALLOWED', 'This operation is not allowed on a control domain')
        if strict and power == 'running' and op in GUEST_FEATURE_NEEDED:
            other = self._guest_other(record)
            if not any(other.get(feature) == '1' for feature in GUEST_FEATURE_NEEDED[op]):
                raise XenFailure('VM_LACKS_FEATURE', vm)
        return record

    @staticmethod
    def _may_overlap(op, other):
        if op == 'hard_shutdown':
            return other != 'hard_shutdown'
        if op == 'hard_reboot':
            return other not in ('hard_shutdown', 'hard_reboot')
        copies = ('clone', 'copy', 'export')
        return op in copies and other in copies

    def _guest_other(self, record):
        metrics = self.db.find('VM_guest_metrics', record['guest_metrics'])
        return metrics['other'] if metrics and metrics['PV_drivers_detected'] else {}

    def refresh_allowed(self, vm):
        allowed = []
        for op in LISTED_OPERATIONS:
            try:
                self.check_operation(vm, op)
            except XenFailure:
                continue
            allowed.append(op)
        self.db.update('VM', vm, allowed_operations=allowed)

    def later(self, op, vm, finish, hang=False):
        return Pending(op, vm, self.durations.get(op, 1.0), finish, hang=hang)

    # -- VM power operations --------------------------------------------------------------------

    def pick_host(self, vm):
        affinity = self.db.get('VM', vm)['affinity']
        if affinity in self.hosts:
            return affinity
        counts = {h: len(self.db.get('host', h)['resident_VMs']) for h in self.hosts if self.db.get('host', h)['enabled']}
        if not counts:
            raise XenFailure('NO_HOSTS_AVAILABLE')
        return min(counts, key=lambda h: (counts[h], self.hosts.index(h)))

    def vm_start(self, _session, vm, start_paused, _force):
        self.check_operation(vm, 'start')
        return self.later('start', vm, lambda: self.power_on(vm, self.pick_host(vm), start_paused))

    def vm_start_on(self, _session, vm, host, start_paused, _force):
        self.check_operation(vm, 'start_on')
        if not self.db.get('host', host)['enabled']:
            raise XenFailure('HOST_DISABLED', host)
        return self.later('start_on', vm, lambda: self.power_on(vm, host, start_paused))

    def vm_clean_shutdown(self, _session, vm):
        self.check_operation(vm, 'clean_shutdown')
        return self.later('clean_shutdown', vm, lambda: self.power_off(vm), hang=vm in self.hung)

    def vm_hard_shutdown(self, _session, vm):
        self.check_operation(vm, 'hard_shutdown')
        return self.later('hard_shutdown', vm, lambda: self.power_off(vm))

    def vm_shutdown(self, _session, vm):
        record = self.check_operation(vm, 'shutdown')
        clean = record['power_state'] == 'Running' and vm not in self.hung and any(
            self._guest_other(record).get(f) == '1' for f in GUEST_FEATURE_NEEDED['clean_shutdown'])
        return self.later('shutdown' if clean else 'hard_shutdown', vm, lambda: self.power_off(vm))

    def vm_clean_reboot(self, _session, vm):
        self.check_operation(vm, 'clean_reboot')
        return self.later('clean_reboot', vm, lambda: self.reboot(vm), hang=vm in self.hung)

    def vm_hard_reboot(self, _session, vm):
        self.check_operation(vm, 'hard_reboot')
        return self.later('hard_reboot', vm, lambda: self.reboot(vm))

    def vm_suspend(self, _session, vm):
        self.check_operation(vm, 'suspend')
        return self.later('suspend', vm, lambda: self.set_power(vm, 'Suspended', NULL_REF))

    def vm_resume(self, _session, vm, start_paused, _force):
        self.check_operation(vm, 'resume')
        return self.later('resume', vm, lambda: self.set_power(vm, 'Paused' if start_paused else 'Running',
                                                               self.pick_host(vm)))

    def vm_resume_on(self, _session, vm, host, start_paused, _force):
        self.check_operation(vm, 'resume_on')
        return self.later('resume_on', vm, lambda: self.set_power(vm, 'Paused' if start_paused else 'Running', host))

    def vm_pause(self, _session, vm):
        self.check_operation(vm, 'pause')
        return self.later('pause', vm, lambda: self.set_power(vm, 'Paused'))

    def vm_unpause(self, _session, vm):
        self.check_operation(vm, 'unpause')
        return self.later('unpause', vm, lambda: self.set_power(vm, 'Running'))

    def vm_pool_migrate(self, _session, vm, host, options):
        self.check_operation(vm, 'pool_migrate', strict=options.get('force') != 'true')
        if not self.db.get('host', host)['enabled']:
            raise XenFailure('HOST_DISABLED', host)
        return self.later('pool_migrate', vm, lambda: self.move(vm, host))

    def set_power(self, vm, state, host=None):
        record = self.db.get('VM', vm)
        old_host = record['resident_on']
        if host is not None and host != old_host:
            if old_host in self.hosts:
                self.db.get('host', old_host)['resident_VMs'].remove(vm)
                self.db.touch('host', old_host)
            if host in self.hosts:
                self.db.get('host', host)['resident_VMs'].append(vm)
                self.db.touch('host', host)
        fields = {'power_state': state}
        if host is not None:
            fields['resident_on'] = host
        self.db.update('VM', vm, **fields)
        self.refresh_allowed(vm)
        return ''

    def power_on(self, vm, host, paused):
        record = self.db.get('VM', vm)
        self.domid_counter += 1
        self.db.update('VM', vm, domid=self.domid_counter)
        self.set_power(vm, 'Paused' if paused else 'Running', host)
        self._attach(record, True)
        metrics = self.db.find('VM_metrics', record['metrics'])
        if metrics is not None:
            self.db.update('VM_metrics', record['metrics'], start_time=datetime(self.sim.clock.now()),
                           VCPUs_number=record['VCPUs_at_startup'], memory_actual=record['memory_dynamic_max'])
        self.boot(vm)
        return ''

    def power_off(self, vm):
        for job in [j for j in self.jobs if j.vm == vm and j is not self.finishing
                    and j.op in ('clean_shutdown', 'clean_reboot', 'shutdown')]:
            self.end_job(job, failure=XenFailure('VM_BAD_POWER_STATE', vm, 'running', 'halted'))
        record = self.db.get('VM', vm)
        self.drop_guest_metrics(vm)
        self.db.update('VM', vm, domid=-1)
        self.set_power(vm, 'Halted', NULL_REF)
        self._attach(record, False)
        return ''

    def reboot(self, vm):
        self.drop_guest_metrics(vm)
        self.domid_counter += 1
        self.db.update('VM', vm, domid=self.domid_counter)
        self.set_power(vm, 'Running')
        self.boot(vm)
        return ''

    def move(self, vm, host):
        self.set_power(vm, 'Running', host)
        return ''

    def boot(self, vm):
        """The guest agent reports ``boot_seconds`` after a boot, unless this boot was replaced."""
        self.boot_ids[vm] += 1
        boot_id = self.boot_ids[vm]

        def report():
            record = self.db.find('VM', vm)
            if record and record['power_state'] == 'Running' and self.boot_ids[vm] == boot_id and vm not in self.no_tools:
                self.report_guest(vm)
        self.schedule(self.boot_seconds, report)

    def _attach(self, record, attached):
        for cls, refs in (('VBD', record['VBDs']), ('VIF', record['VIFs'])):
            for ref in refs:
                if self.db.exists(cls, ref) and not (cls == 'VBD' and self.db.get(cls, ref)['empty']):
                    self.db.update(cls, ref, currently_attached=attached)

    # -- VM lifecycle ---------------------------------------------------------------------------

    def vm_clone(self, _session, vm, new_name):
        self.check_operation(vm, 'clone')
        return self.later('clone', vm, lambda: self.clone_vm(vm, new_name))

    def vm_copy(self, _session, vm, new_name, sr):
        self.check_operation(vm, 'copy')
        if sr != NULL_REF:
            self.db.get('SR', sr)
        return self.later('copy', vm, lambda: self.clone_vm(vm, new_name, sr if sr != NULL_REF else None))

    def vm_provision(self, _session, vm):
        self.check_operation(vm, 'provision')
        return self.later('provision', vm, lambda: self.provision_vm(vm))

    def vm_destroy(self, _session, vm):
        self.check_operation(vm, 'destroy')
        record = self.db.get('VM', vm)
        for vbd in list(record['VBDs']):
            self._destroy_vbd(vbd)
        for vif in list(record['VIFs']):
            network = self.db.find('network', self.db.get('VIF', vif)['network'])
            if network is not None and vif in network['VIFs']:
                network['VIFs'].remove(vif)
            self.db.destroy('VIF', vif)
        self.drop_guest_metrics(vm)
        if self.db.exists('VM_metrics', record['metrics']):
            self.db.destroy('VM_metrics', record['metrics'])
        source = self.db.find('VM', record['snapshot_of'])
        if source is not None and vm in source['snapshots']:
            source['snapshots'].remove(vm)
        self.db.destroy('VM', vm)
        return ''

    def _destroy_vbd(self, vbd):
        vdi = self.db.get('VBD', vbd)['VDI']
        record = self.db.find('VDI', vdi)
        if record is not None and vbd in record['VBDs']:
            record['VBDs'].remove(vbd)
            self.db.touch('VDI', vdi)
        self.db.destroy('VBD', vbd)

    def clone_vm(self, source, new_name, sr=None):
        src = self.db.get('VM', source)
        skip = ('uuid', 'VBDs', 'VIFs', 'metrics', 'guest_metrics', 'snapshots', 'children', 'current_operations',
                'allowed_operations', 'resident_on', 'domid', 'consoles')
        fields = {k: (dict(v) if isinstance(v, dict) else list(v) if isinstance(v, list) else v)
                  for k, v in src.items() if k not in skip}
        fields['other_config'].pop('default_template', None)
        fields.update(name_label=new_name, is_default_template=False, is_a_snapshot=False, snapshot_of=NULL_REF,
                      parent=source, power_state='Halted' if src['power_state'] != 'Suspended' else 'Suspended',
                      current_operations={}, domid=-1)
        ref = self.db.create('VM', **fields)
        self.new_vm_metrics(ref, running=False)
        for vbd in src['VBDs']:
            record = self.db.get('VBD', vbd)
            if record['type'] == 'CD':
                self.add_cd(ref, userdevice=record['userdevice'])
                continue
            vdi = self.db.get('VDI', record['VDI'])
            self.add_disk(ref, vdi['virtual_size'], userdevice=record['userdevice'], name=vdi['name_label'],
                          sr=sr or vdi['SR'], bootable=record['bootable'])
        for vif in src['VIFs']:
            record = self.db.get('VIF', vif)
            self.add_nic(ref, record['network'], device=record['device'])
        src['children'].append(ref)
        self.refresh_allowed(ref)
        return ref

    def provision_vm(self, vm):
        record = self.db.get('VM', vm)
        self.db.update('VM', vm, is_a_template=False)
        existing = {self.db.get('VBD', v)['userdevice'] for v in record['VBDs']}
        spec = record['other_config'].get('disks', '')
        for match in re.finditer(r'<disk\s+([^>]*)/?>', spec):
            attrs = dict(re.findall(r'(\w+)="([^"]*)"', match.group(1)))
            if attrs.get('device') in existing:
                continue
            sr = attrs.get('sr') or self.db.get('pool', self.pool)['default_SR']
            self.add_disk(vm, int(attrs.get('size', 0)), userdevice=attrs.get('device', '0'),
                          name='%s %s' % (record['name_label'], attrs.get('device', '0')),
                          sr=sr if self.db.exists('SR', sr) else None, bootable=attrs.get('bootable') == 'true')
        self.refresh_allowed(vm)
        return ''

    def vm_set_is_a_template(self, _session, vm, value):
        if value:
            self.check_operation(vm, 'make_into_template')
        self.db.update('VM', vm, is_a_template=value)
        self.refresh_allowed(vm)
        return ''

    # -- VM configuration -----------------------------------------------------------------------

    def vm_set_vcpus_max(self, _session, vm, value):
        record = self.check_operation(vm, 'changing_VCPUs')
        if value < 1 or value > 64:
            raise XenFailure('VALUE_NOT_SUPPORTED', 'VCPUs_max', value, 'value must be between 1 and 64')
        if value < record['VCPUs_at_startup']:
            raise XenFailure('VALUE_NOT_SUPPORTED', 'VCPUs_max', value, 'value is lower than VCPUs_at_startup')
        self.db.update('VM', vm, VCPUs_max=value)
        return ''

    def vm_set_vcpus_at_startup(self, _session, vm, value):
        record = self.check_operation(vm, 'changing_VCPUs')
        if value < 1 or value > record['VCPUs_max']:
            raise XenFailure('VALUE_NOT_SUPPORTED', 'VCPUs_at_startup', value, 'value greater than VCPUs_max')
        self.db.update('VM', vm, VCPUs_at_startup=value)
        return ''

    def _set_memory(self, vm, static_min, static_max, dynamic_min, dynamic_max):
        if not 0 <= static_min <= dynamic_min <= dynamic_max <= static_max:
            raise XenFailure('MEMORY_CONSTRAINT_VIOLATION',
                             'Memory limits must satisfy: static_min <= dynamic_min <= dynamic_max <= static_max')
        self.db.update('VM', vm, memory_static_min=static_min, memory_static_max=static_max,
                       memory_dynamic_min=dynamic_min, memory_dynamic_max=dynamic_max, memory_target=dynamic_max)
        return ''

    def vm_set_memory(self, _session, vm, value):
        record = self.check_operation(vm, 'changing_memory_limits')
        return self._set_memory(vm, record['memory_static_min'], value, value, value)

    def vm_set_memory_limits(self, _session, vm, static_min, static_max, dynamic_min, dynamic_max):
        self.check_operation(vm, 'changing_memory_limits')
        return self._set_memory(vm, static_min, static_max, dynamic_min, dynamic_max)

    def vm_set_memory_static_max(self, _session, vm, value):
        record = self.check_operation(vm, 'changing_static_range')
        return self._set_memory(vm, record['memory_static_min'], value, record['memory_dynamic_min'],
                                record['memory_dynamic_max'])

    def vm_set_memory_dynamic_range(self, _session, vm, dynamic_min, dynamic_max):
        record = self.check_operation(vm, 'changing_dynamic_range')
        return self._set_memory(vm, record['memory_static_min'], record['memory_static_max'], dynamic_min, dynamic_max)

    # -- building blocks (also used by the estate builder and tests) ----------------------------

    def new_vm(self, name, vcpus=2, memory=4 * GIB, power_state='Halted', resident_on=NULL_REF, tags=(),
               other_config=None, description=''):
        ref = self.db.create('VM', name_label=name, name_description=description, power_state=power_state,
                             resident_on=resident_on, VCPUs_max=vcpus, VCPUs_at_startup=vcpus, user_version=1,
                             memory_static_max=memory, memory_dynamic_max=memory, memory_dynamic_min=memory,
                             memory_static_min=512 * 1024 * 1024, memory_target=memory, HVM_boot_policy='BIOS order',
                             HVM_boot_params={'order': 'cd'}, domain_type='hvm', tags=list(tags),
                             other_config=dict(other_config or {}), platform={'viridian': 'true', 'acpi': '1', 'apic': 'true'},
                             actions_after_shutdown='destroy', actions_after_reboot='restart',
                             actions_after_crash='restart', domid=-1)
        running = power_state in ('Running', 'Paused')
        if running:
            self.domid_counter += 1
            self.db.update('VM', ref, domid=self.domid_counter)
        if resident_on in self.db.all('host'):
            self.db.get('host', resident_on)['resident_VMs'].append(ref)
        self.new_vm_metrics(ref, running=running)
        self.refresh_allowed(ref)
        return ref

    def new_vm_metrics(self, vm, running):
        record = self.db.get('VM', vm)
        now = datetime(self.sim.clock.now())
        metrics = self.db.create('VM_metrics', memory_actual=record['memory_dynamic_max'] if running else 0,
                                 VCPUs_number=record['VCPUs_at_startup'] if running else 0, start_time=now,
                                 install_time=now, last_updated=now, hvm=record['domain_type'] == 'hvm',
                                 current_domain_type=record['domain_type'] if running else 'unspecified',
                                 VCPUs_utilisation={0: 0.02} if running else {})
        self.db.update('VM', vm, metrics=metrics)
        return metrics

    def add_disk(self, vm, size, userdevice='0', name='disk', sr=None, bootable=None):
        if sr is None:
            sr = self.db.get('pool', self.pool)['default_SR']
        vm_record = self.db.get('VM', vm)
        vdi = self.db.create('VDI', name_label=name, SR=sr, virtual_size=int(size), physical_utilisation=int(size) // 4,
                             type='system' if userdevice == '0' else 'user', managed=True, on_boot='persist',
                             location='%s.vhd' % name.replace(' ', '-'), sm_config={'vdi_type': 'vhd'},
                             allowed_operations=['clone', 'copy', 'destroy', 'snapshot', 'resize'])
        attached = vm_record['power_state'] in ('Running', 'Paused')
        vbd = self.db.create('VBD', VM=vm, VDI=vdi, device='xvd%s' % chr(ord('a') + int(userdevice)),
                             userdevice=userdevice, bootable=(userdevice == '0') if bootable is None else bootable,
                             mode='RW', type='Disk', unpluggable=True, currently_attached=attached, empty=False)
        self.db.get('VDI', vdi)['VBDs'].append(vbd)
        self.db.get('SR', sr)['VDIs'].append(vdi)
        vm_record['VBDs'].append(vbd)
        self.db.touch('VM', vm)
        return vbd

    def add_cd(self, vm, userdevice='3'):
        vm_record = self.db.get('VM', vm)
        vbd = self.db.create('VBD', VM=vm, VDI=NULL_REF, device='xvd%s' % chr(ord('a') + int(userdevice)),
                             userdevice=userdevice, bootable=False, mode='RO', type='CD', unpluggable=True,
                             currently_attached=False, empty=True)
        vm_record['VBDs'].append(vbd)
        self.db.touch('VM', vm)
        return vbd

    def add_nic(self, vm, network, device='0'):
        vm_record = self.db.get('VM', vm)
        self.mac_counter += 1
        counter = self.mac_counter
        mac = '02:16:3e:%02x:%02x:%02x' % ((counter >> 16) & 0xff, (counter >> 8) & 0xff, counter & 0xff)
        vif = self.db.create('VIF', device=device, network=network, VM=vm, MAC=mac, MTU=1500,
                             currently_attached=vm_record['power_state'] in ('Running', 'Paused'),
                             MAC_autogenerated=True, locking_mode='network_default', allowed_operations=['attach', 'plug'],
                             ipv4_configuration_mode='None', ipv6_configuration_mode='None')
        self.db.get('network', network)['VIFs'].append(vif)
        vm_record['VIFs'].append(vif)
        self.db.touch('VM', vm)
        return vif

    def vif_address(self, vif):
        if vif not in self.vif_ips:
            self.ip_counter += 1
            n = self.ip_counter
            self.vif_ips[vif] = ('10.%d.%d.%d' % (20 + (n >> 16) % 200, (n >> 8) & 0xff, n & 0xff or 1),
                                 'fe80::16:3eff:fe%02x:%04x' % ((n >> 16) & 0xff, n & 0xffff))
        return self.vif_ips[vif]

    def report_guest(self, vm, os=None):
        """The guest agent's report: OS, PV drivers, features and one address per NIC."""
        record = self.db.get('VM', vm)
        networks = {}
        for vif in record['VIFs']:
            device = self.db.get('VIF', vif)['device']
            ipv4, ipv6 = self.vif_address(vif)
            networks.update({'%s/ip' % device: ipv4, '%s/ipv4/0' % device: ipv4, '%s/ipv6/0' % device: ipv6})
        os = os or OS_VERSIONS[len(record['name_label']) % len(OS_VERSIONS)]
        now = datetime(self.sim.clock.now())
        if self.db.exists('VM_guest_metrics', record['guest_metrics']):
            self.db.update('VM_guest_metrics', record['guest_metrics'], networks=networks, last_updated=now)
            return record['guest_metrics']
        metrics = self.db.create('VM_guest_metrics', os_version=dict(os), PV_drivers_version=dict(PV_DRIVERS),
                                 PV_drivers_up_to_date=True, PV_drivers_detected=True, networks=networks,
                                 other=dict(GUEST_FEATURES), memory={}, disks={}, last_updated=now, live=True,
                                 can_use_hotplug_vbd='yes', can_use_hotplug_vif='yes')
        self.db.update('VM', vm, guest_metrics=metrics)
        self.refresh_allowed(vm)
        return metrics

    def drop_guest_metrics(self, vm):
        record = self.db.get('VM', vm)
        if self.db.exists('VM_guest_metrics', record['guest_metrics']):
            self.db.destroy('VM_guest_metrics', record['guest_metrics'])
        if record['guest_metrics'] != NULL_REF:
            self.db.update('VM', vm, guest_metrics=NULL_REF)

    def snapshot_record(self, vm, name):
        source = self.db.get('VM', vm)
        ref = self.db.create('VM', name_label=name, is_a_snapshot=True, snapshot_of=vm, power_state='Halted',
                             snapshot_time=datetime(self.sim.clock.now()), VCPUs_max=source['VCPUs_max'],
                             VCPUs_at_startup=source['VCPUs_at_startup'], memory_static_max=source['memory_static_max'],
                             tags=list(source['tags']), domid=-1)
        self.new_vm_metrics(ref, running=False)
        source['snapshots'].append(ref)
        self.refresh_allowed(ref)
        return ref

    # -- test and admin helpers -----------------------------------------------------------------

    def vm_ref(self, name):
        refs = [ref for ref, rec in self.db.all('VM').items() if rec['name_label'] == name]
        if len(refs) != 1:
            raise KeyError('%d VMs named %r' % (len(refs), name))
        return refs[0]

    def vm(self, name):
        self.process_due()
        return self.db.get('VM', self.vm_ref(name))

    def add_test_vm(self, name, disks=1, nics=1, power_state='Running', tools=True, host_index=0, **kwargs):
        """A VM with ``disks`` disks and ``nics`` NICs; unless halted, its guest agent has reported already."""
        with self.db.lock:
            host = self.hosts[host_index] if power_state in ('Running', 'Paused') else NULL_REF
            ref = self.new_vm(name, power_state=power_state, resident_on=host, **kwargs)
            for i in range(disks):
                self.add_disk(ref, (10 + i) * GIB, userdevice=str(i if i < 3 else i + 1), name='%s disk %d' % (name, i))
            for i in range(nics):
                self.add_nic(ref, self.networks[i % len(self.networks)], device=str(i))
            if not tools:
                self.no_tools.add(ref)
            elif power_state != 'Halted':
                self.report_guest(ref)
            return ref

    def hang_guest(self, name, hang=True):
        """Make ``name``'s guest ignore clean shutdown and reboot requests (tasks stay pending)."""
        (self.hung.add if hang else self.hung.discard)(self.vm_ref(name))

    def admin_routes(self):
        def sessions(_request):
            return {'active': len(self.db.all('session')), 'logins': self.logins}

        def invalidate(_request):
            count = len(self.db.all('session'))
            self.invalidate_sessions()
            return {'invalidated': count}

        def calls(_request):
            return {'calls': dict(self.calls), 'max_in_flight': dict(self.max_in_flight)}

        def events_lost(_request):
            self.db.forget_deletions()
            return {'forgotten': self.db.forgotten}

        return [
            Route('GET', r'/sessions', sessions, 'admin.xenserver.sessions'),
            Route('POST', r'/invalidate-sessions', invalidate, 'admin.xenserver.invalidate'),
            Route('GET', r'/calls', calls, 'admin.xenserver.calls'),
            Route('POST', r'/events-lost', events_lost, 'admin.xenserver.events_lost'),
        ]


SERVICE = XenServerPool
