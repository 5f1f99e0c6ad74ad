# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Writes to many objects of a DaaS site, in few requests: ``POST $batch?async=true`` carries up to
``batch_size`` requests in one, the site runs them and returns every item's answer through one ``Batch``
job (``GET /Jobs/{id}/Results``). Without ``$batch`` (``batch=False``, or a site that answers it with
404/405, once warned), one request per object with bounded concurrency.

Public API (stable; everything else here is internal):

- :class:`Write`: one request (method, path below the site, query, JSON body, ``what`` for messages, the
  caller's ``target``);
- :class:`WriteOutcome`: what became of it: the item's HTTP status, the id of the job it started
  (``202`` + ``Location``), or its error (a CitrixError with the API's code and message), and the
  transaction id of the request that carried it (the item's own, else its batch's ``Citrix-TransactionId``);
- :class:`BatchWriter`: ``send(writes, resolve=None)`` gives one WriteOutcome per write, in order;
  ``apply(fleet, writes, resolve=None, on_failure=None)`` does the same and marks the failed entries of a
  :class:`.results.FleetResult` (the writes' ``target``; an entry with a ``transaction_id`` field gets the
  write's), adding the writer's warnings to it;
- :func:`batch_options`: the ``batch`` / ``batch_size`` module options, checked (with
  ``argspec.batch_argument_spec()`` and the ``opencitrix.automation.daas.BATCH`` doc fragment);
- :func:`send_one`: one write as a request of its own;
- ``DEFAULT_BATCH_SIZE``, ``MAX_BATCH_SIZE``.

A fleet write with it::

    writes = [Write('PATCH', '/Machines/%s' % path_segment(item['id']), 'turn maintenance mode on',
                    body={'InMaintenanceMode': True}, target=item) for item in fleet.with_outcome('changed')]
    BatchWriter(client, **batch_options(params)).apply(fleet, writes, resolve)

Faults. A batch POST is never sent again once it may have reached the server (the transport repeats it
only on answers that prove it was not processed, such as 429). When its answer, its job or its results
are lost, the writer waits until no ``Batch`` job of the caller is running any more and asks the
caller's ``resolve(writes)`` what each object shows: a :class:`WriteOutcome` (the write took effect, or
the object is gone) or None (no trace of it: the write is sent again, in a new batch). Without
``resolve``, those writes fail and are not repeated. Items answered 429 (not run) go into the next batch.
A ``Batch`` job that fails as a whole fails each of its writes with the job's error.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

from urllib.parse import urlencode

from ansible_collections.opencitrix.automation.plugins.module_utils import errors
from ansible_collections.opencitrix.automation.plugins.module_utils.concurrency import run_bounded
from ansible_collections.opencitrix.automation.plugins.module_utils.daas.client import (
    DEFAULT_CONCURRENCY, MAX_CONCURRENCY,
)
from ansible_collections.opencitrix.automation.plugins.module_utils.daas.jobs import (
    RUNNING_JOB_STATUSES, job_failure, job_id_from, succeeded, wait_for_jobs,
)
from ansible_collections.opencitrix.automation.plugins.module_utils.daas.transactions import (
    TRANSACTION_HEADER, transaction_id,
)
from ansible_collections.opencitrix.automation.plugins.module_utils.responses import extract_api_error

__all__ = ('Write', 'WriteOutcome', 'BatchWriter', 'batch_options', 'send_one', 'DEFAULT_BATCH_SIZE', 'MAX_BATCH_SIZE')

# Items per batch: the default, and the most one batch may carry (the API sets no maximum; this keeps
# one request body to a few megabytes, as Cloud tokens travel in every item).
DEFAULT_BATCH_SIZE = 250
MAX_BATCH_SIZE = 1000
BATCHES_IN_FLIGHT = 4
FIRST_POLL = 0.1  # seconds from the batches' answers to the first read of their jobs
SENDS = 3  # sends of one write at most: the first, and again for writes no answer covered
SUCCESS = (200, 201, 202, 204)
FALLBACK = (404, 405)  # a site without $batch (an older Delivery Controller)


class Write:
    """One request of a fleet write: ``method`` and ``path`` below the site (``/Machines/{id}/$reboot``),
    ``params`` (query), ``body`` (JSON-serialisable, or None), ``what`` for messages ("send $reboot") and
    ``target``, the caller's object (such as its FleetResult entry). A body goes only with PUT, PATCH and
    POST (as the API takes batch items)."""

    __slots__ = ('method', 'path', 'params', 'body', 'what', 'target')

    def __init__(self, method, path, what, params=None, body=None, target=None):
        if body is not None and method not in ('PUT', 'PATCH', 'POST'):
            raise ValueError('a %s request has no body' % method)
        self.method = method
        self.path = path
        self.what = what
        self.params = params
        self.body = body
        self.target = target


class WriteOutcome:
    """What became of one write: ``status`` (the HTTP status of the item), ``job_id`` (the job it started),
    ``error`` (a CitrixError), ``resolved`` (decided from the object's state after a lost answer),
    ``transaction_id`` (of the request that carried the write)."""

    __slots__ = ('status', 'job_id', 'error', 'resolved', 'transaction_id')

    def __init__(self, status=None, job_id=None, error=None, resolved=False, transaction_id=None):
        self.status = status
        self.job_id = job_id
        self.error = error
        self.resolved = resolved
        self.transaction_id = transaction_id or getattr(error, 'transaction_id', None)

    @property
    def ok(self):
        return self.error is None


def batch_options(params):
    """``batch`` and ``batch_size`` of module options, checked before any request."""
    size = params.get('batch_size')
    size = DEFAULT_BATCH_SIZE if size is None else size
    if not 1 <= size <= MAX_BATCH_SIZE:
        raise errors.InputError('batch_size must be between 1 and %d, got %s' % (MAX_BATCH_SIZE, size))
    return dict(batch=params.get('batch', True) is not False, batch_size=size)


def send_one(client, write):
    """``write`` as one request of its own; its WriteOutcome, or the typed error."""
    response = client.request(write.method, write.path, write.what, params=write.params, json_body=write.body,
                              expected=SUCCESS)
    location = response.headers.get('Location')
    if response.status_code == 202 and not location:
        raise errors.ResponseFormatError('Could not ' + write.what,
                                         api_message='202 Accepted without a Location header for the job',
                                         transaction_id=transaction_id(response))
    return WriteOutcome(response.status_code, job_id_from(location) if response.status_code == 202 else None,
                        transaction_id=transaction_id(response))


def _item_outcome(client, write, item, batch_transaction=None):
    """The WriteOutcome of a ``BatchResponseItemModel``; None for an item the site did not run (429).
    ``batch_transaction``: the transaction id of the batch request, for an item that names none of its own."""
    code = item.get('Code')
    headers = dict((str(h.get('Name', '')).lower(), h.get('Value')) for h in item.get('Headers') or []
                   if isinstance(h, dict))
    traced = headers.get(TRANSACTION_HEADER.lower()) or batch_transaction
    if code == 429:
        return None
    if code in SUCCESS:
        if code == 202 and not headers.get('location'):
            return WriteOutcome(code, error=errors.ResponseFormatError(
                'Could not ' + write.what, api_message='202 Accepted without a Location header for the job',
                transaction_id=traced))
        return WriteOutcome(code, job_id_from(headers.get('location')) if code == 202 else None, transaction_id=traced)
    try:
        body = json.loads(item.get('Body') or 'null')
    except ValueError:
        body = None
    api_code, message = extract_api_error(body)
    if api_code is None and message is None and item.get('Body'):
        message = '%s, %d bytes' % (str(headers.get('content-type') or 'no content type').split(';', 1)[0],
                                    len(str(item['Body']).encode('utf-8')))
    redact = client.http.redact
    return WriteOutcome(code, error=errors.error_class_for_status(code)(
        'Could not ' + write.what, status=code, code=redact(api_code) if api_code else None,
        api_message=redact(message) if message else None, method=write.method, url=write.path,
        transaction_id=redact(traced) if traced else None))


class BatchWriter:
    """Sends the writes of one task. ``batch``: use ``$batch`` (falls back, with one warning, when the site
    does not have it); ``batch_size``: items per batch; ``concurrency``: requests in flight without
    ``$batch``; ``timeout``: seconds to wait for a batch's job; ``sleep`` and ``now``: how job polling
    waits (default: the process's clock). ``warnings`` collects what the task should warn about."""

    def __init__(self, client, batch=True, batch_size=DEFAULT_BATCH_SIZE, concurrency=DEFAULT_CONCURRENCY,
                 timeout=900, sleep=None, now=None):
        self.client = client
        self.batch = batch
        self.batch_size = max(1, min(int(batch_size), MAX_BATCH_SIZE))
        self.concurrency = concurrency
        self.timeout = timeout
        self.sleep = sleep
        self.now = now
        self.warnings = []

    def apply(self, fleet, writes, resolve=None, on_failure=None, settled=None):
        """Send ``writes`` (``target``: an entry of ``fleet``); a failed write marks its entry failed with the
        error (then calls ``on_failure(entry)``), unless ``settled(error)`` gives a reason: that error means the
        object is already as asked, and the entry becomes ``unchanged`` with that reason. Returns the outcomes."""
        outcomes = self.send(writes, resolve)
        fleet.warnings.extend(self.warnings)
        for write, outcome in zip(writes, outcomes):
            if outcome.transaction_id and isinstance(write.target, dict) and 'transaction_id' in write.target:
                write.target['transaction_id'] = outcome.transaction_id
            reason = None if outcome.ok or settled is None else settled(outcome.error)
            if reason:
                write.target.update(outcome='unchanged', reason=reason)
            elif not outcome.ok:
                fleet.fail(write.target, outcome.error)
                if on_failure is not None:
                    on_failure(write.target)
        return outcomes

    def send(self, writes, resolve=None):
        """One WriteOutcome per write, in order (see the module's description)."""
        writes = list(writes)
        outcomes = [None] * len(writes)
        why = {}
        todo = list(range(len(writes)))
        for _send in range(SENDS):
            if not todo:
                break
            if not self.batch:
                self._one_by_one(writes, todo, outcomes)
                todo = []
                break
            todo = self._batches(writes, todo, outcomes, why, resolve)
        for index in todo:
            outcomes[index] = WriteOutcome(error=why[index])
        return outcomes

    # -- one request per write ------------------------------------------------------------------

    def _one_by_one(self, writes, indexes, outcomes):
        results = run_bounded(indexes, lambda index: send_one(self.client, writes[index]), self.concurrency,
                              MAX_CONCURRENCY)
        for index, result in zip(indexes, results):
            outcomes[index] = result.value if result.ok else WriteOutcome(error=result.error)

    def _fall_back(self, status):
        self.batch = False
        self.warnings.append(
            'This site does not accept $batch (HTTP %s), so one request per object was sent instead, %d at a time; '
            'set batch: false to skip the attempt' % (status, self.concurrency))

    # -- batches --------------------------------------------------------------------------------

    def _batches(self, writes, todo, outcomes, why, resolve):
        """One round: every write of ``todo`` in batches, their jobs and results; returns the writes to send
        again (not run, or no trace of them after a lost answer)."""
        chunks = [todo[start:start + self.batch_size] for start in range(0, len(todo), self.batch_size)]
        token = self.client.token()
        posted = run_bounded(chunks, lambda chunk: self._post(writes, chunk, token), BATCHES_IN_FLIGHT,
                             BATCHES_IN_FLIGHT)
        jobs, lost, again, fallback, status = [], [], [], [], None
        for chunk, result in zip(chunks, posted):
            error = result.error
            if result.ok and isinstance(result.value[0], list):  # answered synchronously with the results
                self._read_items(writes, chunk, result.value[0], outcomes, lost, again, why, result.value[1])
            elif result.ok:
                jobs.append((result.value[0], chunk, result.value[1]))
            elif error.status in FALLBACK:
                fallback.extend(chunk)
                status = error.status
            elif error.status and 400 <= error.status < 500 and error.status != 408:
                for index in chunk:  # refused as a whole, so not run
                    outcomes[index] = WriteOutcome(error=error)
            else:
                lost.extend(chunk)
                why.update((index, error) for index in chunk)
        if fallback:
            self._fall_back(status)
            self._one_by_one(writes, fallback, outcomes)
        if jobs:
            self._collect(writes, jobs, outcomes, lost, again, why)
        if lost:
            again.extend(self._resolve(writes, lost, outcomes, why, resolve))
        return sorted(again)

    def _post(self, writes, chunk, token):
        """POST one batch; ``(the id of its job, or the results when the site answered synchronously, the
        answer's transaction id)``."""
        items = []
        for index in chunk:
            write = writes[index]
            url = self.client.batch_url(write.path)
            if write.params:
                url += '?' + urlencode(write.params)
            item = {'Reference': 'w%d' % index, 'Method': write.method, 'RelativeUrl': url}
            if token:
                item['Headers'] = [{'Name': 'Authorization', 'Value': 'Bearer %s' % token}]
            if write.body is not None:
                item['Body'] = json.dumps(write.body)
            items.append(item)
        what = 'send a batch of %d requests ($batch)' % len(items)
        response = self.client.request('POST', '/$batch', what, params={'async': 'true'}, json_body={'Items': items},
                                       expected=(200, 202))
        traced = transaction_id(response)
        if response.status_code == 200:
            return self.client.results_of(self.client.http.decode_json(response, what), what), traced
        location = response.headers.get('Location')
        if not location:
            raise errors.ResponseFormatError('Could not ' + what, transaction_id=traced,
                                             api_message='202 Accepted without a Location header for the job')
        return job_id_from(location), traced

    def _collect(self, writes, jobs, outcomes, lost, again, why):
        """Wait for the batches' jobs (``GET /Jobs``), then read each one's results."""
        finished, _running = wait_for_jobs(self.client, [job_id for job_id, _chunk, _traced in jobs], self.timeout,
                                           sleep=self.sleep, now=self.now, first_delay=FIRST_POLL,
                                           one_by_one=BATCHES_IN_FLIGHT)
        done = []
        for job_id, chunk, traced in jobs:
            job = finished.get(job_id)
            if job is None:
                error = errors.WaitTimeoutError(
                    'Batch job %s did not finish within %s seconds' % (job_id, self.timeout),
                    hint='it keeps running and may still carry out its requests; check the objects before running '
                         'again')
            elif not succeeded(job):
                error = errors.OperationFailedError(job_failure(job))
            else:
                done.append((job_id, chunk, traced))
                continue
            error.traced(traced)
            for index in chunk:
                outcomes[index] = WriteOutcome(error=error)
        results = run_bounded(done, lambda batch: self.client.batch_results(batch[0]), BATCHES_IN_FLIGHT,
                              BATCHES_IN_FLIGHT)
        for (_job_id, chunk, traced), result in zip(done, results):
            if result.ok:
                self._read_items(writes, chunk, result.value, outcomes, lost, again, why, traced)
            else:
                lost.extend(chunk)
                why.update((index, result.error) for index in chunk)

    def _read_items(self, writes, chunk, items, outcomes, lost, again, why, traced=None):
        by_reference = dict((item.get('Reference'), item) for item in items if isinstance(item, dict))
        for index in chunk:
            item = by_reference.get('w%d' % index)
            outcome = _item_outcome(self.client, writes[index], item, traced) if item is not None else False
            if outcome is False:
                lost.append(index)
                why[index] = errors.ResponseFormatError('Could not ' + writes[index].what,
                                                        api_message='the batch results have no answer for it')
            elif outcome is None:
                again.append(index)
                why[index] = errors.RateLimitedError('Could not ' + writes[index].what, status=429,
                                                     api_message='the site kept throttling the batch item')
            else:
                outcomes[index] = outcome

    def _resolve(self, writes, lost, outcomes, why, resolve):
        """Writes whose answer was lost: decided from the objects' side once no batch of the caller runs;
        returns those with no trace (to send again)."""
        again = []
        try:
            if resolve is None:
                raise errors.CitrixError('nothing to check the objects with')
            running = [job['Id'] for job in self.client.jobs()
                       if job.get('Type') == 'Batch' and job.get('Status') in RUNNING_JOB_STATUSES]
            _done, still = wait_for_jobs(self.client, running, self.timeout, sleep=self.sleep, now=self.now,
                                         first_delay=FIRST_POLL)
            if still:
                raise errors.CitrixError('batch jobs %s are still running' % ', '.join(sorted(still)))
            decisions = resolve([writes[index] for index in lost])
        except errors.CitrixError as exc:
            for index in lost:
                outcomes[index] = WriteOutcome(error=_unconfirmed(writes[index], why.get(index), exc))
            return again
        for index, decision in zip(lost, decisions):
            if decision is None:
                again.append(index)
            else:
                outcomes[index] = decision
        return again


def _unconfirmed(write, cause, check):
    """The error of a write whose batch got no usable answer and that could not be checked."""
    return errors.TransportError(
        'Could not confirm that the site carried out "%s"' % write.what,
        api_message='the batch request got no usable answer (%s), and reading the objects failed (%s)' % (
            _brief(cause), _brief(check)),
        hint='the request may have been processed, so it was not sent again; check the object before running again')


def _brief(error):
    """An error's cause in a few words: the API's code and message (or the summary) and the HTTP status."""
    if not isinstance(error, errors.CitrixError):
        return 'no answer'
    text = ': '.join(str(p) for p in (error.code, error.api_message) if p) or error.summary
    return '%s, HTTP %s' % (text, error.status) if error.status else text
