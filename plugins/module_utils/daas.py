# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Citrix DaaS / Virtual Apps and Desktops REST client: sites, machines, power actions, jobs, sessions.

Two ways in, one client:
- Citrix Cloud: ``{api_url}/cvad/manage`` with a Cloud token (``citrix_cloud.CloudClient``) and the
  ``Citrix-CustomerId`` / ``Citrix-InstanceId`` headers;
- on-premises Orchestration API (CVAD 2311 and later): ``https://{ddc}/citrix/orchestration/api``, a token
  from ``POST .../tokens`` with Basic auth, customer id ``CitrixOnPremises``, and resource paths under
  ``.../{customerId}/{siteId}``.
Listings ask for the largest page the API allows (1000) and only the ``fields`` they use.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import datetime
import time

from urllib.parse import quote

from ansible_collections.opencitrix.automation.plugins.module_utils import errors
from ansible_collections.opencitrix.automation.plugins.module_utils.argspec import env_fallback
from ansible_collections.opencitrix.automation.plugins.module_utils.citrix_cloud import (
    CloudClient, cloud_argument_spec,
)
from ansible_collections.opencitrix.automation.plugins.module_utils.concurrency import run_bounded
from ansible_collections.opencitrix.automation.plugins.module_utils.targets import check_max_targets, require_named
from ansible_collections.opencitrix.automation.plugins.module_utils.token_cache import (
    TokenCache, cache_key, secret_fingerprint,
)
from ansible_collections.opencitrix.automation.plugins.module_utils.transport import (
    HttpClient, Redactor, iterate_pages, require_keys, transport_options,
)

CLOUD_API_PATH = '/cvad/manage'
ONPREM_API_PATH = '/citrix/orchestration/api'
ONPREM_CUSTOMER_ID = 'CitrixOnPremises'
PAGE_SIZE = 1000
# Per-machine requests in flight: default and hard cap (the transport keeps 32 connections per host).
# The site queues power actions itself, so the default only paces the hand-over: at 50 ms per request, 700
# reboots took 3.7 s at 10 and take 1.5 s at 25 (bench/scenarios/daas_reboot_idle.py).
DEFAULT_CONCURRENCY = 25
MAX_CONCURRENCY = 32
NAME_LOOKUP_LIMIT = 20  # more names than this: one listing instead of one GET per name
RUNNING_JOB_STATUSES = ('Unknown', 'NotStarted', 'InProgress')
SUCCESSFUL_JOB_STATUSES = ('Complete', 'CompleteWithWarning')
REGISTRATION_STATES = ['AgentError', 'Initializing', 'Registered', 'Unknown', 'Unregistered']

# The properties machine listings ask for (``fields``), and what results and inventories report.
MACHINE_FIELDS = ('Id', 'Name', 'DnsName', 'IPAddress', 'MachineCatalog', 'DeliveryGroup', 'Zone', 'PowerState',
                  'PowerActionPending', 'SupportedPowerActions', 'SessionCount', 'InMaintenanceMode',
                  'RegistrationState', 'SummaryState', 'SessionSupport', 'OSType', 'MachineType', 'AllocationType')
SESSION_FIELDS = ('Id', 'State', 'UntrustedUserName', 'User', 'Machine', 'SessionType', 'FormattedStartTime',
                  'FormattedStateChangeTime', 'Client', 'Connection')

ONPREM_HINT = 'check client_id (DOMAIN\\user of a site administrator) and client_secret for the Delivery Controller'


def daas_argument_spec():
    """Connection options of the DaaS modules: the Citrix Cloud ones (``customer_id`` is only needed for
    Cloud), the site, and the Delivery Controller that selects the on-premises API."""
    spec = cloud_argument_spec()
    spec['customer_id'] = dict(type='str', fallback=(env_fallback, ['CITRIX_CUSTOMER_ID']))
    spec.update(
        site_id=dict(type='str', fallback=(env_fallback, ['CITRIX_DAAS_SITE_ID'])),
        site_name=dict(type='str', fallback=(env_fallback, ['CITRIX_DAAS_SITE_NAME'])),
        ddc_url=dict(type='str', fallback=(env_fallback, ['CITRIX_DDC_URL'])),
    )
    return spec


def machine_target_argument_spec():
    """How modules name the machines they work on (documented in the ``daas`` MACHINE_TARGETS fragment)."""
    return dict(
        name=dict(type='str'),
        names=dict(type='list', elements='str'),
        machine_ids=dict(type='list', elements='str'),
        catalog=dict(type='str'),
        delivery_group=dict(type='str'),
    )


def machine_filter_argument_spec():
    """Client-side filters over the targeted machines (the ``daas`` MACHINE_FILTERS fragment)."""
    return dict(
        only_idle=dict(type='bool', default=False),
        skip_maintenance_mode=dict(type='bool', default=False),
        registration_state=dict(type='list', elements='str', choices=REGISTRATION_STATES),
    )


TARGET_OPTIONS = ('name', 'names', 'machine_ids', 'catalog', 'delivery_group')


def _path_segment(value):
    """A name or id as one path segment; ``DOMAIN\\NAME`` travels as ``DOMAIN|NAME`` (API convention)."""
    return quote(str(value).replace('\\', '|'), safe='')


def _ref_name(ref):
    return ref.get('Name') if isinstance(ref, dict) else None


def _parse_expiry(value, now):
    """Seconds until an RFC 3339 ``ExpiresAt``; an hour when it is absent or unreadable."""
    if isinstance(value, (int, float)):
        return float(value)
    try:
        moment = datetime.datetime.fromisoformat(str(value).replace('Z', '+00:00'))
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=datetime.timezone.utc)
        return moment.timestamp() - now
    except ValueError:
        return 3600.0


class OnPremisesSession:
    """Signs in to a Delivery Controller's Orchestration API and sends authenticated requests, with the
    same ``request()`` contract as ``CloudClient`` (one new token and one retry on a 401)."""

    def __init__(self, ddc_url, username, password, token_cache=True, redactor=None, cache=None, **transport):
        if not username or not password:
            raise errors.InputError('Delivery Controller credentials are missing',
                                    hint='set client_id (DOMAIN\\user) and client_secret, or CITRIX_CLIENT_ID and '
                                         'CITRIX_CLIENT_SECRET')
        self.redact = redactor or Redactor()
        self.redact.add(password)
        self._credentials = base64.b64encode(('%s:%s' % (username, password)).encode('utf-8')).decode('ascii')
        self.redact.add(self._credentials)
        self.username = username
        self.http = HttpClient(ddc_url, redactor=self.redact, service_name='Citrix Delivery Controller',
                               hint_for={401: ONPREM_HINT, 403: 'check the administrator\'s role and scope in the site',
                                         'redirect': 'check ddc_url (CITRIX_DDC_URL) or a proxy rewriting answers'},
                               **transport)
        self.api_root = self.http.base_url + ONPREM_API_PATH
        self.cache = cache or TokenCache(use_file=token_cache)
        self._cache_key = cache_key('citrix-onprem', self.http.base_url, username, secret_fingerprint(password))

    @property
    def stats(self):
        return self.http.stats

    def _fetch_token(self):
        what = 'sign in to the Delivery Controller as "%s"' % self.username
        response = self.http.request('POST', self.api_root + '/tokens', what=what, state_changing=False,
                                     headers={'Authorization': 'Basic ' + self._credentials})
        body = require_keys(self.http.decode_json(response, what), ('Token',), what)
        token = body['Token']
        if not isinstance(token, str) or not token:
            raise errors.ResponseFormatError('Could not ' + what, api_message='the token response has no Token')
        self.redact.add(token)
        return token, _parse_expiry(body.get('ExpiresAt'), time.time())

    def token(self):
        token = self.cache.get_or_fetch(self._cache_key, self._fetch_token)
        self.redact.add(token)
        return token

    def request(self, method, url, headers=None, **kwargs):
        token = self.token()
        merged = dict(headers or {})
        merged.update({'Authorization': 'CWSAuth bearer=%s' % token, 'Accept': 'application/json'})
        try:
            return self.http.request(method, url, headers=merged, **kwargs)
        except errors.AuthenticationError:
            self.cache.invalidate(self._cache_key, token)
            merged['Authorization'] = 'CWSAuth bearer=%s' % self.token()
            return self.http.request(method, url, headers=merged, **kwargs)


class DaasClient:
    """The DaaS REST API of one site, through Citrix Cloud or a Delivery Controller."""

    def __init__(self, session, customer_id, api_root, on_premises=False, site_id=None, site_name=None):
        self.session = session
        self.http = session.http
        self.customer_id = customer_id
        self.api_root = api_root.rstrip('/')
        self.on_premises = on_premises
        self._site = {'id': site_id, 'name': site_name} if site_id else None
        self._site_name = site_name

    @classmethod
    def from_params(cls, params, redactor=None, log=None):
        """Build a client from module or plugin options (names as in ``daas_argument_spec``)."""
        site = dict(site_id=params.get('site_id'), site_name=params.get('site_name'))
        if params.get('ddc_url'):
            session = OnPremisesSession(params['ddc_url'], params.get('client_id'), params.get('client_secret'),
                                        token_cache=params.get('token_cache', True), redactor=redactor, log=log,
                                        **transport_options(params))
            return cls(session, ONPREM_CUSTOMER_ID, session.api_root, on_premises=True, **site)
        if not params.get('customer_id'):
            raise errors.InputError('customer_id is required for Citrix DaaS in Citrix Cloud',
                                    hint='set customer_id or CITRIX_CUSTOMER_ID, or ddc_url for an on-premises site')
        cloud = CloudClient.from_params(params, redactor=redactor, log=log)
        return cls(cloud, params['customer_id'], cloud.http.base_url + CLOUD_API_PATH, **site)

    @property
    def stats(self):
        return self.http.stats

    def for_site(self, site_id, site_name=None):
        """A client of another site of the same customer, sharing this one's sign-in and connections."""
        return DaasClient(self.session, self.customer_id, self.api_root, self.on_premises, site_id, site_name)

    # -- sites ----------------------------------------------------------------------------------

    def sites(self):
        """The sites of this customer that the caller may administer (``GET /me``)."""
        what = 'list the sites of customer "%s" (GET /me)' % self.customer_id
        response = self.session.request('GET', self.api_root + '/me', what=what,
                                        headers={'Citrix-CustomerId': self.customer_id})
        body = require_keys(self.http.decode_json(response, what), ('Customers',), what)
        customers = body['Customers'] or []
        chosen = [c for c in customers if str(c.get('Id', '')).lower() == self.customer_id.lower()]
        if not chosen and len(customers) == 1 and self.on_premises:
            chosen = customers
        if not chosen:
            raise errors.NotFoundError('Could not ' + what, api_message='the caller has no access to this customer',
                                       hint='check customer_id (CITRIX_CUSTOMER_ID)')
        return [{'id': s.get('Id'), 'name': s.get('Name')} for s in chosen[0].get('Sites') or []]

    def site(self):
        """The site to work on: ``site_id`` as given, else the one named ``site_name``, else the only one."""
        if self._site:
            return self._site
        sites = self.sites()
        names = ', '.join(sorted(str(s['name']) for s in sites)) or 'none'
        if self._site_name:
            found = [s for s in sites if str(s['name']).lower() == self._site_name.lower()]
            if not found:
                raise errors.InputError('Site "%s" not found' % self._site_name, hint='sites available: %s' % names)
            self._site = found[0]
        elif len(sites) == 1:
            self._site = sites[0]
        elif not sites:
            raise errors.NotFoundError('No Citrix DaaS site found for customer "%s"' % self.customer_id,
                                       hint='check that Citrix DaaS is provisioned for this customer')
        else:
            raise errors.InputError('Customer "%s" has several sites (%s)' % (self.customer_id, names),
                                    hint='set site_name or site_id (CITRIX_DAAS_SITE_NAME / CITRIX_DAAS_SITE_ID)')
        return self._site

    # -- plumbing -------------------------------------------------------------------------------

    def _url(self, path):
        site_id = self.site()['id']
        if self.on_premises:
            return '%s/%s/%s%s' % (self.api_root, ONPREM_CUSTOMER_ID, quote(site_id, safe=''), path)
        return self.api_root + path

    def _headers(self, extra=None):
        headers = {'Citrix-CustomerId': self.customer_id, 'Citrix-InstanceId': self.site()['id']}
        if extra:
            headers.update(extra)
        return headers

    def request(self, method, path, what, headers=None, **kwargs):
        return self.session.request(method, self._url(path), headers=self._headers(headers), what=what, **kwargs)

    def call(self, method, path, what, **kwargs):
        return self.http.decode_json(self.request(method, path, what, **kwargs), what)

    def _collection(self, body, what):
        body = require_keys(body, ('Items',), what)
        if not isinstance(body['Items'], list):
            raise errors.ResponseFormatError('Could not ' + what, api_message='Items is not a list')
        return body['Items'], body.get('ContinuationToken')

    def pages(self, path, what, fields=None, params=None):
        """Every page (the API's own body) of a paged collection, 1000 items at a time."""
        query = dict(params or {}, limit=PAGE_SIZE)
        if fields:
            query['fields'] = ','.join(fields)

        def fetch(token):
            body = self.call('GET', path, what, params=dict(query, continuationToken=token) if token else query)
            return [body], self._collection(body, what)[1]

        return iterate_pages(fetch)

    def paged(self, path, what, fields=None, params=None):
        """Every item of a paged collection."""
        for body in self.pages(path, what, fields, params):
            yield from body['Items']

    def machine_pages(self, catalog=None, delivery_group=None, fields=MACHINE_FIELDS):
        """The raw pages of a machine listing: of the site, one catalog, or one delivery group."""
        if catalog:
            return self.pages('/MachineCatalogs/%s/Machines' % _path_segment(catalog),
                              'list the machines of catalog "%s"' % catalog, fields)
        if delivery_group:
            return self.pages('/DeliveryGroups/%s/Machines' % _path_segment(delivery_group),
                              'list the machines of delivery group "%s"' % delivery_group, fields)
        return self.pages('/Machines', 'list the machines of the site', fields)

    # -- machines -------------------------------------------------------------------------------

    def list_machines(self, catalog=None, delivery_group=None, fields=MACHINE_FIELDS):
        """Machines of the site, of one catalog, or of one delivery group (by name or id)."""
        for body in self.machine_pages(catalog, delivery_group, fields):
            yield from body['Items']

    def get_machine(self, name_or_id, fields=MACHINE_FIELDS):
        """One machine, or None when there is no such machine."""
        try:
            return self.call('GET', '/Machines/%s' % _path_segment(name_or_id), 'read machine "%s"' % name_or_id,
                             params={'fields': ','.join(fields)} if fields else None)
        except errors.NotFoundError:
            return None

    def set_maintenance_mode(self, machine_id, enabled):
        self.request('PATCH', '/Machines/%s' % _path_segment(machine_id),
                     'turn maintenance mode %s' % ('on' if enabled else 'off'),
                     json_body={'InMaintenanceMode': bool(enabled)})

    def power_action(self, machine_id, action, force=False):
        """Start ``$start``, ``$shutdown``, ``$reboot``, ``$suspend`` or ``$resume`` as an async job;
        returns the job id (None if the server answered synchronously)."""
        params = {'async': 'true', 'detailResponseRequired': 'false'}
        if force and action in ('shutdown', 'reboot'):
            params['force'] = 'true'
        response = self.request('POST', '/Machines/%s/$%s' % (_path_segment(machine_id), action),
                                'send $%s' % action, params=params, expected=(200, 202))
        location = response.headers.get('Location')
        if response.status_code == 202 and not location:
            raise errors.ResponseFormatError('Could not send $%s' % action,
                                             api_message='202 Accepted without a Location header for the job')
        return location.rstrip('/').rsplit('/', 1)[-1] if location else None

    # -- jobs -----------------------------------------------------------------------------------

    def jobs(self):
        return self._collection(self.call('GET', '/Jobs', 'list jobs'), 'list jobs')[0]

    def job(self, job_id):
        return require_keys(self.call('GET', '/Jobs/%s' % _path_segment(job_id), 'read job %s' % job_id),
                            ('Id', 'Status'), 'read job %s' % job_id)

    def wait_for_jobs(self, job_ids, timeout, sleep=None, now=time.monotonic, first_delay=1.0, max_delay=10.0):
        """Poll until every job has a terminal status or ``timeout`` seconds pass; returns
        ``(finished, unfinished)``: job models by id, and the ids still running. Each round reads all of
        the caller's jobs in one ``GET /Jobs``, and only jobs missing from it one by one."""
        sleep = sleep or time.sleep  # looked up per call, so a test can replace this module's clock
        pending = set(j for j in job_ids if j)
        finished = {}
        deadline = now() + timeout
        delay = first_delay
        while pending:
            sleep(max(0.0, min(delay, deadline - now())))
            listed = dict((job.get('Id'), job) for job in self.jobs())
            for job_id in sorted(pending):
                job = listed.get(job_id) or self.job(job_id)
                if job.get('Status') not in RUNNING_JOB_STATUSES:
                    finished[job_id] = job
                    pending.discard(job_id)
            if now() >= deadline:
                break
            delay = min(delay * 1.5, max_delay)
        return finished, pending

    # -- sessions -------------------------------------------------------------------------------

    def list_sessions(self, fields=SESSION_FIELDS):
        return self.paged('/Sessions', 'list sessions', fields)

    def machine_sessions(self, machine):
        what = 'list the sessions of machine "%s"' % machine
        return self._collection(self.call('GET', '/Machines/%s/Sessions' % _path_segment(machine), what), what)[0]

    def get_session(self, session_id):
        try:
            return self.call('GET', '/Sessions/%s' % _path_segment(session_id), 'read session %s' % session_id)
        except errors.NotFoundError:
            return None

    def logoff_session(self, session_id):
        self.request('POST', '/Sessions/%s/$logoff' % _path_segment(session_id), 'log off session %s' % session_id)

    def disconnect_session(self, session_id):
        self.request('POST', '/Sessions/%s/$disconnect' % _path_segment(session_id),
                     'disconnect session %s' % session_id)


# -- machine targets and filters ------------------------------------------------------------------

def _index(machines):
    """Machines by lower-case id, DOMAIN\\NAME and NAME (without the domain)."""
    index = {}
    for machine in machines:
        name = str(machine.get('Name') or '').lower()
        for key in (str(machine.get('Id') or '').lower(), name, name.rsplit('\\', 1)[-1]):
            if key:
                index.setdefault(key, []).append(machine)
    return index


def in_delivery_groups(machine, groups):
    """Whether the machine's delivery group is one of ``groups`` (names or ids, case-insensitive)."""
    group = machine.get('DeliveryGroup') or {}
    keys = set(str(v).lower() for v in (group.get('Name'), group.get('Id')) if v)
    return bool(keys & set(g.lower() for g in groups))


def _read_all(keys, read, concurrency):
    """``read(key)`` for every key with bounded concurrency; the values in order, or the first error."""
    values = []
    for outcome in run_bounded(list(keys), read, concurrency, MAX_CONCURRENCY):
        if not outcome.ok:
            raise outcome.error
        values.append(outcome.value)
    return values


def _is_exact_reference(value):
    """A DOMAIN\\NAME or an id (GUID): something ``GET /Machines/{nameOrId}`` resolves on its own."""
    return '\\' in value or (len(value) == 36 and value.count('-') == 4)


def find_machines(client, names=(), machine_ids=(), catalog=None, delivery_group=None, fields=MACHINE_FIELDS,
                  concurrency=DEFAULT_CONCURRENCY, all_targets=False):
    """The machines named by targets, in API order, each once; raises NotFoundError listing every name
    or id that matched nothing. A catalog or delivery group: one listing (both: the catalog's, narrowed
    to the group). Names or ids alone: one GET each when there are a few exact ones, else one listing.
    No target at all: every machine of the site, in one listing, only with ``all_targets`` (else an
    InputError, as for an empty name, catalog or group: None means not given)."""
    wanted = [str(n) for n in list(names or ()) + list(machine_ids or ()) if n is not None]
    require_named(wanted + [catalog, delivery_group], all_targets)
    if (wanted and not (catalog or delivery_group) and len(wanted) <= NAME_LOOKUP_LIMIT
            and all(_is_exact_reference(w) for w in wanted)):
        values = _read_all(wanted, lambda key: client.get_machine(key, fields), concurrency)
        found = [v for v in values if v is not None]
        missing = [key for key, value in zip(wanted, values) if value is None]
    else:
        found = list(client.list_machines(catalog=catalog, delivery_group=None if catalog else delivery_group,
                                          fields=fields))
        if catalog and delivery_group:
            found = [m for m in found if in_delivery_groups(m, [delivery_group])]
        missing = []
        if wanted:
            index = _index(found)
            missing = [w for w in wanted if w.lower() not in index]
            chosen = set(id(m) for w in wanted for m in index.get(w.lower(), ()))
            found = [m for m in found if id(m) in chosen]
    if missing:
        scope = ' in %s' % ' / '.join(x for x in (catalog, delivery_group) if x) if (catalog or delivery_group) else ''
        raise errors.NotFoundError('Machines not found%s: %s' % (scope, ', '.join(missing)),
                                   hint='name machines DOMAIN\\NAME as the site shows them, or by id')
    unique, seen = [], set()
    for machine in found:
        if machine.get('Id') not in seen:
            seen.add(machine.get('Id'))
            unique.append(machine)
    return unique


def filter_machines(machines, only_idle=False, skip_maintenance_mode=False, registration_state=None):
    """``(kept, left_out)``. Idle means a SessionCount of exactly 0 (an unknown count is not idle)."""
    states = set(s.lower() for s in registration_state or ())
    kept, left_out = [], []
    for machine in machines:
        if ((only_idle and machine.get('SessionCount') != 0)
                or (skip_maintenance_mode and machine.get('InMaintenanceMode'))
                or (states and str(machine.get('RegistrationState') or '').lower() not in states)):
            left_out.append(machine)
        else:
            kept.append(machine)
    return kept, left_out


def machine_facts(machine):
    """A machine as modules and the inventory report it: flat, snake_case, references by name."""
    catalog = machine.get('MachineCatalog') or {}
    group = machine.get('DeliveryGroup') or {}
    return {
        'id': machine.get('Id'), 'name': machine.get('Name'), 'dns_name': machine.get('DnsName'),
        'ip_address': machine.get('IPAddress'), 'catalog': catalog.get('Name'), 'catalog_id': catalog.get('Id'),
        'delivery_group': group.get('Name'), 'delivery_group_id': group.get('Id'),
        'zone': _ref_name(machine.get('Zone')), 'power_state': machine.get('PowerState'),
        'power_action_pending': machine.get('PowerActionPending'),
        'supported_power_actions': machine.get('SupportedPowerActions') or [],
        'session_count': machine.get('SessionCount'), 'in_maintenance_mode': machine.get('InMaintenanceMode'),
        'registration_state': machine.get('RegistrationState'), 'summary_state': machine.get('SummaryState'),
        'session_support': machine.get('SessionSupport'), 'os_type': machine.get('OSType'),
        'machine_type': machine.get('MachineType'), 'allocation_type': machine.get('AllocationType'),
    }


def session_facts(session):
    """A session as the session modules report it."""
    machine = session.get('Machine') or {}
    user = session.get('User') or {}
    client = session.get('Client') or {}
    connection = session.get('Connection') or {}
    return {
        'id': session.get('Id'), 'state': session.get('State'),
        'user': session.get('UntrustedUserName') or user.get('Name'),
        'user_principal_name': user.get('PrincipalName'), 'session_type': session.get('SessionType'),
        'machine': machine.get('Name'), 'machine_dns_name': machine.get('DnsName'),
        'catalog': _ref_name(machine.get('MachineCatalog')), 'delivery_group': _ref_name(machine.get('DeliveryGroup')),
        'start_time': session.get('FormattedStartTime'), 'state_change_time': session.get('FormattedStateChangeTime'),
        'client_name': client.get('Name'), 'client_address': client.get('IPAddress'),
        'protocol': connection.get('Protocol'),
    }


# -- per-object outcomes ----------------------------------------------------------------------------

OUTCOMES = ('changed', 'unchanged', 'skipped', 'failed')


def outcome_counts(results):
    counts = dict((outcome, 0) for outcome in OUTCOMES)
    for result in results:
        counts[result['outcome']] += 1
    return counts


def failure_message(results, what, shown=5):
    """One line naming the objects whose outcome is ``failed`` (None when none failed)."""
    failed = [r for r in results if r['outcome'] == 'failed']
    if not failed:
        return None
    listed = '; '.join('%s: %s' % (r['name'], r['reason']) for r in failed[:shown])
    more = ' (and %d more, see results)' % (len(failed) - shown) if len(failed) > shown else ''
    return '%s failed for %d of %d: %s%s' % (what, len(failed), len(results), listed, more)


def run_changes(results, func, concurrency):
    """Call ``func(result)`` for every result whose outcome is ``changed``; a failure marks it ``failed``
    with the error, after every other call was made. Returns the results."""
    changing = [r for r in results if r['outcome'] == 'changed']
    for outcome in run_bounded(changing, func, concurrency, MAX_CONCURRENCY):
        if not outcome.ok:
            outcome.item.update(outcome='failed', reason=str(outcome.error))
    return results


def refuse_beyond(results, max_targets, noun):
    """Fail (before any write, in check mode too) when more results than ``max_targets`` would change."""
    check_max_targets([r['name'] for r in results if r['outcome'] == 'changed'], max_targets, noun)


def apply_maintenance_mode(client, machines, enabled, concurrency=DEFAULT_CONCURRENCY, check_mode=False,
                           max_targets=None):
    """Turn maintenance mode on or off where it differs; one result per machine. With ``max_targets``,
    nothing is changed when more machines than that would change."""
    results = []
    for machine in machines:
        before = bool(machine.get('InMaintenanceMode'))
        results.append({'name': machine.get('Name'), 'id': machine.get('Id'), 'in_maintenance_mode_before': before,
                        'in_maintenance_mode': bool(enabled),
                        'outcome': 'changed' if before != bool(enabled) else 'unchanged', 'reason': None})
    refuse_beyond(results, max_targets, 'machines')
    if not check_mode:
        run_changes(results, lambda r: client.set_maintenance_mode(r['id'], enabled), concurrency)
    for result in results:
        if result['outcome'] == 'failed':
            result['in_maintenance_mode'] = result['in_maintenance_mode_before']
    return results


# -- sessions ---------------------------------------------------------------------------------------

SESSION_STATES = ['Active', 'Connected', 'Disconnected', 'Unknown']


def _session_user_keys(session):
    user = session.get('User') or {}
    untrusted = str(session.get('UntrustedUserName') or '')
    keys = (untrusted, untrusted.rsplit('\\', 1)[-1], user.get('Name'), user.get('PrincipalName'))
    return set(str(k).lower() for k in keys if k)


def _session_machine_keys(session):
    machine = session.get('Machine') or {}
    name = str(machine.get('Name') or '')
    return set(str(k).lower() for k in (name, name.rsplit('\\', 1)[-1], machine.get('DnsName')) if k)


def find_sessions(client, session_ids=(), users=(), machines=(), states=(), concurrency=DEFAULT_CONCURRENCY,
                  all_targets=False):
    """Sessions matching every condition given: ``session_ids`` (read one by one; ids that do not exist
    are returned in the second value), ``users`` (DOMAIN\\user, user or UPN), ``machines`` (DOMAIN\\NAME,
    NAME or DNS name) and ``states``. Returns ``(sessions, missing_ids)``. Without ids, users or machines:
    every session of the site, only with ``all_targets`` (else an InputError, as for an empty entry)."""
    require_named(list(session_ids or ()) + list(users or ()) + list(machines or ()), all_targets,
                  noun='session')
    missing = []
    if session_ids:
        values = _read_all(session_ids, client.get_session, concurrency)
        sessions = [v for v in values if v is not None]
        missing = [key for key, value in zip(session_ids, values) if value is None]
    elif machines and len(machines) <= NAME_LOOKUP_LIMIT and all(_is_exact_reference(m) for m in machines):
        sessions = [s for per_machine in _read_all(machines, client.machine_sessions, concurrency) for s in per_machine]
    else:
        sessions = list(client.list_sessions())
    users = set(u.lower() for u in users or ())
    machines = set(m.lower() for m in machines or ())
    states = set(s.lower() for s in states or ())
    selected = [s for s in sessions
                if (not users or users & _session_user_keys(s))
                and (not machines or machines & _session_machine_keys(s))
                and (not states or str(s.get('State') or '').lower() in states)]
    return selected, missing


def apply_session_state(client, sessions, state, concurrency=DEFAULT_CONCURRENCY, check_mode=False, max_targets=None):
    """``logged_off`` or ``disconnected``; one result per session (a logged-off session is gone, so it is
    never ``unchanged`` here: callers report ids that no longer exist themselves). With ``max_targets``,
    nothing is changed when more sessions than that would change."""
    results = []
    for session in sessions:
        facts = session_facts(session)
        before = facts['state']
        change = state == 'logged_off' or before != 'Disconnected'
        results.append({'name': facts['id'], 'id': facts['id'], 'user': facts['user'], 'machine': facts['machine'],
                        'state_before': before, 'state': ('LoggedOff' if state == 'logged_off' else 'Disconnected'),
                        'outcome': 'changed' if change else 'unchanged', 'reason': None})
    refuse_beyond(results, max_targets, 'sessions')
    action = client.logoff_session if state == 'logged_off' else client.disconnect_session
    if not check_mode:
        run_changes(results, lambda r: action(r['id']), concurrency)
    for result in results:
        if result['outcome'] == 'failed':
            result['state'] = result['state_before']
    return results
