# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""How the collection waits: retry backoffs, job and task polling.

Clients take a ``sleep`` (or a :class:`Clock`) in their constructors. What they get when none is given
is the process's clock, the system's unless a caller that runs modules in-process (a test against the
simulator, a benchmark) installs another with :func:`using` for the duration.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib
import time


class Clock:
    """``sleep(seconds)``, ``monotonic()`` and ``time()`` of one notion of time."""

    def __init__(self, sleep=time.sleep, monotonic=time.monotonic, wall=time.time):
        self.sleep = sleep
        self.monotonic = monotonic
        self.time = wall


SYSTEM = Clock()
_INSTALLED = [SYSTEM]


def current():
    """The clock of this process (the system's unless :func:`using` installed another)."""
    return _INSTALLED[-1]


def sleep(seconds):
    current().sleep(seconds)


@contextlib.contextmanager
def using(clock):
    """Make ``clock`` the process's clock inside the block."""
    _INSTALLED.append(clock)
    try:
        yield clock
    finally:
        _INSTALLED.remove(clock)
