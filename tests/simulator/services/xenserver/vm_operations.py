"""The VM messages of the simulated XenServer pool: power operations (start, shutdown, reboot, suspend,
resume, pause, migrate) and configuration (VCPUs, memory), each checked as xapi does (``vm_checks``)
and run as a :class:`~.tasks.Pending` operation that takes simulator seconds, after which its effect is
applied. Clone, copy, provision and destroy are in ``vm_lifecycle``, snapshots in ``snapshots``.
"""

import collections

from tests.simulator.services.xenserver.estate import PoolComponent
from tests.simulator.services.xenserver.tasks import Pending
from tests.simulator.services.xenserver.vm_parts import refresh_vbd
from tests.simulator.services.xenserver.vm_checks import (
    GUEST_FEATURE_NEEDED, assert_can_boot, check_operation, guest_other, refresh_allowed,
)
from tests.simulator.services.xenserver.wire import datetime
from tests.simulator.services.xenserver.xenapi_db import XenFailure
from tests.simulator.services.xenserver.xenapi_model import NULL_REF


class VmOperations(PoolComponent):
    """xapi's VM messages, as a collaborator of the service. It changes ``db``; ``clock`` dates changes;
    ``tasks`` (a :class:`~.tasks.Tasks`) runs pending operations and schedules guest reports; ``layout``
    (a :class:`~.estate.PoolLayout`) gives the hosts and the pool; ``parts`` (a :class:`~.vm_parts.VmParts`)
    builds disks, NICs and guest metrics; ``durations`` are the simulator seconds of each operation and
    ``boot_seconds`` the delay before a booted guest reports. ``hung`` and ``no_tools`` are test knobs:
    VMs whose guest ignores clean shutdown/reboot, and VMs whose guest never reports (no OS installed, or no
    guest agent)."""

    def __init__(self, db, clock, tasks, layout, parts, durations, boot_seconds):
        super().__init__(db, clock, layout)
        self.tasks = tasks
        self.parts = parts
        self.durations = durations
        self.boot_seconds = boot_seconds
        self.hung = set()
        self.no_tools = set()
        self.boot_ids = collections.Counter()

    def later(self, op, vm, finish, hang=False):
        return Pending(op, vm, self.durations.get(op, 1.0), finish, hang=hang)

    # -- VM power operations --------------------------------------------------------------------

    def pick_host(self, vm):
        """The VM's home server (``affinity``) when it can boot there, else the least busy host it can boot on."""
        possible = []
        for host in self.layout.hosts:
            try:
                assert_can_boot(self.db, vm, host)
            except XenFailure:
                continue
            possible.append(host)
        affinity = self.db.get('VM', vm)['affinity']
        if affinity in possible:
            return affinity
        if not possible:
            raise XenFailure('NO_HOSTS_AVAILABLE')
        counts = {h: len(self.db.get('host', h)['resident_VMs']) for h in possible}
        return min(counts, key=lambda h: (counts[h], self.layout.hosts.index(h)))

    def vm_start(self, _session, vm, start_paused, _force):
        check_operation(self.db, vm, 'start')
        return self.later('start', vm, lambda: self.power_on(vm, self.pick_host(vm), start_paused))

    def vm_start_on(self, _session, vm, host, start_paused, _force):
        check_operation(self.db, vm, 'start_on')
        assert_can_boot(self.db, vm, host)
        return self.later('start_on', vm, lambda: self.power_on(vm, host, start_paused))

    def vm_clean_shutdown(self, _session, vm):
        check_operation(self.db, vm, 'clean_shutdown')
        return self.later('clean_shutdown', vm, lambda: self.power_off(vm), hang=vm in self.hung)

    def vm_hard_shutdown(self, _session, vm):
        check_operation(self.db, vm, 'hard_shutdown')
        return self.later('hard_shutdown', vm, lambda: self.power_off(vm))

    def vm_shutdown(self, _session, vm):
        record = check_operation(self.db, vm, 'shutdown')
        clean = record['power_state'] == 'Running' and vm not in self.hung and any(
            guest_other(self.db, record).get(f) == '1' for f in GUEST_FEATURE_NEEDED['clean_shutdown'])
        return self.later('shutdown' if clean else 'hard_shutdown', vm, lambda: self.power_off(vm))

    def vm_clean_reboot(self, _session, vm):
        check_operation(self.db, vm, 'clean_reboot')
        return self.later('clean_reboot', vm, lambda: self.reboot(vm), hang=vm in self.hung)

    def vm_hard_reboot(self, _session, vm):
        check_operation(self.db, vm, 'hard_reboot')
        return self.later('hard_reboot', vm, lambda: self.reboot(vm))

    def vm_suspend(self, _session, vm):
        check_operation(self.db, vm, 'suspend')
        return self.later('suspend', vm, lambda: self.suspended(vm))

    def vm_resume(self, _session, vm, start_paused, _force):
        check_operation(self.db, vm, 'resume')
        return self.later('resume', vm, lambda: self.resumed(vm, start_paused, self.pick_host(vm)))

    def vm_resume_on(self, _session, vm, host, start_paused, _force):
        check_operation(self.db, vm, 'resume_on')
        return self.later('resume_on', vm, lambda: self.resumed(vm, start_paused, host))

    def vm_pause(self, _session, vm):
        check_operation(self.db, vm, 'pause')
        return self.later('pause', vm, lambda: self.set_power(vm, 'Paused'))

    def vm_unpause(self, _session, vm):
        check_operation(self.db, vm, 'unpause')
        return self.later('unpause', vm, lambda: self.set_power(vm, 'Running'))

    def vm_pool_migrate(self, _session, vm, host, options):
        check_operation(self.db, vm, 'pool_migrate', strict=options.get('force') != 'true')
        if not self.db.get('host', host)['enabled']:
            raise XenFailure('HOST_DISABLED', host)
        return self.later('pool_migrate', vm, lambda: self.move(vm, host))

    def suspended(self, vm):
        self.parts.drop_consoles(vm)
        return self.set_power(vm, 'Suspended', NULL_REF)

    def resumed(self, vm, paused, host):
        self.set_power(vm, 'Paused' if paused else 'Running', host)
        self.parts.add_console(vm)
        return ''

    def set_power(self, vm, state, host=None):
        record = self.db.get('VM', vm)
        old_host = record['resident_on']
        if host is not None and host != old_host:
            if old_host in self.layout.hosts:
                self.db.get('host', old_host)['resident_VMs'].remove(vm)
                self.db.touch('host', old_host)
            if host in self.layout.hosts:
                self.db.get('host', host)['resident_VMs'].append(vm)
                self.db.touch('host', host)
        fields = {'power_state': state}
        if host is not None:
            fields['resident_on'] = host
        self.db.update('VM', vm, **fields)
        refresh_allowed(self.db, vm)
        return ''

    def power_on(self, vm, host, paused):
        record = self.db.get('VM', vm)
        self.db.update('VM', vm, domid=self.parts.next_domid())
        self.set_power(vm, 'Paused' if paused else 'Running', host)
        self._attach(record, True)
        self.parts.add_console(vm)
        metrics = self.db.find('VM_metrics', record['metrics'])
        if metrics is not None:
            self.db.update('VM_metrics', record['metrics'], start_time=datetime(self.clock.now()),
                           VCPUs_number=record['VCPUs_at_startup'], memory_actual=record['memory_dynamic_max'])
        self.boot(vm)
        return ''

    def power_off(self, vm):
        for job in [j for j in self.tasks.jobs if j.vm == vm and j is not self.tasks.finishing
                    and j.op in ('clean_shutdown', 'clean_reboot', 'shutdown')]:
            self.tasks.end_job(job, failure=XenFailure('VM_BAD_POWER_STATE', vm, 'running', 'halted'))
        record = self.db.get('VM', vm)
        self.parts.drop_guest_metrics(vm)
        self.parts.drop_consoles(vm)
        self.db.update('VM', vm, domid=-1)
        self.set_power(vm, 'Halted', NULL_REF)
        self._attach(record, False)
        return ''

    def reboot(self, vm):
        self.parts.drop_guest_metrics(vm)
        self.db.update('VM', vm, domid=self.parts.next_domid())
        self.set_power(vm, 'Running')
        self.boot(vm)
        return ''

    def move(self, vm, host):
        self.set_power(vm, 'Running', host)
        return ''

    def boot(self, vm):
        """The guest agent reports ``boot_seconds`` after a boot, unless this boot was replaced."""
        self.boot_ids[vm] += 1
        boot_id = self.boot_ids[vm]

        def report():
            record = self.db.find('VM', vm)
            if record and record['power_state'] == 'Running' and self.boot_ids[vm] == boot_id and vm not in self.no_tools:
                self.parts.report_guest(vm)
        self.tasks.schedule(self.boot_seconds, report)

    def _attach(self, record, attached):
        for cls, refs in (('VBD', record['VBDs']), ('VIF', record['VIFs'])):
            for ref in refs:
                if self.db.exists(cls, ref) and not (cls == 'VBD' and self.db.get(cls, ref)['empty']):
                    self.db.update(cls, ref, currently_attached=attached)
                if cls == 'VBD' and self.db.exists(cls, ref):
                    refresh_vbd(self.db, ref)

    # -- VM configuration -----------------------------------------------------------------------

    def vm_set_vcpus_max(self, _session, vm, value):
        record = check_operation(self.db, vm, 'changing_VCPUs')
        if value < 1 or value > 64:
            raise XenFailure('VALUE_NOT_SUPPORTED', 'VCPUs_max', value, 'value must be between 1 and 64')
        if value < record['VCPUs_at_startup']:
            raise XenFailure('VALUE_NOT_SUPPORTED', 'VCPUs_max', value, 'value is lower than VCPUs_at_startup')
        self.db.update('VM', vm, VCPUs_max=value)
        return ''

    def vm_set_vcpus_at_startup(self, _session, vm, value):
        record = check_operation(self.db, vm, 'changing_VCPUs')
        if value < 1 or value > record['VCPUs_max']:
            raise XenFailure('VALUE_NOT_SUPPORTED', 'VCPUs_at_startup', value, 'value greater than VCPUs_max')
        self.db.update('VM', vm, VCPUs_at_startup=value)
        return ''

    def _set_memory(self, vm, static_min, static_max, dynamic_min, dynamic_max):
        if not 0 <= static_min <= dynamic_min <= dynamic_max <= static_max:
            raise XenFailure('MEMORY_CONSTRAINT_VIOLATION',
                             'Memory limits must satisfy: static_min <= dynamic_min <= dynamic_max <= static_max')
        self.db.update('VM', vm, memory_static_min=static_min, memory_static_max=static_max,
                       memory_dynamic_min=dynamic_min, memory_dynamic_max=dynamic_max, memory_target=dynamic_max)
        return ''

    def vm_set_memory(self, _session, vm, value):
        record = check_operation(self.db, vm, 'changing_memory_limits')
        return self._set_memory(vm, record['memory_static_min'], value, value, value)

    def vm_set_memory_limits(self, _session, vm, static_min, static_max, dynamic_min, dynamic_max):
        check_operation(self.db, vm, 'changing_memory_limits')
        return self._set_memory(vm, static_min, static_max, dynamic_min, dynamic_max)

    def vm_set_memory_static_max(self, _session, vm, value):
        record = check_operation(self.db, vm, 'changing_static_range')
        return self._set_memory(vm, record['memory_static_min'], value, record['memory_dynamic_min'],
                                record['memory_dynamic_max'])

    def vm_set_memory_dynamic_range(self, _session, vm, dynamic_min, dynamic_max):
        record = check_operation(self.db, vm, 'changing_dynamic_range')
        return self._set_memory(vm, record['memory_static_min'], record['memory_static_max'], dynamic_min, dynamic_max)
