"""XenMobile Server / Endpoint Management public REST API (service ``xenmobile``): ``/xenmobile/api/v1/...``
and the ``/api/endpoint-management/devices/filter`` path, shaped from ../shared/specs/xenmobile/facts.md
and seed 000. Several servers at once: requests on the main listener reach the ``default`` instance;
every other instance gets its own listener, named ``xenmobile-<instance>`` (by default ``test`` and
``prod``, for the seed's test-to-production story). Choices the specs leave open are in README.md.

Modules:
- ``state.py``: the instances (users, tokens, properties, devices, apps, write journal);
- ``seeding.py``: what each instance starts with, and package files (``build_package``);
- ``filters.py``: filter ids, paging and counting fields; ``rendering.py``: the JSON envelope and shapes;
- ``auth_routes.py``, ``property_routes.py``, ``device_routes.py``, ``app_routes.py``: the handlers;
- ``service.py``: listeners, wiring, test helpers and admin routes.
"""

from tests.simulator.services.xenmobile.service import XenMobile

SERVICE = XenMobile
