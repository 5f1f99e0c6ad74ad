"""What the Event-Driven Ansible sources cost: DaaS requests and bytes per poll at fleet size (only the
watched properties asked for), and XenServer calls while nothing changes (no polling loop)."""

import math
import time

from ansible_collections.opencitrix.automation.plugins.module_utils.daas.client import DaasClient
from ansible_collections.opencitrix.automation.plugins.module_utils.daas.machines import Machines
from ansible_collections.opencitrix.automation.plugins.plugin_utils.daas_machine_watch import MachineWatch
from ansible_collections.opencitrix.automation.plugins.module_utils.xenserver.session import XenServerSession
from ansible_collections.opencitrix.automation.plugins.plugin_utils.xenserver_event_stream import EventStream
from bench.common import Metric

NAME = 'eda_sources'
DESCRIPTION = 'event sources: DaaS requests and bytes for 10 polls of N machines; XenServer calls while idle'
POLLS = 10
EVENT_TIMEOUT = 0.5


def daas_metrics(ctx):
    machines = ctx.size(2000, 10000)
    sim = ctx.simulator(size=machines, services=['cloud', 'daas'], time_scale=0)
    env = sim.client_env()
    client = DaasClient.from_params({
        'client_id': env['CITRIX_CLIENT_ID'], 'client_secret': env['CITRIX_CLIENT_SECRET'],
        'customer_id': env['CITRIX_CUSTOMER_ID'], 'api_url': sim.url, 'ca_path': sim.ca_path, 'token_cache': False})
    received = []
    client.http.session.hooks['response'].append(lambda response, *args, **kwargs: received.append(len(response.content)))
    watch = MachineWatch(client)
    for _poll in range(POLLS):
        watch.poll()
    requests = sim.stats.count(service='daas') + sim.stats.count(route='cloud.token')
    tokens = sim.stats.count(route='cloud.token')
    watched_bytes = sum(received) / float(POLLS)
    del received[:]
    for _machine in Machines(client).list(fields=None):  # the same listing with every property
        pass
    full_bytes = float(sum(received))
    pages = math.ceil(machines / 1000.0)
    return [
        Metric(NAME, 'DaaS requests, %d polls of %d machines' % (POLLS, machines), requests, 'req',
               bound=2 + POLLS * pages, note='1 token + 1 site lookup + %d page(s) a poll' % pages),
        Metric(NAME, 'DaaS token requests over %d polls' % POLLS, tokens, 'req', bound=1),
        Metric(NAME, 'DaaS KiB per poll (watched fields only)', round(watched_bytes / 1024.0, 1), 'KiB',
               baseline=round(full_bytes / 1024.0, 1), goal=3, note='baseline: every machine property'),
    ]


def xenserver_metrics(ctx):
    seconds = ctx.size(2.0, 10.0)
    sim = ctx.simulator(size=10, services=['xenserver'], config={'xenserver': {'vms': ctx.size(200, 1000)}})
    env = sim.client_env()
    with XenServerSession(env['XENSERVER_HOST'], env['XENSERVER_USER'], env['XENSERVER_PASSWORD'],
                          ca_path=sim.ca_path) as session:
        stream = EventStream(session, event_timeout=EVENT_TIMEOUT)
        stream.next_events()
        before, deadline = sim.stats.count(route='xenserver.event.from'), time.monotonic() + seconds
        while time.monotonic() < deadline:
            stream.next_events()
        idle_calls = sim.stats.count(route='xenserver.event.from') - before
    return [Metric(NAME, 'XenServer event.from calls in %ss idle (event_timeout %ss)' % (seconds, EVENT_TIMEOUT),
                   idle_calls, 'req', bound=math.ceil(seconds / EVENT_TIMEOUT) + 1)]


def run(ctx):
    return daas_metrics(ctx) + xenserver_metrics(ctx)
