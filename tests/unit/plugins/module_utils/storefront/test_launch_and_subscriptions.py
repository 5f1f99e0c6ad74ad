"""Launch and subscription documents of the Store Services API (pure functions, no sockets)."""

import pytest

from ansible_collections.opencitrix.automation.plugins.module_utils import errors
from ansible_collections.opencitrix.automation.plugins.module_utils.redaction import Redactor
from ansible_collections.opencitrix.automation.plugins.module_utils.storefront.launch import (
    check_names, ica_secrets, launch_body, read_launch,
)
from ansible_collections.opencitrix.automation.plugins.module_utils.storefront.resources import select_resources
from ansible_collections.opencitrix.automation.plugins.module_utils.storefront.subscriptions import plan, update_body

TICKET = '85EB92973D2C3804F93A99AAEC232D'
REFERENCE = 'A1B2C3D4E5F60718293A4B5C6D7E8F90'
ICA = ('[Encoding]\r\nInputEncoding=UTF8\r\n[WFClient]\r\nProxyType=Auto\r\n[Notepad]\r\n'
       'Address=;40;STA2D0E8C31;9F3C1A2B4D5E6F70\r\nLaunchReference=%s\r\nLogonTicket=%s\r\nTWIMode=On\r\n'
       % (REFERENCE, TICKET))
NS = 'http://citrix.com/delivery-services/1-0/launch'


def test_only_ticket_bearing_values_of_an_ica_file_are_secrets():
    found = ica_secrets(ICA, TICKET)
    assert TICKET in found and REFERENCE in found and '9F3C1A2B4D5E6F70' in found
    # ordinary words would otherwise be masked wherever they appear (an app called "AutoCAD")
    assert not set(found) & {'Auto', 'On', 'UTF8', 'Notepad'}


def test_a_successful_launch_registers_its_tickets_before_anything_else_sees_them():
    redact = Redactor()
    document = ('<launch status="success" xmlns="%s"><result type="ica"><ica>%s</ica><logonTicket>%s</logonTicket>'
                '</result></launch>' % (NS, ICA.replace('&', '&amp;'), TICKET)).encode()
    answer = read_launch(document, redact, 'launch', 'https://sf/launch')
    # the size of the file as read (XML parsers read CR LF as LF; the text is stripped)
    assert answer == {'status': 'success', 'kind': 'ica', 'ica_bytes': len(ICA.replace('\r\n', '\n').strip()),
                      'has_ticket': True}
    assert TICKET not in redact('ticket %s, reference %s' % (TICKET, REFERENCE))
    assert REFERENCE not in redact(REFERENCE) and redact('AutoCAD') == 'AutoCAD'


@pytest.mark.parametrize('result, expected', [
    ('<result type="retry"><retry><url>https://sf/r/1</url><after>30</after><reason>resuming</reason></retry></result>',
     {'status': 'retry', 'kind': 'retry', 'retry_url': 'https://sf/r/1', 'after': 30, 'reason': 'resuming'}),
    ('<result type="retry"><retry><url>https://sf/r/1</url><after>soon</after></retry></result>',
     {'status': 'retry', 'kind': 'retry', 'retry_url': 'https://sf/r/1', 'after': 0, 'reason': 'unknown'}),
    ('<result type="error"><error><id>NoMoreActiveSessions</id><text>No more</text></error></result>',
     {'status': 'retry', 'kind': 'error', 'error_id': 'NoMoreActiveSessions', 'error_text': 'No more'}),
])
def test_retry_and_error_answers(result, expected):
    document = ('<launch status="retry" xmlns="%s">%s</launch>' % (NS, result)).encode()
    assert read_launch(document, Redactor(), 'launch', 'https://sf/launch') == expected


def test_launch_parameters_leave_out_what_is_not_set():
    body = launch_body(client_name='probe', device_id='dev-1').decode()
    assert '<clientName>probe</clientName>' in body and '<deviceId>dev-1</deviceId>' in body
    assert 'clientAddress' not in body and 'http://citrix.com/delivery-services/1-0/launchparams' in body


@pytest.mark.parametrize('names', [[], [''], ['Notepad', ' ']])
def test_empty_resource_names_are_refused(names):
    with pytest.raises(errors.InputError):
        check_names(names)


def test_resources_are_chosen_by_id_or_title_and_misses_are_named():
    resources = [{'id': 'Farm1.Word 1', 'title': 'Word 1'}, {'id': 'Farm2.Excel 2', 'title': 'Excel 2'}]
    chosen, missing = select_resources(resources, ['excel 2', 'Farm1.Word 1', 'Paint'])
    assert [r['id'] for r in chosen] == ['Farm1.Word 1', 'Farm2.Excel 2'] and missing == ['Paint']


@pytest.mark.parametrize('resource, state, expected', [
    ({'subscription_status': 'subscribed', 'subscription_url': 'u'}, 'subscribed', ('unchanged', None)),
    ({'subscription_status': 'notSubscribed', 'subscription_url': 'u'}, 'subscribed', ('changed', None)),
    ({'subscription_status': 'denied', 'subscription_url': 'u'}, 'subscribed', ('changed', None)),
    ({'subscription_status': 'pendingApproval', 'subscription_url': 'u'}, 'subscribed',
     ('unchanged', 'an approval workflow is running (status pendingApproval)')),
    ({'subscription_status': 'subscribed', 'subscription_url': 'u', 'mandatory': True}, 'unsubscribed',
     ('skipped', 'mandatory resources are always subscribed and cannot be unsubscribed')),
    ({'subscription_status': 'notSubscribed'}, 'subscribed',
     ('skipped', 'the store gives no subscription URL for it (subscriptions read-only or disabled)')),
])
def test_subscription_plan(resource, state, expected):
    assert plan(resource, state) == expected


def test_subscription_update_document():
    body = update_body('unsubscribe', 'probe').decode()
    assert 'updateType="unsubscribe"' in body and 'updateDataMode="merge"' in body
    assert '<clientName>probe</clientName>' in body and 'http://citrix.com/delivery-services/2-0/subscriptions' in body
