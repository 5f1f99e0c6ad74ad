"""Helpers of the DaaS unit tests."""

ALL_ACTIONS = ['PowerOn', 'PowerOff', 'Shutdown', 'Restart', 'Reset', 'SuspendResume']


def machine(power_state='On', pending=False, actions=None, sessions=0, **extra):
    record = {'Id': extra.pop('Id', 'id-1'), 'Name': extra.pop('Name', 'CORP\\PC-1'), 'PowerState': power_state,
              'PowerActionPending': pending, 'SupportedPowerActions': ALL_ACTIONS if actions is None else actions,
              'SessionCount': sessions}
    record.update(extra)
    return record
