"""The XML-RPC side of the simulated XenServer pool: every call parsed and classified as its own route
(``xenserver.<method>``, so accounting, faults and latency can target one method), answered on the
master only (members answer ``HOST_IS_SLAVE``), checked against the datamodel (arity
``MESSAGE_PARAMETER_COUNT_MISMATCH``, unknown methods ``MESSAGE_METHOD_UNKNOWN``, parameter types
``FIELD_TYPE_ERROR``, references ``HANDLE_INVALID``), authenticated, run (``Async.`` calls as tasks) and
answered in xapi's envelope; successful calls that change the pool count as writes."""

import collections
import fnmatch
import re
import xmlrpc.client

from tests.simulator.base import Response, Route
from tests.simulator.services.xenserver.odd_answers import OddAnswers
from tests.simulator.services.xenserver.tasks import Pending
from tests.simulator.services.xenserver.wire import Wired, wire
from tests.simulator.services.xenserver.xenapi_db import XenFailure

READ_PREFIXES = ('get_', 'assert_', 'compute_', 'query_', 'retrieve_')
WHERE_SPEC = (1, [['session ref', 'session_id'], ['string', 'expr']])
GENERIC_READS = ('get_all_records', 'get_all', 'get_record', 'get_by_uuid', 'get_all_records_where')


def is_write(method):
    """Methods that change the pool. Session handling and event reads are not writes."""
    name = method[len('Async.'):] if method.startswith('Async.') else method
    cls, _sep, message = name.partition('.')
    if cls in ('session', 'event'):
        return False
    return not message.startswith(READ_PREFIXES)


class XmlRpc:
    """Dispatch of XML-RPC calls. ``listeners`` (a :class:`~.listeners.PoolListeners`) says which
    listeners are the pool's and which is the master; ``layout`` gives the master's address; ``db`` and
    ``model`` check parameters; ``sessions``, ``tasks`` and ``messages`` do the work; ``stats`` counts
    writes. ``calls`` and ``calls_by_listener`` count calls per method; ``injected`` holds the failures
    :meth:`inject_failure` arranged."""

    def __init__(self, listeners, layout, db, model, sessions, tasks, messages, stats):
        self.listeners = listeners
        self.layout = layout
        self.db = db
        self.model = model
        self.sessions = sessions
        self.tasks = tasks
        self.messages = messages
        self.stats = stats
        self.calls = collections.Counter()
        self.calls_by_listener = collections.Counter()
        self.injected = []  # [method, ErrorDescription, remaining times]
        self.odd_answers = OddAnswers()
        self._method_routes = {}

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
        if not self.listeners.serves(request.listener):
            return None
        method, _params = self._parse(request)
        if not isinstance(method, str) or not re.match(r'^[A-Za-z0-9_.]{1,120}$', method):
            return None
        route = self._method_routes.get(method)
        if route is None:
            route = Route('POST', r'/(?:RPC2)?', self.handle, 'xenserver.' + method, service='xenserver')
            self._method_routes[method] = route
        return route

    def handle(self, request):
        """Answer one XML-RPC call: the method's value or xapi's ``Failure`` envelope."""
        if not self.listeners.serves(request.listener):
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
                self.stats.record_write(request.route)
        except XenFailure as failure:
            body = {'Status': 'Failure', 'ErrorDescription': failure.description}
        body = self.odd_answers.apply(method, body)
        data = xmlrpc.client.dumps((body,), methodresponse=True, allow_none=True)
        return Response(200, data.encode('utf-8'), content_type='text/xml')

    def dispatch(self, listener, method, params):
        if listener != self.listeners.master.name:
            raise XenFailure('HOST_IS_SLAVE', self.db.get('host', self.layout.master_host)['address'])
        if method in ('session.login_with_password', 'session.slave_local_login_with_password'):
            return self.sessions.login(method, params)
        asynchronous = method.startswith('Async.')
        name = method[len('Async.'):] if asynchronous else method
        cls, _sep, message = name.partition('.')
        spec = self.model.message(cls, message) if cls in self.model.classes else None
        if spec is None and message == 'get_all_records_where' and cls in self.model.classes:
            spec = WHERE_SPEC
        # Of the implicit messages, only the constructor and destructor have an Async form.
        if spec is None or (asynchronous and spec[0] and message not in ('create', 'destroy')):
            raise XenFailure('MESSAGE_METHOD_UNKNOWN', method)
        implicit, param_spec = spec
        if len(params) != len(param_spec):
            raise XenFailure('MESSAGE_PARAMETER_COUNT_MISMATCH', method, len(param_spec), len(params))
        session = self.sessions.check_session(params[0])
        if method in ('session.logout', 'session.local_logout'):
            self.db.destroy('session', session)
            return ''
        if asynchronous:
            return self.start_async(method, cls, message, implicit, param_spec[1:], params[1:], session)
        with self.db.lock:
            self.tasks.process_due()
            outcome = self.execute(cls, message, implicit, param_spec[1:], params[1:], session)
        if isinstance(outcome, Pending):
            return self.tasks.wait_sync(method, outcome)
        return outcome

    def execute(self, cls, message, implicit, param_spec, params, session):
        self._raise_injected('%s.%s' % (cls, message))
        values = [self.decode(ptype, pname, value) for (ptype, pname), value in zip(param_spec, params)]
        handler = self.messages.handlers.get((cls, message))
        if handler is not None:
            return handler(session, *values)
        # Some classes (message) declare the usual reads explicitly; they answer like the implicit ones.
        if implicit or message in GENERIC_READS:
            return self.messages.generic(cls, message, values)
        raise XenFailure('NOT_IMPLEMENTED', '%s.%s' % (cls, message))

    def start_async(self, method, cls, message, implicit, param_spec, params, session):
        with self.db.lock:
            self.tasks.process_due()
            task = self.tasks.new_task(method)
            try:
                outcome = self.execute(cls, message, implicit, param_spec, params, session)
            except XenFailure as failure:
                self.tasks.finish_task(task, failure=failure)
                return task
            if isinstance(outcome, Pending):
                self.tasks.start_job(outcome, task)
            else:
                self.tasks.finish_task(task, outcome)
            return task

    def inject_failure(self, method, *description, **kwargs):
        """Make the next ``times`` calls of ``method`` (``VM.start``, or a glob such as ``VM.get_*``; also
        reached through ``Async.``) fail with ``description`` (code and parameters), as a concurrent change
        or a toolstack error on a real pool would. Session calls are never affected."""
        self.injected.append([method, [str(d) for d in description], kwargs.get('times', 1)])

    def answer_oddly(self, method, shape, times=1):
        """Answer the next ``times`` calls of ``method`` (a name or glob) in ``shape``, one of
        :data:`.odd_answers.SHAPES` (a failure with an empty ErrorDescription, records as text...)."""
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
