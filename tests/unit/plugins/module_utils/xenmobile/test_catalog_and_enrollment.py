"""Web link and public store app decisions, enrollment requests (pure functions, no sockets)."""

from ansible_collections.opencitrix.automation.plugins.module_utils.xenmobile.apps import schedule_body, store_platforms
from ansible_collections.opencitrix.automation.plugins.module_utils.xenmobile.catalog import differences, request_body
from ansible_collections.opencitrix.automation.plugins.module_utils.xenmobile.enrollment import (
    platform_of, request_body as enrollment_body,
)

STORE = {'name': 'Teams', 'description': 'Chat', 'categories': ['A', 'B'], 'delivery_groups': ['AllUsers'],
         'platforms': [{'platform': 'iphone', 'store_url': 'https://itunes.apple.com/app/id1?mt=8&uo=4',
                        'display_name': 'Teams', 'remove_with_mdm': True}]}


def test_store_links_are_not_compared_and_lists_are_sets():
    desired = {'categories': ['B', 'A'], 'platforms': [{'platform': 'iphone',
                                                        'store_url': 'https://itunes.apple.com/app/id1?mt=8'}]}
    assert differences('store', STORE, desired) == []
    desired['platforms'].append({'platform': 'android', 'store_url': 'https://play.google.com/x'})
    desired['platforms'][0]['remove_with_mdm'] = False
    assert differences('store', STORE, desired) == ['platform:iphone', 'platform:android']


def test_an_update_sends_only_what_changes_and_never_a_kept_store_link_again():
    desired = {'description': 'Chat', 'delivery_groups': ['Sales'], 'platforms': [
        {'platform': 'iphone', 'store_url': 'https://itunes.apple.com/app/id1', 'remove_with_mdm': False},
        {'platform': 'android', 'store_url': 'https://play.google.com/x'}]}
    changed = differences('store', STORE, desired)
    assert changed == ['delivery_groups', 'platform:iphone', 'platform:android']
    assert request_body('store', 'Teams', desired, STORE, changed) == {
        'name': 'Teams', 'roles': ['Sales'], 'iphone': {'removeWithMdm': False},
        'android': {'storeUrl': 'https://play.google.com/x'}}


def test_a_web_link_update_keeps_the_mandatory_fields():
    current = {'name': 'Wiki', 'description': 'Team wiki', 'link_url': 'https://wiki/', 'vpn': False}
    desired = {'link_url': 'https://wiki/', 'vpn': True, 'deployment': {'deploy_schedule': 'NOW'}}
    changed = differences('weblink', current, desired)
    assert changed == ['vpn']  # the schedule is used on creation only
    assert request_body('weblink', 'Wiki', desired, current, changed) == {
        'name': 'Wiki', 'description': 'Team wiki', 'loginUrl': 'https://wiki/', 'vpn': True}
    assert request_body('weblink', 'Wiki', desired)['schedule'] == {'deploySchedule': 'NOW'}


def test_schedules_read_back_without_leading_zeros_are_padded():
    assert schedule_body({'deploy_schedule': 'LATER', 'deploy_date': '3/4/2026', 'deploy_time': '9:05',
                          'enable_deployment': None}) == {
        'deploySchedule': 'LATER', 'deployDate': '03/04/2026', 'deployTime': '09:05'}


def test_store_platforms_in_the_module_form():
    container = {'iphone': {'storeUrl': 'u', 'displayName': 'T', 'appVersion': '2.3'}, 'ipad': None, 'android': None}
    assert store_platforms(container) == [{'platform': 'iphone', 'store_url': 'u', 'display_name': 'T',
                                           'description': None, 'remove_with_mdm': None, 'prevent_backup': None,
                                           'change_management_state': None}]


def test_enrollment_request_and_platform_names():
    body = enrollment_body('ann@acme.com', ['ios', 'android'], ownership='corporate', mode='invitation_pin',
                           pin='1234', templates={'url': 'Invite'})
    assert body['platforms'] == ['iOS', 'SHTP'] and body['deviceOwnership'] == 'CORPORATE'
    assert body['mode'] == {'name': 'invitation_pin'} and body['pin'] == '1234' and body['notifyNow'] is False
    assert {c['category']: c['notificationTemplate']['name'] for c in body['notificationTemplateCategories']}[
        'ENROLLMENT_URL'] == 'Invite'
    assert platform_of({'type': 'SHTP'}) == 'android' and platform_of({'type': 'WINDOWS'}) is None
