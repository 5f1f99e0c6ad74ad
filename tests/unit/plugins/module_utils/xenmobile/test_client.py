"""The XenMobile client's input helpers and its reading of the status envelope (no sockets)."""

import pytest
import requests
from hypothesis import given, settings, strategies as st

from ansible_collections.opencitrix.automation.plugins.module_utils import errors
from ansible_collections.opencitrix.automation.plugins.module_utils.xenmobile.client import XenMobileClient, filter_body, filter_ids_text, server_url


def test_filter_ids_are_sent_as_a_quoted_list_string():
    assert filter_ids_text(['device.platform.ios', 'group#/group/Sales@_fn_@normal']) == \
        "['device.platform.ios', 'group#/group/Sales@_fn_@normal']"
    assert filter_ids_text([]) is None
    with pytest.raises(errors.InputError):
        filter_ids_text(["it's"])


@pytest.mark.parametrize('given, expected', [
    ('xms.example.com', 'https://xms.example.com:4443'),
    ('xms.example.com:8443', 'https://xms.example.com:8443'),
    ('https://tenant.xm.cloud.com', 'https://tenant.xm.cloud.com'),
])
def test_server_url(given, expected):
    assert server_url(given) == expected


def test_filter_body_leaves_out_what_is_not_set():
    assert filter_body(None, None, sortColumn=None) == {}
    assert filter_body('SN1', ['device.platform.ios'], sortOrder='ASC', sortColumn='id') == {
        'search': 'SN1', 'filterIds': "['device.platform.ios']", 'sortColumn': 'id', 'sortOrder': 'ASC'}


# -- the status/message envelope --------------------------------------------------------

def _reply(status_code=200):
    response = requests.Response()
    response.status_code = status_code
    response.url = 'https://xm.example.test:4443/xenmobile/api/v1/serverproperties?x=1'
    response.request = requests.Request('PUT', response.url).prepare()
    return response


ENVELOPE_VALUES = st.none() | st.integers(-10, 10) | st.sampled_from(['0', '1', '-1', '', 'OK']) | st.booleans()


@settings(max_examples=300, deadline=None)
@given(status=ENVELOPE_VALUES, message=st.none() | st.text(max_size=80),
       extra=st.dictionaries(st.text(max_size=10), st.text(max_size=10), max_size=3),
       http_status=st.sampled_from([200, 400]))
def test_a_non_zero_status_is_an_error_whatever_the_http_status(status, message, extra, http_status):
    """XenMobile answers business errors with HTTP 200 and a non-zero ``status``: such a reply is never
    taken for success; the error is one line with the API's status and message, and never shows the
    password even when the server echoes it."""
    client = XenMobileClient('xm.example.test', 'admin', 'Xm-envelope-S3cret')
    reply = dict(extra, status=status, message=message if message is None else message + ' Xm-envelope-S3cret')
    if status is None or str(status) == '0':
        assert client._check_envelope(reply, 'edit a property', _reply(http_status)) == reply
        return
    with pytest.raises(errors.ApiError) as caught:
        client._check_envelope(reply, 'edit a property', _reply(http_status))
    text = str(caught.value)
    assert text.startswith('Could not edit a property: status %s' % status)
    assert '\n' not in text and 'Xm-envelope-S3cret' not in text and '?x=1' not in text


@settings(max_examples=100, deadline=None)
@given(st.none() | st.integers() | st.text(max_size=10) | st.lists(st.integers(), max_size=3))
def test_a_reply_that_is_not_an_object_is_a_format_error(reply):
    client = XenMobileClient('xm.example.test', 'admin', 'pw-envelope')
    with pytest.raises(errors.ResponseFormatError):
        client._check_envelope(reply, 'list devices', _reply())
