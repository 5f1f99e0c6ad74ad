"""The xenserver inventory plugin through real ansible-inventory at two pool sizes, 20 ms latency per
XenAPI call: the number of calls must not grow with the number of VMs (bulk reads per class), and the
time per VM shrinks as the fixed costs spread over more VMs."""

from bench.common import Metric, per_item_ms, timed

NAME = 'xenserver_inventory'
DESCRIPTION = 'xenserver inventory at a small and a large pool: XenAPI calls and time per VM'
LATENCY_MS = 20
PLUGIN = 'opencitrix.automation.xenserver'
NETWORK = 'Pool-wide network associated with eth0'


def inventory(ctx, vms):
    """(XenAPI calls, seconds) of one uncached ansible-inventory run over a pool of ``vms`` VMs."""
    sim = ctx.simulator(size=10, latency_ms=LATENCY_MS, config={'xenserver': {'vms': vms}})
    config = {'plugin': PLUGIN, 'preferred_network': NETWORK, 'include_hosts': False}
    run, seconds = timed(ctx.runner('%s-%d' % (NAME, vms)).inventory, config, env=sim.client_env())
    assert run.parsed and len(run.group('xenserver_vms')) == vms, run
    calls = sim.stats.count(route='xenserver.*')
    sim.stop()
    return calls, seconds


def run(ctx):
    small, large = ctx.size(50, 500), ctx.size(500, 5000)
    small_calls, small_seconds = inventory(ctx, small)
    large_calls, large_seconds = inventory(ctx, large)

    return [
        Metric(NAME, 'XenAPI calls at %d VMs' % large, large_calls, 'calls', baseline=small_calls, bound=small_calls,
               note='baseline: calls at %d VMs' % small),
        Metric(NAME, 'time per VM at %d VMs' % small, per_item_ms(small_seconds, small), 'ms',
               note='ansible-inventory %.2fs' % small_seconds),
        Metric(NAME, 'time per VM at %d VMs' % large, per_item_ms(large_seconds, large), 'ms',
               baseline=per_item_ms(small_seconds, small), note='ansible-inventory %.2fs' % large_seconds),
    ]
