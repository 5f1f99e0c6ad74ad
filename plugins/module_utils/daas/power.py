# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Power states for fleets of DaaS machines: the action each machine needs, sending those actions (through
``$batch``, or one request each with bounded concurrency), waiting for their jobs, and one outcome per
machine."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.opencitrix.automation.plugins.module_utils import errors
from ansible_collections.opencitrix.automation.plugins.module_utils.daas.batch import (
    DEFAULT_BATCH_SIZE, BatchWriter, WriteOutcome,
)
from ansible_collections.opencitrix.automation.plugins.module_utils.daas.client import DEFAULT_CONCURRENCY
from ansible_collections.opencitrix.automation.plugins.module_utils.daas.jobs import (
    RUNNING_JOB_STATUSES, job_failure, succeeded, wait_for_jobs,
)
from ansible_collections.opencitrix.automation.plugins.module_utils.daas.machines import Machines, power_write
from ansible_collections.opencitrix.automation.plugins.module_utils.results import FleetResult

POWER_STATES = ('started', 'stopped', 'suspended', 'restarted')

# The action that brings a machine from its PowerState to the requested state; None: already there.
# A state missing from a row cannot lead there: only running machines are restarted or suspended (a
# restart never powers on a machine someone turned off).
ACTIONS = {
    'started': {'On': None, 'Off': 'start', 'Suspended': 'resume'},
    'stopped': {'Off': None, 'On': 'shutdown', 'Suspended': 'shutdown'},
    'suspended': {'Suspended': None, 'On': 'suspend'},
    'restarted': {'On': 'reboot'},
}
# SupportedPowerActions entry each action needs (a forced shutdown is a power-off).
CAPABILITY = {'start': 'PowerOn', 'shutdown': 'Shutdown', 'reboot': 'Restart', 'suspend': 'SuspendResume',
              'resume': 'SuspendResume'}
FINAL_STATE = {'start': 'On', 'reboot': 'On', 'resume': 'On', 'shutdown': 'Off', 'suspend': 'Suspended'}
JOB_TYPES = {'start': 'StartMachines', 'shutdown': 'ShutDownMachines', 'reboot': 'RebootMachines',
             'suspend': 'SuspendMachines', 'resume': 'ResumeMachines'}
TRANSITIONAL_STATES = ('TurningOn', 'TurningOff', 'Suspending', 'Resuming')


def plan_action(machine, state, force=False):
    """``(action, skip_reason)`` for one machine: an action to send, or why none is sent (both None:
    the machine is already in ``state``)."""
    power_state = machine.get('PowerState')
    if machine.get('PowerActionPending'):
        return None, 'a power action is already pending'
    if power_state in TRANSITIONAL_STATES:
        return None, 'power state is %s (a transition is under way)' % power_state
    if power_state not in ('On', 'Off', 'Suspended'):
        return None, 'not power managed (power state %s)' % power_state
    row = ACTIONS[state]
    if power_state not in row:
        return None, 'a machine that is %s cannot be %s' % (power_state, state)
    action = row[power_state]
    if action is None:
        return None, None
    needed = 'PowerOff' if action == 'shutdown' and force else CAPABILITY[action]
    if needed not in (machine.get('SupportedPowerActions') or []):
        return None, 'does not support the %s power action' % needed
    return action, None


def final_state(item):
    """The power state an item's action leads to (``--diff``'s after)."""
    return FINAL_STATE[item['action']]


def apply_power_state(client, machines, state, force=False, concurrency=DEFAULT_CONCURRENCY, wait=True,
                      wait_timeout=600, check_mode=False, sleep=None, max_targets=None, batch=True,
                      batch_size=DEFAULT_BATCH_SIZE):
    """Bring ``machines`` (API models) to ``state``; returns a FleetResult, one item per machine, in order.

    Outcomes: ``changed`` (an action was sent, or would be in check mode), ``unchanged`` (already there),
    ``skipped`` (with ``reason``), ``failed`` (with ``reason``: the API's error or the job's). Every action
    is sent before any failure is reported, so one bad machine never holds back the others. With
    ``max_targets``, no action is sent when more machines than that would get one. The actions go through
    ``$batch`` (``batch_size`` a request) unless ``batch`` is False (:class:`.batch.BatchWriter`); with
    ``wait``, their jobs are followed through the ``GET /Jobs`` listing. ``sleep``: how job polling waits
    (default: the process's clock).
    """
    fleet = FleetResult('Power action')
    for machine in machines:
        action, reason = plan_action(machine, state, force)
        outcome = 'changed' if action else ('skipped' if reason else 'unchanged')
        before = machine.get('PowerState')
        fleet.add(machine.get('Name'), outcome, reason, id=machine.get('Id'),
                  catalog=(machine.get('MachineCatalog') or {}).get('Name'),
                  delivery_group=(machine.get('DeliveryGroup') or {}).get('Name'),
                  power_state_before=before, power_state_after=before if outcome != 'changed' else None,
                  action=action, job_id=None, job_status=None, transaction_id=None)
    fleet.check_max_targets(max_targets, 'machines')
    if check_mode:
        return fleet
    writes = [power_write(item['id'], item['action'], force, target=item) for item in fleet.with_outcome('changed')]
    writer = BatchWriter(client, batch, batch_size, concurrency, timeout=wait_timeout, sleep=sleep)
    outcomes = writer.apply(fleet, writes, lambda lost: _traces(client, lost, concurrency))
    unconfirmed = set()  # sent, as the machine shows, but with no job to follow
    for write, outcome in zip(writes, outcomes):
        if outcome.ok:
            write.target['job_id'] = outcome.job_id
            if outcome.resolved and not outcome.job_id:
                unconfirmed.add(id(write.target))
    acted = [item for item in fleet.with_outcome('changed') if id(item) not in unconfirmed]
    if wait and acted:
        _wait(client, fleet, acted, wait_timeout, sleep)
    return fleet


def _traces(client, writes, concurrency):
    """After a lost answer, what each machine shows of its action: a running job of the action's type for
    it (then that is its job), a pending action, a transition, or the state the action leads to, and the
    action counts as sent; no trace, and it is sent again (None)."""
    machines = Machines(client).by_ids([w.target['id'] for w in writes], concurrency)
    running = {}
    for job in client.jobs():
        if job.get('Status') in RUNNING_JOB_STATUSES:
            for parameter in job.get('Parameters') or []:
                if parameter.get('Name') == 'Id':
                    running.setdefault((parameter.get('Value'), job.get('Type')), job)
    decisions = []
    for write in writes:
        item = write.target
        machine = machines.get(item['id'])
        job = running.get((item['id'], JOB_TYPES[item['action']]))
        if machine is None:
            decisions.append(WriteOutcome(error=errors.NotFoundError('Machine %s no longer exists' % item['name'])))
        elif job is not None:
            decisions.append(WriteOutcome(202, job['Id'], resolved=True))
        elif (machine.get('PowerActionPending') or machine.get('PowerState') in TRANSITIONAL_STATES
              or machine.get('PowerState') == final_state(item) != item['power_state_before']):
            decisions.append(WriteOutcome(resolved=True))
        else:
            decisions.append(None)
    return decisions


def _wait(client, fleet, acted, wait_timeout, sleep):
    finished, _unfinished = wait_for_jobs(client, [item['job_id'] for item in acted], wait_timeout, sleep=sleep)
    for item in acted:
        if item['job_id'] is None:  # answered synchronously: the action is done
            item['power_state_after'] = final_state(item)
            continue
        job = finished.get(item['job_id'])
        if job is None:
            fleet.fail(item, 'job %s did not finish within %s seconds (wait_timeout); it keeps running'
                       % (item['job_id'], wait_timeout), job_status='InProgress')
            continue
        item['job_status'] = job.get('Status')
        if succeeded(job):
            item['power_state_after'] = final_state(item)
        else:
            fleet.fail(item, job_failure(job))
