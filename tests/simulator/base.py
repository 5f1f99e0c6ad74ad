"""What a simulated service is built from: :class:`Service` (the base class every service package
subclasses), :class:`Route` (a method and path pattern bound to a handler), :class:`Request` (what a
handler reads), :class:`Response` / :class:`Reply` (what it answers), :class:`Routes` (the base of a
service's route handlers) and :func:`forward` / :func:`forwards` (service attributes that live on one of
its components).
"""

import json
import re
from urllib.parse import parse_qs, urlsplit


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
    """Base of a simulated API. ``seed()`` builds state from ``sim.size`` (again on ``POST /_sim/reset``
    with ``state``, so route handlers must reach state through the service at call time); ``routes()``
    and ``admin_routes()`` (mounted under ``/_sim/<name>``) return Route objects."""

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


def forward(component, name):
    """A service attribute that reads and writes ``name`` on the service's ``component`` (an attribute
    holding, say, its state), so tests keep using ``sim.service('daas').add_catalog(...)`` while the code
    lives in the component. Re-seeding replaces the component; the attribute follows."""
    return property(lambda self: getattr(getattr(self, component), name),
                    lambda self, value: setattr(getattr(self, component), name, value))


def forwards(component, *names):
    """Class decorator: :func:`forward` of each of ``names`` to the service's ``component``."""
    def decorate(cls):
        for name in names:
            setattr(cls, name, forward(component, name))
        return cls
    return decorate


class Routes:
    """Base of a service's route handlers. They hold the ``service`` and reach its ``state`` through it at
    call time (seeding again replaces the state, while the routes stay registered); ``auth``, when given,
    is the routes object whose checks these handlers start with."""

    def __init__(self, service, auth=None):
        self.service = service
        self.auth = auth

    @property
    def state(self):
        return self.service.state
