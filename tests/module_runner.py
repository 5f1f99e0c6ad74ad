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

from ansible.module_utils.common import warnings as module_warnings
from ansible.release import __version__ as ANSIBLE_CORE_VERSION

MODULES = 'ansible_collections.opencitrix.automation.plugins.modules.'
# The process state reset below is ansible-core 2.19's; other versions run modules through ansible-playbook.
SUPPORTED_CORE = '2.19.'


def _module_process_state():
    """The two pieces of process state a real module process starts without, as ansible-core 2.19 keeps
    them: whether controller code ran in this process (once an inventory plugin or ``Display`` was
    imported, ``module.warn()`` goes to the controller's display instead of the result), and the warnings
    and deprecations collected so far. Returns a function that puts back the first."""
    if not ANSIBLE_CORE_VERSION.startswith(SUPPORTED_CORE):
        raise RuntimeError('tests/module_runner.py runs modules in-process on ansible-core %sx only, not %s'
                           % (SUPPORTED_CORE, ANSIBLE_CORE_VERSION))
    from ansible.module_utils import _internal  # pylint: disable=import-outside-toplevel
    was_controller = _internal.is_controller
    _internal.is_controller = False
    module_warnings._global_warnings.clear()  # pylint: disable=protected-access
    module_warnings._global_deprecations.clear()  # pylint: disable=protected-access

    def restore():
        _internal.is_controller = was_controller
    return restore


@contextlib.contextmanager
def module_process():
    """Run the block as a module process starts: module (not controller) mode, no warnings left over."""
    restore = _module_process_state()
    try:
        yield
    finally:
        restore()


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
    from ansible.module_utils.testing import patch_module_args  # pylint: disable=import-outside-toplevel
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
