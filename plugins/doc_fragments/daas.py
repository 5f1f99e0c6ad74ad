# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    """Citrix DaaS options. List this fragment before C(opencitrix.automation.citrix_cloud): its
    C(customer_id) entry (not required, since on-premises sites have none) takes precedence.
    ``DOCUMENTATION`` is for modules, ``PLUGIN`` (with ``env:``) for inventory plugins,
    ``MACHINE_TARGETS`` / ``MACHINE_FILTERS`` describe how modules choose machines, ``BATCH`` how fleet
    modules send their changes, and ``SITE_ACTIVATION`` is the opt-in of stateful modules to wake a
    hibernated site."""

    DOCUMENTATION = r'''
options:
  customer_id:
    description:
      - Citrix Cloud customer ID (shown in the API Access page of the Citrix Cloud console). Required for
        Citrix DaaS in Citrix Cloud; not used with O(ddc_url), where the customer is always C(CitrixOnPremises).
      - If not set, the value of the E(CITRIX_CUSTOMER_ID) environment variable is used.
    type: str
    required: false
  site_id:
    description:
      - ID of the site to manage. When set, no site discovery request is sent.
      - When neither O(site_id) nor O(site_name) is set, the site is discovered with C(GET /me); a customer
        with several sites must name one.
      - If not set, the value of the E(CITRIX_DAAS_SITE_ID) environment variable is used.
    type: str
  site_name:
    description:
      - Name of the site to manage (case-insensitive), looked up with C(GET /me). Ignored when O(site_id) is set.
      - If not set, the value of the E(CITRIX_DAAS_SITE_NAME) environment variable is used.
    type: str
  ddc_url:
    description:
      - URL of a Delivery Controller, for example C(https://ddc01.example.com), to manage an on-premises
        Citrix Virtual Apps and Desktops site (2311 or later) through its Orchestration API
        (C(/citrix/orchestration/api)) instead of Citrix DaaS in Citrix Cloud.
      - When set, O(client_id) is the user name of a site administrator (C(DOMAIN\\user)) and
        O(client_secret) its password; they are exchanged for a token with HTTP Basic authentication,
        and the token is cached like Citrix Cloud tokens (see O(token_cache)).
      - Without it, requests go to Citrix DaaS at C({api_url}/cvad/manage) (the regional API host unless
        O(api_url) is set) with the C(Citrix-CustomerId) and C(Citrix-InstanceId) headers.
      - If not set, the value of the E(CITRIX_DDC_URL) environment variable is used.
    type: str
'''

    PLUGIN = r'''
options:
  customer_id:
    description:
      - Citrix Cloud customer ID. Required for Citrix DaaS in Citrix Cloud; not used with O(ddc_url).
    type: str
    required: false
    env:
      - name: CITRIX_CUSTOMER_ID
  ddc_url:
    description:
      - URL of a Delivery Controller, to read an on-premises Citrix Virtual Apps and Desktops site (2311 or
        later) through its Orchestration API instead of Citrix DaaS in Citrix Cloud. O(client_id) is then a
        site administrator (C(DOMAIN\\user)) and O(client_secret) its password.
    type: str
    env:
      - name: CITRIX_DDC_URL
'''

    MACHINE_TARGETS = r'''
options:
  name:
    description:
      - One machine, by name as the site shows it (C(DOMAIN\\NAME)) or by ID. Combines with O(names) and
        O(machine_ids).
    type: str
  names:
    description:
      - Machines by name (C(DOMAIN\\NAME), or C(NAME) alone when it is unique in the site).
      - With O(catalog) or O(delivery_group), names must belong to that catalog or group.
      - A name that matches no machine fails the task before anything is changed.
    type: list
    elements: str
  machine_ids:
    description: Machines by ID.
    type: list
    elements: str
  catalog:
    description:
      - Every machine of this machine catalog (name or ID), read with one request per 1000 machines.
      - With O(names) or O(machine_ids), only those machines of the catalog.
    type: str
  delivery_group:
    description:
      - Every machine of this delivery group (name or ID). With O(catalog), the machines of the catalog
        that belong to this group.
    type: str
  tag:
    description:
      - Every machine with this tag (name or ID), read with C(GET /Tags/{tag}/Machines). With O(catalog) or
        O(delivery_group), the machines of that catalog or group that carry the tag.
    type: str
'''

    MACHINE_FILTERS = r'''
options:
  only_idle:
    description:
      - Only machines without sessions (C(SessionCount) of 0). A machine whose session count is unknown
        is not idle.
    type: bool
    default: false
  skip_maintenance_mode:
    description: Leave out machines in maintenance mode.
    type: bool
    default: false
  registration_state:
    description: Only machines in one of these registration states.
    type: list
    elements: str
    choices: [AgentError, Initializing, Registered, Unknown, Unregistered]
'''

    SITE_ACTIVATION = r'''
options:
  activate_site:
    description:
      - A hibernated Citrix DaaS site answers every request with HTTP 530. With V(true), the task activates it
        (C(POST {api_url}/resourceprovider/{customer_id}/site/activation)), waits until it answers C(GET /me)
        again (up to O(activate_site_timeout) seconds), and carries on.
      - With V(false), and always in check mode, a hibernated site fails the task with one line saying so and
        how to wake it. Info modules and the inventory plugin never activate a site.
      - On-premises sites (O(ddc_url)) do not hibernate.
    type: bool
    default: false
  activate_site_timeout:
    description: Seconds to wait for an activated site to answer.
    type: int
    default: 1200
'''

    BATCH = r'''
options:
  batch:
    description:
      - Send the changes through the API's C($batch) call, up to O(batch_size) of them in one HTTP request, and read
        every change's outcome through the batch's job (C(GET /Jobs/{id}/Results)), instead of sending one request
        per object. Up to 4 batches are in flight at once.
      - V(false) sends one request per object, O(concurrency) at a time. A site that answers C($batch) with HTTP 404
        or 405 (an older on-premises site) gets the same, with one warning.
      - A batch request is never sent twice. When its answer, its job or its results are lost, the task waits until
        no batch job of the caller is running, reads the objects, and sends again only the changes that left no
        trace on them (such as a pending power action, or the state asked for), so no object is changed twice.
    type: bool
    default: true
  batch_size:
    description:
      - Changes per C($batch) request, from 1 to 1000.
    type: int
    default: 250
'''
