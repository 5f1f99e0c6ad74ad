"""The simulator's own admin API under ``/_sim``: health, statistics, reset, faults, clock and latency.
Services add theirs under ``/_sim/<service>/`` (``Service.admin_routes``)."""

import re

from tests.simulator.base import Reply, Response, Route
from tests.simulator.server import ADMIN_PREFIX


def admin_routes(sim):
    """The simulator-wide admin routes, mounted under ``/_sim``."""

    def stats(_request):
        return sim.stats.snapshot()

    def reset(request):
        body = request.json() or {}
        sim.reset()
        if body.get('state'):
            for service in sim.services.values():
                service.seed()
        return {'ok': True}

    def add_fault(request):
        body = request.json() or {}
        try:
            return {'id': sim.faults.add(**body)}
        except (TypeError, ValueError) as exc:
            raise Reply(Response(400, {'message': str(exc)}))

    def list_faults(_request):
        return {'faults': sim.faults.describe()}

    def clear_faults(_request):
        sim.faults.clear()
        return {'ok': True}

    def clock(request):
        body = request.json() or {}
        if 'advance' in body:
            sim.clock.advance(float(body['advance']))
        if 'scale' in body:
            sim.clock.set_scale(float(body['scale']))
        return {'now': sim.clock.now(), 'scale': sim.clock.scale}

    def latency(request):
        body = request.json() or {}
        if body.get('route'):
            sim.route_latency[body['route']] = float(body.get('ms', 0)) / 1000.0
        else:
            sim.latency = float(body.get('ms', 0)) / 1000.0
        return {'ms': sim.latency * 1000.0, 'routes': {k: v * 1000.0 for k, v in sim.route_latency.items()}}

    def health(_request):
        return sim.info()

    routes = []
    for method, path, handler in (
            ('GET', '', health), ('GET', '/stats', stats), ('POST', '/reset', reset),
            ('POST', '/faults', add_fault), ('GET', '/faults', list_faults), ('DELETE', '/faults', clear_faults),
            ('POST', '/clock', clock), ('POST', '/latency', latency)):
        routes.append(Route(method, re.escape(ADMIN_PREFIX + path), handler, 'admin' + path))
    return routes
