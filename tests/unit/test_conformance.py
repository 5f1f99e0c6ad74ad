"""The conformance check itself (tests/conformance): it accepts what the vendor specs and seed 002 show and
refuses what they do not, so a clean run of the integration tests means something."""

import json
import os

import pytest

pytest.importorskip('openapi_core')
pytest.importorskip('jsonschema_rs')

from tests.conformance import mapping, spec  # noqa: E402 - after the skips
from tests.conformance.validator import Conformance, Exchange  # noqa: E402

SEED_002 = os.path.join(os.path.dirname(spec.SPECS), 'seeds', '002_02b98a43fe0dd5ce.txt')
CLOUD = {'Citrix-CustomerId': 'cust1', 'Citrix-InstanceId': 'site-1', 'User-Agent': 'opencitrix.automation',
         'Authorization': 'CwsAuth Bearer=t', 'Accept': 'application/json'}
ERROR_DATA = {'ErrorType': 'AuthenticationFailed', 'SdkErrorId': 'Unauthorized', 'ErrorMessage': 'no',
              'ErrorDetails': None, 'SupportLink': None, 'ErrorReportXml': None, 'ErrorReport': None}


@pytest.fixture(scope='module')
def conformance():
    return Conformance()


def exchange(method, path, status=200, body=None, query=None, headers=None, response_headers=None, sent=b''):
    data = json.dumps(body).encode('utf-8') if body is not None else b''
    return Exchange(method, path, query or {}, dict(CLOUD, **(headers or {})), sent, status,
                    dict({'Citrix-TransactionId': 'x'}, **(response_headers or {})), data,
                    'application/json; charset=utf-8' if body is not None else None)


def seed_sessions():
    with open(SEED_002, encoding='utf-8') as handle:
        text = handle.read()
    start = text.index('{\n    "Items"')
    return json.loads(text[start:text.index('<!--NeedCopy-->', start)])


def test_paths_map_to_the_spec_s():
    assert mapping.spec_url('/cvad/manage/Machines/A%7CB/$reboot', CLOUD)[3] == '/techpreview/cust1/site-1/Machines/A%7CB/$reboot'
    assert mapping.spec_url('/citrix/orchestration/api/CitrixOnPremises/s2/Jobs', {})[3] == '/techpreview/CitrixOnPremises/s2/Jobs'
    assert mapping.spec_url('/cvadapis/s3/Sessions', CLOUD)[3] == '/techpreview/cust1/s3/Sessions'
    assert mapping.spec_url('/citrix/orchestration/api/tokens', {})[3] == '/techpreview/tokens'
    assert mapping.spec_url('/cvad/manage/me', CLOUD)[3] == '/techpreview/me'
    assert mapping.spec_url('/resourcelocations', CLOUD) == ('resourcelocations', 'https://api.cloud.com',
                                                             '/resourcelocations', '/')
    assert mapping.spec_url('/core/cust1/serviceStates', CLOUD) is None


def test_seed_002_passes_but_for_properties_made_required_after_it(conformance):
    problems = conformance.check(exchange('GET', '/cvad/manage/Sessions', body=seed_sessions(), query={'limit': ['100']}))
    # The 2020 sample predates these two required properties; its many nulls all pass (spec rule 5).
    assert sorted(problems) == ['response: "DrainingUntilShutdown" is a required property at /Items/0/Machine',
                                'response: "FormattedStateChangeTime" is a required property at /Items/0']


def test_wrong_shapes_are_found(conformance):
    sessions = seed_sessions()
    machine = sessions['Items'][0]['Machine']
    machine.update(DrainingUntilShutdown=False, SessionProtocol='HDX', LastConnectionUser='HTLABS04\\DevUser1',
                   FaultState='VirtualMachineNotFound')  # a current FaultState (enums.json), not in the 2023 spec
    sessions['Items'][0]['FormattedStateChangeTime'] = '2020-11-16T14:02:49Z'
    problems = conformance.check(exchange('GET', '/cvad/manage/Sessions', body=sessions))
    assert sorted(problems) == [
        'response: "HDX" is not one of "Unknown", "Hdx" or 2 other candidates at /Items/0/Machine/SessionProtocol',
        'response: "HTLABS04\\\\DevUser1" is not of type "object" at /Items/0/Machine/LastConnectionUser']


def test_requests_outside_the_operation_are_found(conformance):
    group = conformance.check(exchange('GET', '/cvad/manage/DeliveryGroups/g1/Machines',
                                       body={'Items': [], 'ContinuationToken': None, 'TotalItems': None},
                                       query={'limit': ['1000'], 'fields': ['Id']}))
    assert group == ['request: query parameter "fields" is not a parameter of GET '
                     '/techpreview/{customerid}/{siteid}/DeliveryGroups/{nameOrId}/Machines']
    bad_limit = conformance.check(exchange('GET', '/cvad/manage/Machines', query={'limit': ['many']},
                                           body={'Items': [], 'ContinuationToken': None, 'TotalItems': None}))
    assert len(bad_limit) == 1 and bad_limit[0].startswith('request: ') and 'limit' in bad_limit[0]
    assert conformance.check(exchange('DELETE', '/cvad/manage/Sessions', status=204)) == [
        'request: DELETE /techpreview/cust1/site-1/Sessions is not an operation of the daas spec']


def test_artefacts_and_error_answers(conformance):
    accepted = exchange('POST', '/cvad/manage/Machines/m1/$reboot', status=202, query={'async': ['true']},
                        response_headers={'Location': 'https://x/cvad/manage/Jobs/1'})  # Location typed object
    assert conformance.check(accepted) == []
    with_body = exchange('POST', '/cvad/manage/Machines/m1/$reboot', status=202, body={'Id': 'j'})
    assert conformance.check(with_body) == ['response: a body where the spec documents none (11 bytes)']
    assert conformance.check(exchange('GET', '/cvad/manage/Jobs', status=401, body=ERROR_DATA)) == []
    before = dict(conformance.counts)
    gateway = {'type': 'https://errors-api.cloud.com/common/authentication', 'detail': 'expired'}
    assert conformance.check(exchange('GET', '/cvad/manage/Jobs', status=401, body=gateway)) == []
    assert conformance.counts['not_validated'] == before['not_validated'] + 1
    assert conformance.check(exchange('GET', '/cvad/manage/Jobs', status=401, body={'ErrorMessage': 'no'})) == [
        'response: "SdkErrorId" is a required property at /']


def test_current_enums_replace_the_spec_s():
    document = spec.adjust(spec.load(spec.DAAS_SPEC), spec.current_enums())
    schemas = document['components']['schemas']
    assert schemas['JobType']['enum'] == spec.current_enums()['JobType'] and len(schemas['JobType']['enum']) == 301
    properties = schemas['MachineResponseModel_allOf']['properties']
    assert 'type' not in properties['PowerState'] and 'nullable' not in properties['PowerState']  # required
    assert 'type' not in properties['AllocationType'] and properties['AllocationType']['nullable'] is True
