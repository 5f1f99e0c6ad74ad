"""Request accounting: :class:`Stats` counts requests and writes by route name, by ``METHOD path`` and
by service, the items of batch requests by the route each reached, and times phases of a client's work
(``span``)."""

import fnmatch
import threading
import time


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
            self.items_by_route = {}
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

    def record_item(self, route):
        """One item of a batch request, dispatched to ``route`` (not an HTTP request of its own)."""
        with self._lock:
            self._inc(self.items_by_route, route.name)

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
                    'writes_by_service': dict(self.writes_by_service), 'items': dict(self.items_by_route)}

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

    def items(self, route=None):
        """Batch items dispatched to the routes matching ``route`` (fnmatch; all when None)."""
        with self._lock:
            return sum(n for k, n in self.items_by_route.items() if route is None or fnmatch.fnmatchcase(k, route))

    def span(self, route, until=None):
        """Seconds from the first request of the routes matching ``route`` (fnmatch) to the last answer of
        those matching ``until`` (default: the same), as the server saw them: how long a phase of a client's
        work took (0.0 when none was answered)."""
        with self._lock:
            starts = [t for k, t in self.first_arrival.items() if fnmatch.fnmatchcase(k, route)]
            ends = [t for k, t in self.last_answer.items() if fnmatch.fnmatchcase(k, until or route)]
        return max(ends) - min(starts) if starts and ends else 0.0

    def gap(self, answered, next_route):
        """Seconds from the last answer of ``answered`` to the first request of ``next_route`` (fnmatch
        both), or None when either is missing: how long a client waited between two phases."""
        with self._lock:
            ends = [t for k, t in self.last_answer.items() if fnmatch.fnmatchcase(k, answered)]
            starts = [t for k, t in self.first_arrival.items() if fnmatch.fnmatchcase(k, next_route)]
        return min(starts) - max(ends) if starts and ends else None

    def writes(self, route=None, service=None):
        snap = self.snapshot()
        if route is not None:
            return sum(n for k, n in snap['writes'].items() if fnmatch.fnmatchcase(k, route))
        if service is not None:
            return snap['writes_by_service'].get(service, 0)
        return sum(snap['writes'].values())
