"""The DaaS batch writer without sockets: items per batch, item answers as outcomes, the fallback to one
request per object, a batch job that fails as a whole, lost answers resolved from the objects' side, and
throttled items sent again."""

import pytest

from ansible_collections.opencitrix.automation.plugins.module_utils import errors
from ansible_collections.opencitrix.automation.plugins.module_utils.daas.batch import (
    MAX_BATCH_SIZE, BatchWriter, Write, WriteOutcome, batch_options,
)
from tests.unit.plugins.module_utils.daas.support import FakeSite

NO_WAIT = dict(sleep=lambda seconds: None)
CONFLICT = {'SdkErrorId': 'PowerActionInProgress', 'ErrorType': 'PowerActionInProgress',
            'ErrorMessage': 'A power action is already pending.'}


def writes(count, action='$reboot'):
    return [Write('POST', '/Machines/m%d/%s' % (n, action), 'send %s' % action, params={'async': 'true'},
                  target={'name': 'M%d' % n}) for n in range(count)]


def test_items_per_batch_references_urls_and_tokens():
    site = FakeSite()
    outcomes = BatchWriter(site, batch_size=3, **NO_WAIT).send(writes(7))
    assert [len(items) for items in site.batches] == [3, 3, 1]
    first = site.batches[0][0]
    assert first == {'Reference': 'w0', 'Method': 'POST', 'RelativeUrl': '/Machines/m0/$reboot?async=true',
                     'Headers': [{'Name': 'Authorization', 'Value': 'Bearer tok-1'}]}
    assert len({item['Reference'] for items in site.batches for item in items}) == 7
    assert [(o.status, o.job_id, o.ok) for o in outcomes[:2]] == [(202, 'job-m0', True), (202, 'job-m1', True)]
    assert site.direct == []


def test_item_answers_become_outcomes_and_errors():
    def answer(path, method, body):
        if path.endswith('m1/$reboot'):
            return 409, {}, CONFLICT
        if path.endswith('m2/$reboot'):
            return 204, {}, None
        if path.endswith('m3/$reboot'):
            return 202, {}, None  # no Location
        return 202, {'location': 'https://x/Jobs/j-' + path.split('/')[2]}, None

    outcomes = BatchWriter(FakeSite(answer), **NO_WAIT).send(writes(4))
    assert (outcomes[0].status, outcomes[0].job_id) == (202, 'j-m0')
    assert isinstance(outcomes[1].error, errors.ConflictError)
    assert str(outcomes[1].error) == ('Could not send $reboot: PowerActionInProgress: A power action is already '
                                      'pending. (HTTP 409, POST /Machines/m1/$reboot)')
    assert outcomes[2].ok and outcomes[2].job_id is None
    assert 'without a Location header' in str(outcomes[3].error)


def test_json_bodies_travel_as_strings():
    site = FakeSite(lambda path, method, body: (204, {}, None))
    BatchWriter(site, **NO_WAIT).send([Write('PATCH', '/Machines/a', 'turn maintenance mode on',
                                             body={'InMaintenanceMode': True})])
    assert site.batches[0][0]['Body'] == '{"InMaintenanceMode": true}'
    with pytest.raises(ValueError):
        Write('DELETE', '/Machines/a', 'delete machine a', body={'Force': True})


@pytest.mark.parametrize('status', [404, 405])
def test_a_site_without_batch_gets_one_request_per_object_and_one_warning(status):
    site = FakeSite(batch_status=status)
    writer = BatchWriter(site, batch_size=2, concurrency=3, **NO_WAIT)
    outcomes = writer.send(writes(5))
    assert all(o.ok for o in outcomes) and [o.job_id for o in outcomes] == ['job-m%d' % n for n in range(5)]
    assert sorted(site.direct) == sorted(('POST', '/Machines/m%d/$reboot' % n) for n in range(5))
    assert writer.warnings == ['This site does not accept $batch (HTTP %d), so one request per object was sent '
                               'instead, 3 at a time; set batch: false to skip the attempt' % status]
    assert len(site.batches) == 3  # the batches in flight when the first answer came
    writer.send(writes(2))
    assert len(site.batches) == 3 and len(writer.warnings) == 1


def test_batch_false_sends_no_batch():
    site = FakeSite()
    outcomes = BatchWriter(site, batch=False, **NO_WAIT).send(writes(3))
    assert site.batches == [] and len(site.direct) == 3 and all(o.ok for o in outcomes)


def test_a_batch_job_that_fails_fails_each_of_its_writes_with_its_error():
    site = FakeSite(job_status='Failed')
    site.job = lambda job_id: {'Id': job_id, 'Type': 'Batch', 'Status': 'Failed', 'ErrorCode': 'BatchFailed',
                               'ErrorString': 'The broker restarted.'}
    outcomes = BatchWriter(site, batch_size=2, **NO_WAIT).send(writes(3))
    assert {str(o.error) for o in outcomes} == {
        'Batch job batch-1 Failed: BatchFailed: The broker restarted.',
        'Batch job batch-2 Failed: BatchFailed: The broker restarted.'}


def test_a_refused_batch_is_not_run_and_fails_its_writes():
    site = FakeSite(post_errors=[errors.AccessDeniedError('Could not send a batch', status=403)])
    outcomes = BatchWriter(site, **NO_WAIT).send(writes(2))
    assert [o.error.status for o in outcomes] == [403, 403] and len(site.batches) == 1


def test_a_lost_answer_is_resolved_from_the_objects_and_only_untouched_ones_are_sent_again():
    lost = errors.TransportError('Could not send a batch', api_message='connection reset by the server')
    site = FakeSite(post_errors=[lost], running=['lost-batch'])
    asked = []

    def resolve(lost_writes):
        asked.append([w.target['name'] for w in lost_writes])
        assert site.running == [('lost-batch', 'Complete')], 'resolved while a batch of the caller was running'
        return [WriteOutcome(resolved=True), None, WriteOutcome(202, 'seen-job', resolved=True)]

    outcomes = BatchWriter(site, **NO_WAIT).send(writes(3), resolve)
    assert asked == [['M0', 'M1', 'M2']]
    assert [item['RelativeUrl'] for item in site.batches[1]] == ['/Machines/m1/$reboot?async=true']
    assert [(o.ok, o.resolved, o.job_id) for o in outcomes] == [
        (True, True, None), (True, False, 'job-m1'), (True, True, 'seen-job')]


def test_a_lost_answer_without_a_resolver_fails_and_is_not_sent_again():
    lost = errors.ServerError('Could not send a batch', status=502)
    site = FakeSite(post_errors=[lost])
    outcomes = BatchWriter(site, **NO_WAIT).send(writes(2))
    assert len(site.batches) == 1
    message = str(outcomes[0].error)
    assert message.startswith('Could not confirm that the site carried out "send $reboot": the batch request got '
                              'no usable answer (Could not send a batch, HTTP 502), and reading the objects failed '
                              '(nothing to check the objects with)')
    assert message.endswith('the request may have been processed, so it was not sent again; check the object '
                            'before running again')


def test_items_the_site_throttled_go_into_the_next_batch():
    throttled = {'m1'}

    def answer(path, method, body):
        machine = path.split('/')[2]
        if machine in throttled:
            throttled.discard(machine)
            return 429, {'Retry-After': '0'}, None
        return 202, {'Location': 'https://x/Jobs/j-' + machine}, None

    site = FakeSite(answer)
    outcomes = BatchWriter(site, **NO_WAIT).send(writes(3))
    assert [len(items) for items in site.batches] == [3, 1]
    assert [o.job_id for o in outcomes] == ['j-m0', 'j-m1', 'j-m2']


def test_batch_options():
    assert batch_options({'batch': True, 'batch_size': None}) == {'batch': True, 'batch_size': 250}
    assert batch_options({'batch': False, 'batch_size': MAX_BATCH_SIZE})['batch'] is False
    for size in (0, MAX_BATCH_SIZE + 1):
        with pytest.raises(errors.InputError, match='batch_size must be between 1 and 1000'):
            batch_options({'batch': True, 'batch_size': size})
