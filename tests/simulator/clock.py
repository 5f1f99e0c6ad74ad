"""Simulator time: :class:`SimClock`, real time times a scale plus explicit advances."""

import threading
import time


class SimClock:
    """Simulator time: real time times ``scale``, plus explicit advances. Services use it for anything
    that changes over time (token expiry, a machine finishing boot), so tests never wait."""

    def __init__(self, scale=1.0):
        self._lock = threading.Lock()
        self._base_real = time.monotonic()
        self._base_sim = time.time()
        self.scale = float(scale)
        self.offset = 0.0

    def now(self):
        with self._lock:
            return self._base_sim + (time.monotonic() - self._base_real) * self.scale + self.offset

    def advance(self, seconds):
        with self._lock:
            self.offset += float(seconds)

    def set_scale(self, scale):
        current = self.now()
        with self._lock:
            self._base_real = time.monotonic()
            self._base_sim = current - self.offset
            self.scale = float(scale)
