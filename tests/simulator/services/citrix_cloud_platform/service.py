"""The ``cloud_platform`` service: resource locations and notifications of Citrix Cloud customers.
Helpers for tests: ``add_location``, ``add_notifications``, ``customer_locations``,
``visible_notifications``, ``find_notification``, ``notifications_with``; ``state.listed_ids`` (or the
service config ``listed_ids``) adds id fields to listed notifications."""

from tests.simulator.base import Service, forwards
from tests.simulator.services.citrix_cloud_platform.routes import PlatformRoutes
from tests.simulator.services.citrix_cloud_platform.state import PlatformState


@forwards('state', 'locations', 'notifications', 'customer_locations', 'add_location', 'customer_notifications',
          'add_notifications', 'visible_notifications', 'find_notification', 'notifications_with')
class CloudPlatform(Service):
    name = 'cloud_platform'
    after = ('cloud',)

    def seed(self):
        self.state = PlatformState(self.sim.lock, self.sim.clock, self.sim.seed_value, self.sim.size,
                                   listed_ids=self.config.get('listed_ids', ()))

    def routes(self):
        return PlatformRoutes(self).routes()

    def admin_routes(self):
        return PlatformRoutes(self).admin_routes()
