"""Hostile StoreFront responses are refused without memory growth.

The simulator runs in its own process here, so ``tracemalloc`` in this process sees only what the
client allocates while it receives and refuses the response.
"""

import json
import os
import subprocess
import sys
import time
import tracemalloc

import pytest
import requests

from ansible_collections.opencitrix.automation.plugins.module_utils import errors
from ansible_collections.opencitrix.automation.plugins.module_utils.storefront.client import StoreFrontClient
from ansible_collections.opencitrix.automation.plugins.module_utils.storefront.resources import Resources
from tests.conftest import ROOT

MIB = 1024 * 1024


@pytest.fixture(scope='module')
def remote_sim(tmp_path_factory):
    info_file = str(tmp_path_factory.mktemp('sim') / 'info.json')
    proc = subprocess.Popen([sys.executable, '-m', 'tests.simulator', '--size', '10', '--info-file', info_file],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.time() + 30
        while not os.path.exists(info_file) or not os.path.getsize(info_file):
            assert proc.poll() is None and time.time() < deadline, proc.stderr.read()
            time.sleep(0.05)
        with open(info_file) as handle:
            yield json.load(handle)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def signed_in_client(info, **kwargs):
    requests.post(info['admin'] + '/storefront/hostile', json={'kind': None}, verify=info['ca_path'])
    sf = StoreFrontClient(info['url'] + '/Citrix/Store', username='SIM\\storefront-user',
                          password='sim-storefront-Passw0rd', ca_path=info['ca_path'], token_cache=False, **kwargs)
    Resources(sf).list(groups=['none'])  # sign in first, so only the hostile answer is measured
    return sf


def refuse(info, kind, sf):
    requests.post(info['admin'] + '/storefront/hostile', json={'kind': kind}, verify=info['ca_path'])
    tracemalloc.start()
    try:
        with pytest.raises(errors.ResponseFormatError) as caught:
            Resources(sf).list()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return str(caught.value), peak


@pytest.mark.parametrize('kind,expected', [
    ('entity-bomb', 'refused the entity declaration "lol": entity expansion (an XML bomb) is not allowed'),
    ('quadratic', 'refused the entity declaration "a": entity expansion (an XML bomb) is not allowed'),
    ('external-entity', 'refused an external entity "xxe" (file:///etc/passwd): external references are never resolved'),
])
def test_entity_declarations_are_refused_before_expansion(remote_sim, kind, expected):
    message, peak = refuse(remote_sim, kind, signed_in_client(remote_sim))
    assert message.startswith('Could not list StoreFront resources: hostile XML: ' + expected)
    assert '\n' not in message and 'root:' not in message
    # Expanded, the bomb is 3 GB and the quadratic blow-up 4 MB (unit tests show the unguarded growth).
    assert peak < 1 * MIB, peak


def test_oversized_and_compressed_bodies_stop_at_the_limit(remote_sim):
    sf = signed_in_client(remote_sim, max_response_bytes=MIB)
    message, peak = refuse(remote_sim, 'oversize', sf)  # 3 MiB declared: refused before reading it
    assert 'larger than the 1 MiB limit' in message and 'raise max_response_size' in message
    assert peak < 1 * MIB, peak
    message, peak = refuse(remote_sim, 'gzip-bomb', sf)  # 64 KiB on the wire, 64 MiB once decoded
    assert 'larger than the 1 MiB limit' in message
    assert peak < 4 * MIB, peak


def test_a_document_nested_100000_levels_deep_fails_at_once_in_one_line(remote_sim):
    """1.3 MB of elements nested 100,000 deep: refused in well under a second (a parser that copies
    the element path per element takes minutes), with one line that says why."""
    sf = signed_in_client(remote_sim)
    requests.post(remote_sim['admin'] + '/storefront/hostile', json={'kind': 'deep'}, verify=remote_sim['ca_path'])
    started = time.monotonic()
    with pytest.raises(errors.ResponseFormatError) as caught:
        Resources(sf).list()
    elapsed = time.monotonic() - started
    message = str(caught.value)
    assert message.startswith('Could not list StoreFront resources: hostile XML: elements nested deeper than 64 '
                              'levels'), message
    assert '\n' not in message and elapsed < 1.0, (elapsed, message)
