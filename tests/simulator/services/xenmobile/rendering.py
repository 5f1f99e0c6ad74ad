"""XenMobile's JSON shapes: the ``{status, message, ...}`` envelope of every answer (an error is
``status -1``, HTTP 200 unless the request itself was invalid), the device filter tree, devices without
their internal fields, and application list entries."""

import json

from tests.simulator.base import Reply, Response

FILTER_TREE = [
    ('device.platform', 'Platforms', [('device.platform.ios', 'iOS'), ('device.platform.android', 'Android'),
                                      ('device.platform.windows', 'Windows'), ('device.platform.macosx', 'macOS')]),
    ('device.ownership', 'Ownership', [('device.ownership.corporate', 'Corporate'), ('device.ownership.byod', 'BYOD')]),
]
APP_LIST_FIELDS = ('id', 'name', 'description', 'creationDate', 'lastModificationDate', 'disabled', 'nbSuccess',
                   'nbFailure', 'nbPending', 'schedule', 'permitAsRequired', 'iconData', 'appType', 'categories',
                   'roles', 'workflow', 'vppAccount')


def ok(**payload):
    body = {'status': 0, 'message': 'Success'}
    body.update(payload)
    return body


def failed(message, http_status=200):
    """An API error in the status/message envelope (HTTP 200 unless the request itself was invalid)."""
    return Response(http_status, {'status': -1, 'message': message})


def invalid(message):
    raise Reply(failed(message, 400))


def device_filter_tree(selected):
    def node(name, display, level, children):
        return {'displayName': display, 'name': name, 'value': None, 'level': level, 'checked': name in selected,
                'leafNode': not children, 'nodes': children}

    detail = [node(name, display, 0, [node(n, d, 1, []) for n, d in leaves])
              for name, display, leaves in FILTER_TREE]
    return {'detail': detail, 'selectedFilters': list(selected)}


def public(record):
    """A device as the API shows it: without the internal ``_`` fields the filters use."""
    return {k: v for k, v in record.items() if not k.startswith('_')}


def app_list_entry(app):
    return {k: app[k] for k in APP_LIST_FIELDS}


def container(app):
    """A deep copy of an application container, as the JSON the API sends."""
    return json.loads(json.dumps(app))
