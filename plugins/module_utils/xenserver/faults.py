# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What can go wrong in a XenAPI answer, as the typed errors of ``errors.py``.

- A ``Failure`` envelope (``ErrorDescription``: code and parameters) becomes the error class of its
  code, rendered as a sentence naming objects where their names are known ("VM web01 is running; this
  operation needs it halted"), with a hint of what to do.
- An answer of another shape becomes one ResponseFormatError line: an envelope without ``Status``, a
  failure whose ``ErrorDescription`` is empty, a map, text or holds something else than text (the
  XenAPI package itself would end in IndexError or KeyError), a listing that is not a map of records,
  a record that is not a map, lacks a field this collection reads, or holds one of another type.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import xmlrpc.client
from xml.parsers.expat import ExpatError

from ansible_collections.opencitrix.automation.plugins.module_utils import errors

CREDENTIAL_HINT = 'check username and password (XENSERVER_USER / XENSERVER_PASSWORD)'
HOST_HINT = 'check that hostname points at a XenServer host'

# Parameter names of the XenAPI errors this collection meets, from the datamodel's errors.json.
ERROR_PARAMETERS = {
    'HANDLE_INVALID': ('class', 'handle'),
    'UUID_INVALID': ('type', 'uuid'),
    'VM_BAD_POWER_STATE': ('vm', 'expected', 'actual'),
    'OTHER_OPERATION_IN_PROGRESS': ('class', 'object', 'operation_type', 'operation_ref'),
    'OPERATION_BLOCKED': ('ref', 'code'),
    'OPERATION_NOT_ALLOWED': ('reason',),
    'VM_IS_TEMPLATE': ('vm',),
    'VM_LACKS_FEATURE': ('vm',),
    'VM_MISSING_PV_DRIVERS': ('vm',),
    'VM_CANNOT_DELETE_DEFAULT_TEMPLATE': ('vm',),
    'VM_IS_IMMOBILE': ('VM',),
    'VM_MIGRATE_FAILED': ('vm', 'source', 'destination', 'msg'),
    'HOST_DISABLED': ('host',),
    'HOST_OFFLINE': ('host',),
    'HOST_NOT_ENOUGH_FREE_MEMORY': ('needed', 'available'),
    'SESSION_INVALID': ('handle',),
    'SESSION_AUTHORIZATION_FAILED': ('username', 'msg'),
    'RBAC_PERMISSION_DENIED': ('permission', 'message'),
    'MESSAGE_METHOD_UNKNOWN': ('method',),
    'MESSAGE_PARAMETER_COUNT_MISMATCH': ('method', 'expected', 'received'),
    'VALUE_NOT_SUPPORTED': ('field', 'value', 'reason'),
    'MEMORY_CONSTRAINT_VIOLATION': ('constraint',),
    'MAP_DUPLICATE_KEY': ('type', 'param_name', 'uuid', 'key'),
    'VDI_IN_USE': ('vdi', 'operation'),
    'SR_FULL': ('requested', 'maximum'),
    'TASK_CANCELLED': ('task',),
    'INTERNAL_ERROR': ('message',),
    'LICENCE_RESTRICTION': ('feature',),
    'NOT_IMPLEMENTED': ('function',),
}
ERROR_CLASSES = {
    'SESSION_AUTHENTICATION_FAILED': errors.AuthenticationError,
    'SESSION_AUTHORIZATION_FAILED': errors.AuthenticationError,
    'SESSION_INVALID': errors.AuthenticationError,
    'RBAC_PERMISSION_DENIED': errors.AccessDeniedError,
    'HANDLE_INVALID': errors.NotFoundError,
    'UUID_INVALID': errors.NotFoundError,
    'VM_BAD_POWER_STATE': errors.ConflictError,
    'OTHER_OPERATION_IN_PROGRESS': errors.ConflictError,
    'OPERATION_BLOCKED': errors.ConflictError,
    'VM_IS_TEMPLATE': errors.ConflictError,
    'VM_LACKS_FEATURE': errors.ConflictError,
    'TASK_CANCELLED': errors.OperationFailedError,
}
ERROR_HINTS = {
    'SESSION_AUTHENTICATION_FAILED': CREDENTIAL_HINT,
    'SESSION_AUTHORIZATION_FAILED': 'the account may log in but is not allowed to use the API; check its role',
    'RBAC_PERMISSION_DENIED': 'give the account a role with this permission (for example pool-operator)',
    'HANDLE_INVALID': 'it was probably deleted meanwhile; run again to act on the current pool',
    'OTHER_OPERATION_IN_PROGRESS': 'wait for that operation to finish, then run again',
    'VM_LACKS_FEATURE': 'install the guest agent (PV drivers), or set force: true to use a hard power operation',
    'MESSAGE_METHOD_UNKNOWN': 'the server runs a XenAPI version without this call',
    'HOST_STILL_BOOTING': 'the host is starting its toolstack; run again in a minute',
    'MESSAGE_PARAMETER_COUNT_MISMATCH': 'the server runs a XenAPI version with another signature for this call',
}


def join_states(expected):
    """``"paused, suspended, running"`` -> ``"paused, suspended or running"``."""
    states = [s.strip() for s in str(expected).split(',') if s.strip()]
    if len(states) > 1:
        return '%s or %s' % (', '.join(states[:-1]), states[-1])
    return states[0] if states else str(expected)


def describe_failure(details, names=None):
    """A sentence for a XenAPI ``ErrorDescription`` (code and parameters), naming objects when their
    names are known (``names``: reference -> name)."""
    names = names or {}
    details = [str(d) for d in (details or ['UNKNOWN_ERROR'])]
    code, params = details[0], details[1:]

    def name(ref):
        return names.get(ref, ref)

    if code == 'VM_BAD_POWER_STATE' and len(params) >= 3:
        return 'VM %s is %s; this operation needs it %s' % (name(params[0]), params[2].lower(), join_states(params[1]))
    if code == 'HANDLE_INVALID' and len(params) >= 2:
        return 'the %s object %s does not exist' % (params[0], name(params[1]))
    if code == 'UUID_INVALID' and len(params) >= 2:
        return 'no %s has UUID %s' % (params[0], params[1])
    if code == 'SESSION_AUTHENTICATION_FAILED':
        return 'the user name or password was rejected'
    if code == 'OTHER_OPERATION_IN_PROGRESS' and len(params) >= 3:
        return '%s %s is busy with another operation (%s)' % (params[0], name(params[1]), params[2])
    if code == 'VM_IS_TEMPLATE' and params:
        return '%s is a template, which cannot do this%s' % (name(params[0]), ' (%s)' % params[1] if len(params) > 1 else '')
    if code == 'VM_LACKS_FEATURE' and params:
        return 'the guest of VM %s does not support this (no guest agent or PV drivers)' % name(params[0])
    if code == 'TASK_CANCELLED':
        return 'the task was cancelled'
    labels = ERROR_PARAMETERS.get(code)
    if labels and params:
        return ', '.join('%s=%s' % (label, name(value)) for label, value in zip(labels, params))
    return ', '.join(name(p) for p in params)


def failure_error(details, what, names=None, url=None):
    """The typed error for a XenAPI failure."""
    details = [str(d) for d in (details or ['UNKNOWN_ERROR'])]
    code = details[0]
    cls = ERROR_CLASSES.get(code, errors.ApiError)
    return cls('Could not %s' % what if what else 'XenAPI call failed', code=code,
               api_message=describe_failure(details, names) or None, url=url, hint=ERROR_HINTS.get(code),
               details={'error_description': details})


def parse_task_result(text):
    """``task.result`` holds the operation's return value as an XML-RPC ``<value>`` ("" for void)."""
    if not text:
        return None
    try:
        values, _method = xmlrpc.client.loads(
            '<methodResponse><params><param>%s</param></params></methodResponse>' % text)
    except (ExpatError, ValueError, TypeError):
        raise errors.ResponseFormatError('Could not read a task result', api_message='not an XML-RPC value')
    return values[0] if values else None


# -- answers of the wrong shape ---------------------------------------------------------------------

class MalformedAnswer(Exception):
    """An XML-RPC answer that is not a XenAPI envelope the XenAPI package can read; ``reason`` says how."""

    def __init__(self, reason):
        super(MalformedAnswer, self).__init__(reason)
        self.reason = reason


def kind(value):
    """What ``value`` is, in words, without repeating it whole (it may be long or hold anything)."""
    if value is None:
        return 'nothing'
    if isinstance(value, bool):
        return 'a boolean'
    if isinstance(value, str):
        return 'empty text' if not value else 'the text %r' % (value[:40] + ('...' if len(value) > 40 else ''))
    if isinstance(value, (int, float)):
        return 'a number'
    if isinstance(value, dict):
        return 'an empty map' if not value else 'a map'
    if isinstance(value, (list, tuple)):
        return 'an empty list' if not value else 'a list'
    return 'a %s value' % type(value).__name__


def check_envelope(values):
    """``values`` (an answer's parameters) when they are one XenAPI envelope: ``Status`` ``Success``
    with a ``Value``, or ``Failure`` with an ``ErrorDescription`` list of text starting with a code;
    otherwise MalformedAnswer."""
    if len(values) != 1:
        raise MalformedAnswer('the answer holds %d values instead of one XenAPI envelope' % len(values))
    envelope = values[0]
    if not isinstance(envelope, dict):
        raise MalformedAnswer('the answer is %s, not a XenAPI envelope' % kind(envelope))
    status = envelope.get('Status')
    if status == 'Success':
        if 'Value' not in envelope:
            raise MalformedAnswer('a Success envelope without a Value')
    elif status == 'Failure':
        description = envelope.get('ErrorDescription')
        if not isinstance(description, list) or not description:
            raise MalformedAnswer('a Failure whose ErrorDescription is %s, not a list starting with an error code'
                                  % kind(description))
        code = description[0]
        if not isinstance(code, str) or not code:
            raise MalformedAnswer('a Failure whose error code is %s' % kind(code))
        odd = [item for item in description[1:] if not isinstance(item, str)]
        if odd:
            raise MalformedAnswer('a Failure (code %s) whose parameters hold %s, not only text'
                                  % (code[:60], kind(odd[0])))
    elif 'Status' not in envelope:
        raise MalformedAnswer('an envelope without a Status')
    else:
        raise MalformedAnswer('an envelope whose Status is %s, neither Success nor Failure' % kind(status))
    return values


# The fields of XenAPI records this collection reads, with the XML-RPC type each has; a field of
# another type makes the record malformed.
FIELD_TYPES = {
    'uuid': str, 'name_label': str, 'name_description': str, 'power_state': str, 'is_a_template': bool,
    'is_a_snapshot': bool, 'is_control_domain': bool, 'VBDs': list, 'VIFs': list, 'tags': list,
    'other_config': dict, 'resident_on': str, 'guest_metrics': str, 'metrics': str, 'networks': dict,
    'os_version': dict, 'PV_drivers_version': dict, 'software_version': dict, 'cpu_info': dict,
    'resident_VMs': list, 'address': str, 'hostname': str, 'master': str, 'VDI': str, 'SR': str, 'network': str,
    'type': str, 'status': str, 'device': str, 'userdevice': str, 'MAC': str, 'bridge': str, 'error_info': list,
    'result': str,
}
# Fields xapi always sends, which the collection cannot do without (by class, lower case as event.from names it).
REQUIRED_FIELDS = {
    'vm': ('uuid', 'name_label', 'power_state', 'is_a_template', 'is_a_snapshot', 'is_control_domain', 'VBDs',
           'VIFs', 'other_config', 'tags'),
    'host': ('uuid', 'name_label', 'address'),
    'pool': ('uuid', 'master'),
    'task': ('status',),
    'vbd': ('type', 'VDI'),
    'vif': ('device', 'network'),
}


def check_record(cls, ref, record):
    """``record`` when it is a map with the fields this collection reads of class ``cls``, each of its
    type; otherwise MalformedAnswer naming the object."""
    label = '%s %s' % (cls, ref if isinstance(ref, str) else '?')
    if not isinstance(record, dict):
        raise MalformedAnswer('the %s record is %s, not a map' % (label, kind(record)))
    missing = [name for name in REQUIRED_FIELDS.get(cls.lower(), ()) if name not in record]
    if missing:
        raise MalformedAnswer('the %s record lacks %s' % (label, ', '.join(missing)))
    for name, value in record.items():
        expected = FIELD_TYPES.get(name)
        if expected is not None and not isinstance(value, expected):
            raise MalformedAnswer('the %s field of the %s record is %s' % (name, label, kind(value)))
    return record


def check_records(cls, records):
    """``records`` (a ``get_all_records`` answer) when it is a map of references to well-formed records."""
    if not isinstance(records, dict):
        raise MalformedAnswer('the %s records are %s, not a map of records' % (cls, kind(records)))
    for ref, record in records.items():
        check_record(cls, ref, record)
    return records
