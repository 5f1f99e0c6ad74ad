"""Enterprise app decisions (pure functions, no sockets)."""

import pytest

from ansible_collections.opencitrix.automation.plugins.module_utils.xenmobile.apps import plan, platform_versions, upload_info, view


def test_platform_versions_skips_empty_platforms():
    assert platform_versions({'ios': {'appVersion': '1.0'}, 'android': None, 'windows': {}}) == {'ios': '1.0'}


CONTAINER = {'id': 12, 'name': 'Expenses', 'ios': {'appVersion': '2.0.0'}, 'android': None}


@pytest.mark.parametrize('container, state, platform, version, action', [
    (None, 'present', 'ios', '2.0.0', 'created'),
    (CONTAINER, 'present', 'android', '2.0.0', 'platform_added'),
    (CONTAINER, 'present', 'ios', '2.1.0', 'upgraded'),
    (CONTAINER, 'present', 'ios', '2.0.0', 'none'),
    (CONTAINER, 'present', 'ios', None, 'none'),  # without a version any package is up to date
    (CONTAINER, 'absent', None, None, 'deleted'),
    (None, 'absent', None, None, 'none'),
])
def test_plan(container, state, platform, version, action):
    assert plan(container, state, platform, version) == action


def test_view_and_upload_info():
    assert view(CONTAINER, 'x') == {'id': 12, 'name': 'Expenses', 'versions': {'ios': '2.0.0'}}
    assert upload_info('Expenses', categories=['Finance'], deployment={'deploy_schedule': 'NOW', 'deploy_date': None}) == {
        'name': 'Expenses', 'category': ['Finance'], 'deploymentSchedule': {'deploySchedule': 'NOW'}}
