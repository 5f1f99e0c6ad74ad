"""The pytest side of the conformance check.

Every simulator the ``make_sim`` fixture starts records its DaaS and resource-location exchanges in memory
(:meth:`Simulator.record`); when the fixture stops it, :func:`check` validates them, and a test whose
exchanges do not conform fails at teardown, naming each one. So nothing is slowed down while a test runs,
the failure points at the test that caused it, and simulators of every xdist worker are covered. At the end
of the session, the terminal summary adds one line of counts (summed over the workers) and
``.cache/conformance/last-run.json`` keeps them.

``OPENCITRIX_CONFORMANCE``: unset = on where openapi-core and jsonschema-rs are installed (the core-matrix
venvs have neither); ``1`` = on, and an error without them; ``0`` = off.
"""

import contextlib
import json
import os
import time

import pytest

from tests.conformance import spec

RECORDED_SERVICES = ('daas', 'cloud_platform')
RESULT_FILE = os.path.join(spec.CACHE, 'last-run.json')
_state = {'checker': None, 'seconds': 0.0}


def enabled():
    setting = os.environ.get('OPENCITRIX_CONFORMANCE', '')
    if setting == '0':
        return False
    try:
        import jsonschema_rs  # noqa: F401 - availability check
        import openapi_core  # noqa: F401
    except ImportError:
        if setting == '1':
            raise
        return False
    return True


def checker():
    if _state['checker'] is None:
        from tests.conformance.validator import Conformance
        _state['checker'] = Conformance()
    return _state['checker']


def start(sim):
    """Make ``sim`` record the exchanges :func:`check` validates (when the check is on)."""
    if enabled():
        sim.record(RECORDED_SERVICES)


@contextlib.contextmanager
def waived(sim):
    """Exchanges inside are not recorded: for a test that sends what the spec forbids on purpose, to see
    how the simulator answers it."""
    kept, sim.exchanges = sim.exchanges, None
    try:
        yield
    finally:
        sim.exchanges = kept


def check(sim):
    """Validate what ``sim`` recorded; the problems, one line each (empty when all conform, or when the
    check is off and a test recorded exchanges for its own use)."""
    if not sim.exchanges or not enabled():
        return []
    from tests.conformance.validator import Exchange
    started = time.perf_counter()
    problems = []
    conformance = checker()
    for recorded in sim.exchanges:
        exchange = Exchange.from_record(recorded)
        problems.extend('%s: %s' % (exchange.describe(), p) for p in conformance.check(exchange))
    sim.exchanges = []
    _state['seconds'] += time.perf_counter() - started
    return problems


def report(problems, limit=20):
    shown = problems[:limit]
    more = len(problems) - len(shown)
    return '\n'.join(['Exchanges that do not conform to ../shared/specs:'] + shown
                     + (['... and %d more' % more] if more > 0 else []))


def _counts():
    counts = dict(checker().counts) if _state['checker'] else {}
    counts['seconds'] = round(_state['seconds'], 3)
    return counts


def _add(total, counts):
    for key, value in counts.items():
        total[key] = total.get(key, 0) + value


# -- hooks (imported into tests/conftest.py) -----------------------------------------------------------

def pytest_configure(config):
    config._conformance_totals = {}


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    """Controller: add a finished xdist worker's counts."""
    counts = getattr(node, 'workeroutput', {}).get('conformance')
    if counts:
        _add(node.config._conformance_totals, counts)


def pytest_sessionfinish(session):
    counts = _counts()
    if hasattr(session.config, 'workeroutput'):
        session.config.workeroutput['conformance'] = counts
    elif counts.get('requests') or counts.get('responses'):
        _add(session.config._conformance_totals, counts)


def pytest_terminal_summary(terminalreporter, config):
    totals = getattr(config, '_conformance_totals', {})
    if not (totals.get('requests') or totals.get('responses')):
        return
    terminalreporter.write_line(
        'conformance to ../shared/specs: %(requests)d requests of the collection (%(invalid_requests)d invalid), '
        '%(responses)d simulator answers (%(invalid_responses)d invalid, %(nulls_accepted)d nulls accepted), '
        '%(not_validated)d gateway answers not validated; %(seconds).1f s of validation' % dict(
            {'requests': 0, 'invalid_requests': 0, 'responses': 0, 'invalid_responses': 0, 'nulls_accepted': 0,
             'not_validated': 0, 'seconds': 0.0}, **totals))
    try:
        os.makedirs(spec.CACHE, exist_ok=True)
        with open(RESULT_FILE, 'w', encoding='utf-8') as handle:
            json.dump(totals, handle, indent=1, sort_keys=True)
    except OSError:
        pass
