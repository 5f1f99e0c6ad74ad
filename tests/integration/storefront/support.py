"""StoreFront test helpers: distinctive credentials (so leak tests can grep for them) and a client
factory pointed at the simulator."""

from ansible_collections.opencitrix.automation.plugins.module_utils.storefront.client import StoreFrontClient
from ansible_collections.opencitrix.automation.plugins.module_utils.token_cache import TokenCache
from ansible_collections.opencitrix.automation.plugins.module_utils.retries import RetryPolicy

USERNAME = 'IT\\sf-tester'
PASSWORD = 'sf-P4ss-9e1b77c2d0'
INFO = 'opencitrix.automation.storefront_resource_info'

# The seven requests of a first sign-in: challenge, token-service challenge, protocol choices, the two
# ExplicitForms steps, the service token and the retried enumeration.
SIGN_IN_ROUTES = {'storefront.token': 2, 'storefront.protocols': 1, 'storefront.forms_start': 1,
                  'storefront.forms_postback': 1}


def storefront_env(sim):
    """Environment for the modules: the simulator's store with a user of our own."""
    sim.service('storefront').add_user(USERNAME, PASSWORD)
    return {'STOREFRONT_URL': sim.url + '/Citrix/Store', 'STOREFRONT_USERNAME': USERNAME,
            'STOREFRONT_PASSWORD': PASSWORD, 'STOREFRONT_CA_PATH': sim.ca_path}


def client(sim, tmp_path=None, username=USERNAME, password=PASSWORD, **kwargs):
    """A client on the simulator's store; the token cache (when on) lives under ``tmp_path``."""
    sim.service('storefront').add_user(USERNAME, PASSWORD)
    kwargs.setdefault('token_cache', tmp_path is not None)
    if tmp_path is not None:
        kwargs.setdefault('cache', TokenCache(use_file=True, directory=str(tmp_path / 'token-cache')))
    kwargs.setdefault('retry', RetryPolicy(retries=2, sleep=lambda _s: None))
    return StoreFrontClient(sim.url + '/Citrix/Store', username=username, password=password,
                            ca_path=sim.ca_path, **kwargs)


def info_play(tasks, hosts='targets', **play):
    """A play of storefront_resource_info tasks: ``tasks`` is a list of (name, options)."""
    body = {'name': 'storefront', 'hosts': hosts, 'gather_facts': False,
            'tasks': [{'name': name, INFO: options, 'register': 'out%d' % n} for n, (name, options) in enumerate(tasks)]}
    body.update(play)
    return [body]
