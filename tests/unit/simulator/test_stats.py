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


def test_requests_are_counted_per_listener_whatever_their_route():
    stats = core.Stats()
    stats.record(route('cloud.token'), 'POST', '/t', 'main')
    stats.record(None, 'GET', '/nowhere', 'elsewhere-http-127.0.0.16')
    stats.record(None, 'GET', '/x', 'elsewhere-https-127.0.0.16')
    assert stats.count(listener='elsewhere-*') == 2 and stats.count(listener='main') == 1
    assert stats.snapshot()['listeners'] == {'main': 1, 'elsewhere-http-127.0.0.16': 1, 'elsewhere-https-127.0.0.16': 1}


def test_a_redirect_fault_needs_a_location_and_only_it_takes_one():
    faults = core.Faults()
    for bad in (dict(action='redirect'), dict(action='status', location='/x')):
        try:
            faults.add(**bad)
        except ValueError:
            continue
        raise AssertionError('accepted %r' % bad)
    faults.add('redirect', location='https://127.0.0.16:1{path}', status=308)
    assert faults.match(None, 'GET', '/a', 'main')['location'] == 'https://127.0.0.16:1{path}'
