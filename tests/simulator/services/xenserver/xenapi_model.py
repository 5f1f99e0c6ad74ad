"""The part of the XenAPI datamodel the XenServer simulator serves: classes, their fields (name, type,
qualifier), their messages (parameters, implicit or not) and the enums those use.

``data/xenapi-model.json`` is extracted from ``../shared/specs/xenapi/xenapi.json`` (the vendor
datamodel) by running this file: ``python -m tests.simulator.services.xenserver.xenapi_model [SPEC_DIR]``. It is committed
so the simulator also runs from an installed collection, and ``tests/unit`` checks it still matches
the spec when the spec is present. Removed fields and messages are left out, as a real server leaves
them out.
"""

import json
import os
import sys
import xmlrpc.client

HERE = os.path.dirname(os.path.abspath(__file__))
DATA_FILE = os.path.join(HERE, 'data', 'xenapi-model.json')
ROOT = os.path.join(HERE, '..', '..', '..', '..')  # the checkout, beside ../shared
DEFAULT_SPEC_DIR = os.path.join(ROOT, '..', 'shared', 'specs', 'xenapi')

CLASSES = ('session', 'task', 'event', 'pool', 'host', 'host_metrics', 'host_cpu', 'VM', 'VM_metrics',
           'VM_guest_metrics', 'VBD', 'VDI', 'VIF', 'network', 'SR', 'PIF')
NULL_REF = 'OpaqueRef:NULL'
EPOCH = '19700101T00:00:00Z'


def extract(spec_dir=DEFAULT_SPEC_DIR):
    """The compact model (a JSON-able dict) built from the vendor datamodel."""
    with open(os.path.join(spec_dir, 'xenapi.json')) as handle:
        datamodel = {cls['name']: cls for cls in json.load(handle)}
    classes, enums = {}, {}
    for name in CLASSES:
        cls = datamodel[name]
        for enum in cls.get('enums', ()):
            enums[enum['name']] = [value['name'] for value in enum['values']]
        fields = [[f['name'], f['type'], f['qualifier']] for f in cls['fields']
                  if f['lifecycle']['state'] != 'Removed_s']
        messages = {}
        for message in cls['messages']:
            if message['lifecycle']['state'] == 'Removed_s':
                continue
            messages[message['name']] = [1 if message['implicit'] else 0,
                                         [[p['type'], p['name']] for p in message['params']]]
        classes[name] = {'fields': fields, 'messages': messages}
    # Enum types are declared on the class that owns them but used elsewhere too.
    for cls in datamodel.values():
        for enum in cls.get('enums', ()):
            enums.setdefault(enum['name'], [value['name'] for value in enum['values']])
    used = set()
    for cls in classes.values():
        for _name, ftype, _qualifier in cls['fields']:
            if ftype.startswith('enum '):
                used.add(ftype.split()[1])
    return {'source': 'xenapi.json from xapi-project/xen-api @ e2ee48d6 (../shared/specs/xenapi)',
            'classes': classes, 'enums': {k: v for k, v in sorted(enums.items()) if k in used}}


class Model:
    """Look-ups over the extracted datamodel."""

    def __init__(self, data):
        self.classes = data['classes']
        self.enums = data['enums']
        self.by_lower = {name.lower(): name for name in self.classes}

    def canonical(self, name):
        """``vm`` -> ``VM``; None for a class the simulator does not serve."""
        return self.by_lower.get(str(name).lower())

    def fields(self, cls):
        return self.classes[cls]['fields']

    def field_type(self, cls, field):
        for name, ftype, _qualifier in self.classes[cls]['fields']:
            if name == field:
                return ftype
        return None

    def message(self, cls, name):
        """``(implicit, [(type, name), ...])`` or None."""
        return self.classes.get(cls, {}).get('messages', {}).get(name)

    def default(self, ftype):
        if ftype == 'string':
            return ''
        if ftype == 'int':
            return 0
        if ftype == 'float':
            return 0.0
        if ftype == 'bool':
            return False
        if ftype == 'datetime':
            return xmlrpc.client.DateTime(EPOCH)
        if ftype.endswith(' ref'):
            return NULL_REF
        if ftype.endswith(' set'):
            return []
        if ftype.endswith(' map'):
            return {}
        if ftype.startswith('enum '):
            values = self.enums.get(ftype.split()[1])
            return values[0] if values else ''
        return ''

    def blank_record(self, cls):
        return {name: self.default(ftype) for name, ftype, _qualifier in self.classes[cls]['fields']}


_MODEL = None


def load():
    global _MODEL
    if _MODEL is None:
        with open(DATA_FILE) as handle:
            _MODEL = Model(json.load(handle))
    return _MODEL


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    spec_dir = argv[0] if argv else DEFAULT_SPEC_DIR
    data = extract(spec_dir)
    os.makedirs(os.path.dirname(DATA_FILE), exist_ok=True)
    with open(DATA_FILE, 'w') as handle:
        json.dump(data, handle, sort_keys=True, separators=(',', ':'))
        handle.write('\n')
    print('wrote %s (%d classes)' % (DATA_FILE, len(data['classes'])))
    return 0


if __name__ == '__main__':
    sys.exit(main())
