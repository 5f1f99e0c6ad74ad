"""Run a module of this collection in-process, as Ansible would run it, and return its result.

Used where a matrix would cost hundreds of ``ansible-playbook`` start-ups (the fault matrix): the
module's real ``main()`` runs with real arguments and talks to the simulator over real sockets;
only the process boundary is skipped. Playbook-level behaviour (forks, -vvvv output, module_defaults)
is still tested with real ``ansible-playbook`` runs.
"""

import contextlib
import importlib
import io
import json
import os

from ansible.module_utils import _internal
from ansible.module_utils.common import warnings as module_warnings
from ansible.module_utils.testing import patch_module_args

MODULES = 'ansible_collections.opencitrix.automation.plugins.modules.'


@contextlib.contextmanager
def module_process():
    """What a module process starts with: no warnings or deprecations left from an earlier run, and
    module (not controller) mode. Once a test in the same pytest worker has imported controller code (an
    inventory plugin, ``Display``), ansible-core sends ``module.warn()`` to the controller's display
    instead of the result, so a warning would go missing from the result depending on test order."""
    was_controller = _internal.is_controller
    _internal.is_controller = False
    module_warnings._global_warnings.clear()  # pylint: disable=protected-access
    module_warnings._global_deprecations.clear()  # pylint: disable=protected-access
    try:
        yield
    finally:
        _internal.is_controller = was_controller


@contextlib.contextmanager
def environment(env):
    """Replace the product variables of os.environ with ``env`` for the duration."""
    saved = dict(os.environ)
    for key in list(os.environ):
        if key.startswith(('CITRIX_', 'XENSERVER_', 'XENMOBILE_', 'STOREFRONT_')):
            del os.environ[key]
    os.environ.update(env or {})
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def run_module(name, args=None, env=None, check_mode=False, diff=False):
    """The module's result dict (``failed: true`` with ``msg`` on failure). An exception escaping
    ``main()`` is returned as ``{'failed': True, 'escaped': <repr>}`` so a matrix can report it."""
    module = importlib.import_module(MODULES + name)
    module_args = dict(args or {})
    module_args.update({'_ansible_check_mode': check_mode, '_ansible_diff': diff})
    out = io.StringIO()
    escaped = None
    with module_process(), environment(env), patch_module_args(module_args), contextlib.redirect_stdout(out):
        try:
            module.main()
        except SystemExit:
            pass
        except Exception as exc:  # pylint: disable=broad-except
            escaped = repr(exc)
    if escaped:
        return {'failed': True, 'escaped': escaped, 'output': out.getvalue()}
    text = out.getvalue().strip()
    try:
        return json.loads(text.splitlines()[-1] if text else '{}')
    except ValueError:
        return {'failed': True, 'escaped': 'non-JSON output', 'output': text}
