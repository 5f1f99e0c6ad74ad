"""The fault matrix: every module (and inventory plugin) against every fault the simulator can inject.

A *probe* is one representative call of a module (its arguments, the simulator routes it uses, the
route of its write if it writes). A *fault* is injected into those routes (or into the environment,
such as a closed port). The outcome is classified:

- ``recovered``: the module succeeded (the transport retried, re-authenticated or redirected);
- ``failed cleanly``: the module failed with one line, without a traceback or a secret;
- ``DEFECT``: anything else, including a success that is not allowed (for example a list that
  silently lost a page, or a write repeated after the server may have processed it).

Each fault says which outcomes are acceptable for reads and for writes. ``write_report`` turns the
outcomes into docs/reliability.md.
"""

import datetime
import json
import os
import socket

RECOVERED = 'recovered'
FAILED_CLEANLY = 'failed cleanly'
DEFECT = 'DEFECT'


class Fault:
    """``inject(sim, probe, env, args)`` applies the fault and may change env/args; ``expect`` maps
    the probe kind ('read', 'write', 'list') to the acceptable outcomes; ``applies(probe)`` filters."""

    def __init__(self, key, title, inject, expect, applies=None):
        self.key = key
        self.title = title
        self.inject = inject
        self.expect = expect
        self.applies = applies or (lambda probe: True)


class Probe:
    """One module call. ``kind``: 'read', 'list' (a paged listing, where losing a page is a defect) or
    'write' (``write_route`` is the glob of the state-changing route). ``setup(sim)`` prepares state;
    ``env(sim)`` gives the connection environment; ``url_vars`` are the env variables holding the
    product's URL (for the refused-connection fault); ``auth`` is 'cloud' when the probe signs in to
    Citrix Cloud (token faults apply)."""

    def __init__(self, product, module, args, routes, kind='read', write_route=None, setup=None, env=None,
                 url_vars=(), auth=None, page_route=None, secrets=None):
        self.product = product
        self.module = module
        self.args = args
        self.routes = routes
        self.kind = kind
        self.write_route = write_route
        self.setup = setup or (lambda sim: None)
        self.env = env or (lambda sim: sim.client_env())
        self.url_vars = url_vars
        self.auth = auth
        self.page_route = page_route
        self.secrets = secrets or (lambda sim: [])

    @property
    def id(self):
        suffix = self.args.get('state') if isinstance(self.args.get('state'), str) else ''
        return self.module + (':' + suffix if suffix else '')


def closed_port_url():
    sock = socket.socket()
    sock.bind(('127.0.0.1', 0))
    port = sock.getsockname()[1]
    sock.close()
    return 'https://127.0.0.1:%d' % port


# -- faults ---------------------------------------------------------------------------------------

def _refused(sim, probe, env, args):
    url = closed_port_url()
    for var in probe.url_vars:
        env[var] = env[var].replace(sim.url, url) if sim.url in env.get(var, '') else url


def _on(route_attr, action, **rule):
    def inject(sim, probe, env, args):
        route = getattr(probe, route_attr)
        sim.faults.add(action, route=route, **rule)
        if action == 'timeout':
            args.update(read_timeout=0.5, retries=1)
    return inject


def _expire_tokens(sim, probe, env, args):
    sim.service('cloud').expire_tokens()


def _is_write(probe):
    return probe.kind == 'write'


MUST_RECOVER = {'read': {RECOVERED}, 'list': {RECOVERED}, 'write': {RECOVERED}}
MUST_FAIL = {'read': {FAILED_CLEANLY}, 'list': {FAILED_CLEANLY}, 'write': {FAILED_CLEANLY}}

FAULTS = [
    Fault('refused', 'connection refused', _refused, MUST_FAIL, lambda p: bool(p.url_vars)),
    Fault('read_timeout', 'read timeout (every attempt)', _on('routes', 'timeout', times=-1, seconds=3), MUST_FAIL),
    # The first call of every probe is a read (writes look before they leap), so one-off transport
    # failures on it must be retried away, and a 500 must not be.
    Fault('reset', 'TCP reset before the answer (once)', _on('routes', 'reset', times=1), MUST_RECOVER),
    Fault('reset_mid_body', 'reset in the middle of the body (once)', _on('routes', 'reset_mid_body', times=1),
          MUST_RECOVER),
    Fault('http_429', 'HTTP 429 with Retry-After (twice)',
          _on('routes', 'status', status=429, headers={'Retry-After': '0'}, times=2), MUST_RECOVER),
    Fault('http_500', 'HTTP 500 (once)',
          _on('routes', 'status', status=500, times=1, body={'message': 'Internal server error'}), MUST_FAIL),
    Fault('http_503', 'HTTP 503 without Retry-After (once)', _on('routes', 'status', status=503, times=1),
          MUST_RECOVER),
    Fault('malformed', 'malformed JSON body (always)', _on('routes', 'malformed', times=-1), MUST_FAIL),
    Fault('html', 'HTML error page, 502 (always)', _on('routes', 'html', status=502, times=-1), MUST_FAIL),
    Fault('write_reset', 'reset on the write (once)', _on('write_route', 'reset', times=1),
          {'write': {FAILED_CLEANLY}}, _is_write),
    Fault('write_500', 'HTTP 500 on the write (once)',
          _on('write_route', 'status', status=500, times=1, body={'message': 'Internal server error'}),
          {'write': {FAILED_CLEANLY}}, _is_write),
    Fault('write_429', 'HTTP 429 on the write (once)',
          _on('write_route', 'status', status=429, headers={'Retry-After': '0'}, times=1),
          {'write': {RECOVERED}}, _is_write),
    Fault('page_lost', 'second page of a listing malformed', _on('page_route', 'malformed', times=1, after=1),
          MUST_FAIL, lambda p: p.page_route is not None),
    Fault('token_expired', 'cached token expired mid-run', _expire_tokens, MUST_RECOVER, lambda p: p.auth == 'cloud'),
    Fault('token_429', 'token endpoint answers 429 (once)',
          lambda sim, probe, env, args: sim.faults.add('status', route='cloud.token', status=429,
                                                       headers={'Retry-After': '0'}, times=1),
          MUST_RECOVER, lambda p: p.auth == 'cloud'),
]


# -- probes ---------------------------------------------------------------------------------------

CLOUD_URLS = ('CITRIX_CLOUD_API_URL', 'CITRIX_WORKSPACES_API_URL')


def _cloud_secrets(sim):
    return [sim.service('cloud').config.get('client_secret', 'sim-client-secret')] + list(sim.service('cloud').tokens)


def _bulk_notifications(sim):
    sim.service('cloud_platform').add_notifications(sim.service('cloud').customer, 150)


PROBES = [
    Probe('Citrix Cloud', 'citrix_cloud_service_info', {}, 'cloud.service_states', url_vars=CLOUD_URLS,
          auth='cloud', secrets=_cloud_secrets),
    Probe('Citrix Cloud', 'citrix_cloud_resource_location_info', {}, 'resource_locations.*', url_vars=CLOUD_URLS,
          auth='cloud', secrets=_cloud_secrets),
    Probe('Citrix Cloud', 'citrix_cloud_resource_location', {'name': 'Reliability lab'}, 'resource_locations.*',
          kind='write', write_route='resource_locations.create', url_vars=CLOUD_URLS, auth='cloud',
          secrets=_cloud_secrets),
    Probe('Citrix Cloud', 'citrix_cloud_notification',
          {'title': 'Reliability', 'description': 'Fault matrix', 'dedup_key': 'matrix'}, 'notifications.*',
          kind='write', write_route='notifications.send', url_vars=CLOUD_URLS, auth='cloud',
          setup=_bulk_notifications, page_route='notifications.list', secrets=_cloud_secrets),
]


def cells():
    """Every (probe, fault) pair that applies."""
    return [(probe, fault) for probe in PROBES for fault in FAULTS if fault.applies(probe)]


def classify(result, secrets):
    """(outcome, note) of one module result."""
    text = json.dumps(result)
    leaked = [s for s in secrets if s and len(s) >= 6 and s in text]
    if leaked:
        return DEFECT, 'secret in result'
    if result.get('escaped'):
        return DEFECT, 'exception escaped: %s' % result['escaped'][:200]
    if not result.get('failed'):
        return RECOVERED, ''
    msg = result.get('msg', '')
    if '\n' in msg or 'Traceback' in text:
        return DEFECT, 'multi-line message or traceback'
    if not msg:
        return DEFECT, 'failure without a message'
    return FAILED_CLEANLY, msg


# -- report ---------------------------------------------------------------------------------------

SYMBOL = {RECOVERED: 'recovered', FAILED_CLEANLY: 'clean fail', DEFECT: '**DEFECT**'}


def write_report(outcomes, path, secrets_checked=None):
    """``outcomes``: dicts with probe, product, fault, outcome, note, expected."""
    faults = [f for f in FAULTS if any(o['fault'] == f.key for o in outcomes)]
    lines = ['# Reliability', '',
             'Generated by `tests/integration/test_fault_matrix.py` (part of `make test`) on %s. Do not edit by hand.'
             % datetime.date.today().isoformat(), '',
             'Every module was run against the simulator with each fault injected into the API calls it',
             'makes. **recovered**: it succeeded anyway (retry, re-authentication, redirect). **clean fail**:',
             'it failed with one line naming the cause, without a traceback or a secret. A **DEFECT** is any',
             'other outcome, or one the fault does not allow (e.g. a listing that lost a page but succeeded,',
             'or a write repeated after the server may have processed it).', '']
    total = len(outcomes)
    recovered = sum(1 for o in outcomes if o['outcome'] == RECOVERED)
    clean = sum(1 for o in outcomes if o['outcome'] == FAILED_CLEANLY)
    defects = sum(1 for o in outcomes if o['outcome'] == DEFECT or not o['expected'])
    lines += ['## Summary', '',
              '| faults x modules tried | recovered | failed cleanly | defects | secrets found in output |',
              '|---|---|---|---|---|',
              '| %d | %d | %d | %d | %s |' % (total, recovered, clean, defects, secrets_checked or 0), '']
    lines += ['## Faults', '', '| fault | what is injected | reads | writes |', '|---|---|---|---|']
    for fault in faults:
        reads = ' or '.join(sorted(fault.expect.get('read', fault.expect.get('list', {'-'}))))
        writes = ' or '.join(sorted(fault.expect.get('write', {'-'})))
        lines.append('| `%s` | %s | %s | %s |' % (fault.key, fault.title, reads, writes))
    lines.append('')
    products = []
    for o in outcomes:
        if o['product'] not in products:
            products.append(o['product'])
    for product in products:
        rows = [o for o in outcomes if o['product'] == product]
        probes = []
        for o in rows:
            if o['probe'] not in probes:
                probes.append(o['probe'])
        present = [f for f in faults if any(o['fault'] == f.key for o in rows)]
        lines += ['## %s' % product, '', '| module | ' + ' | '.join('`%s`' % f.key for f in present) + ' |',
                  '|---|' + '---|' * len(present)]
        for probe in probes:
            cells_ = []
            for fault in present:
                found = [o for o in rows if o['probe'] == probe and o['fault'] == fault.key]
                if not found:
                    cells_.append('')
                    continue
                o = found[0]
                cells_.append(SYMBOL[o['outcome']] if o['expected'] else '**DEFECT** (%s)' % o['outcome'])
            lines.append('| `%s` | %s |' % (probe, ' | '.join(cells_)))
        lines.append('')
    examples = {}
    for o in outcomes:
        if o['outcome'] == FAILED_CLEANLY and o['fault'] not in examples:
            examples[o['fault']] = (o['probe'], o['note'])
    if examples:
        lines += ['## What a clean failure looks like', '', 'One message per fault, as the task reports it:', '']
        for fault in faults:
            if fault.key in examples:
                probe, note = examples[fault.key]
                lines.append('- `%s` (`%s`): %s' % (fault.key, probe, note.replace('|', '\\|')))
        lines.append('')
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w') as handle:
        handle.write('\n'.join(lines))
