"""Device actions of XenMobile as the device record shows them ([P21] §3.16.4, §3.16.13 ff.): each action a
device offers is an ``<action>Enabled`` flag, and an action sent but not yet carried out by the device is
pending, shown as ``cancel<Action>Enabled: true`` (the console's "cancel" button). A pending action is
carried out when the device next connects (:func:`complete`, which tests call through
``service.complete_device_actions``); what it leaves behind is our choice, see the README.

Pure functions over one device record (the dict the seeding made); the caller holds the state lock.
"""

# path segment -> (flag stem in the device record, whether it waits for the device)
ACTIONS = {
    'lock': ('lock', True),
    'unlock': ('unlock', True),
    'locate': ('locate', True),
    'selwipe': ('corpWipe', True),
    'wipe': ('wipe', True),
    'revoke': ('revoke', False),
}
FLAG_STEMS = ('lock', 'unlock', 'locate', 'corpWipe', 'wipe')
ERROR_TEXT = {
    'lock': ('Unable to lock list of devices.', "Unable to lock devices '%s'"),
    'unlock': ('Unable to unlock list of devices.', "Unable to unlock devices '%s'"),
    'locate': ('Unable to locate list of devices.', "Unable to locate devices '%s'"),
    'selwipe': ('Unable to perform selective wipe on list of devices.', "Unable to selectively wipe devices '%s'"),
    'wipe': ('Unable to perform full wipe on list of devices.', "Unable to wipe devices '%s'"),
    'revoke': ('Unable to revoke list of devices.', "Unable to revoke devices '%s'"),
}


def _state(device):
    return device.setdefault('_actions', {'pending': [], 'wiped': False, 'corp_wiped': False, 'revoked': False,
                                          'locked': False, 'location': None, 'params': {}})


def offered(device, segment):
    """Whether the device offers the action now (its ``<action>Enabled`` flag)."""
    state = _state(device)
    if state['wiped'] or state['revoked']:
        return False
    stem = ACTIONS[segment][0]
    if stem in state['pending']:
        return False
    if stem == 'corpWipe':
        return not state['corp_wiped']
    if stem == 'locate':
        return device.get('platform') != 'Windows'  # our choice: Windows desktops cannot be located
    return True


def send(device, segment, params):
    """Apply an action sent to ``device``; False when the device does not offer it."""
    state = _state(device)
    stem, waits = ACTIONS[segment]
    if not offered(device, segment):
        return False
    if waits:
        state['pending'].append(stem)
        state['params'][stem] = dict(params)
    else:  # revoke takes effect on the server at once
        state['revoked'] = True
        device['managed'] = False
    return True


def cancel(device, segment):
    """``/device/<action>/cancel``: drop the pending action; False when none is pending."""
    state = _state(device)
    stem = ACTIONS[segment][0]
    if stem not in state['pending']:
        return False
    state['pending'].remove(stem)
    return True


def complete(device, now_text):
    """The device connects and carries out its pending actions; returns how many it carried out."""
    state = _state(device)
    done = state['pending']
    state['pending'] = []
    for stem in done:
        if stem == 'lock':
            state['locked'] = True
        elif stem == 'unlock':
            state['locked'] = False
        elif stem == 'locate':
            state['location'] = {'latitude': '48.8566', 'longitude': '2.3522', 'time': now_text}
        elif stem == 'corpWipe':
            state['corp_wiped'] = True
            device.update(mamRegistered=False, mamKnown=False)
        elif stem == 'wipe':
            state['wiped'] = True
            device.update(managed=False, mdmKnown=False, mamRegistered=False, mamKnown=False)
    return len(done)


def pending(device):
    return list(_state(device)['pending'])


def flags(device):
    """The action fields of a device record (§3.16.4)."""
    state = _state(device)
    out = {'revoked': state['revoked'], 'wipeDeviceFlag': state['wiped'], 'lockDeviceFlag': state['locked'],
           'revokeEnabled': not (state['revoked'] or state['wiped']), 'lastGpsCoordinate': state['location']}
    segments = dict((stem, segment) for segment, (stem, _waits) in ACTIONS.items())
    for stem in FLAG_STEMS:
        out[stem + 'Enabled'] = offered(device, segments[stem])
        out['cancel%s%sEnabled' % (stem[0].upper(), stem[1:])] = stem in state['pending']
    return out
