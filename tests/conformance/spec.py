"""The vendor OpenAPI files as the conformance check reads them: loaded once per process (the 3.4 MB DaaS
YAML takes seconds to parse, so a pickle of it is kept under ``.cache/conformance``, keyed by the files'
contents), then adjusted in :func:`adjust`, the one place where this project departs from the files.

What :func:`adjust` changes, and why (every other byte of the specs is taken as written):

1. **Enum wrappers typed ``object``.** The DaaS spec was converted from Swagger 2; a property whose type is
   an enum reads ``{"allOf": [{"$ref": "#/components/schemas/PowerState"}], "type": "object"}``, although
   the enum itself is ``type: string`` and the API sends a string. The ``type: object`` beside an ``allOf``
   of an enum is dropped.
2. **``Location`` (and ``ETag``) response headers typed ``object``.** Same conversion; a header is a
   string. They become ``type: string``.
3. **Empty ``content: {}``** on 202/204 answers means "no body"; the key is removed, so an answer with a
   body there is reported and one without is accepted.
4. **Enums from ``daas/enums.json``.** The 2023 spec's enum lists are older than the current API's; the
   23 lists in ``enums.json`` (current) replace the spec's lists of the same name.
5. **Nulls.** The live API serialises every property it has no value for as ``null``: seed 002 shows
   ``null`` for optional strings, integers, booleans, enums, arrays and objects alike (``Description``,
   ``LoadIndex``, ``IsAssigned``, ``RegistrationState``, ``SupportedPowerActions``, ``Hosting``
   members...), although the spec marks none of them ``nullable``. So ``null`` is accepted for every
   property a schema does not list as ``required``. For a required property, ``null`` is accepted only
   where seed 002 shows it (:data:`SEED_REQUIRED_NULLS`: the machine embedded in a session has
   ``"Id": null`` and ``"Sid": null``). The validator counts the nulls it let through, so a report can
   say how much rests on this rule.
6. **Query parameters of the current API.** ``fields`` (a comma-separated list of the properties to
   return) is documented today for ``GET /Machines``, ``GET /Sessions`` and ``GET /Sessions/{id}``, and
   for "most list calls" (``daas/facts.md``), not in the 2023 file; it is added to those and to
   ``GET /DeliveryGroups`` (:data:`CURRENT_QUERY_PARAMETERS`). ``GET /DeliveryGroups/{nameOrId}/Machines``,
   the documented exception, still takes none.
7. **Answers to ``fields``** carry only the properties asked for, so when a request names ``fields``
   the answer's objects are validated without their ``required`` lists (:func:`to_json_schema` with
   ``partial``); types, enums and formats of what is there still apply.
8. **``additionalProperties: {type: object}``** is how the conversion wrote .NET's
   ``Dictionary<string, object>``, whose values are any JSON value: ``GET /Jobs/{id}/Results`` answers a
   batch job's ``{"Items": [...]}`` (``daas/batch.md``) under that schema. Such ``additionalProperties``
   admit any value.

Paths are mapped to the spec's (``/cvad/manage/X`` -> ``/techpreview/{customerid}/{siteid}/X``) in
:mod:`tests.conformance.mapping`.
"""

import copy
import hashlib
import json
import os
import pickle
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SPECS = os.path.join(os.path.dirname(ROOT), 'shared', 'specs')
DAAS_SPEC = os.path.join(SPECS, 'daas', 'openapi.yaml')
DAAS_ENUMS = os.path.join(SPECS, 'daas', 'enums.json')
RESOURCE_LOCATIONS_SPEC = os.path.join(SPECS, 'citrix-cloud', 'resourcelocations', 'openapi.yaml')
CACHE = os.path.join(ROOT, '.cache', 'conformance')

# Required properties that seed 002 shows as null: (schema name, property).
SEED_REQUIRED_NULLS = frozenset([('MachineBaseResponseModel', 'Id'), ('MachineResponseModel_allOf', 'Sid')])
SITE = '/techpreview/{customerid}/{siteid}'
CURRENT_QUERY_PARAMETERS = {
    (SITE + '/Machines', 'get'): ('fields',),
    (SITE + '/Sessions', 'get'): ('fields',),
    (SITE + '/Sessions/{id}', 'get'): ('fields',),
    (SITE + '/DeliveryGroups', 'get'): ('fields',),
}


def _read_yaml(path):
    import yaml
    loader = getattr(yaml, 'CSafeLoader', yaml.SafeLoader)
    with open(path, 'rb') as handle:
        return yaml.load(handle, Loader=loader)


def load(path):
    """The OpenAPI document at ``path`` as Python data, from the pickle cache when the file is unchanged."""
    with open(path, 'rb') as handle:
        digest = hashlib.sha256(handle.read()).hexdigest()[:24]
    cached = os.path.join(CACHE, '%s-%s.pickle' % (os.path.basename(os.path.dirname(path)), digest))
    try:
        with open(cached, 'rb') as handle:
            return pickle.load(handle)
    except (OSError, EOFError, pickle.UnpicklingError):
        pass
    document = _read_yaml(path)
    os.makedirs(CACHE, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=CACHE, suffix='.tmp')
    with os.fdopen(fd, 'wb') as handle:
        pickle.dump(document, handle, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(temporary, cached)  # atomic: parallel workers may write the same cache
    return document


def current_enums():
    with open(DAAS_ENUMS, encoding='utf-8') as handle:
        return json.load(handle)['enums']


def adjust(document, enums=None):
    """A copy of an OpenAPI ``document`` with the adjustments 1 to 6 and 8 of this module's docstring (7 is
    applied by :func:`to_json_schema`)."""
    document = copy.deepcopy(document)
    schemas = document.get('components', {}).get('schemas', {})

    def target(ref):
        return schemas.get(ref.rsplit('/', 1)[-1], {}) if ref.startswith('#/components/schemas/') else {}

    def visit(node):
        if isinstance(node, list):
            for item in node:
                visit(item)
            return
        if not isinstance(node, dict):
            return
        # 1. enum wrappers typed object
        if node.get('type') == 'object' and any('enum' in target(part.get('$ref', '')) for part in node.get('allOf', ())):
            del node['type']
        # 3. empty content
        if node.get('content') == {}:
            del node['content']
        # 8. .NET object values
        if node.get('additionalProperties') == {'type': 'object'}:
            node['additionalProperties'] = {}
        for value in node.values():
            visit(value)

    visit(document.get('paths', {}))
    visit(schemas)
    for operations in document.get('paths', {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict):
                continue
            for response in operation.get('responses', {}).values():
                # 2. headers typed object
                for header in (response.get('headers') or {}).values():
                    if (header.get('schema') or {}).get('type') == 'object':
                        header['schema'] = {'type': 'string'}
    # 4. current enum lists
    for name, values in (enums or {}).items():
        if name in schemas and 'enum' in schemas[name]:
            schemas[name]['enum'] = list(values)
    # 5. nulls
    for name, schema in schemas.items():
        _allow_nulls(name, schema)
    # 6. query parameters of the current API
    for (path, method), names in CURRENT_QUERY_PARAMETERS.items():
        operation = document.get('paths', {}).get(path, {}).get(method)
        if operation is not None:
            operation.setdefault('parameters', []).extend(
                {'name': name, 'in': 'query', 'required': False, 'schema': {'type': 'string'}} for name in names)
    return document


def _allow_nulls(name, schema):
    """Rule 5 on one named schema, including the object schemas nested in it."""
    for holder_name, holder in _object_schemas(name, schema):
        required = set(holder.get('required') or ())
        for prop, sub in list(holder['properties'].items()):
            if prop in required and (holder_name, prop) not in SEED_REQUIRED_NULLS:
                continue
            if not isinstance(sub, dict) or sub.get('nullable'):
                continue
            if '$ref' in sub:
                holder['properties'][prop] = {'allOf': [sub], 'nullable': True}
            else:
                sub['nullable'] = True


def _object_schemas(name, schema):
    """``(name, schema)`` for ``schema`` and every inline object schema with properties inside it."""
    found = []

    def visit(node):
        if isinstance(node, dict):
            if isinstance(node.get('properties'), dict):
                found.append((name, node))
            for key, value in node.items():
                if key != 'properties':
                    visit(value)
                else:
                    for sub in value.values():
                        visit(sub)
        elif isinstance(node, list):
            for item in node:
                visit(item)
    visit(schema)
    return found


def to_json_schema(node, partial=False):
    """OpenAPI 3.0 schema objects as JSON Schema (draft 7): ``nullable`` becomes ``anyOf`` with ``null``
    (it applies through ``$ref`` and ``allOf`` alike); keywords JSON Schema lacks are dropped; with
    ``partial`` (rule 7), so are ``required`` lists."""
    if isinstance(node, list):
        return [to_json_schema(item, partial) for item in node]
    if not isinstance(node, dict):
        return node
    converted = {}
    for key, value in node.items():
        if key in ('nullable', 'example', 'x-enumNames', 'discriminator', 'xml', 'externalDocs'):
            continue
        if partial and key == 'required' and isinstance(value, list):
            continue
        if key in ('properties', 'definitions', 'schemas', 'patternProperties'):
            converted[key] = {name: to_json_schema(sub, partial) for name, sub in value.items()}
        else:
            converted[key] = to_json_schema(value, partial)
    if node.get('nullable'):
        return {'anyOf': [{'type': 'null'}, converted]}
    return converted
