# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What a client tells a module happened: one type for a single object, one for a fleet.

- :class:`Change`: one object brought to a desired state (or, in check mode, what would be done):
  ``changed``, ``before`` and ``after`` (plain data, or None when the object does not exist) and
  warnings; ``failure``: one line naming what could not be done when part of the change failed (the
  module then fails, returning the rest); ``result`` holds further values the module returns.
- :class:`FleetResult`: one outcome per object of a fleet action (machines, sessions, VMs), each a
  dict with at least ``name``, ``outcome`` (``changed``, ``unchanged``, ``skipped`` or ``failed``) and
  ``reason``; actions run with bounded concurrency, one failure never stops the others, and the
  failures are reported together at the end.

``CitrixModule.exit_change`` and ``CitrixModule.exit_fleet`` turn them into the module's result.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.opencitrix.automation.plugins.module_utils.concurrency import DEFAULT_HARD_CAP, run_bounded
from ansible_collections.opencitrix.automation.plugins.module_utils.targets import check_max_targets

OUTCOMES = ('changed', 'unchanged', 'skipped', 'failed')


class Change:
    """What an ``ensure_*`` call did (or would do in check mode) to one object."""

    __slots__ = ('changed', 'before', 'after', 'warnings', 'failure', 'result')

    def __init__(self, changed, before=None, after=None, warnings=None, failure=None, **result):
        self.changed = bool(changed)
        self.before = before
        self.after = after
        self.warnings = list(warnings or ())
        self.failure = failure
        self.result = result


class FleetResult:
    """Per-object outcomes of one fleet action, in target order. ``what`` names the action in the
    failure message ("Power action")."""

    def __init__(self, what, items=None):
        self.what = what
        self.items = list(items or ())
        self.warnings = []

    def add(self, name, outcome, reason=None, **fields):
        """Append one object's entry and return it (callers fill in fields as the action proceeds)."""
        if outcome not in OUTCOMES:
            raise ValueError('unknown outcome %r' % (outcome,))
        item = dict(fields, name=name, outcome=outcome, reason=reason)
        self.items.append(item)
        return item

    def with_outcome(self, outcome):
        return [item for item in self.items if item['outcome'] == outcome]

    @property
    def changed(self):
        return any(item['outcome'] == 'changed' for item in self.items)

    @property
    def failed(self):
        return self.with_outcome('failed')

    def counts(self, **extra):
        counts = dict((outcome, 0) for outcome in OUTCOMES)
        for item in self.items:
            counts[item['outcome']] += 1
        counts.update(extra)
        return counts

    @staticmethod
    def fail(item, reason, **fields):
        """Mark ``item`` failed with ``reason`` (an error or text). An item with a ``transaction_id`` field
        (DaaS) takes the one the error names, the server's id of the request that failed."""
        item.update(fields, outcome='failed', reason=str(reason))
        if 'transaction_id' in item and getattr(reason, 'transaction_id', None):
            item['transaction_id'] = reason.transaction_id
        return item

    def check_max_targets(self, max_targets, noun):
        """Refuse with InputError (before any write, in check mode too) when more objects than
        ``max_targets`` would change, naming them; None: no limit."""
        check_max_targets([item['name'] for item in self.with_outcome('changed')], max_targets, noun)
        return self

    def run_changes(self, func, concurrency, hard_cap=DEFAULT_HARD_CAP, on_failure=None):
        """Call ``func(item)`` for every item whose outcome is ``changed``, with at most ``concurrency``
        in flight; a failure marks that item ``failed`` with the error (and calls ``on_failure(item)``),
        after every other call was made."""
        for outcome in run_bounded(self.with_outcome('changed'), func, concurrency, hard_cap):
            if not outcome.ok:
                self.fail(outcome.item, outcome.error)
                if on_failure is not None:
                    on_failure(outcome.item)
        return self

    def failure_message(self, shown=5):
        """One line naming the objects that failed (None when none failed)."""
        failed = self.failed
        if not failed:
            return None
        listed = '; '.join('%s: %s' % (item['name'], item['reason']) for item in failed[:shown])
        more = ' (and %d more, see results)' % (len(failed) - shown) if len(failed) > shown else ''
        return '%s failed for %d of %d: %s%s' % (self.what, len(failed), len(self.items), listed, more)

    def diff(self, field, before, after):
        """``--diff`` of the changed objects: ``({field: {name: before}}, {field: {name: after}})``, or
        ``({name: before}, {name: after})`` when ``field`` is None; ``before`` and ``after`` are item keys
        or functions of an item."""
        changed = self.with_outcome('changed')

        def values(key):
            found = dict((item['name'], key(item) if callable(key) else item[key]) for item in changed)
            return found if field is None else {field: found}
        return values(before), values(after)
