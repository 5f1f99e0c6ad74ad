"""Helpers of the XenServer tests: the distinctive password of the simulated pool, sessions of the
collection's client, counters and play builders."""

from ansible_collections.opencitrix.automation.plugins.module_utils.retries import RetryPolicy
from ansible_collections.opencitrix.automation.plugins.module_utils.xenserver.session import XenServerSession

XEN_PASSWORD = 'xs-IT-p4ss-8e2d71'
XEN_USER = 'root'
FAST = 20  # simulator seconds per real second: a 10 s guest boot takes half a second


class RecordingSleep:
    def __init__(self):
        self.delays = []

    def __call__(self, seconds):
        self.delays.append(seconds)


def client(xen, url=None, password=XEN_PASSWORD, sleeps=None, **kwargs):
    """The collection's session against the simulated pool (master unless ``url``)."""
    retry = RetryPolicy(retries=kwargs.pop('retries', 3), sleep=sleeps or RecordingSleep(), rand=lambda: 1.0)
    return XenServerSession(url or xen.url, XEN_USER, password, ca_path=xen.sim.ca_path, retry=retry, **kwargs)


def calls(sim, method=None):
    """XML-RPC calls the pool received (all, or of one method such as ``VM.get_record``)."""
    return sim.stats.count(route='xenserver.%s' % (method or '*'))


def writes(sim):
    return sim.stats.writes(service='xenserver')


def play(tasks, name='xenserver'):
    """A play on the test inventory running ``tasks`` (list of dicts)."""
    return [{'name': name, 'hosts': 'targets', 'gather_facts': False, 'tasks': tasks}]
