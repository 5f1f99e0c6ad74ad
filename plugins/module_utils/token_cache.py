# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Bearer-token cache shared by every task of a playbook run.

Each Ansible task runs its module in a new process, so an in-memory cache alone would fetch one
token per task. Tokens are therefore also kept in one small file per credential under the user's
cache directory (``$XDG_CACHE_HOME/opencitrix`` or ``~/.cache/opencitrix``; directory 0700, files
0600). The file name is a hash of the API host, the client id and a hash of the secret: a different
secret never reads another secret's token. Fetching happens under an exclusive file lock with a
re-check, so forks that start together ask for one token between them.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib
import hashlib
import json
import os
import tempfile
import threading
import time

try:
    import fcntl
except ImportError:  # pragma: no cover - not on Windows controllers, which Ansible does not support
    fcntl = None

DEFAULT_MARGIN = 60.0

_MEMORY = {}
_MEMORY_LOCK = threading.Lock()


def cache_key(*parts):
    """A stable key from text parts; callers pass a hash of secrets, never the secret itself."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update((part or '').encode('utf-8'))
        digest.update(b'\0')
    return digest.hexdigest()


def secret_fingerprint(secret):
    return hashlib.sha256(('opencitrix:' + (secret or '')).encode('utf-8')).hexdigest()


def default_directory():
    base = os.environ.get('XDG_CACHE_HOME') or os.path.join(os.path.expanduser('~'), '.cache')
    return os.path.join(base, 'opencitrix')


class TokenCache:
    """``get_or_fetch(key, fetch)`` returns a token valid for at least ``margin`` more seconds, calling
    ``fetch()`` -> ``(token, expires_in_seconds)`` only when no such token is cached."""

    def __init__(self, use_file=True, directory=None, now=None, margin=DEFAULT_MARGIN):
        self.use_file = bool(use_file) and fcntl is not None
        self.directory = directory or default_directory()
        self.now = now or time.time
        self.margin = margin
        self.file_error = None

    def _valid(self, entry):
        return (isinstance(entry, dict) and isinstance(entry.get('token'), str)
                and isinstance(entry.get('expires_at'), (int, float))
                and entry['expires_at'] - self.margin > self.now())

    def _path(self, key):
        return os.path.join(self.directory, 'token-%s.json' % key)

    def _prepare_directory(self):
        """Create the cache directory 0700; refuse one that others can write or that is not ours."""
        try:
            os.makedirs(self.directory, mode=0o700, exist_ok=True)
            info = os.stat(self.directory)
            if hasattr(os, 'getuid') and info.st_uid != os.getuid():
                raise OSError('cache directory %s belongs to another user' % self.directory)
            if info.st_mode & 0o077:
                os.chmod(self.directory, 0o700)
            return True
        except OSError as exc:
            # A read-only or foreign home must not break automation: fall back to memory only.
            self.file_error = str(exc)
            self.use_file = False
            return False

    def _read_file(self, key):
        try:
            with open(self._path(key), 'r') as handle:
                return json.load(handle)
        except (OSError, ValueError):
            return None

    def _write_file(self, key, entry):
        fd, tmp = tempfile.mkstemp(prefix='.token-', dir=self.directory)  # created 0600
        try:
            with os.fdopen(fd, 'w') as handle:
                json.dump(entry, handle)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self._path(key))
        except OSError:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise

    def _remember(self, key, entry):
        with _MEMORY_LOCK:
            _MEMORY[key] = entry

    def get(self, key):
        with _MEMORY_LOCK:
            entry = _MEMORY.get(key)
        if self._valid(entry):
            return entry['token']
        if self.use_file and self._prepare_directory():
            entry = self._read_file(key)
            if self._valid(entry):
                self._remember(key, entry)
                return entry['token']
        return None

    @contextlib.contextmanager
    def _locked(self, key):
        """Hold the exclusive lock of ``key``'s file (a lock file created 0600, never holding data)."""
        fd = os.open(self._path(key) + '.lock', os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)

    def get_or_fetch(self, key, fetch):
        token = self.get(key)
        if token:
            return token
        if not (self.use_file and self._prepare_directory()):
            return self._fetch(key, fetch, write=False)
        with self._locked(key):
            entry = self._read_file(key)  # another fork may have fetched while we waited
            if self._valid(entry):
                self._remember(key, entry)
                return entry['token']
            return self._fetch(key, fetch, write=True)

    def _fetch(self, key, fetch, write):
        token, expires_in = fetch()
        entry = {'token': token, 'expires_at': self.now() + float(expires_in)}
        self._remember(key, entry)
        if write:
            try:
                self._write_file(key, entry)
            except OSError as exc:
                self.file_error = str(exc)
        return token

    def invalidate(self, key, token=None):
        """Forget the cached token (only if it is still ``token``, when given). Under the lock, so a fork
        that saw the old token rejected never deletes the new one another fork has just stored."""
        with _MEMORY_LOCK:
            entry = _MEMORY.get(key)
            if entry and (token is None or entry.get('token') == token):
                del _MEMORY[key]
        if self.use_file and self._prepare_directory():
            with self._locked(key):
                entry = self._read_file(key)
                if entry and (token is None or entry.get('token') == token):
                    try:
                        os.unlink(self._path(key))
                    except OSError:
                        pass
