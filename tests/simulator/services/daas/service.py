"""The ``daas`` service: wires the estate (``estate.py``, ``power.py``, ``seeding.py``) to its routes
(``routes.py``), and offers the helpers tests and the admin API (``/_sim/daas/...``) shape it with."""

from tests.simulator.base import Reply, Response, Route, Service, forward
from tests.simulator.services.daas.estate import Estate
from tests.simulator.services.daas.rendering import render_machine
from tests.simulator.services.daas.routes import DaasRoutes


class DaaS(Service):
    name = 'daas'
    after = ('cloud',)

    rng = forward('estate', 'rng')
    sites = forward('estate', 'sites')
    admins = forward('estate', 'admins')
    onprem_tokens = forward('estate', 'onprem_tokens')
    power_log = forward('estate', 'power_log')
    site = forward('estate', 'site')
    add_site = forward('estate', 'add_site')
    add_catalog = forward('estate', 'add_catalog')
    set_sessions = forward('estate', 'set_sessions')
    add_session = forward('estate', 'add_session')
    machines_of = forward('estate', 'machines_of')
    add_admin = forward('estate', 'add_admin')
    expire_onprem_tokens = forward('estate', 'expire_onprem_tokens')

    def seed(self):
        self.estate = Estate(self.config, self.sim.size, self.sim.seed_value, self.sim.lock, self.sim.clock)

    def routes(self):
        return DaasRoutes(self).routes()

    # -- test and admin helpers -----------------------------------------------------------------

    def update_machine(self, machine, site=None, **changes):
        """Admin changes to one machine (see ``Estate.update_machine``); returns the machine as the API
        shows it."""
        with self.sim.lock:
            target, record = self.estate.update_machine(machine, site, **changes)
            return render_machine(self.estate, target, record)

    def machine(self, machine, site=None):
        with self.sim.lock:
            target = self.estate.site(site)
            return render_machine(self.estate, target, self.estate.find_machine(target, machine))

    def admin_routes(self):
        def body(request):
            data = request.json() or {}
            if not isinstance(data, dict):
                raise Reply(Response(400, {'message': 'expected a JSON object'}))
            return data

        def call(func, request, **extra):
            try:
                return func(**dict(body(request), **extra))
            except (TypeError, ValueError) as exc:
                raise Reply(Response(400, {'message': str(exc)}))

        def add_site(request):
            data = body(request)
            site = self.add_site(data['name'], int(data.get('machines', 0)))
            return {'id': site.id, 'name': site.name}

        return [
            Route('POST', r'/sites', add_site, 'admin.daas.sites'),
            Route('POST', r'/catalogs', lambda r: call(self.add_catalog, r), 'admin.daas.catalogs'),
            Route('POST', r'/sessions', lambda r: {'machine_ids': call(self.set_sessions, r)}, 'admin.daas.sessions'),
            Route('POST', r'/machines/(?P<machine>[^/]+)',
                  lambda r: call(self.update_machine, r, machine=r.params['machine']), 'admin.daas.machine'),
            Route('POST', r'/admins', lambda r: call(self.add_admin, r) or {'ok': True}, 'admin.daas.admins'),
            Route('GET', r'/power-log', lambda r: {'actions': list(self.power_log)}, 'admin.daas.power_log'),
        ]
