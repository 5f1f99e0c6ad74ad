# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
name: daas_drain_step
short_description: Which machines a step of a rolling reboot did, and which it failed
version_added: 0.1.0
description:
  - Reads the registered result of a DaaS fleet module (M(opencitrix.automation.citrix_daas_machine),
    M(opencitrix.automation.citrix_daas_machine_power)) that acted on O(names), as the
    C(opencitrix.automation.daas_drain_reboot) role does after each step.
  - A machine is failed when its entry in the result's C(machines) has the outcome V(failed); when the whole task
    failed without per-machine results, every machine of O(names) is. Each failure's reason starts with O(step).
  - A result of a task that was skipped did nothing and failed nothing.
author:
  - opencitrix maintainers (@opencitrix)
options:
  _input:
    description: The registered result of the module task.
    type: dict
    required: true
  names:
    description: The machines the step acted on (the module's O(opencitrix.automation.citrix_daas_machine#module:names)).
    type: list
    elements: str
    required: true
  step:
    description: What the step did, to start each failure's reason with (V(drain), V(reboot)...).
    type: str
    required: true
'''

EXAMPLES = r'''
- name: Reboot the machines that were marked
  opencitrix.automation.citrix_daas_machine_power:
    names: "{{ (marked | opencitrix.automation.daas_drain_step(idle, 'mark as rebooted')).ok }}"
    state: restarted
'''

RETURN = r'''
_value:
  description: What the step did.
  type: dict
  contains:
    ok:
      description: The machines of O(names) the step did not fail, in the order of O(names).
      type: list
      elements: str
    failed:
      description: The machines it failed, each with its reason, which starts with O(step) and a colon.
      type: dict
'''

from ansible.errors import AnsibleFilterError

from ansible_collections.opencitrix.automation.plugins.plugin_utils.untrusted import untrusted


def daas_drain_step(result, names, step):
    if not isinstance(result, dict):
        raise AnsibleFilterError('daas_drain_step expects a registered module result')
    names = list(names or ())
    if result.get('skipped'):
        return untrusted({'ok': [], 'failed': {}})
    if isinstance(result.get('machines'), list):
        failed = dict((item.get('name'), '%s: %s' % (step, item.get('reason')))
                      for item in result['machines'] if isinstance(item, dict) and item.get('outcome') == 'failed')
    else:
        failed = dict((name, '%s: %s' % (step, result.get('msg') or 'failed')) for name in names)
    return untrusted({'ok': [name for name in names if name not in failed], 'failed': failed})


class FilterModule(object):
    def filters(self):
        return {'daas_drain_step': daas_drain_step}
