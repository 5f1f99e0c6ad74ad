"""The DaaS ``$batch`` call (operation ``BatchTP_DoBatchRequest``; ../shared/specs/daas/batch.md):
validation of a ``BatchRequestModel`` (a malformed batch is the spec's 400 ``ErrorData``), each item
dispatched through the route a direct request would reach, the item's answer as a
``BatchResponseItemModel``, and the ``Batch`` job of an asynchronous batch, whose results
``GET /Jobs/{id}/Results`` returns."""

import json
import re
import uuid
from email.message import Message
from urllib.parse import unquote

from tests.simulator.base import Request, Response
from tests.simulator.server import find_route, no_route, run_route
from tests.simulator.services.daas.context import CLOUD_PREFIX, LEGACY_ROOT, ONPREM_CUSTOMER, ONPREM_ROOT
from tests.simulator.services.daas.errors import error_data, fail

METHODS = ('GET', 'HEAD', 'PUT', 'PATCH', 'POST', 'DELETE')
BODYLESS = ('GET', 'HEAD', 'DELETE')
REFERENCE = re.compile(r'^[-_0-9a-zA-Z]{1,64}$')
# RelativeUrl forms the sources document (batch.md): the path as is through the Cloud API gateway, or
# {customerId}/{siteId}/ before it (on-premises, or Cloud without the gateway; Citrix's client joins the
# parts with a slash, so a path that starts with one gives "//"), or the spec's "v1/{customerid}/{siteid}/...".
PREFIXED = re.compile(r'^(?:v1/)?(?P<customer>[^/?#]+)/(?P<site>[^/?#]+)/(?P<rest>.*)$')
OUTER_TOKEN = re.compile(r'^\s*CwsAuth\s+bearer\s*=\s*(\S+)\s*$', re.IGNORECASE)
ITEM_TOKEN = re.compile(r'^\s*Bearer\s+(\S+)\s*$', re.IGNORECASE)
# Simulator seconds a Batch job runs after the batch was accepted (its items are answered at once).
BATCH_RUN_SECONDS = 0.1
HOP_HEADERS = ('content-length', 'transfer-encoding', 'connection')


def relative_path(url, mode, customer, site):
    """The path of a ``RelativeUrl`` below the site root (with its query), or None when the URL has none
    of the documented forms, or addresses another customer or site. The bare path is the API gateway's
    form, so it is only taken through the Cloud way in."""
    if not isinstance(url, str) or not url or '://' in url or '\\' in url:
        return None
    if url.startswith('/'):
        if mode != 'cloud':
            return None
        rest = url[1:]
    else:
        match = PREFIXED.match(url)
        if (match is None or unquote(match.group('customer')).lower() != str(customer or '').lower()
                or unquote(match.group('site')).lower() != site.id.lower()):
            return None
        rest = match.group('rest')
        rest = rest[1:] if rest.startswith('/') else rest
    segments = rest.split('?', 1)[0].split('/')
    if not rest or not segments[0] or any(s in ('.', '..') for s in segments):
        return None
    return rest


def site_path(mode, site, rest):
    """The path a direct request for ``rest`` takes through the way in ``mode``."""
    if mode == 'cloud':
        return '%s/%s' % (CLOUD_PREFIX, rest)
    if mode == 'onprem':
        return '%s/%s/%s/%s' % (ONPREM_ROOT, ONPREM_CUSTOMER, site.id, rest)
    return '%s/%s/%s' % (LEGACY_ROOT, site.id, rest)


def parse(raw_body, mode, customer, site):
    """The items of a ``BatchRequestModel`` (``reference``, ``method``, ``path`` on this way in, ``body``,
    ``headers``), or the spec's 400 for anything malformed."""
    try:
        body = json.loads(raw_body.decode('utf-8')) if raw_body else None
    except (ValueError, UnicodeDecodeError):
        fail(400, 'InvalidArgument', 'The request body is not valid JSON.')
    if not isinstance(body, dict) or not isinstance(body.get('Items'), list):
        fail(400, 'InvalidArgument', 'The request body must be a BatchRequestModel with an Items list.')
    seen, items = set(), []
    for index, raw in enumerate(body['Items']):
        def bad(message):
            fail(400, 'InvalidArgument', 'Batch item %d: %s' % (index, message))
        if not isinstance(raw, dict):
            bad('expected a BatchRequestItemModel object.')
        reference = raw.get('Reference')
        if not isinstance(reference, str) or not REFERENCE.match(reference):
            bad('Reference is required: 1 to 64 characters of [-_0-9a-zA-Z].')
        if reference in seen:
            bad('Reference "%s" is used by another item of this batch.' % reference)
        seen.add(reference)
        method = raw.get('Method') if raw.get('Method') is not None else 'GET'
        if not isinstance(method, str) or method.upper() not in METHODS:
            bad('Method must be one of %s.' % ', '.join(METHODS))
        method = method.upper()
        item_body = raw.get('Body')
        if item_body is not None and not isinstance(item_body, str):
            bad('Body must be a string.')
        if item_body is not None and method in BODYLESS:
            bad('Body cannot be specified for GET, HEAD and DELETE.')
        headers = raw.get('Headers') or []
        if not isinstance(headers, list) or not all(
                isinstance(h, dict) and isinstance(h.get('Name'), str) and isinstance(h.get('Value'), str)
                for h in headers):
            bad('Headers must be a list of Name/Value strings.')
        rest = relative_path(raw.get('RelativeUrl'), mode, customer, site)
        if rest is None:
            bad('RelativeUrl %s is not a path relative to the root of this site.' % json.dumps(raw.get('RelativeUrl')))
        items.append({'reference': reference, 'method': method, 'path': site_path(mode, site, rest),
                      'body': item_body, 'headers': headers})
    return items


def outer_token(request):
    match = OUTER_TOKEN.match(request.header('Authorization') or '')
    return match.group(1) if match else None


def run_item(request, item, token):
    """One item through the route a direct request reaches (its writes and item count recorded, a
    ``status`` fault on that route answering it), as the batch's caller: the batch request's headers,
    overlaid with the item's. An item's ``Authorization`` (``Bearer <token>``, as Citrix's clients send
    it) must carry the batch request's own token."""
    sim = request.sim
    headers = Message()
    for name, value in request.headers.items():
        if name.lower() not in HOP_HEADERS:
            headers[name] = value
    for pair in item['headers']:
        if pair['Name'].lower() == 'authorization':
            match = ITEM_TOKEN.match(pair['Value'])
            if not match or match.group(1) != token:
                return error_data(401, 'Unauthorized', 'The batch item does not carry the token of its batch request.',
                                  error_type='AuthenticationFailed')
            continue
        del headers[pair['Name']]
        headers[pair['Name']] = pair['Value']
    body = item['body'].encode('utf-8') if item['body'] is not None else b''
    sub = Request(sim, request.listener, item['method'], item['path'], headers, body)
    route, params, method_exists = find_route(sim.routes, item['method'], sub.path)
    sub.params = params
    if route is not None and route.classify is not None:
        route = route.classify(sub) or route
    if route is None:
        return no_route(item['method'], method_exists)
    if route.name.endswith('.batch'):
        return error_data(400, 'InvalidArgument', 'A batch request cannot be an item of another batch request.')
    sub.route = route
    sim.stats.record_item(route)
    fault = sim.faults.match(route, item['method'], sub.path, request.listener, actions=('status',))
    if fault:
        return Response(fault['status'] or 500, fault['body'], fault['headers'])
    response = run_route(route, sub)
    if route.write and response.status < 400:
        sim.stats.record_write(route)
    sim.record_exchange(route, sub, response, *response.encoded())
    return response


def item_result(reference, response):
    """A ``BatchResponseItemModel``: the item's status, headers and body (a string)."""
    data, content_type = response.encoded()
    headers = [{'Name': name, 'Value': str(value)} for name, value in response.headers.items()]
    if data and content_type:
        headers.append({'Name': 'Content-Type', 'Value': content_type})
    return {'Reference': reference, 'Code': response.status, 'Headers': headers,
            'Body': data.decode('utf-8') if data else None}


def started_job(site, result):
    """The job an item's answer names in its ``Location`` (a 202), or None."""
    if result['Code'] != 202:
        return None
    location = next((h['Value'] for h in result['Headers'] if h['Name'].lower() == 'location'), '')
    return site.jobs.get(location.rstrip('/').rsplit('/', 1)[-1])


def new_job(estate, site, caller, results, failure=None):
    """The ``Batch`` job of an asynchronous batch (the caller holds the lock): ``InProgress`` for
    ``BATCH_RUN_SECONDS``, then ``Complete`` with the items' results, or ``Failed`` as a whole with
    ``failure`` (``{'code', 'message'}``). One sub-job per item, named by its ``Reference``."""
    now = estate.clock.now()
    subjobs = []
    for result in results:
        own = started_job(site, result)
        subjobs.append({'Id': str(uuid.uuid4()), 'Type': own['Type'] if own else 'Unknown',
                        'Reference': result['Reference'], 'Failed': result['Code'] >= 400})
    job = {'Id': estate.new_id(), 'Type': 'Batch', '_created': now, '_queue': 0.0, '_end': now + BATCH_RUN_SECONDS,
           '_fail': failure, '_caller': caller, '_results': results, '_subjobs': subjobs}
    site.jobs[job['Id']] = job
    return job
