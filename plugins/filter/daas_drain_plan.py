# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
name: daas_drain_plan
short_description: The waves of a rolling drain-then-reboot of Citrix DaaS machines, resumed from their tags
version_added: 0.1.0
description:
  - Plans a rolling reboot (the C(opencitrix.automation.daas_drain_reboot) role) from the machines
    M(opencitrix.automation.citrix_daas_machine_info) returned, and from the two progress tags of the run on them.
  - A machine with O(rebooted_tag) got its reboot in this run; it is never planned again. It is V(done) when it is
    out of maintenance mode, running and registered with no power action pending, else V(finishing) (its
    registration is waited for, then it leaves maintenance mode).
  - A machine with O(draining_tag) (and without O(rebooted_tag)) was being drained when an earlier attempt of the
    run stopped; it goes into the first wave, even though it is in maintenance mode.
  - Other machines in maintenance mode were put there by someone else and are left alone, as are machines that are
    not running or cannot restart. Every other machine is planned, in waves of O(wave), in the order given.
  - Tags that start with O(prefix) and belong to other runs are listed (V(stale_tags), on V(stale_machines)), so
    that the role removes them.
author:
  - opencitrix maintainers (@opencitrix)
options:
  _input:
    description: Machines, as the C(machines) result of M(opencitrix.automation.citrix_daas_machine_info).
    type: list
    elements: dict
    required: true
  draining_tag:
    description: The tag the run puts on a machine when it turns maintenance mode on.
    type: str
    required: true
  rebooted_tag:
    description: The tag the run puts on a machine before it sends its reboot.
    type: str
    required: true
  wave:
    description:
      - Machines per wave, a number (V(25)) or a percentage of the machines given (V("20%"), rounded up). At
        least one.
    type: raw
    default: "20%"
  prefix:
    description: The start of every progress tag of the role (V(stale_tags) are those of other runs).
    type: str
'''

EXAMPLES = r'''
- name: Plan the waves
  ansible.builtin.set_fact:
    plan: >-
      {{ found.machines | opencitrix.automation.daas_drain_plan(draining_tag='DrainReboot-20261205-draining',
         rebooted_tag='DrainReboot-20261205-rebooted', wave='20%', prefix='DrainReboot-') }}
'''

RETURN = r'''
_value:
  description: The plan.
  type: dict
  contains:
    machines:
      description: How many machines were given.
      type: int
    wave_size:
      description: Machines per wave.
      type: int
    waves:
      description: The machines (names) of each wave, in order; machines resumed from a stopped attempt first.
      type: list
      elements: list
    resumed:
      description: Machines that were being drained when an earlier attempt of the run stopped.
      type: list
      elements: str
    finishing:
      description: Machines rebooted by the run that are still in maintenance mode or not registered.
      type: list
      elements: str
    done:
      description: Machines rebooted by the run, running, registered and out of maintenance mode.
      type: list
      elements: str
    left_alone:
      description: Machines the run does not touch, each with C(name) and C(reason).
      type: list
      elements: dict
    stale_tags:
      description: Progress tags of other runs found on the machines.
      type: list
      elements: str
    stale_machines:
      description: The machines that carry them.
      type: list
      elements: str
'''

import math
import re

from ansible.errors import AnsibleFilterError

from ansible_collections.opencitrix.automation.plugins.plugin_utils.untrusted import untrusted

_PERCENT = re.compile(r'^\s*(\d+(?:\.\d+)?)\s*%\s*$')


def wave_size(wave, total):
    """Machines per wave: ``wave`` as a number, or a percentage (``"20%"``) of ``total`` rounded up; at least 1."""
    text = str(wave).strip()
    match = _PERCENT.match(text)
    try:
        if match:
            percent = float(match.group(1))
            if not 0 < percent <= 100:
                raise ValueError(text)
            return max(1, int(math.ceil(total * percent / 100.0)))
        if isinstance(wave, bool) or not text.isdigit() or int(text) < 1:
            raise ValueError(text)
        return int(text)
    except ValueError:
        raise AnsibleFilterError('wave must be a number of machines (25) or a percentage ("20%%"), got %r' % (wave,))


def _has(machine, tag):
    return tag.lower() in set(str(t).lower() for t in machine.get('tags') or ())


def _left_alone(machine):
    """Why the run must not touch a machine it has not marked, or None."""
    if machine.get('in_maintenance_mode'):
        return 'in maintenance mode before this run (someone else put it there)'
    if machine.get('power_action_pending'):
        return 'a power action is pending'
    if machine.get('power_state') != 'On':
        return 'not running (power state %s)' % machine.get('power_state')
    if 'Restart' not in (machine.get('supported_power_actions') or []):
        return 'cannot restart (no Restart power action)'
    return None


def daas_drain_plan(machines, draining_tag, rebooted_tag, wave='20%', prefix=None):
    if not isinstance(machines, (list, tuple)) or not all(isinstance(m, dict) for m in machines):
        raise AnsibleFilterError('daas_drain_plan expects the machines list of citrix_daas_machine_info')
    if not str(draining_tag or '').strip() or not str(rebooted_tag or '').strip():
        raise AnsibleFilterError('daas_drain_plan needs draining_tag and rebooted_tag')
    size = wave_size(wave, len(machines))
    ours = set(t.lower() for t in (draining_tag, rebooted_tag))
    resumed, pending, finishing, done, left_alone = [], [], [], [], []
    stale_tags, stale_machines = set(), []
    for machine in machines:
        name = machine.get('name')
        stale = [t for t in machine.get('tags') or () if prefix and str(t).lower().startswith(prefix.lower())
                 and str(t).lower() not in ours]
        if stale:
            stale_tags.update(stale)
            stale_machines.append(name)
        if _has(machine, rebooted_tag):
            back = (not machine.get('in_maintenance_mode') and machine.get('registration_state') == 'Registered'
                    and machine.get('power_state') == 'On' and not machine.get('power_action_pending'))
            (done if back else finishing).append(name)
        elif _has(machine, draining_tag) and machine.get('in_maintenance_mode'):
            resumed.append(name)
        else:
            reason = _left_alone(machine)
            if reason:
                left_alone.append({'name': name, 'reason': reason})
            else:
                pending.append(name)
    planned = resumed + pending
    return untrusted({
        'machines': len(machines), 'wave_size': size,
        'waves': [planned[start:start + size] for start in range(0, len(planned), size)],
        'resumed': resumed, 'finishing': finishing, 'done': done, 'left_alone': left_alone,
        'stale_tags': sorted(stale_tags), 'stale_machines': stale_machines,
    })


class FilterModule(object):
    def filters(self):
        return {'daas_drain_plan': daas_drain_plan}
