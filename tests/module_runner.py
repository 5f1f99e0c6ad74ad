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

from ansible.module_utils.testing import patch_module_args

MODULES = 'ansible_collections.opencitrix.automation.plugins.modules.'


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
    with environment(env), patch_module_args(module_args), contextlib.redirect_stdout(out):
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
