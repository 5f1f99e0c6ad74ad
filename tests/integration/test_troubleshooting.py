"""The troubleshooting guide quotes real messages: every "Message contains" entry of
docs/docsite/rst/troubleshooting.rst is reproduced here against the simulator (in-process where a
module call shows it), and every reproduction is in the guide."""

import json
import os
import re
import socket

import pytest

from tests.harness import ROOT, Runner
from tests.integration.hostile_server import HostileServer
from tests.module_runner import run_module

GUIDE = os.path.join(ROOT, 'docs', 'docsite', 'rst', 'troubleshooting.rst')
# The Citrix Cloud and DaaS error bodies exactly as the services answer them (published examples).
CWSAUTH = {'Error': {'Message': 'Missing or invalid CWSAuth header.', 'Type': 'CWSAuthException'}}
EXPIRED = {'detail': 'Missing or invalid authentication details', 'parameters': {'reason': 'invalid'},
           'type': 'https://errors-api.cloud.com/common/authentication'}
NOT_ACCEPTABLE = {'detail': 'Must accept application/json media type', 'parameters': {'contentType': 'application/json'},
                  'type': 'https://errors-api.cloud.com/common/notAcceptable'}
DAAS_500 = {'activityId': 'c59d1c1a-0735-4ab7-8520-479ebae3fc1e', 'message': 'Internal server error', 'statusCode': 500}


def guide_entries():
    with open(GUIDE) as handle:
        return re.findall(r'^   \* - ``(.+?)``\s*$', handle.read(), re.MULTILINE)


def env_of(sim, prefix):
    return {k: v for k, v in sim.client_env().items() if k.startswith(prefix)}


def module_text(name, env, args=None):
    """What the task reports: its message, or its whole result when it succeeded (per-object reasons and warnings)."""
    result = run_module(name, env=env, args=args)
    assert 'escaped' not in result, result
    return result['msg'] if result.get('failed') else json.dumps(result)


def cloud_fault(status, body):
    def reproduce(sim, _tmp_path):
        sim.faults.add(route='cloud.service_states', status=status, body=body, times=-1)
        return module_text('citrix_cloud_service_info', env_of(sim, 'CITRIX_'), {'retries': 1})
    return reproduce


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def redirected_signin(sim, _tmp_path):
    elsewhere = sim.elsewhere('http')
    sim.faults.add('redirect', route='cloud.token', status=307, times=-1, location=elsewhere.url + '{path}')
    text = module_text('citrix_cloud_service_info', env_of(sim, 'CITRIX_'))
    assert sim.stats.count(listener=elsewhere.name) == 0
    return text


def hostile(behaviour, **args):
    """A Citrix Cloud module against a server that answers with ``behaviour`` (see test_hostile_servers)."""
    def reproduce(_sim, _tmp_path):
        server = HostileServer(behaviour)
        try:
            return module_text('citrix_cloud_service_info', {
                'CITRIX_CLIENT_ID': 'trouble', 'CITRIX_CLIENT_SECRET': 'trouble-secret', 'CITRIX_CUSTOMER_ID': 'c',
                'CITRIX_CLOUD_API_URL': server.url}, dict(args, allow_plain_http=True, retries=0))
        finally:
            server.close()
    return reproduce


def daas_500(sim, _tmp_path):
    sim.faults.add(route='daas.machines.list', status=500, body=DAAS_500, times=-1)
    return module_text('citrix_daas_machine_info', env_of(sim, 'CITRIX_'))


def daas_refused(sim, _tmp_path):
    sim.faults.add(route='daas.machines.list', status=403, times=-1, headers={'Citrix-TransactionId': 'a1b2'},
                   body={'SdkErrorId': 'Forbidden', 'ErrorMessage': 'Caller is not authorized.'})
    return module_text('citrix_daas_machine_info', env_of(sim, 'CITRIX_'))


def daas_power_skip(**machine_state):
    def reproduce(sim, _tmp_path):
        daas = sim.service('daas')
        catalog = daas.add_catalog('Trouble', 2)
        daas.update_machine(catalog['machine_ids'][0], **machine_state)
        return module_text('citrix_daas_machine_power', env_of(sim, 'CITRIX_'),
                           {'catalog': 'Trouble', 'state': 'restarted', 'wait': False})
    return reproduce


def daas_without_batch(sim, _tmp_path):
    sim.faults.add('status', route='daas.batch', status=404, times=-1,
                   body={'Message': 'No HTTP resource was found that matches the request URI.'})
    sim.service('daas').add_catalog('Trouble', 2)
    return module_text('citrix_daas_machine', env_of(sim, 'CITRIX_'), {'catalog': 'Trouble', 'maintenance_mode': True})


def daas_batch_job_failed(sim, _tmp_path):
    daas = sim.service('daas')
    daas.add_catalog('Trouble', 2)
    daas.fail_next_batch = {'code': 'UnknownError', 'message': 'The orchestration service restarted.'}
    return module_text('citrix_daas_machine', env_of(sim, 'CITRIX_'), {'catalog': 'Trouble', 'maintenance_mode': True})


def daas_batch_unconfirmed(sim, _tmp_path):
    sim.service('daas').add_catalog('Trouble', 2)
    sim.faults.add('lost_answer', route='daas.batch', times=1)
    sim.faults.add('status', route='daas.jobs.list', status=500, times=-1,
                   body={'activityId': 'c59d1c1a', 'message': 'Internal server error', 'statusCode': 500})
    return module_text('citrix_daas_machine', env_of(sim, 'CITRIX_'), {'catalog': 'Trouble', 'maintenance_mode': True})


def daas_several_sites(sim, _tmp_path):
    sim.service('daas').add_site('second', 5)
    return module_text('citrix_daas_machine_info', env_of(sim, 'CITRIX_'))


def daas_onprem_password(sim, _tmp_path):
    sim.service('daas').add_admin('SIMLAB\\trouble', 'right-password')
    return module_text('citrix_daas_machine_info', {'CITRIX_DDC_URL': sim.url, 'CITRIX_CLIENT_ID': 'SIMLAB\\trouble',
                                                    'CITRIX_CLIENT_SECRET': 'wrong', 'CITRIX_CA_PATH': sim.ca_path})


def xenserver_failure(method, module, args, *failure):
    def reproduce(sim, _tmp_path):
        if failure:
            sim.service('xenserver').inject_failure(method, *failure)
        return module_text(module, env_of(sim, 'XENSERVER_'), args)
    return reproduce


def xenmobile_user(permissions):
    def reproduce(sim, _tmp_path):
        sim.service('xenmobile').add_user('trouble', 'trouble-password', permissions)
        return module_text('xenmobile_device_info', dict(env_of(sim, 'XENMOBILE_'), XENMOBILE_USER='trouble',
                                                         XENMOBILE_PASSWORD='trouble-password'))
    return reproduce


def migrate_without_target(sim, tmp_path):
    env = {k: v for k, v in env_of(sim, 'XENMOBILE_').items() if not k.startswith('XENMOBILE_TARGET_')}
    play = [{'name': 'migrate', 'hosts': 'targets', 'gather_facts': False,
             'roles': ['opencitrix.automation.xenmobile_migrate']}]
    return Runner(tmp_path).run(play, env=env).output


def storefront(enumeration=None, hostile=None, **args):
    def reproduce(sim, _tmp_path):
        service = sim.service('storefront')
        service.enumeration = enumeration or service.enumeration
        service.hostile = hostile
        return module_text('storefront_resource_info', env_of(sim, 'STOREFRONT_'), args)
    return reproduce


def inventory_without_credentials(sim, tmp_path):
    return Runner(tmp_path).inventory({'plugin': 'opencitrix.automation.citrix_daas'}, env={}).output


REPRODUCTIONS = {
    'invalid_client: Invalid client id or client secret.': lambda sim, _t: module_text(
        'citrix_cloud_service_info', dict(env_of(sim, 'CITRIX_'), CITRIX_CLIENT_SECRET='wrong-secret')),
    'CWSAuthException: Missing or invalid CWSAuth header.': cloud_fault(401, CWSAUTH),
    'common/authentication: Missing or invalid authentication details': cloud_fault(401, EXPIRED),
    'common/notAcceptable: Must accept application/json media type': cloud_fault(406, NOT_ACCEPTABLE),
    'the API kept throttling': cloud_fault(429, None),
    'connection refused': lambda sim, _t: module_text('citrix_cloud_service_info', dict(
        env_of(sim, 'CITRIX_'), CITRIX_CLOUD_API_URL='https://127.0.0.1:%d' % free_port()), {'retries': 0}),
    'TLS verification failed': lambda sim, _t: module_text('citrix_cloud_service_info',
                                                           dict(env_of(sim, 'CITRIX_'), CITRIX_CA_PATH='')),
    'Refusing to send credentials': lambda sim, _t: module_text('citrix_cloud_service_info', dict(
        env_of(sim, 'CITRIX_'), CITRIX_CLOUD_API_URL=sim.url.replace('https://', 'http://'))),
    'Refusing to follow a redirect from': redirected_signin,
    'a new sign-in was rejected too': cloud_fault(401, CWSAUTH),
    '(the request deadline: connect_timeout + read_timeout)': hostile('drip_body', connect_timeout=1, read_timeout=1),
    'is larger than the': hostile('huge_json', max_response_size=1),
    'Internal server error (HTTP 500': daas_500,
    'transaction id': daas_refused,
    'has several sites': daas_several_sites,
    'does not support the Restart power action': daas_power_skip(SupportedPowerActions=['PowerOn']),
    'a power action is already pending': daas_power_skip(PowerActionPending=True),
    'Machines not found:': lambda sim, _t: module_text('citrix_daas_machine_info', env_of(sim, 'CITRIX_'),
                                                       {'names': ['SIMLAB\\NO-SUCH-MACHINE']}),
    'AuthenticationFailed: The user name or password is incorrect.': daas_onprem_password,
    'never means every machine': lambda sim, _t: module_text('citrix_daas_machine_power', env_of(sim, 'CITRIX_'),
                                                             {'catalog': '', 'state': 'stopped'}),
    'more than max_targets': lambda sim, _t: module_text('citrix_daas_machine', env_of(sim, 'CITRIX_'), {
        'all_targets': True, 'maintenance_mode': True, 'max_targets': 3}),
    'does not accept $batch': daas_without_batch,
    'Batch job': daas_batch_job_failed,
    'Could not confirm that the site carried out': daas_batch_unconfirmed,
    'batch_size must be between 1 and 1000': lambda sim, _t: module_text('citrix_daas_machine_power', env_of(
        sim, 'CITRIX_'), {'catalog': 'Win11-Pooled', 'state': 'restarted', 'batch_size': 0}),
    'SESSION_AUTHENTICATION_FAILED': lambda sim, _t: module_text(
        'xenserver_host_info', dict(env_of(sim, 'XENSERVER_'), XENSERVER_PASSWORD='wrong')),
    'RBAC_PERMISSION_DENIED': xenserver_failure('VM.get_all_records_where', 'xenserver_vm_info', {},
                                                'RBAC_PERMISSION_DENIED', 'vm.get_all_records_where', 'denied'),
    'VM_LACKS_FEATURE': xenserver_failure(None, 'xenserver_vm', {'name': 'web-0030', 'state': 'halted'}),
    'OTHER_OPERATION_IN_PROGRESS': xenserver_failure('VM.clean_shutdown', 'xenserver_vm', {'name': 'app-0006', 'state': 'halted'},
                                                     'OTHER_OPERATION_IN_PROGRESS', 'VM', 'OpaqueRef:x', 'clean_reboot', 'OpaqueRef:t'),
    'status -1: Invalid user name or password.': lambda sim, _t: module_text(
        'xenmobile_server_property_info', dict(env_of(sim, 'XENMOBILE_'), XENMOBILE_PASSWORD='wrong')),
    'lacks the Public API access permission': xenmobile_user(['DEVICES']),
    'lacks a permission this call needs': xenmobile_user(['PUBLIC_API_ACCESS', 'SETTINGS']),
    'No target server: set xenmobile_migrate_target or XENMOBILE_TARGET_URL': migrate_without_target,
    'fail: Incorrect user name or password.': lambda sim, _t: module_text('storefront_resource_info', dict(
        env_of(sim, 'STOREFRONT_'), STOREFRONT_PASSWORD='wrong', STOREFRONT_TOKEN_CACHE='false')),
    'enumeration="failed"': storefront(enumeration='failed'),
    'enumeration is partial': storefront(enumeration='partial'),
    'No StoreFront resource with id': storefront(id='Controller.NoSuchApp'),
    'hostile XML': storefront(hostile='entity-bomb'),
    'missing client_id; set CITRIX_CLIENT_ID': inventory_without_credentials,
}


def test_the_guide_lists_exactly_the_reproduced_messages():
    assert sorted(guide_entries()) == sorted(REPRODUCTIONS)


@pytest.mark.parametrize('fragment', sorted(REPRODUCTIONS))
def test_message_is_what_the_collection_says(fragment, make_sim, tmp_path, monkeypatch):
    monkeypatch.setenv('XDG_CACHE_HOME', str(tmp_path / 'cache'))
    sim = make_sim(size=50, time_scale=50)
    text = REPRODUCTIONS[fragment](sim, tmp_path)
    assert fragment in text, text[-3000:]
    assert 'Traceback' not in text
