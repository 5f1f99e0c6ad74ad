"""DaaS machine tags and user assignments without sockets: the lists a machine should end with."""

import pytest

from ansible_collections.opencitrix.automation.plugins.module_utils.daas.assignments import desired_users
from ansible_collections.opencitrix.automation.plugins.module_utils.daas.catalogs import select
from ansible_collections.opencitrix.automation.plugins.module_utils.daas.tags import desired_tags, same_tags


@pytest.mark.parametrize('state,tags,expected', [
    ('present', ['ring1', 'New', 'new'], ['Ring1', 'GPU', 'New']),
    ('absent', ['RING1', 'Missing'], ['GPU']),
    ('exact', ['gpu', 'Fresh'], ['GPU', 'Fresh']),
    ('exact', [], []),
])
def test_desired_tags_keep_the_site_spelling_and_compare_case_insensitively(state, tags, expected):
    assert desired_tags(['Ring1', 'GPU'], tags, state) == expected


def test_same_tags_ignores_order_and_case():
    assert same_tags(['A', 'b'], ['B', 'a']) and not same_tags(['A'], ['A', 'B']) and same_tags([], None)


ALICE = {'Name': 'CORP\\alice', 'SamName': 'CORP\\alice', 'PrincipalName': 'alice@corp.example.com',
         'Sid': 'S-1-5-21-1-2-3-1001'}
BOB = {'Name': 'CORP\\bob', 'PrincipalName': 'bob@corp.example.com', 'Sid': 'S-1-5-21-1-2-3-1002'}


@pytest.mark.parametrize('state,users,expected', [
    ('present', ['ALICE@corp.example.com'], (['CORP\\alice', 'CORP\\bob'], False)),
    ('present', ['CORP\\carol', 'corp\\CAROL'], (['CORP\\alice', 'CORP\\bob', 'CORP\\carol'], True)),
    ('absent', ['S-1-5-21-1-2-3-1002'], (['CORP\\alice'], True)),
    ('absent', ['CORP\\carol'], (['CORP\\alice', 'CORP\\bob'], False)),
    ('exact', ['corp\\bob', 'alice@corp.example.com'], (['CORP\\alice', 'CORP\\bob'], False)),
    ('exact', ['CORP\\bob', 'CORP\\dave'], (['CORP\\bob', 'CORP\\dave'], True)),
    ('exact', [], ([], True)),
])
def test_desired_users_match_by_name_upn_or_sid(state, users, expected):
    assert desired_users([ALICE, BOB], users, state) == expected


def test_select_by_name_id_and_tag():
    objects = [{'Id': 'c1', 'Name': 'Win11-Pooled'}, {'Id': 'c2', 'Name': 'Finance'}, {'Id': 'c3', 'Name': 'Dev'}]
    tags_of = {'c2': ['Finance', 'Ring1'], 'c3': ['ring1']}
    assert [o['Id'] for o in select(objects, names=['win11-pooled', 'C3'])] == ['c1', 'c3']
    assert [o['Id'] for o in select(objects, tags=['RING1'], tags_of=tags_of)] == ['c2', 'c3']
    assert [o['Id'] for o in select(objects, names=['Dev'], tags=['Finance'], tags_of=tags_of)] == []
    assert select(objects) == objects
