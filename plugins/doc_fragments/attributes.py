# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    """Attribute descriptions. Modules state their own C(support) for check_mode and diff_mode and
    add the action group fragment of their product."""

    DOCUMENTATION = r'''
attributes:
  check_mode:
    description: Can run in check mode and report what it would change without changing anything.
  diff_mode:
    description: Reports before and after values in diff mode.
  platform:
    description: Runs on the controller (or an execution environment) and talks to the API over the network.
    support: full
    platforms: [citrix]
'''

    INFO_MODULE = r'''
attributes:
  check_mode:
    support: full
    details: This module only reads.
  diff_mode:
    support: N/A
    details: This module never changes anything.
'''

    CITRIX_CLOUD = r'''
attributes:
  action_group:
    description: Use C(group/opencitrix.automation.citrix_cloud) in C(module_defaults) to set the connection options once.
    support: full
    membership:
      - opencitrix.automation.citrix_cloud
'''

    DAAS = r'''
attributes:
  action_group:
    description: Use C(group/opencitrix.automation.daas) in C(module_defaults) to set the connection options once.
    support: full
    membership:
      - opencitrix.automation.daas
'''

    XENMOBILE = r'''
attributes:
  action_group:
    description: Use C(group/opencitrix.automation.xenmobile) in C(module_defaults) to set the connection options once.
    support: full
    membership:
      - opencitrix.automation.xenmobile
'''

    STOREFRONT = r'''
attributes:
  action_group:
    description: Use C(group/opencitrix.automation.storefront) in C(module_defaults) to set the connection options once.
    support: full
    membership:
      - opencitrix.automation.storefront
'''

    XENSERVER = r'''
attributes:
  action_group:
    description: Use C(group/opencitrix.automation.xenserver) in C(module_defaults) to set the connection options once.
    support: full
    membership:
      - opencitrix.automation.xenserver
'''
