"""The eda_event lookup in-process: what it returns and its one-line errors (that the text it returns is never
templated is proven with real ansible-playbook runs in tests/integration/test_core_matrix.py)."""

import pytest
from ansible.errors import AnsibleLookupError

from ansible_collections.opencitrix.automation.plugins.lookup.eda_event import LookupModule

PAYLOAD = "{{ lookup('pipe', 'id') }}"
EVENT = {'xenserver': {'uuid': 'u-1', 'name': PAYLOAD, 'record': {'tags': [PAYLOAD], 'other_config': {PAYLOAD: PAYLOAD}}},
         'meta': {'source': {'name': 'pool'}}}


def run(terms, variables):
    return LookupModule().run(terms, variables=variables)


def test_returns_the_event_or_its_keys_unchanged():
    variables = {'ansible_eda': {'event': EVENT}}
    assert run([], variables) == [EVENT]
    assert run(['xenserver', 'meta'], variables) == [EVENT['xenserver'], EVENT['meta']]


@pytest.mark.parametrize('variables, message', [
    ({}, 'No Event-Driven Ansible event'),
    ({'ansible_eda': {'ruleset': 'r'}}, 'No Event-Driven Ansible event'),
    ({'ansible_eda': 'text'}, 'No Event-Driven Ansible event'),
    ({'ansible_eda': {'event': {'meta': {}}}}, 'The event has no xenserver; it has meta'),
])
def test_a_missing_event_or_key_is_one_line(variables, message):
    with pytest.raises(AnsibleLookupError) as raised:
        run(['xenserver'], variables)
    assert str(raised.value).startswith(message) and '\n' not in str(raised.value)
