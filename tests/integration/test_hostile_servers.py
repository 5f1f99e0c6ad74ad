"""Every request has a deadline and every answer a size limit, on HTTP and XML-RPC alike.

A small hostile server answers the collection's clients with a drip (headers, then one byte every half
second; or the headers themselves a byte at a time), a 1 GiB JSON body, a 1 GiB gzip bomb, and a 1 GiB
XML-RPC answer. Each client runs in its own process, so its peak memory is its own: the call must end
within its deadline (connect_timeout + read_timeout) or at its size limit, with one typed line, and the
process must stay under ~200 MB.
"""

import json
import os
import socket
import subprocess
import sys
import threading
import time
import zlib

import pytest

from tests.harness import collections_path

GIB = 1024 * 1024 * 1024
PIECE = 1024 * 1024
MEMORY_LIMIT_MB = 200


class HostileServer:
    """Answers every connection with one behaviour, streaming as much as the client reads."""

    def __init__(self, behaviour):
        self.behaviour = behaviour
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(('127.0.0.1', 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.sent = 0
        self._stop = False
        threading.Thread(target=self._serve, daemon=True).start()

    @property
    def url(self):
        return 'http://127.0.0.1:%d' % self.port

    def close(self):
        self._stop = True
        self.sock.close()

    def _serve(self):
        while not self._stop:
            try:
                conn, _address = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn):
        try:
            request = b''
            while b'\r\n\r\n' not in request:
                data = conn.recv(65536)
                if not data:
                    return
                request += data
            for chunk in getattr(self, '_' + self.behaviour)():
                conn.sendall(chunk)
                self.sent += len(chunk)
        except OSError:
            pass
        finally:
            conn.close()

    @staticmethod
    def _drip_body():
        yield b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{'
        for _piece in range(600):
            time.sleep(0.5)
            yield b' '

    @staticmethod
    def _drip_headers():
        for byte in b'HTTP/1.1 200 OK\r\nX-Slow: ' + b'a' * 600:
            time.sleep(0.5)
            yield bytes([byte])

    @staticmethod
    def _huge_json():
        yield b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n{"items": ["'
        block = b'x' * PIECE
        for _piece in range(GIB // PIECE):
            yield block

    @staticmethod
    def _gzip_bomb():
        yield (b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\n'
               b'Connection: close\r\n\r\n')
        compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
        zeros = b'0' * PIECE
        for _piece in range(GIB // PIECE):
            out = compressor.compress(zeros)
            if out:
                yield out
        yield compressor.flush()

    @staticmethod
    def _xmlrpc_huge():
        yield (b'HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nConnection: close\r\n\r\n'
               b'<?xml version="1.0"?><methodResponse><params><param><value><struct><member><name>Status</name>'
               b'<value>Success</value></member><member><name>Value</name><value>OpaqueRef:')
        block = b'f' * PIECE
        for _piece in range(GIB // PIECE):
            yield block


CLIENT = r'''
import json, resource, sys, time
sys.path.insert(0, %(path)r)
from ansible_collections.opencitrix.automation.plugins.module_utils import errors
from ansible_collections.opencitrix.automation.plugins.module_utils.retries import RetryPolicy
started = time.monotonic()
try:
    if %(kind)r == 'xenserver':
        from ansible_collections.opencitrix.automation.plugins.module_utils.xenserver import XenServerSession
        XenServerSession(%(url)r, password='hostile-test-pw', allow_plain_http=True, connect_timeout=1,
                         read_timeout=%(read_timeout)r, retry=RetryPolicy(retries=0)).login()
    else:
        from ansible_collections.opencitrix.automation.plugins.module_utils.citrix_cloud.client import CloudClient
        CloudClient('hostile-client', 'hostile-secret-7d1', 'cust', api_url=%(url)r, allow_plain_http=True,
                    token_cache=False, connect_timeout=1, read_timeout=2, retry=RetryPolicy(retries=0)).service_states()
    outcome = {'error': None}
except errors.CitrixError as exc:
    outcome = {'error': str(exc), 'type': type(exc).__name__}
outcome.update(elapsed=time.monotonic() - started, max_rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0)
print(json.dumps(outcome))
'''


def run_client(kind, url, read_timeout=2):
    script = CLIENT % {'path': collections_path(), 'kind': kind, 'url': url, 'read_timeout': read_timeout}
    done = subprocess.run([sys.executable, '-c', script], capture_output=True, text=True, timeout=120, check=False,
                          env=dict(os.environ, NO_PROXY='127.0.0.1'))
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


CASES = [
    # behaviour, client, what the one line says, longest wall time in seconds
    ('drip_body', 'cloud', 'no complete answer within 3s (the request deadline', 6),
    ('drip_headers', 'cloud', 'no complete answer within 3s (the request deadline', 6),
    ('huge_json', 'cloud', 'larger than the 64 MiB limit', 30),
    ('gzip_bomb', 'cloud', 'larger than the 64 MiB limit', 30),
    ('drip_body', 'xenserver', 'no complete answer within 3s (the call deadline', 6),
    ('drip_headers', 'xenserver', 'no complete answer within 3s (the call deadline', 6),
    ('xmlrpc_huge', 'xenserver', 'one value of the answer is larger than the 16 MiB limit', 30),
]


@pytest.mark.parametrize('behaviour,kind,message,longest', CASES, ids=['%s-%s' % (c[1], c[0]) for c in CASES])
def test_hostile_answers_end_in_time_within_memory_in_one_line(behaviour, kind, message, longest):
    server = HostileServer(behaviour)
    try:
        outcome = run_client(kind, server.url)
    finally:
        server.close()
    assert outcome['error'], outcome
    assert message in outcome['error'] and '\n' not in outcome['error'], outcome
    assert outcome['elapsed'] < longest, outcome
    assert outcome['max_rss_mb'] < MEMORY_LIMIT_MB, outcome
    assert server.sent < GIB  # the client stopped reading long before the end


def test_a_big_xmlrpc_answer_is_refused_at_the_whole_answer_limit():
    """Many values, each small: the 128 MiB answer limit ends it (the value limit does not apply)."""
    server = HostileServer('xmlrpc_many')

    def many():
        yield (b'HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nConnection: close\r\n\r\n'
               b'<?xml version="1.0"?><methodResponse><params><param><value><array><data>')
        block = b'<value>OpaqueRef:0123456789</value>' * 30000
        for _piece in range(GIB // len(block)):
            yield block
    server._xmlrpc_many = many
    try:
        outcome = run_client('xenserver', server.url, read_timeout=120)
    finally:
        server.close()
    assert 'the answer is larger than the 128 MiB limit' in outcome['error'], outcome
    assert server.sent < 200 * PIECE
    assert outcome['max_rss_mb'] < 1024, outcome  # parsed values cost memory; the limit bounds them
