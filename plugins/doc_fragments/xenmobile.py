# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    """XenMobile Server / Citrix Endpoint Management connection options (modules: environment
    fallbacks stated in the text, implemented with env_fallback)."""

    DOCUMENTATION = r'''
options:
  url:
    description:
      - Base URL of the XenMobile server or Endpoint Management service, for example
        C(https://xms.example.com:4443). A bare host name gets C(https://) and the API port C(4443).
      - If not set, the value of the E(XENMOBILE_URL) environment variable is used.
    type: str
    required: true
  username:
    description:
      - Local XenMobile user to sign in as (O(login_type=password)). Citrix Cloud administrator
        accounts cannot sign in with a password; create a local user whose role has the
        C(Public API access) permission plus the permissions the module lists under notes.
      - If not set, the value of the E(XENMOBILE_USER) environment variable is used.
    type: str
  password:
    description:
      - Password of O(username). Never logged; the C(auth_token) obtained with it is masked in all output.
      - If not set, the value of the E(XENMOBILE_PASSWORD) environment variable is used.
    type: str
  login_type:
    description:
      - V(password) signs in with O(username) and O(password) (C(POST /xenmobile/api/v1/authentication/login)).
      - V(cloud) signs in to an Endpoint Management service hosted in Citrix Cloud with a Citrix Cloud
        bearer token (C(POST /xenmobile/api/v1/authentication/login/cloud)), obtained with the API client in
        O(cloud_client_id) and O(cloud_client_secret) and cached like the Citrix Cloud modules' tokens.
      - Either way, the session is signed out when the task ends, also when it fails.
      - If not set, the value of the E(XENMOBILE_LOGIN_TYPE) environment variable is used.
    type: str
    choices: [password, cloud]
    default: password
  cloud_client_id:
    description:
      - ID of the Citrix Cloud API client, for O(login_type=cloud).
      - If not set, the value of the E(CITRIX_CLIENT_ID) environment variable is used.
    type: str
  cloud_client_secret:
    description:
      - Secret of the Citrix Cloud API client, for O(login_type=cloud). Never logged.
      - If not set, the value of the E(CITRIX_CLIENT_SECRET) environment variable is used.
    type: str
  cloud_region:
    description:
      - Citrix Cloud region of the API client, for O(login_type=cloud).
      - If not set, the value of the E(CITRIX_CLOUD_REGION) environment variable is used.
    type: str
    choices: [ap-s, eu, global, jp, us]
    default: us
  cloud_api_url:
    description:
      - Citrix Cloud API gateway URL overriding the one chosen by O(cloud_region), for O(login_type=cloud).
      - If not set, the value of the E(CITRIX_CLOUD_API_URL) environment variable is used.
    type: str
  validate_certs:
    description:
      - Verify the server's TLS certificate. Set to V(false) only for a lab.
      - If not set, the value of the E(XENMOBILE_VALIDATE_CERTS) environment variable is used.
    type: bool
    default: true
  ca_path:
    description:
      - PEM file of certificate authorities to trust instead of the system store (for example the
        internal CA that issued the XenMobile server's certificate).
      - If not set, the value of the E(XENMOBILE_CA_PATH) environment variable is used.
    type: path
notes:
  - The environment variables have no C(ANSIBLE_) prefix, so that an AWX / Automation Platform
    credential can inject them.
  - Proxies are taken from the standard E(HTTPS_PROXY), E(HTTP_PROXY) and E(NO_PROXY) environment variables.
  - The token lifetime is set on the server by the server properties C(xms.publicapi.timeout.type),
    C(xms.publicapi.static.timeout) and C(xms.publicapi.inactivity.timeout). A call refused with HTTP 401
    signs in again once and is repeated.
'''

    # Options of the modules that list devices (module_utils.xenmobile.devices.device_listing_spec).
    DEVICE_LISTING = r'''
options:
  api:
    description:
      - Which device filter endpoint to use. V(legacy) is C(POST /xenmobile/api/v1/device/filter), which
        every XenMobile version has and which documents no page size limit. V(endpoint_management) is
        C(POST /api/endpoint-management/devices/filter), which requires a page size of at most 100.
    type: str
    choices: [endpoint_management, legacy]
    default: legacy
  page_size:
    description:
      - Devices per request. Defaults to V(1000) for O(api=legacy) and V(100) (the maximum) for
        O(api=endpoint_management); larger values are refused before any request is sent.
      - The device count is asked for on the first page only, so N devices take N / O(page_size)
        requests, rounded up.
    type: int
  filter_ids:
    description:
      - Only devices matching these ids of the device filter tree, for example V(device.platform.ios),
        V(device.mode.mdm.managed), V(device.ownership.byod), V(device.inactive.time.30.days) or
        V(group#/group/Sales@_fn_@normal). The module sends them in the quoted-list string form the API expects.
    type: list
    elements: str
'''
