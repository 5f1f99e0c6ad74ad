"""DaaS sessions without sockets: which sessions a task names."""

import pytest

from ansible_collections.opencitrix.automation.plugins.module_utils import errors
from ansible_collections.opencitrix.automation.plugins.module_utils.daas.sessions import Sessions


def test_find_sessions_lists_every_session_only_when_all_targets_says_so():
    class Listed(Sessions):
        listed = 0

        def __init__(self):
            super(Listed, self).__init__(client=None)

        def list(self, fields=None):
            Listed.listed += 1
            return iter([{'Id': 's1', 'State': 'Active'}])

    for targets in (dict(), dict(machines=[]), dict(session_ids=[]), dict(users=['']), dict(machines=[''])):
        with pytest.raises(errors.InputError):
            Listed().find(**targets)
    assert Listed.listed == 0
    assert Listed().find(all_targets=True) == ([{'Id': 's1', 'State': 'Active'}], [])
