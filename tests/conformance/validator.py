"""Validation of recorded exchanges against the vendor OpenAPI files (as :mod:`tests.conformance.spec`
adjusts them, at the paths :mod:`tests.conformance.mapping` maps to).

Requests go through openapi-core (path, query and header parameters, body), plus one check openapi-core
leaves out: a query parameter the operation does not take (such as ``fields`` on
``GET /DeliveryGroups/{nameOrId}/Machines``) is an error. Answers go through openapi-core for the status
code and headers, and their JSON body through jsonschema-rs against the operation's schema converted to
JSON Schema: openapi-core's pure-Python schema validation takes about a second for a page of 200 machines,
jsonschema-rs a few milliseconds.

Cost: the operation is found with one regular expression per spec path (openapi-core's own search tries
every template of the 395 with a parser); and requests or answer headers that differ from one already
validated only in values the spec leaves free (path segments, header values: every such parameter of
these specs is a plain string, which :meth:`_Spec.free_parameters` checks) reuse its result.

Answers that are not the documented API's own are not validated, and are counted apart: the Citrix Cloud
API gateway's problem details (``https://errors-api.cloud.com/common/...``: an unknown or expired token,
a missing ``Accept``, another customer) and seed 001's bare 500 for a request without
``Citrix-CustomerId``, which the gateway sends before DaaS sees the request; 530 for a hibernated site
(``citrix-cloud/facts.md``, not in the spec); and error answers of the resource-locations API, whose spec
documents only its successes.
"""

import json
import re
import threading
from urllib.parse import parse_qs

from tests.conformance import mapping, spec

COLLECTION_USER_AGENT = 'opencitrix.automation'
DRAFT = 'http://json-schema.org/draft-07/schema#'


class Exchange:
    """One request and its answer as the simulator saw them (``response_json``: the body already
    decoded, when the recorder had it)."""

    __slots__ = ('method', 'path', 'query', 'headers', 'body', 'status', 'response_headers', 'response_body',
                 'content_type', 'response_json')

    def __init__(self, method, path, query, headers, body, status, response_headers, response_body, content_type,
                 response_json=None):
        self.method = method.lower()
        self.path = path
        self.query = query if isinstance(query, dict) else parse_qs(query or '', keep_blank_values=True)
        self.headers = dict(headers)
        self.body = body or b''
        self.status = int(status)
        self.response_headers = dict(response_headers)
        self.response_body = response_body or b''
        self.content_type = content_type or ''
        self.response_json = response_json

    @classmethod
    def from_record(cls, record):
        """From a dict of :meth:`Simulator.record`."""
        return cls(record['method'], record['path'], record['query'], record['headers'], record['body'],
                   record['status'], record['response_headers'], record['response_body'], record['content_type'],
                   record.get('response_json'))

    @property
    def from_collection(self):
        """Sent by this collection's transport (tests also send requests of their own, some wrong on purpose)."""
        return (mapping._header(self.headers, 'User-Agent') or '').startswith(COLLECTION_USER_AGENT)

    def json(self):
        if self.response_json is not None:
            return self.response_json
        return json.loads(self.response_body)

    def describe(self):
        query = '&'.join('%s=%s' % (k, v) for k, values in sorted(self.query.items()) for v in values)
        return '%s %s%s -> %s' % (self.method.upper(), self.path, '?' + query if query else '', self.status)


class _Request:
    """openapi-core's request protocol (with a path pattern, so it looks for no template itself)."""

    def __init__(self, exchange, host, server, template, variables):
        from openapi_core.datatypes import RequestParameters
        from werkzeug.datastructures import Headers, ImmutableMultiDict
        self.host_url = host
        self.path = server + template.format(**variables)
        self.path_pattern = server + template
        self.method = exchange.method
        self.body = exchange.body
        self.content_type = (mapping._header(exchange.headers, 'Content-Type') or '').lower()
        self.parameters = RequestParameters(
            path=dict(variables),
            query=ImmutableMultiDict([(k, v) for k, values in exchange.query.items() for v in values]),
            header=Headers(list(exchange.headers.items())), cookie=ImmutableMultiDict())


class _Response:
    def __init__(self, exchange):
        from werkzeug.datastructures import Headers
        self.status_code = exchange.status
        self.headers = Headers(list(exchange.response_headers.items()))
        self.content_type = exchange.content_type.lower()
        self.data = exchange.response_body


def gateway_answer(exchange):
    """True for the answers the Citrix Cloud gateway gives before a request reaches DaaS (and 530, a
    hibernated site, which ``citrix-cloud/facts.md`` documents and the spec does not)."""
    if exchange.status == 530:
        return True
    if exchange.status < 400:
        return False
    try:
        body = exchange.json() if exchange.response_body else None
    except ValueError:
        return False
    if not isinstance(body, dict):
        return False
    if str(body.get('type', '')).startswith('https://errors-api.cloud.com/common/'):
        return True
    return exchange.status == 500 and set(body) == {'activityId', 'message', 'statusCode'}


def _message(error, limit=300):
    text = ' '.join(str(getattr(error, 'message', None) or error).split())
    cause = error.__cause__
    if cause is not None and getattr(cause, 'schema_errors', None):
        text += ': ' + '; '.join(' '.join(str(e.message).split())[:200] for e in cause.schema_errors[:3])
    elif cause is not None:
        text += ': ' + ' '.join(str(cause).split())
    return text[:limit]


def _schema_message(error):
    """jsonschema-rs's message, looking through the ``anyOf`` that a nullable property becomes."""
    context = getattr(error.kind, 'context', None) if type(error.kind).__name__ == 'AnyOf' else None
    if context:
        inner = [e for branch in context for e in branch if 'of type "null"' not in str(e.message)]
        if inner:
            return _schema_message(inner[0])
    return ' '.join(str(error.message).split())


class _Spec:
    """One adjusted OpenAPI document: its operations by regular expression, openapi-core for parameters
    and headers, and jsonschema-rs validators of answer bodies, compiled on first use."""

    def __init__(self, name, document):
        from openapi_core import Config, OpenAPI
        from openapi_core.validation.response.validators import V30ResponseHeadersValidator
        self.name = name
        self.document = document
        # The 2023 DaaS file breaks OpenAPI's own schema in a few hundred places (``nullable`` beside
        # ``allOf``, patterns); checking the file would only repeat that.
        self.api = OpenAPI.from_dict(document, config=Config(spec_validator_cls=None))
        self.headers_validator = V30ResponseHeadersValidator(self.api.spec)
        self.templates = self._template_table(document.get('paths', {}))
        self._registries = {}
        self._bodies = {}
        self._lock = threading.Lock()

    @staticmethod
    def _template_table(paths):
        """``(regex, template, variable names)`` of every path, the most concrete first (as openapi-core
        orders them: fewer variables first)."""
        table = []
        for template in paths:
            names = re.findall(r'{([^}]+)}', template)
            literals = re.split(r'{[^}]+}', template)
            pattern = re.escape(literals[0]) + ''.join('([^/]+)' + re.escape(literal) for literal in literals[1:])
            table.append((len(names), re.compile('^%s$' % pattern), template, names))
        table.sort(key=lambda row: row[0])
        return [(regex, template, names) for _count, regex, template, names in table]

    def operation(self, method, below):
        """``(template, variables)`` of the spec's operation for ``method`` on ``below`` (a path under the
        server), or None."""
        for regex, template, names in self.templates:
            match = regex.match(below)
            if match and method in self.document['paths'][template]:
                return template, dict(zip(names, match.groups()))
        return None

    def parameters(self, template, method, where=None):
        path_item = self.document['paths'][template]
        return [p for p in list(path_item.get('parameters') or ()) + list(path_item[method].get('parameters') or ())
                if where is None or p.get('in') == where]

    def free_parameters(self, template, method):
        """Lower-case names of the path and header parameters whose value the spec does not constrain (a
        plain string): their values never change a validation's outcome."""
        return set(p['name'].lower() for p in self.parameters(template, method)
                   if p.get('in') in ('path', 'header')
                   and set((p.get('schema') or {}).keys()) <= {'type', 'nullable'}
                   and (p.get('schema') or {}).get('type', 'string') == 'string')

    def _base(self, partial):
        return 'urn:conformance:%s%s' % (self.name, ':partial' if partial else '')

    def _rebased(self, node, base):
        if isinstance(node, dict):
            return {k: (base + v if k == '$ref' and isinstance(v, str) and v.startswith('#') else self._rebased(v, base))
                    for k, v in node.items()}
        if isinstance(node, list):
            return [self._rebased(v, base) for v in node]
        return node

    def _registry(self, partial):
        import jsonschema_rs
        if partial not in self._registries:
            base = self._base(partial)
            resource = self._rebased(spec.to_json_schema({'components': self.document.get('components', {})}, partial),
                                     base)
            resource['$schema'] = DRAFT
            self._registries[partial] = jsonschema_rs.Registry([(base, resource)])
        return self._registries[partial]

    def response(self, template, method, status):
        responses = self.document['paths'][template][method].get('responses', {})
        return responses.get(str(status)) or responses.get('default') or {}

    def body_validator(self, template, method, status, media, partial=False):
        """The jsonschema-rs validator of an answer's body (None when the spec gives it no schema);
        ``partial``: the answer to a request with ``fields`` (spec rule 7)."""
        import jsonschema_rs
        key = (template, method, status, media, partial)
        with self._lock:
            if key not in self._bodies:
                content = self.response(template, method, status).get('content') or {}
                schema = (content.get(media) or {}).get('schema')
                self._bodies[key] = None if schema is None else jsonschema_rs.validator_for(
                    dict(self._rebased(spec.to_json_schema(schema, partial), self._base(partial)), **{'$schema': DRAFT}),
                    registry=self._registry(partial))
            return self._bodies[key]


class Conformance:
    """Validates exchanges; thread-safe, specs loaded on first use. ``counts`` says what it saw."""

    def __init__(self):
        self._specs = {}
        self._lock = threading.Lock()
        self._known = {}
        self.counts = {'requests': 0, 'responses': 0, 'invalid_requests': 0, 'invalid_responses': 0,
                       'not_validated': 0, 'nulls_accepted': 0}

    def spec(self, name):
        with self._lock:
            if name not in self._specs:
                if name == mapping.DAAS:
                    document = spec.adjust(spec.load(spec.DAAS_SPEC), spec.current_enums())
                else:
                    document = spec.adjust(spec.load(spec.RESOURCE_LOCATIONS_SPEC))
                self._specs[name] = _Spec(name, document)
            return self._specs[name]

    def check(self, exchange):
        """Validate one exchange; returns its problems, one line each (``request: ...`` / ``response: ...``)."""
        where = mapping.spec_url(exchange.path, exchange.headers)
        if where is None:
            return []
        name, host, server, below = where
        target = self.spec(name)
        found = target.operation(exchange.method, below)
        if found is None:
            problems = ['request: %s %s is not an operation of the %s spec' % (exchange.method.upper(), below, name)]
        else:
            template, variables = found
            request = _Request(exchange, host, server, template, variables)
            problems = []
            if exchange.from_collection:
                problems.extend('request: ' + p for p in self._request_problems(target, template, request, exchange))
            problems.extend('response: ' + p for p in self._response_problems(target, template, request, exchange))
        with self._lock:
            if exchange.from_collection:
                self.counts['requests'] += 1
                self.counts['invalid_requests'] += any(p.startswith('request') for p in problems)
            self.counts['invalid_responses'] += any(p.startswith('response') for p in problems)
        return problems

    def _remembered(self, key, compute):
        """``compute()``, or its result for an earlier identical ``key``."""
        with self._lock:
            if key in self._known:
                return self._known[key]
        result = compute()
        with self._lock:
            self._known[key] = result
        return result

    def _request_problems(self, target, template, request, exchange):
        free = target.free_parameters(template, exchange.method)
        key = ('request', target.name, template, exchange.method,
               tuple(sorted((k, tuple(v)) for k, v in exchange.query.items())),
               tuple(sorted((k.lower(), None if k.lower() in free else v) for k, v in exchange.headers.items())),
               exchange.body)

        def compute():
            problems = [_message(error) for error in target.api.iter_request_errors(request)]
            known = set(p['name'].lower() for p in target.parameters(template, exchange.method, 'query'))
            operation = '%s %s' % (exchange.method.upper(), template)
            problems.extend('query parameter "%s" is not a parameter of %s' % (name, operation)
                            for name in sorted(exchange.query) if name.lower() not in known)
            return problems
        return self._remembered(key, compute)

    def _response_problems(self, target, template, request, exchange):
        if gateway_answer(exchange) or (target.name == mapping.RESOURCE_LOCATIONS and exchange.status >= 400):
            with self._lock:
                self.counts['not_validated'] += 1
            return []
        with self._lock:
            self.counts['responses'] += 1
        validator = target.headers_validator
        problems = self._remembered(
            ('headers', target.name, template, exchange.method, exchange.status,
             tuple(sorted(k.lower() for k in exchange.response_headers))),
            lambda: [_message(error) for error in validator.iter_errors(request, _Response(exchange))])
        if problems:
            return problems
        media = exchange.content_type.split(';', 1)[0].strip().lower()
        partial = any(name.lower() == 'fields' for name in exchange.query)
        validator = target.body_validator(template, exchange.method, exchange.status, media or 'application/json',
                                          partial)
        if validator is None:
            content = target.response(template, exchange.method, exchange.status).get('content')
            if content and media not in content:
                return ['content type "%s" is not one of %s' % (media, ', '.join(sorted(content)))]
            if not content and exchange.response_body:
                return ['a body where the spec documents none (%d bytes)' % len(exchange.response_body)]
            return []
        try:
            body = exchange.json()
        except ValueError as exc:
            return ['body is not JSON (%s)' % exc]
        errors = list(validator.iter_errors(body))
        if not errors:
            with self._lock:
                # Nulls in the JSON text as sent (an upper bound: the word inside a string counts too).
                self.counts['nulls_accepted'] += exchange.response_body.count(b'null')
        return ['%s at /%s' % (_schema_message(e)[:200], '/'.join(str(p) for p in e.instance_path)) for e in errors[:5]]
