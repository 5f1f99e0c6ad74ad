"""The XenServer simulator's object store: records by class and ``OpaqueRef``, a generation counter
that every change bumps (the basis of ``event.from`` tokens), deletion history for ``del`` events and
``EVENTS_LOST``, and the XAPI filter language of ``get_all_records_where``.

All state changes go through :class:`Database`, under its lock, so concurrent XML-RPC calls see a
consistent pool and ``event.from`` callers wake up on every change.
"""

import collections
import re
import threading
import uuid

from tests.simulator.services.xenserver.wire import datetime
from tests.simulator.services.xenserver.xenapi_model import NULL_REF


class XenFailure(Exception):
    """A XenAPI failure: answered as ``{"Status": "Failure", "ErrorDescription": [code, *params]}``."""

    def __init__(self, code, *params):
        super().__init__(code)
        self.code = code
        self.params = [str(p) for p in params]

    @property
    def description(self):
        return [self.code] + self.params


def new_ref():
    return 'OpaqueRef:%s' % uuid.uuid4()


class Database:
    """Records of every class of the datamodel, with created/modified generations per object and the
    simulator time (``clock``) of its last change, which events carry as ``timestamp``."""

    def __init__(self, model, event_classes, deleted_history=2000, clock=None):
        self.model = model
        self.clock = clock
        self.lock = threading.RLock()
        self.changed = threading.Condition(self.lock)
        self.generation = 0
        self.tables = {cls: {} for cls in model.classes}
        self.stats = {cls: {} for cls in model.classes}  # ref -> [created, modified, time of the last change]
        self.event_classes = tuple(event_classes)
        self.deleted = collections.deque()  # (class, ref, created, deleted, time, uuid)
        self.deleted_history = deleted_history
        self.forgotten = 0  # highest generation whose deletion record was dropped
        self.by_uuid = {cls: {} for cls in model.classes}

    # -- changes --------------------------------------------------------------------------------

    def _bump(self):
        self.generation += 1
        return self.generation

    def _now(self):
        return self.clock.now() if self.clock is not None else 0.0

    def create(self, *args, **fields):
        """A new object of class ``args[0]`` (under reference ``args[1]`` when given) with ``fields``; the
        others take the datamodel's defaults. Positional, because ``cls`` is also a field (of ``message``)."""
        cls = args[0]
        with self.lock:
            ref = args[1] if len(args) > 1 and args[1] else new_ref()
            record = self.model.blank_record(cls)
            unknown = [name for name in fields if name not in record]
            if unknown:
                raise KeyError('%s has no field %s' % (cls, ', '.join(unknown)))
            record['uuid'] = str(uuid.uuid4())
            record.update(fields)
            gen = self._bump()
            self.tables[cls][ref] = record
            self.stats[cls][ref] = [gen, gen, self._now()]
            self.by_uuid[cls][record['uuid']] = ref
            self.changed.notify_all()
            return ref

    def update(self, cls, ref, **fields):
        with self.lock:
            record = self.get(cls, ref)
            record.update(fields)
            stat = self.stats[cls][ref]
            stat[1], stat[2] = self._bump(), self._now()
            self.changed.notify_all()
            return record

    def touch(self, cls, ref):
        """Mark an object modified after an in-place change of one of its maps or sets."""
        self.update(cls, ref)

    def destroy(self, cls, ref):
        with self.lock:
            record = self.get(cls, ref)
            created = self.stats[cls].pop(ref)[0]
            del self.tables[cls][ref]
            self.by_uuid[cls].pop(record['uuid'], None)
            self.deleted.append((cls, ref, created, self._bump(), self._now(), record.get('uuid')))
            while len(self.deleted) > self.deleted_history:
                self.forgotten = max(self.forgotten, self.deleted.popleft()[3])
            self.changed.notify_all()
            return record

    def forget_deletions(self):
        """Drop the deletion history, as a server under event pressure does: older tokens then get
        ``EVENTS_LOST``."""
        with self.lock:
            self.forgotten = self.generation
            self.deleted.clear()

    # -- reads ----------------------------------------------------------------------------------

    def get(self, cls, ref):
        record = self.tables[cls].get(ref)
        if record is None:
            raise XenFailure('HANDLE_INVALID', cls, ref)
        return record

    def exists(self, cls, ref):
        return ref in self.tables[cls]

    def find(self, cls, ref):
        return self.tables[cls].get(ref)

    def all(self, cls):
        return self.tables[cls]

    def by_uuid_ref(self, cls, value):
        ref = self.by_uuid[cls].get(value)
        if ref is None:
            raise XenFailure('UUID_INVALID', cls, value)
        return ref

    def where(self, cls, expression):
        predicate = parse_filter(expression)
        return {ref: rec for ref, rec in self.tables[cls].items() if predicate(rec)}

    # -- events ---------------------------------------------------------------------------------

    def events_since(self, subscriptions, since):
        """``(events, last_generation)`` for the objects ``subscriptions`` select: ``add`` for objects
        created after ``since``, ``mod`` for those only modified after it, ``del`` for deletions; each
        with the fields of the datamodel's event record (``id``, ``timestamp``, ``class``, ``operation``,
        ``ref``, ``obj_uuid`` and, unless deleted, ``snapshot``)."""
        with self.lock:
            if since and since < self.forgotten:
                raise XenFailure('EVENTS_LOST')
            found = []
            for cls in self.event_classes:
                lower = cls.lower()
                if subscriptions.covers_class(lower):
                    refs = self.stats[cls].keys()
                else:
                    refs = subscriptions.objects_of(lower)
                for ref in refs:
                    stat = self.stats[cls].get(ref)
                    if stat is None:
                        continue
                    created, modified, when = stat
                    if created > since:
                        found.append((created, cls, ref, 'add', when, None))
                    elif modified > since:
                        found.append((modified, cls, ref, 'mod', when, None))
            for cls, ref, created, deleted, when, uuid_ in self.deleted:
                if deleted > since and created <= since and subscriptions.matches(cls.lower(), ref):
                    found.append((deleted, cls, ref, 'del', when, uuid_))
            found.sort(key=lambda item: item[0])
            events = []
            for gen, cls, ref, operation, when, uuid_ in found:
                event = {'id': str(gen), 'timestamp': datetime(when), 'class': cls.lower(), 'operation': operation,
                         'ref': ref}
                if operation != 'del':
                    event['snapshot'] = self.tables[cls][ref]
                    uuid_ = event['snapshot'].get('uuid')
                event['obj_uuid'] = uuid_ or ''
                events.append(event)
            return events, self.generation

    def valid_ref_counts(self):
        with self.lock:
            return {cls.lower(): len(self.tables[cls]) for cls in self.event_classes}


class Subscriptions:
    """``event.from`` classes: ``*``, a class name, or ``class/ref`` (class names case-insensitive)."""

    def __init__(self, entries):
        self.all = False
        self.classes = set()
        self.objects = collections.defaultdict(set)
        for entry in entries:
            if not isinstance(entry, str):
                raise XenFailure('EVENT_SUBSCRIPTION_PARSE_FAILURE', entry)
            if entry == '*':
                self.all = True
                continue
            cls, _sep, ref = entry.partition('/')
            cls = cls.lower()
            if not cls:
                raise XenFailure('EVENT_SUBSCRIPTION_PARSE_FAILURE', entry)
            if ref:
                self.objects[cls].add(ref)
            else:
                self.classes.add(cls)

    def covers_class(self, cls):
        return self.all or cls in self.classes

    def objects_of(self, cls):
        return self.objects.get(cls, ())

    def matches(self, cls, ref):
        return self.covers_class(cls) or ref in self.objects.get(cls, ())


# -- the XAPI filter language (get_all_records_where) ------------------------------------------

_TOKEN = re.compile(r'\s*(?:(?P<string>"[^"]*")|(?P<op><>|=|\(|\))|(?P<word>[A-Za-z_]+))')


def _tokens(text):
    position, out = 0, []
    text = text or ''
    while position < len(text):
        if text[position:].strip() == '':
            break
        match = _TOKEN.match(text, position)
        if not match:
            raise XenFailure('INTERNAL_ERROR', 'Db_filter.Expression_error(%s)' % text)
        position = match.end()
        if match.group('string') is not None:
            out.append(('string', match.group('string')[1:-1]))
        elif match.group('op') is not None:
            out.append(('op', match.group('op')))
        else:
            out.append(('word', match.group('word').lower()))
    return out


def _as_text(value):
    if isinstance(value, bool):
        return 'true' if value else 'false'
    if value is None:
        return NULL_REF
    return str(value)


def parse_filter(text):
    """A predicate over records for an expression such as
    ``field "name_label"="web01" and not (field "is_a_template"="true")``."""
    tokens = _tokens(text)
    position = [0]

    def peek():
        return tokens[position[0]] if position[0] < len(tokens) else (None, None)

    def take(kind=None, value=None):
        token = peek()
        if token[0] is None or (kind and token[0] != kind) or (value and token[1] != value):
            raise XenFailure('INTERNAL_ERROR', 'Db_filter.Expression_error(%s)' % text)
        position[0] += 1
        return token

    def operand():
        kind, value = peek()
        if kind == 'word' and value == 'field':
            take()
            name = take('string')[1]
            return lambda rec: _as_text(rec.get(name))
        if kind == 'string':
            take()
            return lambda rec: value
        raise XenFailure('INTERNAL_ERROR', 'Db_filter.Expression_error(%s)' % text)

    def atom():
        kind, value = peek()
        if kind == 'word' and value in ('true', 'false'):
            take()
            constant = value == 'true'
            return lambda rec: constant
        if kind == 'word' and value == 'not':
            take()
            inner = atom()
            return lambda rec: not inner(rec)
        if kind == 'op' and value == '(':
            take()
            inner = disjunction()
            take('op', ')')
            return inner
        left = operand()
        comparison = take('op')[1]
        right = operand()
        if comparison == '=':
            return lambda rec: left(rec) == right(rec)
        if comparison == '<>':
            return lambda rec: left(rec) != right(rec)
        raise XenFailure('INTERNAL_ERROR', 'Db_filter.Expression_error(%s)' % text)

    def conjunction():
        parts = [atom()]
        while peek() == ('word', 'and'):
            take()
            parts.append(atom())
        return parts[0] if len(parts) == 1 else (lambda rec: all(p(rec) for p in parts))

    def disjunction():
        parts = [conjunction()]
        while peek() == ('word', 'or'):
            take()
            parts.append(conjunction())
        return parts[0] if len(parts) == 1 else (lambda rec: any(p(rec) for p in parts))

    predicate = disjunction()
    if position[0] != len(tokens):
        raise XenFailure('INTERNAL_ERROR', 'Db_filter.Expression_error(%s)' % text)
    return predicate
