"""Driving the collection's Event-Driven Ansible sources the way ansible-rulebook does: the plugin file
loaded with ``runpy``, its ``main(queue, args)`` run as an asyncio task, events read from the queue.
Tests call ``asyncio.run(scenario())`` from plain test functions. :class:`Rulebook` runs the real
``ansible-rulebook`` (from ``make rulebook-venv``) on an example rulebook."""

import asyncio
import contextlib
import logging
import os
import runpy
import signal
import subprocess
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


# -- the real ansible-rulebook ----------------------------------------------------------------------

RULEBOOK_VENV = os.path.join(ROOT, '.venv-rulebook')


def rulebook_command():
    """The ``ansible-rulebook`` of ``make rulebook-venv`` (or ``OPENCITRIX_RULEBOOK``); the tests that need it
    are skipped without it, unless ``OPENCITRIX_REQUIRE_RULEBOOK`` is set (``make pytest`` sets it)."""
    import pytest
    command = os.environ.get('OPENCITRIX_RULEBOOK') or os.path.join(RULEBOOK_VENV, 'bin', 'ansible-rulebook')
    if not os.path.exists(command):
        message = 'no ansible-rulebook at %s: run make rulebook-venv' % command
        if os.environ.get('OPENCITRIX_REQUIRE_RULEBOOK'):
            pytest.fail(message)
        pytest.skip(message)
    return command


class Rulebook:
    """``ansible-rulebook -r opencitrix.automation.<name> -i <localhost> -v`` in a process of its own, with
    ``env`` (the connection) and the ``--vars`` file of ``variables``; its output goes to a file.
    :meth:`stop` sends a signal and returns the exit code and the output."""

    def __init__(self, workdir, name, env, variables=None):
        import yaml
        from tests.harness import ansible_env
        command = rulebook_command()
        self.workdir = str(workdir)
        inventory = os.path.join(self.workdir, 'rulebook-inventory.yml')
        with open(inventory, 'w') as handle:
            yaml.safe_dump({'all': {'hosts': {'localhost': {'ansible_connection': 'local'}}}}, handle)
        args = [command, '-r', 'opencitrix.automation.' + name, '-i', inventory, '-v']
        if variables:
            settings = os.path.join(self.workdir, 'rulebook-vars.yml')
            with open(settings, 'w') as handle:
                yaml.safe_dump(variables, handle)
            args += ['--vars', settings]
        environment = ansible_env(self.workdir, env)
        environment['HOME'] = self.workdir  # what a playbook writes by default (a report) stays in the test
        # The playbooks of run_playbook actions run with the rulebook environment's ansible-playbook.
        environment['PATH'] = os.path.dirname(command) + os.pathsep + environment['PATH']
        self.log = os.path.join(self.workdir, 'rulebook.log')
        self.started = time.monotonic()
        with open(self.log, 'wb') as output:
            self.process = subprocess.Popen(args, env=environment, cwd=self.workdir, stdout=output,
                                            stderr=subprocess.STDOUT)

    @property
    def output(self):
        with open(self.log, errors='replace') as handle:
            return handle.read()

    def wait_until(self, predicate, timeout=120.0, what='condition'):
        """Poll ``predicate()`` until true; fail (with the output) if the process ends or time runs out."""
        deadline = time.monotonic() + timeout
        while not predicate():
            if self.process.poll() is not None:
                raise AssertionError('ansible-rulebook ended (rc %s) before %s:\n%s'
                                     % (self.process.returncode, what, self.output[-4000:]))
            if time.monotonic() > deadline:
                self.stop()
                raise AssertionError('timed out waiting for %s:\n%s' % (what, self.output[-4000:]))
            time.sleep(0.1)

    def stop(self, signum=signal.SIGTERM, timeout=30):
        """Send ``signum``; ``(exit code, seconds until it exited)``."""
        sent = time.monotonic()
        if self.process.poll() is None:
            self.process.send_signal(signum)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        return self.process.returncode, time.monotonic() - sent
