"""Answers of the wrong shape, for the XenServer pool: what a broken or impersonated toolstack, or a
proxy rewriting bodies, could send instead of xapi's envelope.

``OddAnswers.arrange(method, shape, times=1)`` makes the next ``times`` answers to ``method`` (a
method name such as ``VM.get_all_records``, or a glob; ``Async.`` and ``session.`` calls included) take
``shape``, one of ``SHAPES`` (shapes of records wait for an answer that lists some). ``apply(method,
envelope)`` is called with every answer's envelope and returns the one to send.
"""

import fnmatch


def _records(envelope, change):
    """The envelope with every record of a successful listing changed by ``change(ref, record)``; None
    (the answer stays as it is and the shape waits for the next call) when it lists no record."""
    value = envelope.get('Value')
    if envelope.get('Status') != 'Success' or not isinstance(value, dict) or not value:
        return None
    return {'Status': 'Success', 'Value': dict((ref, change(ref, record)) for ref, record in value.items())}


def _without(*fields):
    def change(_ref, record):
        return dict((k, v) for k, v in record.items() if k not in fields) if isinstance(record, dict) else record
    return change


SHAPES = {
    # failures whose ErrorDescription is not a list of text starting with a code
    'empty_description': lambda envelope: {'Status': 'Failure', 'ErrorDescription': []},
    'map_description': lambda envelope: {'Status': 'Failure', 'ErrorDescription': {}},
    'text_description': lambda envelope: {'Status': 'Failure', 'ErrorDescription': 'INTERNAL_ERROR'},
    'nil_description': lambda envelope: {'Status': 'Failure', 'ErrorDescription': None},
    'odd_parameters': lambda envelope: {'Status': 'Failure',
                                        'ErrorDescription': ['VM_BAD_POWER_STATE', {'vm': 'x'}, 42, ['halted']]},
    'failure_without_description': lambda envelope: {'Status': 'Failure'},
    # envelopes without or with another Status
    'no_status': lambda envelope: dict((k, v) for k, v in envelope.items() if k != 'Status'),
    'unknown_status': lambda envelope: dict(envelope, Status='Pending'),
    'success_without_value': lambda envelope: {'Status': 'Success'},
    'bare_value': lambda envelope: envelope.get('Value', 'OpaqueRef:NULL'),
    # listings and records of the wrong shape
    'text_value': lambda envelope: {'Status': 'Success', 'Value': 'OpaqueRef:NULL'},
    'text_records': lambda envelope: _records(envelope, lambda ref, record: 'OpaqueRef:NULL'),
    'list_records': lambda envelope: _records(envelope, lambda ref, record: [ref]),
    'missing_fields': lambda envelope: _records(envelope, _without('uuid', 'name_label', 'power_state', 'address',
                                                                   'master', 'status')),
    'wrong_field_types': lambda envelope: _records(envelope, lambda ref, record: dict(
        record, **dict((k, 'x') for k in ('VBDs', 'VIFs', 'tags', 'other_config', 'networks', 'software_version')
                       if k in record)) if isinstance(record, dict) else record),
}


class OddAnswers:
    def __init__(self):
        self.arranged = []  # [method glob, shape, remaining times]

    def arrange(self, method, shape, times=1):
        if shape not in SHAPES:
            raise ValueError('unknown shape %r (one of %s)' % (shape, ', '.join(sorted(SHAPES))))
        self.arranged.append([method, shape, times])

    def used(self):
        """Whether every arranged answer was sent as many times as asked."""
        return all(entry[2] == 0 for entry in self.arranged)

    def apply(self, method, envelope):
        for entry in self.arranged:
            if entry[2] != 0 and fnmatch.fnmatchcase(method, entry[0]):
                odd = SHAPES[entry[1]](envelope)
                if odd is not None:
                    entry[2] -= 1
                    return odd
        return envelope
