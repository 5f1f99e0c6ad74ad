# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    """The blast-radius options of the modules that act on many objects at once (``targets.py``)."""

    DOCUMENTATION = r'''
options:
  all_targets:
    description:
      - Act on every object of the site or pool this module works on (every machine or every session of the
        Citrix DaaS site, every running VM of the XenServer pool) instead of the objects the target options name.
      - This is the only way to act on a whole site or pool. Without a target option and without
        O(all_targets=true), the task fails before sending any request. With a target option as well, it fails
        too, because the two contradict.
      - A target option given with an empty value (V(""), blanks, V([]), or a list with an empty entry) fails the
        task before any request, whatever this option says. An empty variable in a playbook never widens a task
        to the whole site.
    type: bool
    default: false
  max_targets:
    description:
      - Fail, before anything is changed, when the task would change more objects than this.
      - The count is the number of objects the task would act on, which is what check mode reports as changing.
        These are the objects the targets select, after the module's filters (such as C(only_idle)), minus those
        already in the requested state and those skipped. So a second run of a task that did its work counts 0.
      - The reads that resolve the targets are sent, so the count is exact. No write is sent when the count is
        over the limit, and the message names the first objects that would have changed.
      - Must be 1 or more. Not set means no limit.
    type: int
'''
