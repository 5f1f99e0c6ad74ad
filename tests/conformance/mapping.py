"""Where a request to the simulator sits in the vendor specs: which spec, and the URL the spec would give
the same operation.

- DaaS (``daas/openapi.yaml``: server ``/citrix/orchestration/api``, paths ``/techpreview/...``): the
  current API drops the ``techpreview`` segment and, through the Citrix Cloud gateway, takes the customer
  and site from headers. So ``/cvad/manage/X`` is ``/techpreview/{Citrix-CustomerId}/{Citrix-InstanceId}/X``,
  the on-premises ``/citrix/orchestration/api/{customerId}/{siteId}/X`` is ``/techpreview/{customerId}/{siteId}/X``,
  seed 001's legacy ``/cvadapis/{siteId}/X`` is ``/techpreview/{Citrix-CustomerId}/{siteId}/X``, and ``me``
  and the on-premises ``tokens`` (under any of these roots) are ``/techpreview/me`` and ``/techpreview/tokens``.
- Resource locations (``citrix-cloud/resourcelocations/openapi.yaml``: server
  ``https://api.cloud.com/resourcelocations``): ``/resourcelocations/X``, with ``/resourcelocations``
  alone read as the collection ``/resourcelocations/``.

Anything else (the Citrix Cloud token, the Workspaces hosts, the registry's seed-001 path, the admin API)
has no OpenAPI description and is not mapped.
"""

import re

DAAS = 'daas'
RESOURCE_LOCATIONS = 'resourcelocations'
# The specs' servers: the DaaS spec's is relative (any host), the resource-locations spec's absolute.
DAAS_HOST, DAAS_SERVER = 'http://daas.conformance.invalid', '/citrix/orchestration/api'
RESOURCE_LOCATIONS_HOST, RESOURCE_LOCATIONS_SERVER = 'https://api.cloud.com', '/resourcelocations'
MISSING = 'missing'  # a customer or site the request did not name (the operation still maps)

_ROOTS = (
    (re.compile(r'^/cvad/manage(?P<rest>/.*)$'), 'cloud'),
    (re.compile(r'^/citrix/orchestration/api(?P<rest>/.*)$'), 'onprem'),
    (re.compile(r'^/cvadapis(?P<rest>/.*)$'), 'legacy'),
)
_UNSCOPED = re.compile(r'^/(me|tokens)$')
_RESOURCE_LOCATIONS = re.compile(r'^/resourcelocations(?P<rest>/.*)?$')


def _header(headers, name):
    for key, value in headers.items():
        if key.lower() == name.lower():
            return value
    return None


def spec_url(path, headers):
    """``(spec, host URL, server path, path below the server)`` of the spec's URL for a request path, or
    None when no spec covers it."""
    where = _spec_path(path, headers)
    if where is None:
        return None
    name, below = where
    if name == DAAS:
        return name, DAAS_HOST, DAAS_SERVER, below
    return name, RESOURCE_LOCATIONS_HOST, RESOURCE_LOCATIONS_SERVER, below


def _spec_path(path, headers):
    """``(spec, path below the spec's server)``."""
    match = _RESOURCE_LOCATIONS.match(path)
    if match:
        return RESOURCE_LOCATIONS, match.group('rest') or '/'
    for pattern, way in _ROOTS:
        match = pattern.match(path)
        if not match:
            continue
        rest = match.group('rest')
        if _UNSCOPED.match(rest):
            return DAAS, '/techpreview' + rest
        customer = _header(headers, 'Citrix-CustomerId') or MISSING
        if way == 'cloud':
            return DAAS, '/techpreview/%s/%s%s' % (customer, _header(headers, 'Citrix-InstanceId') or MISSING, rest)
        if way == 'onprem':
            scoped = re.match(r'^/(?P<customer>[^/]+)/(?P<site>[^/]+)(?P<rest>/.*)$', rest)
            return (DAAS, '/techpreview/%s/%s%s' % (scoped.group('customer'), scoped.group('site'), scoped.group('rest'))
                    ) if scoped else None
        scoped = re.match(r'^/(?P<site>[^/]+)(?P<rest>/.*)$', rest)
        return (DAAS, '/techpreview/%s/%s%s' % (customer, scoped.group('site'), scoped.group('rest'))) if scoped else None
    return None
