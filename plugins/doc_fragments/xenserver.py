# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    """XenServer (XenAPI) connection options. ``DOCUMENTATION`` is for modules (environment fallbacks
    stated in the text, implemented with env_fallback); ``PLUGIN`` is for inventory plugins (with ``env:``)."""

    DOCUMENTATION = r'''
options:
  hostname:
    description:
      - The XenServer host to connect to, as C(host), C(host:port) or C(https://host[:port]). Any host
        of a pool works; a pool member's C(HOST_IS_SLAVE) answer is followed to the pool master.
      - C(http://) URLs need O(allow_plain_http=true).
      - V(unix:/var/lib/xcp/xapi) uses the local socket when the task runs on the XenServer host itself
        (the password is then not needed).
      - If not set, the value of the E(XENSERVER_HOST) environment variable is used.
    type: str
    required: true
  username:
    description:
      - User name to log in with.
      - If not set, the value of the E(XENSERVER_USER) environment variable is used.
    type: str
    default: root
    aliases: [user]
  password:
    description:
      - Password of O(username).
      - If not set, the value of the E(XENSERVER_PASSWORD) environment variable is used.
      - Never logged; session references obtained with it are masked in all output as well.
    type: str
    aliases: [pass]
  validate_certs:
    description:
      - Verify the TLS certificate of the XenServer host. Set to V(false) only for a lab.
      - If not set, the value of the E(XENSERVER_VALIDATE_CERTS) environment variable is used.
    type: bool
    default: true
  ca_path:
    description:
      - PEM file of certificate authorities to trust instead of the system store (for example the
        pool's own CA).
      - If not set, the value of the E(XENSERVER_CA_PATH) environment variable is used.
    type: path
notes:
  - Uses the official C(XenAPI) Python package over XML-RPC. Every session is logged out at the end of
    the task, also after a failure, because pools limit the number of sessions per user.
  - A session the server invalidates (C(SESSION_INVALID)) is renewed by logging in again.
  - The environment variables have no C(ANSIBLE_) prefix, so that an AWX / Automation Platform
    credential can inject them.
  - O(connect_timeout) bounds establishing a connection and O(read_timeout) each answer;
    O(retries) applies to reads only (a call that changes something is repeated only when the
    connection was refused).
'''

    PLUGIN = r'''
options:
  hostname:
    description:
      - The XenServer host to connect to, as C(host), C(host:port) or C(https://host[:port]). Any pool
        member works; the pool master it names is used.
      - Required unless every pool is listed in O(pools).
    type: str
    env:
      - name: XENSERVER_HOST
  username:
    description: User name to log in with.
    type: str
    default: root
    env:
      - name: XENSERVER_USER
  password:
    description:
      - Password of O(username). Prefer the environment variable (for example from an AWX credential)
        to writing it into the inventory file.
    type: str
    env:
      - name: XENSERVER_PASSWORD
  validate_certs:
    description: Verify the TLS certificate of the XenServer host.
    type: bool
    default: true
    env:
      - name: XENSERVER_VALIDATE_CERTS
  ca_path:
    description: PEM file of certificate authorities to trust instead of the system store.
    type: path
    env:
      - name: XENSERVER_CA_PATH
  connect_timeout:
    description: Seconds to wait for a connection to be established.
    type: float
    default: 10.0
  read_timeout:
    description: Seconds to wait for each answer.
    type: float
    default: 60.0
  retries:
    description: How many times to retry a read that failed on a connection error or HTTP 502, 503 or 504.
    type: int
    default: 5
  max_response_size:
    description:
      - Largest answer, in MiB, that is read from the pool (counted after decompression); a larger one is
        refused as soon as it passes the limit. If not set, 128 MiB (the records of a large pool run to tens
        of MiB).
    type: int
  allow_plain_http:
    description: Allow C(http://) URLs (credentials would cross the network unencrypted).
    type: bool
    default: false
'''
