# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Citrix DaaS / Virtual Apps and Desktops REST client of one site: site selection, URLs and headers,
paged listings, and the caller's jobs.

Two ways in, one client:
- Citrix Cloud: ``{api_url}/cvad/manage`` with a Cloud token (``citrix_cloud.CloudClient``) and the
  ``Citrix-CustomerId`` / ``Citrix-InstanceId`` headers;
- on-premises Orchestration API (:mod:`.onprem`): ``https://{ddc}/citrix/orchestration/api``, customer id
  ``CitrixOnPremises``, and resource paths under ``.../{customerId}/{siteId}``.
Listings ask for the largest page the API allows (1000) and only the ``fields`` they use. The resources
themselves are in :mod:`.machines`, :mod:`.sessions`, :mod:`.catalogs`, :mod:`.delivery_groups` and
:mod:`.tags`.

A hibernated Cloud site answers HTTP 530 (``GET /me`` first). By default that is one line,
:class:`errors.SiteHibernatedError`, saying how to wake the site. A client made with ``activate_site``
(stateful modules opt in; never check mode, info modules or inventories) instead activates it
(``POST {gateway}/resourceprovider/{customerId}/site/activation?customerId=...``), waits until ``/me``
answers, and sends the request again.

Every request carries a new ``Citrix-TransactionId`` and errors name the server's (:mod:`.transactions`).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from urllib.parse import quote

from ansible_collections.opencitrix.automation.plugins.module_utils import clock, errors
from ansible_collections.opencitrix.automation.plugins.module_utils.citrix_cloud.client import CloudClient
from ansible_collections.opencitrix.automation.plugins.module_utils.concurrency import run_bounded
from ansible_collections.opencitrix.automation.plugins.module_utils.daas import transactions
from ansible_collections.opencitrix.automation.plugins.module_utils.daas.onprem import (
    ONPREM_CUSTOMER_ID, OnPremisesSession,
)
from ansible_collections.opencitrix.automation.plugins.module_utils.paging import NewById, iterate_pages
from ansible_collections.opencitrix.automation.plugins.module_utils.responses import require_keys, require_list
from ansible_collections.opencitrix.automation.plugins.module_utils.transport import transport_options

CLOUD_API_PATH = '/cvad/manage'
PAGE_SIZE = 1000
# Per-object requests in flight: default and hard cap (the transport keeps 32 connections per host).
# The site queues power actions itself, so the default only paces the hand-over: at 50 ms per request, 700
# reboots took 3.7 s at 10 and take 1.5 s at 25 (bench/scenarios/daas_reboot_idle.py).
DEFAULT_CONCURRENCY = 25
MAX_CONCURRENCY = 32
NAME_LOOKUP_LIMIT = 20  # more names than this: one listing instead of one GET per name
HIBERNATED_STATUS = 530
# Citrix's own client waits up to 20 minutes for an activated site to answer /me.
DEFAULT_ACTIVATION_TIMEOUT = 1200
ACTIVATION_POLL = (5.0, 30.0)  # first and longest wait between two GET /me while a site wakes up


def path_segment(value):
    """A name or id as one path segment; ``DOMAIN\\NAME`` travels as ``DOMAIN|NAME`` (API convention)."""
    return quote(str(value).replace('\\', '|'), safe='')


def is_exact_reference(value):
    """A DOMAIN\\NAME or an id (GUID): something ``GET /{collection}/{nameOrId}`` resolves on its own."""
    return '\\' in value or (len(value) == 36 and value.count('-') == 4)


def ref_name(ref):
    """The name of an embedded reference (``{"Id": ..., "Name": ...}``), or None."""
    return ref.get('Name') if isinstance(ref, dict) else None


def read_all(keys, read, concurrency):
    """``read(key)`` for every key with bounded concurrency; the values in order, or the first error."""
    values = []
    for outcome in run_bounded(list(keys), read, concurrency, MAX_CONCURRENCY):
        if not outcome.ok:
            raise outcome.error
        values.append(outcome.value)
    return values


def read_by_ids(ids, get, listing, concurrency):
    """Objects by id (a dict; ids that no longer exist are missing): ``get(id)`` each for a few, else one
    ``listing()``, filtered."""
    wanted = set(ids)
    if len(wanted) <= NAME_LOOKUP_LIMIT:
        found = read_all(sorted(wanted), get, concurrency)
    else:
        found = [item for item in listing() if item.get('Id') in wanted]
    return dict((item.get('Id'), item) for item in found if item is not None)


class DaasClient:
    """The DaaS REST API of one site, through Citrix Cloud or a Delivery Controller."""

    def __init__(self, session, customer_id, api_root, on_premises=False, site_id=None, site_name=None,
                 activate_site=False, activation_timeout=DEFAULT_ACTIVATION_TIMEOUT, gateway=None):
        self.session = session
        self.http = session.http
        self.customer_id = customer_id
        self.api_root = api_root.rstrip('/')
        self.on_premises = on_premises
        self._site = {'id': site_id, 'name': site_name} if site_id else None
        self._site_name = site_name
        self.activate_site = bool(activate_site)
        self.activation_timeout = activation_timeout
        self.gateway = gateway
        self.activated = False

    @classmethod
    def from_params(cls, params, redactor=None, log=None, activate_site=False, **transport):
        """Build a client from module or plugin options (names as in ``argspec.daas_argument_spec``);
        ``activate_site``: wake a hibernated site (the caller decides: never in check mode), waiting up to
        ``params['activate_site_timeout']`` seconds; ``transport``: HttpClient arguments that replace the
        options' (such as ``retry``)."""
        site = dict(site_id=params.get('site_id'), site_name=params.get('site_name'),
                    activate_site=activate_site,
                    activation_timeout=params.get('activate_site_timeout') or DEFAULT_ACTIVATION_TIMEOUT)
        if params.get('ddc_url'):
            options = dict(transport_options(params), **transport)
            session = OnPremisesSession(params['ddc_url'], params.get('client_id'), params.get('client_secret'),
                                        token_cache=params.get('token_cache', True), redactor=redactor, log=log,
                                        **options)
            return cls(session, ONPREM_CUSTOMER_ID, session.api_root, on_premises=True, **site)
        if not params.get('customer_id'):
            raise errors.InputError('customer_id is required for Citrix DaaS in Citrix Cloud',
                                    hint='set customer_id or CITRIX_CUSTOMER_ID, or ddc_url for an on-premises site')
        cloud = CloudClient.from_params(params, redactor=redactor, log=log, **transport)
        return cls(cloud, params['customer_id'], cloud.http.base_url + CLOUD_API_PATH, gateway=cloud.http.base_url,
                   **site)

    @property
    def stats(self):
        return self.http.stats

    def for_site(self, site_id, site_name=None):
        """A client of another site of the same customer, sharing this one's sign-in and connections."""
        return DaasClient(self.session, self.customer_id, self.api_root, self.on_premises, site_id, site_name,
                          self.activate_site, self.activation_timeout, self.gateway)

    # -- sites ----------------------------------------------------------------------------------

    def me(self):
        """What ``GET /me`` says: the administrator, and the customers and sites they may administer."""
        what = 'list the sites of customer "%s" (GET /me)' % self.customer_id
        response = self._send('GET', self.api_root + '/me', what, headers={'Citrix-CustomerId': self.customer_id})
        return transactions.decode(self.http, response, what, lambda body: require_keys(body, ('Customers',), what))

    def sites(self):
        """The sites of this customer that the caller may administer (``GET /me``)."""
        customers = self.me()['Customers'] or []
        chosen = [c for c in customers if str(c.get('Id', '')).lower() == self.customer_id.lower()]
        if not chosen and len(customers) == 1 and self.on_premises:
            chosen = customers
        if not chosen:
            raise errors.NotFoundError('Could not list the sites of customer "%s" (GET /me)' % self.customer_id,
                                       api_message='the caller has no access to this customer',
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
        """One request on a path of the site (``/Machines``...); the ``requests.Response``."""
        return self._send(method, self._url(path), what, headers=self._headers(headers), **kwargs)

    def _send(self, method, url, what, headers=None, **kwargs):
        """A request through the sign-in session (:func:`.transactions.send`); a hibernated site is woken
        first when allowed."""
        try:
            return transactions.send(self.session, method, url, what, headers, **kwargs)
        except errors.ServerError as exc:
            if exc.status != HIBERNATED_STATUS:
                raise
            if not self.activate_site or self.activated or not self.gateway:
                raise self._hibernated(exc)
        self.wake()
        return transactions.send(self.session, method, url, what, headers, **kwargs)

    def _hibernated(self, exc):
        hint = ('activate it: open Citrix DaaS in the Citrix Cloud console, or run a task that changes something '
                'with activate_site: true (it activates the site and waits for it)')
        if not self.activate_site:
            return errors.SiteHibernatedError('The Citrix DaaS site of customer "%s" is hibernated' % self.customer_id,
                                              status=exc.status, method=exc.method, url=exc.url, hint=hint,
                                              transaction_id=exc.transaction_id)
        return errors.SiteHibernatedError('The Citrix DaaS site of customer "%s" is still hibernated after its '
                                          'activation' % self.customer_id, status=exc.status, method=exc.method,
                                          url=exc.url, hint='check the site in the Citrix Cloud console',
                                          transaction_id=exc.transaction_id)

    def wake(self, sleep=None, now=None):
        """Activate the hibernated site and wait (up to ``activation_timeout`` seconds) until ``GET /me``
        answers; ``sleep`` and ``now`` default to the process's :mod:`clock`."""
        sleep = sleep or clock.current().sleep
        now = now or clock.current().monotonic
        what = 'activate the hibernated Citrix DaaS site of customer "%s"' % self.customer_id
        self.session.request('POST', '%s/resourceprovider/%s/site/activation' % (
            self.gateway, quote(self.customer_id, safe='')), what=what, params={'customerId': self.customer_id},
            headers={'Citrix-CustomerId': self.customer_id})
        self.activated = True
        deadline = now() + self.activation_timeout
        delay = ACTIVATION_POLL[0]
        while True:
            sleep(max(0.0, min(delay, deadline - now())))
            try:
                transactions.send(self.session, 'GET', self.api_root + '/me', 'read GET /me while the site wakes up',
                                  {'Citrix-CustomerId': self.customer_id})
                return
            except errors.ServerError as exc:
                if exc.status != HIBERNATED_STATUS:
                    raise
            if now() >= deadline:
                raise errors.WaitTimeoutError(
                    'The Citrix DaaS site of customer "%s" did not wake up within %s seconds of its activation'
                    % (self.customer_id, self.activation_timeout),
                    hint='raise activate_site_timeout, or check the site in the Citrix Cloud console')
            delay = min(delay * 2, ACTIVATION_POLL[1])

    def call(self, method, path, what, check=None, **kwargs):
        """One request on a path of the site; its decoded JSON body, passed through ``check`` (a function
        raising ResponseFormatError for a body of the wrong shape) when given."""
        return transactions.decode(self.http, self.request(method, path, what, **kwargs), what, check)

    @staticmethod
    def collection(body, what):
        """``(items, continuation token)`` of a collection body (``{"Items": [...], "ContinuationToken": ...}``)."""
        return require_list(body, 'Items', what), body.get('ContinuationToken')

    def pages(self, path, what, fields=None, params=None):
        """Every page (the API's own body) of a paged collection, 1000 items at a time. A listing whose
        pages stop bringing items not seen before, while the server keeps offering another page, ends
        with ResponseFormatError after a few pages (:func:`paging.iterate_pages`)."""
        query = dict(params or {}, limit=PAGE_SIZE)
        if fields:
            query['fields'] = ','.join(fields)

        def page(body):
            self.collection(body, what)
            return body

        def fetch(token):
            body = self.call('GET', path, what, params=dict(query, continuationToken=token) if token else query,
                             check=page)
            return [body], body.get('ContinuationToken')

        fresh = NewById()
        return iterate_pages(fetch, new_items=lambda bodies: fresh(bodies[0]['Items']), what=what)

    def paged(self, path, what, fields=None, params=None):
        """Every item of a paged collection."""
        for body in self.pages(path, what, fields, params):
            yield from body['Items']

    def token(self):
        """The token requests carry now (batch items repeat it, :mod:`.batch`)."""
        return self.session.token()

    def batch_url(self, path):
        """A path of the site (``/Machines/...``) as a batch item's ``RelativeUrl``: as it is through the Cloud
        API gateway, after ``{customerId}/{siteId}/`` for an on-premises site."""
        if self.on_premises:
            return '%s/%s/%s' % (ONPREM_CUSTOMER_ID, quote(self.site()['id'], safe=''), path.lstrip('/'))
        return path

    @staticmethod
    def results_of(body, what):
        """The items of a ``BatchResponseModel`` (``{"Items": [...]}``)."""
        return require_list(body, 'Items', what)

    # -- jobs -----------------------------------------------------------------------------------

    def jobs(self):
        """The caller's jobs (``GET /Jobs``)."""
        return self.call('GET', '/Jobs', 'list jobs', check=lambda body: self.collection(body, 'list jobs')[0])

    def job(self, job_id):
        what = 'read job %s' % job_id
        return self.call('GET', '/Jobs/%s' % path_segment(job_id), what,
                         check=lambda body: require_keys(body, ('Id', 'Status'), what))

    def batch_results(self, job_id):
        """The item answers of a finished ``Batch`` job (``GET /Jobs/{id}/Results``)."""
        what = 'read the results of batch job %s' % job_id
        return self.call('GET', '/Jobs/%s/Results' % path_segment(job_id), what,
                         check=lambda body: self.results_of(body, what))
