"""Every request has a deadline and every answer a size limit, on HTTP and XML-RPC alike.

A small hostile server answers the collection's clients with a drip (headers, then one byte every half
second; or the headers themselves a byte at a time), a 1 GiB JSON body, a 1 GiB gzip bomb, and a 1 GiB
XML-RPC answer. Each client runs in its own process, so its peak memory is its own: the call must end
within its deadline (connect_timeout + read_timeout) or at its size limit, with one typed line, and the
process must stay under ~200 MB.
"""

import json
import os
import subprocess
import sys

import pytest

from tests.harness import collections_path
from tests.integration.hostile_server import GIB, PIECE, HostileServer
from tests.reliability import record

MEMORY_LIMIT_MB = 200


CLIENT = r'''
import json, sys, time
sys.path.insert(0, %(path)r)
from ansible_collections.opencitrix.automation.plugins.module_utils import errors
from ansible_collections.opencitrix.automation.plugins.module_utils.retries import RetryPolicy
started = time.monotonic()
try:
    if %(kind)r == 'xenserver':
        from ansible_collections.opencitrix.automation.plugins.module_utils.xenserver.session import XenServerSession
        XenServerSession(%(url)r, password='hostile-test-pw', allow_plain_http=True, connect_timeout=1,
                         read_timeout=%(read_timeout)r, retry=RetryPolicy(retries=0)).login()
    else:
        from ansible_collections.opencitrix.automation.plugins.module_utils.citrix_cloud.client import CloudClient
        CloudClient('hostile-client', 'hostile-secret-7d1', 'cust', api_url=%(url)r, allow_plain_http=True,
                    token_cache=False, connect_timeout=1, read_timeout=2, retry=RetryPolicy(retries=0)).service_states()
    outcome = {'error': None}
except errors.CitrixError as exc:
    outcome = {'error': str(exc), 'type': type(exc).__name__}
# VmHWM: this process's own peak (ru_maxrss would also count the parent's size at fork time).
with open('/proc/self/status') as status:
    peak_kb = int(next(line for line in status if line.startswith('VmHWM:')).split()[1])
outcome.update(elapsed=time.monotonic() - started, max_rss_mb=peak_kb / 1024.0)
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
    record('hostile', '%s-%s' % (kind, behaviour), {
        'client': kind, 'behaviour': behaviour, 'msg': outcome['error'] or 'no error', 'longest': longest,
        'in_time': outcome['elapsed'] < longest, 'memory_ok': outcome['max_rss_mb'] < MEMORY_LIMIT_MB})
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
