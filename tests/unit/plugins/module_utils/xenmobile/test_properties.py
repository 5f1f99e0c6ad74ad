"""Server property plans (pure functions, no sockets)."""

import pytest

from ansible_collections.opencitrix.automation.plugins.module_utils import errors
from ansible_collections.opencitrix.automation.plugins.module_utils.xenmobile import properties


def prop(name, value, default=None, display=None, description=''):
    return {'id': 1, 'name': name, 'value': value, 'displayName': display or name, 'description': description,
            'defaultValue': value if default is None else default}


CURRENT = [prop('a', '1'), prop('b', '2', default='20'), prop('c', 'x', display='C', description='see')]


def test_plan_present_adds_edits_and_leaves_equal_ones():
    wanted = properties.wanted_properties({'a': 1, 'b': '3', 'c': {'value': 'x', 'description': 'see'},
                                           'new': {'value': True, 'display_name': 'New'}})
    changes = properties.plan_property_changes(CURRENT, wanted, 'present')
    assert [(c['name'], c['action']) for c in changes] == [('b', 'edit'), ('new', 'add')]
    assert changes[0]['after']['value'] == '3' and changes[0]['before']['value'] == '2'
    assert changes[1]['after'] == {'name': 'new', 'value': 'true', 'displayName': 'New', 'description': ''}


def test_plan_edits_display_name_and_description_alone():
    wanted = {'c': {'value': None, 'displayName': 'Sea', 'description': None}}
    (change,) = properties.plan_property_changes(CURRENT, wanted, 'present')
    assert change['action'] == 'edit' and change['after']['value'] == 'x' and change['after']['displayName'] == 'Sea'


def test_plan_absent_and_default():
    wanted = properties.wanted_properties({'a': None, 'b': None, 'gone': None})
    assert [c['name'] for c in properties.plan_property_changes(CURRENT, wanted, 'absent')] == ['a', 'b']
    defaults = properties.plan_property_changes(CURRENT, properties.wanted_properties({'a': None, 'b': None}), 'default')
    assert [(c['name'], c['after']['value']) for c in defaults] == [('b', '20')]


@pytest.mark.parametrize('state, wanted', [('default', {'nope': None}), ('present', {'nope': None})])
def test_plan_refuses_what_cannot_be_done(state, wanted):
    with pytest.raises(errors.InputError) as caught:
        properties.plan_property_changes(CURRENT, properties.wanted_properties(wanted), state)
    assert 'nope' in str(caught.value)


def test_wanted_properties_from_info_records_ignores_read_only_keys():
    info = [{'id': 4, 'name': 'a', 'value': '9', 'display_name': 'A', 'description': 'd', 'default_value': '1'}]
    assert properties.wanted_properties(info) == {'a': {'value': '9', 'displayName': 'A', 'description': 'd'}}


@pytest.mark.parametrize('bad', [[{'value': '1'}], [{'name': 'a', 'colour': 'red'}], 'text', {'a': {'valeu': 1}}])
def test_wanted_properties_rejects_malformed_input(bad):
    with pytest.raises(errors.InputError):
        properties.wanted_properties(bad)
