"""Routes of the DaaS service: ``/me``, the on-premises token, and every site operation (machines,
catalogs' and delivery groups' machines, power actions, jobs and their results, sessions, ``$batch``)
under each of the three path prefixes (route names ``daas.<op>``; ``daas.legacy.<op>`` for seed 001's
legacy paths)."""

import uuid
from urllib.parse import unquote

from tests.simulator.base import Response, Route, Routes
from tests.simulator.services.daas import batch, context
from tests.simulator.services.daas.context import (
    CLOUD_PREFIX, LEGACY_PREFIX, LEGACY_ROOT, ONPREM_CUSTOMER, ONPREM_PREFIX, ONPREM_ROOT, requested_fields,
    transaction_headers,
)
from tests.simulator.services.daas.errors import error_data, fail
from tests.simulator.services.daas.hibernation import activate, hibernated_reply, is_hibernated
from tests.simulator.services.daas.membership import set_assigned_users
from tests.simulator.services.daas.messages import settle_logoffs
from tests.simulator.services.daas.power import POWER_ACTIONS, job_status, run_action, settle
from tests.simulator.services.daas.rendering import (
    iso, render_job, render_machine, render_machine_detail, render_session, select_fields, us_time,
)
from tests.simulator.services.daas.resource_routes import ResourceRoutes


class DaasRoutes(Routes):
    """Handlers of the ``daas`` service; ``state`` is its :class:`~.estate.Estate`. Site operations take
    ``(request, site, caller, base)``, resolved by :func:`context.resolve`."""

    @property
    def lock(self):
        return self.service.sim.lock

    def machine_page(self, request, site, machines, key, takes_fields=True):
        fields = requested_fields(request) if takes_fields else None
        support = request.arg('sessionSupport')
        if support:
            machines = [m for m in machines if site.catalogs[m['_catalog']]['SessionSupport'].lower() == support.lower()]
        return Response(200, context.page(request, machines, key + ':' + (support or ''),
                                          lambda m: select_fields(render_machine(self.state, site, m), fields),
                                          self.state),
                        transaction_headers(request))

    # -- sign-in --------------------------------------------------------------------------------

    def me(self, mode):
        def handler(request):
            if mode == 'onprem':
                user = context.onprem_caller(self.state, request)
                customer, display = ONPREM_CUSTOMER, user
            else:
                record = context.cloud_record(request, self.state)
                customer, display = record['customer'], record['client_id']
                with self.lock:
                    if is_hibernated(self.state):
                        return hibernated_reply()
            with self.lock:
                sites = [{'Id': s.id, 'Name': s.name} for s in self.state.sites.values()]
            now = self.state.clock.now()
            return Response(200, {
                'UserId': str(uuid.uuid5(uuid.NAMESPACE_URL, display)), 'DisplayName': display,
                'ExpiryTime': us_time(now + 3600).split(' ', 1)[1], 'RefreshExpirationTime': us_time(now + 43200).split(' ', 1)[1],
                'VerifiedEmail': None, 'IsCspCustomer': False,
                'Customers': [{'Id': customer, 'Name': None, 'Sites': sites}]}, transaction_headers(request))
        return handler

    def onprem_token(self, request):
        user, password = context.basic_credentials(request)
        issued = self.state.issue_onprem_token(user, password)
        if issued is None:
            return error_data(401, 'Unauthorized', 'The user name or password is incorrect.',
                              error_type='AuthenticationFailed')
        token, expires = issued
        return Response(200, {'Token': token, 'Principal': user, 'UserId': str(uuid.uuid5(uuid.NAMESPACE_URL, user)),
                              'CustomerId': ONPREM_CUSTOMER, 'ExpiresAt': iso(expires)})

    # -- machines -------------------------------------------------------------------------------

    def list_machines(self, request, site, _caller, _base):
        with self.lock:
            return self.machine_page(request, site, list(site.machines.values()), 'machines')

    def list_catalog_machines(self, request, site, _caller, _base):
        with self.lock:
            catalog = self.state.find_catalog(site, request.params['catalog'])
            machines = [m for m in site.machines.values() if m['_catalog'] == catalog['Id']]
            return self.machine_page(request, site, machines, 'catalog:' + catalog['Id'])

    def list_group_machines(self, request, site, _caller, _base):
        with self.lock:
            group = self.state.find_by_name_or_id(site.groups, request.params['group'], 'Delivery group', 'ObjectNotFound')
            machines = [m for m in site.machines.values() if m['_group'] == group['Id']]
            # DeliveryGroupsGetDeliveryGroupMachines takes only limit and continuationToken.
            return self.machine_page(request, site, machines, 'group:' + group['Id'], takes_fields=False)

    def get_machine(self, request, site, _caller, _base):
        with self.lock:
            machine = self.state.find_machine(site, request.params['machine'])
            return Response(200, select_fields(render_machine_detail(self.state, site, machine),
                                               requested_fields(request)),
                            transaction_headers(request))

    def patch_machine(self, request, site, _caller, _base):
        content_type = (request.header('Content-Type') or '').lower()
        if not content_type.startswith('application/json'):
            fail(415, 'UnsupportedMediaType', 'Caller must send the request body as application/json in utf-8.')
        body = request.json()
        if not isinstance(body, dict):
            fail(400, 'InvalidArgument', 'The request body must be an UpdateMachineRequestModel object.')
        if 'InMaintenanceMode' in body and not isinstance(body['InMaintenanceMode'], bool):
            fail(400, 'InvalidArgument', 'InMaintenanceMode must be true or false.')
        with self.lock:
            machine = self.state.find_machine(site, request.params['machine'])
            if 'AssignedUsers' in body:
                set_assigned_users(site, machine, body['AssignedUsers'])
            if 'InMaintenanceMode' in body:
                machine['InMaintenanceMode'] = body['InMaintenanceMode']
        return Response(204, None, transaction_headers(request))

    def machine_sessions(self, request, site, _caller, _base):
        with self.lock:
            machine = self.state.find_machine(site, request.params['machine'])
            settle(self.state, machine)
            fields = requested_fields(request)
            items = [render_session(self.state, site, site.sessions[s], fields) for s in machine['_sessions']]
            return Response(200, {'Items': items, 'ContinuationToken': None, 'TotalItems': None},
                            transaction_headers(request))

    # -- power actions and jobs -----------------------------------------------------------------

    def power(self, action):
        def handler(request, site, caller, base):
            force = (request.arg('force') or '').lower() == 'true'
            run_async = (request.arg('async') or '').lower() == 'true'
            with self.lock:
                machine, job = run_action(self.state, site, request.params['machine'], action, force, caller,
                                          request.path)
                headers = transaction_headers(request)
                if run_async:
                    headers['Location'] = '%s/Jobs/%s' % (base, job['Id'])
                    return Response(202, None, headers)
                return Response(200, render_machine_detail(self.state, site, machine), headers)
        return handler

    def list_jobs(self, request, site, caller, base):
        with self.lock:
            items = [render_job(self.state, base, job) for job in site.jobs.values() if job['_caller'] == caller]
        return Response(200, {'Items': items, 'ContinuationToken': None, 'TotalItems': None},
                        transaction_headers(request))

    def get_job(self, request, site, _caller, base):
        with self.lock:
            job = site.jobs.get(unquote(request.params['job']))
            if job is None:
                fail(404, 'ObjectNotFound', 'Job %s was not found.' % request.params['job'])
            return Response(200, render_job(self.state, base, job), transaction_headers(request))

    def job_results(self, request, site, _caller, base):
        """A complete ``Batch`` job's item results; a complete power job redirects to its machine (303, as the
        spec says for jobs whose results live elsewhere); a job that is not complete: 400."""
        with self.lock:
            job = site.jobs.get(unquote(request.params['job']))
            if job is None:
                fail(404, 'ObjectNotFound', 'Job %s was not found.' % request.params['job'])
            status = job_status(job, self.state.clock.now())[0]
            if status == 'Complete' and job['Type'] == 'Batch':
                return Response(200, {'Items': job['_results']}, transaction_headers(request))
            if status == 'Complete':
                headers = dict(transaction_headers(request), Location='%s/Machines/%s' % (base, job['_machine_id']))
                return Response(303, None, headers)
        fail(400, 'JobNotComplete', 'Job %s is %s; it has no results.' % (job['Id'], status))

    # -- $batch ---------------------------------------------------------------------------------

    def run_batch(self, request, site, caller, base):
        """``POST $batch``: every item through its own route; ``async=true`` answers 202 with the ``Batch``
        job, otherwise 200 with the results (``BatchResponseModel``)."""
        if not (request.header('Content-Type') or '').lower().startswith('application/json'):
            fail(415, 'UnsupportedMediaType', 'Caller must send the request body as application/json in utf-8.')
        mode = context.mode_of(request)
        customer = ONPREM_CUSTOMER if mode == 'onprem' else request.header('Citrix-CustomerId')
        items = batch.parse(request.body, mode, customer, site)
        run_async = (request.arg('async') or '').lower() == 'true'
        with self.lock:
            failure = self.state.fail_next_batch if run_async else None
            if failure:
                self.state.fail_next_batch = None
        token = batch.outer_token(request)
        results = [] if failure else [batch.item_result(item['reference'], batch.run_item(request, item, token))
                                      for item in items]
        headers = transaction_headers(request)
        if not run_async:
            return Response(200, {'Items': results}, headers)
        with self.lock:
            job = batch.new_job(self.state, site, caller, results, failure)
        headers['Location'] = '%s/Jobs/%s' % (base, job['Id'])
        return Response(202, None, headers)

    # -- sessions -------------------------------------------------------------------------------

    def list_sessions(self, request, site, _caller, _base):
        fields = requested_fields(request)
        with self.lock:
            for machine_id in {s['Machine'] for s in site.sessions.values()}:
                settle(self.state, site.machines[machine_id])
            sessions = list(site.sessions.values())
            body = context.page(request, sessions, 'sessions', lambda s: render_session(self.state, site, s, fields),
                                self.state)
        body['TotalItems'] = len(sessions)  # seed 002 shows TotalItems on this listing
        return Response(200, body, transaction_headers(request))

    def get_session(self, request, site, _caller, _base):
        with self.lock:
            session = self.state.find_session(site, request.params['session'])
            return Response(200, render_session(self.state, site, session, requested_fields(request)),
                            transaction_headers(request))

    def logoff_session(self, request, site, _caller, _base):
        with self.lock:
            self.state.logoff(site, request.params['session'])
        return Response(204, None, transaction_headers(request))

    def disconnect_session(self, request, site, _caller, _base):
        with self.lock:
            session = self.state.disconnect(site, request.params['session'])
            return Response(200, render_session(self.state, site, session), transaction_headers(request))

    # -- wiring ---------------------------------------------------------------------------------

    def _site_operations(self):
        ops = [
            ('GET', r'/Machines', self.list_machines, 'machines.list', False),
            ('GET', r'/Machines/(?P<machine>[^/$][^/]*)', self.get_machine, 'machine.get', False),
            ('PATCH', r'/Machines/(?P<machine>[^/$][^/]*)', self.patch_machine, 'machine.update', True),
            ('GET', r'/Machines/(?P<machine>[^/$][^/]*)/Sessions', self.machine_sessions, 'machine.sessions', False),
            ('GET', r'/MachineCatalogs/(?P<catalog>[^/]+)/Machines', self.list_catalog_machines,
             'catalog_machines.list', False),
            ('GET', r'/DeliveryGroups/(?P<group>[^/]+)/Machines', self.list_group_machines,
             'group_machines.list', False),
            ('GET', r'/Jobs', self.list_jobs, 'jobs.list', False),
            ('GET', r'/Jobs/(?P<job>[^/]+)', self.get_job, 'job.get', False),
            ('GET', r'/Jobs/(?P<job>[^/]+)/Results', self.job_results, 'job.results', False),
            # Not a write itself: each item counts as a write of its own route (batch.run_item).
            ('POST', r'/\$batch', self.run_batch, 'batch', False),
            ('GET', r'/Sessions', self.list_sessions, 'sessions.list', False),
            ('GET', r'/Sessions/(?P<session>[^/$][^/]*)', self.get_session, 'session.get', False),
            ('POST', r'/Sessions/(?P<session>[^/]+)/\$logoff', self.logoff_session, 'session.logoff', True),
            ('POST', r'/Sessions/(?P<session>[^/]+)/\$disconnect', self.disconnect_session, 'session.disconnect', True),
        ]
        for action in POWER_ACTIONS:
            ops.append(('POST', r'/Machines/(?P<machine>[^/]+)/\$' + action, self.power(action), 'power.' + action, True))
        ops.extend(ResourceRoutes(self.service, self).site_operations())
        return ops

    def _scoped(self, mode, handler):
        def run(request):
            site, caller, base = context.resolve(self.state, self.service.sim.url, request, mode)
            with self.lock:
                if mode != 'onprem' and is_hibernated(self.state):
                    return hibernated_reply()
                settle_logoffs(self.state)
            return handler(request, site, caller, base)
        return run

    def activate_site(self, request):
        """``POST /resourceprovider/{customerId}/site/activation?customerId=...`` (Cloud token of that customer)."""
        customer = unquote(request.params['customer'])
        context.cloud_auth(request, customer_id=customer)
        if request.arg('customerId') != customer:
            fail(400, 'InvalidArgument', 'The customerId query parameter must name the customer of the path.')
        with self.lock:
            activate(self.state)
        return Response(202, None, transaction_headers(request))

    def routes(self):
        routes = [
            Route('GET', CLOUD_PREFIX + r'/me', self.me('cloud'), 'daas.me'),
            Route('GET', LEGACY_ROOT + r'/me', self.me('legacy'), 'daas.legacy.me'),
            Route('GET', ONPREM_ROOT + r'/me', self.me('onprem'), 'daas.onprem.me'),
            Route('POST', ONPREM_ROOT + r'/tokens', self.onprem_token, 'daas.onprem.token'),
            Route('POST', r'/resourceprovider/(?P<customer>[^/]+)/site/activation', self.activate_site,
                  'daas.site.activate', True),
        ]
        for method, path, handler, name, write in self._site_operations():
            routes.append(Route(method, CLOUD_PREFIX + path, self._scoped('cloud', handler), 'daas.' + name, write))
            routes.append(Route(method, ONPREM_PREFIX + path, self._scoped('onprem', handler), 'daas.' + name, write))
            routes.append(Route(method, LEGACY_PREFIX + path, self._scoped('legacy', handler),
                                'daas.legacy.' + name, write))
        for route in routes:
            route.handler = context.traced(route.handler)
        return routes
