"""Validation of recorded exchanges against the vendor OpenAPI files (as :mod:`tests.conformance.spec`
adjusts them, at the paths :mod:`tests.conformance.mapping` maps to).

Requests go through openapi-core whole (operation, path, query and header parameters, body), plus one
check openapi-core leaves out: a query parameter the operation does not take (such as ``fields`` on
``GET /DeliveryGroups/{nameOrId}/Machines``) is an error. Answers go through openapi-core for the status
code and headers, and their JSON body through jsonschema-rs against the operation's schema converted to
JSON Schema: openapi-core's pure-Python schema validation takes about a second for a page of 200 machines,
jsonschema-rs a few milliseconds, and the integration tests read thousands of machines.

Answers that are not the documented API's own are not validated, and are counted apart: the Citrix Cloud
API gateway's problem details (``https://errors-api.cloud.com/common/...``: an unknown or expired token,
a missing ``Accept``, another customer) and seed 001's bare 500 for a request without
``Citrix-CustomerId``, which the gateway sends before DaaS sees the request; and error answers of the
resource-locations API, whose spec documents only its successes.
"""

import json
import threading
from urllib.parse import parse_qs

from tests.conformance import mapping, spec

COLLECTION_USER_AGENT = 'opencitrix.automation'
DRAFT = 'http://json-schema.org/draft-07/schema#'


class Exchange:
    """One request and its answer as the simulator saw them."""

    __slots__ = ('method', 'path', 'query', 'headers', 'body', 'status', 'response_headers', 'response_body',
                 'content_type', 'route')

    def __init__(self, method, path, query, headers, body, status, response_headers, response_body, content_type,
                 route=None):
        self.method = method.lower()
        self.path = path
        self.query = query if isinstance(query, dict) else parse_qs(query or '', keep_blank_values=True)
        self.headers = dict(headers)
        self.body = body or b''
        self.status = int(status)
        self.response_headers = dict(response_headers)
        self.response_body = response_body or b''
        self.content_type = content_type or ''
        self.route = route

    @property
    def from_collection(self):
        """Sent by this collection's transport (tests also send requests of their own, some wrong on purpose)."""
        agent = mapping._header(self.headers, 'User-Agent') or ''
        return agent.startswith(COLLECTION_USER_AGENT)

    def describe(self):
        query = '&'.join('%s=%s' % (k, v) for k, values in sorted(self.query.items()) for v in values)
        return '%s %s%s -> %s' % (self.method.upper(), self.path, '?' + query if query else '', self.status)


class _Request:
    """openapi-core's request protocol over an :class:`Exchange` at its mapped URL."""

    def __init__(self, exchange, host_url, path):
        from openapi_core.datatypes import RequestParameters
        from werkzeug.datastructures import Headers, ImmutableMultiDict
        self.host_url = host_url
        self.path = path
        self.method = exchange.method
        self.body = exchange.body
        self.content_type = (mapping._header(exchange.headers, 'Content-Type') or '').lower()
        self.parameters = RequestParameters(
            path={}, query=ImmutableMultiDict([(k, v) for k, values in exchange.query.items() for v in values]),
            header=Headers(list(exchange.headers.items())), cookie=ImmutableMultiDict())


class _Response:
    def __init__(self, exchange):
        from werkzeug.datastructures import Headers
        self.status_code = exchange.status
        self.headers = Headers(list(exchange.response_headers.items()))
        self.content_type = exchange.content_type.lower()
        self.data = exchange.response_body


def gateway_answer(exchange):
    """True for the answers the Citrix Cloud gateway gives before a request reaches DaaS."""
    try:
        body = json.loads(exchange.response_body) if exchange.response_body else None
    except ValueError:
        return False
    if not isinstance(body, dict):
        return False
    if str(body.get('type', '')).startswith('https://errors-api.cloud.com/common/'):
        return True
    return exchange.status == 500 and set(body) == {'activityId', 'message', 'statusCode'}


def count_nulls(value):
    if value is None:
        return 1
    if isinstance(value, dict):
        return sum(count_nulls(v) for v in value.values())
    if isinstance(value, list):
        return sum(count_nulls(v) for v in value)
    return 0


def _message(error, limit=300):
    text = ' '.join(str(getattr(error, 'message', None) or error).split())
    cause = error.__cause__
    if cause is not None and getattr(cause, 'schema_errors', None):
        text += ': ' + '; '.join(' '.join(str(e.message).split())[:200] for e in cause.schema_errors[:3])
    elif cause is not None:
        text += ': ' + ' '.join(str(cause).split())
    return text[:limit]


class _Spec:
    """One adjusted OpenAPI document: openapi-core for operations, parameters and headers; jsonschema-rs
    validators of response bodies, compiled on first use."""

    def __init__(self, name, document):
        from openapi_core import Config, OpenAPI
        from openapi_core.templating.paths.finders import APICallPathFinder
        self.name = name
        self.document = document
        # The 2023 DaaS file breaks OpenAPI's own schema in a few hundred places (``nullable`` beside
        # ``allOf``, patterns); checking it would only repeat that.
        self.api = OpenAPI.from_dict(document, config=Config(spec_validator_cls=None))
        self.finder = APICallPathFinder(self.api.spec)
        self._registries = {}
        self._bodies = {}
        self._lock = threading.Lock()

    def _base(self, partial):
        return 'urn:conformance:%s%s' % (self.name, ':partial' if partial else '')

    def _rebased(self, node, base):
        if isinstance(node, dict):
            return {k: (base + v if k == '$ref' and isinstance(v, str) and v.startswith('#') else self._rebased(v, base))
                    for k, v in node.items()}
        if isinstance(node, list):
            return [self._rebased(v, base) for v in node]
        return node

    def registry(self, partial):
        import jsonschema_rs
        if partial not in self._registries:
            base = self._base(partial)
            resource = self._rebased(spec.to_json_schema({'components': self.document.get('components', {})}, partial),
                                     base)
            resource['$schema'] = DRAFT
            self._registries[partial] = jsonschema_rs.Registry([(base, resource)])
        return self._registries[partial]

    def operation(self, method, url):
        """``(template, operation dict)``; raises openapi-core's PathError when the spec has no such operation."""
        found = self.finder.find(method, url)
        template = found.path_result.pattern
        return template, self.document['paths'][template][method]

    def parameters(self, template, method, where):
        path_item = self.document['paths'][template]
        return [p for p in list(path_item.get('parameters') or ()) + list(path_item[method].get('parameters') or ())
                if p.get('in') == where]

    def body_validator(self, template, method, status, media, partial=False):
        """The jsonschema-rs validator of an answer's body (None when the spec gives it no schema);
        ``partial``: the answer to a request with ``fields`` (spec rule 7)."""
        import jsonschema_rs
        key = (template, method, status, media, partial)
        with self._lock:
            if key not in self._bodies:
                responses = self.document['paths'][template][method].get('responses', {})
                response = responses.get(str(status)) or responses.get('default') or {}
                content = response.get('content') or {}
                schema = (content.get(media) or {}).get('schema')
                self._bodies[key] = None if schema is None else jsonschema_rs.validator_for(
                    dict(self._rebased(spec.to_json_schema(schema, partial), self._base(partial)), **{'$schema': DRAFT}),
                    registry=self.registry(partial))
            return self._bodies[key]


class Conformance:
    """Validates exchanges; thread-safe, specs loaded on first use. ``result()`` counts what it saw."""

    def __init__(self):
        self._specs = {}
        self._lock = threading.Lock()
        self.counts = {'requests': 0, 'responses': 0, 'invalid_requests': 0, 'invalid_responses': 0,
                       'not_validated': 0, 'nulls_accepted': 0}
        self.problems = []

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
        """Validate one exchange; returns its problems (strings), also kept in ``problems``."""
        where = mapping.spec_url(exchange.path, exchange.headers)
        if where is None:
            return []
        name, host, path = where
        target = self.spec(name)
        problems = []
        try:
            template, operation = target.operation(exchange.method, host + path)
        except Exception as exc:  # openapi-core's PathNotFound / OperationNotFound
            problems.append('request: %s is not an operation of the %s spec (%s)' % (path, name, type(exc).__name__))
            template = operation = None
        request = _Request(exchange, host, path)
        if operation is not None and exchange.from_collection:
            problems.extend('request: ' + p for p in self._request_problems(target, template, request, exchange))
        if operation is not None:
            problems.extend('response: ' + p for p in self._response_problems(target, template, request, exchange))
        with self._lock:
            if exchange.from_collection:
                self.counts['requests'] += 1
                if any(p.startswith('request') for p in problems):
                    self.counts['invalid_requests'] += 1
            if any(p.startswith('response') for p in problems):
                self.counts['invalid_responses'] += 1
            for problem in problems:
                self.problems.append('%s: %s' % (exchange.describe(), problem))
        return problems

    def _request_problems(self, target, template, request, exchange):
        problems = [_message(error) for error in target.api.iter_request_errors(request)
                    if type(error).__name__ != 'SecurityValidationError' or exchange.method != 'post'
                    or not template.endswith('/tokens')]
        known = set(p['name'].lower() for p in target.parameters(template, exchange.method, 'query'))
        problems.extend('query parameter "%s" is not a parameter of %s %s' % (name, exchange.method.upper(), template)
                        for name in sorted(exchange.query) if name.lower() not in known)
        return problems

    def _response_problems(self, target, template, request, exchange):
        if gateway_answer(exchange) or (target.name == mapping.RESOURCE_LOCATIONS and exchange.status >= 400):
            with self._lock:
                self.counts['not_validated'] += 1
            return []
        from openapi_core.validation.response.validators import V30ResponseHeadersValidator
        with self._lock:
            self.counts['responses'] += 1
        problems = [_message(error) for error in
                    V30ResponseHeadersValidator(target.api.spec).iter_errors(request, _Response(exchange))]
        if problems:
            return problems
        media = exchange.content_type.split(';', 1)[0].strip().lower()
        partial = any(name.lower() == 'fields' for name in exchange.query)
        validator = target.body_validator(template, exchange.method, exchange.status, media or 'application/json', partial)
        if validator is None:
            responses = target.document['paths'][template][exchange.method].get('responses', {})
            response = responses.get(str(exchange.status)) or responses.get('default') or {}
            if response.get('content') and media not in response['content']:
                return ['content type "%s" is not one of %s' % (media, ', '.join(sorted(response['content'])))]
            if not response.get('content') and exchange.response_body:
                return ['a body where the spec documents none (%d bytes)' % len(exchange.response_body)]
            return []
        try:
            body = json.loads(exchange.response_body)
        except ValueError as exc:
            return ['body is not JSON (%s)' % exc]
        errors = list(validator.iter_errors(body))
        if not errors:
            with self._lock:
                self.counts['nulls_accepted'] += count_nulls(body)
        return ['%s at /%s' % (_schema_message(e)[:200], '/'.join(str(p) for p in e.instance_path)) for e in errors[:5]]


def _schema_message(error):
    """jsonschema-rs's message, looking through the ``anyOf`` that a nullable property becomes."""
    context = getattr(error.kind, 'context', None) if type(error.kind).__name__ == 'AnyOf' else None
    if context:
        inner = [e for branch in context for e in branch if 'of type "null"' not in str(e.message)]
        if inner:
            return _schema_message(inner[0])
    return ' '.join(str(error.message).split())
