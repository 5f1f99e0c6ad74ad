# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""XenServer pools: pool and host facts in three bulk reads, and live migration of several VMs within
a pool with bounded parallelism: a sliding window of ``Async.VM.pool_migrate`` tasks followed through
``event.from`` (no polling), each VM's outcome in a :class:`results.FleetResult`.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.opencitrix.automation.plugins.module_utils import errors
from ansible_collections.opencitrix.automation.plugins.module_utils.concurrency import clamp
from ansible_collections.opencitrix.automation.plugins.module_utils.results import FleetResult
from ansible_collections.opencitrix.automation.plugins.module_utils.targets import check_max_targets, require_named
from ansible_collections.opencitrix.automation.plugins.module_utils.xenserver.session import quote
from ansible_collections.opencitrix.automation.plugins.module_utils.xenserver.vm import (
    MIB, ORDINARY_VMS, as_int,
)

MIGRATION_HARD_CAP = 16


def host_summary(ref, host, metrics, master_ref):
    software = host.get('software_version') or {}
    cpu = host.get('cpu_info') or {}
    resident = [r for r in host.get('resident_VMs') or [] if r != host.get('control_domain')]
    return {
        'name': host.get('name_label'), 'uuid': host.get('uuid'), 'address': host.get('address'),
        'hostname': host.get('hostname'), 'is_master': ref == master_ref, 'enabled': bool(host.get('enabled')),
        'live': bool(metrics.get('live')) if metrics else None,
        'product_brand': software.get('product_brand'), 'product_version': software.get('product_version'),
        'build_number': software.get('build_number'), 'xen_version': software.get('xen'),
        'xapi_version': software.get('xapi'),
        'api_version': '%s.%s' % (host.get('API_version_major'), host.get('API_version_minor')),
        'edition': host.get('edition'), 'cpu_count': as_int(cpu.get('cpu_count')),
        'socket_count': as_int(cpu.get('socket_count')), 'cpu_model': cpu.get('modelname'),
        'cpu_speed_mhz': as_int(str(cpu.get('speed', '0')).split('.', maxsplit=1)[0]),
        'memory_total_mb': as_int(metrics.get('memory_total')) // MIB if metrics else None,
        'memory_free_mb': as_int(metrics.get('memory_free')) // MIB if metrics else None,
        'vm_count': len(resident), 'tags': sorted(host.get('tags') or []),
    }


def pool_facts(session, names=None):
    """``(pool, hosts)``: the pool and its hosts (all, or those named), master first."""
    pools = session.all_records('pool', what='read the pool')
    hosts = session.all_records('host', what='list hosts')
    metrics = session.all_records('host_metrics', what='read host metrics')
    if not pools:
        raise errors.ResponseFormatError('Could not read the pool', api_message='the server reports no pool object')
    pool = next(iter(pools.values()))
    master_ref = pool.get('master')
    master = hosts.get(master_ref) or {}
    summaries = [host_summary(ref, host, metrics.get(host.get('metrics')) or {}, master_ref) for ref, host in hosts.items()]
    wanted = set(names or [])
    if wanted:
        summaries = [h for h in summaries if h['name'] in wanted or h['uuid'] in wanted or h['address'] in wanted]
    summaries.sort(key=lambda h: (not h['is_master'], h['name'] or ''))
    facts = {'name': pool.get('name_label'), 'uuid': pool.get('uuid'), 'master': master.get('name_label'),
             'master_address': master.get('address'), 'ha_enabled': bool(pool.get('ha_enabled')),
             'host_count': len(hosts), 'tags': sorted(pool.get('tags') or [])}
    return facts, summaries


def find_host(hosts, label):
    """``(ref, record)`` of the host whose name, UUID, address or hostname is ``label``."""
    found = [(r, h) for r, h in hosts.items() if label in (h.get('name_label'), h.get('uuid'), h.get('address'), h.get('hostname'))]
    if not found:
        raise errors.NotFoundError('No host "%s" in the pool' % label,
                                   hint='use a host name, UUID or address from xenserver_host_info')
    if len(found) > 1:
        raise errors.InputError('%d hosts match "%s"' % (len(found), label), hint='identify the host by UUID')
    return found[0]


class Migration:
    """Live-migrates VMs to one host, at most ``concurrency`` at a time, and reports every VM. With
    ``max_targets``, no migration starts when more VMs than that would move."""

    def __init__(self, session, concurrency=3, timeout=1800, live=True, check_mode=False, log=None, max_targets=None):
        self.session = session
        self.concurrency = clamp(concurrency, MIGRATION_HARD_CAP)
        self.timeout = timeout
        self.live = live
        self.check_mode = check_mode
        self.log = log or (lambda message: None)
        self.max_targets = max_targets

    def resolve(self, labels):
        """``{label: (ref, record)}`` for every VM name or UUID, in one call; missing and ambiguous
        labels map to an error."""
        clause = ' or '.join('field "name_label"=%s or field "uuid"=%s' % (quote(label), quote(label)) for label in labels)
        found = self.session.all_records('VM', '(%s) and %s' % (clause, ORDINARY_VMS), what='look up the VMs to migrate')
        resolved = {}
        for label in labels:
            matches = [(r, v) for r, v in found.items() if label in (v.get('name_label'), v.get('uuid'))]
            if not matches:
                resolved[label] = errors.NotFoundError('No VM called "%s"' % label)
            elif len(matches) > 1:
                resolved[label] = errors.InputError('%d VMs are called "%s"' % (len(matches), label),
                                                    hint='identify the VM by uuid')
            else:
                resolved[label] = matches[0]
        return resolved

    def running(self):
        """``{uuid: (ref, record)}`` of every running ordinary VM of the pool, in one call."""
        found = self.session.all_records('VM', '%s and field "power_state"="Running"' % ORDINARY_VMS,
                                         what='list the running VMs of the pool')
        return dict((vm.get('uuid'), (ref, vm)) for ref, vm in sorted(found.items(), key=lambda i: (
            str(i[1].get('name_label')), str(i[1].get('uuid')))) if vm.get('power_state') == 'Running')

    def run(self, labels, host_label, all_targets=False):
        """A FleetResult with one item per VM ``labels`` name (names or UUIDs) or, with ``all_targets``
        and no label, per running VM of the pool (by name); no label without ``all_targets`` is an
        InputError. Items hold ``vm``, ``uuid``, ``from_host``, ``to_host`` and ``status`` (``migrated``,
        ``unchanged``, ``would migrate`` or ``failed``, then with ``msg``)."""
        labels = list(dict.fromkeys(require_named(labels or (), all_targets, noun='VM', scope='pool')))
        hosts = self.session.all_records('host', what='list hosts')
        target_ref, target = find_host(hosts, host_label)
        target_name = target.get('name_label')
        resolved = self.resolve(labels) if labels else self.running()
        fleet = FleetResult('Migration to %s' % target_name)
        queue = []
        for label in labels or list(resolved):
            found = resolved[label]
            if isinstance(found, errors.CitrixError):
                fleet.add(label, 'failed', str(found), vm=label, to_host=target_name, status='failed', msg=str(found))
                continue
            ref, vm = found
            name = vm.get('name_label')
            fields = dict(vm=name, uuid=vm.get('uuid'), to_host=target_name,
                          from_host=(hosts.get(vm.get('resident_on')) or {}).get('name_label'))
            if vm.get('resident_on') == target_ref:
                fleet.add(name, 'unchanged', status='unchanged', **fields)
            elif vm.get('power_state') != 'Running':
                error = errors.ConflictError(
                    'Could not migrate VM %s' % name, code='VM_BAD_POWER_STATE',
                    api_message='VM %s is %s; live migration needs it running' % (name, str(vm.get('power_state')).lower()))
                fleet.add(name, 'failed', str(error), status='failed', msg=str(error), **fields)
            else:
                queue.append((ref, fleet.add(name, 'changed', status='would migrate' if self.check_mode else 'migrated',
                                             **fields)))
        check_max_targets([item['vm'] for _ref, item in queue], self.max_targets, 'VMs')
        if not self.check_mode:
            self._migrate(queue, target_ref, target_name)
        return fleet

    @staticmethod
    def _failed(item, error):
        FleetResult.fail(item, error, status='failed', msg=str(error))

    def _migrate(self, queue, target_ref, target_name):
        running = {}
        deadline = self.session.clock.monotonic() + self.timeout
        options = {'live': 'true' if self.live else 'false'}
        while queue or running:
            while queue and len(running) < self.concurrency:
                ref, item = queue.pop(0)
                what = 'migrate VM %s to %s' % (item['vm'], target_name)
                try:
                    running[self.session.call('Async.VM.pool_migrate', ref, target_ref, options, what=what)] = (item, what)
                    self.log('started: ' + what)
                except errors.CitrixError as exc:
                    self._failed(item, exc)
            if not running:
                continue
            try:
                finished = self.session.wait_tasks(list(running), max(0.0, deadline - self.session.clock.monotonic()),
                                                   'migrate %d VM(s)' % len(running), until_any=True)
            except errors.WaitTimeoutError as exc:
                for task, (item, _what) in running.items():
                    self._failed(item, exc)
                    self.session.forget_task(task, cancel=True)
                for _ref, item in queue:
                    self._failed(item, exc)
                return
            for task, record in finished.items():
                item, what = running.pop(task)
                try:
                    self.session.task_outcome(task, record, what)
                except errors.CitrixError as exc:
                    self._failed(item, exc)
                self.session.forget_task(task)
