#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: citrix_daas_site_info
short_description: Show who the Citrix DaaS API sees and which customers and sites they may administer
version_added: 0.1.0
description:
  - Reads C(GET /me) of Citrix DaaS (or of an on-premises site, see O(ddc_url)) - the administrator the credentials
    sign in as, and the customers and sites they may administer - to choose O(site_id) or O(site_name) for the other
    DaaS modules. One request after the sign-in.
  - A hibernated site (HTTP 530) fails the task with one line saying how to wake it; this module never activates a
    site.
author:
  - opencitrix maintainers (@opencitrix)
requirements:
  - requests
extends_documentation_fragment:
  - opencitrix.automation.daas
  - opencitrix.automation.citrix_cloud
  - opencitrix.automation.transport
  - opencitrix.automation.attributes
  - opencitrix.automation.attributes.info_module
  - opencitrix.automation.attributes.daas
'''

EXAMPLES = r'''
- name: Which sites can these credentials administer?
  opencitrix.automation.citrix_daas_site_info:
  register: me

- name: Use the first site of the customer in the following tasks
  ansible.builtin.set_fact:
    daas_site_id: "{{ me.customers[0].sites[0].id }}"
'''

RETURN = r'''
administrator:
  description: The administrator the credentials sign in as.
  returned: success
  type: dict
  contains:
    user_id:
      description: ID of the administrator (the API client or on-premises user).
      type: str
    display_name:
      description: Display name (the API client ID for Citrix Cloud, the user for on-premises sites).
      type: str
    verified_email:
      description: Verified e-mail address, when there is one.
      type: str
    expiry_time:
      description: When the sign-in expires, as the API reports it.
      type: str
  sample: {user_id: 0f9e3c2a-5b7d-5e1f-8a9b-4c3d2e1f0a9b, display_name: automation-client, verified_email: null,
           expiry_time: '2:01:04 PM'}
csp_customer:
  description: Whether the customer is a Citrix Service Provider customer (partner or tenant).
  returned: success
  type: bool
customers:
  description: The customers the administrator may work on, with their sites.
  returned: success
  type: list
  elements: dict
  contains:
    id:
      description: Customer ID (V(CitrixOnPremises) for an on-premises site).
      type: str
    name:
      description: Customer name, when the API gives one.
      type: str
    sites:
      description: Sites of the customer, each with C(id) and C(name) (use them as O(site_id) or O(site_name)).
      type: list
      elements: dict
  sample:
    - id: acme1234
      name: null
      sites: [{id: 22ded57c-0306-47e4-b6e8-fed6252759e1, name: cloudxdsite}]
'''

from ansible_collections.opencitrix.automation.plugins.module_utils.daas.argspec import daas_argument_spec
from ansible_collections.opencitrix.automation.plugins.module_utils.daas.client import DaasClient
from ansible_collections.opencitrix.automation.plugins.module_utils.module import CitrixModule


def main():
    module = CitrixModule({}, connection_spec=daas_argument_spec())
    with module.handle_errors():
        me = DaasClient.from_params(module.params, redactor=module.redactor, log=module.debug_log).me()
    module.exit_json(
        changed=False, csp_customer=me.get('IsCspCustomer'),
        administrator={'user_id': me.get('UserId'), 'display_name': me.get('DisplayName'),
                       'verified_email': me.get('VerifiedEmail'), 'expiry_time': me.get('ExpiryTime')},
        customers=[{'id': c.get('Id'), 'name': c.get('Name'),
                    'sites': [{'id': s.get('Id'), 'name': s.get('Name')} for s in c.get('Sites') or []]}
                   for c in me.get('Customers') or []])


if __name__ == '__main__':
    main()
