"""Citrix Cloud platform APIs (service ``cloud_platform``): resource locations and administrator
notifications. Authentication, error bodies and the 403 for another customer's token come from the
``cloud`` service (``services/citrix_cloud``).

Resource locations are served twice over one state per customer:
- the current API (``../shared/specs/citrix-cloud/resourcelocations/openapi.yaml``): ``/resourcelocations/``
  and ``/resourcelocations/{Id}`` on the API gateway, customer in the ``Citrix-CustomerId`` header;
- the older registry path seed 001 shows: ``GET registry.citrixworkspacesapi.net/{customerId}/resourcelocations``
  (served as ``/registry/{customerId}/resourcelocations``).

Notifications: ``POST notifications.citrixworkspacesapi.net/{customerId}/notifications/items`` with the
request and response bodies of seed 001. No public spec lists notifications; the ``GET`` on the same
path with ``limit`` / ``continuationToken`` is our choice, documented in README.md.

- ``state.py``: locations and notifications per customer, retention by the simulator clock;
- ``seeding.py``: what a customer starts with (seeded on first use);
- ``validation.py``: request checks and the Cloud problem-details error bodies;
- ``routes.py``: the handlers and the admin routes;
- ``service.py``: the :class:`~tests.simulator.base.Service` that wires them.
"""

from tests.simulator.services.citrix_cloud_platform.service import CloudPlatform

SERVICE = CloudPlatform
