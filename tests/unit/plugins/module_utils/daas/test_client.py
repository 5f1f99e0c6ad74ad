"""The DaaS client's helpers without sockets: path segments and token expiry."""

from ansible_collections.opencitrix.automation.plugins.module_utils.daas.client import path_segment
from ansible_collections.opencitrix.automation.plugins.module_utils.daas.onprem import parse_expiry


def test_helpers():
    assert path_segment('CORP\\PC 1') == 'CORP%7CPC%201'
    assert parse_expiry('2030-01-01T00:00:10Z', 1893456000.0) == 10.0
    assert parse_expiry('garbage', 0) == 3600.0
