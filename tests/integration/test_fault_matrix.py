"""Issue 12's fault matrix: each module and inventory plugin against each fault, in-process against the
simulator (modules through tests/module_runner.py, plugins through tests/inventory_runner.py).

Outcomes are recorded under tests/output/reliability/; when every reliability test ran, the session
hook in this directory's conftest turns them into docs/reliability.md."""

import pytest

from tests.inventory_runner import run_inventory
from tests.module_runner import run_module
from tests.reliability import DEFECT, FAILED_CLEANLY, RECOVERED, cells, classify, issued_secrets, record

# Before a token-expiry fault: a read that caches a token (None: the token does not outlive a run).
WARM_UP = {'cloud': ('citrix_cloud_service_info', {}), 'daas_onprem': ('citrix_daas_session_info', {}),
           'xenmobile': (None, None)}


def run_probe(probe, args, env, workdir):
    if probe.plugin:
        return run_inventory(probe.plugin, args, workdir, env=env)
    return run_module(probe.module, args, env=env)


@pytest.mark.parametrize('probe,fault', cells(), ids=['%s-%s' % (p.id, f.key) for p, f in cells()])
def test_fault(probe, fault, make_sim, tmp_path, monkeypatch, simulator_waits):
    monkeypatch.setenv('XDG_CACHE_HOME', str(tmp_path / 'cache'))
    sim = make_sim(**probe.sim)
    simulator_waits(sim)
    probe.setup(sim)
    env = dict(probe.env(sim))
    args = {k: v.format(workdir=sim.workdir) if isinstance(v, str) else v for k, v in probe.args.items()}
    if fault.warm:
        module, warm_args = WARM_UP.get(probe.auth, (probe.module, args))
        if module:
            warm = run_module(module, warm_args, env=env)
            assert not warm.get('failed'), warm
    targets = probe.targets(sim) if probe.targets else None
    sim.reset()
    fault.inject(sim, probe, env, args)
    writes_before = sim.stats.writes()
    result = run_probe(probe, args, env, tmp_path)
    outcome, note = classify(result, issued_secrets(sim))
    if outcome == RECOVERED and not probe.complete(sim, result):
        outcome, note = DEFECT, 'reported success, but the result is incomplete or the change did not happen'
    breach = fault.breach(sim, probe, result, targets) or (
        fault.verify(sim, probe, result) if outcome == RECOVERED else None)
    if breach:
        outcome, note = DEFECT, breach
    if outcome == FAILED_CLEANLY and targets and fault.key.startswith(('write_', 'job_', 'batch_')):
        if not any(name in note for name in targets):
            outcome, note = DEFECT, 'a failed write does not say which object failed: ' + note
    expected = outcome in fault.allowed(probe)
    if fault.key in ('write_reset', 'write_500'):
        # the failed write was not repeated, and every other object's write was still sent (once); a batched
        # write reached each object once, in the batch or in the one sent after checking the objects; one that
        # leaves no trace to check (a message) at most once
        sent = sim.stats.count(route=probe.write_route) + sim.stats.items(route=probe.write_route)
        if probe.batch_route and not probe.resolves:
            assert sent <= len(targets)
        else:
            assert sent == (len(targets) if targets else 1)
    if fault.key == 'page_lost':
        assert sim.stats.writes() == writes_before, 'wrote after a partial read'
    assert fault.fired(sim, probe), 'the fault never happened, so this cell proves nothing'
    record('faults', '%s--%s' % (probe.id, fault.key), {
        'probe': probe.id, 'product': probe.product, 'fault': fault.key, 'outcome': outcome, 'note': note,
        'expected': expected, 'writes': sim.stats.writes() - writes_before})
    assert outcome != DEFECT, note
    allowed = sorted(fault.allowed(probe))
    assert expected, '%s under %s: %s (%s), allowed: %s' % (probe.id, fault.key, outcome, note, allowed)
