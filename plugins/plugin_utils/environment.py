# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Environment handling shared by the inventory plugins."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os


class BlankEnvironmentIsUnset:
    """Inventory plugin mixin: an empty environment variable counts as unset, as it does for the modules
    (``argspec.env_fallback``).

    AWX injects ``""`` for every credential field nobody filled in. Ansible's configuration would take
    that ``""`` as a value: a choice that is not among the choices, ``False`` for a boolean (TLS
    verification off) or the working directory for a path. So while the options are read, blank
    variables named by this plugin's options are out of the environment; they are put back afterwards.
    """

    def set_options(self, task_keys=None, var_options=None, direct=None):
        blank = {}
        for definition in self.option_definitions.values():
            for entry in definition.get('env') or []:
                name = entry.get('name')
                value = os.environ.get(name)
                if value is not None and not value.strip():
                    blank[name] = value
        for name in blank:
            del os.environ[name]
        try:
            super(BlankEnvironmentIsUnset, self).set_options(task_keys=task_keys, var_options=var_options, direct=direct)
        finally:
            os.environ.update(blank)
