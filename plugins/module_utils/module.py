# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The small base every module of the collection stands on.

``CitrixModule`` merges a product's connection spec with the module's own options, reports missing
Python libraries with ``missing_required_lib``, keeps a redactor seeded with every ``no_log`` value,
and turns the typed errors of ``errors.py`` into one-line ``fail_json`` messages (no tracebacks,
no secrets). ``exit_change`` and ``exit_fleet`` end a module from the result types of
:mod:`results`; ``diff_result`` is the one place that shapes before/after for ``--diff``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib

from ansible.module_utils.basic import AnsibleModule, missing_required_lib
from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from ansible_collections.opencitrix.automation.plugins.module_utils import errors
from ansible_collections.opencitrix.automation.plugins.module_utils.redaction import Redactor
from ansible_collections.opencitrix.automation.plugins.module_utils.transport import HAS_REQUESTS


class CitrixModule(AnsibleModule):
    """AnsibleModule plus the collection's conventions.

    ``connection_spec``: the product's shared options (e.g. ``cloud_argument_spec()``); the module's
    own ``argument_spec`` is merged over it. ``libraries``: ``(pip name, available)`` pairs checked
    before anything else runs.
    """

    def __init__(self, argument_spec, connection_spec=None, libraries=(('requests', HAS_REQUESTS),), **kwargs):
        spec = dict(connection_spec or {})
        spec.update(argument_spec)
        kwargs.setdefault('supports_check_mode', True)
        super(CitrixModule, self).__init__(argument_spec=spec, **kwargs)
        for name, available in libraries:
            if not available:
                self.fail_json(msg=missing_required_lib(name))
        self.redactor = Redactor(self._secret_params(spec, self.params))

    @staticmethod
    def _secret_params(spec, params):
        secrets = []
        for name, option in spec.items():
            value = params.get(name) if isinstance(params, dict) else None
            if option.get('no_log') and isinstance(value, str):
                secrets.append(value)
            elif option.get('options') and isinstance(value, dict):
                secrets.extend(CitrixModule._secret_params(option['options'], value))
            elif option.get('options') and isinstance(value, list):
                for item in value:
                    secrets.extend(CitrixModule._secret_params(option['options'], item))
        return secrets

    def add_secret(self, value):
        """Mask ``value`` (e.g. a token obtained at run time) in every message and result."""
        self.redactor.add(value)

    def _mask_learned_secrets(self):
        # Clients register tokens with the shared redactor as they obtain them; Ansible then masks
        # those values in results and warnings too. (AnsibleModule may fail before the redactor exists.)
        redactor = getattr(self, 'redactor', None)
        if redactor is not None:
            self.no_log_values.update(redactor.secrets)

    def exit_json(self, **kwargs):
        self._mask_learned_secrets()
        super(CitrixModule, self).exit_json(**kwargs)

    def fail_json(self, msg, **kwargs):
        self._mask_learned_secrets()
        redactor = getattr(self, 'redactor', None)
        super(CitrixModule, self).fail_json(msg=redactor(msg) if redactor else msg, **kwargs)

    def debug_log(self, message):
        self.debug(self.redactor(message))

    @contextlib.contextmanager
    def handle_errors(self, **result):
        """Run the body; a typed error becomes ``fail_json`` with one readable line. ``result`` holds
        values to return with the failure (e.g. partial per-object outcomes)."""
        try:
            yield
        except errors.CitrixError as exc:
            self.fail_json(msg=self.redactor(str(exc)), error_type=type(exc).__name__,
                           status_code=exc.status, api_error_code=exc.code, **result)
        except (KeyboardInterrupt, SystemExit):
            raise
        except Exception as exc:  # pylint: disable=broad-except
            # Anything untyped is a defect of this collection; still no traceback or secret in output.
            self.fail_json(msg=self.redactor('Unexpected %s: %s (please report this as a bug of '
                                             'opencitrix.automation)' % (type(exc).__name__, exc)),
                           error_type=type(exc).__name__, **result)

    def exit_change(self, change, key=None, view=None, **result):
        """End the module from a :class:`results.Change`: ``changed``, the object after the task under
        ``key`` (through ``view``, e.g. ``snake_case``), its before/after for ``--diff``, warnings and
        ``result``. Fails with ``change.failure``, returning all of that, when part of the change failed."""
        view = view or (lambda value: value)
        for warning in change.warnings:
            self.warn(warning)
        result = dict(change.result, **result)
        result['changed'] = change.changed
        if key is not None:
            result[key] = view(change.after)
        if self._diff:
            result['diff'] = diff_result(view(change.before), view(change.after))
        if change.failure:
            self.fail_json(msg=change.failure, **result)
        self.exit_json(**result)

    def exit_fleet(self, fleet, key, diff=None, **result):
        """End the module from a :class:`results.FleetResult`: the items under ``key`` and their counts;
        ``diff``: ``(before, after)`` for ``--diff``. Fails, after every object was handled, when any
        object failed, naming them."""
        for warning in fleet.warnings:
            self.warn(warning)
        result.setdefault('counts', fleet.counts())
        result.update({'changed': fleet.changed, key: fleet.items})
        if self._diff and diff is not None:
            result['diff'] = diff_result(*diff)
        message = fleet.failure_message()
        if message:
            self.fail_json(msg=message, **result)
        self.exit_json(**result)


def diff_result(before, after):
    """The ``diff`` value for a result: plain before/after dicts (Ansible renders them as YAML)."""
    return {'before': before if before is not None else {}, 'after': after if after is not None else {}}


_SNAKE_KEYS = {}
_SNAKE_KEYS_MAX = 20000


def _snake_key(key):
    """One key as ``camel_dict_to_snake_dict`` converts it, converted once per process (listings of thousands
    of objects repeat the same few dozen keys)."""
    if not isinstance(key, str):
        return key
    converted = _SNAKE_KEYS.get(key)
    if converted is None:
        converted = next(iter(camel_dict_to_snake_dict({key: None})))
        if len(_SNAKE_KEYS) < _SNAKE_KEYS_MAX:
            _SNAKE_KEYS[key] = converted
    return converted


def snake_case(value):
    """API objects (camelCase or PascalCase keys) in the snake_case Ansible results use: the keys of every
    nested dictionary, also inside lists, as ``camel_dict_to_snake_dict`` converts them."""
    if isinstance(value, list):
        return [snake_case(item) for item in value]
    if isinstance(value, dict):
        return dict((_snake_key(key), snake_case(item)) for key, item in value.items())
    return value
