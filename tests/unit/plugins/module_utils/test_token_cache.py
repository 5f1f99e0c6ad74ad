"""TokenCache: file permissions, key separation, expiry margin, and one fetch among concurrent processes."""

import json
import multiprocessing
import os
import stat

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
