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
        O(cloud_client_id) and O(cloud_client_secret) and cached like the Citrix Cloud modules' tokens. Which
        kind of token is offered, and in which order, is set by O(cloud_token_kind).
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
  cloud_customer_id:
    description:
      - Citrix Cloud customer id, for O(login_type=cloud); the legacy trust token is requested for it.
      - If not set, the value of the E(CITRIX_CUSTOMER_ID) environment variable is used.
    type: str
  cloud_trust_url:
    description:
      - Base URL of the legacy Citrix Cloud trust API, for O(login_type=cloud). By default
        C(https://trust.citrixworkspacesapi.net) (C(https://trust.citrixworkspacesapi.jp) for O(cloud_region=jp)).
        A template with a C({service}) placeholder, such as the Citrix Cloud modules' E(CITRIX_WORKSPACES_API_URL),
        is accepted; C({service}) becomes C(trust).
      - If not set, the value of the E(CITRIX_TRUST_URL) environment variable is used, else that of
        E(CITRIX_WORKSPACES_API_URL).
    type: str
  cloud_token_kind:
    description:
      - Which Citrix Cloud token O(login_type=cloud) offers XenMobile as its C(bearerToken).
      - V(trust) is the C(token) of the legacy trust API (C(POST {trust}/{customerId}/tokens/clients) with the JSON
        body C({ClientId, ClientSecret})), which the XenMobile public REST API documents for this sign-in. It needs
        O(cloud_customer_id).
      - V(oauth2) is the C(access_token) of C(POST {api gateway}/cctrustoauth2/root/tokens/clients), the token the
        Citrix Cloud modules use. No public source shows whether XenMobile accepts it.
      - V(auto) tries V(trust) first (skipped, with the reason, when no customer id is set), then V(oauth2) when the
        first cannot be had or XenMobile refuses it. Within one task, a new sign-in starts with the kind that worked.
        When every kind fails, the task fails with one line naming each kind, its token URL and what went wrong.
      - If not set, the value of the E(XENMOBILE_CLOUD_TOKEN_KIND) environment variable is used.
    type: str
    choices: [auto, trust, oauth2]
    default: auto
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
      - Devices are de-duplicated by id across pages, and paging stops at an empty or short page (or once the
        count the first page gave has been read). So a server that reads C(start) as a 1-based position (the
        public REST API's own example starts page two at 101) neither repeats nor loses a device; it costs one
        request more.
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

    # The deployment schedule of the modules that create apps (module_utils.xenmobile.apps.deployment_spec).
    DEPLOYMENT = r'''
options:
  deployment:
    description:
      - Deployment schedule, used when the app is created. The keys match the C(schedule) that
        M(opencitrix.automation.xenmobile_app_info) returns, so a test server's schedule can be passed as is
        (dates and times it returns without leading zeros are padded).
    type: dict
    suboptions:
      enable_deployment:
        description: Deploy the app.
        type: bool
      deploy_schedule:
        description: Deploy now or later.
        type: str
        choices: [NOW, LATER]
      deploy_schedule_condition:
        description: Deploy every time or only where the previous deployment failed.
        type: str
        choices: [EVERYTIME, ONPREVIOUSFAILED]
      deploy_date:
        description: Date for V(LATER), as C(MM/DD/YYYY).
        type: str
      deploy_time:
        description: Time for V(LATER), as C(HH:MM) (24 hours).
        type: str
      deploy_in_background:
        description: Deploy in the background.
        type: bool
'''

    # Options shared by the modules of apps defined by URLs (module_utils.xenmobile.catalog.catalog_argument_spec).
    CATALOG_APP = r'''
options:
  name:
    description: Name of the app.
    type: str
    required: true
  state:
    description: V(present) adds or updates the app, V(absent) deletes it.
    type: str
    choices: [present, absent]
    default: present
  description:
    description:
      - Description. The API requires one for a web link; a web link added without it gets its name.
    type: str
  categories:
    description: Categories (compared as a set).
    type: list
    elements: str
  delivery_groups:
    description: Delivery groups (compared as a set).
    type: list
    elements: str
'''
