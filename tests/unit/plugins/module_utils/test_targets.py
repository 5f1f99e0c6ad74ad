"""The blast-radius guards of the fleet modules, without sockets."""

import pytest

from ansible_collections.opencitrix.automation.plugins.module_utils import errors
from ansible_collections.opencitrix.automation.plugins.module_utils.targets import (
    check_max_targets, check_targets, emptiness, require_named,
)

MACHINE_TARGETS = ('name', 'names', 'machine_ids', 'catalog', 'delivery_group')


def params(**given):
    values = dict.fromkeys(MACHINE_TARGETS)
    values.update(all_targets=False, max_targets=None)
    values.update(given)
    return values


@pytest.mark.parametrize('given, message', [
    ({'name': ''}, 'name is empty'),
    ({'catalog': '   '}, 'catalog is empty'),
    ({'names': []}, 'names is an empty list'),
    ({'machine_ids': []}, 'machine_ids is an empty list'),
    ({'names': ['CORP\\PC-1', '']}, 'names contains an empty entry'),
    ({'names': [' \t']}, 'names contains an empty entry'),
    ({'names': [None]}, 'names contains an empty entry'),
    # An empty option is refused even beside a real target, and even with all_targets.
    ({'catalog': 'Win11', 'delivery_group': ''}, 'delivery_group is empty'),
    ({'name': '', 'all_targets': True}, 'name is empty'),
])
def test_an_empty_target_is_refused_naming_the_option(given, message):
    with pytest.raises(errors.InputError) as caught:
        check_targets(params(**given), MACHINE_TARGETS)
    assert str(caught.value) == (message + '; refusing to act: an empty target never means every machine '
                                 '(set all_targets: true to act on the whole site)')


def test_no_target_needs_all_targets_and_the_two_contradict():
    with pytest.raises(errors.InputError) as caught:
        check_targets(params(), MACHINE_TARGETS)
    assert str(caught.value) == ('No machine named; set name, names, machine_ids, catalog or delivery_group, or '
                                 'all_targets: true to act on every machine of the site')
    assert check_targets(params(all_targets=True), MACHINE_TARGETS) == []
    with pytest.raises(errors.InputError) as caught:
        check_targets(params(all_targets=True, catalog='Win11', names=['PC-1']), MACHINE_TARGETS)
    assert str(caught.value).startswith('all_targets: true contradicts names, catalog;')
    with pytest.raises(errors.InputError) as caught:
        check_targets({'vms': None, 'all_targets': False}, ('vms',), noun='VM', scope='pool')
    assert str(caught.value) == 'No VM named; set vms, or all_targets: true to act on every VM of the pool'


def test_targets_given_are_returned_and_max_targets_must_be_positive():
    assert check_targets(params(catalog='Win11', names=['PC-1'], max_targets=1), MACHINE_TARGETS) == ['names', 'catalog']
    for bad in (0, -3):
        with pytest.raises(errors.InputError) as caught:
            check_targets(params(catalog='Win11', max_targets=bad), MACHINE_TARGETS)
        assert str(caught.value).startswith('max_targets must be at least 1, got %d' % bad)


def test_emptiness():
    assert emptiness('x') is None and emptiness(['x', 'y']) is None
    assert emptiness('') == 'is empty' and emptiness([]) == 'is an empty list'
    assert emptiness(('a', '')) == 'contains an empty entry'


def test_clients_refuse_empty_or_missing_targets_unless_all_were_asked_for():
    assert require_named(['a', None], all_targets=False) == ['a']
    assert require_named([None, None], all_targets=True) == []
    with pytest.raises(errors.InputError, match='^No session named; refusing to act on every session of the site'):
        require_named([], all_targets=False, noun='session')
    for values in ([''], ['a', ' ']):
        with pytest.raises(errors.InputError, match='^An empty machine target was given; refusing to act'):
            require_named(values, all_targets=True)


def test_max_targets_names_the_first_objects_and_counts_the_rest():
    check_max_targets(['a', 'b'], None)
    check_max_targets(['a', 'b'], 2)
    check_max_targets([], 1)
    with pytest.raises(errors.InputError) as caught:
        check_max_targets(['m%d' % n for n in range(8)], 3)
    assert str(caught.value) == ('8 machines would change, more than max_targets (3): m0, m1, m2, m3, m4 and 3 more; '
                                 'nothing was changed; narrow the targets or raise max_targets')
    assert '\n' not in str(caught.value)
