"""The HTTP(S) side of the simulator: listeners (one threaded server each, TLS from a throwaway CA), the
request handler, and routing of one request (admin routes, accounting, latency, faults, the service's
route). The services know nothing of sockets; the :class:`~tests.simulator.core.Simulator` owns the
listeners and route tables this module serves.
"""

import socket
import ssl
import struct
import sys
import threading
import time
import traceback
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.simulator import faults
from tests.simulator.base import Reply, Request, Response

ADMIN_PREFIX = '/_sim'


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

    def read_body(self):
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
        handle(self.server.sim, self)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _dispatch

    def send(self, response, encoded=None):
        """Answer with ``response`` (``encoded``: its ``encoded()``, when already made)."""
        data, content_type = encoded or response.encoded()
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


def serve(sim, name, address, ssl_context):
    """Open a listener on ``address`` serving ``sim`` in a thread of its own; ``(listener, thread)``."""
    server = _Server(address, _Handler, sim, ssl_context, name)
    listener = Listener(name, server, 'https' if ssl_context else 'http')
    thread = threading.Thread(target=server.serve_forever, kwargs={'poll_interval': 0.1},
                              name='sim-%s' % name, daemon=True)
    thread.start()
    return listener, thread


def make_ca():
    """A throwaway certificate authority and a server certificate for loopback names."""
    import trustme  # test-only dependency, imported when TLS is asked for

    ca = trustme.CA()
    names = ['localhost', '127.0.0.1'] + ['127.0.0.%d' % i for i in range(2, 17)]
    cert = ca.issue_cert(*names)
    return ca, cert


def server_context(cert):
    """The TLS context of every listener, serving ``cert`` (from :func:`make_ca`)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    cert.configure_cert(context)
    return context


def find_route(routes, method, path):
    """``(route, params, method_exists)``: the first route matching ``path`` with ``method``."""
    allowed = False
    for route in routes:
        match = route.regex.match(path)
        if match:
            if route.method == method or (route.method == 'GET' and method == 'HEAD'):
                return route, match.groupdict(), False
            allowed = True
    return None, {}, allowed


def handle(sim, handler):
    """One request, start to end: admin routes, or accounting, latency, faults and the service's route."""
    method = handler.command
    listener = handler.server.listener_name
    try:
        body = handler.read_body()
    except (OSError, ValueError):
        handler.close_connection = True
        return
    request = Request(sim, listener, method, handler.path, handler.headers, body)
    if request.path == ADMIN_PREFIX or request.path.startswith(ADMIN_PREFIX + '/'):
        route, params, _method_exists = find_route(sim.admin_routes, method, request.path)
        request.params = params
        return handler.send(run_route(route, request) if route else Response(404, {'message': 'no admin route'}))

    route, params, method_exists = find_route(sim.routes, method, request.path)
    request.params = params
    if route is not None and route.classify is not None:
        route = route.classify(request) or route
    request.route = route
    sim.stats.record(route, method, request.path, listener)
    delay = sim.route_latency.get(route.name, sim.latency) if route else sim.latency
    if delay:
        time.sleep(delay)
    fault = sim.faults.match(route, method, request.path, listener)
    if fault and not (fault['action'] == 'lost_answer' and route is not None):
        return faults.play(handler, fault)
    if route is None:
        return handler.send(no_route(method, method_exists))
    response = run_route(route, request)
    if route.write and response.status < 400:
        sim.stats.record_write(route)
    if fault:  # lost_answer: processed, but the client never hears of it
        return handler.reset_connection()
    encoded = response.encoded()
    sim.record_exchange(route, request, response, *encoded)  # before the client can see the answer
    handler.send(response, encoded)
    sim.stats.record_answer(route)


def no_route(method, method_exists):
    """The answer to a path no route serves (405 when another method would have matched), as ASP.NET
    answers it."""
    if method_exists:
        return Response(405, {'Message': 'The requested resource does not support http method \'%s\'.' % method})
    return Response(404, {'Message': 'No HTTP resource was found that matches the request URI.'})


def run_route(route, request):
    """The route's handler's answer as a Response (a defect in the simulator becomes a generic 500)."""
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
