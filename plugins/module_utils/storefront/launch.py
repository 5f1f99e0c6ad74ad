# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Launch checks against a StoreFront store: the ICA launch request Citrix Workspace app makes, per resource,
with the time each phase took.

``POST {launchica url}`` with a ``launchparams`` document (``clientName``, ``clientAddress``, ``deviceId``)
answers a ``launch`` document: ``success`` with the ICA file and its ``logonTicket``; ``retry`` with a retry
URL, a delay (``after``) and a reason (``rebooting`` or ``resuming`` when the store is starting the desktop,
``unknown``); or ``failure`` with an error id (``NoMoreActiveSessions``, ``UnavailableDesktop`` ...). A
``404`` carries the reason in ``X-Citrix-Error-Reason``.

The ICA file and its tickets are secrets: every ticket, launch reference and value of the ICA file is
registered with the redactor the moment the answer is read, and neither the file nor any of its values is
returned. A result says only that an ICA file came and how large it was.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.opencitrix.automation.plugins.module_utils import clock, errors
from ansible_collections.opencitrix.automation.plugins.module_utils.concurrency import run_bounded
from ansible_collections.opencitrix.automation.plugins.module_utils.results import FleetResult
from ansible_collections.opencitrix.automation.plugins.module_utils.storefront import safe_xml
from ansible_collections.opencitrix.automation.plugins.module_utils.storefront.resources import (
    Resources, select_resources,
)
from ansible_collections.opencitrix.automation.plugins.module_utils.targets import emptiness

NS_LAUNCHPARAMS = 'http://citrix.com/delivery-services/1-0/launchparams'
NS_LAUNCH = 'http://citrix.com/delivery-services/1-0/launch'
MEDIA_PARAMS = 'application/vnd.citrix.launchparams+xml'
MEDIA_DATA = 'application/vnd.citrix.launchdata+xml'
STARTING = ('rebooting', 'resuming')  # retry reasons that mean the store is starting the desktop
# What the reasons of a launch's 404 mean (launch.md), for the result's error_text.
NOT_LAUNCHABLE = {
    'ResourceNotFound': 'the store offers the user no such resource',
    'ResourceDisabled': 'the resource is disabled',
    'UnsupportedOperation': 'the resource cannot be launched with ICA',
    'SubscriptionStatusInvalid': 'the user is not subscribed to the resource (storefront_subscription subscribes, '
                                 'unless an approval workflow must grant it first)',
    'SubscriptionStatusUnknown': 'the store could not tell whether the user is subscribed to the resource',
}
MAX_RETRIES = 20


def launch_body(client_name=None, client_address=None, device_id=None):
    body = {'@xmlns': NS_LAUNCHPARAMS}
    for key, value in (('deviceId', device_id), ('clientName', client_name), ('clientAddress', client_address)):
        if value:
            body[key] = value
    return safe_xml.unparse({'launchparams': body}).encode('utf-8')


# ICA file keys whose values open a session (tickets, launch references, passwords) or carry an STA ticket
# (``Address=;40;STA...;<ticket>``). Other values (ProxyType=Auto, TWIMode=On ...) are ordinary words.
SECRET_KEY_PARTS = ('ticket', 'reference', 'password', 'token', 'cookie')
ADDRESS_KEYS = ('address', 'sslproxyhost', 'httpbrowseraddress')
MIN_TICKET_PART = 8


def ica_secrets(ica, ticket):
    """The secrets of an ICA file (``key=value`` lines) and its logon ticket, to be kept out of all output."""
    values = [ticket] if ticket else []
    for line in (ica or '').splitlines():
        if '=' not in line or line.startswith('['):
            continue
        key, value = (part.strip() for part in line.split('=', 1))
        key = key.lower()
        if any(part in key for part in SECRET_KEY_PARTS):
            values.append(value)
        elif key in ADDRESS_KEYS and ';' in value:
            values.extend(part for part in value.split(';') if len(part) >= MIN_TICKET_PART)
    return [v for v in values if v]


def read_launch(data, redactor, what, url):
    """``{'status', 'kind', ...}`` of a launch answer; secrets are registered with ``redactor`` before
    anything else looks at them."""
    root = safe_xml.parse_root(data, 'launch', what, url=url, namespaces={NS_LAUNCH: None})
    result = root.get('result') if isinstance(root.get('result'), dict) else {}
    kind = result.get('@type') or ''
    out = {'status': root.get('@status') or 'unknown', 'kind': kind}
    if kind == 'ica':
        ica, ticket = safe_xml.text(result.get('ica')) or '', safe_xml.text(result.get('logonTicket'))
        for secret in ica_secrets(ica, ticket):
            redactor.add(secret)
        out.update(ica_bytes=len(ica.encode('utf-8')), has_ticket=bool(ticket))
    elif kind == 'retry':
        retry = result.get('retry') if isinstance(result.get('retry'), dict) else {}
        try:
            after = max(0, int(safe_xml.text(retry.get('after')) or 0))
        except ValueError:
            after = 0
        out.update(retry_url=safe_xml.text(retry.get('url')), after=after,
                   reason=safe_xml.text(retry.get('reason')) or 'unknown')
    elif kind == 'error':
        error = result.get('error') if isinstance(result.get('error'), dict) else {}
        out.update(error_id=safe_xml.text(error.get('id')) or 'unknown', error_text=safe_xml.text(error.get('text')))
    return out


class LaunchCheck:
    """ICA launches of the resources of the store of ``client`` (a StoreFrontClient), timed per phase."""

    def __init__(self, client, client_identity=None, retry_timeout=300, sleep=None, monotonic=None):
        self.client = client
        self.identity = dict(client_identity or {})
        self.retry_timeout = retry_timeout
        self.sleep = sleep or clock.sleep
        self.monotonic = monotonic or (lambda: clock.current().monotonic())

    def launch(self, resource):
        """One resource's launch, retries included (bounded by ``retry_timeout``)."""
        spent = [0.0]
        waited, url, started_desktop, reasons = 0.0, resource['launch_url'], None, []
        what = 'launch the StoreFront resource "%s"' % resource['id']
        for _attempt in range(MAX_RETRIES):
            started = self.monotonic()
            try:
                response = self.client.http.request(
                    'POST', self.client.secure(url), data=launch_body(**self.identity), what=what,
                    headers={'Content-Type': MEDIA_PARAMS, 'Accept': MEDIA_DATA})
                answer = read_launch(response.content, self.client.redact, what, self.client.redact(url))
            except errors.ApiError as exc:
                spent[0] += self.monotonic() - started
                return self._timed(spent, waited, launched=False, status='failure', error_id=exc.code or 'HTTP %s'
                                   % exc.status, error_text=NOT_LAUNCHABLE.get(exc.code) or exc.api_message
                                   or exc.summary, power_on=started_desktop)
            spent[0] += self.monotonic() - started
            if answer['kind'] != 'retry':
                return self._timed(spent, waited, launched=answer['kind'] == 'ica', status=answer['status'],
                                   error_id=answer.get('error_id'), error_text=answer.get('error_text'),
                                   ica_bytes=answer.get('ica_bytes'), power_on=started_desktop, retry_reasons=reasons)
            reasons.append(answer['reason'])
            if answer['reason'] in STARTING and started_desktop is None:
                started_desktop = answer['reason']
            if not answer.get('retry_url') or waited + answer['after'] > self.retry_timeout:
                return self._timed(spent, waited, launched=False, status='retry', error_id='RetryTimeout',
                                   error_text='the store still asked to retry after %d s (%s)' % (
                                       waited, ', '.join(reasons)), power_on=started_desktop, retry_reasons=reasons)
            self.sleep(answer['after'])
            waited += answer['after']
            url = answer['retry_url']
        return self._timed(spent, waited, launched=False, status='retry', error_id='TooManyRetries',
                           error_text='%d retry answers in a row' % MAX_RETRIES, power_on=started_desktop)

    @staticmethod
    def _timed(spent, waited, **outcome):
        """The outcome with ``launch_seconds`` (the launch requests, retries included) and ``waited_seconds``
        (the delays the store asked for between them)."""
        outcome.setdefault('retry_reasons', [])
        outcome['launch_seconds'] = round(spent[0], 3)
        outcome['waited_seconds'] = waited
        return outcome


def check_names(names):
    problem = emptiness(names if names is not None else [])
    if problem:
        raise errors.InputError('resources %s' % problem, hint='name the resources to launch, by id or title')


def run_launch_check(client, names, client_identity=None, check_mode=False, concurrency=4, retry_timeout=300,
                     sleep=None, monotonic=None):
    """Sign in, enumerate, launch each resource named (by id or title); ``(FleetResult, timings)``. A
    resource launched without the store starting anything is ``unchanged``; one whose desktop the store
    started (a ``rebooting`` or ``resuming`` retry) is ``changed``; a failed launch is ``failed``. In check
    mode nothing is launched: the resources that would be are ``skipped`` with ``would launch``."""
    check_names(names)
    checker = LaunchCheck(client, client_identity, retry_timeout, sleep, monotonic)
    started = checker.monotonic()
    listing = Resources(client).list(client=client_identity)
    enumerated = checker.monotonic()
    timings = {'sign_in_seconds': round(client.sign_in_seconds, 3),
               'enumeration_seconds': round(max(0.0, enumerated - started - client.sign_in_seconds), 3)}
    chosen, missing = select_resources(listing['resources'], names)
    fleet = FleetResult('Launch check')
    for name in missing:
        fleet.add(name, 'failed', 'the store offers the user no resource with this id or title', launched=False,
                  error_id='ResourceNotFound')
    ready = []
    for resource in chosen:
        base = dict(id=resource['id'], title=resource['title'], type=resource['type'])
        if not resource.get('launch_url'):
            fleet.add(resource['id'], 'failed', 'the store gives no ICA launch URL for it', launched=False,
                      error_id='UnsupportedOperation', **base)
        elif check_mode:
            fleet.add(resource['id'], 'skipped', 'would launch (check mode)', launched=False, **base)
        else:
            ready.append(fleet.add(resource['id'], 'unchanged', None, **base))
    for outcome in run_bounded(ready, lambda item: checker.launch(resource_of(chosen, item['id'])), concurrency):
        item = outcome.item
        if not outcome.ok:
            fleet.fail(item, outcome.error, launched=False)
            continue
        item.update(outcome.value)
        if not item['launched']:
            fleet.fail(item, '%s: %s' % (item['error_id'], item.get('error_text') or 'no details'))
        elif item.get('power_on'):
            item.update(outcome='changed', reason='the store started the desktop (%s)' % item['power_on'])
    timings['total_seconds'] = round(checker.monotonic() - started, 3)
    return fleet, timings


def resource_of(resources, resource_id):
    return next(r for r in resources if r['id'] == resource_id)
