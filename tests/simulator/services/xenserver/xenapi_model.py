"""The XenAPI datamodel the XenServer simulator serves: every class, its fields (name, type, qualifier and
the datamodel's default, which a ``create`` record may leave out), its messages (parameters, implicit or
not) and the enums those use.

``data/xenapi-model.json`` is extracted from ``../shared/specs/xenapi/xenapi.json`` (the vendor
datamodel) by running this file: ``python -m tests.simulator.services.xenserver.xenapi_model [SPEC_DIR]``. It is committed
so the simulator also runs from an installed collection, and ``tests/unit`` checks it still matches
the spec when the spec is present. Removed fields and messages are left out, as a real server leaves
them out.
"""

import json
import os
import re
import sys
import xmlrpc.client

HERE = os.path.dirname(os.path.abspath(__file__))
DATA_FILE = os.path.join(HERE, 'data', 'xenapi-model.json')
ROOT = os.path.join(HERE, '..', '..', '..', '..')  # the checkout, beside ../shared
DEFAULT_SPEC_DIR = os.path.join(ROOT, '..', 'shared', 'specs', 'xenapi')

NULL_REF = 'OpaqueRef:NULL'
EPOCH = '19700101T00:00:00Z'


def extract(spec_dir=DEFAULT_SPEC_DIR):
    """The compact model (a JSON-able dict) built from the vendor datamodel."""
    with open(os.path.join(spec_dir, 'xenapi.json')) as handle:
        datamodel = {cls['name']: cls for cls in json.load(handle)}
    classes, enums = {}, {}
    for name, cls in datamodel.items():
        for enum in cls.get('enums', ()):
            enums[enum['name']] = [value['name'] for value in enum['values']]
        fields = [[f['name'], f['type'], f['qualifier'], f.get('default')] for f in cls['fields']
                  if f['lifecycle']['state'] != 'Removed_s']
        messages = {}
        for message in cls['messages']:
            if message['lifecycle']['state'] == 'Removed_s':
                continue
            messages[message['name']] = [1 if message['implicit'] else 0,
                                         [[p['type'], p['name']] for p in message['params']]]
        classes[name] = {'fields': fields, 'messages': messages}
    return {'source': 'xenapi.json from xapi-project/xen-api @ e2ee48d6 (../shared/specs/xenapi)',
            'classes': classes, 'enums': dict(sorted(enums.items()))}


class Model:
    """Look-ups over the extracted datamodel."""

    def __init__(self, data):
        self.classes = data['classes']
        self.enums = data['enums']
        self.by_lower = {name.lower(): name for name in self.classes}
        self.types = {cls: {f[0]: f[1] for f in spec['fields']} for cls, spec in self.classes.items()}
        self._blank = {}

    def canonical(self, name):
        """``vm`` -> ``VM``; None for a class the datamodel does not have."""
        return self.by_lower.get(str(name).lower())

    def fields(self, cls):
        return self.classes[cls]['fields']

    def field_type(self, cls, field):
        return self.types.get(cls, {}).get(field)

    def message(self, cls, name):
        """``(implicit, [(type, name), ...])`` or None."""
        return self.classes.get(cls, {}).get('messages', {}).get(name)

    def listed(self):
        """The classes whose records ``get_all_records`` lists (the ones events are reported for)."""
        return tuple(cls for cls in self.classes if self.message(cls, 'get_all_records'))

    def constructor_fields(self, cls):
        """``[(name, type, default)]`` of the fields a ``<cls>.create`` record carries (RW and
        RO/constructor); ``default`` is None when the datamodel gives none (the field is required)."""
        return [(name, ftype, None if text is None else self.parse(ftype, text))
                for name, ftype, qualifier, text in self.classes[cls]['fields']
                if qualifier in ('RW', 'RO/constructor') and name != 'uuid']

    def default(self, ftype):
        """The empty value of a datamodel type."""
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

    def parse(self, ftype, text):
        """A datamodel default (``'""'``, ``'{}'``, ``'{"k" -> "v"}'``, ``'Null'``, ``'1.'``...) as a value of ``ftype``."""
        text = text.strip()
        if ftype.endswith(' ref'):
            return NULL_REF if text in ('Null', '') else text
        if ftype.endswith(' map'):
            return dict(re.findall(r'"([^"]*)"\s*->\s*"([^"]*)"', text))
        if ftype.endswith(' set'):
            return [item.strip().strip('"') for item in text.strip('{}').split(';') if item.strip()]
        if ftype == 'bool':
            return text == 'true'
        if ftype == 'int':
            return int(text)
        if ftype == 'float':
            return float(text)
        if ftype == 'datetime':
            return xmlrpc.client.DateTime(text)
        return text[1:-1] if len(text) >= 2 and text[0] == text[-1] == '"' else text

    def blank_record(self, cls):
        """A record of ``cls`` with every field at the datamodel's default (or its type's empty value)."""
        cached = self._blank.get(cls)
        if cached is None:
            blank = {name: self.default(ftype) if text is None else self.parse(ftype, text)
                     for name, ftype, _qualifier, text in self.classes[cls]['fields']}
            containers = [(name, type(value)) for name, value in blank.items() if isinstance(value, (dict, list))]
            cached = self._blank[cls] = (blank, containers)
        blank, containers = cached
        record = dict(blank)
        # Defaults are flat: only maps and sets need copies of their own.
        for name, kind in containers:
            record[name] = kind(blank[name])
        return record


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
