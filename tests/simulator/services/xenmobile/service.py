"""The ``xenmobile`` service: several XenMobile servers at once. Opens a listener per extra instance,
wires the state (``state.py``) to the sign-in, property, device and application routes, and offers
the helpers tests and the admin API (``/_sim/xenmobile/...``) use."""

from tests.simulator.base import Route, Service, forwards
from tests.simulator.services.xenmobile.action_routes import ActionRoutes
from tests.simulator.services.xenmobile.app_routes import AppRoutes
from tests.simulator.services.xenmobile.auth_routes import AuthRoutes
from tests.simulator.services.xenmobile.catalog_routes import CatalogRoutes
from tests.simulator.services.xenmobile.device_routes import DeviceRoutes
from tests.simulator.services.xenmobile.enrollment_routes import EnrollmentRoutes
from tests.simulator.services.xenmobile.property_routes import PropertyRoutes
from tests.simulator.services.xenmobile.state import ALL_PERMISSIONS, DEFAULT_PASSWORD, DEFAULT_USER, XenMobileState


@forwards('state', 'lock', 'instances', 'local_now', 'add_user', 'expire_tokens', 'writes',
          'complete_device_actions')
class XenMobile(Service):
    name = 'xenmobile'
    after = ('cloud',)

    def seed(self):
        self.state = XenMobileState(self.config, self.sim.size, self.sim.seed_value, self.sim.clock)

    # -- instances and listeners ------------------------------------------------------------------

    def start(self):
        for name in self.instances:
            if name != 'default':
                self.sim.listen('xenmobile-' + name, port=0)

    def instance(self, name='default'):
        return self.instances[name]

    def url(self, name='default'):
        listener = 'main' if name == 'default' else 'xenmobile-' + name
        return self.sim.listeners[listener].url

    def env(self, name='default'):
        """Environment reaching one instance with the default administrator."""
        return {'XENMOBILE_URL': self.url(name), 'XENMOBILE_USER': DEFAULT_USER,
                'XENMOBILE_PASSWORD': DEFAULT_PASSWORD, 'XENMOBILE_CA_PATH': self.sim.ca_path or ''}

    def client_env(self):
        if 'main' not in self.sim.listeners:
            return {}
        env = self.env('default')
        if 'xenmobile-test' in self.sim.listeners and 'xenmobile-prod' in self.sim.listeners:
            env['XENMOBILE_SOURCE_URL'] = self.url('test')
            env['XENMOBILE_TARGET_URL'] = self.url('prod')
        return env

    # -- routes -----------------------------------------------------------------------------------

    def routes(self):
        auth = AuthRoutes(self)
        return (auth.routes() + PropertyRoutes(self, auth).routes() + DeviceRoutes(self, auth).routes()
                + ActionRoutes(self, auth).routes() + EnrollmentRoutes(self, auth).routes()
                + AppRoutes(self, auth).routes() + CatalogRoutes(self, auth).routes())

    def admin_routes(self):
        def expire(request):
            body = request.json() or {}
            self.expire_tokens(body.get('instance'))
            return {'ok': True}

        def add_user(request):
            body = request.json() or {}
            self.add_user(body['login'], body['password'], body.get('permissions', ALL_PERMISSIONS),
                          body.get('instance'))
            return {'ok': True}

        def instances(_request):
            return {name: self.url(name) for name in self.instances}

        def writes(_request):
            return {name: self.writes(name) for name in self.instances}

        def complete(request):
            body = request.json() or {}
            return {'completed': self.complete_device_actions(body.get('instance', 'default'), body.get('ids'))}

        return [
            Route('POST', r'/expire-tokens', expire, 'admin.xenmobile.expire'),
            Route('POST', r'/users', add_user, 'admin.xenmobile.users'),
            Route('GET', r'/instances', instances, 'admin.xenmobile.instances'),
            Route('GET', r'/writes', writes, 'admin.xenmobile.writes'),
            Route('POST', r'/complete-device-actions', complete, 'admin.xenmobile.complete_actions'),
        ]
