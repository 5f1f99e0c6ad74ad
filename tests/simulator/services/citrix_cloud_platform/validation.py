"""Request checks of the ``cloud_platform`` service and its errors: the Citrix Cloud problem-details
body ``{"detail", "parameters", "type": "https://errors-api.cloud.com/common/<kind>"}``. The rules the
specs leave open are our choices, listed in README.md."""

import base64
import re
import uuid

from tests.simulator.base import Reply, Response
from tests.simulator.services.citrix_cloud.auth import transaction_headers

ERRORS = 'https://errors-api.cloud.com/common/'
# From the spec's ResourceLocationModel.name pattern: none of / \ # ? % | [ ] { } < > $ ^ & +
LOCATION_NAME = re.compile(r'[^/\\#?%|\[\]{}<>$^&+]+')
SEVERITIES = ('Information', 'Warning', 'Critical')
PRIORITIES = ('Low', 'Normal', 'High')
LANGUAGE_TAG = re.compile(r'^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$')


def problem(status, kind, detail, **parameters):
    """A Citrix Cloud problem-details error body, as the foundation's services answer."""
    body = {'detail': detail, 'parameters': parameters or None, 'type': ERRORS + kind}
    return Reply(Response(status, body, transaction_headers()))


def require_json_body(request):
    content_type = (request.header('Content-Type') or '').split(';', 1)[0].strip().lower()
    if content_type not in ('application/json', 'text/json'):
        raise problem(415, 'unsupportedMediaType', 'Content-Type must be application/json',
                      contentType=content_type or None)
    body = request.json()
    if not isinstance(body, dict):
        raise problem(400, 'badRequest', 'The request body must be a JSON object')
    return body


def check_location_name(locations, name, exclude_id=None):
    """``name`` is a valid resource location name used by none of ``locations`` (but ``exclude_id``)."""
    if not isinstance(name, str) or not name.strip():
        raise problem(400, 'badRequest', 'name is required', field='name')
    if not LOCATION_NAME.fullmatch(name):
        raise problem(400, 'badRequest', 'name contains characters that are not allowed: / \\ # ? % | [ ] { } < > $ ^ & +',
                      field='name')
    for other in locations.values():
        if other['id'] != exclude_id and other['name'].lower() == name.lower():
            raise problem(409, 'conflict', 'A resource location named "%s" already exists' % name, name=name)


def check_location_flags(body):
    if 'internalOnly' in body and not isinstance(body['internalOnly'], bool):
        raise problem(400, 'badRequest', 'internalOnly must be a boolean', field='internalOnly')
    if body.get('timeZone') is not None and not isinstance(body['timeZone'], str):
        raise problem(400, 'badRequest', 'timeZone must be a string', field='timeZone')


def check_notification(body):
    for field in ('destinationAdmin', 'component', 'createdDate', 'eventId', 'severity', 'priority'):
        if not isinstance(body.get(field), str) or not body[field].strip():
            raise problem(400, 'badRequest', '%s is required' % field, field=field)
    try:
        uuid.UUID(body['eventId'])
    except ValueError:
        raise problem(400, 'badRequest', 'eventId must be a GUID', field='eventId')
    if body['severity'] not in SEVERITIES:
        raise problem(400, 'badRequest', 'severity must be one of %s' % ', '.join(SEVERITIES), field='severity')
    if body['priority'] not in PRIORITIES:
        raise problem(400, 'badRequest', 'priority must be one of %s' % ', '.join(PRIORITIES), field='priority')
    content = body.get('content')
    if not isinstance(content, list) or not content:
        raise problem(400, 'badRequest', 'content must list at least one localized entry', field='content')
    for entry in content:
        if not isinstance(entry, dict):
            raise problem(400, 'badRequest', 'content entries must be objects', field='content')
        if not LANGUAGE_TAG.match(str(entry.get('languageTag') or '')):
            raise problem(400, 'badRequest', 'content.languageTag must be a language tag such as en-US',
                          field='content.languageTag')
        for field in ('title', 'description'):
            if not isinstance(entry.get(field), str) or not entry[field].strip():
                raise problem(400, 'badRequest', 'content.%s is required' % field, field='content.' + field)


def encode_page_token(seq):
    return base64.urlsafe_b64encode(('before:%d' % seq).encode()).decode().rstrip('=')


def decode_page_token(token):
    """The sequence number a continuation token marks (opaque to clients); 400 for a bad one."""
    try:
        text = base64.urlsafe_b64decode(token + '=' * (-len(token) % 4)).decode()
        kind, value = text.split(':', 1)
        if kind != 'before':
            raise ValueError(kind)
        return int(value)
    except (ValueError, UnicodeDecodeError):
        raise problem(400, 'badRequest', 'The continuation token is not valid', field='continuationToken')
