# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Waiting for the asynchronous jobs of a DaaS site: power actions and asynchronous batches answer ``202``
with a job's location; all of them are polled together through the ``GET /Jobs`` listing."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.opencitrix.automation.plugins.module_utils import clock
from ansible_collections.opencitrix.automation.plugins.module_utils.daas.client import read_all

RUNNING_JOB_STATUSES = ('Unknown', 'NotStarted', 'InProgress')
SUCCESSFUL_JOB_STATUSES = ('Complete', 'CompleteWithWarning')


def wait_for_jobs(client, job_ids, timeout, sleep=None, now=None, first_delay=1.0, max_delay=10.0, one_by_one=0):
    """Poll until every job has a terminal status or ``timeout`` seconds pass; returns
    ``(finished, unfinished)``: job models by id, and the ids still running. Each round reads all of the
    caller's jobs in one ``GET /Jobs``, and only jobs missing from it one by one; while at most
    ``one_by_one`` jobs are pending (a few batches), it reads just those, together, with ``GET /Jobs/{id}``
    (the listing also carries every other job of the caller). ``sleep`` and ``now`` default to the
    process's :mod:`clock`."""
    sleep = sleep or clock.current().sleep
    now = now or clock.current().monotonic
    pending = set(j for j in job_ids if j)
    finished = {}
    deadline = now() + timeout
    delay = first_delay
    while pending:
        sleep(max(0.0, min(delay, deadline - now())))
        if len(pending) <= one_by_one:
            listed = dict(zip(sorted(pending), read_all(sorted(pending), client.job, one_by_one)))
        else:
            listed = dict((job.get('Id'), job) for job in client.jobs())
        for job_id in sorted(pending):
            job = listed.get(job_id) or client.job(job_id)
            if job.get('Status') not in RUNNING_JOB_STATUSES:
                finished[job_id] = job
                pending.discard(job_id)
        if now() >= deadline:
            break
        delay = min(delay * 1.5, max_delay)
    return finished, pending


def job_id_from(location):
    """The job id a ``Location`` header names (its last path segment), or None."""
    return location.rstrip('/').rsplit('/', 1)[-1] if location else None


def job_failure(job):
    """One line for a job that ended without success: its type, id, status and the API's error."""
    detail = ': '.join(str(p) for p in (job.get('ErrorCode'), job.get('ErrorString')) if p)
    return '%s job %s %s%s' % (job.get('Type') or 'power', job.get('Id'), job.get('Status'),
                               ': ' + detail if detail else '')


def succeeded(job):
    return job.get('Status') in SUCCESSFUL_JOB_STATUSES
