# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""API data is text, never a template: whoever can name a machine catalog or describe a VM must not be
able to run code on the controller through a play that reads the inventory.

``wrap_var`` exists on every supported ansible-core. Up to 2.18 it returns unsafe text
(``AnsibleUnsafeText``), which the templating engine never evaluates, and whatever a template computes from
it is unsafe too. On 2.19 it returns text without template trust, which 2.19 does not evaluate either.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.utils.unsafe_proxy import wrap_var


def untrusted(value):
    """``value`` with every text in it (dict keys and values, list items, at any depth) marked as data."""
    return wrap_var(value)


class UntrustedHosts:
    """Inventory plugin mixin (for plugins that are also ``Constructable``): hosts whose name and variables
    come from an API, whether read just now or from the inventory cache."""

    def _add_untrusted_host(self, name, variables, groups=()):
        """Add host ``name`` with ``variables`` to ``groups`` (existing group names), then apply the
        ``compose``, ``groups`` and ``keyed_groups`` options to it. Returns the name as added."""
        name = untrusted(name)
        variables = untrusted(variables)
        self.inventory.add_host(name)
        for key, value in variables.items():
            self.inventory.set_variable(name, key, value)
        for group in groups:
            self.inventory.add_child(group, name)
        strict = self.get_option('strict')
        self._set_composite_vars(self.get_option('compose'), variables, name, strict=strict)
        self._add_host_to_composed_groups(self.get_option('groups'), variables, name, strict=strict)
        self._add_host_to_keyed_groups(self.get_option('keyed_groups'), variables, name, strict=strict)
        return name
