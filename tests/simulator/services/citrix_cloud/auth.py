"""Citrix Cloud authentication as every Cloud API answers it: ``Authorization: CwsAuth Bearer=<token>``,
the ``Accept: application/json`` check, the customer check, and the error bodies of seed 001.

Other Cloud-authenticated services call :func:`cloud_auth` with their request.
"""

import re
import uuid

from tests.simulator.base import Reply, Response

INVALID_CLIENT = {'error': 'invalid_client', 'error_description': 'Invalid client id or client secret.'}
BAD_CWS_HEADER = {'Error': {'Message': 'Missing or invalid CWSAuth header.', 'Type': 'CWSAuthException'}}
EXPIRED = {'detail': 'Missing or invalid authentication details', 'parameters': {'reason': 'invalid'},
           'type': 'https://errors-api.cloud.com/common/authentication'}
NOT_ACCEPTABLE = {'detail': 'Must accept application/json media type',
                  'parameters': {'contentType': 'application/json'},
                  'type': 'https://errors-api.cloud.com/common/notAcceptable'}
FORBIDDEN_CUSTOMER = {'detail': 'The caller is not authorized for this customer',
                      'parameters': {'reason': 'customerMismatch'},
                      'type': 'https://errors-api.cloud.com/common/authorization'}

CWS_HEADER = re.compile(r'^\s*CwsAuth\s+Bearer\s*=\s*(\S+)\s*$', re.IGNORECASE)


def transaction_headers():
    return {'X-Cws-TransactionId': str(uuid.uuid4()), 'Access-Control-Expose-Headers': 'X-Cws-TransactionId'}


def require_json_accept(request):
    """406 unless Accept is exactly application/json (a charset parameter is tolerated)."""
    accept = (request.header('Accept') or '').strip()
    media = accept.split(';', 1)[0].strip().lower()
    params = accept.split(';', 1)[1].strip().lower() if ';' in accept else ''
    if media != 'application/json' or ',' in accept or (params and not params.startswith('charset=')):
        raise Reply(Response(406, NOT_ACCEPTABLE, transaction_headers()))


def authenticate(state, request, customer_id=None, check_accept=True):
    """The token record of ``request`` in ``state`` (a :class:`~.state.CloudState`), or a
    :class:`Reply` with the error Citrix Cloud answers."""
    match = CWS_HEADER.match(request.header('Authorization') or '')
    if not match:
        raise Reply(Response(401, BAD_CWS_HEADER, transaction_headers()))
    record = state.tokens.get(match.group(1))
    if record is None or record['expires_at'] <= state.clock.now():
        raise Reply(Response(401, EXPIRED, transaction_headers()))
    if check_accept:
        require_json_accept(request)
    if customer_id is not None and customer_id != record['customer']:
        raise Reply(Response(403, FORBIDDEN_CUSTOMER, transaction_headers()))
    return record


def cloud_auth(request, customer_id=None, check_accept=True):
    """Validate ``Authorization: CwsAuth Bearer=<token>`` the way Citrix Cloud answers; returns the
    token record ``{'client_id', 'customer', 'expires_at'}`` or raises :class:`Reply`."""
    return request.sim.service('cloud').authenticate(request, customer_id, check_accept)
