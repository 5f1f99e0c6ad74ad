"""Simulated services, a package each. Every package here whose ``__init__`` defines ``SERVICE`` (a
``base.Service`` subclass) is loaded; a new API is one new package, split by concern (state, seeding,
rendering, routes, and a ``service.py`` that wires them; see tests/simulator/README.md, "Layout")."""

import importlib
import pkgutil


def service_classes():
    classes = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        module = importlib.import_module('%s.%s' % (__name__, info.name))
        cls = getattr(module, 'SERVICE', None)
        if cls is not None:
            classes.append(cls)
    return classes


def load_services(sim, names=None):
    """Instantiate the services (all, or those named), in dependency order given by ``after``."""
    classes = [c for c in service_classes() if names is None or c.name in names]
    ordered, seen = [], set()

    def visit(cls):
        if cls.name in seen:
            return
        seen.add(cls.name)
        for dep in getattr(cls, 'after', ()):
            for other in classes:
                if other.name == dep:
                    visit(other)
        ordered.append(cls)

    for cls in classes:
        visit(cls)
    instances = []
    for cls in ordered:
        service = cls(sim)
        sim.services[cls.name] = service  # visible to later services' constructors
        instances.append(service)
    return instances
