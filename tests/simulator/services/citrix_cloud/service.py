"""The ``cloud`` service: Citrix Cloud's token endpoint and core API, and the Cloud authentication
other services check their callers with (``sim.service('cloud').authenticate``)."""

from tests.simulator.base import Service, forwards
from tests.simulator.services.citrix_cloud import auth
from tests.simulator.services.citrix_cloud.routes import CloudRoutes
from tests.simulator.services.citrix_cloud.state import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, CloudState


@forwards('state', 'customer', 'clients', 'tokens', 'add_client', 'expire_tokens')
class CitrixCloud(Service):
    name = 'cloud'

    def seed(self):
        self.state = CloudState(self.config, self.sim.lock, self.sim.clock)

    def authenticate(self, request, customer_id=None, check_accept=True):
        """See :func:`auth.cloud_auth`."""
        return auth.authenticate(self.state, request, customer_id, check_accept)

    def routes(self):
        return CloudRoutes(self).routes()

    def admin_routes(self):
        return CloudRoutes(self).admin_routes()

    def client_env(self):
        return {
            'CITRIX_CLIENT_ID': self.config.get('client_id', DEFAULT_CLIENT_ID),
            'CITRIX_CLIENT_SECRET': self.config.get('client_secret', DEFAULT_CLIENT_SECRET),
            'CITRIX_CUSTOMER_ID': self.customer,
            'CITRIX_CLOUD_API_URL': self.sim.url,
            'CITRIX_WORKSPACES_API_URL': self.sim.url + '/{service}',
            'CITRIX_CA_PATH': self.sim.ca_path or '',
        }
