"""Simulator core: HTTP(S) listeners, routing, request/write accounting, latency, faults, clock.

Services (``tests/simulator/services/*.py``) plug in by subclassing :class:`Service` and returning
:class:`Route` objects. The core knows nothing about Citrix APIs.
"""

import fnmatch
import json
import os
import random
import re
import socket
import ssl
import struct
import sys
import tempfile
import threading
import time
import traceback
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

ADMIN_PREFIX = '/_sim'


class Reply(Exception):
    """Raise from a handler to answer immediately with ``response``."""

    def __init__(self, response):
        super().__init__(response.status)
        self.response = response


class Response:
    """An HTTP answer. ``body``: dict/list (sent as JSON), str, bytes or None."""

    def __init__(self, status=200, body=None, headers=None, content_type=None):
        self.status = status
        self.body = body
        self.headers = dict(headers or {})
        self.content_type = content_type

    def encoded(self):
        body = self.body
        content_type = self.content_type
        if isinstance(body, (dict, list)):
            data = json.dumps(body).encode('utf-8')
            content_type = content_type or 'application/json; charset=utf-8'
        elif isinstance(body, str):
            data = body.encode('utf-8')
            content_type = content_type or 'text/plain; charset=utf-8'
        elif body is None:
            data = b''
        else:
            data = bytes(body)
            content_type = content_type or 'application/octet-stream'
        return data, content_type


def json_response(body, status=200, headers=None):
    return Response(status, body, headers)


class Request:
    """What a handler sees. ``params``: the route pattern's named groups; ``query``: lists of values."""

    def __init__(self, sim, listener, method, raw_path, headers, body):
        self.sim = sim
        self.listener = listener
        self.method = method
        parts = urlsplit(raw_path)
        self.path = parts.path
        self.query = parse_qs(parts.query, keep_blank_values=True)
        self.headers = headers
        self.body = body
        self.params = {}
        self.route = None

    def header(self, name, default=None):
        return self.headers.get(name, default)

    def arg(self, name, default=None):
        """First value of a query parameter, matching its name case-insensitively (as ASP.NET does)."""
        lowered = name.lower()
        for key, values in self.query.items():
            if key.lower() == lowered and values:
                return values[0]
        return default

    def args(self, name):
        lowered = name.lower()
        out = []
        for key, values in self.query.items():
            if key.lower() == lowered:
                out.extend(values)
        return out

    def json(self):
        try:
            return json.loads(self.body.decode('utf-8')) if self.body else None
        except (ValueError, UnicodeDecodeError):
            raise Reply(Response(400, {'message': 'The request body is not valid JSON.'}))

    def form(self):
        return {k: v[0] for k, v in parse_qs(self.body.decode('utf-8', 'replace'), keep_blank_values=True).items()}


class Route:
    """``write``: the call changes state when it succeeds (counted as a write). ``classify``: optional
    ``f(request) -> Route or None`` naming one request more precisely (e.g. one route per XML-RPC method on
    a single path), so accounting, faults and latency can target it."""

    def __init__(self, method, pattern, handler, name, write=False, service=None, classify=None):
        self.method = method
        self.regex = re.compile('^' + pattern + '$')
        self.handler = handler
        self.name = name
        self.write = write
        self.service = service
        self.classify = classify


class Service:
    """Base of a simulated API. ``seed()`` builds state from ``sim.size``; ``routes()`` and
    ``admin_routes()`` (mounted under ``/_sim/<name>``) return Route objects."""

    name = None

    def __init__(self, sim):
        self.sim = sim
        self.config = sim.config.get(self.name, {})
        self.seed()

    def seed(self):
        pass

    def routes(self):
        return []

    def admin_routes(self):
        return []

    def client_env(self):
        """Environment variables that point this collection's clients at this service (URLs, CA,
        the simulator's default credentials). The demo and the tests merge those of every service."""
        return {}


class SimClock:
    """Simulator time: real time times ``scale``, plus explicit advances. Services use it for anything
    that changes over time (token expiry, a machine finishing boot), so tests never wait."""

    def __init__(self, scale=1.0):
        self._lock = threading.Lock()
        self._base_real = time.monotonic()
        self._base_sim = time.time()
        self.scale = float(scale)
        self.offset = 0.0

    def now(self):
        with self._lock:
            return self._base_sim + (time.monotonic() - self._base_real) * self.scale + self.offset

    def advance(self, seconds):
        with self._lock:
            self.offset += float(seconds)

    def set_scale(self, scale):
        current = self.now()
        with self._lock:
            self._base_real = time.monotonic()
            self._base_sim = current - self.offset
            self.scale = float(scale)


class Stats:
    """Request and write counts by route name, by ``METHOD path``, by service and by listener; per route,
    when the first request arrived and the last answer left (``span``)."""

    def __init__(self, clock=time.monotonic):
        self._lock = threading.Lock()
        self._clock = clock
        self.reset()

    def reset(self):
        with self._lock:
            self.by_route = {}
            self.by_path = {}
            self.by_service = {}
            self.by_listener = {}
            self.writes_by_route = {}
            self.writes_by_service = {}
            self.total = 0
            self.first_arrival = {}
            self.last_answer = {}

    @staticmethod
    def _inc(table, key):
        table[key] = table.get(key, 0) + 1

    def record(self, route, method, path, listener=None):
        with self._lock:
            self.total += 1
            self._inc(self.by_path, '%s %s' % (method, path))
            if listener is not None:
                self._inc(self.by_listener, listener)
            if route is not None:
                self._inc(self.by_route, route.name)
                self._inc(self.by_service, route.service or '')
                self.first_arrival.setdefault(route.name, self._clock())

    def record_answer(self, route):
        with self._lock:
            self.last_answer[route.name] = self._clock()

    def record_write(self, route):
        with self._lock:
            self._inc(self.writes_by_route, route.name)
            self._inc(self.writes_by_service, route.service or '')

    def snapshot(self):
        with self._lock:
            return {'total': self.total, 'routes': dict(self.by_route), 'paths': dict(self.by_path),
                    'services': dict(self.by_service), 'listeners': dict(self.by_listener),
                    'writes': dict(self.writes_by_route),
                    'writes_by_service': dict(self.writes_by_service)}

    def count(self, route=None, service=None, method=None, path=None, listener=None):
        """Requests matching a route name pattern (fnmatch), a service, a listener (fnmatch on its name,
        whatever the path), or a method/path prefix."""
        snap = self.snapshot()
        if route is not None:
            return sum(n for k, n in snap['routes'].items() if fnmatch.fnmatchcase(k, route))
        if service is not None:
            return snap['services'].get(service, 0)
        if listener is not None:
            return sum(n for k, n in snap['listeners'].items() if fnmatch.fnmatchcase(k, listener))
        if method is not None or path is not None:
            total = 0
            for key, n in snap['paths'].items():
                m, p = key.split(' ', 1)
                if (method is None or m == method) and (path is None or p.startswith(path)):
                    total += n
            return total
        return snap['total']

    def span(self, route):
        """Seconds from the first request to the last answer of the routes matching ``route`` (fnmatch),
        as the server saw them: how long a phase of a client's work took (0.0 when none was answered)."""
        with self._lock:
            starts = [t for k, t in self.first_arrival.items() if fnmatch.fnmatchcase(k, route)]
            ends = [t for k, t in self.last_answer.items() if fnmatch.fnmatchcase(k, route)]
        return max(ends) - min(starts) if starts and ends else 0.0

    def writes(self, route=None, service=None):
        snap = self.snapshot()
        if route is not None:
            return sum(n for k, n in snap['writes'].items() if fnmatch.fnmatchcase(k, route))
        if service is not None:
            return snap['writes_by_service'].get(service, 0)
        return sum(snap['writes'].values())


class Faults:
    """Injected failures. A rule matches on ``route`` (fnmatch on the route name), ``service``,
    ``method``, ``path`` (regex) and ``listener``; ``after`` skips that many matches first; ``times``
    limits how often it fires (-1: always). Actions: ``status`` (answer with ``status``, ``headers``,
    ``body``), ``html`` (an HTML error page), ``malformed`` (truncated JSON with status 200),
    ``reset`` (TCP reset before answering), ``reset_mid_body`` (headers and half a body, then reset),
    ``timeout`` (hold the request ``seconds`` real seconds, then drop it), ``redirect`` (answer
    ``status``, 307 by default, with ``Location: location``, where ``{path}`` stands for the request's
    path and query). ``content_type`` replaces the JSON media type of ``malformed`` and
    ``reset_mid_body`` (a truncated XML answer of an XML API)."""

    ACTIONS = ('status', 'html', 'malformed', 'reset', 'reset_mid_body', 'timeout', 'redirect')

    def __init__(self):
        self._lock = threading.Lock()
        self.rules = []

    def add(self, action='status', route=None, service=None, method=None, path=None, listener=None,
            times=1, after=0, status=None, headers=None, body=None, seconds=5.0, content_type=None, location=None):
        if action not in self.ACTIONS:
            raise ValueError('unknown fault action %r' % action)
        if (action == 'redirect') != (location is not None):
            raise ValueError('location goes with the redirect action, and only with it')
        rule = {'id': uuid.uuid4().hex[:8], 'action': action, 'route': route, 'service': service,
                'method': method, 'path': re.compile(path) if path else None, 'listener': listener,
                'times': times, 'after': after, 'status': status, 'headers': headers or {}, 'body': body,
                'seconds': seconds, 'content_type': content_type, 'location': location, 'fired': 0}
        with self._lock:
            self.rules.append(rule)
        return rule['id']

    def clear(self):
        with self._lock:
            self.rules = []

    def match(self, route, method, path, listener):
        with self._lock:
            for rule in self.rules:
                if rule['times'] == 0:
                    continue
                if rule['route'] and not (route and fnmatch.fnmatchcase(route.name, rule['route'])):
                    continue
                if rule['service'] and not (route and route.service == rule['service']):
                    continue
                if rule['method'] and rule['method'] != method:
                    continue
                if rule['path'] and not rule['path'].search(path):
                    continue
                if rule['listener'] and rule['listener'] != listener:
                    continue
                if rule['after'] > 0:
                    rule['after'] -= 1
                    continue
                if rule['times'] > 0:
                    rule['times'] -= 1
                rule['fired'] += 1
                return dict(rule)
        return None

    def describe(self):
        with self._lock:
            return [{k: (v.pattern if hasattr(v, 'pattern') else v) for k, v in r.items()} for r in self.rules]


class Listener:
    def __init__(self, name, server, scheme):
        self.name = name
        self.server = server
        self.scheme = scheme
        host, port = server.server_address[:2]
        self.host = host
        self.port = port
        self.url = '%s://%s:%d' % (scheme, host, port)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address, handler, sim, ssl_context, listener_name):
        self.sim = sim
        self.ssl_context = ssl_context
        self.listener_name = listener_name
        super().__init__(address, handler)

    def finish_request(self, request, client_address):
        # Headers and body go out in separate writes: without TCP_NODELAY, Nagle's algorithm and the
        # client's delayed ACK add ~40 ms to every answer on a kept-alive connection.
        try:
            request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass
        # TLS handshake in the connection's own thread, so a slow client never blocks accept().
        if self.ssl_context is not None:
            try:
                request.settimeout(30)
                request = self.ssl_context.wrap_socket(request, server_side=True)
                request.settimeout(None)
            except (ssl.SSLError, OSError):
                return
        self.RequestHandlerClass(request, client_address, self)

    def handle_error(self, request, client_address):
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, ssl.SSLError, socket.timeout)):
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    server_version = 'CitrixSimulator/1.0'

    def log_message(self, format, *args):  # noqa: A002 - signature fixed by the base class
        pass

    def _read_body(self):
        length = int(self.headers.get('Content-Length') or 0)
        if length:
            return self.rfile.read(length)
        if (self.headers.get('Transfer-Encoding') or '').lower() == 'chunked':
            chunks = []
            while True:
                size = int(self.rfile.readline().strip() or b'0', 16)
                if size == 0:
                    self.rfile.readline()
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            return b''.join(chunks)
        return b''

    def _dispatch(self):
        self.server.sim._handle(self)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _dispatch

    def send(self, response):
        data, content_type = response.encoded()
        self.send_response(response.status)
        if content_type:
            self.send_header('Content-Type', content_type)
        for key, value in response.headers.items():
            self.send_header(key, value)
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        if self.command != 'HEAD' and data:
            self.wfile.write(data)
        self.wfile.flush()

    def reset_connection(self):
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
        except OSError:
            pass
        self.close_connection = True
        try:
            self.connection.close()  # with SO_LINGER 0 the peer sees a TCP reset
        except OSError:
            pass


def make_ca():
    """A throwaway certificate authority and a server certificate for loopback names."""
    import trustme  # test-only dependency, imported when TLS is asked for

    ca = trustme.CA()
    names = ['localhost', '127.0.0.1'] + ['127.0.0.%d' % i for i in range(2, 17)]
    cert = ca.issue_cert(*names)
    return ca, cert


class Simulator:
    """One process serving every simulated API. Use as a context manager or call start()/stop()."""

    def __init__(self, size=100, latency_ms=0.0, tls=True, time_scale=1.0, seed=1, host='127.0.0.1',
                 port=0, services=None, config=None, ca=None, workdir=None):
        self.size = int(size)
        self.latency = float(latency_ms) / 1000.0
        self.route_latency = {}
        self.tls = tls
        self.host = host
        self.port = port
        self.random = random.Random(seed)
        self.seed_value = seed
        self.config = config or {}
        self.clock = SimClock(time_scale)
        self.stats = Stats()
        self.faults = Faults()
        self.lock = threading.RLock()
        self.listeners = {}
        self.routes = []
        self.admin_routes = []
        self.services = {}
        self._threads = []
        self.workdir = workdir or tempfile.mkdtemp(prefix='citrix-sim-')
        self.ca_path = None
        self._ssl_context = None
        if tls:
            ca, cert = (ca if ca is not None else make_ca())
            self.ca_path = os.path.join(self.workdir, 'ca.pem')
            ca.cert_pem.write_to_path(self.ca_path)
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            cert.configure_cert(context)
            self._ssl_context = context
        self._install_admin_routes()
        from tests.simulator.services import load_services
        for service in load_services(self, services):
            self.add_service(service)

    # -- composition ----------------------------------------------------------------------------

    def add_service(self, service):
        self.services[service.name] = service
        for route in service.routes():
            route.service = route.service or service.name
            self.routes.append(route)
        for route in service.admin_routes():
            route.service = service.name
            route.regex = re.compile('^' + re.escape(ADMIN_PREFIX + '/' + service.name) + route.regex.pattern[1:])
            self.admin_routes.append(route)

    def service(self, name):
        return self.services[name]

    def add_route(self, route):
        self.routes.append(route)

    def listen(self, name, host=None, port=None, tls=None):
        """Open another listener (e.g. a XenServer pool member on 127.0.0.2) and return it. ``tls=False``
        serves plain HTTP even when the simulator uses TLS."""
        context = self._ssl_context if tls is not False else None
        server = _Server((host or self.host, self.port if port is None else port), _Handler, self, context, name)
        listener = Listener(name, server, 'https' if context else 'http')
        self.listeners[name] = listener
        thread = threading.Thread(target=server.serve_forever, kwargs={'poll_interval': 0.1},
                                  name='sim-%s' % name, daemon=True)
        thread.start()
        self._threads.append(thread)
        return listener

    def start(self):
        self.listen('main')
        for service in self.services.values():
            starter = getattr(service, 'start', None)
            if starter:
                starter()
        return self

    def stop(self):
        for service in self.services.values():
            stopper = getattr(service, 'stop', None)
            if stopper:
                stopper()
        for listener in self.listeners.values():
            listener.server.shutdown()
            listener.server.server_close()
        self.listeners = {}

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    @property
    def url(self):
        return self.listeners['main'].url

    def elsewhere(self, scheme='https', host='127.0.0.16'):
        """A listener at another origin (``scheme``, ``host``, a port of its own), opened on first use, named
        ``elsewhere-<scheme>-<host>``: the target of a hostile redirect. It serves the same routes, so a
        client that followed the redirect would get plausible answers; ``stats.count(listener=...)`` tells
        whether anything arrived there."""
        name = 'elsewhere-%s-%s' % (scheme, host)
        if scheme == 'https' and self._ssl_context is None:
            raise ValueError('this simulator serves no TLS')
        if name not in self.listeners:
            self.listen(name, host=host, port=0, tls=scheme == 'https')
        return self.listeners[name]

    def reset(self):
        """Forget counts and faults (state stays)."""
        self.stats.reset()
        self.faults.clear()

    def client_env(self):
        """Every service's ``client_env()`` merged: one environment that reaches the whole simulator."""
        env = {}
        for service in self.services.values():
            env.update(service.client_env())
        return env

    def info(self):
        return {'url': self.url, 'ca_path': self.ca_path, 'admin': self.url + ADMIN_PREFIX, 'size': self.size,
                'services': sorted(self.services), 'pid': os.getpid(),
                'listeners': {k: v.url for k, v in self.listeners.items()}}

    # -- request handling -----------------------------------------------------------------------

    def _find(self, routes, method, path):
        allowed = False
        for route in routes:
            match = route.regex.match(path)
            if match:
                if route.method == method or (route.method == 'GET' and method == 'HEAD'):
                    return route, match.groupdict(), False
                allowed = True
        return None, {}, allowed

    def _handle(self, handler):
        method = handler.command
        listener = handler.server.listener_name
        try:
            body = handler._read_body()
        except (OSError, ValueError):
            handler.close_connection = True
            return
        request = Request(self, listener, method, handler.path, handler.headers, body)
        if request.path == ADMIN_PREFIX or request.path.startswith(ADMIN_PREFIX + '/'):
            route, params, _method_exists = self._find(self.admin_routes, method, request.path)
            request.params = params
            return handler.send(self._run(route, request) if route else Response(404, {'message': 'no admin route'}))

        route, params, method_exists = self._find(self.routes, method, request.path)
        request.params = params
        if route is not None and route.classify is not None:
            route = route.classify(request) or route
        request.route = route
        self.stats.record(route, method, request.path, listener)
        delay = self.route_latency.get(route.name, self.latency) if route else self.latency
        if delay:
            time.sleep(delay)
        fault = self.faults.match(route, method, request.path, listener)
        if fault:
            return self._apply_fault(handler, fault, route)
        if route is None:
            status = 405 if method_exists else 404
            message = ('The requested resource does not support http method \'%s\'.' % method if method_exists
                       else 'No HTTP resource was found that matches the request URI.')
            return handler.send(Response(status, {'Message': message}))
        response = self._run(route, request)
        if route.write and response.status < 400:
            self.stats.record_write(route)
        handler.send(response)
        self.stats.record_answer(route)

    def _run(self, route, request):
        try:
            result = route.handler(request)
        except Reply as reply:
            result = reply.response
        except Exception:  # a simulator defect: answer like the real APIs' generic 500, log the cause
            traceback.print_exc(file=sys.stderr)
            result = Response(500, {'activityId': str(uuid.uuid4()), 'message': 'Internal server error',
                                    'statusCode': 500})
        if not isinstance(result, Response):
            result = Response(200, result)
        return result

    def _apply_fault(self, handler, fault, route):
        action = fault['action']
        if action == 'status':
            return handler.send(Response(fault['status'] or 500, fault['body'], fault['headers']))
        if action == 'html':
            status = fault['status'] or 502
            page = ('<html><head><title>%d Bad Gateway</title></head><body><center><h1>%d Bad Gateway'
                    '</h1></center><hr><center>nginx</center></body></html>' % (status, status))
            return handler.send(Response(status, page, fault['headers'], content_type='text/html'))
        content_type = fault['content_type'] or 'application/json; charset=utf-8'
        if action == 'malformed':
            body = fault['body'] if isinstance(fault['body'], str) else '{"Items": [{"Id": "trunc'
            return handler.send(Response(fault['status'] or 200, body, fault['headers'], content_type=content_type))
        if action == 'timeout':
            time.sleep(float(fault['seconds']))
            return handler.reset_connection()
        if action == 'redirect':
            headers = dict(fault['headers'], Location=fault['location'].replace('{path}', handler.path))
            return handler.send(Response(fault['status'] or 307, fault['body'], headers))
        if action == 'reset_mid_body':
            handler.send_response(fault['status'] or 200)
            handler.send_header('Content-Type', content_type)
            handler.send_header('Content-Length', '4096')
            handler.end_headers()
            partial = fault['body'] if isinstance(fault['body'], str) else '{"Items": [{"Id": "partial", "Name": "'
            handler.wfile.write(partial.encode('utf-8'))
            handler.wfile.flush()
            return handler.reset_connection()
        return handler.reset_connection()

    # -- admin API ------------------------------------------------------------------------------

    def _install_admin_routes(self):
        def stats(_request):
            return self.stats.snapshot()

        def reset(request):
            body = request.json() or {}
            self.reset()
            if body.get('state'):
                for service in self.services.values():
                    service.seed()
            return {'ok': True}

        def add_fault(request):
            body = request.json() or {}
            try:
                return {'id': self.faults.add(**body)}
            except (TypeError, ValueError) as exc:
                raise Reply(Response(400, {'message': str(exc)}))

        def list_faults(_request):
            return {'faults': self.faults.describe()}

        def clear_faults(_request):
            self.faults.clear()
            return {'ok': True}

        def clock(request):
            body = request.json() or {}
            if 'advance' in body:
                self.clock.advance(float(body['advance']))
            if 'scale' in body:
                self.clock.set_scale(float(body['scale']))
            return {'now': self.clock.now(), 'scale': self.clock.scale}

        def latency(request):
            body = request.json() or {}
            if body.get('route'):
                self.route_latency[body['route']] = float(body.get('ms', 0)) / 1000.0
            else:
                self.latency = float(body.get('ms', 0)) / 1000.0
            return {'ms': self.latency * 1000.0, 'routes': {k: v * 1000.0 for k, v in self.route_latency.items()}}

        def health(_request):
            return self.info()

        for method, path, handler in (
                ('GET', '', health), ('GET', '/stats', stats), ('POST', '/reset', reset),
                ('POST', '/faults', add_fault), ('GET', '/faults', list_faults), ('DELETE', '/faults', clear_faults),
                ('POST', '/clock', clock), ('POST', '/latency', latency)):
            self.admin_routes.append(Route(method, re.escape(ADMIN_PREFIX + path), handler, 'admin' + path))
