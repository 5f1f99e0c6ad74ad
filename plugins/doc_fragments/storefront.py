# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    """StoreFront connection options for modules (environment fallbacks stated in the text,
    implemented with env_fallback)."""

    DOCUMENTATION = r'''
options:
  store_url:
    description:
      - URL of the StoreFront store's Store Services, for example C(https://storefront.example.com/Citrix/Store).
      - Not the Receiver for Web site (C(.../Citrix/StoreWeb)), which is a different API.
      - If not set, the value of the E(STOREFRONT_URL) environment variable is used.
    type: str
    required: true
  username:
    description:
      - User to sign in as with the store's user name and password method (ExplicitForms), for example
        C(EXAMPLE\jdoe) or C(jdoe@example.com).
      - Needed unless O(token) is accepted or the store allows anonymous access.
      - If not set, the value of the E(STOREFRONT_USERNAME) environment variable is used.
    type: str
  password:
    description:
      - Password of O(username).
      - If not set, the value of the E(STOREFRONT_PASSWORD) environment variable is used.
      - Never logged; the tokens obtained with it are masked in all output as well.
    type: str
  domain:
    description:
      - Domain for logon forms that ask for it separately. By default the part of O(username) before a
        backslash is used.
      - If not set, the value of the E(STOREFRONT_DOMAIN) environment variable is used.
    type: str
  token:
    description:
      - A CitrixAuth token obtained elsewhere (the base64 value that follows C(CitrixAuth) in an
        C(Authorization) header), sent as is.
      - A service token for the store is used directly; a primary token is exchanged for one at the
        token service. When the token is refused and O(username) and O(password) are set, the module
        signs in instead.
      - If not set, the value of the E(STOREFRONT_TOKEN) environment variable is used.
    type: str
  token_cache:
    description:
      - Keep the store's service token in memory and in a file readable only by the current user
        (C($XDG_CACHE_HOME/opencitrix) or C(~/.cache/opencitrix)), so that the tasks and forks of a run sign
        in once while the token is valid (one hour by default on StoreFront).
      - The file name is derived from O(store_url), O(username) and a hash of O(password); the password
        itself is never written. Not used with O(token).
      - If not set, the value of the E(STOREFRONT_TOKEN_CACHE) environment variable is used.
    type: bool
    default: true
  validate_certs:
    description:
      - Verify the TLS certificate of the StoreFront server. Set to V(false) only for a lab.
      - If not set, the value of the E(STOREFRONT_VALIDATE_CERTS) environment variable is used.
    type: bool
    default: true
  ca_path:
    description:
      - PEM file of certificate authorities to trust instead of the system store (for example the
        enterprise CA that issued the StoreFront certificate).
      - If not set, the value of the E(STOREFRONT_CA_PATH) environment variable is used.
    type: path
notes:
  - >-
    Sign-in follows the CitrixAuth protocol - a C(401) challenge from the store, a request to the token
    service it names, the sign-in protocols (C(300 Multiple Choices)), the ExplicitForms (user name and
    password) conversation with its session cookie, then a service token sent as
    C(Authorization: CitrixAuth <token>). Other sign-in methods (smart card, pass-through, SAML) need a
    person; use O(token) for them.
  - Responses are XML, parsed with C(defusedxml) and C(xmltodict) only; documents that declare entities
    (XML bombs) or external entities are refused.
  - Proxies are taken from the standard E(HTTPS_PROXY), E(HTTP_PROXY) and E(NO_PROXY) environment variables.
  - The environment variables have no C(ANSIBLE_) prefix, so that an AWX / Automation Platform
    credential can inject them.
'''
