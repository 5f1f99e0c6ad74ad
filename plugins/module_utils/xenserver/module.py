# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What every XenServer module shares: the module with the connection options and the XenAPI
requirement, and a session built from its parameters (logged out when the ``with`` block ends)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.opencitrix.automation.plugins.module_utils.module import CitrixModule
from ansible_collections.opencitrix.automation.plugins.module_utils.xenserver.session import (
    HAS_XENAPI, XenServerSession, xenserver_argument_spec,
)


def xenserver_module(argument_spec, **kwargs):
    return CitrixModule(argument_spec, connection_spec=xenserver_argument_spec(), libraries=(('XenAPI', HAS_XENAPI),),
                        **kwargs)


def xenserver_session(module):
    return XenServerSession.from_params(module.params, redactor=module.redactor, log=module.debug_log)
