"""Every power transition of xenserver_vm's state machine, in-process against the simulated pool: the
final power state, and a second identical run that changes nothing and writes nothing."""

import pytest

from ansible_collections.opencitrix.automation.plugins.module_utils import errors
from ansible_collections.opencitrix.automation.plugins.module_utils.xenserver.vm_state import VmState
from tests.integration.xenserver.support import client, writes

STATES = ('running', 'halted', 'suspended', 'paused')


@pytest.fixture
def xen_sim(make_pool):
    """A pool whose clock runs 200 times faster than real time."""
    return make_pool(time_scale=200, vms=5)


def params(name, state):
    return dict(name=name, uuid=None, state=state, template=None, description=None, vcpus=None, memory_mb=None,
                tags=None, other_config=None, force=False, shutdown_timeout=30, wait_for_ip=False, timeout=60)


@pytest.mark.parametrize('start', STATES)
def test_power_transitions_from(xen_sim, xen, start):
    for target in STATES + ('restarted',):
        name = '%s-to-%s' % (start, target)
        xen.add_test_vm(name, power_state=start.capitalize(), host_index=1)
        with client(xen) as session:
            if (start, target) == ('halted', 'suspended'):
                with pytest.raises(errors.InputError) as caught:
                    VmState(session).ensure(params(name, target))
                assert str(caught.value).startswith('VM %s is halted and cannot become suspended directly; start it first' % name)
                continue
            result = VmState(session).ensure(params(name, target))
        expected = 'running' if target == 'restarted' else target
        assert result.changed is (start != target), (name, result.result)
        assert xen.vm(name)['power_state'].lower() == expected, (name, result.result['actions'])
        assert result.result['vm']['power_state'] == expected
        if target == 'restarted':
            continue
        before = writes(xen_sim)
        with client(xen) as session:
            again = VmState(session).ensure(params(name, target))
        assert again.changed is False and again.result['actions'] == [] and writes(xen_sim) == before, name
    assert xen.active_sessions() == {} and not xen.jobs
