"""Citrix DaaS / Virtual Apps and Desktops REST API (service ``daas``): sites, machines, power actions
and jobs, sessions, maintenance mode, catalogs, delivery groups, tags, user assignment, messages, site
hibernation. Shapes come from ../shared/specs/daas (openapi.yaml, enums.json, facts.md), the site
activation of ../shared/specs/citrix-cloud/facts.md, and seeds 001 and 002. One estate, reached three ways:

- Citrix Cloud through the API gateway: ``/cvad/manage/...`` with ``Citrix-CustomerId`` and
  ``Citrix-InstanceId`` headers and a Cloud ``CwsAuth`` token;
- the on-premises Orchestration API: ``POST /citrix/orchestration/api/tokens`` (Basic auth),
  ``GET /citrix/orchestration/api/me`` and ``/citrix/orchestration/api/{customerId}/{siteId}/...``;
- seed 001's legacy paths: ``/cvadapis/me`` and ``/cvadapis/{siteId}/...``.

Modules:
- ``estate.py``: sites, catalogs, groups, machines, sessions, jobs, administrators (the state);
- ``power.py``: power actions and jobs on the simulator clock, registration after a boot;
- ``membership.py``: delivery-group membership and user assignment; ``tags.py``: tags;
- ``messages.py``: ``$sendMessage`` and users who log off after one; ``hibernation.py``: a sleeping site;
- ``seeding.py``: the catalogs a site starts with and the spread of machine states;
- ``rendering.py``: machines, sessions and jobs as the API's JSON;
- ``context.py``: caller, site, paging and ``fields`` of a request; ``errors.py``: ``ErrorData`` bodies;
- ``routes.py``, ``resource_routes.py``: the handlers; ``service.py``: the wiring, test helpers and admin routes.
"""

from tests.simulator.services.daas.service import DaaS

SERVICE = DaaS
