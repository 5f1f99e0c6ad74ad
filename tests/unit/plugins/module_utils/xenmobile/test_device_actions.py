"""Device action decisions and the nightly archive's comparison and retention (pure functions, no sockets)."""

import json
import os

import pytest

from ansible_collections.opencitrix.automation.plugins.module_utils import errors
from ansible_collections.opencitrix.automation.plugins.module_utils.xenmobile.archive import (
    ArchiveDirectory, archive_devices, device_changes,
)
from ansible_collections.opencitrix.automation.plugins.module_utils.xenmobile.device_actions import (
    ACTIONS, DeviceActions, action_params, preflight, select,
)


@pytest.mark.parametrize('action', ['selective_wipe', 'full_wipe', 'revoke', 'delete'])
def test_destructive_actions_need_confirm(action):
    with pytest.raises(errors.InputError) as caught:
        preflight(action, False, ids=['1'])
    assert 'needs confirm: true' in str(caught.value)
    preflight(action, True, ids=['1'])


def test_max_targets_is_checked_early_only_when_names_alone_give_the_count():
    with pytest.raises(errors.InputError):
        preflight('lock', False, ids=['1', '2'], serials=['SN3'], max_targets=2)
    preflight('lock', False, ids=['1', '2'], users=['u@acme.com'], max_targets=1)  # the listing decides later


def test_action_parameters():
    assert action_params('lock', 'Lost', '+44 20', 'Pin-1234') == {
        'lockMessage': 'Lost', 'phoneNumber': '+44 20', 'newPinCode': 'Pin-1234'}
    assert action_params('full_wipe', erase_memory_card=False) == {'erasedMemoryCard': 'false'}
    assert action_params('locate', 'ignored') == {}


DEVICES = [{'id': 1, 'serialNumber': 'SN1', 'userName': 'ann@acme.com "ann"'},
           {'id': 2, 'serialNumber': 'sn2', 'userName': 'bob@acme.com "bob"'},
           {'id': 3, 'serialNumber': 'SN3', 'userName': ''}]


def test_select_by_id_serial_and_user_names_missing_ids():
    chosen, missing = select(DEVICES, ids=['3', '9'], serials=['SN2'], users=['ANN@acme.com'])
    assert [d['id'] for d in chosen] == [1, 2, 3] and missing == ['9']
    assert select(DEVICES, by_filter=True) == (DEVICES, [])


@pytest.mark.parametrize('action, record, expected', [
    ('lock', {'lockEnabled': True, 'cancelLockEnabled': False}, 'changed'),
    ('lock', {'lockEnabled': False, 'cancelLockEnabled': True}, 'unchanged'),
    ('locate', {'locateEnabled': False, 'cancelLocateEnabled': False}, 'skipped'),
    ('full_wipe', {'wipeDeviceFlag': True}, 'unchanged'),
    ('revoke', {'revoked': True, 'revokeEnabled': False}, 'unchanged'),
    ('revoke', {'revoked': False, 'revokeEnabled': True}, 'changed'),
    ('selective_wipe', {'corpWipeEnabled': True, 'cancelCorpWipeEnabled': True}, 'unchanged'),
])
def test_state_of_a_device_record(action, record, expected):
    assert DeviceActions(None)._state_of(ACTIONS[action], record)[0] == expected


def brief(n, user='u%d@acme.com', compliant=True):
    return {'id': n, 'serial_number': 'SN%d' % n, 'user': user % n if '%' in user else user, 'compliant': compliant}


def test_changes_since_the_previous_archive():
    before = [brief(1), brief(2), brief(3), brief(4)]
    after = [brief(1, 'U1@ACME.COM'), brief(2, 'someone@acme.com'), brief(4, compliant=False), brief(5)]
    changes = device_changes(after, before, shown=1)
    assert changes['counts'] == {'devices': 4, 'new': 1, 'gone': 1, 'owner_changed': 1, 'compliance_changed': 1}
    assert changes['owner_changed'][0]['before'] == 'u2@acme.com'  # a case change is no new owner
    assert device_changes(after, None)['compared'] is False


def test_retention_by_file_date_and_check_mode(tmp_path):
    for day in ('2026-11-01', '2026-11-02', '2026-11-30'):
        (tmp_path / ('xenmobile-devices-%s.json' % day)).write_text(json.dumps({'devices': [brief(1)]}))
    (tmp_path / 'xenmobile-devices-notes.json').write_text('{}')
    directory = ArchiveDirectory(str(tmp_path), 'xenmobile-devices')
    assert directory.expired('2026-12-01', 30) == ['xenmobile-devices-2026-11-01.json']
    listing = sorted(os.listdir(str(tmp_path)))
    change = archive_devices([brief(1), brief(2)], str(tmp_path), '2026-12-01', keep_days=30, check_mode=True)
    assert change.changed and sorted(os.listdir(str(tmp_path))) == listing  # check mode writes and removes nothing
    assert change.result['removed'] == ['xenmobile-devices-2026-11-01.json']
    assert change.result['previous'] == 'xenmobile-devices-2026-11-30.json'
    assert change.result['changes']['counts']['new'] == 1
    archive_devices([brief(1), brief(2)], str(tmp_path), '2026-12-01', keep_days=30)
    again = archive_devices([brief(1), brief(2)], str(tmp_path), '2026-12-01', keep_days=30)
    assert again.changed is False and again.result['written'] == [] and again.result['removed'] == []
