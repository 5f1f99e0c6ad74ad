"""What every scenario needs: a context (size mode, working directory, simulators), metrics with
baselines and bounds, and timing."""

import os
import statistics
import tempfile
import time

from tests.harness import Runner
from tests.simulator.core import Simulator, make_ca


class Skipped(Exception):
    """Raised by a scenario that cannot run here (e.g. the seeds are absent): reported, not failed."""


class Metric:
    """One measured number. ``baseline`` (same run) gives a ratio; ``bound`` is the maximum a count
    may reach (checked in CI); ``goal`` is a minimum ratio the scenario should show."""

    def __init__(self, scenario, name, value, unit='', baseline=None, bound=None, goal=None, note=''):
        self.scenario = scenario
        self.name = name
        self.value = value
        self.unit = unit
        self.baseline = baseline
        self.bound = bound
        self.goal = goal
        self.note = note

    @property
    def ratio(self):
        if self.baseline in (None, 0) or self.value in (None, 0):
            return None
        return float(self.baseline) / float(self.value)

    @property
    def within_bound(self):
        return self.bound is None or self.value is None or self.value <= self.bound

    @property
    def meets_goal(self):
        return self.goal is None or (self.ratio is not None and self.ratio >= self.goal)

    @property
    def ok(self):
        return self.within_bound and self.meets_goal

    def as_dict(self):
        return {'scenario': self.scenario, 'metric': self.name, 'value': self.value, 'unit': self.unit,
                'baseline': self.baseline, 'ratio': self.ratio, 'bound': self.bound, 'goal': self.goal,
                'ok': self.ok, 'note': self.note}


class Context:
    """``quick``: small sizes for CI (counts are checked, times only reported)."""

    def __init__(self, quick=False, workdir=None):
        self.quick = quick
        self.workdir = workdir or tempfile.mkdtemp(prefix='opencitrix-bench-')
        self._ca = None
        self._sims = []

    def size(self, quick, full):
        return quick if self.quick else full

    def subdir(self, name):
        path = os.path.join(self.workdir, name)
        os.makedirs(path, exist_ok=True)
        return path

    def simulator(self, **kwargs):
        if self._ca is None:
            self._ca = make_ca()
        kwargs.setdefault('ca', self._ca)
        kwargs.setdefault('workdir', self.subdir('sim%d' % len(self._sims)))
        sim = Simulator(**kwargs).start()
        self._sims.append(sim)
        return sim

    def runner(self, name):
        return Runner(self.subdir(name))

    def close(self):
        for sim in self._sims:
            sim.stop()
        self._sims = []


def timed(func, *args, **kwargs):
    """(result, seconds) of one call."""
    start = time.perf_counter()
    result = func(*args, **kwargs)
    return result, time.perf_counter() - start


def per_item_ms(seconds, count):
    """Milliseconds per item, rounded for the table."""
    return round(1000.0 * seconds / count, 2)


def median_time(func, repeat=3):
    times = []
    for _attempt in range(repeat):
        times.append(timed(func)[1])
    return statistics.median(times)
