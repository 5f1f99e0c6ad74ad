"""Driving the collection's Event-Driven Ansible sources the way ansible-rulebook does: the plugin file
loaded with ``runpy``, its ``main(queue, args)`` run as an asyncio task, events read from the queue.
Tests call ``asyncio.run(scenario())`` from plain test functions."""

import asyncio
import contextlib
import logging
import os
import runpy
import time

from tests.harness import ROOT

SOURCES = os.path.join(ROOT, 'extensions', 'eda', 'plugins', 'event_source')


def load_source(name):
    """The plugin's globals, as ansible-rulebook loads them (``runpy.run_path``)."""
    return runpy.run_path(os.path.join(SOURCES, name + '.py'))


class RunningSource:
    """``async with RunningSource(name, args) as source``: the source runs as a task until the block
    ends, then is cancelled (as ansible-rulebook cancels sources on shutdown) and awaited."""

    def __init__(self, name, args):
        self.main = load_source(name)['main']
        self.args = args
        self.queue = asyncio.Queue()
        self.task = None

    async def __aenter__(self):
        self.task = asyncio.create_task(self.main(self.queue, self.args))
        return self

    async def __aexit__(self, *exc_info):
        await self.stop()

    async def stop(self):
        """Cancel the source and wait until it has finished (its session logged out). A source that
        already ended keeps its outcome for the test to read."""
        if self.task.done():
            return
        self.task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self.task

    def check_alive(self):
        if self.task.done():
            self.task.result()  # raises the source's error
            raise AssertionError('the source ended on its own')

    async def next(self, timeout=5.0):
        """The next event, or fail after ``timeout`` seconds."""
        getter = asyncio.ensure_future(self.queue.get())
        done, _pending = await asyncio.wait([getter, self.task], timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        if getter in done:
            return getter.result()
        getter.cancel()
        self.check_alive()
        raise AssertionError('no event within %ss' % timeout)

    async def drain(self, quiet=0.5):
        """Every event until none came for ``quiet`` seconds."""
        events = []
        while True:
            try:
                events.append(await asyncio.wait_for(self.queue.get(), quiet))
            except asyncio.TimeoutError:
                self.check_alive()
                return events


async def until(predicate, timeout=10.0, source=None, what='condition'):
    """Wait until ``predicate()`` is true (checking that ``source`` is still running)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if source is not None:
            source.check_alive()
        if time.monotonic() > deadline:
            raise AssertionError('timed out waiting for %s' % what)
        await asyncio.sleep(0.02)


@contextlib.contextmanager
def captured_logs():
    """Every log record of the process at DEBUG level, as text lines."""
    lines = []

    class Collect(logging.Handler):
        def emit(self, record):
            lines.append(self.format(record))

    handler = Collect(level=logging.DEBUG)
    root = logging.getLogger()
    previous = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield lines
    finally:
        root.removeHandler(handler)
        root.setLevel(previous)
