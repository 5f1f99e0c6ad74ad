"""Issue 12's fault matrix: each module against each fault, in-process against the simulator.

Outcomes are written to tests/output/reliability/; when the whole matrix ran, the session hook in
this directory's conftest turns them into docs/reliability.md."""

import json
import os
import types

import pytest

from ansible_collections.opencitrix.automation.plugins.module_utils import transport
from tests.harness import ROOT
from tests.module_runner import run_module
from tests.reliability import DEFECT, cells, classify

OUTCOMES = os.path.join(ROOT, 'tests', 'output', 'reliability')


@pytest.fixture
def no_backoff(monkeypatch):
    """Retries happen as in production, but their waits are skipped (the delays themselves are
    tested in test_transport_faults.py)."""
    import time as real_time
    fake = types.SimpleNamespace(sleep=lambda seconds: None, time=real_time.time, monotonic=real_time.monotonic)
    monkeypatch.setattr(transport, 'time', fake)


@pytest.mark.parametrize('probe,fault', cells(), ids=['%s-%s' % (p.id, f.key) for p, f in cells()])
def test_fault(probe, fault, sim, tmp_path, monkeypatch, no_backoff):
    monkeypatch.setenv('XDG_CACHE_HOME', str(tmp_path / 'cache'))
    probe.setup(sim)
    env = dict(probe.env(sim))
    args = dict(probe.args)
    if probe.auth == 'cloud' and fault.key == 'token_expired':
        warm = run_module('citrix_cloud_service_info', {}, env=env)  # caches a token, then it expires
        assert not warm.get('failed'), warm
    sim.reset()
    fault.inject(sim, probe, env, args)
    writes_before = sim.stats.writes()
    result = run_module(probe.module, args, env=env)
    outcome, note = classify(result, probe.secrets(sim))
    expected = outcome in fault.expect.get(probe.kind, set())
    if fault.key in ('write_reset', 'write_500'):
        # never repeated: at most one write reached the server
        assert sim.stats.count(route=probe.write_route) == 1
    if fault.key == 'page_lost':
        assert sim.stats.writes() == writes_before, 'wrote after a partial read'
    os.makedirs(OUTCOMES, exist_ok=True)
    with open(os.path.join(OUTCOMES, '%s--%s.json' % (probe.id.replace(':', '_'), fault.key)), 'w') as handle:
        json.dump({'probe': probe.id, 'product': probe.product, 'fault': fault.key, 'outcome': outcome,
                   'note': note, 'expected': expected, 'writes': sim.stats.writes() - writes_before}, handle)
    assert outcome != DEFECT, note
    allowed = sorted(fault.expect.get(probe.kind, ()))
    assert expected, '%s under %s: %s (%s), allowed: %s' % (probe.id, fault.key, outcome, note, allowed)
