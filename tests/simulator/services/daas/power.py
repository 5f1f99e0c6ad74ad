"""Power actions of DaaS machines, on the simulator clock: which action needs which
``SupportedPowerActions`` entry and applies from which state, the transition a machine shows meanwhile
(``TurningOn``, ``TurningOff``...) with ``PowerActionPending``, and the job that reports it.

Nothing runs in the background: :func:`settle` brings a machine up to date when it is read. The
functions take the :class:`~.estate.Estate` whose machines they change.
"""

from tests.simulator.services.daas.errors import fail

JOB_QUEUE_SECONDS = 1.0

VM_ACTIONS = ['PowerOn', 'PowerOff', 'Shutdown', 'Restart', 'Reset']
POWER_PROFILES = {
    'vm': VM_ACTIONS,
    'vm-suspend': VM_ACTIONS + ['SuspendResume'],
    'physical': [],
}

# action -> (SupportedPowerAction it needs, job type, sim seconds it takes, states it acts from,
#            states where it is a no-op, final state)
POWER_ACTIONS = {
    'start': ('PowerOn', 'StartMachines', 30, ('Off',), ('On',), 'On'),
    'shutdown': ('Shutdown', 'ShutDownMachines', 20, ('On', 'Suspended'), ('Off',), 'Off'),
    'reboot': ('Restart', 'RebootMachines', 40, ('On',), (), 'On'),
    'suspend': ('SuspendResume', 'SuspendMachines', 10, ('On',), ('Suspended',), 'Suspended'),
    'resume': ('SuspendResume', 'ResumeMachines', 10, ('Suspended',), ('On',), 'On'),
}
TRANSITIONAL = {'start': 'TurningOn', 'shutdown': 'TurningOff', 'suspend': 'Suspending', 'resume': 'Resuming'}
NO_OP_SECONDS = 2

UNSUPPORTED_ACTION = 'Machine does not support specified power action.'


def settle(estate, machine):
    """Finish ``machine``'s transition if simulator time has reached its end, and its registration after
    a boot; returns the machine."""
    transition = machine['_transition']
    now = estate.clock.now()
    if transition and now >= transition['end']:
        machine['_transition'] = None
        machine['PowerActionPending'] = False
        if not transition['fail']:
            if transition['action'] == 'reboot':
                estate.end_sessions(machine, by='reboot')
            if transition['to'] != transition['from'] or transition['action'] == 'reboot':
                estate.set_power(machine, transition['to'])
                if transition['to'] == 'On':
                    _booted(estate, machine, transition['end'])
    if machine['_registers_at'] is not None and now >= machine['_registers_at']:
        machine['_registers_at'] = None
        machine['RegistrationState'] = 'Registered'
    return machine


def _booted(estate, machine, at):
    """A machine that has just powered on registers ``registration_delay`` simulator seconds later, or
    never when it was told to get stuck on its next boot."""
    if machine['_stuck_next_boot']:
        machine['_stuck_next_boot'] = False
        machine['RegistrationState'] = 'Unregistered'
        machine['LastDeregistrationReason'] = 'AgentNotContactable'
        machine['LastDeregistrationTime'] = at
    elif estate.registration_delay > 0:
        machine['RegistrationState'] = 'Unregistered'
        machine['_registers_at'] = at + estate.registration_delay


def shown_power_state(machine, now):
    """The state shown while a transition runs (the record keeps the state it started from)."""
    transition = machine['_transition']
    if not transition or transition['fail']:
        return machine['PowerState']
    if transition['action'] == 'reboot':
        halfway = transition['start'] + (transition['end'] - transition['start']) / 2
        return 'TurningOff' if now < halfway else 'TurningOn'
    if transition['from'] == transition['to']:
        return machine['PowerState']
    return TRANSITIONAL[transition['action']]


def job_status(job, now):
    """``(Status, OverallProgressPercent)`` of a job at simulator time ``now`` (queued for ``_queue``
    seconds, power jobs ``JOB_QUEUE_SECONDS``)."""
    if now < job['_created'] + job.get('_queue', JOB_QUEUE_SECONDS):
        return 'NotStarted', 0
    if now < job['_end']:
        span = max(0.001, job['_end'] - job['_created'])
        return 'InProgress', int(100 * (now - job['_created']) / span)
    return ('Failed', 100) if job['_fail'] else ('Complete', 100)


def run_action(estate, site, key, action, force, caller, path):
    """Accept power ``action`` on machine ``key`` of ``site``, or raise the API's 400/409; returns
    ``(machine, job)`` and logs the action in ``estate.power_log``."""
    needs, job_type, seconds, acts_from, no_op_from, final = POWER_ACTIONS[action]
    machine = settle(estate, estate.find_machine(site, key))
    required = 'PowerOff' if action == 'shutdown' and force else needs
    if required not in machine['SupportedPowerActions']:
        fail(400, 'PowerActionsNotSupported', UNSUPPORTED_ACTION)
    if machine['PowerActionPending']:
        fail(409, 'PowerActionInProgress', 'A power action is already pending for machine %s.' % machine['Name'])
    state = machine['PowerState']
    if state not in acts_from and state not in no_op_from:
        fail(409, 'InvalidPowerState', 'Machine %s is %s; %s does not apply.' % (machine['Name'], state, action))
    now = estate.clock.now()
    duration = seconds if state in acts_from else NO_OP_SECONDS
    failure, machine['_fail_next'] = machine['_fail_next'], None
    machine['PowerActionPending'] = True
    machine['_transition'] = {'action': action, 'start': now, 'end': now + duration, 'from': state,
                              'to': final if state in acts_from else state, 'fail': failure}
    job = {'Id': estate.new_id(), 'Type': job_type, '_created': now, '_end': now + duration,
           '_fail': failure, '_machine_id': machine['Id'], '_machine_name': machine['Name'],
           '_caller': caller}
    site.jobs[job['Id']] = job
    estate.power_log.append({'action': action, 'machine_id': machine['Id'], 'name': machine['Name'],
                             'sessions': len(machine['_sessions']), 'force': force, 'job_id': job['Id'],
                             'path': path, 'site': site.id})
    return machine, job
