"""Device routes of XenMobile: the legacy filters (``device/filter``, ``device/filter/v2``) and Endpoint
Management's ``/api/endpoint-management/devices/filter`` (``limit`` required, 1..100), with the
``DEVICES`` permission. ``config: em_start``: ``offset`` (default; ``start`` is a 0-based offset) or
``one_based`` (a ``start`` above 0 is a 1-based position, as the PDF's "set Start=101" for page two reads)."""

import functools

from tests.simulator.base import Route, Routes
from tests.simulator.services.xenmobile.auth_routes import API
from tests.simulator.services.xenmobile.filters import (
    build_matcher, device_filter, flag, int_field, parse_filter_ids, sort_key_text,
)
from tests.simulator.services.xenmobile.rendering import device_filter_tree, invalid, ok, public

EM_DEVICE_FILTER = '/api/endpoint-management/devices/filter'
EM_MAX_LIMIT = 100
DEVICE_SORT = {
    'ID': 'id', 'SERIAL': 'serialNumber', 'IMEI': 'imeiOrMeid', 'ACTIVESYNCID': 'activeSyncId',
    'WIFIMAC': 'wifiMacAddress', 'BLUETOOTHMAC': 'blueToothMacAccress', 'OSFAMILY': 'platform',
    'SYSTEM_OEM': 'deviceModel', 'SYSTEM_PLATFORM': 'devicePlatform', 'SYSTEM_OS_VERSION': 'osVersion',
    'DEVICE_PROPERTY': 'deviceName', 'LASTAUTHDATE': '_last', 'INACTIVITYDAYS': '_last', 'ISACTIVE': '_last',
    'LASTUSER': 'userName', 'BLCOMPLIANT': '_compliant', 'WLCOMPLIANT': '_compliant',
    'RLCOMPLIANT': '_compliant', 'MANAGED': 'managed', 'SHAREABLE': 'shareable', 'BULKPROFILESTATUS': 'id',
}


class DeviceRoutes(Routes):
    """Handlers over ``state``; ``auth`` (an :class:`~.auth_routes.AuthRoutes`) checks the session."""

    def _filter_devices(self, request, capped):
        inst = self.auth.session(request, 'DEVICES')
        body = request.json()
        if body is None:
            body = {}
        if not isinstance(body, dict):
            invalid('the request body must be a JSON object')
        start = int_field(body, 'start', 0)
        limit = int_field(body, 'limit')
        if capped and (limit is None or not 1 <= limit <= EM_MAX_LIMIT):
            invalid('limit is required and must be between 1 and %d' % EM_MAX_LIMIT)
        if capped and start > 0 and self.service.config.get('em_start') == 'one_based':
            start -= 1  # the reading of "set Start=101" for page two: a 1-based position after the first page
        filter_ids = parse_filter_ids(body.get('filterIds'))
        matcher = build_matcher(filter_ids, functools.partial(device_filter, now=self.state.local_now()))
        search = str(body.get('search') or '').lower()
        column = str(body.get('sortColumn') or 'ID').upper()
        if column not in DEVICE_SORT:
            invalid('Unknown sortColumn: %s' % column)
        with self.state.lock:
            devices = list(inst.devices)
        matched = [d for d in devices if matcher(d) and (
            not search or any(search in str(d[k]).lower() for k in ('serialNumber', 'imeiOrMeid', 'deviceName',
                                                                    'userName')))]
        key = DEVICE_SORT[column]
        matched.sort(key=lambda d: sort_key_text(d[key]) if key != 'id' else (0, d['id']),
                     reverse=str(body.get('sortOrder') or 'ASC').upper() == 'DESC')
        page = matched[start:start + limit] if limit is not None else matched[start:]
        counted = flag(body, 'enableCount')
        return ok(currentFilter=device_filter_tree(filter_ids),
                  filteredDevicesDataList=[public(d) for d in page],
                  totalCount=len(devices) if counted else 0, matchedRecords=len(matched) if counted else 0)

    def filter_devices_legacy(self, request):
        return self._filter_devices(request, capped=False)

    def filter_devices_em(self, request):
        return self._filter_devices(request, capped=True)

    def routes(self):
        return [
            Route('POST', API + r'/device/filter', self.filter_devices_legacy, 'xenmobile.device_filter'),
            Route('POST', API + r'/device/filter/v2', self.filter_devices_legacy, 'xenmobile.device_filter'),
            Route('POST', EM_DEVICE_FILTER, self.filter_devices_em, 'xenmobile.device_filter_em'),
        ]
