# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
name: eda_event
short_description: The Event-Driven Ansible event of a playbook run, as data that is never templated
version_added: 0.1.0
description:
  - Returns the event that ansible-rulebook passed to the playbook (C(ansible_eda.event)), or some of its keys,
    with every text in it marked as data, so that no template is ever evaluated from it.
  - ansible-rulebook gives the event to ansible-playbook in an extra vars file, and Ansible treats extra vars as
    playbook content. Read directly, C(ansible_eda) is templated - with ansible-core 2.16 to 2.18 every text of the
    event as soon as any part of it is read, with 2.19 each text that is read - so a VM name or a machine catalog
    holding C({{ lookup('pipe', ...) }}) runs a command on the controller. This lookup reads C(ansible_eda) without
    templating it.
author:
  - opencitrix maintainers (@opencitrix)
options:
  _terms:
    description:
      - Keys of the event to return, for example V(xenserver) for the events of the
        C(opencitrix.automation.xenserver_events) source or V(citrix_daas) for those of
        C(opencitrix.automation.citrix_daas_machines). The whole event when none is given.
    type: list
    elements: str
    required: false
notes:
  - Text read through this lookup stays data when it is stored with C(ansible.builtin.set_fact) or in a registered
    result. Text taken from C(ansible_eda) in any other way does not.
'''

EXAMPLES = r'''
- name: Start a XenServer VM that halted
  hosts: localhost
  gather_facts: false
  vars:
    halted_vm: "{{ lookup('opencitrix.automation.eda_event', 'xenserver') }}"
  tasks:
    - name: Start the VM
      opencitrix.automation.xenserver_vm:
        uuid: "{{ halted_vm.uuid }}"
        state: running

    - name: The whole event
      ansible.builtin.debug:
        msg: "{{ lookup('opencitrix.automation.eda_event') }}"
'''

RETURN = r'''
_raw:
  description: The event, or the value of each key asked for, in order.
  type: list
  elements: raw
'''

from collections.abc import Mapping

from ansible.errors import AnsibleLookupError
from ansible.plugins.lookup import LookupBase

from ansible_collections.opencitrix.automation.plugins.plugin_utils.untrusted import untrusted


class LookupModule(LookupBase):

    def run(self, terms, variables=None, **kwargs):
        eda = (variables or {}).get('ansible_eda')
        event = eda.get('event') if isinstance(eda, Mapping) else None
        if not isinstance(event, Mapping):
            raise AnsibleLookupError('No Event-Driven Ansible event: run the playbook from a rulebook, '
                                     'or pass ansible_eda.event as extra vars')
        if not terms:
            return [untrusted(event)]
        missing = [str(term) for term in terms if term not in event]
        if missing:
            raise AnsibleLookupError('The event has no %s; it has %s' % (
                ', '.join(missing), ', '.join(sorted(str(key) for key in event)) or 'no keys'))
        return [untrusted(event[term]) for term in terms]
