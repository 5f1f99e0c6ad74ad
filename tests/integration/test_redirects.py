"""Credentials never follow a redirect to another host or to plain HTTP.

Each product's sign-in and one authenticated call are answered with a 301, 302, 307 or 308 pointing at
another origin: another host over HTTPS, another host over plain HTTP, plain HTTP on the same host. That
origin is a listener of the same simulator (``sim.elsewhere``), so a client that followed would get
plausible answers; what must hold is that it receives no request at all, and that the call fails in one
line naming both origins, without the Location's user information or a secret. Redirects within the
origin still work where an API plausibly sends them; XenServer (XML-RPC) never follows one.

One real ``ansible-playbook -vvvv`` run per product shows the same through modules, with every secret
looked for in everything the run printed."""

import json
from urllib.parse import urlsplit

import pytest

from ansible_collections.opencitrix.automation.plugins.module_utils import errors
from ansible_collections.opencitrix.automation.plugins.module_utils.citrix_cloud.client import CloudClient
from ansible_collections.opencitrix.automation.plugins.module_utils.daas.client import DaasClient
from ansible_collections.opencitrix.automation.plugins.module_utils.retries import RetryPolicy
from ansible_collections.opencitrix.automation.plugins.module_utils.storefront.resources import Resources
from ansible_collections.opencitrix.automation.plugins.module_utils.xenmobile.client import XenMobileClient
from ansible_collections.opencitrix.automation.plugins.module_utils.xenmobile.properties import ServerProperties
from tests.integration.conftest import CLIENT_ID, CLIENT_SECRET, CUSTOMER_ID
from tests.integration.daas.support import ONPREM_PASSWORD, ONPREM_USER, onprem_env
from tests.integration.storefront import support as sf_support
from tests.integration.xenmobile.support import XM_PASSWORD, xenmobile, xm_client, xm_env
from tests.integration.xenserver.support import XEN_PASSWORD, XEN_USER, client as xen_client
from tests.reliability import issued_secrets, scan_for_secrets

NO_WAIT = dict(retry=RetryPolicy(retries=1, sleep=lambda _s: None))
# User information in the Location: it must never be printed.
LOCATION_USER = 'lk-user:lk-Pa55w0rd-31c9'


def _cloud(sim):
    sim.service('cloud').add_client(CLIENT_ID, CLIENT_SECRET, CUSTOMER_ID)
    return CloudClient(CLIENT_ID, CLIENT_SECRET, CUSTOMER_ID, api_url=sim.url, workspaces_api_url=sim.url + '/{service}',
                       ca_path=sim.ca_path, token_cache=False, **NO_WAIT).service_states()


def _daas_params(sim, **params):
    return dict(params, ca_path=sim.ca_path, token_cache=False, retries=1)


def _daas_cloud(sim):
    sim.service('cloud').add_client(CLIENT_ID, CLIENT_SECRET, CUSTOMER_ID)
    return DaasClient.from_params(_daas_params(sim, client_id=CLIENT_ID, client_secret=CLIENT_SECRET,
                                               customer_id=CUSTOMER_ID, api_url=sim.url)).sites()


def _daas_onprem(sim):
    sim.service('daas').add_admin(ONPREM_USER, ONPREM_PASSWORD)
    return DaasClient.from_params(_daas_params(sim, ddc_url=sim.url, client_id=ONPREM_USER,
                                               client_secret=ONPREM_PASSWORD)).sites()


def _xenmobile(sim):
    with xm_client(sim) as client:
        return ServerProperties(client).list()


def _xenmobile_cloud(sim):
    sim.service('cloud').add_client(CLIENT_ID, CLIENT_SECRET, CUSTOMER_ID)
    cloud = CloudClient(CLIENT_ID, CLIENT_SECRET, CUSTOMER_ID, api_url=sim.url, ca_path=sim.ca_path, token_cache=False,
                        **NO_WAIT)
    with XenMobileClient(xenmobile(sim).url(), login_type='cloud', cloud_token=cloud.token, ca_path=sim.ca_path,
                         **NO_WAIT) as client:
        return ServerProperties(client).list()


def _storefront(sim):
    return Resources(sf_support.client(sim)).list()


def _xenserver(sim):
    with xen_client(sim.service('xenserver'), retries=1) as session:
        return session.all_records('host')


class Product:
    """``routes``: {label: (route, after)}: the sign-in and an authenticated call (``after`` skips that many
    matching requests: StoreFront's first enumeration goes out without a token)."""

    def __init__(self, name, sim, run, routes, secrets, listener='main'):
        self.name = name
        self.sim = sim
        self.run = run
        self.routes = routes
        self.secrets = secrets
        self.listener = listener

    def main_url(self, sim):
        return sim.listeners[self.listener].url


XEN_SIM = {'services': ['xenserver'], 'size': 10, 'config': {'xenserver': {'password': XEN_PASSWORD, 'vms': 10}}}
PRODUCTS = [
    Product('Citrix Cloud', {'services': ['cloud']}, _cloud,
            {'sign-in': ('cloud.token', 0), 'call': ('cloud.service_states', 0)}, [CLIENT_SECRET]),
    Product('Citrix DaaS', {'services': ['cloud', 'daas']}, _daas_cloud, {'call': ('daas.me', 0)}, [CLIENT_SECRET]),
    Product('Citrix DaaS on-premises', {'services': ['daas']}, _daas_onprem,
            {'sign-in': ('daas.onprem.token', 0), 'call': ('daas.onprem.me', 0)}, [ONPREM_PASSWORD]),
    Product('XenMobile', {'services': ['xenmobile']}, _xenmobile,
            {'sign-in': ('xenmobile.login', 0), 'call': ('xenmobile.properties', 0)}, [XM_PASSWORD]),
    Product('XenMobile Cloud sign-in', {'services': ['cloud', 'xenmobile']}, _xenmobile_cloud,
            {'sign-in': ('xenmobile.login_cloud', 0)}, [CLIENT_SECRET]),
    Product('StoreFront', {'services': ['storefront']}, _storefront,
            {'sign-in': ('storefront.forms_postback', 0), 'token': ('storefront.token', 1),
             'call': ('storefront.resources_noauto', 1)}, [sf_support.PASSWORD]),
    Product('XenServer', XEN_SIM, _xenserver,
            {'sign-in': ('xenserver.session.login_with_password', 0), 'call': ('xenserver.host.get_all_records', 0)},
            [XEN_PASSWORD], listener='xenserver-master'),
]
BY_NAME = dict((p.name, p) for p in PRODUCTS)

# Where the redirect points: (label, scheme, host); None: the main listener's host.
TARGETS = [('other host https', 'https', '127.0.0.16'), ('other host http', 'http', '127.0.0.16'),
           ('same host http', 'http', '127.0.0.1')]
STATUSES = (301, 302, 307, 308)


def origin_of(url):
    parts = urlsplit(url)
    return '%s://%s:%d' % (parts.scheme, parts.hostname, parts.port)


def hostile_location(target):
    return '%s://%s@%s:%d{path}' % (target.scheme, LOCATION_USER, target.host, target.port)


def redirect(sim, product, label, location, status, times=-1):
    route, after = product.routes[label]
    return sim.faults.add('redirect', route=route, after=after, times=times, status=status, location=location,
                          listener=product.listener)


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv('XDG_CACHE_HOME', str(tmp_path / 'cache'))


CELLS = [(p.name, label, status, target) for p in PRODUCTS for label in p.routes for status in STATUSES
         for target in TARGETS]


@pytest.mark.parametrize('name,label,status,target', CELLS,
                         ids=['%s-%s-%d-%s' % (n, l, s, t[0]) for n, l, s, t in CELLS])
def test_a_redirect_to_another_origin_reaches_nothing_and_fails_in_one_line(name, label, status, target, make_sim):
    product = BY_NAME[name]
    sim = make_sim(**product.sim)
    elsewhere = sim.elsewhere(target[1], target[2])
    redirect(sim, product, label, hostile_location(elsewhere), status)
    with pytest.raises(errors.RedirectRefusedError) as caught:
        product.run(sim)
    text = str(caught.value)
    assert sim.faults.rules[0]['fired'] == 1
    assert sim.stats.count(listener='elsewhere-*') == 0, 'a request reached the redirect target'
    assert text.startswith('Refusing to follow a redirect from %s to %s: ' % (
        origin_of(product.main_url(sim)), origin_of(elsewhere.url))), text
    assert '(HTTP %d' % status in text and 'or a proxy rewriting answers' in text
    assert '\n' not in text and 'lk-' not in text
    checks, found = scan_for_secrets(issued_secrets(sim, product.secrets), {'message': text})
    assert checks and not found


# Redirects within the origin that an API plausibly sends (a moved path, a load balancer's 307).
SAME_ORIGIN = [('Citrix Cloud', 'sign-in', 307), ('Citrix Cloud', 'call', 308), ('Citrix DaaS', 'call', 302),
               ('Citrix DaaS on-premises', 'sign-in', 307), ('XenMobile', 'sign-in', 302), ('XenMobile', 'call', 301),
               ('StoreFront', 'sign-in', 307), ('StoreFront', 'call', 302), ('StoreFront', 'token', 308)]


@pytest.mark.parametrize('name,label,status', SAME_ORIGIN, ids=['%s-%s-%d' % c for c in SAME_ORIGIN])
def test_a_redirect_within_the_origin_is_followed_once(name, label, status, make_sim):
    product = BY_NAME[name]
    sim = make_sim(**product.sim)
    redirect(sim, product, label, '{path}', status, times=1)
    assert product.run(sim)
    route, after = product.routes[label]
    assert sim.faults.rules[0]['fired'] == 1
    # The requests let through first, the redirected one and the one it was sent again as.
    assert sim.stats.count(route=route) == after + 2


def test_xenserver_never_follows_a_redirect_even_within_the_host(make_sim):
    product = BY_NAME['XenServer']
    sim = make_sim(**product.sim)
    redirect(sim, product, 'call', '{path}', 307, times=1)
    with pytest.raises(errors.RedirectRefusedError) as caught:
        product.run(sim)
    master = origin_of(product.main_url(sim))
    assert str(caught.value).startswith('Refusing to follow a redirect from %s to %s: XenAPI calls are never '
                                        'redirected' % (master, master))
    assert sim.stats.count(route='xenserver.host.get_all_records') == 1


def test_storefront_unauthenticated_first_request_is_not_followed_either(make_sim):
    """The store's first enumeration goes out without a token; its answer would still be taken as the store's."""
    product = BY_NAME['StoreFront']
    sim = make_sim(**product.sim)
    elsewhere = sim.elsewhere('https')
    sim.faults.add('redirect', route='storefront.resources_noauto', times=1, location=hostile_location(elsewhere),
                   status=302, listener='main')
    with pytest.raises(errors.RedirectRefusedError) as caught:
        product.run(sim)
    assert 'API answers are only taken from the host the request went to' in str(caught.value)
    assert sim.stats.count(listener='elsewhere-*') == 0


# -- real ansible-playbook at -vvvv, one run per product ---------------------------------------------------

FQCN = 'opencitrix.automation.'
RUNS = {
    'Citrix Cloud': ('citrix_cloud_service_info', {}, ['sign-in', 'call'], 'Citrix Cloud'),
    'Citrix DaaS': ('citrix_daas_machine_info', {}, ['sign-in', 'call'], 'Citrix DaaS on-premises'),
    'XenMobile': ('xenmobile_server_property_info', {}, ['sign-in', 'call'], 'XenMobile'),
    'StoreFront': ('storefront_resource_info', {'token_cache': False}, ['sign-in', 'call'], 'StoreFront'),
    'XenServer': ('xenserver_host_info', {}, ['sign-in', 'call'], 'XenServer'),
}


def _environment(sim, product):
    if product.name == 'Citrix Cloud':
        sim.service('cloud').add_client(CLIENT_ID, CLIENT_SECRET, CUSTOMER_ID)
        return {'CITRIX_CLIENT_ID': CLIENT_ID, 'CITRIX_CLIENT_SECRET': CLIENT_SECRET, 'CITRIX_CUSTOMER_ID': CUSTOMER_ID,
                'CITRIX_CLOUD_API_URL': sim.url, 'CITRIX_WORKSPACES_API_URL': sim.url + '/{service}',
                'CITRIX_CA_PATH': sim.ca_path}
    if product.name == 'Citrix DaaS on-premises':
        return onprem_env(sim)
    if product.name == 'XenMobile':
        return xm_env(sim)
    if product.name == 'StoreFront':
        return sf_support.storefront_env(sim)
    return {'XENSERVER_HOST': sim.service('xenserver').url, 'XENSERVER_USER': XEN_USER,
            'XENSERVER_PASSWORD': XEN_PASSWORD, 'XENSERVER_CA_PATH': sim.ca_path}


def _admin(sim, method, body=None, name='fault'):
    task = {'name': name, 'ansible.builtin.uri': {'url': sim.url + '/_sim/faults', 'method': method,
                                                  'ca_path': sim.ca_path, 'body_format': 'json'}}
    if body is not None:
        task['ansible.builtin.uri']['body'] = body
    return task


@pytest.mark.parametrize('run_name', sorted(RUNS))
def test_a_playbook_at_vvvv_refuses_the_redirect_and_shows_no_secret(run_name, make_sim, run_playbook):
    module, args, labels, product_name = RUNS[run_name]
    product = BY_NAME[product_name]
    sim = make_sim(**product.sim)
    env = _environment(sim, product)
    targets = {'sign-in': sim.elsewhere('http'), 'call': sim.elsewhere('https')}
    tasks = []
    for label in labels:
        route, after = product.routes[label]
        fault = {'action': 'redirect', 'route': route, 'after': after, 'times': -1, 'status': 307,
                 'listener': product.listener, 'location': hostile_location(targets[label])}
        tasks += [_admin(sim, 'DELETE', name='clear faults before ' + label),
                  _admin(sim, 'POST', fault, name='redirect the ' + label),
                  {'name': label, FQCN + module: args, 'ignore_errors': True}]
    run = run_playbook([{'name': 'redirects', 'hosts': 'targets', 'gather_facts': False, 'tasks': tasks}],
                       env=env, verbosity=4)
    assert run.rc == 0, run
    main = origin_of(product.main_url(sim))
    for label in labels:
        result = run.task(label)
        assert result['status'] == 'failed', result
        msg = result['result']['msg']
        assert msg.startswith('Refusing to follow a redirect from %s to %s: ' % (main, origin_of(targets[label].url))), msg
        assert '\n' not in msg and result['result'].get('error_type') == 'RedirectRefusedError'
    assert sim.stats.count(listener='elsewhere-*') == 0, 'a request reached the redirect target'
    # (the uri tasks that set the faults up print the Location; the modules' results must not)
    assert 'Traceback' not in run.output and LOCATION_USER not in json.dumps([run.task(l) for l in labels])
    secrets = issued_secrets(sim, product.secrets)
    artifacts = {'stdout': run.stdout, 'stderr': run.stderr, 'results': json.dumps([r['result'] for r in run.results])}
    checks, found = scan_for_secrets(secrets, artifacts)
    assert checks and not found, found
