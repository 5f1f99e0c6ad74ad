"""Shared pytest set-up: make ``ansible_collections.opencitrix.automation`` importable from this
checkout (through a symlink in .cache/, the layout Ansible expects), and offer the simulator."""

import os
import sys

import pytest
from hypothesis import settings

# Property-based tests explore new random examples on a developer's machine (and replay the failures
# they found from .hypothesis/); CI runs a fixed set of examples, so a landing never depends on luck.
settings.register_profile('ci', derandomize=True, database=None, print_blob=True)
if os.environ.get('CI'):
    settings.load_profile('ci')

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from tests.conformance import plugin as conformance  # noqa: E402 - needs ROOT on sys.path
from tests.harness import import_collection  # noqa: E402 - needs ROOT on sys.path

import_collection()

# The conformance check's hooks: counts from every worker, one summary line at the end.
pytest_configure = conformance.pytest_configure
pytest_sessionfinish = conformance.pytest_sessionfinish
pytest_terminal_summary = conformance.pytest_terminal_summary
pytest_testnodedown = conformance.pytest_testnodedown


@pytest.fixture(autouse=True)
def fresh_token_memory():
    """Each test starts without in-memory tokens: simulators of earlier tests in the same worker may
    have listened on the same loopback port, and their tokens mean nothing to a new simulator."""
    from ansible_collections.opencitrix.automation.plugins.module_utils import token_cache
    token_cache._MEMORY.clear()
    yield
    token_cache._MEMORY.clear()


@pytest.fixture(scope='session')
def sim_ca():
    """One throwaway CA for the session (issuing it costs more than starting a simulator)."""
    from tests.simulator.core import make_ca
    return make_ca()


@pytest.fixture
def make_sim(sim_ca, tmp_path):
    """Factory: ``make_sim(size=..., latency_ms=..., config=...)`` starts a TLS simulator on a free
    loopback port; every simulator it started is stopped after the test, and its DaaS and
    resource-location exchanges are checked against the vendor specs then (tests/conformance)."""
    from tests.simulator.core import Simulator
    started = []

    def factory(**kwargs):
        kwargs.setdefault('ca', sim_ca)
        kwargs.setdefault('workdir', str(tmp_path))
        sim = Simulator(**kwargs).start()
        conformance.start(sim)
        started.append(sim)
        return sim

    yield factory
    problems = []
    for sim in started:
        sim.stop()
        problems.extend(conformance.check(sim))
    if problems:
        pytest.fail(conformance.report(problems), pytrace=False)


@pytest.fixture
def sim(make_sim):
    """A started simulator with the default (small) estate."""
    return make_sim()
