"""Server property routes of XenMobile (``serverproperties``: list, filter, add, edit, delete, reset),
with the ``SETTINGS`` permission. Successful writes go to the instance's journal."""

from tests.simulator.base import Reply, Route, Routes
from tests.simulator.services.xenmobile import seeding
from tests.simulator.services.xenmobile.auth_routes import API
from tests.simulator.services.xenmobile.filters import int_field, sort_key_text
from tests.simulator.services.xenmobile.rendering import failed, invalid, ok

RESTART_NOTE = 'Restart XenMobile on all cluster nodes for the change to take effect.'


def property_body(request):
    body = request.json()
    if not isinstance(body, dict) or not isinstance(body.get('name'), str) or not body['name']:
        invalid('a server property needs a name')
    for key in ('value', 'displayName', 'description'):
        if body.get(key) is not None and not isinstance(body[key], str):
            invalid('%s must be a string' % key)
    if body.get('value') is None:
        invalid('a server property needs a value')
    return body


def check_names_present(inst, names):
    if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
        invalid('expected a non-empty list of property names')
    missing = [n for n in names if n not in inst.properties]
    if missing:
        raise Reply(failed('Server properties not found: %s' % ', '.join(missing)))


class PropertyRoutes(Routes):
    """Handlers over ``state``; ``auth`` (an :class:`~.auth_routes.AuthRoutes`) checks the session."""

    @property
    def lock(self):
        return self.state.lock

    def list_properties(self, request):
        inst = self.auth.session(request, 'SETTINGS')
        with self.lock:
            return ok(allEwProperties=[dict(p) for p in inst.properties.values()])

    def filter_properties(self, request):
        inst = self.auth.session(request, 'SETTINGS')
        body = request.json() or {}
        search = str(body.get('searchStr') or '').lower()
        with self.lock:
            found = [dict(p) for p in inst.properties.values()
                     if not search or search in p['name'].lower() or search in p['displayName'].lower()]
        order = body.get('orderBy') or 'name'
        if order not in ('name', 'value', 'displayName', 'description', 'id'):
            invalid('orderBy must be one of name, value, displayName, description, id')
        found.sort(key=lambda p: sort_key_text(p.get(order)), reverse=str(body.get('sortOrder')).lower() == 'desc')
        start = int_field(body, 'start', 0)
        limit = int_field(body, 'limit')
        return ok(allEwProperties=found[start:start + limit] if limit is not None else found[start:])

    def add_property(self, request):
        inst = self.auth.session(request, 'SETTINGS')
        body = property_body(request)
        with self.lock:
            if body['name'] in inst.properties:
                return failed('Server property %s already exists.' % body['name'])
            inst.put_property(seeding.property_record(None, body['name'], body['value'], body.get('displayName'),
                                                      body.get('description')))
            inst.journal.append({'route': 'add', 'names': [body['name']]})
        return ok(message='Server property added. ' + RESTART_NOTE)

    def edit_property(self, request):
        inst = self.auth.session(request, 'SETTINGS')
        body = property_body(request)
        with self.lock:
            record = inst.properties.get(body['name'])
            if record is None:
                return failed('Server property %s does not exist.' % body['name'])
            record['value'] = body['value']
            for key in ('displayName', 'description'):
                if body.get(key) is not None:
                    record[key] = body[key]
            inst.journal.append({'route': 'edit', 'names': [body['name']]})
        return ok(message='Server property updated. ' + RESTART_NOTE)

    def delete_properties(self, request):
        inst = self.auth.session(request, 'SETTINGS')
        names = request.json()
        with self.lock:
            check_names_present(inst, names)
            for name in names:
                del inst.properties[name]
            inst.journal.append({'route': 'delete', 'names': list(names)})
        return ok(message='Server properties deleted. ' + RESTART_NOTE)

    def reset_properties(self, request):
        inst = self.auth.session(request, 'SETTINGS')
        body = request.json()
        names = body.get('names') if isinstance(body, dict) else None
        with self.lock:
            check_names_present(inst, names)
            for name in names:
                inst.properties[name]['value'] = inst.properties[name]['defaultValue']
            inst.journal.append({'route': 'reset', 'names': list(names)})
        return ok(message='Server properties reset to their default values. ' + RESTART_NOTE)

    def routes(self):
        return [
            Route('GET', API + r'/serverproperties', self.list_properties, 'xenmobile.properties'),
            Route('POST', API + r'/serverproperties/filter', self.filter_properties, 'xenmobile.properties_filter'),
            Route('POST', API + r'/serverproperties', self.add_property, 'xenmobile.property_add', write=True),
            Route('PUT', API + r'/serverproperties', self.edit_property, 'xenmobile.property_edit', write=True),
            Route('DELETE', API + r'/serverproperties', self.delete_properties, 'xenmobile.property_delete',
                  write=True),
            Route('POST', API + r'/serverproperties/reset', self.reset_properties, 'xenmobile.property_reset',
                  write=True),
        ]
