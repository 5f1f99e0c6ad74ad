"""TokenCache: file permissions, key separation, expiry margin, and one fetch among concurrent processes."""

import json
import multiprocessing
import os
import stat
import time

import pytest

from ansible_collections.opencitrix.automation.plugins.module_utils.token_cache import (
    TokenCache, cache_key, secret_fingerprint,
)
from ansible_collections.opencitrix.automation.plugins.module_utils import token_cache as tc


@pytest.fixture(autouse=True)
def clean_memory():
    tc._MEMORY.clear()
    yield
    tc._MEMORY.clear()


def test_files_are_private_and_hold_no_secret(tmp_path):
    cache = TokenCache(directory=str(tmp_path / 'c'), now=lambda: 1000.0)
    key = cache_key('host', 'client', secret_fingerprint('the-secret-value'))
    assert cache.get_or_fetch(key, lambda: ('tok-1', 3600)) == 'tok-1'
    directory = tmp_path / 'c'
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    files = [p for p in directory.iterdir() if p.name.endswith('.json')]
    assert len(files) == 1
    assert stat.S_IMODE(files[0].stat().st_mode) == 0o600
    assert 'the-secret-value' not in files[0].read_text() and 'the-secret-value' not in files[0].name
    assert json.loads(files[0].read_text()) == {'token': 'tok-1', 'expires_at': 4600.0}


def test_reuses_until_margin_then_refetches(tmp_path):
    clock = {'t': 0.0}
    cache = TokenCache(directory=str(tmp_path), now=lambda: clock['t'], margin=60)
    fetched = []

    def fetch():
        fetched.append(1)
        return 'tok-%d' % len(fetched), 3600

    assert cache.get_or_fetch('k', fetch) == 'tok-1'
    clock['t'] = 3539
    assert cache.get_or_fetch('k', fetch) == 'tok-1'
    clock['t'] = 3541
    assert cache.get_or_fetch('k', fetch) == 'tok-2'


def test_other_secret_other_key():
    assert cache_key('h', 'c', secret_fingerprint('a')) != cache_key('h', 'c', secret_fingerprint('b'))


def test_file_shared_between_instances_and_invalidate_is_guarded(tmp_path):
    first = TokenCache(directory=str(tmp_path))
    first.get_or_fetch('k', lambda: ('tok-a', 3600))
    tc._MEMORY.clear()
    second = TokenCache(directory=str(tmp_path))
    assert second.get('k') == 'tok-a'
    second.invalidate('k', token='some-other-token')
    assert second.get('k') == 'tok-a'
    second.invalidate('k', token='tok-a')
    tc._MEMORY.clear()
    assert second.get('k') is None


def test_corrupt_file_is_refetched(tmp_path):
    cache = TokenCache(directory=str(tmp_path))
    (tmp_path / ('token-%s.json' % 'k')).write_text('{not json')
    assert cache.get_or_fetch('k', lambda: ('fresh', 3600)) == 'fresh'


def test_memory_only_when_disabled(tmp_path):
    cache = TokenCache(use_file=False, directory=str(tmp_path / 'x'))
    cache.get_or_fetch('k', lambda: ('m', 3600))
    assert not (tmp_path / 'x').exists()


def test_unusable_directory_falls_back_to_memory(tmp_path):
    blocker = tmp_path / 'file'
    blocker.write_text('')
    cache = TokenCache(directory=str(blocker / 'sub'))
    assert cache.get_or_fetch('k', lambda: ('m', 3600)) == 'm'
    assert cache.use_file is False and cache.file_error


def _worker(directory, counter_path, out):
    tc._MEMORY.clear()
    cache = TokenCache(directory=directory)

    def fetch():
        with open(counter_path, 'a') as handle:
            handle.write('x')
        return 'shared-token', 3600

    out.put(cache.get_or_fetch('k', fetch))


def test_concurrent_processes_fetch_once(tmp_path):
    ctx = multiprocessing.get_context('fork')
    out = ctx.Queue()
    counter = str(tmp_path / 'fetches')
    procs = [ctx.Process(target=_worker, args=(str(tmp_path / 'c'), counter, out)) for dummy in range(8)]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(30)
    assert [out.get(timeout=5) for proc in procs] == ['shared-token'] * 8
    assert open(counter).read() == 'x'
    leftovers = [n for n in os.listdir(str(tmp_path / 'c')) if n.startswith('.token-')]
    assert leftovers == []


def _rewriter(directory, rounds, out):
    """Forces a fresh write of the file every round: forget the token, fetch a new one."""
    tc._MEMORY.clear()
    cache = TokenCache(directory=directory)
    for n in range(rounds):
        cache.invalidate('k')
        tc._MEMORY.clear()
        cache.get_or_fetch('k', lambda: ('token-%d-%d' % (os.getpid(), n), 3600))
    out.put('done')


def _reader(directory, stop, out):
    """Reads the file as another process would, the whole time the writers run."""
    path = os.path.join(directory, 'token-k.json')
    reads = bad = 0
    while not stop.is_set():
        try:
            with open(path) as handle:
                text = handle.read()
        except OSError:
            continue  # between a forget and the next write there is no file: that is allowed
        reads += 1
        try:
            entry = json.loads(text)
            assert isinstance(entry['token'], str) and isinstance(entry['expires_at'], float)
        except (ValueError, KeyError, TypeError, AssertionError):
            bad += 1
    out.put((reads, bad))


def test_concurrent_writers_never_leave_a_corrupt_or_readable_file(tmp_path):
    """Issue 12: eight processes rewrite the token file 40 times each while another reads it nonstop;
    every read is a whole entry (the writes are atomic renames), and the file, under a umask that would
    make it world-readable, is 0600 in a 0700 directory with no temporary file left behind."""
    ctx = multiprocessing.get_context('fork')
    directory = str(tmp_path / 'c')
    out, stop = ctx.Queue(), ctx.Event()
    old_umask = os.umask(0)
    try:
        reader = ctx.Process(target=_reader, args=(directory, stop, out))
        writers = [ctx.Process(target=_rewriter, args=(directory, 40, out)) for _n in range(8)]
        TokenCache(directory=directory)._prepare_directory()
        reader.start()
        for proc in writers:
            proc.start()
        for proc in writers:
            proc.join(60)
        stop.set()
        reader.join(30)
    finally:
        os.umask(old_umask)
    results = [out.get(timeout=5) for _n in range(9)]
    reads, bad = next(r for r in results if isinstance(r, tuple))
    assert results.count('done') == 8
    assert reads > 0 and bad == 0
    entry = json.loads((tmp_path / 'c' / 'token-k.json').read_text())
    assert entry['token'].startswith('token-')
    assert stat.S_IMODE((tmp_path / 'c' / 'token-k.json').stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / 'c' / 'token-k.json.lock').stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / 'c').stat().st_mode) == 0o700
    assert [n for n in os.listdir(directory) if n.startswith('.token-')] == []


class SlowReader(TokenCache):
    """Reads the file slowly: a window between reading the file and acting on it, in which faster forks
    get their work done."""

    delay = 0.0

    def _read_file(self, key):
        entry = super(SlowReader, self)._read_file(key)
        time.sleep(self.delay)
        return entry


def _rejected(directory, barrier, rounds, counter_path, delay):
    """Each round every fork has seen the round's token rejected: it forgets it and asks again."""
    tc._MEMORY.clear()
    cache = SlowReader(directory=directory)
    cache.delay = delay

    def fetch(round_):
        with open(counter_path, 'a') as handle:
            handle.write('%d\n' % round_)
        return 'token-%d' % round_, 3600

    for n in range(1, rounds + 1):
        barrier.wait(30)
        cache.invalidate('k', token='token-%d' % (n - 1))
        tc._MEMORY.clear()
        assert cache.get_or_fetch('k', lambda: fetch(n)) == 'token-%d' % n


def test_forks_that_see_the_token_rejected_together_fetch_one_new_token(tmp_path):
    """Issue 12: when a token expires, every fork gets a 401 at about the same time; between them they
    fetch ONE new token per expiry (a fork forgetting the old token never deletes the new one)."""
    ctx = multiprocessing.get_context('fork')
    directory = str(tmp_path / 'c')
    TokenCache(directory=directory).get_or_fetch('k', lambda: ('token-0', 3600))
    barrier, counter = ctx.Barrier(8), str(tmp_path / 'fetches')
    procs = [ctx.Process(target=_rejected, args=(directory, barrier, 10, counter, 0.02 * (n % 2))) for n in range(8)]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(60)
    assert [proc.exitcode for proc in procs] == [0] * 8
    with open(counter) as handle:
        assert handle.read().split() == [str(n) for n in range(1, 11)]
