"""The simulator's facade: :class:`Simulator` composes the services, the listeners
(``server``), accounting (``stats``), fault injection (``faults``), the clock (``clock``) and the
admin API (``admin``). The core knows nothing about Citrix APIs; services plug in as packages under
``tests/simulator/services/`` by subclassing :class:`Service` and returning :class:`Route` objects.

This module is the simulator's public surface: tests, benchmarks and the demo import ``Simulator``,
``make_ca``, ``Response``, ``Route``... from here.
"""

import os
import random
import re
import tempfile
import threading

from tests.simulator.admin import admin_routes
from tests.simulator.base import Reply, Request, Response, Route, Service, forward, json_response
from tests.simulator.clock import SimClock
from tests.simulator.faults import Faults
from tests.simulator.server import ADMIN_PREFIX, Listener, make_ca, serve, server_context
from tests.simulator.stats import Stats

__all__ = ['ADMIN_PREFIX', 'Faults', 'Listener', 'Reply', 'Request', 'Response', 'Route', 'Service', 'SimClock',
           'Simulator', 'Stats', 'forward', 'json_response', 'make_ca']


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
        self.services = {}
        self._threads = []
        self.exchanges = None
        self._recorded_services = ()
        self.workdir = workdir or tempfile.mkdtemp(prefix='citrix-sim-')
        self.ca_path = None
        self._ssl_context = None
        if tls:
            ca, cert = (ca if ca is not None else make_ca())
            self.ca_path = os.path.join(self.workdir, 'ca.pem')
            ca.cert_pem.write_to_path(self.ca_path)
            self._ssl_context = server_context(cert)
        self.admin_routes = admin_routes(self)
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
        listener, thread = serve(self, name, (host or self.host, self.port if port is None else port), context)
        self.listeners[name] = listener
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

    def record(self, services):
        """Keep every exchange the routes of ``services`` answer from now on (not injected faults) in
        ``exchanges``: dicts with the request's ``method``, ``path``, ``query``, ``headers`` and ``body`` and
        the answer's ``status``, ``response_headers``, ``content_type``, ``response_body`` (bytes as sent)
        and ``response_json`` (the JSON body as the route gave it, or None). The tests' conformance check
        validates them against the vendor specs."""
        self._recorded_services = tuple(services)
        self.exchanges = []

    def record_exchange(self, route, request, response, data, content_type):
        if self.exchanges is None or route.service not in self._recorded_services:
            return
        self.exchanges.append({
            'route': route.name, 'method': request.method, 'path': request.path, 'query': request.query,
            'headers': dict(request.headers.items()), 'body': request.body, 'status': response.status,
            'response_headers': dict(response.headers), 'content_type': content_type, 'response_body': data,
            'response_json': response.body if isinstance(response.body, (dict, list)) else None})

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
