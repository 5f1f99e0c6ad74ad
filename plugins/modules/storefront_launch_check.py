#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: storefront_launch_check
short_description: Launch StoreFront applications and desktops as Citrix Workspace app does, and time each phase
version_added: 0.2.0
description:
  - A synthetic check of a StoreFront store. Signs in (the CitrixAuth token flow), enumerates the resources
    (C(resources/v2/withoutautoprovision)) and makes the ICA launch request a client makes for each resource in
    O(resources) (C(POST) of C(launchparams) to its C(launchica) URL). It does not start an ICA session; the ICA
    file the store answers with is checked for and discarded.
  - Reports, per resource, whether the launch succeeded, the launch error the store returned (C(NoMoreActiveSessions),
    C(UnavailableDesktop), a 404 reason such as C(ResourceDisabled)...), and how long the launch requests took; and
    for the run, how long the sign-in and the enumeration took.
  - When the store answers C(retry) (a desktop being started), the check waits the delay the store asks for and
    tries again, up to O(retry_timeout) seconds.
  - A launch can power on or resume a desktop. The task reports C(changed) only when the store said it did (a
    C(retry) answer with the reason C(rebooting) or C(resuming)); those resources have the outcome V(changed).
    Launches that found the resource ready are V(unchanged).
  - In check mode nothing is launched; the resources that would be launched are listed with the outcome V(skipped).
  - The task fails when any launch failed, after every resource was tried, with one line naming the failed resources
    and their errors.
  - The ICA file's tickets (C(LogonTicket), the launch reference, the STA ticket in the address) and the
    C(logonTicket) element are secrets. They are registered with the collection's redactor the moment they are read,
    never returned, and masked in every message and log line at any verbosity.
author:
  - opencitrix maintainers (@opencitrix)
requirements:
  - requests
  - xmltodict
  - defusedxml
options:
  resources:
    description:
      - Resources to launch, by id (matched exactly) or title (case-insensitive).
      - An empty list, or an empty entry, fails before any request.
    type: list
    elements: str
    required: true
  client_name:
    description: Client name sent with the enumeration and the launches (C(clientName)); workspace control needs it.
    type: str
    default: opencitrix-launch-check
  client_address:
    description: Client IP address sent with the enumeration and the launches (C(clientAddress)); Zone Preference uses it.
    type: str
  device_id:
    description: Device id sent with the enumeration and the launches (C(deviceId)).
    type: str
  concurrency:
    description: Launches in flight at once.
    type: int
    default: 4
  retry_timeout:
    description: Seconds of C(retry) delays a launch may wait for in all before it counts as failed.
    type: int
    default: 300
extends_documentation_fragment:
  - opencitrix.automation.storefront
  - opencitrix.automation.transport
  - opencitrix.automation.attributes
  - opencitrix.automation.attributes.storefront
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
notes:
  - The playbook C(opencitrix.automation.storefront_synthetic_check) runs this module on a schedule (cron or an AWX
    schedule) and fails with a readable summary.
  - A launch requested here may leave a brokered session slot reserved for a short while (until the ICA file's
    ticket expires unused), as an abandoned launch from Citrix Workspace app would.
'''

EXAMPLES = r'''
- name: Can the help desk user launch the core applications?
  opencitrix.automation.storefront_launch_check:
    resources: [Microsoft Word, Microsoft Outlook, Windows 11 Desktop]
    client_name: monitoring-probe-01
  register: launch

- name: Show the slowest launch
  ansible.builtin.debug:
    msg: "{{ launch.launches | sort(attribute='launch_seconds') | last }}"
'''

RETURN = r'''
launches:
  description: One entry per resource named, in the store's order (names that matched nothing first).
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: The resource id (or the name given, when nothing matched it).
      type: str
    title:
      description: The resource's title.
      type: str
    type:
      description: C(Citrix.MPS.Application), C(Citrix.MPS.Desktop) or C(Citrix.MPS.Document).
      type: str
    outcome:
      description: V(unchanged) (launched), V(changed) (launched after the store started the desktop), V(skipped) (check mode) or V(failed).
      type: str
    reason:
      description: Why it failed or was skipped, or that the store started the desktop.
      type: str
    launched:
      description: Whether the store answered with an ICA file.
      type: bool
    status:
      description: The store's launch status, C(success), C(retry) or C(failure).
      type: str
    error_id:
      description: The store's launch error id, or the C(X-Citrix-Error-Reason) of a 404, or C(RetryTimeout).
      type: str
    error_text:
      description: The store's error text.
      type: str
    power_on:
      description: C(rebooting) or C(resuming) when the store started the desktop, else null.
      type: str
    retry_reasons:
      description: The reasons of the store's retry answers, in order.
      type: list
      elements: str
    ica_bytes:
      description: Size of the ICA file received (the file itself is never returned).
      type: int
    launch_seconds:
      description: Time the launch requests took, retries included, without the waits between them.
      type: float
    waited_seconds:
      description: Time waited between retries, as the store asked.
      type: float
  sample:
    - {name: Farm2.Microsoft Word 1, title: Microsoft Word 1, type: Citrix.MPS.Application, outcome: unchanged,
       reason: null, launched: true, status: success, error_id: null, error_text: null, power_on: null,
       retry_reasons: [], ica_bytes: 402, launch_seconds: 0.041, waited_seconds: 0}
timings:
  description: Seconds of each phase of the run.
  returned: always
  type: dict
  contains:
    sign_in_seconds:
      description: The CitrixAuth token flow (0 when a cached token was used).
      type: float
    enumeration_seconds:
      description: The enumeration, without the sign-in.
      type: float
    total_seconds:
      description: The whole check, launches included.
      type: float
counts:
  description: Resources per outcome.
  returned: always
  type: dict
'''

from ansible_collections.opencitrix.automation.plugins.module_utils.module import CitrixModule
from ansible_collections.opencitrix.automation.plugins.module_utils.storefront.client import (
    LIBRARIES, StoreFrontClient, storefront_argument_spec,
)
from ansible_collections.opencitrix.automation.plugins.module_utils.storefront.launch import run_launch_check
from ansible_collections.opencitrix.automation.plugins.module_utils.storefront.resources import (
    client_identity, client_identity_spec,
)


def argument_spec():
    spec = client_identity_spec()
    spec['client_name']['default'] = 'opencitrix-launch-check'
    spec.update(resources=dict(type='list', elements='str', required=True), concurrency=dict(type='int', default=4),
                retry_timeout=dict(type='int', default=300))
    return spec


def main():
    module = CitrixModule(argument_spec(), connection_spec=storefront_argument_spec(),
                          libraries=LIBRARIES)
    params = module.params
    with module.handle_errors():
        client = StoreFrontClient.from_params(params, redactor=module.redactor, log=module.debug_log)
        fleet, timings = run_launch_check(client, params['resources'], client_identity(params), module.check_mode,
                                          params['concurrency'], params['retry_timeout'])
    module.exit_fleet(fleet, 'launches', timings=timings)


if __name__ == '__main__':
    main()
