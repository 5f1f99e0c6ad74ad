# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""An overall deadline per request, for HTTP and XML-RPC alike.

Socket timeouts bound each read, not the whole answer: a server that sends one byte a second never
trips them. A :class:`Deadline` is armed for one request; every socket that request uses is attached
to it; when the deadline passes, one watchdog thread (shared by the process) shuts those sockets
down, which ends the blocked read at once. The caller then sees ``deadline.expired`` and reports a
timeout instead of whatever the interrupted read raised.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib
import heapq
import itertools
import socket
import threading
import time

_CURRENT = threading.local()


class Deadline:
    """The deadline of one request: ``seconds`` from when it is armed."""

    def __init__(self, seconds, now=time.monotonic):
        self.seconds = float(seconds)
        self.when = now() + self.seconds
        self.expired = False
        self.done = False
        self._sockets = []
        self._lock = threading.Lock()

    def attach(self, sock):
        """Watch ``sock`` (shut it down now when the deadline has already passed)."""
        if sock is None:
            return
        with self._lock:
            if not self.expired:
                self._sockets.append(sock)
                return
        _shutdown(sock)

    def expire(self):
        with self._lock:
            self.expired = True
            sockets, self._sockets = self._sockets, []
        for sock in sockets:
            _shutdown(sock)

    def finish(self):
        with self._lock:
            self._sockets = []


def _shutdown(sock):
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except (OSError, ValueError):
        pass


class _Watchdog:
    """One daemon thread that expires armed deadlines at their time."""

    def __init__(self):
        self._heap = []
        self._order = itertools.count()
        self._condition = threading.Condition()
        self._thread = None

    def arm(self, deadline):
        with self._condition:
            heapq.heappush(self._heap, (deadline.when, next(self._order), deadline))
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name='opencitrix-deadlines', daemon=True)
                self._thread.start()
            self._condition.notify()

    def _run(self):
        while True:
            with self._condition:
                while not self._heap:
                    self._condition.wait()
                when, _order, deadline = self._heap[0]
                delay = when - time.monotonic()
                if delay > 0:
                    self._condition.wait(delay)
                    continue
                heapq.heappop(self._heap)
            if not deadline.done:
                deadline.expire()


_WATCHDOG = _Watchdog()


@contextlib.contextmanager
def armed(seconds):
    """Arm a deadline of ``seconds`` for the request made inside the block (None: no deadline); the
    sockets it opens or reuses attach themselves through :func:`attach_current`."""
    if not seconds:
        yield None
        return
    deadline = Deadline(seconds)
    previous = getattr(_CURRENT, 'deadline', None)
    _CURRENT.deadline = deadline
    _WATCHDOG.arm(deadline)
    try:
        yield deadline
    finally:
        deadline.done = True
        deadline.finish()
        _CURRENT.deadline = previous


def attach_current(sock):
    """Attach ``sock`` to the deadline armed in this thread, if any."""
    deadline = getattr(_CURRENT, 'deadline', None)
    if deadline is not None:
        deadline.attach(sock)
