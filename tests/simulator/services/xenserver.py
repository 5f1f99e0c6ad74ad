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
import fnmatch
import re
import time
import xmlrpc.client
from xml.sax.saxutils import escape

from tests.simulator.core import Response, Route, Service
from tests.simulator.xenapi_db import Database, Subscriptions, XenFailure
from tests.simulator.xenapi_model import NULL_REF, load as load_model
from tests.simulator.xenserver_estate import GIB, EstateBuilder, datetime
from tests.simulator.xenserver_odd_answers import OddAnswers
from tests.simulator.xenserver_vms import Pending, VmOperations

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

READ_PREFIXES = ('get_', 'assert_', 'compute_', 'query_', 'retrieve_')
WHERE_SPEC = (1, [['session ref', 'session_id'], ['string', 'expr']])


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


class XenServerPool(VmOperations, Service):
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
        self.odd_answers = OddAnswers()  # test knob: answers of the wrong shape (answer_oddly)
        self._wire_cache = {}
        self._method_routes = {}
        self.handlers = self._handlers()
        # Other services' large sizes (10,000 DaaS machines) should not cost every test a huge pool.
        vm_count = int(config.get('vms', min(self.sim.size, 1000)))
        self.pool = None
        builder = EstateBuilder(self, vm_count, int(config.get('hosts', DEFAULT_HOSTS)), names=config)
        builder.build()
        self.hosts = builder.hosts
        self.networks = builder.networks
        self.master_index = 0
        if not hasattr(self, 'listener_hosts'):
            self.listener_hosts = {}
            self.host_listeners = []
        elif self.host_listeners:
            self.master_listener = self.host_listeners[0]

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
            self.host_listeners = opened  # by host index
            self.master_listener = opened[self.master_index]
            return
        raise RuntimeError('could not open the XenServer pool listeners on one port')

    @property
    def url(self):
        return self.master_listener.url

    @property
    def master_host(self):
        return self.hosts[self.master_index]

    def designate_master(self, index):
        """Make host ``index`` the pool master, as ``pool.designate_new_master`` or an HA failover does:
        from now on its listener serves the pool and every other member (the old master included)
        answers ``HOST_IS_SLAVE`` with its address. Sessions and the event history are pool-wide and
        survive; calls already in progress on the old master finish normally."""
        with self.db.lock:
            self.master_index = int(index)
            if self.host_listeners:
                self.master_listener = self.host_listeners[self.master_index]
            self.db.update('pool', self.pool, master=self.master_host)
        return ''

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
        body = self.odd_answers.apply(method, body)
        data = xmlrpc.client.dumps((body,), methodresponse=True, allow_none=True)
        return Response(200, data.encode('utf-8'), content_type='text/xml')

    def dispatch(self, listener, method, params):
        if listener != self.master_listener.name:
            raise XenFailure('HOST_IS_SLAVE', self.db.get('host', self.master_host)['address'])
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
        """Make the next ``times`` calls of ``method`` (``VM.start``, or a glob such as ``VM.get_*``; also
        reached through ``Async.``) fail with ``description`` (code and parameters), as a concurrent change
        or a toolstack error on a real pool would. Session calls are never affected."""
        self.injected.append([method, [str(d) for d in description], kwargs.get('times', 1)])

    def answer_oddly(self, method, shape, times=1):
        """Answer the next ``times`` calls of ``method`` (a name or glob) in ``shape``, one of
        ``xenserver_odd_answers.SHAPES`` (a failure with an empty ErrorDescription, records as text...)."""
        self.odd_answers.arrange(method, shape, times)

    def _raise_injected(self, method):
        for entry in self.injected:
            if fnmatch.fnmatchcase(method, entry[0]) and entry[2] != 0:
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
            raise XenFailure('HOST_IS_SLAVE', self.db.get('host', self.master_host)['address'])
        # Old clients send two or three parameters; xapi accepts those too.
        if not 2 <= len(params) <= 4:
            raise XenFailure('MESSAGE_PARAMETER_COUNT_MISMATCH', method, 4, len(params))
        username, password = params[0], params[1]
        originator = params[3] if len(params) > 3 and isinstance(params[3], str) else ''
        if username != self.username or password != self.password:
            raise XenFailure('SESSION_AUTHENTICATION_FAILED')
        now = self.sim.clock.now()
        with self.db.lock:
            ref = self.db.create('session', this_host=self.master_host, last_active=datetime(now), validation_time=datetime(now),
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
                              finished=datetime(0), resident_on=self.master_host, allowed_operations=['cancel'],
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
            ('pool', 'designate_new_master'): lambda _s, host: self.designate_master(self.hosts.index(host)),
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

    def halt_guest(self, name):
        """The guest powers itself off (a shutdown from inside, or a crash with ``actions_after_crash``
        destroy): the VM is Halted without any API call, and event.from reports it like any change."""
        with self.db.lock:
            self.power_off(self.vm_ref(name))

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
