# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""XenMobile devices through the device filter: the legacy path (``/xenmobile/api/v1/device/filter``)
or the Endpoint Management one (``/api/endpoint-management/devices/filter``), paged with
``start``/``limit``; and the per-user activity report built from them (:mod:`records`)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.opencitrix.automation.plugins.module_utils import errors
from ansible_collections.opencitrix.automation.plugins.module_utils.xenmobile import records
from ansible_collections.opencitrix.automation.plugins.module_utils.xenmobile.client import API, filter_body

DEVICE_FILTER_PATHS = {
    'legacy': API + '/device/filter',
    'endpoint_management': '/api/endpoint-management/devices/filter',
}
# The endpoint-management path requires a limit of at most 100; the legacy path documents no maximum.
DEVICE_PAGE_LIMITS = {'legacy': None, 'endpoint_management': 100}
DEFAULT_PAGE_SIZE = {'legacy': 1000, 'endpoint_management': 100}
OUT_OF_COMPLIANCE = 'device.status.out.of.compliance'


def device_listing_spec():
    """Options of the modules that list devices (documented in each module)."""
    return dict(
        api=dict(type='str', default='legacy', choices=sorted(DEVICE_FILTER_PATHS)),
        page_size=dict(type='int'),
        filter_ids=dict(type='list', elements='str'),
    )


class Devices:
    """The devices of one XenMobile server (``client``: a XenMobileClient)."""

    def __init__(self, client):
        self.client = client

    def list(self, api='legacy', page_size=None, search=None, filter_ids=None, sort_column=None, sort_order=None):
        """Iterate devices through the device filter (paged with ``start``/``limit``)."""
        if api not in DEVICE_FILTER_PATHS:
            raise errors.InputError('Unknown device API "%s"' % api, hint='use legacy or endpoint_management')
        page_size = page_size or DEFAULT_PAGE_SIZE[api]
        cap = DEVICE_PAGE_LIMITS[api]
        if page_size < 1 or (cap and page_size > cap):
            raise errors.InputError('page_size %d is not allowed for the %s device API' % (page_size, api),
                                    hint='use 1 to %s' % (cap or 'any positive number'))
        body = filter_body(search, filter_ids, sortColumn=sort_column, sortOrder=sort_order)
        return self.client.paged(DEVICE_FILTER_PATHS[api], body, page_size, 'list devices of %s' % self.client.server,
                                 lambda r: r.get('filteredDevicesDataList'), lambda r: r.get('matchedRecords'),
                                 numbers_as_text=True, key='id')

    def described(self, include_properties=False, include_compliance=False, **listing):
        """Every device listed with ``listing`` (see :meth:`list`), with its user and last access read
        (:func:`records.describe_device`). ``include_compliance``: also list the devices out of compliance
        (filter ``device.status.out.of.compliance``, one more paged listing) and add ``compliant`` to each."""
        described = [records.describe_device(device, include_properties) for device in self.list(**listing)]
        if include_compliance:
            outside = dict(listing, filter_ids=[OUT_OF_COMPLIANCE], search=None)
            failing = set(str(device.get('id')) for device in self.list(**outside))
            for device in described:
                device['compliant'] = str(device.get('id')) not in failing
        return described

    def user_activity(self, days=30, as_of=None, **listing):
        """Per-user activity over the ``days`` up to ``as_of`` (``YYYY-MM-DD``, default today) of the
        devices listed with ``listing`` (see :func:`records.user_activity`). Bad input fails before
        any request."""
        day = records.report_day(as_of)
        if days < 1:
            raise errors.InputError('days must be at least 1')
        return records.user_activity(self.list(**listing), day, days)
