# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Actions on XenMobile devices: lock, unlock, locate, selective wipe, full wipe, revoke and delete.

The public REST API sends an action to a list of devices at once (``POST /device/{action}`` with a JSON
array of ids; ``DELETE /device`` deletes in bulk). A device carries out lock, unlock, locate and the
wipes when it next connects; until then the action is pending, which its record shows as
``cancel<Action>Enabled: true``, and each action it offers now as ``<action>Enabled: true``
(``GET /device/{id}``). :func:`apply_device_action` reads those records first, so an action that is
pending is not sent again, one the device no longer offers (already wiped, revoked) is left alone, and
only the rest is sent; in check mode nothing is sent. It returns a :class:`results.FleetResult`.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.opencitrix.automation.plugins.module_utils import errors
from ansible_collections.opencitrix.automation.plugins.module_utils.concurrency import run_bounded
from ansible_collections.opencitrix.automation.plugins.module_utils.results import FleetResult
from ansible_collections.opencitrix.automation.plugins.module_utils.targets import check_max_targets, require_named
from ansible_collections.opencitrix.automation.plugins.module_utils.xenmobile import records
from ansible_collections.opencitrix.automation.plugins.module_utils.xenmobile.client import API
from ansible_collections.opencitrix.automation.plugins.module_utils.xenmobile.devices import Devices


class Action:
    """One device action: its API path segment, the flag stem of the device record (``lockEnabled`` /
    ``cancelLockEnabled``), whether it destroys data or the enrolment, whether the device carries it out
    later (pending until then), and the record field that says it is done for good."""

    def __init__(self, name, segment, stem, destructive=False, waits=True, done_flag=None):
        self.name, self.segment, self.stem = name, segment, stem
        self.destructive, self.waits, self.done_flag = destructive, waits, done_flag

    @property
    def offered_flag(self):
        return self.stem + 'Enabled'

    @property
    def pending_flag(self):
        return 'cancel%s%sEnabled' % (self.stem[0].upper(), self.stem[1:])


ACTIONS = dict((a.name, a) for a in (
    Action('lock', 'lock', 'lock'),
    Action('unlock', 'unlock', 'unlock'),
    Action('locate', 'locate', 'locate'),
    Action('selective_wipe', 'selwipe', 'corpWipe', destructive=True),
    Action('full_wipe', 'wipe', 'wipe', destructive=True, done_flag='wipeDeviceFlag'),
    Action('revoke', 'revoke', 'revoke', destructive=True, waits=False, done_flag='revoked'),
    Action('delete', None, None, destructive=True, waits=False),
))
DESTRUCTIVE = tuple(sorted(name for name, a in ACTIONS.items() if a.destructive))
TARGET_OPTIONS = ('id', 'serial_number', 'user', 'filter_ids')
BULK_CHUNK = 100
READ_CONCURRENCY = 8


def preflight(action, confirm, ids=None, serials=None, users=None, filter_ids=None, max_targets=None):
    """What can be refused before any request: a destructive action without ``confirm``, and more devices
    named by id or serial number than ``max_targets`` (with users or a filter the count needs the listing,
    so it is checked after it, still before any write)."""
    if ACTIONS[action].destructive and not confirm:
        raise errors.InputError('action %s needs confirm: true' % action,
                                hint='%s cannot be undone; set confirm: true to send it (check mode lists the '
                                     'devices it would reach)' % action.replace('_', ' '))
    named = list(ids or ()) + list(serials or ())
    if max_targets is not None and not users and not filter_ids and len(named) > max_targets:
        check_max_targets(named, max_targets, 'devices')


def action_params(action, lock_message=None, phone_number=None, new_pin_code=None, erase_memory_card=None):
    """Query parameters of an action (§3.16.28 lock, §3.16.42 wipe)."""
    params = {}
    if action == 'lock':
        params.update((k, v) for k, v in (('lockMessage', lock_message), ('phoneNumber', phone_number),
                                          ('newPinCode', new_pin_code)) if v)
    if action == 'full_wipe' and erase_memory_card is not None:
        params['erasedMemoryCard'] = 'true' if erase_memory_card else 'false'
    return params


def select(devices, ids=None, serials=None, users=None, by_filter=False):
    """The devices named by id, serial number or user (``by_filter``: all listed, the listing being the
    filter's); ids named but not listed are returned apart as missing."""
    if by_filter and not (ids or serials or users):
        return list(devices), []
    want_ids = set(str(i) for i in ids or ())
    want_serials = set(s.lower() for s in serials or ())
    want_users = set(u.lower() for u in users or ())
    chosen, found_ids = [], set()
    for device in devices:
        ident = str(device.get('id'))
        if (ident in want_ids or str(device.get('serialNumber') or '').lower() in want_serials
                or records.device_user(device)[0].lower() in want_users):
            chosen.append(device)
            found_ids.add(ident)
    return chosen, sorted(want_ids - found_ids)


def view(device):
    user, _display = records.device_user(device)
    return {'id': device.get('id'), 'serial_number': device.get('serialNumber'), 'device_name': device.get('deviceName'),
            'user': user, 'platform': device.get('platform')}


class DeviceActions:
    """Device actions on one XenMobile server (``client``: a XenMobileClient)."""

    def __init__(self, client):
        self.client = client

    def record(self, device_id):
        what = 'read device %s of %s' % (device_id, self.client.server)
        reply = self.client.call('GET', API + '/device/%s' % device_id, what)
        if not isinstance(reply.get('device'), dict):
            raise errors.ResponseFormatError('Could not ' + what, api_message='the reply has no device object')
        return reply['device']

    def find(self, ids=None, serials=None, users=None, filter_ids=None, all_targets=False, api='legacy',
             page_size=None):
        """``(devices, missing ids)``: the devices the targets name (see :func:`select`), from one paged
        listing of the device filter (narrowed by ``filter_ids`` when given); every device with
        ``all_targets``."""
        named = [v for v in (ids, serials, users, filter_ids) if v]
        require_named(named, all_targets, noun='device', scope='server')
        listed = Devices(self.client).list(api=api, page_size=page_size, filter_ids=filter_ids)
        return select(listed, ids, serials, users, by_filter=bool(filter_ids) or all_targets)

    def _state_of(self, action, record):
        """``(outcome, reason)`` of ``action`` for a device whose record is ``record``."""
        if action.done_flag and record.get(action.done_flag) is True:
            return 'unchanged', 'already done (%s: true)' % action.done_flag
        if action.waits and record.get(action.pending_flag) is True:
            return 'unchanged', 'already pending (%s: true): the device has not connected since' % action.pending_flag
        if record.get(action.offered_flag) is False:
            return 'skipped', 'the server does not offer %s for this device now (%s: false)' % (
                action.name.replace('_', ' '), action.offered_flag)
        return 'changed', None

    def plan(self, action, devices, missing, concurrency=READ_CONCURRENCY):
        """A FleetResult with each device's outcome before anything is sent (reads only)."""
        spec = ACTIONS[action]
        fleet = FleetResult('Device action %s' % action)
        for ident in missing:
            if action == 'delete':
                fleet.add(ident, 'unchanged', 'no such device (already deleted)', id=ident, action=None)
            else:
                fleet.add(ident, 'failed', 'no such device on %s' % self.client.server, id=ident, action=None)
        if action == 'delete':
            for device in devices:
                fleet.add(str(device.get('id')), 'changed', None, action=action, state_before='present', **view(device))
            return fleet
        outcomes = run_bounded(devices, lambda d: self.record(d.get('id')), concurrency)
        for outcome in outcomes:
            device = outcome.item
            if not outcome.ok:
                fleet.add(str(device.get('id')), 'failed', outcome.error, action=None, **view(device))
                continue
            state, reason = self._state_of(spec, outcome.value)
            fleet.add(str(device.get('id')), state, reason, action=action if state == 'changed' else None,
                      state_before='pending' if reason and 'pending' in reason else 'none', **view(device))
        return fleet

    def send(self, action, fleet, params=None):
        """Send ``action`` to the fleet's ``changed`` devices, in bulk calls of up to BULK_CHUNK ids."""
        spec = ACTIONS[action]
        items = fleet.with_outcome('changed')
        for start in range(0, len(items), BULK_CHUNK):
            chunk = items[start:start + BULK_CHUNK]
            ids = [item['id'] for item in chunk]
            what = '%s %d devices of %s' % (action.replace('_', ' '), len(ids), self.client.server)
            try:
                if action == 'delete':
                    reply = self.client.call('DELETE', API + '/device', what, json_body=ids, raw_status=True)
                else:
                    reply = self.client.call('POST', API + '/device/%s' % spec.segment, what, json_body=ids,
                                             params=params or None, raw_status=True)
            except errors.CitrixError as exc:
                for item in chunk:
                    fleet.fail(item, exc)
                continue
            self._read_reply(fleet, chunk, reply, action)
        return fleet

    @staticmethod
    def _read_reply(fleet, chunk, reply, action):
        """A non-zero status names the devices that failed in ``deviceActionMessages``; the others went."""
        if str(reply.get('status')) == '0':
            return
        details = (reply.get('deviceActionMessages') or {}).get('devicesActionParameters') or {}
        messages = dict((str(m.get('id')), m.get('message')) for m in details.get('messageList') or ()
                        if isinstance(m, dict))
        summary = details.get('description') or reply.get('message') or 'status %s' % reply.get('status')
        for item in chunk:
            if not messages or str(item['id']) in messages:
                fleet.fail(item, '%s: %s' % (summary, messages.get(str(item['id'])) or 'refused'))
            elif action == 'delete':
                item['state_after'] = 'absent'

    def apply(self, action, devices, missing, check_mode=False, max_targets=None, params=None,
              concurrency=READ_CONCURRENCY):
        """Plan, check ``max_targets``, send (unless ``check_mode``); the planned state after each device."""
        fleet = self.plan(action, devices, missing, concurrency).check_max_targets(max_targets, 'devices')
        for item in fleet.with_outcome('changed'):
            item['state_after'] = 'absent' if action == 'delete' else (
                'pending' if ACTIONS[action].waits else 'done')
        if not check_mode:
            self.send(action, fleet, params)
        return fleet


def apply_device_action(client, action, ids=None, serials=None, users=None, filter_ids=None, all_targets=False,
                        api='legacy', page_size=None, check_mode=False, max_targets=None, params=None,
                        concurrency=READ_CONCURRENCY):
    """Find the devices the targets name and act on them (see :class:`DeviceActions`)."""
    actions = DeviceActions(client)
    devices, missing = actions.find(ids, serials, users, filter_ids, all_targets, api, page_size)
    return actions.apply(action, devices, missing, check_mode, max_targets, params, concurrency)


def action_diff(fleet):
    """``--diff`` of the devices acted on: their action state before and after."""
    return fleet.diff('action_state', lambda i: i.get('state_before') or 'none', lambda i: i.get('state_after'))
