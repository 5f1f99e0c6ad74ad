"""Secrets stay secret in the other forms they take on their way into a message.

- A password with ``"`` and ``\\`` that a server echoes inside a JSON error arrives JSON-escaped;
- a token with a trailing line break makes requests refuse the header, and its exception quotes the
  value as ``repr()`` does;
- a proxy URL with a password (``HTTPS_PROXY``) and a port that is not one makes requests print the URL.

Each runs as a real module (one through ``ansible-playbook -vvvv``); every form of every secret is looked
for in everything the run printed. Each case is a cell of the reliability report.
"""

import json

import pytest

from tests.module_runner import run_module
from tests.reliability import record, scan_for_secrets

ODD_PASSWORD = 'xm-"quote\\back-7f21c'
NEWLINE_TOKEN = 'sf-token-4b8e2d91c7a0\n'
PROXY_PASSWORD = 'proxy-S3cret-a91'


def _xenmobile_echo(sim):
    """The XenMobile account has a password with a quote and a backslash; the server refuses the sign-in
    with an error that repeats it (JSON-escaped, as any JSON body carries it)."""
    sim.service('xenmobile').add_user('odd-user', ODD_PASSWORD)
    sim.faults.add('status', route='xenmobile.login', status=401, times=-1,
                   body={'status': 1, 'message': 'Invalid password %s for odd-user' % ODD_PASSWORD})
    env = {k: v for k, v in sim.client_env().items() if k.startswith('XENMOBILE_')}
    env.update(XENMOBILE_USER='odd-user', XENMOBILE_PASSWORD=ODD_PASSWORD)
    return 'xenmobile_server_property_info', env, {}, [ODD_PASSWORD], 'xenmobile.login'


def _storefront_token(sim):
    env = {k: v for k, v in sim.client_env().items() if k.startswith('STOREFRONT_')}
    env.pop('STOREFRONT_USERNAME', None)
    env.pop('STOREFRONT_PASSWORD', None)
    return 'storefront_resource_info', env, {'token': NEWLINE_TOKEN}, [NEWLINE_TOKEN], None


def _proxy_password(sim):
    env = {k: v for k, v in sim.client_env().items() if k.startswith('CITRIX_')}
    env.update(HTTPS_PROXY='http://proxy-user:%s@proxy.invalid:99999' % PROXY_PASSWORD, NO_PROXY='')
    return 'citrix_cloud_service_info', env, {'retries': 0}, [PROXY_PASSWORD], None


CASES = {
    'a JSON-escaped password echoed by the server': _xenmobile_echo,
    'a token with a trailing line break': _storefront_token,
    'a proxy URL with a password': _proxy_password,
}


@pytest.mark.parametrize('case', sorted(CASES))
def test_no_form_of_the_secret_reaches_the_result(case, make_sim, tmp_path, monkeypatch):
    monkeypatch.setenv('XDG_CACHE_HOME', str(tmp_path / 'cache'))
    sim = make_sim(size=20)
    module, env, args, secrets, route = CASES[case](sim)
    for key in ('HTTPS_PROXY', 'NO_PROXY'):
        if key in env:
            monkeypatch.setenv(key, env.pop(key))
    result = run_module(module, args, env=env)
    assert result.get('failed') and 'escaped' not in result, result
    assert '\n' not in result['msg']
    if route:
        assert sim.stats.count(route=route) >= 1  # the server really echoed it
    checks, found = scan_for_secrets(secrets, {'result': json.dumps(result)})
    record('encodings', case, {'module': module, 'msg': result['msg'], 'checks': checks, 'found': len(found)})
    assert not found, (found, result['msg'])


def test_an_echoed_password_stays_masked_at_vvvv(make_sim, run_playbook):
    sim = make_sim(size=20)
    module, env, _args, secrets, _route = _xenmobile_echo(sim)
    run = run_playbook([{'name': 'echo', 'hosts': 'targets', 'gather_facts': False, 'tasks': [
        {'name': 'read', 'opencitrix.automation.' + module: {}, 'ignore_errors': True}]}], env=env, verbosity=4)
    assert 'Invalid password' in run.output  # the server's message is shown, its secret is not
    checks, found = scan_for_secrets(secrets, {'output': run.output, 'results': json.dumps(run.results)})
    assert checks and not found, found
