"""The DaaS client's helpers without sockets: path segments, token expiry, the site of the customer."""

import pytest

from ansible_collections.opencitrix.automation.plugins.module_utils import errors
from ansible_collections.opencitrix.automation.plugins.module_utils.daas.client import DaasClient, path_segment
from ansible_collections.opencitrix.automation.plugins.module_utils.daas.onprem import parse_expiry


def test_helpers():
    assert path_segment('CORP\\PC 1') == 'CORP%7CPC%201'
    assert parse_expiry('2030-01-01T00:00:10Z', 1893456000.0) == 10.0
    assert parse_expiry('garbage', 0) == 3600.0


class _Answers:
    """A sign-in session whose requests answer with the bodies given (``http.decode_json`` passes them on)."""

    def __init__(self, *bodies):
        self.bodies = list(bodies)
        self.http = self
        self.sent = []

    def request(self, method, url, **kwargs):
        self.sent.append((method, url))
        return self.bodies.pop(0)

    @staticmethod
    def decode_json(response, what):
        return response


def test_sites_of_another_customer_only_are_not_this_customers():
    me = {'Customers': [{'Id': 'other', 'Sites': [{'Id': 's1', 'Name': 'site'}]}]}
    client = DaasClient(_Answers(me), 'mine', 'https://api.example.com/cvad/manage')
    with pytest.raises(errors.NotFoundError) as caught:
        client.sites()
    assert str(caught.value) == ('Could not list the sites of customer "mine" (GET /me): the caller has no access to '
                                 'this customer; check customer_id (CITRIX_CUSTOMER_ID)')
    mine = DaasClient(_Answers({'Customers': [{'Id': 'MINE', 'Sites': [{'Id': 's2', 'Name': 'x'}]}]}), 'mine',
                      'https://api.example.com/cvad/manage')
    assert mine.site() == {'id': 's2', 'name': 'x'}
