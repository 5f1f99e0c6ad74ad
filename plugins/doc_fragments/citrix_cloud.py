# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    """Citrix Cloud sign-in options. ``DOCUMENTATION`` is for modules (environment fallbacks stated in
    the text, implemented with env_fallback); ``PLUGIN`` is for inventory plugins (with ``env:``)."""

    DOCUMENTATION = r'''
options:
  client_id:
    description:
      - ID of the Citrix Cloud API client (Identity and Access Management > API Access).
      - If not set, the value of the E(CITRIX_CLIENT_ID) environment variable is used.
    type: str
    required: true
  client_secret:
    description:
      - Secret of the Citrix Cloud API client.
      - If not set, the value of the E(CITRIX_CLIENT_SECRET) environment variable is used.
      - Never logged; tokens obtained with it are masked in all output as well.
    type: str
    required: true
  customer_id:
    description:
      - Citrix Cloud customer ID (shown in the API Access page of the Citrix Cloud console).
      - If not set, the value of the E(CITRIX_CUSTOMER_ID) environment variable is used.
    type: str
    required: true
  region:
    description:
      - Region of the Citrix Cloud account; selects the API gateway and the Citrix Workspaces hosts
        (core, registry, notifications). V(global) C(api.cloud.com) (the gateway Citrix's own Terraform
        provider uses for every call), V(us) C(api-us.cloud.com), V(eu) C(api-eu.cloud.com) and V(ap-s)
        C(api-ap-s.cloud.com) with the Workspaces hosts C({service}.citrixworkspacesapi.net); V(jp)
        C(api.citrixcloud.jp) with C({service}.citrixworkspacesapi.jp).
      - US Government tenants are not covered by a region; set O(api_url) and O(workspaces_api_url).
      - If not set, the value of the E(CITRIX_CLOUD_REGION) environment variable is used.
    type: str
    default: us
    choices: [ap-s, eu, global, jp, us]
  api_url:
    description:
      - Base URL of the Citrix Cloud API gateway (token, resource locations, DaaS), overriding the one
        chosen by O(region). Used for private gateways and for tests.
      - If not set, the value of the E(CITRIX_CLOUD_API_URL) environment variable is used.
    type: str
  workspaces_api_url:
    description:
      - URL template of the Citrix Workspaces platform hosts (core, registry, notifications), with a
        C({service}) placeholder, overriding the one chosen by O(region), for example
        C(https://{service}.citrixworkspacesapi.net).
      - If not set, the value of the E(CITRIX_WORKSPACES_API_URL) environment variable is used.
    type: str
  token_cache:
    description:
      - Keep the bearer token in memory and in a file readable only by the current user
        (C($XDG_CACHE_HOME/opencitrix) or C(~/.cache/opencitrix)), so that all tasks of a run share
        one token until a minute before it expires.
      - The file name is derived from the API host, the client ID and a hash of the secret; the
        secret itself is never written.
      - If not set, the value of the E(CITRIX_TOKEN_CACHE) environment variable is used.
    type: bool
    default: true
  validate_certs:
    description:
      - Verify the TLS certificates of the Citrix Cloud hosts. Set to V(false) only for a lab.
      - If not set, the value of the E(CITRIX_VALIDATE_CERTS) environment variable is used.
    type: bool
    default: true
  ca_path:
    description:
      - PEM file of certificate authorities to trust instead of the system store (for example a
        TLS-inspecting proxy's CA).
      - If not set, the value of the E(CITRIX_CA_PATH) environment variable is used.
    type: path
notes:
  - Proxies are taken from the standard E(HTTPS_PROXY), E(HTTP_PROXY) and E(NO_PROXY) environment variables.
  - The environment variables have no C(ANSIBLE_) prefix, so that an AWX / Automation Platform
    credential can inject them.
'''

    PLUGIN = r'''
options:
  client_id:
    description: ID of the Citrix Cloud API client.
    type: str
    required: true
    env:
      - name: CITRIX_CLIENT_ID
  client_secret:
    description:
      - Secret of the Citrix Cloud API client. Prefer the environment variable (for example from an
        AWX credential) to writing it into the inventory file.
    type: str
    required: true
    env:
      - name: CITRIX_CLIENT_SECRET
  customer_id:
    description: Citrix Cloud customer ID.
    type: str
    required: true
    env:
      - name: CITRIX_CUSTOMER_ID
  region:
    description:
      - Region of the Citrix Cloud account; selects the API gateway and the Citrix Workspaces hosts
        (V(jp) the C(.jp) ones, V(global) the gateway C(api.cloud.com)).
    type: str
    default: us
    choices: [ap-s, eu, global, jp, us]
    env:
      - name: CITRIX_CLOUD_REGION
  api_url:
    description: Base URL of the Citrix Cloud API gateway, overriding the one chosen by O(region).
    type: str
    env:
      - name: CITRIX_CLOUD_API_URL
  workspaces_api_url:
    description: URL template of the Citrix Workspaces platform hosts, with a C({service}) placeholder.
    type: str
    env:
      - name: CITRIX_WORKSPACES_API_URL
  token_cache:
    description: Share the bearer token between runs through a per-user cache file (see the modules' documentation).
    type: bool
    default: true
    env:
      - name: CITRIX_TOKEN_CACHE
  validate_certs:
    description: Verify the TLS certificates of the Citrix Cloud hosts.
    type: bool
    default: true
    env:
      - name: CITRIX_VALIDATE_CERTS
  ca_path:
    description: PEM file of certificate authorities to trust instead of the system store.
    type: path
    env:
      - name: CITRIX_CA_PATH
'''
