#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: citrix_daas_machine_power
short_description: Start, stop, restart or suspend Citrix DaaS machines, a few or thousands at a time
version_added: 0.1.0
description:
  - Brings machines of a Citrix DaaS site (or an on-premises site, see O(ddc_url)) to a power state with the
    power actions C($start), C($shutdown), C($reboot), C($suspend) and C($resume), sent as asynchronous jobs
    through C($batch), hundreds in one request (see O(batch)), then waits for the jobs (see O(wait)).
  - Machines are chosen by name, ID, catalog and/or delivery group, then narrowed by the filters. Acting on
    the whole site takes O(all_targets=true); an empty target option fails the task before any request.
  - O(max_targets) caps how many machines may get a power action; over it, none gets one.
  - Idempotent for V(started), V(stopped) and V(suspended) - a machine already in that state is left alone.
    V(restarted) always acts on running machines and reports a change, as Ansible's C(restarted) states do.
  - A machine that does not support the action (C(SupportedPowerActions)), is not power managed, or has a
    power action pending is skipped, with the reason in its result.
  - Every action is sent before failures are reported; if any machine failed, the task fails after the others
    completed, naming the machines and the API's errors.
author:
  - opencitrix maintainers (@opencitrix)
requirements:
  - requests
options:
  state:
    description:
      - V(started) starts machines that are off and resumes suspended ones.
      - V(stopped) shuts machines down (gracefully unless O(force)).
      - V(suspended) suspends running machines (machines that are off are skipped).
      - V(restarted) restarts running machines (machines that are off or suspended are skipped).
    type: str
    required: true
    choices: [started, stopped, suspended, restarted]
  force:
    description:
      - For V(stopped) and V(restarted), do not wait for users to log off. Unsaved work can be lost. A forced
        shutdown is a power-off, so it needs the C(PowerOff) action rather than C(Shutdown).
    type: bool
    default: false
  wait:
    description:
      - Wait until the jobs of the actions finish, and fail for machines whose job failed.
      - All jobs are polled together with one C(GET /Jobs) request per round.
      - With V(false), the task still reads every action's answer (through the batch's job, see O(batch)), so
        machines whose action the site refused are reported as failed.
    type: bool
    default: true
  wait_timeout:
    description:
      - Seconds to wait for the jobs (and for each batch's job). Machines whose job is still running then are
        reported as failed; the jobs themselves are not cancelled.
    type: int
    default: 900
  concurrency:
    description:
      - Power action requests in flight at once (at most 32) when they are sent one per machine (O(batch=false),
        or a site without C($batch)).
      - The site queues power actions and paces them per hosting connection itself, so this only sets how fast
        the requests are handed over. Throttled requests (HTTP 429) are retried after the delay the API asks for.
    type: int
    default: 25
extends_documentation_fragment:
  - opencitrix.automation.daas
  - opencitrix.automation.daas.MACHINE_TARGETS
  - opencitrix.automation.daas.MACHINE_FILTERS
  - opencitrix.automation.daas.SITE_ACTIVATION
  - opencitrix.automation.daas.BATCH
  - opencitrix.automation.fleet
  - opencitrix.automation.citrix_cloud
  - opencitrix.automation.transport
  - opencitrix.automation.attributes
  - opencitrix.automation.attributes.daas
attributes:
  check_mode:
    support: full
    details: Reads the machines and returns the exact list it would act on; sends no power action.
  diff_mode:
    support: full
    details: Shows the power state of each machine acted on, before and after.
'''

EXAMPLES = r'''
- name: Reboot the idle machines of a catalog
  opencitrix.automation.citrix_daas_machine_power:
    catalog: Win11-Pooled
    only_idle: true
    skip_maintenance_mode: true
    state: restarted
  register: reboot

- name: Start two machines and do not wait
  opencitrix.automation.citrix_daas_machine_power:
    names:
      - CORP\W11-0001
      - CORP\W11-0002
    state: started
    wait: false

- name: Shut down a delivery group on an on-premises site that has no $batch, 20 requests at a time
  opencitrix.automation.citrix_daas_machine_power:
    ddc_url: https://ddc01.corp.example.com
    client_id: CORP\svc-automation
    client_secret: "{{ vault_ddc_password }}"
    delivery_group: Finance Desktops
    state: stopped
    batch: false
    concurrency: 20

- name: Start the machines of a catalog, but never more than 50 (none are started if more would be)
  opencitrix.automation.citrix_daas_machine_power:
    catalog: "{{ patch_catalog }}"
    state: started
    max_targets: 50

- name: Shut down every machine of the site (a site-wide action needs all_targets)
  opencitrix.automation.citrix_daas_machine_power:
    all_targets: true
    skip_maintenance_mode: true
    state: stopped
'''

RETURN = r'''
machines:
  description: One entry per machine targeted (after the filters), in API order.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: Machine name (C(DOMAIN\\NAME)).
      type: str
    id:
      description: Machine ID.
      type: str
    catalog:
      description: Machine catalog name.
      type: str
    delivery_group:
      description: Delivery group name, or null.
      type: str
    power_state_before:
      description: Power state when the task read it.
      type: str
    power_state_after:
      description:
        - The state the machine is in after the task - unchanged for machines not acted on, the state the
          completed job brought it to when O(wait) is set, null otherwise.
      type: str
    action:
      description: Action sent (V(start), V(shutdown), V(reboot), V(suspend), V(resume)), or null.
      type: str
    job_id:
      description:
        - ID of the job the action started. Null when the site answered without one, or when the action's batch
          lost its answer and the machine showed the action under way without naming its job.
      type: str
    job_status:
      description: Final status of the job (for example V(Complete), V(Failed)) when O(wait) is set.
      type: str
    outcome:
      description: V(changed), V(unchanged), V(skipped) or V(failed).
      type: str
    reason:
      description: Why the machine was skipped or what failed (the API's or the job's error).
      type: str
    transaction_id:
      description:
        - The C(Citrix-TransactionId) the server answered the power action with, by which Citrix support can trace
          it; null when no request was sent for this machine.
      type: str
  sample:
    - name: CORP\W11-0001
      id: 9f4b5c7e-2d1a-4a8e-9c3b-6f0e1d2a3b4c
      catalog: Win11-Pooled
      delivery_group: Win11 Desktops
      power_state_before: 'On'
      power_state_after: 'On'
      action: reboot
      job_id: 0b9c4f1e-7a35-4e02-8d8f-1c2b3a4d5e6f
      job_status: Complete
      outcome: changed
      reason: null
      transaction_id: 5d3c1a7e-0f42-4b8e-9a61-2c7d9e0b4f13
acted_on:
  description: Names of the machines an action was sent to (in check mode, would be sent to).
  returned: always
  type: list
  elements: str
skipped_machines:
  description: Machines left alone on purpose, with the reason.
  returned: always
  type: list
  elements: dict
  sample: [{name: CORP\LAB-0001, reason: not power managed (power state Unmanaged)}]
counts:
  description: How many machines were targeted, filtered out, and had each outcome.
  returned: always
  type: dict
  sample: {targeted: 1000, filtered_out: 300, changed: 700, unchanged: 0, skipped: 0, failed: 0}
'''

from ansible_collections.opencitrix.automation.plugins.module_utils.daas.argspec import (
    TARGET_OPTIONS, daas_argument_spec, fleet_write_argument_spec, machine_filter_argument_spec, machine_filters,
    machine_target_argument_spec, machine_targets, site_activation,
)
from ansible_collections.opencitrix.automation.plugins.module_utils.daas.batch import batch_options
from ansible_collections.opencitrix.automation.plugins.module_utils.daas.client import DaasClient
from ansible_collections.opencitrix.automation.plugins.module_utils.daas.machines import Machines, filter_machines
from ansible_collections.opencitrix.automation.plugins.module_utils.daas.power import (
    POWER_STATES, apply_power_state, final_state,
)
from ansible_collections.opencitrix.automation.plugins.module_utils.module import CitrixModule
from ansible_collections.opencitrix.automation.plugins.module_utils.targets import check_targets


def argument_spec():
    return fleet_write_argument_spec(
        machine_target_argument_spec(),
        machine_filter_argument_spec(),
        state=dict(type='str', required=True, choices=list(POWER_STATES)),
        force=dict(type='bool', default=False),
        wait=dict(type='bool', default=True),
        wait_timeout=dict(type='int', default=900),
    )


def main():
    module = CitrixModule(argument_spec(), connection_spec=daas_argument_spec())
    params = module.params
    with module.handle_errors():
        check_targets(params, TARGET_OPTIONS)
        sending = batch_options(params)
        client = DaasClient.from_params(params, redactor=module.redactor, log=module.debug_log,
                                        activate_site=site_activation(params, module.check_mode))
        machines = Machines(client).find(concurrency=params['concurrency'], all_targets=params['all_targets'],
                                         **machine_targets(params))
        targeted, left_out = filter_machines(machines, **machine_filters(params))
        fleet = apply_power_state(client, targeted, params['state'], force=params['force'],
                                  concurrency=params['concurrency'], wait=params['wait'],
                                  wait_timeout=params['wait_timeout'], check_mode=module.check_mode,
                                  max_targets=params['max_targets'], **sending)
    module.exit_fleet(fleet, 'machines', diff=fleet.diff('power_state', 'power_state_before', final_state),
                      counts=fleet.counts(targeted=len(machines), filtered_out=len(left_out)),
                      acted_on=[item['name'] for item in fleet.items if item['action']],
                      skipped_machines=[{'name': item['name'], 'reason': item['reason']}
                                        for item in fleet.with_outcome('skipped')])


if __name__ == '__main__':
    main()
