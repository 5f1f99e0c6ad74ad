"""xapi's checks of a VM operation, in its order (power-states.md): blocked operations, allowed power
states (``VM_BAD_POWER_STATE``), operations in progress and which may overlap, templates, snapshots,
provision and revert targets, immobile VMs, control domains, guest features a running guest must report,
and disks whose contents reset at boot; and ``allowed_operations``, recomputed with the same checks for
every operation power-states.md lists."""

from tests.simulator.services.xenserver.xenapi_db import XenFailure

# power-states.md: allowed power states per operation, in the order xapi lists them in VM_BAD_POWER_STATE.
ALLOWED_STATES = {
    'start': ('halted',), 'start_on': ('halted',), 'clean_shutdown': ('running',),
    'hard_shutdown': ('paused', 'suspended', 'running'), 'shutdown': ('paused', 'suspended', 'running'),
    'clean_reboot': ('running',), 'hard_reboot': ('paused', 'running'), 'suspend': ('running',),
    'resume': ('suspended',), 'resume_on': ('suspended',), 'pause': ('running',), 'unpause': ('paused',),
    'clone': ('halted',), 'copy': ('halted',), 'destroy': ('halted', 'suspended'), 'pool_migrate': ('running',),
    'migrate_send': ('halted', 'suspended', 'running'), 'snapshot': ('halted', 'paused', 'suspended', 'running'),
    'checkpoint': ('paused', 'suspended', 'running'), 'revert': ('halted', 'paused', 'suspended', 'running'),
    'provision': ('halted',), 'export': ('halted', 'suspended'), 'changing_VCPUs': ('halted',),
    'changing_memory_limits': ('halted',), 'changing_static_range': ('halted',), 'make_into_template': ('halted',),
}
# clone and copy also run on a suspended VM when it is a snapshot or the pool allows it.
CLONES = ('clone', 'copy')
TEMPLATE_OPERATIONS = ('clone', 'copy', 'export', 'metadata_export', 'provision', 'changing_VCPUs',
                       'changing_memory_limits', 'changing_static_range', 'changing_dynamic_range', 'changing_NVRAM',
                       'destroy', 'migrate_send')
SNAPSHOT_OPERATIONS = ('revert', 'clone', 'copy', 'export', 'destroy', 'hard_shutdown', 'metadata_export')
GUEST_FEATURE_NEEDED = {'clean_shutdown': ('feature-shutdown', 'feature-poweroff'),
                        'clean_reboot': ('feature-shutdown', 'feature-reboot'),
                        'suspend': ('feature-suspend',), 'checkpoint': ('feature-suspend',),
                        'pool_migrate': ('feature-suspend',), 'migrate_send': ('feature-suspend',)}
IMMOBILE_OPERATIONS = ('suspend', 'checkpoint', 'pool_migrate', 'migrate_send')
RESET_DISK_BLOCKS = ('snapshot', 'checkpoint', 'suspend')
# Every operation power-states.md lists (shutdown is internal and never listed).
LISTED_OPERATIONS = ('start', 'start_on', 'clean_shutdown', 'hard_shutdown', 'clean_reboot', 'hard_reboot',
                     'suspend', 'resume', 'resume_on', 'pause', 'unpause', 'clone', 'copy', 'destroy',
                     'pool_migrate', 'migrate_send', 'snapshot', 'checkpoint', 'revert', 'provision', 'export',
                     'make_into_template', 'changing_VCPUs', 'changing_memory_limits', 'changing_static_range',
                     'changing_dynamic_range')


def check_operation(db, vm, op, strict=True):
    """``vm``'s record if ``op`` may run on it now, else the XenFailure xapi answers, checked in xapi's order."""
    record = db.get('VM', vm)
    failure = denial(db, vm, record, op, Facts(db, record), strict)
    if failure is not None:
        raise XenFailure(*failure)
    return record


class Facts:
    """What the checks of one VM read besides its record, looked up once (and only when needed)."""

    def __init__(self, db, record):
        self.db = db
        self.record = record
        self._other = self._resets = self._clone_suspended = None

    @property
    def guest_other(self):
        if self._other is None:
            self._other = guest_other(self.db, self.record)
        return self._other

    @property
    def resets_at_boot(self):
        if self._resets is None:
            self._resets = any(_resets_at_boot(self.db, vbd) for vbd in self.record['VBDs'])
        return self._resets

    @property
    def clone_suspended(self):
        if self._clone_suspended is None:
            self._clone_suspended = clone_suspended_allowed(self.db)
        return self._clone_suspended


def denial(db, vm, record, op, facts, strict=True):
    """The ErrorDescription (code and parameters) of the first of xapi's checks ``op`` fails on ``vm``, or None."""
    if op in record['blocked_operations']:
        return ('OPERATION_BLOCKED', vm, record['blocked_operations'][op])
    power = record['power_state'].lower()
    allowed = ALLOWED_STATES.get(op)
    if op in CLONES and power == 'suspended' and (record['is_a_snapshot'] or facts.clone_suspended):
        allowed = ('halted', 'suspended')
    if allowed and power not in allowed:
        return ('VM_BAD_POWER_STATE', vm, ', '.join(allowed), power)
    for task, other in record['current_operations'].items():
        if not may_overlap(op, other):
            return ('OTHER_OPERATION_IN_PROGRESS', 'VM', vm, other, task)
    if record['is_a_template'] and not record['is_a_snapshot']:
        if op not in TEMPLATE_OPERATIONS or (op in ('destroy', 'migrate_send') and record['is_default_template']):
            if op == 'destroy':
                return ('VM_CANNOT_DELETE_DEFAULT_TEMPLATE', vm)
            return ('VM_IS_TEMPLATE', vm, op)
    if record['is_a_snapshot'] and op not in SNAPSHOT_OPERATIONS:
        return ('VM_IS_SNAPSHOT', vm, op)
    if op == 'provision' and not record['is_a_template']:
        return ('PROVISION_ONLY_ALLOWED_ON_TEMPLATE',)
    if op == 'revert' and not record['is_a_snapshot']:
        return ('ONLY_REVERT_SNAPSHOT',)
    if op in IMMOBILE_OPERATIONS and record['platform'].get('nomigrate') in ('1', 'true'):
        return ('VM_IS_IMMOBILE', vm)
    if record['is_control_domain'] and op not in ('start', 'start_on', 'changing_memory_limits'):
        return ('OPERATION_NOT_ALLOWED', 'This operation is not allowed on a control domain')
    if strict and power == 'running' and op in GUEST_FEATURE_NEEDED:
        if not any(facts.guest_other.get(feature) == '1' for feature in GUEST_FEATURE_NEEDED[op]):
            return ('VM_LACKS_FEATURE', vm)
    if op in RESET_DISK_BLOCKS and facts.resets_at_boot:
        return ('VDI_ON_BOOT_MODE_INCOMPATIBLE_WITH_OPERATION',)
    return None


def clone_suspended_allowed(db):
    pools = list(db.all('pool').values())
    return bool(pools) and pools[0]['other_config'].get('allow_clone_suspended_vm') == 'true'


def _resets_at_boot(db, vbd):
    record = db.find('VBD', vbd)
    vdi = db.find('VDI', record['VDI']) if record else None
    return bool(vdi) and vdi['on_boot'] == 'reset'


def may_overlap(op, other):
    """Whether ``op`` may start while ``other`` runs on the same VM."""
    if op == 'hard_shutdown':
        return other != 'hard_shutdown'
    if op == 'hard_reboot':
        return other not in ('hard_shutdown', 'hard_reboot')
    copies = ('clone', 'copy', 'export')
    if op in copies and other in copies:
        return True
    snapshots = ('snapshot', 'checkpoint')
    return op in snapshots and other in snapshots


def guest_other(db, record):
    """The guest agent's ``other`` map (features), empty without PV drivers."""
    metrics = db.find('VM_guest_metrics', record['guest_metrics'])
    return metrics['other'] if metrics and metrics['PV_drivers_detected'] else {}


def refresh_allowed(db, vm):
    """Recompute ``vm``'s ``allowed_operations`` with the checks of :func:`check_operation`."""
    record = db.get('VM', vm)
    facts = Facts(db, record)
    allowed = [op for op in LISTED_OPERATIONS if denial(db, vm, record, op, facts) is None]
    if allowed != record['allowed_operations']:
        db.update('VM', vm, allowed_operations=allowed)


def assert_can_boot(db, vm, host):
    """The checks of ``VM.assert_can_boot_here``: the host is enabled, has the memory (the simulated
    hosts are never full: only a VM larger than a host fails), and sees every storage repository the
    VM's disks are on."""
    record = db.get('VM', vm)
    host_record = db.get('host', host)
    if not host_record['enabled']:
        raise XenFailure('HOST_DISABLED', host)
    metrics = db.find('host_metrics', host_record['metrics']) or {}
    available = metrics.get('memory_total', 0)
    if record['memory_static_max'] > available:
        raise XenFailure('HOST_NOT_ENOUGH_FREE_MEMORY', record['memory_static_max'], available)
    for vbd in record['VBDs']:
        vdi = db.find('VDI', db.get('VBD', vbd)['VDI'])
        sr = db.find('SR', vdi['SR']) if vdi else None
        if sr is None or sr['shared'] or not sr['PBDs']:
            continue
        if not any(db.get('PBD', pbd)['host'] == host for pbd in sr['PBDs'] if db.exists('PBD', pbd)):
            raise XenFailure('VM_REQUIRES_SR', vm, vdi['SR'])
