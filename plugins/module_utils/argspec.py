# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Argument specs shared by the modules of every product (documented in the ``transport`` doc fragment)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible.module_utils.errors import AnsibleFallbackNotFound


def env_fallback(*names):
    """Like Ansible's env_fallback, but an empty variable counts as unset: AWX injects ``""`` for an
    optional credential field nobody filled in, which must not become a value (``""`` is not a
    boolean, a URL or a path)."""
    for name in names:
        value = os.environ.get(name)
        if value is not None and value.strip() != '':
            return value
    raise AnsibleFallbackNotFound


def transport_argument_spec(env_prefix):
    """TLS options (with ``<PREFIX>_VALIDATE_CERTS`` / ``<PREFIX>_CA_PATH`` environment fallbacks, so an
    AWX credential can carry them), timeouts, retries, the response size limit (MiB) and the plain-HTTP
    opt-in."""
    return dict(
        validate_certs=dict(type='bool', default=True, fallback=(env_fallback, [env_prefix + '_VALIDATE_CERTS'])),
        ca_path=dict(type='path', fallback=(env_fallback, [env_prefix + '_CA_PATH'])),
        connect_timeout=dict(type='float', default=10.0),
        read_timeout=dict(type='float', default=60.0),
        retries=dict(type='int', default=5),
        allow_plain_http=dict(type='bool', default=False),
        max_response_size=dict(type='int'),
    )
