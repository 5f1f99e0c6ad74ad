"""The simulator's request accounting: counts per route and the span of a phase."""

import types

from tests.simulator import core


def route(name):
    return types.SimpleNamespace(name=name, service=name.split('.', 1)[0])


def test_span_runs_from_the_first_request_to_the_last_answer():
    clock = iter([10.0, 10.5, 11.0, 12.0, 12.25, 30.0])
    stats = core.Stats(clock=lambda: next(clock))
    legacy, current, other = route('daas.legacy.power.reboot'), route('daas.power.reboot'), route('daas.jobs.list')
    stats.record(legacy, 'POST', '/a')   # 10.0
    stats.record(current, 'POST', '/b')  # 10.5
    stats.record_answer(legacy)          # 11.0
    stats.record_answer(current)         # 12.0
    stats.record(other, 'GET', '/c')     # 12.25
    stats.record_answer(other)           # 30.0
    assert stats.span('daas.*power.reboot') == 2.0
    assert stats.span('daas.power.reboot') == 1.5
    assert stats.span('cloud.*') == 0.0
    assert stats.count(route='daas.*power.*') == 2
    stats.reset()
    assert stats.span('daas.*') == 0.0
