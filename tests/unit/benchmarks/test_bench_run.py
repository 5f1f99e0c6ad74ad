"""The benchmark runner's verdicts: count bounds fail every run, ratio goals only full runs, and a
skipped scenario is reported without failing."""

import json
import types

import pytest

import bench.run
from bench.common import Metric, Skipped


def scenario(name, metrics=None, skip=None):
    def run(_ctx):
        if skip:
            raise Skipped(skip)
        return metrics
    return types.SimpleNamespace(NAME=name, DESCRIPTION=name, run=run)


@pytest.fixture
def run_with(monkeypatch, tmp_path, capsys):
    def go(modules, *args):
        monkeypatch.setattr(bench.run.scenarios, 'load', lambda: modules)
        output = tmp_path / 'out.json'
        code = bench.run.main(list(args) + ['--output', str(output)])
        with open(output) as handle:
            return code, json.load(handle), capsys.readouterr().out
    return go


def test_metric_bounds_goals_and_ratio():
    assert Metric('s', 'm', 12, bound=12).ok and not Metric('s', 'm', 13, bound=12).ok
    faster = Metric('s', 'm', 2.0, baseline=50.0, goal=15)
    assert faster.ratio == 25.0 and faster.meets_goal and faster.within_bound
    slower = Metric('s', 'm', 5.0, baseline=50.0, goal=15)
    assert slower.ratio == 10.0 and not slower.meets_goal and not slower.ok
    assert Metric('s', 'm', 0, baseline=42).ratio is None and not Metric('s', 'm', 0, goal=2).meets_goal


def test_a_count_over_its_bound_fails_quick_and_full_runs(run_with):
    over = scenario('counts', [Metric('counts', 'requests', 13, 'req', bound=12)])
    for mode in ((), ('--quick',)):
        code, results, out = run_with([over], *mode)
        assert code == 1 and 'FAILED: counts/requests' in out
        assert results['metrics'][0]['ok'] is False


def test_a_missed_ratio_goal_fails_only_a_full_run(run_with):
    slow = scenario('speed', [Metric('speed', 'per machine', 5.0, 'ms', baseline=50.0, goal=15)])
    code, results, out = run_with([slow], '--quick')
    assert code == 0 and results['mode'] == 'quick' and 'FAILED' not in out
    code, results, out = run_with([slow])
    assert code == 1 and 'FAILED: speed/per machine' in out and results['mode'] == 'full'


def test_a_skipped_scenario_is_reported_not_failed(run_with):
    fine = scenario('fine', [Metric('fine', 'requests', 1, 'req', bound=1)])
    code, results, out = run_with([scenario('seeded', skip='seed 001 not found'), fine], '--quick')
    assert code == 0
    assert results['skipped'] == [{'scenario': 'seeded', 'reason': 'seed 001 not found'}]
    assert 'skipped seeded: seed 001 not found' in out and [m['scenario'] for m in results['metrics']] == ['fine']
