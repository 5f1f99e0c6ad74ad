"""Citrix Cloud (service ``cloud``): the OAuth token endpoint on the API gateway, the core
``serviceStates`` API, and the Cloud authentication every Cloud-authenticated service (DaaS,
``cloud_platform``, XenMobile's Cloud login) checks its callers with.

- ``auth.py``: the ``CwsAuth`` header check and the Cloud error bodies (:func:`auth.cloud_auth`);
- ``state.py``: API clients, issued tokens and service states;
- ``routes.py``: the token and ``serviceStates`` handlers and the admin routes;
- ``service.py``: the :class:`~tests.simulator.base.Service` that wires them.
"""

from tests.simulator.services.citrix_cloud.service import CitrixCloud

SERVICE = CitrixCloud
