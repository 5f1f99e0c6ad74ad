"""Support traceability: every DaaS request carries a new Citrix-TransactionId, errors name the transaction
id the server answered with (the one sent when no answer came), and a token the DaaS service refuses with its
own 401 ErrorData is renewed once."""

import re

import pytest

from ansible_collections.opencitrix.automation.plugins.module_utils import errors
from ansible_collections.opencitrix.automation.plugins.module_utils.daas.machines import Machines
from tests.integration.daas.support import cloud_client

GUID = re.compile(r'^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$')


def header(headers, name):
    return next((v for k, v in headers.items() if k.lower() == name.lower()), None)


def test_each_request_has_its_own_id_and_errors_name_the_answered_one(sim):
    sim.record(['daas'])
    daas = sim.service('daas')
    machine = daas.machines_of()[0]
    daas.update_machine(machine, SupportedPowerActions=['PowerOn'])
    machines = Machines(cloud_client(sim))
    listed = list(machines.list())
    assert machines.get(listed[1]['Id'])['Id'] == listed[1]['Id']
    with pytest.raises(errors.ApiError) as caught:
        machines.power_action(machine, 'reboot')
    sent = [header(e['headers'], 'Citrix-TransactionId') for e in sim.exchanges]
    assert len(sent) == 4 and all(GUID.match(s) for s in sent) and len(set(sent)) == 4  # /me, list, get, $reboot
    refused = sim.exchanges[-1]
    assert refused['status'] == 400
    answered = header(refused['response_headers'], 'Citrix-TransactionId')
    assert answered == sent[-1]
    assert str(caught.value).endswith('(HTTP 400, POST %s/cvad/manage/Machines/%s/$reboot, transaction id %s)'
                                      % (sim.url, machine, answered))
    assert caught.value.transaction_id == answered


def test_the_server_s_own_id_wins_and_a_lost_answer_names_the_sent_one(sim):
    machine = sim.service('daas').machines_of()[0]
    machines = Machines(cloud_client(sim))
    sim.faults.add('status', route='daas.power.reboot', status=409, times=1,
                   headers={'Citrix-TransactionId': 'c0ffee00-0000-4000-8000-000000000001'},
                   body={'SdkErrorId': 'PowerActionInProgress', 'ErrorMessage': 'A power action is pending.'})
    with pytest.raises(errors.ConflictError) as caught:
        machines.power_action(machine, 'reboot')
    assert 'transaction id c0ffee00-0000-4000-8000-000000000001' in str(caught.value)
    sim.faults.add('reset', route='daas.power.reboot', times=1)
    with pytest.raises(errors.TransportError) as caught:
        machines.power_action(machine, 'reboot')  # a write that may have been processed: not repeated
    assert GUID.match(caught.value.transaction_id) and caught.value.transaction_id in str(caught.value)


def test_a_token_the_daas_service_refuses_is_renewed_once(sim):
    client = cloud_client(sim)
    machines = Machines(client)
    assert list(machines.list())
    assert sim.service('daas').refuse_tokens() == 1
    sim.record(['daas'])
    assert list(machines.list())
    assert sim.stats.count(route='cloud.token') == 2
    statuses = [(e['route'], e['status']) for e in sim.exchanges]
    assert statuses == [('daas.machines.list', 401), ('daas.machines.list', 200)]
    refusal = sim.exchanges[0]
    assert refusal['response_json']['ErrorType'] == 'AuthenticationFailed'  # DaaS's ErrorData, not the gateway's
