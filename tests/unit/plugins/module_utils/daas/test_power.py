"""DaaS power without sockets: the action each machine needs, and the outcomes of a power action sent to
a fleet."""

import pytest

from ansible_collections.opencitrix.automation.plugins.module_utils.daas.power import apply_power_state, plan_action
from tests.unit.plugins.module_utils.daas.support import FakeSite, machine


@pytest.mark.parametrize('state, power_state, expected', [
    ('started', 'On', (None, None)),
    ('started', 'Off', ('start', None)),
    ('started', 'Suspended', ('resume', None)),
    ('stopped', 'Off', (None, None)),
    ('stopped', 'On', ('shutdown', None)),
    ('stopped', 'Suspended', ('shutdown', None)),
    ('suspended', 'Suspended', (None, None)),
    ('suspended', 'On', ('suspend', None)),
    ('suspended', 'Off', (None, 'a machine that is Off cannot be suspended')),
    ('restarted', 'On', ('reboot', None)),
    ('restarted', 'Off', (None, 'a machine that is Off cannot be restarted')),
    ('restarted', 'Suspended', (None, 'a machine that is Suspended cannot be restarted')),
    ('started', 'TurningOn', (None, 'power state is TurningOn (a transition is under way)')),
    ('stopped', 'Unmanaged', (None, 'not power managed (power state Unmanaged)')),
    ('started', 'VirtualMachineNotFound', (None, 'not power managed (power state VirtualMachineNotFound)')),
])
def test_plan_action(state, power_state, expected):
    assert plan_action(machine(power_state), state) == expected


def test_plan_action_checks_support_and_pending():
    assert plan_action(machine('On', actions=['PowerOn']), 'restarted') == (
        None, 'does not support the Restart power action')
    assert plan_action(machine('On', actions=['PowerOff']), 'stopped') == (
        None, 'does not support the Shutdown power action')
    assert plan_action(machine('On', actions=['PowerOff']), 'stopped', force=True) == ('shutdown', None)
    assert plan_action(machine('Off', pending=True), 'started') == (None, 'a power action is already pending')


def failing_site():
    """A site that answers a power action synchronously, or fails it with "boom <n>" for machine n<n>."""
    def answer(path, method, body):
        machine_id = path.split('/')[2]
        return (409, {}, {'ErrorMessage': 'boom %s' % machine_id[1:]}) if machine_id.startswith('n') else (200, {}, None)
    return FakeSite(answer)


@pytest.mark.parametrize('batch', [False, True])
def test_outcomes_and_failure_message(batch):
    machines = [machine(Id='n%d' % i, Name='n%d' % i) for i in range(7)] + [machine(Id='ok', Name='ok')]
    fleet = apply_power_state(failing_site(), machines, 'restarted', wait=False, batch=batch)
    assert fleet.counts() == {'changed': 1, 'unchanged': 0, 'skipped': 0, 'failed': 7}
    assert fleet.failure_message() == (
        'Power action failed for 7 of 8: n0: Could not send $reboot: boom 0 (HTTP 409%s); n1: Could not send $reboot: '
        'boom 1 (HTTP 409%s); n2: Could not send $reboot: boom 2 (HTTP 409%s); n3: Could not send $reboot: boom 3 '
        '(HTTP 409%s); n4: Could not send $reboot: boom 4 (HTTP 409%s) (and 2 more, see results)' % tuple(
            ', POST /Machines/n%d/$reboot' % n if batch else '' for n in range(5)))
    assert apply_power_state(failing_site(), machines[-1:], 'restarted', wait=False).failure_message() is None
