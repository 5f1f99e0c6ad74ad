# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Power states of XenServer VMs: the steps from one state to another (gentlest first), and running them
for one VM as XenAPI tasks: clean shutdowns and reboots fall back to hard ones only with ``force``;
waiting for a guest's IP address follows the event system. The fleet (``power.py``) and the single VM
(``vm_state.py``) share the tables."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.opencitrix.automation.plugins.module_utils import errors
from ansible_collections.opencitrix.automation.plugins.module_utils.xenserver.session import NULL_REF
from ansible_collections.opencitrix.automation.plugins.module_utils.xenserver.vm import guest_addresses

POWER_STATES = ('running', 'halted', 'suspended', 'paused', 'restarted')
# From power state to desired state: the steps, gentlest first. "shutdown" and "reboot" are clean
# operations that fall back to hard ones only with force.
POWER_STEPS = {
    'running': {'halted': ['start'], 'suspended': ['resume'], 'paused': ['unpause'], 'running': []},
    'halted': {'running': ['shutdown'], 'paused': ['unpause', 'shutdown'], 'suspended': ['resume', 'shutdown'],
               'halted': []},
    'suspended': {'running': ['suspend'], 'paused': ['unpause', 'suspend'], 'suspended': []},
    'paused': {'running': ['pause'], 'halted': ['start_paused'], 'suspended': ['resume_paused'], 'paused': []},
    'restarted': {'running': ['reboot'], 'halted': ['start'], 'paused': ['unpause', 'reboot'],
                  'suspended': ['resume', 'reboot']},
}
# step -> (XenAPI method, its arguments after the VM, words for messages)
STEP_CALLS = {
    'start': ('VM.start', (False, False), 'start'), 'start_paused': ('VM.start', (True, False), 'start (paused)'),
    'resume': ('VM.resume', (False, False), 'resume'), 'resume_paused': ('VM.resume', (True, False), 'resume (paused)'),
    'unpause': ('VM.unpause', (), 'unpause'), 'pause': ('VM.pause', (), 'pause'), 'suspend': ('VM.suspend', (), 'suspend'),
    'hard_shutdown': ('VM.hard_shutdown', (), 'power off'), 'hard_reboot': ('VM.hard_reboot', (), 'hard-reboot'),
}
# clean step -> (clean operation, hard operation, words for messages)
CLEAN_STEPS = {'shutdown': ('clean_shutdown', 'hard_shutdown', 'shut down'),
               'reboot': ('clean_reboot', 'hard_reboot', 'reboot')}


def power_steps(name, current, state):
    """The steps bringing VM ``name`` from power state ``current`` to ``state`` (none for ``present`` and
    ``absent``); InputError when there is no direct way."""
    if state in ('present', 'absent'):
        return []
    steps = POWER_STEPS[state].get(current)
    if steps is None:
        raise errors.InputError('VM %s is %s and cannot become %s directly' % (name, current, state),
                                hint='start it first (state: running), then set state: %s' % state)
    return list(steps)


def step_words(step):
    return CLEAN_STEPS[step][2] if step in CLEAN_STEPS else STEP_CALLS[step][2]


def final_state(state):
    """The power state a VM is in once ``state`` was reached."""
    return 'running' if state == 'restarted' else state


class VmPower:
    """Runs power steps for one VM. ``note(action)`` records what is done (or, in check mode, would be)."""

    def __init__(self, session, check_mode=False, note=None):
        self.session = session
        self.check_mode = check_mode
        self.note = note or (lambda action: None)

    def run(self, ref, name, steps, params):
        """Run ``steps`` on VM ``ref``; ``params`` holds ``timeout``, ``shutdown_timeout`` and ``force``."""
        for step in steps:
            self.note('%s VM %s' % (step_words(step), name))
            if self.check_mode:
                continue
            if step in CLEAN_STEPS:
                self.clean(ref, name, step, params)
                continue
            method, args, verb = STEP_CALLS[step]
            self.session.run_task(method, ref, *args, what='%s VM %s' % (verb, name), timeout=params['timeout'])

    def clean(self, ref, name, step, params):
        clean, hard, verb = CLEAN_STEPS[step]
        what = '%s VM %s' % (verb, name)
        if self.try_clean(ref, clean, what, params):
            return
        self.note('%s did not finish cleanly; %s VM %s' % (verb, hard.replace('_', ' '), name))
        self.session.run_task('VM.' + hard, ref, what='%s VM %s' % (hard.replace('_', ' '), name), timeout=params['timeout'])

    def try_clean(self, ref, clean, what, params):
        """True when the clean operation succeeded; False when it failed or timed out and ``force``
        allows the hard one; otherwise raises."""
        task = self.session.call('Async.VM.' + clean, ref, what=what)
        finished = False
        try:
            try:
                record = self.session.wait_tasks([task], params['shutdown_timeout'], what)[task]
                finished = True
            except errors.WaitTimeoutError:
                if params['force']:
                    return False
                raise errors.WaitTimeoutError('Could not ' + what, url=self.session.where,
                                              api_message='the guest did not finish within %ss' % params['shutdown_timeout'],
                                              hint='set force: true to fall back to a hard power operation, or raise shutdown_timeout')
            try:
                self.session.task_outcome(task, record, what)
                return True
            except errors.CitrixError:
                if params['force']:
                    return False
                raise
        finally:
            self.session.forget_task(task, cancel=not finished)

    def wait_for_ip(self, ref, name, timeout):
        """The first IPv4 address the guest agent reports, waiting through events."""
        what = 'get an IP address of VM %s from its guest agent' % name
        deadline = self.session.clock.monotonic() + timeout
        metrics_ref = NULL_REF
        while True:
            subscriptions = ['VM/%s' % ref] + (['VM_guest_metrics/%s' % metrics_ref] if metrics_ref != NULL_REF else [])

            def progress(records, current=metrics_ref):
                vm = records.get(ref)
                if vm is None:
                    raise errors.NotFoundError('Could not ' + what, api_message='the VM was deleted')
                if vm.get('power_state') != 'Running':
                    raise errors.ConflictError('Could not ' + what, api_message='VM %s is %s' % (
                        name, str(vm.get('power_state')).lower()))
                if vm.get('guest_metrics') != current:
                    return ('metrics', vm.get('guest_metrics'))
                ipv4 = guest_addresses((records.get(current) or {}).get('networks'))[0]
                return ('ip', ipv4[0]) if ipv4 else None
            kind, value = self.session.watch(
                subscriptions, progress, max(0.0, deadline - self.session.clock.monotonic()), what,
                hint='check that the guest agent runs and the VM has a network, or raise timeout')
            if kind == 'ip':
                self.note('VM %s reports IP address %s' % (name, value))
                return value
            metrics_ref = value
