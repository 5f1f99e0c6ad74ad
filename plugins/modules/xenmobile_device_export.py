#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: xenmobile_device_export
short_description: Archive every XenMobile device as dated JSON and CSV files, with what changed since the last archive
version_added: 0.2.0
description:
  - Lists the devices through the paged device filter, with their compliance (the devices out of compliance are
    listed too, the filter C(device.status.out.of.compliance)), and writes them into the directory O(dest), on the
    host the task runs on, as C(<prefix>-<date>.json) (the device records of M(opencitrix.automation.xenmobile_device_info))
    and C(<prefix>-<date>.csv) (the columns O(csv_columns); values a spreadsheet would run as formulas are neutralised
    as the C(opencitrix.automation.to_csv) filter does).
  - Compares the devices with the newest archive in O(dest) dated before O(date) and returns what changed since then,
    devices new and gone (by id), and devices with another owner or another compliance.
  - Removes the archive files of O(prefix) dated O(keep_days) days or more before O(date). The date in the file names
    counts, not the files' times. Other files in the directory are never touched.
  - Files are written atomically and only when their content differs, so a second run on the same day with the same
    devices changes nothing. Check mode reads the devices and the previous archive and writes and removes nothing.
  - The role C(opencitrix.automation.xenmobile_device_archive) wraps this module for a nightly schedule.
author:
  - opencitrix maintainers (@opencitrix)
requirements:
  - requests
options:
  dest:
    description:
      - Directory of the archives; created (mode 0750) when missing. It is also where the previous archive is read
        from, so it must outlive the run (an AWX execution environment is thrown away after each job).
    type: path
    required: true
  date:
    description: Date of this archive, C(YYYY-MM-DD); today on the host the task runs on when not set.
    type: str
  prefix:
    description: File name prefix.
    type: str
    default: xenmobile-devices
  keep_days:
    description: Days of archives kept, the archive's own date included.
    type: int
    default: 30
  csv_columns:
    description: CSV columns, keys of the device records.
    type: list
    elements: str
    default: [id, serial_number, device_name, user, platform, os_version, device_model, managed, compliant,
              jail_broken, last_access, last_access_iso, inactivity_days]
  shown:
    description: At most this many devices listed per kind of change in the result (the counts are always complete).
    type: int
    default: 100
extends_documentation_fragment:
  - opencitrix.automation.xenmobile
  - opencitrix.automation.xenmobile.device_listing
  - opencitrix.automation.transport
  - opencitrix.automation.attributes
  - opencitrix.automation.attributes.xenmobile
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
notes:
  - "Least-privilege RBAC role: C(Public API access) and C(Devices) (read)."
  - The device records stay on the host the task runs on; only the summary goes back to the controller.
'''

EXAMPLES = r'''
- name: Tonight's device archive, 90 days kept
  opencitrix.automation.xenmobile_device_export:
    dest: /srv/xenmobile-archive
    keep_days: 90
  register: archive

- name: Tell the team what changed
  ansible.builtin.debug:
    msg: "{{ archive.changes.counts }}"
'''

RETURN = r'''
date:
  description: Date of the archive.
  returned: always
  type: str
  sample: "2026-12-24"
json:
  description: Path of the JSON archive.
  returned: always
  type: str
csv:
  description: Path of the CSV archive.
  returned: always
  type: str
devices:
  description: Number of devices archived.
  returned: always
  type: int
previous:
  description: File name of the archive compared with; null for the first archive.
  returned: always
  type: str
changes:
  description: What changed since the previous archive.
  returned: always
  type: dict
  contains:
    compared:
      description: Whether there was a previous archive to compare with.
      type: bool
    counts:
      description: C(devices), C(new), C(gone), C(owner_changed), C(compliance_changed).
      type: dict
    new:
      description: Devices not in the previous archive (C(id), C(serial_number), C(user), C(device_name)).
      type: list
      elements: dict
    gone:
      description: Devices of the previous archive no longer listed.
      type: list
      elements: dict
    owner_changed:
      description: Devices whose user changed, with C(before) and C(after).
      type: list
      elements: dict
    compliance_changed:
      description: Devices whose compliance changed, with C(before) and C(after).
      type: list
      elements: dict
written:
  description: Archive files written (or that would be, in check mode).
  returned: always
  type: list
  elements: str
removed:
  description: Archive files removed by the retention (or that would be).
  returned: always
  type: list
  elements: str
'''

from ansible_collections.opencitrix.automation.plugins.module_utils.module import CitrixModule, snake_case
from ansible_collections.opencitrix.automation.plugins.module_utils.xenmobile.archive import (
    CSV_COLUMNS, archive_devices, check_options,
)
from ansible_collections.opencitrix.automation.plugins.module_utils.xenmobile.client import (
    XenMobileClient, xenmobile_argument_spec,
)
from ansible_collections.opencitrix.automation.plugins.module_utils.xenmobile.devices import (
    Devices, device_listing_spec,
)


def argument_spec():
    spec = dict(
        dest=dict(type='path', required=True),
        date=dict(type='str'),
        prefix=dict(type='str', default='xenmobile-devices'),
        keep_days=dict(type='int', default=30),
        csv_columns=dict(type='list', elements='str', default=list(CSV_COLUMNS)),
        shown=dict(type='int', default=100),
    )
    spec.update(device_listing_spec())
    return spec


def main():
    module = CitrixModule(argument_spec(), connection_spec=xenmobile_argument_spec())
    p = module.params
    with module.handle_errors():
        check_options(p['dest'], p['date'], p['prefix'], p['keep_days'])
        with XenMobileClient.from_params(p, redactor=module.redactor, log=module.debug_log) as client:
            devices = snake_case(Devices(client).described(include_compliance=True, api=p['api'],
                                                           page_size=p['page_size'], filter_ids=p['filter_ids']))
        change = archive_devices(devices, p['dest'], p['date'], p['prefix'], p['keep_days'], p['csv_columns'],
                                 p['shown'], module.check_mode)
    module.exit_change(change)


if __name__ == '__main__':
    main()
