"""Facts for one XenServer VM: the collection's reader (one filtered VM read, then its disks, NICs,
guest metrics and host named in two ``event.from`` calls) against a naive reader written here that asks
for every field of every object with its own call, as per-field XenAPI code does. Both go through the
same session class and build the same facts (checked), 20 ms latency per call."""

from bench.common import Metric, median_time
from ansible_collections.opencitrix.automation.plugins.module_utils.xenserver.session import NULL_REF, XenServerSession
from ansible_collections.opencitrix.automation.plugins.module_utils.xenserver.vm import VmFacts, summarize

NAME = 'xenserver_vm_facts'
DESCRIPTION = 'facts for one VM (3 disks, 2 NICs): the collection reader vs a per-field reader'
LATENCY_MS = 20
VM_NAME = 'bench-facts-vm'

# The fields summarize() reads, per class.
FIELDS = {
    'VM': ('name_label', 'uuid', 'name_description', 'power_state', 'is_a_template', 'resident_on', 'VCPUs_at_startup',
           'VCPUs_max', 'memory_static_max', 'tags', 'other_config', 'guest_metrics', 'VIFs', 'VBDs'),
    'VM_guest_metrics': ('networks', 'os_version', 'PV_drivers_version', 'PV_drivers_detected', 'live'),
    'host': ('name_label', 'uuid'),
    'VIF': ('device', 'MAC', 'network', 'currently_attached'),
    'network': ('name_label', 'uuid', 'bridge'),
    'VBD': ('type', 'userdevice', 'empty', 'VDI', 'bootable', 'mode'),
    'VDI': ('name_label', 'uuid', 'virtual_size', 'SR'),
    'SR': ('name_label', 'uuid'),
}
# Which field of a record refers to an object of which class.
REFERENCES = {'resident_on': 'host', 'guest_metrics': 'VM_guest_metrics', 'network': 'network', 'VDI': 'VDI',
              'SR': 'SR'}
LISTS = {'VIFs': 'VIF', 'VBDs': 'VBD'}


def naive_facts(session, name):
    """The facts of VM ``name``, one call per field of every object it refers to."""
    related = {}

    def read(cls, ref):
        record = dict((field, session.call('%s.get_%s' % (cls, field), ref)) for field in FIELDS[cls])
        related[ref] = record
        for field, value in record.items():
            if field in REFERENCES and value and value != NULL_REF and value not in related:
                read(REFERENCES[field], value)
            for item in (value if field in LISTS else ()):
                read(LISTS[field], item)
        return record

    for ref in session.call('VM.get_by_name_label', name):
        flags = ('is_a_template', 'is_a_snapshot', 'is_control_domain')
        if not any(session.call('VM.get_%s' % flag, ref) for flag in flags):
            return summarize(ref, read('VM', ref), related)
    return None


def run(ctx):
    sim = ctx.simulator(size=10, latency_ms=LATENCY_MS, config={'xenserver': {'vms': ctx.size(20, 200)}})
    env = sim.client_env()
    sim.service('xenserver').add_test_vm(VM_NAME, disks=3, nics=2)
    repeat = ctx.size(1, 3)

    def session():
        return XenServerSession(env['XENSERVER_HOST'], env['XENSERVER_USER'], env['XENSERVER_PASSWORD'],
                                ca_path=sim.ca_path)

    facts = {}

    def ours():
        with session() as xen:
            facts['ours'] = VmFacts(xen).select(name=VM_NAME)

    def naive():
        with session() as xen:
            facts['naive'] = naive_facts(xen, VM_NAME)

    sim.reset()
    ours_seconds = median_time(ours, repeat)
    ours_calls = sim.stats.count(route='xenserver.*') / float(repeat)
    sim.reset()
    naive_seconds = median_time(naive, repeat)
    naive_calls = sim.stats.count(route='xenserver.*') / float(repeat)
    assert facts['ours'] == [facts['naive']], facts
    return [
        Metric(NAME, 'XenAPI calls', ours_calls, 'calls', baseline=naive_calls, bound=5,
               note='login, VM read, two event.from, logout'),
        Metric(NAME, 'time', round(1000.0 * ours_seconds, 1), 'ms', baseline=round(1000.0 * naive_seconds, 1)),
    ]
