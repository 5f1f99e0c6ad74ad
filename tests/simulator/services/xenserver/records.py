"""The records ``<class>.create`` takes, read the way xapi reads them: every constructor field of the class
(RW or RO/constructor in the datamodel), each checked against its type; a field the caller left out takes
the datamodel's default (fields added in later API versions have one, so older clients can omit them),
and a missing field without a default, or a value of the wrong type, is ``FIELD_TYPE_ERROR [field]``.
Fields the class does not have are ignored, as xapi ignores them."""

import xmlrpc.client

from tests.simulator.services.xenserver.xenapi_db import XenFailure
from tests.simulator.services.xenserver.xenapi_model import NULL_REF


class RecordReader:
    """Reads create records against ``model``; references must name objects of ``db``."""

    def __init__(self, db, model):
        self.db = db
        self.model = model

    def fields(self, cls, record):
        """``{field: value}`` for a new ``cls`` object from the caller's ``record`` (a map)."""
        if not isinstance(record, dict):
            raise XenFailure('FIELD_TYPE_ERROR', 'args')
        fields = {}
        for name, ftype, default in self.model.constructor_fields(cls):
            if name not in record:
                if default is None:
                    raise XenFailure('FIELD_TYPE_ERROR', name)
                fields[name] = default
                continue
            fields[name] = self.value(name, ftype, record[name])
        return fields

    def value(self, name, ftype, value):
        """``value`` as a ``ftype`` (ints may come as text, their wire form), or FIELD_TYPE_ERROR."""
        try:
            return self._value(ftype, value)
        except (TypeError, ValueError):
            raise XenFailure('FIELD_TYPE_ERROR', name)

    def _value(self, ftype, value):
        if ftype == 'int':
            if isinstance(value, bool):
                raise TypeError(value)
            return int(value)
        if ftype == 'float':
            return float(value)
        if ftype == 'bool':
            if not isinstance(value, bool):
                raise TypeError(value)
            return value
        if ftype == 'datetime':
            return value if isinstance(value, xmlrpc.client.DateTime) else xmlrpc.client.DateTime(str(value))
        if ftype.endswith(' map'):
            if not isinstance(value, dict):
                raise TypeError(value)
            return {str(k): v for k, v in value.items()}
        if ftype.endswith(' set'):
            if not isinstance(value, list):
                raise TypeError(value)
            return list(value)
        if not isinstance(value, str):
            raise TypeError(value)
        if ftype.startswith('enum '):
            for choice in self.model.enums.get(ftype.split()[1], ()):
                if choice.lower() == value.lower():
                    return choice
            raise ValueError(value)
        if ftype.endswith(' ref') and value != NULL_REF:
            cls = ftype[:-len(' ref')]
            if cls in self.model.classes:
                self.db.get(cls, value)
        return value
