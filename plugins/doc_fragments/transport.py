# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    """Timeouts, retries and the plain-HTTP opt-in shared by every HTTP-based module and plugin."""

    DOCUMENTATION = r'''
options:
  connect_timeout:
    description: Seconds to wait for a connection to be established.
    type: float
    default: 10.0
  read_timeout:
    description: Seconds to wait for an answer once a request is sent.
    type: float
    default: 60.0
  retries:
    description:
      - How many times to retry a request that failed in a way worth retrying, with jittered
        exponential backoff. A C(Retry-After) header sets the delay instead (capped at 120 seconds).
      - Reads are retried on connection errors, read timeouts, HTTP 429, 502, 503 and 504. Requests
        that change something are retried only when the server provably did not process them
        (connection refused, HTTP 429, or 503 with C(Retry-After)).
    type: int
    default: 5
  allow_plain_http:
    description:
      - Allow C(http://) URLs. Credentials would cross the network unencrypted, so this is refused
        unless set to V(true) (for example in an isolated lab).
      - Whatever this says, a redirect is followed only to the same scheme, host and port as the request it
        answers; a redirect to plain HTTP or to another host fails, and nothing is sent there.
    type: bool
    default: false
'''
