"""Citrix Cloud platform APIs (service ``cloud_platform``): resource locations and administrator
notifications. Authentication, error bodies and the 403 for another customer's token come from the
``cloud`` service (``services/citrix_cloud``).

Resource locations are served twice over one state per customer:
- the current API (``../shared/specs/citrix-cloud/resourcelocations/openapi.yaml``): ``/resourcelocations/``
  and ``/resourcelocations/{Id}`` on the API gateway, customer in the ``Citrix-CustomerId`` header;
- the older registry path seed 001 shows: ``GET registry.citrixworkspacesapi.net/{customerId}/resourcelocations``
  (served as ``/registry/{customerId}/resourcelocations``).

Notifications (``../shared/specs/citrix-cloud/facts.md``): ``POST notifications.citrixworkspacesapi.net/
{customerId}/notifications/items`` with the request and response bodies of seed 001, and the gateway form
``POST /notifications/`` with ``Citrix-CustomerId``; the listing public scripts use, ``GET .../{customerId}/
notifications`` (and ``GET /notifications`` with ``Citrix-CustomerId``), 100 a page with
``continuationToken``, items with ``title``, ``description`` and ``createdDate`` only. No ``limit``, no 409
for a repeated ``eventId``, and no ids in listed items unless a test asks for them (``listed_ids``).

- ``state.py``: locations and notifications per customer, retention by the simulator clock;
- ``seeding.py``: what a customer starts with (seeded on first use);
- ``rendering.py``: a notification as the listing shows it;
- ``validation.py``: request checks and the Cloud problem-details error bodies;
- ``routes.py``: the handlers and the admin routes;
- ``service.py``: the :class:`~tests.simulator.base.Service` that wires them.
"""

from tests.simulator.services.citrix_cloud_platform.service import CloudPlatform

SERVICE = CloudPlatform
