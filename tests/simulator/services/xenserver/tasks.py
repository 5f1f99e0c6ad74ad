"""Tasks and time of the simulated XenServer pool: a :class:`Pending` operation occupies its VM for
some simulator seconds, reported through a ``task`` object whose ``progress`` moves in quarters and
whose ``result`` or ``error_info`` it ends with; a synchronous call waits for its (internal) task; actions
can be scheduled for later (a guest agent reporting after boot). Nothing runs in the background:
:meth:`Tasks.process_due` applies what simulator time has made due, on every call and while a caller
waits."""

import collections
import time

from tests.simulator.services.xenserver.estate import PoolComponent
from tests.simulator.services.xenserver.vm_checks import refresh_allowed
from tests.simulator.services.xenserver.wire import datetime, task_result
from tests.simulator.services.xenserver.xenapi_db import XenFailure


class Pending:
    """A VM operation accepted but not finished: it occupies ``vm``'s ``current_operations`` for
    ``duration`` simulator seconds (forever when ``hang``), then ``finish()`` returns its result."""

    def __init__(self, op, vm, duration, finish, hang=False):
        self.op = op
        self.vm = vm
        self.duration = duration
        self.finish = finish
        self.hang = hang
        self.task = None
        self.started = 0.0
        self.progress = 0.0
        self.done = False
        self.result = None
        self.failure = None


class Tasks(PoolComponent):
    """The pending operations (``jobs``) and scheduled actions of one pool. Tasks live in ``db``;
    ``clock`` is simulator time; ``layout`` (a :class:`~.estate.PoolLayout`) says which host runs them.
    ``in_flight`` and ``max_in_flight`` count operations by name (tests check concurrency with them)."""

    def __init__(self, db, clock, layout):
        super().__init__(db, clock, layout)
        self.jobs = []
        self.finishing = None
        self.scheduled = []
        self.in_flight = collections.Counter()
        self.max_in_flight = collections.Counter()

    def new_task(self, name):
        now = self.clock.now()
        return self.db.create('task', name_label=name, status='pending', progress=0.0, created=datetime(now),
                              finished=datetime(0), resident_on=self.layout.master_host, allowed_operations=['cancel'],
                              other_config={})

    def finish_task(self, task, result=None, failure=None, status=None):
        if not self.db.exists('task', task):
            return
        fields = dict(progress=1.0, finished=datetime(self.clock.now()), allowed_operations=['destroy'])
        if failure is None:
            fields.update(status='success', result=task_result(result))
        else:
            fields.update(status=status or 'failure', error_info=failure.description)
        self.db.update('task', task, **fields)

    def start_job(self, pending, task):
        pending.task = task
        pending.started = self.clock.now()
        if pending.vm:
            self.db.get('VM', pending.vm)['current_operations'][task] = pending.op
            refresh_allowed(self.db, pending.vm)
        self.jobs.append(pending)
        self.in_flight[pending.op] += 1
        self.max_in_flight[pending.op] = max(self.max_in_flight[pending.op], self.in_flight[pending.op])

    def end_job(self, job, result=None, failure=None, status=None):
        if job.done:
            return
        job.done = True
        job.result, job.failure = result, failure
        self.jobs.remove(job)
        self.in_flight[job.op] -= 1
        if job.vm and self.db.exists('VM', job.vm):
            self.db.get('VM', job.vm)['current_operations'].pop(job.task, None)
            refresh_allowed(self.db, job.vm)
        self.finish_task(job.task, result, failure, status)

    def wait_sync(self, method, pending, limit=600.0):
        with self.db.lock:
            task = self.new_task(method)
            self.start_job(pending, task)
            deadline = time.monotonic() + limit
            while not pending.done and time.monotonic() < deadline:
                self.process_due()
                if not pending.done:
                    self.db.changed.wait(0.02)
            if not pending.done:
                self.end_job(pending, failure=XenFailure('INTERNAL_ERROR', 'operation did not finish'))
            if self.db.exists('task', task):
                self.db.destroy('task', task)
        if pending.failure is not None:
            raise pending.failure
        return pending.result

    def schedule(self, delay, action):
        self.scheduled.append((self.clock.now() + delay, action))

    def process_due(self):
        """Apply everything simulator time has made due: task progress and completion, guest agents
        reporting. Called on every call and while ``event.from`` or a synchronous call waits."""
        with self.db.lock:
            now = self.clock.now()
            for job in list(self.jobs):
                elapsed = now - job.started
                if job.hang or elapsed < job.duration:
                    step = 0.0 if job.hang or job.duration <= 0 else int(4 * elapsed / job.duration) / 4.0
                    if step > job.progress:
                        job.progress = step
                        if self.db.exists('task', job.task):
                            self.db.update('task', job.task, progress=step)
                    continue
                self.finishing = job
                try:
                    self.end_job(job, result=job.finish())
                except XenFailure as failure:
                    self.end_job(job, failure=failure)
                finally:
                    self.finishing = None
            due = [item for item in self.scheduled if item[0] <= now]
            if due:
                self.scheduled = [item for item in self.scheduled if item[0] > now]
                for _when, action in sorted(due, key=lambda item: item[0]):
                    action()
