# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Blast-radius guards of the modules that act on many objects at once (machines, sessions, VMs).

- A target option given with an empty value (``""``, blanks, ``[]``, a list with an empty entry) is an
  error: an empty variable in a playbook never widens a task to the whole site or pool.
- Acting on the whole site or pool needs ``all_targets: true``; no target and no ``all_targets`` is an
  error, and so is ``all_targets`` together with a target (the two contradict).
- ``max_targets`` refuses a task that would change more objects than that, before any write.

Pure functions: no AnsibleModule, no request; they raise ``errors.InputError``. Modules document the two
options with the ``opencitrix.automation.fleet`` doc fragment.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.opencitrix.automation.plugins.module_utils import errors

SHOWN = 5  # objects named in a max_targets refusal


def fleet_argument_spec():
    """``all_targets`` and ``max_targets``, named the same in every module that acts on a fleet."""
    return dict(
        all_targets=dict(type='bool', default=False),
        max_targets=dict(type='int'),
    )


def _refusal(noun, scope):
    return ('refusing to act: an empty target never means every %s (set all_targets: true to act on the whole %s)'
            % (noun, scope))


def _blank(value):
    return value is None or not str(value).strip()


def _one_of(options):
    options = list(options)
    return options[0] if len(options) == 1 else '%s or %s' % (', '.join(options[:-1]), options[-1])


def emptiness(value):
    """What is empty about a target value that was given (not None): a phrase, or None when it is not empty."""
    if isinstance(value, (list, tuple)):
        if not value:
            return 'is an empty list'
        if any(_blank(entry) for entry in value):
            return 'contains an empty entry'
        return None
    return 'is empty' if _blank(value) else None


def check_targets(params, options, noun='machine', scope='site'):
    """Validate the target options of a module's parameters before any request; returns the names of the
    target options given. ``options`` lists the module's target options in the order its docs name them;
    ``params`` also holds ``all_targets`` and ``max_targets`` (``fleet_argument_spec``)."""
    given = []
    for option in options:
        value = params.get(option)
        if value is None:
            continue
        problem = emptiness(value)
        if problem:
            raise errors.InputError('%s %s' % (option, problem), hint=_refusal(noun, scope))
        given.append(option)
    max_targets = params.get('max_targets')
    if max_targets is not None and max_targets < 1:
        raise errors.InputError('max_targets must be at least 1, got %s' % max_targets,
                                hint='leave it unset for no limit')
    if params.get('all_targets') and given:
        raise errors.InputError('all_targets: true contradicts %s' % ', '.join(given),
                                hint='name the %ss to act on, or set all_targets: true for every %s of the %s, '
                                     'not both' % (noun, noun, scope))
    if not params.get('all_targets') and not given:
        raise errors.InputError('No %s named' % noun, hint='set %s, or all_targets: true to act on every %s of the %s'
                                % (_one_of(options), noun, scope))
    return given


def require_named(values, all_targets, noun='machine', scope='site'):
    """The same rule for clients, which do not know option names: ``values`` are the target values given
    (None: not given, dropped). An empty one is an error; none at all is an error unless ``all_targets``
    (the caller asked for every object). Returns the values given."""
    named = [v for v in values if v is not None]
    if any(_blank(v) for v in named):
        raise errors.InputError('An empty %s target was given' % noun, hint=_refusal(noun, scope))
    if not named and not all_targets:
        raise errors.InputError('No %s named' % noun,
                                hint='refusing to act on every %s of the %s unless all_targets is set' % (noun, scope))
    return named


def check_max_targets(names, max_targets, noun='machines'):
    """Refuse, before any write, when more than ``max_targets`` objects would change; ``names`` names them
    (the module's plan, as check mode reports it)."""
    if max_targets is None or len(names) <= max_targets:
        return
    shown = ', '.join(str(n) for n in names[:SHOWN])
    more = ' and %d more' % (len(names) - SHOWN) if len(names) > SHOWN else ''
    raise errors.InputError('%d %s would change, more than max_targets (%d): %s%s' % (
        len(names), noun, max_targets, shown, more),
        hint='nothing was changed; narrow the targets or raise max_targets')
