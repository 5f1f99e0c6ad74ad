"""Tags on the 1,000 machines of a DaaS catalog (200 in the quick run), in-process through the collection's own
code path (``Machines.find`` + ``Machines.apply_settings``, as ``citrix_daas_machine`` runs it), 50 ms latency:
one ``PUT /Machines/{id}/Tags`` per machine, carried by ``$batch`` requests of 250 items. The tag the site lacks
is created once. Baseline: the same tags on a twin catalog with ``batch=False``, one request per machine, 25 at a
time (what a script looping over the machines would send, with concurrency)."""

import math
import time

from ansible_collections.opencitrix.automation.plugins.module_utils.daas.batch import DEFAULT_BATCH_SIZE
from ansible_collections.opencitrix.automation.plugins.module_utils.daas.machines import Machines
from bench.common import Metric
from tests.integration.daas.support import cloud_client

NAME = 'daas_tagging'
DESCRIPTION = 'tag N machines through $batch vs one request per machine'
LATENCY_MS = 50


def tag(sim, catalog, tags, batch):
    """``(seconds, requests, fleet)`` of tagging every machine of ``catalog`` on a signed-in client."""
    client = cloud_client(sim)
    client.site()
    before = sim.stats.count()
    started = time.monotonic()
    machines = Machines(client)
    fleet = machines.apply_settings(machines.find(catalog=catalog), tags=tags, batch=batch)
    return time.monotonic() - started, sim.stats.count() - before, fleet


def run(ctx):
    machines = ctx.size(200, 1000)
    sim = ctx.simulator(size=0, latency_ms=LATENCY_MS)
    daas = sim.service('daas')
    tagged = daas.add_catalog('Bench-Tagged', machines, prefix='TAGD')['machine_ids']
    twin = daas.add_catalog('Bench-Twin', machines, prefix='TWIN')['machine_ids']

    batches_before = sim.stats.count(route='daas.batch')
    seconds, requests, fleet = tag(sim, 'Bench-Tagged', ['Ring1'], batch=True)
    assert fleet.counts()['changed'] == machines and not fleet.failed, fleet.counts()
    batches = sim.stats.count(route='daas.batch') - batches_before
    items = sim.stats.items(route='daas.machine_tags.set')
    base_seconds, base_requests, fleet = tag(sim, 'Bench-Twin', ['Ring2'], batch=False)
    assert fleet.counts()['changed'] == machines and not fleet.failed, fleet.counts()
    assert all(daas.tag_names_of(m) == ['Ring1'] for m in tagged)
    assert all(daas.tag_names_of(m) == ['Ring2'] for m in twin)
    expected_batches = math.ceil(machines / float(DEFAULT_BATCH_SIZE))
    pages = math.ceil(machines / 1000.0)
    return [
        Metric(NAME, 'requests, %d machines tagged' % machines, requests, 'req', baseline=base_requests,
               bound=pages + 2 + 3 * expected_batches + 2,
               note='catalog listing, tag listing, 1 tag created, %d batches (each: POST $batch, its job read, '
                    'its results), a job poll or two' % expected_batches),
        Metric(NAME, '$batch requests', batches, 'req', bound=expected_batches,
               note='%d tag writes as batch items' % items),
        Metric(NAME, 'wall time', round(seconds, 2), 's', baseline=round(base_seconds, 2), goal=3,
               note='baseline: one PUT per machine, 25 at a time'),
    ]
