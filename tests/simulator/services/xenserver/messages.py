"""The XenAPI messages of the simulated pool, once the call is checked (``rpc.py``): the implicit ones
every class has, served generically from the datamodel (``get_record``, ``get_all``,
``get_all_records[_where]``, ``get_by_uuid``, ``get_by_name_label``, field getters and setters, map and
set editors, ``create`` from a record with the datamodel's defaults, ``destroy``), and the explicit ones
the simulator implements: each collaborator's ``handlers()`` (VM power and configuration in
``vm_operations``, lifecycle in ``vm_lifecycle``, disks and NICs in ``devices``, snapshots in
``snapshots``), ``event.from``, ``task.cancel``/``destroy`` and ``pool.designate_new_master``."""

import re
import time

from tests.simulator.services.xenserver.wire import Wired, wire
from tests.simulator.services.xenserver.xenapi_db import Subscriptions, XenFailure


class Messages:
    """Message handlers over ``db`` and ``model``; ``tasks`` (a :class:`~.tasks.Tasks`) and ``vms`` (a
    :class:`~.vm_operations.VmOperations`) do the work of explicit messages, with the ``handlers()`` of
    each of ``collaborators``; ``reader`` reads the records of generic ``create`` calls; ``layout`` (a
    :class:`~.estate.PoolLayout`) gives the hosts; ``designate_master(index)`` changes the master."""

    def __init__(self, db, model, tasks, vms, layout, designate_master, collaborators=(), reader=None):
        self.db = db
        self.model = model
        self.tasks = tasks
        self.vms = vms
        self.layout = layout
        self.designate_master = designate_master
        self.collaborators = collaborators
        self.reader = reader
        self._wire_cache = {}
        self.handlers = self._handlers()

    # -- generic (implicit) messages ------------------------------------------------------------

    def wire_record(self, cls, ref):
        stat = self.db.stats[cls][ref]
        cached = self._wire_cache.get((cls, ref))
        if cached is not None and cached[0] == stat[1]:
            return cached[1]
        value = wire(self.db.get(cls, ref))
        self._wire_cache[(cls, ref)] = (stat[1], value)
        return value

    def generic(self, cls, message, values):
        db = self.db
        if message == 'get_record':
            return Wired(self.wire_record(cls, values[0]))
        if message == 'get_all':
            return list(db.all(cls))
        if message == 'get_all_records':
            return Wired({ref: self.wire_record(cls, ref) for ref in db.all(cls)})
        if message == 'get_all_records_where':
            return Wired({ref: self.wire_record(cls, ref) for ref in db.where(cls, values[0])})
        if message == 'get_by_uuid':
            return db.by_uuid_ref(cls, values[0])
        if message == 'get_by_name_label':
            return [ref for ref, rec in db.all(cls).items() if rec.get('name_label') == values[0]]
        if message == 'create' and self.reader is not None:
            return db.create(cls, **self.reader.fields(cls, values[0]))
        if message == 'destroy':
            db.destroy(cls, values[0])
            return ''
        for prefix in ('get_', 'set_', 'add_to_', 'remove_from_', 'add_', 'remove_'):
            if not message.startswith(prefix):
                continue
            field = message[len(prefix):]
            if self.model.field_type(cls, field) is None:
                continue
            record = db.get(cls, values[0])
            if prefix == 'get_':
                return record[field]
            if prefix == 'set_':
                db.update(cls, values[0], **{field: values[1]})
            elif prefix == 'add_to_':
                if values[1] in record[field]:
                    raise XenFailure('MAP_DUPLICATE_KEY', cls, field, record['uuid'], values[1])
                record[field][values[1]] = values[2]
                db.touch(cls, values[0])
            elif prefix == 'remove_from_':
                record[field].pop(values[1], None)
                db.touch(cls, values[0])
            elif prefix == 'add_':
                if values[1] not in record[field]:
                    record[field].append(values[1])
                db.touch(cls, values[0])
            else:
                if values[1] in record[field]:
                    record[field].remove(values[1])
                db.touch(cls, values[0])
            return ''
        raise XenFailure('NOT_IMPLEMENTED', '%s.%s' % (cls, message))

    # -- explicit messages ----------------------------------------------------------------------

    def _handlers(self):
        vms = self.vms
        vm_ops = {
            'start': vms.vm_start, 'start_on': vms.vm_start_on, 'clean_shutdown': vms.vm_clean_shutdown,
            'hard_shutdown': vms.vm_hard_shutdown, 'shutdown': vms.vm_shutdown, 'clean_reboot': vms.vm_clean_reboot,
            'hard_reboot': vms.vm_hard_reboot, 'suspend': vms.vm_suspend, 'resume': vms.vm_resume,
            'resume_on': vms.vm_resume_on, 'pause': vms.vm_pause, 'unpause': vms.vm_unpause,
            'pool_migrate': vms.vm_pool_migrate, 'set_VCPUs_max': vms.vm_set_vcpus_max,
            'set_VCPUs_at_startup': vms.vm_set_vcpus_at_startup, 'set_memory': vms.vm_set_memory,
            'set_memory_limits': vms.vm_set_memory_limits, 'set_memory_static_max': vms.vm_set_memory_static_max,
            'set_memory_dynamic_range': vms.vm_set_memory_dynamic_range,
        }
        handlers = {('VM', name): handler for name, handler in vm_ops.items()}
        for collaborator in self.collaborators:
            handlers.update(collaborator.handlers())
        handlers.update({
            ('task', 'cancel'): self.task_cancel, ('task', 'destroy'): self.task_destroy,
            ('event', 'from'): self.event_from, ('event', 'get_current_id'): lambda _s: self.db.generation,
            ('pool', 'designate_new_master'): lambda _s, host: self.designate_master(self.layout.hosts.index(host)),
        })
        return handlers

    def event_from(self, session, classes, token, timeout):
        subscriptions = Subscriptions(classes)
        if token == '':
            since = 0
        else:
            match = re.match(r'^(\d+),(\d+)$', token)
            if not match:
                raise XenFailure('EVENT_FROM_TOKEN_PARSE_FAILURE', token)
            since = int(match.group(1))
        deadline = time.monotonic() + max(0.0, min(float(timeout), 3600.0))
        with self.db.lock:
            while True:
                self.tasks.process_due()
                events, last = self.db.events_since(subscriptions, since)
                if events or time.monotonic() >= deadline:
                    break
                since = max(since, last) if not events else since
                self.db.changed.wait(min(0.05, max(0.0, deadline - time.monotonic())))
                if not self.db.exists('session', session):
                    raise XenFailure('SESSION_INVALID', session)
            for event in events:
                if 'snapshot' in event:
                    event['snapshot'] = self.wire_record(self.model.canonical(event['class']), event['ref'])
            counts = self.db.valid_ref_counts()
        # valid_ref_counts are 32-bit ints on the wire; everything else follows the usual encoding.
        return Wired({'events': events, 'valid_ref_counts': counts, 'token': '%020d,%020d' % (last, 0)})

    def task_cancel(self, _session, task):
        for job in self.tasks.jobs:
            if job.task == task:
                self.tasks.end_job(job, failure=XenFailure('TASK_CANCELLED', task), status='cancelled')
                return ''
        raise XenFailure('OPERATION_NOT_ALLOWED', 'Task %s is not pending' % task)

    def task_destroy(self, _session, task):
        self.db.destroy('task', task)
        return ''
