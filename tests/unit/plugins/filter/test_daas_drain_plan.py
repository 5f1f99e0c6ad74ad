"""The daas_drain_plan filter: waves from the machines and the two progress tags of a run, so that a run
started again resumes (a drained wave first, rebooted machines finished, never planned again); the
daas_drain_step filter: which machines a step did and which it failed."""

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.opencitrix.automation.plugins.filter.daas_drain_plan import FilterModule, wave_size
from ansible_collections.opencitrix.automation.plugins.filter.daas_drain_step import daas_drain_step

DRAINING = 'DrainReboot-r1-draining'
REBOOTED = 'DrainReboot-r1-rebooted'


def machine(n, tags=(), maintenance=False, power='On', registered=True, actions=('Restart',), pending=False):
    return {'name': 'CORP\\M%02d' % n, 'tags': list(tags), 'in_maintenance_mode': maintenance, 'power_state': power,
            'registration_state': 'Registered' if registered else 'Unregistered', 'power_action_pending': pending,
            'supported_power_actions': list(actions), 'session_count': 0}


def plan(machines, wave='20%'):
    return FilterModule().filters()['daas_drain_plan'](machines, DRAINING, REBOOTED, wave=wave, prefix='DrainReboot-')


@pytest.mark.parametrize('wave, total, size', [
    ('20%', 200, 40), ('20%', 7, 2), ('100%', 3, 3), ('1%', 10, 1), (25, 200, 25), ('5', 3, 5), (' 50 % ', 4, 2)])
def test_wave_size_is_a_count_or_a_percentage_rounded_up(wave, total, size):
    assert wave_size(wave, total) == size


@pytest.mark.parametrize('wave', [0, '0', '0%', '101%', '-5', 'ten', '', None, True, 2.5, '20 percent'])
def test_a_wave_that_is_no_count_or_percentage_is_refused_in_one_line(wave):
    with pytest.raises(AnsibleFilterError) as caught:
        plan([machine(1)], wave)
    assert str(caught.value).startswith('wave must be a number of machines (25) or a percentage ("20%"), got ')


def test_an_interrupted_run_resumes_without_planning_a_rebooted_machine_again():
    machines = [
        machine(1, [REBOOTED]),  # done: out of maintenance mode, registered
        machine(2, [REBOOTED, DRAINING], maintenance=True),  # rebooted, stopped before it left maintenance mode
        machine(3, [REBOOTED, DRAINING], maintenance=True, registered=False),  # still booting
        machine(4, [REBOOTED], power='TurningOn', pending=True),  # its reboot is under way
        machine(5),
        machine(6, [DRAINING], maintenance=True),  # being drained when the run stopped: the first wave
        machine(7, ['Finance', 'DrainReboot-r0-rebooted', 'DrainReboot-r0-draining'], maintenance=True),
        machine(8, ['DrainReboot-r0-rebooted']),
        machine(9, [DRAINING]),  # marked, but maintenance mode was not on yet: planned as any other
        machine(10, power='Off'),
        machine(11, actions=()),
        machine(12, pending=True),
    ]
    result = plan(machines, wave=2)
    names = ['CORP\\M%02d' % n for n in range(13)]
    assert result['done'] == [names[1]]
    assert result['finishing'] == [names[2], names[3], names[4]]
    assert result['resumed'] == [names[6]]
    assert result['waves'] == [[names[6], names[5]], [names[8], names[9]]]
    assert result['left_alone'] == [
        {'name': names[7], 'reason': 'in maintenance mode before this run (someone else put it there)'},
        {'name': names[10], 'reason': 'not running (power state Off)'},
        {'name': names[11], 'reason': 'cannot restart (no Restart power action)'},
        {'name': names[12], 'reason': 'a power action is pending'}]
    assert result['stale_tags'] == ['DrainReboot-r0-draining', 'DrainReboot-r0-rebooted']
    assert result['stale_machines'] == [names[7], names[8]]
    assert (result['machines'], result['wave_size']) == (12, 2)


def test_every_machine_is_planned_once_in_order():
    machines = [machine(n) for n in range(1, 12)]
    result = plan(machines)
    assert [len(w) for w in result['waves']] == [3, 3, 3, 2]
    assert [n for w in result['waves'] for n in w] == [m['name'] for m in machines]


@pytest.mark.parametrize('machines, tags', [('nope', (DRAINING, REBOOTED)), ([1, 2], (DRAINING, REBOOTED)),
                                            ([], ('', REBOOTED))])
def test_bad_input_is_refused(machines, tags):
    with pytest.raises(AnsibleFilterError):
        FilterModule().filters()['daas_drain_plan'](machines, *tags)


def test_a_step_result_splits_its_machines_into_done_and_failed():
    names = ['CORP\\A', 'CORP\\B', 'CORP\\C']
    per_machine = {'failed': True, 'msg': 'Tag change failed for 1 of 3', 'machines': [
        {'name': 'CORP\\A', 'outcome': 'changed'}, {'name': 'CORP\\B', 'outcome': 'failed', 'reason': 'HTTP 409'},
        {'name': 'CORP\\C', 'outcome': 'unchanged'}]}
    assert daas_drain_step(per_machine, names, 'drain') == {
        'ok': ['CORP\\A', 'CORP\\C'], 'failed': {'CORP\\B': 'drain: HTTP 409'}}
    whole = {'failed': True, 'msg': 'Could not sign in'}
    assert daas_drain_step(whole, names, 'reboot') == {
        'ok': [], 'failed': dict((n, 'reboot: Could not sign in') for n in names)}
    assert daas_drain_step({'skipped': True, 'changed': False}, names, 'mark') == {'ok': [], 'failed': {}}
    with pytest.raises(AnsibleFilterError):
        daas_drain_step('nope', names, 'drain')
