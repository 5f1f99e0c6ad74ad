# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Power states of many XenServer VMs at once: the VMs chosen by name or UUID, tags, host and power state
in one filtered read, each brought to the state asked for with the steps of :mod:`.vm_power`, at most
``concurrency`` VMs at a time: a sliding window of ``Async`` tasks followed through ``event.from`` (no
polling). Clean shutdowns and reboots that fail, or do not finish within ``shutdown_timeout``, fall back
to hard ones only with ``force``. Every VM gets an outcome in a :class:`results.FleetResult`; one failure
never stops the others."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.opencitrix.automation.plugins.module_utils import errors
from ansible_collections.opencitrix.automation.plugins.module_utils.concurrency import clamp
from ansible_collections.opencitrix.automation.plugins.module_utils.results import FleetResult
from ansible_collections.opencitrix.automation.plugins.module_utils.targets import require_named
from ansible_collections.opencitrix.automation.plugins.module_utils.xenserver.pool import find_host
from ansible_collections.opencitrix.automation.plugins.module_utils.xenserver.session import quote
from ansible_collections.opencitrix.automation.plugins.module_utils.xenserver.vm import ORDINARY_VMS
from ansible_collections.opencitrix.automation.plugins.module_utils.xenserver.vm_power import (
    CLEAN_STEPS, POWER_STEPS, STEP_CALLS, final_state, step_words,
)

POWER_HARD_CAP = 50
DEFAULT_CONCURRENCY = 10


class _Job:
    """One VM's way to its power state: the steps left, and the task of the one running."""

    def __init__(self, ref, item, steps):
        self.ref = ref
        self.item = item
        self.steps = list(steps)
        self.step = None
        self.clean_deadline = None


class PowerFleet:
    """Brings VMs to power state ``state`` (``running``, ``halted``, ``suspended``, ``paused`` or
    ``restarted``, which always acts), ``concurrency`` VMs at a time; ``timeout`` bounds the whole run.
    With ``max_targets``, nothing starts when more VMs than that would change."""

    def __init__(self, session, state, concurrency=DEFAULT_CONCURRENCY, timeout=1800, shutdown_timeout=120,
                 force=False, check_mode=False, log=None, max_targets=None):
        self.session = session
        self.state = state
        self.concurrency = clamp(concurrency, POWER_HARD_CAP)
        self.timeout = timeout
        self.shutdown_timeout = shutdown_timeout
        self.force = force
        self.check_mode = check_mode
        self.log = log or (lambda message: None)
        self.max_targets = max_targets

    def select(self, names=None, tags=None, host=None, power_states=None, all_targets=False):
        """``(fleet, jobs)``: an item per VM the targets name (``names`` are names or UUIDs, each must name
        one VM; ``tags``: VMs with all of them; ``host``: VMs running there) and the filters keep
        (``power_states``); with ``all_targets``, every ordinary VM of the pool."""
        names = list(dict.fromkeys(require_named(names or (), all_targets or bool(tags) or bool(host),
                                                 noun='VM', scope='pool')))
        expression = ORDINARY_VMS
        if names:
            expression += ' and (%s)' % ' or '.join('field "name_label"=%s or field "uuid"=%s' % (quote(n), quote(n))
                                                    for n in names)
        vms = self.session.all_records('VM', expression, what='look up the VMs')
        hosts = self.session.all_records('host', what='list hosts')
        host_ref = find_host(hosts, host)[0] if host else None
        wanted_tags = set(tags or ())
        wanted_states = set(s.lower() for s in power_states or ())
        fleet = FleetResult('Power action (%s)' % self.state)
        chosen = []
        for label in names:
            matches = [(r, v) for r, v in vms.items() if label in (v.get('name_label'), v.get('uuid'))]
            if len(matches) != 1:
                reason = 'no VM called "%s"' % label if not matches else '%d VMs are called "%s"; use its uuid' % (
                    len(matches), label)
                fleet.add(label, 'failed', reason, uuid=None, host=None, power_state_before=None,
                          power_state_after=None, actions=[])
                continue
            chosen.append(matches[0])
        if not names:
            chosen = sorted(vms.items(), key=lambda i: (str(i[1].get('name_label')), str(i[1].get('uuid'))))
        jobs, seen = [], set()
        for ref, vm in chosen:
            power = str(vm.get('power_state', '')).lower()
            if ref in seen or (wanted_tags and not wanted_tags.issubset(set(vm.get('tags') or []))) \
                    or (host_ref and vm.get('resident_on') != host_ref) or (wanted_states and power not in wanted_states):
                continue
            seen.add(ref)
            jobs.extend(self._plan(fleet, ref, vm, power, hosts))
        return fleet, jobs

    def _plan(self, fleet, ref, vm, power, hosts):
        name = vm.get('name_label')
        fields = dict(uuid=vm.get('uuid'), host=(hosts.get(vm.get('resident_on')) or {}).get('name_label'),
                      power_state_before=power, power_state_after=power, actions=[])
        steps = POWER_STEPS[self.state].get(power)
        if steps is None:
            fleet.add(name, 'skipped', 'a %s VM cannot become %s directly' % (power, self.state), **fields)
            return []
        if not steps:
            fleet.add(name, 'unchanged', **fields)
            return []
        fields['actions'] = [step_words(step) for step in steps]
        return [_Job(ref, fleet.add(name, 'changed', **fields), steps)]

    def run(self, fleet, jobs):
        """Run the jobs of :meth:`select` (none in check mode); returns ``fleet``."""
        fleet.check_max_targets(self.max_targets, 'VMs')
        if self.check_mode or not jobs:
            for job in jobs:
                job.item['power_state_after'] = final_state(self.state)
            return fleet
        self._window(list(jobs))
        return fleet

    # -- the window of tasks --------------------------------------------------------------------

    def _window(self, queue):
        running = {}  # task -> job
        clock = self.session.clock
        deadline = clock.monotonic() + self.timeout
        while queue or running:
            while queue and len(running) < self.concurrency:
                job = queue.pop(0)
                self._next(job, running)
            if not running:
                continue
            now = clock.monotonic()
            clean = [job.clean_deadline for job in running.values() if job.clean_deadline is not None]
            wait = max(0.0, min([deadline - now] + [d - now for d in clean]))
            try:
                finished = self.session.wait_tasks(list(running), wait, 'change the power state of %d VM(s)' % len(running),
                                                   until_any=True)
            except errors.WaitTimeoutError:
                finished = {}
            for task, record in finished.items():
                job = running.pop(task)
                self._finished(job, task, record, running)
            now = clock.monotonic()
            for task, job in list(running.items()):
                if job.clean_deadline is not None and now >= job.clean_deadline:
                    running.pop(task)
                    self.session.forget_task(task, cancel=True)
                    self._clean_failed(job, running, 'the guest did not finish within %ss' % self.shutdown_timeout)
            if now >= deadline:
                for task, job in running.items():
                    self.session.forget_task(task, cancel=True)
                    self._fail(job, 'not finished within %ss' % self.timeout)
                for job in queue:
                    self._fail(job, 'not started within %ss' % self.timeout)
                return

    def _next(self, job, running):
        """Start the next step of ``job`` (or finish it when none is left)."""
        if not job.steps:
            job.item['power_state_after'] = final_state(self.state)
            return
        job.step = job.steps.pop(0)
        self._start(job, running, CLEAN_STEPS[job.step][0] if job.step in CLEAN_STEPS else job.step)

    def _start(self, job, running, operation):
        name = job.item['name']
        if operation in STEP_CALLS:
            method, args, verb = STEP_CALLS[operation]
        else:
            method, args, verb = 'VM.' + operation, (), operation.replace('_', ' ')
        job.clean_deadline = None
        if job.step in CLEAN_STEPS and operation == CLEAN_STEPS[job.step][0]:
            job.clean_deadline = self.session.clock.monotonic() + self.shutdown_timeout
        try:
            task = self.session.call('Async.' + method, job.ref, *args, what='%s VM %s' % (verb, name))
        except errors.CitrixError as exc:
            self._fail(job, exc)
            return
        running[task] = job
        self.log('started: %s VM %s' % (verb, name))

    def _finished(self, job, task, record, running):
        name = job.item['name']
        try:
            self.session.task_outcome(task, record, '%s VM %s' % (step_words(job.step), name))
        except errors.CitrixError as exc:
            self.session.forget_task(task)
            if job.clean_deadline is not None:
                self._clean_failed(job, running, exc)
            else:
                self._fail(job, exc)
            return
        self.session.forget_task(task)
        self._next(job, running)

    def _clean_failed(self, job, running, reason):
        """A clean shutdown or reboot failed or took too long: the hard one with ``force``, else a failure."""
        if not self.force:
            hint = 'set force: true to fall back to a hard power operation'
            self._fail(job, '%s (%s)' % (reason, hint) if isinstance(reason, str) else reason)
            return
        hard = CLEAN_STEPS[job.step][1]
        job.item['actions'].append('%s did not finish cleanly; %s' % (step_words(job.step), hard.replace('_', ' ')))
        self._start(job, running, hard)

    @staticmethod
    def _fail(job, reason):
        FleetResult.fail(job.item, reason, power_state_after=None)
