#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: xenserver_vm
short_description: Create, configure, power and delete XenServer VMs
version_added: 0.1.0
description:
  - Makes one VM of a XenServer pool present, absent or in a power state, with its description,
    vCPUs and cores per socket, memory, tags, other_config, xenstore data, home server, disks, NICs and CD drive.
  - A missing VM is created from O(template) (a template, whose disks are then provisioned, or a halted VM),
    as C(xe vm-install) does (a linked clone, or with O(linked_clone=false) a full copy). A VM that is not halted
    is cloned from a snapshot of it with O(clone_from_snapshot=true).
  - Creating a VM takes several steps (copy or clone, provision, then settings, disks, NICs and CD drive).
    Until the last of them the new VM (and any disk it gets) is called C(<name> [creating by opencitrix.automation]);
    it gets O(name) only once complete, so no lookup by O(name) or O(template) meets a half-made VM. A failed
    creation removes that VM; what a run that was killed left behind (the VM, a disk not attached yet, a snapshot
    of the source) is removed by the next run for the same O(name) (also with O(state=absent)) before the VM is
    created again.
  - The option names follow community.general's C(xenserver_guest) where they mean the same, and its names are
    accepted as aliases (for example O(vcpus) as C(num_cpus), O(cores_per_socket) as C(num_cpu_cores_per_socket)).
    The migration guide of this collection maps every option.
  - Two runs creating the same VM at the same time never leave two VMs of that name; one of them fails, saying so,
    and removes the VM it had made.
  - Clean shutdowns and reboots are used; with O(force) they fall back to hard ones when the guest
    does not comply within O(shutdown_timeout).
  - Long operations run as XenAPI tasks and are waited for through the event system, not by polling.
author:
  - opencitrix maintainers (@opencitrix)
requirements:
  - XenAPI
options:
  name:
    description:
      - Name (C(name_label)) of the VM. Names are not unique in XenServer; when several ordinary VMs
        share it the module fails and asks for O(uuid).
      - With O(uuid), the VM is renamed to O(name).
    type: str
  uuid:
    description: UUID of the VM. Identifies an existing VM.
    type: str
  state:
    description:
      - V(present) creates the VM if needed (halted) and applies the settings without touching its power state.
      - V(running), V(halted), V(suspended) and V(paused) also bring the VM to that power state.
      - V(restarted) reboots a running VM (and starts a halted one); it always acts and reports a change.
      - V(absent) deletes the VM and the disks no other VM uses. A VM that is not halted or suspended is
        only deleted with O(force).
    type: str
    default: present
    choices: [present, absent, running, halted, suspended, paused, restarted]
  template:
    description:
      - Name or UUID of the template, or of a VM, to create the VM from when it does not exist.
    type: str
    aliases: [template_src]
  linked_clone:
    description:
      - Create the VM as a linked clone of O(template) (C(VM.clone), fast, sharing the template's disks through
        copy-on-write where the storage allows it).
      - V(false) makes a full copy (C(VM.copy)) with disks of its own, on the storage repository of the first entry
        of O(disks) when it names one, else on the pool's default storage repository.
      - Note that C(xenserver_guest) copies by default; this module clones by default.
    type: bool
    default: true
  clone_from_snapshot:
    description:
      - When O(template) names a VM that is not halted, take a snapshot of it, create the VM from the snapshot,
        and delete the snapshot. Without this option such a VM cannot be a source.
    type: bool
    default: false
  description:
    description: Description (C(name_description)) of the VM.
    type: str
    aliases: [name_desc]
  vcpus:
    description:
      - Number of virtual CPUs (sets both C(VCPUs_max) and C(VCPUs_at_startup)), at least 1.
      - Can only change while the VM is halted (see O(halt_for_changes)); together with O(state=halted) the VM is
        shut down first.
    type: int
    aliases: [num_cpus]
  cores_per_socket:
    description:
      - Cores per virtual CPU socket (C(platform:cores-per-socket)), at least 1; O(vcpus) must be a multiple of it.
      - A VM without the setting has one core per socket.
      - Can only change while the VM is halted, like O(vcpus).
    type: int
    aliases: [num_cpu_cores_per_socket]
  memory_mb:
    description:
      - Memory in MiB (static and dynamic maximum, and dynamic minimum), at least 1.
      - Can only change while the VM is halted, like O(vcpus).
    type: int
  home_server:
    description:
      - Name, UUID or address of the host the VM prefers to start on (its affinity). V("") clears it.
      - Can change in any power state; it applies from the next start.
    type: str
  xenstore_data:
    description:
      - Keys to set in the VM's C(xenstore_data), under C(vm-data/) (a key without that prefix gets it), which the
        guest reads at boot; for example the first-boot network configuration of a NetScaler VPX. Other keys are
        left alone; a key whose value is null is removed.
      - Can change in any power state; a running guest sees the new values at its next boot.
    type: dict
  disks:
    description:
      - The VM's disks, in order of their device numbers; entry N is the VM's Nth disk (CD drives are not disks).
        For a VM made from a template, the template's disks come first.
      - A disk the VM does not have yet is added (hot-plugged when the VM runs). A size larger than the disk's
        grows it (the VM must be halted); a smaller one is an error, disks are never shrunk.
      - Disks beyond the list are left alone unless O(remove_extra_disks=true).
    type: list
    elements: dict
    aliases: [disk]
    suboptions:
      size:
        description:
          - Size with a unit, such as V(20GiB), V(20G), V(512MiB) or V(1T) (units are powers of 1024).
          - Give one of O(disks[].size), O(disks[].size_gb) and O(disks[].size_mb); needed for a new disk.
        type: str
      size_gb:
        description: Size in GiB.
        type: float
      size_mb:
        description: Size in MiB.
        type: int
      name:
        description: Name of the disk (the VDI's C(name_label)); a new disk without one is called C(<vm> disk <N>).
        type: str
        aliases: [name_label]
      name_desc:
        description: Description of the disk.
        type: str
        aliases: [description]
      sr:
        description:
          - Name or UUID of the storage repository of a new disk (default the pool's default storage repository),
            and of a disk that provisioning the template makes (default the one the template names, else the pool's
            default), as C(xe vm-install sr-uuid=) does.
          - For an existing disk, a different storage repository is an error; disks are not moved.
        type: str
      sr_uuid:
        description: UUID of the storage repository, when its name is not unique.
        type: str
  remove_extra_disks:
    description:
      - Remove the VM's disks beyond O(disks), and delete their virtual disks unless another VM uses them.
        The VM must be halted.
    type: bool
    default: false
  networks:
    description:
      - The VM's NICs; entry N is the VM's Nth NIC (by device number), or the NIC with the entry's O(networks[].device).
      - A NIC the VM does not have is added (hot-plugged when the VM runs); another network moves the NIC
        (also while it runs); another MAC replaces the NIC (the VM must be halted).
      - NICs not in the list are left alone unless O(remove_extra_networks=true).
    type: list
    elements: dict
    aliases: [network]
    suboptions:
      name:
        description: Name of the network (needed for a new NIC, unless O(networks[].uuid) is given).
        type: str
        aliases: [name_label]
      uuid:
        description: UUID of the network, when its name is not unique.
        type: str
      mac:
        description: MAC address, such as V(02:16:3e:00:00:01). Without it, a new NIC gets one from XenServer.
        type: str
      device:
        description: Device number of the NIC (0 to 6). Without it, entries match NICs in order and new NICs take the lowest free number.
        type: int
  remove_extra_networks:
    description: Remove the NICs not matched by O(networks). The VM must be halted.
    type: bool
    default: false
  cdrom:
    description:
      - The VM's CD drive. A VM without one gets one (it must be halted for that).
    type: dict
    suboptions:
      type:
        description:
          - V(iso) inserts O(cdrom.iso_name) (ejecting another ISO first); V(none) leaves the drive empty.
          - Default V(iso) when O(cdrom.iso_name) is given, else V(none).
        type: str
        choices: [none, iso]
      iso_name:
        description: Name of an ISO image in one of the pool's ISO libraries.
        type: str
  halt_for_changes:
    description:
      - Changes that need the VM halted (vCPUs, cores per socket, memory, growing or removing a disk, replacing or
        removing a NIC, adding a CD drive, new devices of a paused or suspended VM) fail by default, before anything
        is changed, naming them.
      - With V(true) the VM is shut down for them (cleanly; with O(force), hard when the guest does not comply),
        changed, and brought back to the power state O(state) asks for, or to running when it was running or paused.
    type: bool
    default: false
  tags:
    description: The VM's tags, exactly (others are removed). Leave unset to keep the current tags.
    type: list
    elements: str
  other_config:
    description:
      - Keys to set in the VM's C(other_config); other keys are left alone. A key whose value is null is removed.
    type: dict
  force:
    description:
      - Allow hard power operations. A hard shutdown or reboot follows a clean one that fails (for example
        without guest agent) or does not finish within O(shutdown_timeout), and O(state=absent) powers off a
        running VM before deleting it.
    type: bool
    default: false
  shutdown_timeout:
    description: Seconds to wait for a clean shutdown or reboot.
    type: int
    default: 120
  wait_for_ip:
    description:
      - After the VM runs, wait until its guest agent reports an IPv4 address (the C(ip) key of RV(vm)).
    type: bool
    default: false
    aliases: [wait_for_ip_address]
  timeout:
    description: Seconds to wait for each operation (clone, provision, start, ...) and for O(wait_for_ip).
    type: int
    default: 600
extends_documentation_fragment:
  - opencitrix.automation.xenserver
  - opencitrix.automation.transport
  - opencitrix.automation.attributes
  - opencitrix.automation.attributes.xenserver
attributes:
  check_mode:
    support: full
    details: Reads the pool and reports what would change; sends no call that changes anything.
  diff_mode:
    support: full
    details:
      - Before and after of the name, description, vCPUs, cores per socket, memory, tags, managed other_config and
        xenstore_data keys, home server and power state, and of the disks, NICs and CD drive when O(disks),
        O(networks) or O(cdrom) are given.
notes:
  - Changes that need a halted VM fail on a running one with a message naming them, before anything is changed,
    unless O(halt_for_changes=true) or O(state=halted).
  - Only device numbers from C(VM.get_allowed_VBD_devices) and C(VM.get_allowed_VIF_devices) are used.
'''

EXAMPLES = r'''
- name: Create web01 from a template, start it and wait for its address
  opencitrix.automation.xenserver_vm:
    hostname: xs-pool.example.com
    username: root
    password: "{{ xenserver_password }}"
    name: web01
    template: web-template
    vcpus: 2
    memory_mb: 4096
    tags: [web, prod]
    state: running
    wait_for_ip: true
  register: web01

- name: Resize a VM (shut down cleanly, or hard after two minutes)
  opencitrix.automation.xenserver_vm:
    name: db01
    vcpus: 8
    memory_mb: 16384
    state: halted
    force: true

- name: Reboot every VM of a list, with credentials from module_defaults
  module_defaults:
    group/opencitrix.automation.xenserver:
      hostname: "{{ xenserver_host }}"
      password: "{{ xenserver_password }}"
  opencitrix.automation.xenserver_vm:
    name: "{{ item }}"
    state: restarted
  loop: [app01, app02]

- name: A VM with two more disks on the iSCSI SR, two NICs with fixed MACs, an ISO, 4 vCPUs as 2 cores per socket
  opencitrix.automation.xenserver_vm:
    name: app01
    template: web-template
    vcpus: 4
    cores_per_socket: 2
    memory_mb: 8192
    disks:
      - size_gb: 20                       # the template's system disk (grown to 20 GiB if smaller)
      - {size_gb: 50, name: app01-data, sr: iSCSI virtual disk storage}
      - {size_gb: 10, name: app01-logs, sr: iSCSI virtual disk storage}
    networks:
      - {name: Pool-wide network associated with eth0, mac: "02:16:3e:10:00:01"}
      - {name: Pool-wide network associated with eth1, mac: "02:16:3e:10:00:02"}
    cdrom:
      iso_name: debian-12.5.0-amd64-netinst.iso
    home_server: xs-host-02
    state: running
    wait_for_ip: true

- name: NetScaler VPX whose first boot takes its management address from xenstore
  opencitrix.automation.xenserver_vm:
    name: vpx01
    template: NetScaler VPX 14.1
    linked_clone: false
    xenstore_data:
      vm-data/ip: 10.0.10.21
      vm-data/netmask: 255.255.255.0
      vm-data/gateway: 10.0.10.1
    networks:
      - {name: Management, mac: "02:16:3e:20:00:01"}
    state: running

- name: Add a disk to a running VM, and grow its first disk (the VM is shut down and started again for that)
  opencitrix.automation.xenserver_vm:
    name: db01
    disks:
      - size_gb: 80
      - {size_gb: 200, name: db01-data}
    halt_for_changes: true

- name: Delete a VM and its disks
  opencitrix.automation.xenserver_vm:
    uuid: 5f1c0b6e-3a39-4d9b-9a8c-0c2b8f0f6a11
    state: absent
    force: true
'''

RETURN = r'''
vm:
  description: Facts about the VM after the task (see M(opencitrix.automation.xenserver_vm_info) for every key).
  returned: when the VM exists after the task (in check mode, when it existed before)
  type: dict
  sample:
    name: web01
    uuid: 0b3c2a47-8f5b-4a8e-9b0e-5b1a1c9d2e77
    power_state: running
    host: xs-host-01
    vcpus: 2
    cores_per_socket: 1
    memory_mb: 4096
    ip: 10.20.0.17
    tags: [prod, web]
actions:
  description: What the task did, or in check mode would do, in order.
  returned: always
  type: list
  elements: str
  sample: ["clone template web-template into VM web01", "provision VM web01 (create its disks)", "start VM web01"]
'''

from ansible_collections.opencitrix.automation.plugins.module_utils.xenserver.module import (
    xenserver_module, xenserver_session,
)
from ansible_collections.opencitrix.automation.plugins.module_utils.xenserver.vm_state import VmState


def argument_spec():
    return dict(
        name=dict(type='str'),
        uuid=dict(type='str'),
        state=dict(type='str', default='present',
                   choices=['present', 'absent', 'running', 'halted', 'suspended', 'paused', 'restarted']),
        template=dict(type='str', aliases=['template_src']),
        linked_clone=dict(type='bool', default=True),
        clone_from_snapshot=dict(type='bool', default=False),
        description=dict(type='str', aliases=['name_desc']),
        vcpus=dict(type='int', aliases=['num_cpus']),
        cores_per_socket=dict(type='int', aliases=['num_cpu_cores_per_socket']),
        memory_mb=dict(type='int'),
        home_server=dict(type='str'),
        xenstore_data=dict(type='dict'),
        disks=dict(type='list', elements='dict', aliases=['disk'], options=dict(
            size=dict(type='str'), size_gb=dict(type='float'), size_mb=dict(type='int'),
            name=dict(type='str', aliases=['name_label']), name_desc=dict(type='str', aliases=['description']),
            sr=dict(type='str'), sr_uuid=dict(type='str'),
        )),
        remove_extra_disks=dict(type='bool', default=False),
        networks=dict(type='list', elements='dict', aliases=['network'], options=dict(
            name=dict(type='str', aliases=['name_label']), uuid=dict(type='str'), mac=dict(type='str'),
            device=dict(type='int'),
        )),
        remove_extra_networks=dict(type='bool', default=False),
        cdrom=dict(type='dict', options=dict(type=dict(type='str', choices=['none', 'iso']), iso_name=dict(type='str'))),
        halt_for_changes=dict(type='bool', default=False),
        tags=dict(type='list', elements='str'),
        other_config=dict(type='dict'),
        force=dict(type='bool', default=False),
        shutdown_timeout=dict(type='int', default=120),
        wait_for_ip=dict(type='bool', default=False, aliases=['wait_for_ip_address']),
        timeout=dict(type='int', default=600),
    )


def main():
    module = xenserver_module(argument_spec(), required_one_of=[('name', 'uuid')])
    with module.handle_errors():
        with xenserver_session(module) as session:
            change = VmState(session, check_mode=module.check_mode, log=module.debug_log).ensure(module.params)
    module.exit_change(change)


if __name__ == '__main__':
    main()
