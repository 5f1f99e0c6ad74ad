#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: citrix_cloud_service_info
short_description: List the Citrix Cloud services of a customer and their entitlement states
version_added: 0.1.0
description:
  - Reads the customer's service states from the Citrix Cloud core API
    (C(GET https://core.citrixworkspacesapi.net/{customerId}/serviceStates)), for example to check that
    Citrix DaaS is entitled before a job uses it.
  - Signs in with OAuth client credentials; the bearer token is cached and shared by all tasks of a run
    (see O(token_cache)).
author:
  - opencitrix maintainers (@opencitrix)
requirements:
  - requests
options:
  name:
    description:
      - Only return services with these names (for example V(xendesktop), V(wem)). Case-insensitive.
    type: list
    elements: str
    aliases: [service]
  state:
    description:
      - Only return services in these states (for example V(Production), V(ProductionTrial)). Case-insensitive.
    type: list
    elements: str
extends_documentation_fragment:
  - opencitrix.automation.citrix_cloud
  - opencitrix.automation.transport
  - opencitrix.automation.attributes
  - opencitrix.automation.attributes.info_module
  - opencitrix.automation.attributes.citrix_cloud
'''

EXAMPLES = r'''
- name: List every service of the customer (credentials from CITRIX_* environment variables)
  opencitrix.automation.citrix_cloud_service_info:
  register: cloud_services

- name: Fail early when Citrix DaaS is not in production or trial
  opencitrix.automation.citrix_cloud_service_info:
    client_id: "{{ citrix_client_id }}"
    client_secret: "{{ citrix_client_secret }}"
    customer_id: "{{ citrix_customer_id }}"
    region: eu
    name: xendesktop
  register: daas_service
  failed_when: daas_service.services | selectattr('state', 'in', ['Production', 'ProductionTrial']) | list | length == 0

- name: Share credentials through module_defaults
  module_defaults:
    group/opencitrix.automation.citrix_cloud:
      client_id: "{{ citrix_client_id }}"
      client_secret: "{{ citrix_client_secret }}"
      customer_id: "{{ citrix_customer_id }}"
  block:
    - name: Services in trial
      opencitrix.automation.citrix_cloud_service_info:
        state: ProductionTrial
      register: trials
'''

RETURN = r'''
services:
  description:
    - The services, as the API lists them, with keys in snake_case.
  returned: success
  type: list
  elements: dict
  contains:
    service_name:
      description: Short name of the service (for example V(xendesktop) for Citrix DaaS).
      type: str
      sample: xendesktop
    state:
      description: Entitlement state (for example V(Production), V(ProductionTrial), V(Trial), V(Expired), V(NotOnboarded)).
      type: str
      sample: ProductionTrial
  sample:
    - service_name: xendesktop
      state: ProductionTrial
      last_updated: '2026-11-01T08:00:00Z'
names:
  description: Names of the returned services, in API order.
  returned: success
  type: list
  elements: str
  sample: [cas, xendesktop]
'''

from ansible_collections.opencitrix.automation.plugins.module_utils.citrix_cloud.client import (
    CloudClient, cloud_argument_spec,
)
from ansible_collections.opencitrix.automation.plugins.module_utils.module import CitrixModule, snake_case


def select(services, names, states):
    names = set(n.lower() for n in names or ())
    states = set(s.lower() for s in states or ())
    return [s for s in services
            if (not names or str(s.get('serviceName', '')).lower() in names)
            and (not states or str(s.get('state', '')).lower() in states)]


def main():
    module = CitrixModule(
        argument_spec=dict(
            name=dict(type='list', elements='str', aliases=['service']),
            state=dict(type='list', elements='str'),
        ),
        connection_spec=cloud_argument_spec(),
    )
    with module.handle_errors():
        client = CloudClient.from_params(module.params, redactor=module.redactor, log=module.debug_log)
        services = select(client.service_states(), module.params['name'], module.params['state'])
        module.exit_json(changed=False, services=snake_case(services),
                         names=[s.get('serviceName') for s in services])


if __name__ == '__main__':
    main()
