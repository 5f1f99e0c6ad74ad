"""StoreFront (service ``storefront``): one store (Store Services API 3.0, resources v2) behind the
CitrixAuth token flow. Shapes come from ../shared/specs/storefront/facts.md, example-resources.xml and
seed 003: the 401 ``WWW-Authenticate: CitrixAuth`` challenge, the token service that challenges for a
primary token, the ``300`` protocol choices, the ExplicitForms conversation with its ``ASP.NET_SessionId``
cookie, and the resources XML with its element names, namespaces and root attributes. Choices the specs
leave open are listed in README.md.

Modules:
- ``state.py``: realms, users, tokens, conversations, resources and switches;
- ``seeding.py``: the 500 resources of the store; ``hostile.py``: hostile answers;
- ``rendering.py``: the XML documents and headers;
- ``auth_routes.py``: the Authentication service (challenge, token service, protocols, ExplicitForms);
- ``store_routes.py``: the store's resources; ``service.py``: the wiring and admin routes.
"""

from tests.simulator.services.storefront.service import StoreFront

SERVICE = StoreFront
