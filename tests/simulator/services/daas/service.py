"""The ``daas`` service: wires the estate (``estate.py``, ``power.py``, ``seeding.py``) to its routes
(``routes.py``), and offers the helpers tests and the admin API (``/_sim/daas/...``) shape it with."""

from tests.simulator.base import Reply, Response, Route, Service, forwards
from tests.simulator.services.daas.estate import Estate
from tests.simulator.services.daas.rendering import render_machine
from tests.simulator.services.daas.routes import DaasRoutes


@forwards('state', 'rng', 'sites', 'admins', 'onprem_tokens', 'power_log', 'site', 'add_site', 'add_catalog',
          'set_sessions', 'add_session', 'machines_of', 'add_admin', 'expire_onprem_tokens', 'endless_paging',
          'endless_tokens', 'refused_tokens', 'add_group', 'tag_objects', 'tag_names_of', 'assign_users', 'group_of', 'messages', 'logoffs',
          'message_logoff', 'registration_delay', 'hibernate', 'hibernated', 'activations', 'activation_seconds',
          'fail_next_batch')
class DaaS(Service):
    name = 'daas'
    after = ('cloud',)

    def seed(self):
        self.state = Estate(self.config, self.sim.size, self.sim.seed_value, self.sim.lock, self.sim.clock)

    def routes(self):
        return DaasRoutes(self).routes()

    # -- test and admin helpers -----------------------------------------------------------------

    def update_machine(self, machine, site=None, **changes):
        """Admin changes to one machine (see ``Estate.update_machine``); returns the machine as the API
        shows it."""
        with self.sim.lock:
            target, record = self.state.update_machine(machine, site, **changes)
            return render_machine(self.state, target, record)

    def refuse_tokens(self):
        """The DaaS service refuses every Cloud token issued so far (the gateway still accepts them): its
        401 ``ErrorData`` (``AuthenticationFailed``) asks the client for a new token. Returns how many."""
        with self.sim.lock:
            tokens = list(self.sim.service('cloud').state.tokens)
            self.state.refused_tokens.update(tokens)
            return len(tokens)

    def set_behaviour(self, message_logoff=None, registration_delay=None, hibernated=None, activation_seconds=None):
        """How users and machines behave (admin API ``/behaviour``): ``message_logoff``
        (``{'share', 'after': [low, high]}``, see messages.py), ``registration_delay`` (simulator seconds),
        ``hibernated`` (true: the site sleeps until activated)."""
        with self.sim.lock:
            if message_logoff is not None:
                self.message_logoff = message_logoff or None
            if registration_delay is not None:
                self.registration_delay = float(registration_delay)
            if activation_seconds is not None:
                self.activation_seconds = float(activation_seconds)
        if hibernated:
            self.hibernate()
        elif hibernated is not None:
            with self.sim.lock:
                self.state.hibernated = False
        return {'ok': True}

    def machine(self, machine, site=None):
        with self.sim.lock:
            target = self.state.site(site)
            return render_machine(self.state, target, self.state.find_machine(target, machine))

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
            Route('POST', r'/refuse-tokens', lambda r: {'refused': self.refuse_tokens()}, 'admin.daas.refuse_tokens'),
            Route('POST', r'/groups', lambda r: {'id': call(self.add_group, r)}, 'admin.daas.groups'),
            Route('POST', r'/tags', lambda r: {'id': call(self.tag_objects, r)}, 'admin.daas.tags'),
            Route('POST', r'/behaviour', lambda r: call(self.set_behaviour, r), 'admin.daas.behaviour'),
            Route('GET', r'/messages', lambda r: {'messages': list(self.messages)}, 'admin.daas.messages'),
            Route('GET', r'/logoffs', lambda r: {'logoffs': list(self.logoffs)}, 'admin.daas.logoffs'),
            Route('POST', r'/batch-failure', lambda r: setattr(self, 'fail_next_batch', body(r)) or {'ok': True},
                  'admin.daas.batch_failure'),
        ]
