"""The fault matrix: every module and inventory plugin against every fault the simulator can inject.

A *probe* is one representative call of a module or plugin (its arguments, the simulator it needs,
the routes it uses, the route of its write if it writes). A *fault* is injected into those routes (or
into the environment, such as a closed port, an expired token or a pool member instead of the
master). The outcome is classified:

- ``recovered``: the call succeeded (the transport retried, re-authenticated or followed a redirect
  within the API's own origin), AND the
  probe's own check confirms the result is complete (every item listed, the state reached);
- ``failed cleanly``: the call failed with one line, without a traceback or a secret (and, for bulk
  actions, naming what failed);
- ``DEFECT``: anything else, including a success that is not allowed (a listing that silently lost
  a page, a write repeated after the server may have processed it, a success that did not happen).

Each fault says which outcomes are acceptable for reads and for writes. The tests record their
outcomes with ``record`` and ``tests/reliability_report.py`` turns them into docs/reliability.md.
"""

import glob
import json
import os
import re
import socket
import time
from urllib.parse import quote_plus

from tests.harness import ROOT

RECOVERED = 'recovered'

# What xenserver_vm calls a VM while it creates it, and the template the creating probe clones.
XEN_CREATING = ' [creating by opencitrix.automation]'
XEN_CREATE_TEMPLATE = 'web-template'
FAILED_CLEANLY = 'failed cleanly'
DEFECT = 'DEFECT'

OUTCOMES = os.path.join(ROOT, 'tests', 'output', 'reliability')


def record(section, name, data):
    """Keep one test outcome for the report (each xdist worker writes its own files)."""
    directory = os.path.join(OUTCOMES, section)
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, re.sub(r'[^A-Za-z0-9_.-]', '_', name) + '.json'), 'w') as handle:
        json.dump(dict(data, name=name), handle)


def records(section):
    found = []
    for path in sorted(glob.glob(os.path.join(OUTCOMES, section, '*.json'))):
        with open(path) as handle:
            found.append(json.load(handle))
    return found


def issued_secrets(sim, extra=()):
    """Every credential the simulator knows or handed out: configured passwords and secrets, and every
    token and session issued so far. A test greps its output for each of them."""
    found = set(extra)
    services = sim.services
    if 'cloud' in services:
        cloud = services['cloud']
        found.update(cloud.tokens)
        found.update(c.get('secret') for c in getattr(cloud, 'clients', {}).values() if isinstance(c, dict))
    if 'daas' in services:
        found.update(services['daas'].onprem_tokens)
        found.update(services['daas'].admins.values())
    if 'xenmobile' in services:
        for instance in services['xenmobile'].instances.values():
            found.update(instance.issued)
            found.update(u['password'] for u in instance.users.values())
    if 'storefront' in services:
        found.update(services['storefront'].tokens)
        found.update(services['storefront'].users.values())
        found.update(services['storefront'].issued_tickets)
    if 'xenserver' in services:
        found.update(services['xenserver'].issued_sessions)
        found.add(services['xenserver'].password)
    return sorted(s for s in found if isinstance(s, str) and len(s) >= 6)


def secret_forms(secret):
    """What a leak of ``secret`` could look like: the value, its URL-encoded form, its forms escaped inside
    a JSON string and by ``repr()``, without surrounding whitespace, and, for long tokens, a fragment of
    their middle (a token cut by a log line is still a leak)."""
    forms = {secret, quote_plus(secret), json.dumps(secret)[1:-1], repr(secret)[1:-1], secret.strip()}
    if len(secret) >= 40:
        middle = len(secret) // 2
        forms.add(secret[middle - 10:middle + 10])
    return forms


def scan_for_secrets(secrets, artifacts):
    """``(checks, found)``: every form of every secret looked for in every artifact (``{name: text}``);
    ``found`` lists ``(masked secret, artifact)`` pairs, never the secret itself."""
    checks, found = 0, []
    for secret in secrets:
        for form in secret_forms(secret):
            for name, text in artifacts.items():
                checks += 1
                if form in (text or ''):
                    found.append((secret[:3] + '...', name))
    return checks, found


# -- faults ---------------------------------------------------------------------------------------

def _rules_fired(sim, probe):
    return all(rule['fired'] for rule in sim.faults.rules)


class Fault:
    """``inject(sim, probe, env, args)`` applies the fault and may change env/args; ``expect`` maps
    the probe kind ('read', 'list', 'write') to the acceptable outcomes; ``applies(probe)`` filters;
    ``warm``: the probe's credentials are used once before the fault (so a token is cached);
    ``fired(sim, probe)`` tells afterwards whether the fault really happened (a cell whose fault
    never fired proves nothing); ``breach(sim, probe, result, targets)`` names what must never happen under
    this fault and did (a DEFECT whatever the outcome), or None (``targets``: the probe's targets as they
    were before the call). ``expect['batch']``, when present, replaces
    ``expect['write']`` for probes that write through a batch route, and ``expect['unresolvable']`` both for
    such probes whose writes leave no trace on their objects (``Probe.resolves`` False)."""

    def __init__(self, key, title, inject, expect, applies=None, warm=False, fired=_rules_fired, breach=None,
                 verify=None):
        self.key = key
        self.title = title
        self.inject = inject
        self.expect = expect
        self.applies = applies or (lambda probe: True)
        self.warm = warm
        self.fired = fired
        self.breach = breach or (lambda sim, probe, *_context: None)
        # verify(sim, probe, result): for a success, what is wrong with what was made of the result, or None
        self.verify = verify or (lambda sim, probe, result: None)

    def allowed(self, probe):
        """The acceptable outcomes for ``probe``: ``expect['batch']`` for a write sent through a batch route
        (a lost batch is resolved from the objects' side, so it recovers), else by the probe's kind."""
        if probe.batch_route and not probe.resolves and 'unresolvable' in self.expect:
            return self.expect['unresolvable']
        if probe.batch_route and 'batch' in self.expect:
            return self.expect['batch']
        return self.expect.get(probe.kind, set())


def closed_port_url():
    sock = socket.socket()
    sock.bind(('127.0.0.1', 0))
    port = sock.getsockname()[1]
    sock.close()
    return 'https://127.0.0.1:%d' % port


# Bodies cut short, in each protocol's own media type: (malformed, partial, content type).
BROKEN_BODIES = {
    'json': (None, None, None),
    'xml': ('<?xml version="1.0" encoding="utf-8"?><resources xmlns="http://citrix.com/delivery-services/1-0/'
            'resources"><resource><id>Controller.Note', '<?xml version="1.0" encoding="utf-8"?><resources',
            'application/vnd.citrix.resources+xml; charset=utf-8'),
    'xmlrpc': ("<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n<value><struct>\n<member>\n"
               "<name>Status</name>", "<?xml version='1.0'?>\n<methodResponse>\n<params>", 'text/xml'),
}


def _refused(sim, probe, env, args):
    url = closed_port_url()
    for var in probe.url_vars:
        current = env.get(var) or ''
        env[var] = re.sub(r'^https?://[^/]+', url, current) if current else url


def _on(route_attr, action, **rule):
    def inject(sim, probe, env, args):
        route = getattr(probe, route_attr)
        if route_attr == 'write_route' and probe.batch_route:  # the write that goes over the wire
            route = probe.batch_route
        options = dict(rule)
        if action in ('malformed', 'reset_mid_body'):
            malformed, partial, content_type = BROKEN_BODIES[probe.protocol]
            body = malformed if action == 'malformed' else partial
            if body:
                options.update(body=body, content_type=content_type)
        sim.faults.add(action, route=route, **options)
        if action == 'timeout':
            probe.set_option(args, read_timeout=0.25, retries=1)
    return inject


# The route of each sign-in scheme's credential exchange.
SIGNIN_ROUTES = {'cloud': 'cloud.token', 'daas_onprem': 'daas.onprem.token', 'xenmobile': 'xenmobile.login',
                 'storefront': 'storefront.token', 'xenserver': 'xenserver.session.login_with_password'}


def _on_signin(action, **rule):
    def inject(sim, probe, env, args):
        sim.faults.add(action, route=SIGNIN_ROUTES[probe.auth], times=1, **rule)
    return inject


# The request of each sign-in scheme that carries the password or secret itself, where it differs from
# SIGNIN_ROUTES (StoreFront's password goes to the ExplicitForms postback, not to the token service).
CREDENTIAL_ROUTES = dict(SIGNIN_ROUTES, storefront='storefront.forms_postback')


def _redirect(status, scheme, host, signin=False, times=-1, same_origin=False):
    """Answer the probe's sign-in (or its API calls) with ``status`` and a Location on another origin:
    ``sim.elsewhere(scheme, host)``, a listener of the same simulator that would answer like the API
    (with user information in the Location, which must never be printed); or the same URL again."""
    def inject(sim, probe, env, args):
        if same_origin:
            location = '{path}'
        else:
            target = sim.elsewhere(scheme, host)
            location = '%s://lk-user:lk-Pa55w0rd@%s:%d{path}' % (target.scheme, target.host, target.port)
        route = CREDENTIAL_ROUTES[probe.auth] if signin else probe.routes
        listener = 'xenserver-master' if probe.protocol == 'xmlrpc' else 'main'
        sim.faults.add('redirect', route=route, status=status, times=times, location=location, listener=listener)
    return inject


def _reached_elsewhere(sim, probe, *_context):
    hits = sim.stats.count(listener='elsewhere-*')
    return '%d request(s) reached the redirect target' % hits if hits else None


def _expire_token(sim, probe, env, args):
    AUTH_EXPIRY[probe.auth](sim, probe)


def _xenmobile_token_expired(sim, probe):
    # The token dies between the sign-in and the first call: the server's answer to an expired or
    # revoked auth_token (HTTP 401, empty body, as the simulator gives it).
    sim.faults.add('status', route=probe.routes, status=401, times=1)


AUTH_EXPIRY = {
    'cloud': lambda sim, probe: sim.service('cloud').expire_tokens(),
    'daas_onprem': lambda sim, probe: sim.service('daas').expire_onprem_tokens(),
    'storefront': lambda sim, probe: sim.service('storefront').expire_tokens(),
    'xenmobile': _xenmobile_token_expired,
}


def _session_invalid(sim, probe, env, args):
    sim.service('xenserver').evict_after_calls = 2  # every session dies after its second call


def _host_is_slave(sim, probe, env, args):
    env['XENSERVER_HOST'] = sim.service('xenserver').member_url(1)


def _xapi_failure(sim, probe, env, args):
    # The toolstack's own answer while the master restarts (errors.json: no parameters).
    sim.service('xenserver').inject_failure('*.get_*', 'HOST_STILL_BOOTING', times=1)


def _odd_answer(method, shape):
    """The next answer to ``method`` (a glob) takes ``shape`` (tests/simulator/services/xenserver/odd_answers.py)."""
    def inject(sim, probe, env, args):
        sim.service('xenserver').answer_oddly(method, shape)
    return inject


def _odd_answer_sent(sim, probe):
    return sim.service('xenserver').odd_answers.used()


def _cached_then_wrong_password(sim, probe, env, args):
    """Fill the inventory cache with the right password, then run with a wrong one."""
    from tests.inventory_runner import run_inventory
    args.update(cache=True, cache_plugin='ansible.builtin.jsonfile', cache_timeout=3600,
                cache_connection=os.path.join(sim.workdir, 'inventory-cache'))
    warm = run_inventory(probe.plugin, args, sim.workdir, env=env, name='warm.%s.yml' % probe.plugin)
    assert not warm.get('failed'), warm
    env['XENSERVER_PASSWORD'] = 'Wr0ng-cache-Pa55'


def _inventory_cached(sim, probe):
    return bool(os.listdir(os.path.join(sim.workdir, 'inventory-cache')))


def _answered_from_cache(sim, probe, *_context):
    logins = sim.stats.count(route=SIGNIN_ROUTES['xenserver'])
    return None if logins >= 2 else 'the wrong password got the hosts cached with the right one (no sign-in tried)'


def _creation_interrupted(sim, probe, env, args):
    """A run killed while it created the VM left its half-made VM behind (a clone of the template)."""
    xen = sim.service('xenserver')
    with xen.db.lock:
        xen.clone_vm(xen.vm_ref(XEN_CREATE_TEMPLATE), args['name'] + XEN_CREATING)


def _leftover_removed(sim, probe):
    return sim.stats.count(route='xenserver.VM.destroy') >= 1


def _rival_creation(sim, probe, env, args):
    """Another run names its VM like this one while this one's clone runs."""
    xen = sim.service('xenserver')
    handlers = xen.messages.handlers
    clone = handlers[('VM', 'clone')]

    def racing(session, vm, new_name):
        handlers[('VM', 'clone')] = clone
        xen.add_test_vm(args['name'], power_state='Halted')
        return clone(session, vm, new_name)
    handlers[('VM', 'clone')] = racing


def _rival_created(sim, probe):
    return sim.stats.count(route='xenserver.Async.VM.clone') == 1


def _vms_of_one_name(sim, probe, *_context):
    names = [r['name_label'] for r in sim.service('xenserver').db.all('VM').values()]
    if names.count('rel-new') != 1 or any(n.endswith(XEN_CREATING) for n in names):
        return '%d VMs called rel-new and %d half-made ones remain' % (
            names.count('rel-new'), len([n for n in names if n.endswith(XEN_CREATING)]))
    return None


def _job_failure(sim, probe, env, args):
    probe.fail_job(sim)


def _endless_paging(sim, probe, env, args):
    probe.endless_paging(sim)


ENDLESS_PAGES_FOLLOWED = 5  # page requests of an endless listing a client may make before giving up


def _followed_endless_paging(sim, probe, *_context):
    pages = sim.stats.count(route=probe.page_route)
    return ('followed %d pages of a listing that never ends' % pages) if pages > ENDLESS_PAGES_FOLLOWED else None


def _signed_in_again(sim, probe):
    return _rules_fired(sim, probe) and sim.stats.count(route=SIGNIN_ROUTES[probe.auth]) >= 1


def _injected_used(sim, probe):
    return all(entry[2] == 0 for entry in sim.service('xenserver').injected)


def _job_failed(sim, probe):
    if probe.auth == 'xenserver':
        return _injected_used(sim, probe)
    return any(job.get('_fail') for job in sim.service('daas').site().jobs.values())


# StoreFront answers: a document nested 100,000 levels deep must be refused at once.
_INJECTED_AT = {}
SLOW_REFUSAL_SECONDS = 5


def _deep_xml(sim, probe, env, args):
    sim.service('storefront').hostile = 'deep'
    _INJECTED_AT[id(sim)] = time.monotonic()


def _slow_refusal(sim, probe, *_context):
    seconds = time.monotonic() - _INJECTED_AT.pop(id(sim), time.monotonic())
    return 'took %.1f s to end on the deep document' % seconds if seconds > SLOW_REFUSAL_SECONDS else None


# StoreFront's token cache: the same user name in another domain is another account.
OTHER_DOMAIN_USER = 'rel-jdoe'


def _other_domain_token(sim, probe, env, args):
    """CORP\\rel-jdoe's service token sits in the run's token cache; the probe runs as LAB\\rel-jdoe (same
    user name and password, logon form with a domain field)."""
    from ansible_collections.opencitrix.automation.plugins.module_utils.storefront.client import StoreFrontClient
    store = sim.service('storefront')
    store.domain_field = True
    password = env['STOREFRONT_PASSWORD']
    for domain in ('CORP', 'LAB'):
        store.add_user('%s\\%s' % (domain, OTHER_DOMAIN_USER), password)
    corp = StoreFrontClient(env['STOREFRONT_URL'], OTHER_DOMAIN_USER, password, domain='CORP',
                            ca_path=env.get('STOREFRONT_CA_PATH'))
    corp.auth.store(store.mint_token('CORP\\' + OTHER_DOMAIN_USER))
    env['STOREFRONT_USERNAME'] = OTHER_DOMAIN_USER
    args['domain'] = 'LAB'


def _used_other_domain_token(sim, probe, *_context):
    served = sim.service('storefront').served_users.get('CORP\\' + OTHER_DOMAIN_USER)
    if served:
        return ('%d store request(s) of LAB\\%s were sent with CORP\\%s\'s cached token'
                % (served, OTHER_DOMAIN_USER, OTHER_DOMAIN_USER))
    if not sim.stats.count(route='storefront.forms_postback'):
        return 'LAB\\%s did not sign in' % OTHER_DOMAIN_USER
    return None


# XenMobile: a device owner and platform holding a line break and a spreadsheet formula.
def _formula_device(sim, probe, env, args):
    from tests.integration.xenmobile.support import plant_formula_device
    plant_formula_device(sim)


def _user_activity_csv(sim, probe, result):
    """The user activity role's CSV made from the result (its columns, the collection's CSV filter)."""
    import yaml
    from ansible_collections.opencitrix.automation.plugins.filter.to_csv import to_csv
    from tests.integration.xenmobile.support import csv_problems
    with open(os.path.join(ROOT, 'roles', 'xenmobile_user_activity', 'vars', 'main.yml')) as handle:
        columns = yaml.safe_load(handle)['xenmobile_user_activity__columns']
    problems = csv_problems(to_csv(result.get('users') or [], columns))
    return 'the CSV report: %s' % '; '.join(problems) if problems else None


def _is_write(probe):
    return probe.kind == 'write'


def _batched(probe):
    return probe.batch_route is not None


def _writes_sent(sim, probe):
    """Writes of the probe's write route that reached the site: requests of their own and batch items."""
    return sim.stats.count(route=probe.write_route) + sim.stats.items(route=probe.write_route)


def _acted_twice(sim, probe, result=None, targets=None):
    sent = _writes_sent(sim, probe)
    if targets and sent > len(targets):
        return '%d writes reached the site for %d objects' % (sent, len(targets))
    return None


FAILING_ITEMS = 3
ITEM_REFUSAL = {'SdkErrorId': 'ObjectLocked', 'ErrorMessage': 'Another administrator is changing this object.'}


def _items_fail(sim, probe, env, args):
    for key in probe.target_keys(sim)[:FAILING_ITEMS]:
        sim.faults.add('status', route=probe.write_route, path=re.escape(key), status=409, body=ITEM_REFUSAL)


def _three_named(sim, probe, result, names):
    """The failed items are named with the API's error; every other object was done."""
    message = result.get('msg', '')
    missing = [n for n in names[:FAILING_ITEMS] if '%s: ' % n not in message]
    if missing or 'ObjectLocked: Another administrator is changing this object.' not in message:
        return 'the failed items are not named with the API\'s error: %s' % message
    if _writes_sent(sim, probe) != len(names):
        return '%d writes reached the site for %d objects' % (_writes_sent(sim, probe), len(names))
    done = [i for i in result.get(probe.result_key) or [] if i.get('outcome') == 'changed']
    if len(done) != len(names) - FAILING_ITEMS:
        return '%d objects done, expected %d' % (len(done), len(names) - FAILING_ITEMS)
    return None


def _fail_next_batch(sim, probe, env, args):
    sim.service('daas').fail_next_batch = {'code': 'UnknownError', 'message': 'The orchestration service restarted.'}


def _whole_batch_named(sim, probe, result, names):
    message = result.get('msg', '')
    missing = [n for n in names if '%s: Batch job ' % n not in message]
    if missing or 'UnknownError: The orchestration service restarted.' not in message:
        return 'not every object of the failed batch is named with the job\'s error: %s' % message
    return None


def _batch_job_failed(sim, probe):
    return sim.service('daas').fail_next_batch is None and any(
        job['Type'] == 'Batch' and job.get('_fail') for job in sim.service('daas').site().jobs.values())


def _throttle_batch(sim, probe, env, args):
    for route in (probe.batch_route, 'daas.job.get', 'daas.job.results'):
        sim.faults.add('status', route=route, status=429, headers={'Retry-After': '1'}, times=1,
                       body={'SdkErrorId': 'TooManyRequests', 'ErrorMessage': 'Slow down.'})


def _xenserver(probe):
    return probe.auth == 'xenserver'


def _creates(probe):
    return probe.label == 'create'


def _over_http(probe):
    return probe.protocol != 'xmlrpc'


MUST_RECOVER = {'read': {RECOVERED}, 'list': {RECOVERED}, 'write': {RECOVERED}}
# A write through a batch route whose answer is lost: resolved from the objects' side (each acted on once);
# a write that leaves no trace fails, not repeated.
BATCH_RESOLVES = {'batch': {RECOVERED}, 'unresolvable': {FAILED_CLEANLY}}
MUST_FAIL = {'read': {FAILED_CLEANLY}, 'list': {FAILED_CLEANLY}, 'write': {FAILED_CLEANLY}}

FAULTS = [
    Fault('refused', 'connection refused', _refused, MUST_FAIL, lambda p: bool(p.url_vars),
          fired=lambda sim, probe: sim.stats.count() == 0),
    Fault('read_timeout', 'read timeout (every attempt)', _on('routes', 'timeout', times=-1, seconds=3), MUST_FAIL),
    # The first call of every probe is a read (writes look before they leap; sign-ins do not change
    # state), so one-off transport failures on it must be retried away, and a 500 must not be.
    Fault('reset', 'TCP reset before the answer (once)', _on('routes', 'reset', times=1), MUST_RECOVER),
    Fault('reset_mid_body', 'reset in the middle of the body (once)', _on('routes', 'reset_mid_body', times=1),
          MUST_RECOVER),
    Fault('http_429', 'HTTP 429 with Retry-After (twice; REST APIs, xapi does not throttle)',
          _on('routes', 'status', status=429, headers={'Retry-After': '0'}, times=2), MUST_RECOVER, _over_http),
    Fault('http_500', 'HTTP 500 (once)',
          _on('routes', 'status', status=500, times=1, body={'message': 'Internal server error'}), MUST_FAIL),
    Fault('http_503', 'HTTP 503 without Retry-After (once)', _on('routes', 'status', status=503, times=1),
          MUST_RECOVER),
    Fault('malformed', 'malformed body in the API\'s media type (always)', _on('routes', 'malformed', times=-1),
          MUST_FAIL),
    Fault('html', 'HTML error page, 502 (always)', _on('routes', 'html', status=502, times=-1), MUST_FAIL),
    Fault('write_reset', 'reset on the write (once; for a batched write, on the batch POST)',
          _on('write_route', 'reset', times=1), dict(BATCH_RESOLVES, write={FAILED_CLEANLY}), _is_write,
          breach=_acted_twice),
    Fault('write_500', 'HTTP 500 on the write (once; for a batched write, on the batch POST)',
          _on('write_route', 'status', status=500, times=1, body={'message': 'Internal server error'}),
          dict(BATCH_RESOLVES, write={FAILED_CLEANLY}), _is_write, breach=_acted_twice),
    Fault('write_429', 'HTTP 429 on the write (once; for a batched write, on the batch POST)',
          _on('write_route', 'status', status=429, headers={'Retry-After': '0'}, times=1),
          {'write': {RECOVERED}}, lambda p: _is_write(p) and _over_http(p)),
    Fault('batch_lost', 'the batch POST is processed, then its answer is lost (reset); it is not sent again and no '
          'object is changed twice', _on('batch_route', 'lost_answer', times=1),
          {'write': {RECOVERED}, 'unresolvable': {FAILED_CLEANLY}}, _batched,
          breach=lambda sim, probe, result, targets: _acted_twice(sim, probe, result, targets) or (
              'the batch was sent again' if sim.stats.count(route=probe.batch_route) > 1 else None)),
    Fault('batch_items_failed', '%d items of a batch answer 409 with an ErrorData body; the others are done' %
          FAILING_ITEMS, _items_fail, {'write': {FAILED_CLEANLY}}, _batched, breach=_three_named),
    Fault('batch_429', 'HTTP 429 with Retry-After on the batch POST, the batch job read and its results (once each)',
          _throttle_batch, {'write': {RECOVERED}}, _batched),
    Fault('batch_job_failed', 'the batch job fails as a whole', _fail_next_batch, {'write': {FAILED_CLEANLY}},
          _batched, fired=_batch_job_failed, breach=_whole_batch_named),
    Fault('page_lost', 'second page of a listing malformed', _on('page_route', 'malformed', times=1, after=1),
          MUST_FAIL, lambda p: p.page_route is not None),
    Fault('token_expired', 'token expired mid-run (cached Cloud, on-premises DaaS or StoreFront token; XenMobile '
          'auth_token after sign-in)', _expire_token, MUST_RECOVER, lambda p: p.auth in AUTH_EXPIRY, warm=True,
          fired=_signed_in_again),
    Fault('signin_reset', 'TCP reset on the sign-in (once)', _on_signin('reset'), MUST_RECOVER),
    Fault('signin_429', 'HTTP 429 with Retry-After on the sign-in (once)',
          _on_signin('status', status=429, headers={'Retry-After': '0'}), MUST_RECOVER, _over_http),
    Fault('session_invalid', 'SESSION_INVALID mid-run (every session dies after two calls)', _session_invalid,
          MUST_RECOVER, lambda p: p.auth == 'xenserver',
          fired=lambda sim, probe: sim.stats.count(route=SIGNIN_ROUTES['xenserver']) >= 2),
    Fault('host_is_slave', 'HOST_IS_SLAVE: hostname is a pool member', _host_is_slave, MUST_RECOVER,
          lambda p: p.auth == 'xenserver', fired=lambda sim, probe: any(
              listener != 'xenserver-master' for listener, _method in sim.service('xenserver').calls_by_listener)),
    Fault('api_failure', 'XenAPI Failure envelope HOST_STILL_BOOTING on a read (once)', _xapi_failure, MUST_FAIL,
          lambda p: p.auth == 'xenserver', fired=_injected_used),
    Fault('job_failed', 'the async job (DaaS) or task (XenServer) fails', _job_failure, {'write': {FAILED_CLEANLY}},
          lambda p: p.fail_job is not None, fired=_job_failed),
    Fault('endless_paging', 'a listing hands out a new continuation token with every page, forever, and the same '
          'items; at most %d page requests' % ENDLESS_PAGES_FOLLOWED, _endless_paging, MUST_FAIL,
          lambda p: p.endless_paging is not None,
          fired=lambda sim, probe: sim.stats.count(route=probe.page_route) >= 2, breach=_followed_endless_paging),
    Fault('redirect_signin', 'the request carrying the password or secret answered with 307 to another host over '
          'plain HTTP (always); nothing may reach that host', _redirect(307, 'http', '127.0.0.16', signin=True),
          MUST_FAIL, breach=_reached_elsewhere),
    Fault('redirect_call', 'API calls answered with 302 to another host over HTTPS (always); nothing may reach it',
          _redirect(302, 'https', '127.0.0.16'), MUST_FAIL, breach=_reached_elsewhere),
    Fault('redirect_plain_http', 'API calls answered with 308 to plain HTTP on the same host (always); nothing may '
          'reach it', _redirect(308, 'http', '127.0.0.1'), MUST_FAIL, breach=_reached_elsewhere),
    Fault('deep_xml', 'an answer of XML nested 100,000 levels deep (1.3 MB, always); it must end within %d s'
          % SLOW_REFUSAL_SECONDS, _deep_xml, MUST_FAIL, lambda p: p.protocol == 'xml',
          fired=lambda sim, probe: sim.stats.count(route=probe.routes) >= 1, breach=_slow_refusal),
    Fault('token_other_domain', 'the token cache holds the token of the same user name and password in another '
          'domain (StoreFront); the run must sign in as its own account', _other_domain_token, MUST_RECOVER,
          lambda p: p.auth == 'storefront', fired=lambda sim, probe: sim.stats.count(route=probe.routes) >= 1,
          breach=_used_other_domain_token),
    Fault('formula_text', 'a device owner and platform holding a line break, then =HYPERLINK(...); the CSV report '
          'made from the result must show them as text', _formula_device, MUST_RECOVER,
          lambda p: p.module == 'xenmobile_user_activity_info',
          fired=lambda sim, probe: sim.stats.count(route=probe.routes) >= 1, verify=_user_activity_csv),
    Fault('redirect_same_origin', 'API calls answered with 307 to the same URL (once; REST APIs, xapi never '
          'redirects)', _redirect(307, None, None, times=1, same_origin=True), MUST_RECOVER, _over_http),
]

# XenAPI answers of the wrong shape on the first read (key, what, method glob, shape).
XAPI_ODD_ANSWERS = [
    ('xapi_empty_error', 'a XenAPI Failure whose ErrorDescription is `[]`', '*.get_*', 'empty_description'),
    ('xapi_map_error', 'a XenAPI Failure whose ErrorDescription is `{}`', '*.get_*', 'map_description'),
    ('xapi_text_error', 'a XenAPI Failure whose ErrorDescription is text, not a list', '*.get_*', 'text_description'),
    ('xapi_odd_error_params', 'a XenAPI Failure whose parameters are a map and a number', '*.get_*', 'odd_parameters'),
    ('xapi_no_status', 'a XenAPI answer without `Status`', '*.get_*', 'no_status'),
    ('xapi_text_listing', 'a `get_all_records` answer that is text', '*.get_all_records*', 'text_value'),
    ('xapi_text_records', '`get_all_records` records that are text', '*.get_all_records*', 'text_records'),
    ('xapi_missing_fields', '`get_all_records` records without `uuid`, `name_label`, `power_state`...',
     '*.get_all_records*', 'missing_fields'),
]
FAULTS += [Fault(key, title + ' (once)', _odd_answer(method, shape), MUST_FAIL, _xenserver, fired=_odd_answer_sent)
           for key, title, method, shape in XAPI_ODD_ANSWERS]
FAULTS += [
    Fault('cache_wrong_password', 'the inventory cache filled with the right password, then the same file run with a '
          'wrong one; it must not answer from that cache', _cached_then_wrong_password, MUST_FAIL,
          lambda p: p.plugin == 'xenserver', fired=_inventory_cached, breach=_answered_from_cache),
    Fault('create_interrupted', 'a run killed while creating the VM left its half-made VM behind (`xenserver_vm` '
          'creating)', _creation_interrupted, {'write': {RECOVERED}}, _creates, fired=_leftover_removed,
          breach=_vms_of_one_name),
    Fault('create_race', 'another run creates a VM of the same name while this one creates it', _rival_creation,
          {'write': {FAILED_CLEANLY}}, _creates, fired=_rival_created, breach=_vms_of_one_name),
]


# -- probes ---------------------------------------------------------------------------------------

class Probe:
    """One module (or inventory plugin) call.

    ``kind``: 'read', 'list' (a paged listing, where losing a page is a defect) or 'write'
    (``write_route`` is the glob of the state-changing route). ``sim``: simulator options (services,
    size, config, time_scale). ``setup(sim)`` prepares state; ``env(sim)`` gives the connection
    environment; ``url_vars`` are the env variables holding the product's URL (for the refused
    connection); ``auth`` names the sign-in scheme (which token faults apply); ``protocol`` is
    'json', 'xml' or 'xmlrpc'; ``complete(sim, result)`` says whether a success really is complete;
    ``targets(sim)`` are the names a failed bulk action must report; ``fail_job(sim)`` makes the next
    asynchronous job or task fail; ``endless_paging(sim)`` makes the ``page_route`` listing hand out a
    new continuation token with every page, forever. ``batch_route``: the route that carries the writes
    (as batch items of ``write_route``), with ``target_keys(sim)`` (what each target's write path names,
    in the order of ``targets``) and ``result_key`` (the module's per-object results); ``resolves``: False
    for writes that leave no trace on their objects (a message), so a lost batch answer cannot be resolved
    from the objects' side and its writes fail, unrepeated."""

    def __init__(self, product, module, args, routes, kind='read', write_route=None, setup=None, env=None,
                 url_vars=(), auth=None, page_route=None, sim=None, protocol='json', complete=None,
                 targets=None, fail_job=None, plugin=None, label=None, endless_paging=None, batch_route=None,
                 target_keys=None, result_key=None, resolves=True):
        self.product = product
        self.module = module
        self.plugin = plugin
        self.args = args
        self.routes = routes
        self.kind = kind
        self.write_route = write_route
        self.setup = setup or (lambda sim: None)
        self.env = env or (lambda sim: sim.client_env())
        self.url_vars = url_vars
        self.auth = auth
        self.page_route = page_route
        self.sim = sim or {}
        self.protocol = protocol
        self.complete = complete or (lambda sim, result: True)
        self.targets = targets
        self.fail_job = fail_job
        self.label = label
        self.endless_paging = endless_paging
        self.batch_route = batch_route
        self.target_keys = target_keys or targets
        self.result_key = result_key
        self.resolves = resolves

    @property
    def id(self):
        name = ('inventory/' + self.plugin) if self.plugin else self.module
        suffix = self.label or (self.args.get('state') if isinstance(self.args.get('state'), str) else '')
        return name + (':' + suffix if suffix else '')

    def set_option(self, args, **options):
        args.update(options)


def cells():
    """Every (probe, fault) pair that applies."""
    from tests.reliability_probes import PROBES
    return [(probe, fault) for probe in PROBES for fault in FAULTS if fault.applies(probe)]


def classify(result, secrets):
    """(outcome, note) of one module or plugin result."""
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
