"""What a DaaS request says before a handler acts on it: who calls (Cloud token and customer header,
or on-premises bearer token) and which site it addresses, for each of the three ways in (Citrix Cloud
``/cvad/manage``, on-premises ``/citrix/orchestration/api``, seed 001's legacy ``/cvadapis``); and the
paging (``limit``, ``continuationToken``) and ``fields`` of listings."""

import base64
import binascii
import json
import re
import uuid
from urllib.parse import unquote

from tests.simulator.base import Reply, Response
from tests.simulator.services.citrix_cloud.auth import CWS_HEADER, cloud_auth
from tests.simulator.services.daas.errors import fail, missing_customer_reply

ONPREM_CUSTOMER = 'CitrixOnPremises'
DEFAULT_LIMIT = 250
MAX_LIMIT = 1000

CLOUD_PREFIX = '/cvad/manage'
ONPREM_ROOT = '/citrix/orchestration/api'
ONPREM_PREFIX = ONPREM_ROOT + r'/(?P<customer>[^/]+)/(?P<site>[^/]+)'
LEGACY_ROOT = '/cvadapis'
LEGACY_PREFIX = LEGACY_ROOT + r'/(?P<site>[^/]+)'


def transaction_headers(request):
    """``Citrix-TransactionId``: the caller's, or a new GUID when it sent none (the API answers it either way)."""
    return {'Citrix-TransactionId': request.header('Citrix-TransactionId') or str(uuid.uuid4())}


def traced(handler):
    """``handler`` with ``Citrix-TransactionId`` on every answer it gives, errors included."""
    def run(request):
        try:
            response = handler(request)
        except Reply as reply:
            response = reply.response
        if not isinstance(response, Response):
            response = Response(200, response)
        if not any(key.lower() == 'citrix-transactionid' for key in response.headers):
            response.headers.update(transaction_headers(request))
        return response
    return run


def cloud_record(request, estate=None):
    """Cloud token first (the gateway's 401/406), then the customer header: missing is seed 001's 500,
    another customer's is a 403. A token the gateway accepts but the DaaS service refuses
    (``estate.refused_tokens``) gets the DaaS 401 in the ``ErrorData`` shape."""
    cloud_auth(request)
    customer = request.header('Citrix-CustomerId')
    if not customer:
        raise Reply(missing_customer_reply())
    record = cloud_auth(request, customer_id=customer)
    match = CWS_HEADER.match(request.header('Authorization') or '')
    if estate is not None and match and match.group(1) in estate.refused_tokens:
        fail(401, 'Unauthorized', 'Caller did not present a valid bearer token.', error_type='AuthenticationFailed')
    return record


def onprem_caller(estate, request):
    """The administrator behind ``Authorization: CWSAuth bearer=<token>``, or a 401."""
    match = re.match(r'^\s*CwsAuth\s+bearer\s*=\s*(\S+)\s*$', request.header('Authorization') or '', re.IGNORECASE)
    user = estate.onprem_user(match.group(1) if match else None)
    if user is None:
        fail(401, 'Unauthorized', 'Caller did not present a valid bearer token.', error_type='AuthenticationFailed')
    return user


def basic_credentials(request):
    """``(user, password)`` of an ``Authorization: Basic`` header (``(None, None)`` without one)."""
    match = re.match(r'^\s*Basic\s+(\S+)\s*$', request.header('Authorization') or '', re.IGNORECASE)
    user = password = None
    if match:
        try:
            user, _sep, password = base64.b64decode(match.group(1)).decode('utf-8').partition(':')
        except (binascii.Error, UnicodeError):
            user = None
    return user, password


def resolve(estate, root_url, request, mode):
    """Authenticate as the API in ``mode`` does; returns ``(site, caller, base URL of the site)``."""
    if mode == 'onprem':
        caller = onprem_caller(estate, request)
        if unquote(request.params.get('customer', '')) != ONPREM_CUSTOMER:
            fail(404, 'ObjectNotFound', 'Customer %s was not found.' % request.params.get('customer'))
        site = estate.find_site(request.params['site'])
        base = '%s%s/%s/%s' % (root_url, ONPREM_ROOT, ONPREM_CUSTOMER, site.id)
        return site, caller, base
    record = cloud_record(request, estate)
    if mode == 'legacy':
        site = estate.find_site(request.params['site'])
        return site, record['client_id'], '%s%s/%s' % (root_url, LEGACY_ROOT, site.id)
    instance = request.header('Citrix-InstanceId')
    if not instance:
        fail(400, 'InstanceIdMissing', 'The Citrix-InstanceId header (the site id) is required.')
    return estate.find_site(instance), record['client_id'], root_url + CLOUD_PREFIX


def mode_of(request):
    """The way in a site request took: ``cloud``, ``onprem`` or ``legacy``."""
    if request.path.startswith(ONPREM_ROOT + '/'):
        return 'onprem'
    return 'legacy' if request.path.startswith(LEGACY_ROOT + '/') else 'cloud'


def requested_fields(request):
    """The lower-case property names of ``fields``, or None for all."""
    raw = request.arg('fields')
    return {f.strip().lower() for f in raw.split(',') if f.strip()} if raw else None


def page(request, items, key, render, estate=None):
    """One page of a collection: ``limit`` (default 250, at most 1000) and ``continuationToken`` (opaque,
    tied to the query ``key``). ``estate``: the service's state, whose ``endless_paging`` makes a broken
    server."""
    raw_limit = request.arg('limit')
    try:
        limit = int(raw_limit) if raw_limit not in (None, '') else DEFAULT_LIMIT
    except ValueError:
        limit = -1
    if not 1 <= limit <= MAX_LIMIT:
        fail(400, 'InvalidArgument', 'The value %s of limit is not valid: it must be between 1 and %d.'
             % (raw_limit, MAX_LIMIT))
    offset = 0
    token = request.arg('continuationToken')
    if token:
        try:
            state = json.loads(base64.urlsafe_b64decode(token.encode('ascii')).decode('utf-8'))
            offset = int(state['o'])
            if state['k'] != key:
                raise ValueError(key)
        except (ValueError, KeyError, TypeError, binascii.Error, UnicodeError):
            fail(400, 'InvalidArgument', 'The continuation token is not valid for this query.')
    items_page = items[offset:offset + limit]
    following = None
    if offset + limit < len(items):
        following = base64.urlsafe_b64encode(json.dumps({'o': offset + limit, 'k': key}).encode('utf-8')).decode('ascii')
    if estate is not None and estate.endless_paging:
        estate.endless_tokens += 1
        marker = {'o': 0, 'k': key, 'n': estate.endless_tokens}
        following = base64.urlsafe_b64encode(json.dumps(marker).encode('utf-8')).decode('ascii')
    return {'Items': [render(item) for item in items_page], 'ContinuationToken': following, 'TotalItems': None}
