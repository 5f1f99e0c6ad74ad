# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Traceable DaaS requests: each one carries a new ``Citrix-TransactionId`` (a GUID; the transport's retries
of the same request keep it), the server answers with the id it used, and every error names that id (or,
when no answer came, the one sent), as Citrix support traces a request by it."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import uuid

from ansible_collections.opencitrix.automation.plugins.module_utils import errors

TRANSACTION_HEADER = 'Citrix-TransactionId'


def transaction_id(response):
    """The transaction id a DaaS answer carries (None without one)."""
    return response.headers.get(TRANSACTION_HEADER) if response is not None else None


def send(http, method, url, what, headers, **kwargs):
    """One DaaS request through ``http`` (an HttpClient, or a session with the same ``request``); the
    ``requests.Response``."""
    sent = str(uuid.uuid4())
    try:
        return http.request(method, url, headers=dict(headers or {}, **{TRANSACTION_HEADER: sent}), what=what,
                            trace_header=TRANSACTION_HEADER, **kwargs)
    except errors.CitrixError as exc:  # an answer's own id (set by the transport) wins over the one sent
        raise exc.traced(sent)


def decode(http, response, what, check=None):
    """The JSON body of a DaaS answer, passed through ``check`` (a function raising ResponseFormatError for a
    body of the wrong shape) when given; such an error names the answer's transaction id."""
    try:
        body = http.decode_json(response, what)
        return check(body) if check else body
    except errors.CitrixError as exc:
        raise exc.traced(transaction_id(response))
