"""Routes of the DaaS service for the site's resources beyond machines and sessions: machine catalogs,
delivery groups (their machines: ``DoAddMachines`` / ``DoRemoveMachines``; their catalogs), tags (of the
site, of machines, catalogs and groups) and ``$sendMessage`` to sessions. Route names are listed in
``site_operations``; handlers take ``(request, site, caller, base)`` like the others (``routes.py``)."""

from tests.simulator.base import Response, Routes
from tests.simulator.services.daas import context
from tests.simulator.services.daas.context import requested_fields, transaction_headers
from tests.simulator.services.daas.errors import fail
from tests.simulator.services.daas.membership import add_machines, remove_machine
from tests.simulator.services.daas.messages import send_message
from tests.simulator.services.daas.rendering import (
    render_catalog, render_group, render_group_detail, render_session, render_tag, select_fields,
)
from tests.simulator.services.daas.tags import (
    add_tag, create_tag, delete_tag, find_tag, remove_tag, set_tags, tag_counts, tagged,
)

NAME = r'(?P<{}>[^/$][^/]*)'


class ResourceRoutes(Routes):
    """``machines``: the :class:`~.routes.DaasRoutes` whose machine pages these routes reuse."""

    def __init__(self, service, machines):
        super().__init__(service)
        self.machines = machines

    @property
    def lock(self):
        return self.service.sim.lock

    def _json_body(self, request, model):
        if not (request.header('Content-Type') or '').lower().startswith('application/json'):
            fail(415, 'UnsupportedMediaType', 'Caller must send the request body as application/json in utf-8.')
        body = request.json()
        if not isinstance(body, dict):
            fail(400, 'InvalidArgument', 'The request body must be a %s object.' % model)
        return body

    def _page(self, request, items, key, render):
        fields = requested_fields(request)
        body = context.page(request, items, key, lambda item: select_fields(render(item), fields), self.state)
        return Response(200, body, transaction_headers(request))

    def _group(self, site, key):
        return self.state.find_by_name_or_id(site.groups, key, 'Delivery group', 'ObjectNotFound')

    def _tag_collection(self, request, site, obj):
        counts = tag_counts(site)
        items = [render_tag(site.tags[t], counts[t]) for t in obj['_tags'] if t in site.tags]
        return Response(200, {'Items': items, 'ContinuationToken': None, 'TotalItems': None},
                        transaction_headers(request))

    # -- catalogs and delivery groups -----------------------------------------------------------

    def list_catalogs(self, request, site, _caller, _base):
        with self.lock:
            return self._page(request, list(site.catalogs.values()), 'catalogs',
                              lambda c: render_catalog(self.state, site, c))

    def get_catalog(self, request, site, _caller, _base):
        with self.lock:
            catalog = self.state.find_catalog(site, request.params['catalog'])
            return Response(200, select_fields(render_catalog(self.state, site, catalog), requested_fields(request)),
                            transaction_headers(request))

    def list_groups(self, request, site, _caller, _base):
        with self.lock:
            return self._page(request, list(site.groups.values()), 'groups', lambda g: render_group(self.state, site, g))

    def get_group(self, request, site, _caller, _base):
        with self.lock:
            group = self._group(site, request.params['group'])
            return Response(200, select_fields(render_group_detail(self.state, site, group), requested_fields(request)),
                            transaction_headers(request))

    def group_catalogs(self, request, site, _caller, _base):
        with self.lock:
            group = self._group(site, request.params['group'])
            ids = []
            for machine in site.machines.values():
                if machine['_group'] == group['Id'] and machine['_catalog'] not in ids:
                    ids.append(machine['_catalog'])
            return self._page(request, [site.catalogs[i] for i in ids], 'group-catalogs:' + group['Id'],
                              lambda c: render_catalog(self.state, site, c))

    def add_group_machines(self, request, site, _caller, _base):
        body = self._json_body(request, 'DeliveryGroupAddMachinesRequestModel')
        with self.lock:
            group = self._group(site, request.params['group'])
            add_machines(self.state, site, group, body)
            return Response(200, render_group_detail(self.state, site, group), transaction_headers(request))

    def remove_group_machine(self, request, site, _caller, _base):
        with self.lock:
            group = self._group(site, request.params['group'])
            remove_machine(self.state, site, group, request.params['machine'])
        return Response(204, None, transaction_headers(request))

    # -- tags -----------------------------------------------------------------------------------

    def list_tags(self, request, site, _caller, _base):
        with self.lock:
            counts = tag_counts(site)
            return self._page(request, list(site.tags.values()), 'tags', lambda t: render_tag(t, counts[t['Id']]))

    def create_tag(self, request, site, _caller, _base):
        body = self._json_body(request, 'TagRequestModel')
        with self.lock:
            tag = create_tag(self.state, site, body.get('Name'), body.get('Description'))
            return Response(200, render_tag(tag, tag_counts(site)[tag['Id']]), transaction_headers(request))

    def get_tag(self, request, site, _caller, _base):
        with self.lock:
            tag = find_tag(site, request.params['tag'])
            model = render_tag(tag, tag_counts(site)[tag['Id']])
            model.update(RestrictedDesktops=[], RestrictedApplicationGroups=[], RestrictedDeliveryGroups=[],
                         RestrictedRebootSchedules=[], RestrictedAutoscale=[], NumUnknownRestrictedObjects=0)
            return Response(200, model, transaction_headers(request))

    def delete_tag(self, request, site, _caller, _base):
        with self.lock:
            delete_tag(site, request.params['tag'])
        return Response(204, None, transaction_headers(request))

    def tag_machines(self, request, site, _caller, _base):
        with self.lock:
            tag = find_tag(site, request.params['tag'])
            return self.machines.machine_page(request, site, tagged(site, tag, 'machines'), 'tag:' + tag['Id'])

    def tag_groups(self, request, site, _caller, _base):
        with self.lock:
            tag = find_tag(site, request.params['tag'])
            return self._page(request, tagged(site, tag, 'groups'), 'tag-groups:' + tag['Id'],
                              lambda g: render_group(self.state, site, g))

    def tag_catalogs(self, request, site, _caller, _base):
        with self.lock:
            tag = find_tag(site, request.params['tag'])
            return self._page(request, tagged(site, tag, 'catalogs'), 'tag-catalogs:' + tag['Id'],
                              lambda c: render_catalog(self.state, site, c))

    def object_tags(self, kind):
        def handler(request, site, _caller, _base):
            with self.lock:
                return self._tag_collection(request, site, self._object(site, kind, request))
        return handler

    def _object(self, site, kind, request):
        if kind == 'machine':
            return self.state.find_machine(site, request.params['machine'])
        if kind == 'catalog':
            return self.state.find_catalog(site, request.params['catalog'])
        return self._group(site, request.params['group'])

    def set_machine_tags(self, request, site, _caller, _base):
        body = self._json_body(request, 'TagsRequestModel')
        with self.lock:
            set_tags(self.state, site, self.state.find_machine(site, request.params['machine']), body)
        return Response(204, None, transaction_headers(request))

    def add_machine_tag(self, request, site, _caller, _base):
        with self.lock:
            machine = self.state.find_machine(site, request.params['machine'])
            add_tag(site, machine, request.params['tag'])
            return self._tag_collection(request, site, machine)

    def remove_machine_tag(self, request, site, _caller, _base):
        with self.lock:
            remove_tag(site, self.state.find_machine(site, request.params['machine']), request.params['tag'])
        return Response(204, None, transaction_headers(request))

    # -- sessions -------------------------------------------------------------------------------

    def send_message(self, request, site, _caller, _base):
        body = self._json_body(request, 'SendMessageRequestModel')
        with self.lock:
            session = self.state.find_session(site, request.params['session'])
            send_message(self.state, site, session, body)
            return Response(200, render_session(self.state, site, session), transaction_headers(request))

    # -- wiring ---------------------------------------------------------------------------------

    def site_operations(self):
        """``(method, path, handler, route name, write)`` of every resource operation."""
        catalog, group, machine = NAME.format('catalog'), NAME.format('group'), NAME.format('machine')
        tag, session = NAME.format('tag'), NAME.format('session')
        return [
            ('GET', r'/MachineCatalogs', self.list_catalogs, 'catalogs.list', False),
            ('GET', r'/MachineCatalogs/' + catalog, self.get_catalog, 'catalog.get', False),
            ('GET', r'/MachineCatalogs/%s/Tags' % catalog, self.object_tags('catalog'), 'catalog.tags', False),
            ('GET', r'/DeliveryGroups', self.list_groups, 'groups.list', False),
            ('GET', r'/DeliveryGroups/' + group, self.get_group, 'group.get', False),
            ('GET', r'/DeliveryGroups/%s/MachineCatalogs' % group, self.group_catalogs, 'group_catalogs.list', False),
            ('GET', r'/DeliveryGroups/%s/Tags' % group, self.object_tags('group'), 'group.tags', False),
            ('POST', r'/DeliveryGroups/%s/Machines' % group, self.add_group_machines, 'group_machines.add', True),
            ('DELETE', r'/DeliveryGroups/%s/Machines/%s' % (group, machine), self.remove_group_machine,
             'group_machines.remove', True),
            ('GET', r'/Tags', self.list_tags, 'tags.list', False),
            ('POST', r'/Tags', self.create_tag, 'tag.create', True),
            ('GET', r'/Tags/' + tag, self.get_tag, 'tag.get', False),
            ('DELETE', r'/Tags/' + tag, self.delete_tag, 'tag.delete', True),
            ('GET', r'/Tags/%s/Machines' % tag, self.tag_machines, 'tag_machines.list', False),
            ('GET', r'/Tags/%s/DeliveryGroups' % tag, self.tag_groups, 'tag_groups.list', False),
            ('GET', r'/Tags/%s/MachineCatalogs' % tag, self.tag_catalogs, 'tag_catalogs.list', False),
            ('GET', r'/Machines/%s/Tags' % machine, self.object_tags('machine'), 'machine_tags.get', False),
            ('PUT', r'/Machines/%s/Tags' % machine, self.set_machine_tags, 'machine_tags.set', True),
            ('POST', r'/Machines/%s/Tags/%s' % (machine, tag), self.add_machine_tag, 'machine_tag.add', True),
            ('DELETE', r'/Machines/%s/Tags/%s' % (machine, tag), self.remove_machine_tag, 'machine_tag.remove', True),
            ('POST', r'/Sessions/%s/\$sendMessage' % session, self.send_message, 'session.message', True),
        ]
