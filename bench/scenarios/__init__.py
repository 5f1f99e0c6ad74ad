"""Benchmark scenarios. Each module defines ``NAME``, ``DESCRIPTION`` and ``run(ctx)`` returning a
list of :class:`bench.common.Metric`; modules are run in file-name order."""

import importlib
import pkgutil


def load():
    modules = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        module = importlib.import_module('%s.%s' % (__name__, info.name))
        if hasattr(module, 'run'):
            modules.append(module)
    return modules
