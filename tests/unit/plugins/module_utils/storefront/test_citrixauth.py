import re

import pytest
from defusedxml import ElementTree as SafeET
from hypothesis import example, given, settings, strategies as st

from ansible_collections.opencitrix.automation.plugins.module_utils import errors
from ansible_collections.opencitrix.automation.plugins.module_utils.storefront.citrixauth import (
    NS_AUTH_RESPONSE, NS_REQUEST_TOKEN, NS_TOKEN_CHOICES, NS_TOKEN_RESPONSE, answer_form, parse_challenge,
    parse_choices, parse_form, parse_token_response,
    request_token_body, timespan_seconds,
)

REALM = '6b78ab94-a709-4e3a-8b9b-a49ca317c70c'
TOKEN_URL = 'https://sf.example.com/Citrix/Authentication/auth/v1/token'


# -- the challenge ------------------------------------------------------------------------------------

@pytest.mark.parametrize('header', [
    # canonical (facts.md section 1)
    'CitrixAuth realm="%s", reqtokentemplate="", reason="notoken", locations="%s", '
    'serviceroot-hint="https://sf.example.com/Citrix/Store/resources/v2"' % (REALM, TOKEN_URL),
    # the published store example: serviceroot-hint unquoted, spaces around the first comma
    'CitrixAuth realm="%s" , reqtokentemplate="", reason="notoken",locations="%s",  '
    'serviceroot-hint=https://sf.example.com/Citrix/Store/resources/v2' % (REALM, TOKEN_URL),
    # the published token-service example: the comma after reason is missing
    'CitrixAuth realm="%s", reqtokentemplate="", reason="notoken"   locations="%s", '
    'serviceroot-hint="https://sf.example.com/Citrix/Store/resources/v2"' % (REALM, TOKEN_URL),
    # typographic quotes, as one document prints them
    'CitrixAuth realm="%s", reqtokentemplate="", reason="notoken", locations="%s", '
    'serviceroot-hint=\u201dhttps://sf.example.com/Citrix/Store/resources/v2\u201d' % (REALM, TOKEN_URL),
    # other challenges around it, as when several WWW-Authenticate headers are joined
    'Negotiate, Basic realm="CitrixAuth realm", CitrixAuth realm=%s reqtokentemplate= reason=notoken '
    'locations=%s serviceroot-hint=https://sf.example.com/Citrix/Store/resources/v2, Bearer error="x"' % (REALM, TOKEN_URL),
])
def test_published_challenge_variants(header):
    challenge = parse_challenge(header)
    assert challenge.realm == REALM
    assert challenge.reqtokentemplate == '' and challenge.reason == 'notoken'
    assert challenge.locations == [TOKEN_URL]
    assert challenge.serviceroot_hint == 'https://sf.example.com/Citrix/Store/resources/v2'


def test_locations_are_split_in_order_of_preference():
    challenge = parse_challenge('CitrixAuth realm="r", locations=" https://a/token | https://b/token|"')
    assert challenge.locations == ['https://a/token', 'https://b/token']


@pytest.mark.parametrize('header', [None, '', 'Basic realm="x"', 'citrixauth realm="x"', 'CitrixAuthX realm="x"',
                                    'Basic realm="CitrixAuth realm=x"'])
def test_no_citrixauth_challenge(header):
    assert parse_challenge(header) is None


NAMES = ['realm', 'reqtokentemplate', 'reason', 'locations', 'serviceroot-hint', 'x-citrix-extension']
BARE = re.compile(r'[^\s,"\u201c\u201d]+')
values = st.text(st.characters(blacklist_categories=('Cs', 'Cc')), max_size=40)


@st.composite
def challenges(draw):
    """(header, expected params): the parameters in any order and case, each quoted (escaped) or bare
    when it can be, separated by commas or only whitespace, between other schemes' challenges."""
    names = draw(st.permutations(NAMES))[:draw(st.integers(1, len(NAMES)))]
    expected, parts = {}, []
    for name in names:
        value = draw(values)
        expected[name] = value
        if BARE.fullmatch(value) and draw(st.booleans()):
            text = value
        else:
            text = '"%s"' % re.sub(r'(["\\\u201c\u201d])', r'\\\1', value)
        spelled = ''.join(c.upper() if draw(st.booleans()) else c for c in name)
        parts.append('%s=%s' % (spelled, text))
    separators = st.sampled_from([', ', ',', ' ', '  ,  ', ',\t', ' ,'])
    body = parts[0] + ''.join(draw(separators) + p for p in parts[1:])
    before = draw(st.sampled_from(['', 'Negotiate, ', 'Basic realm="intranet", ', 'NTLM,']))
    after = draw(st.sampled_from(['', ', Negotiate', ', Bearer error="invalid_token"', ',NTLM']))
    return before + 'CitrixAuth ' + body + after, expected


@settings(max_examples=300, deadline=None)
@given(challenges())
def test_challenge_parser_recovers_every_parameter(case):
    header, expected = case
    assert parse_challenge(header).params == expected


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
@example('CitrixAuth realm="unterminated')
@example('CitrixAuth ===,,,"')
def test_challenge_parser_never_raises(header):
    challenge = parse_challenge(header)
    assert challenge is None or isinstance(challenge.locations, list)


# -- token documents ---------------------------------------------------------------------------------

def test_request_token_body_is_escaped_xml_in_the_documented_namespace():
    body = request_token_body(REALM, 'https://sf/Citrix/Store/resources/v2?a=1&b=<2>', lifetime='1.06:00:00')
    root = SafeET.fromstring(body)
    assert root.tag == '{%s}requesttoken' % NS_REQUEST_TOKEN
    fields = {child.tag.split('}')[1]: child.text for child in root}
    assert fields == {'for-service': REALM, 'for-service-url': 'https://sf/Citrix/Store/resources/v2?a=1&b=<2>',
                      'reqtokentemplate': None, 'requested-lifetime': '1.06:00:00'}


@pytest.mark.parametrize('value,seconds', [('0.20:00:00', 72000), ('1.06:00:00', 108000), ('01:00:00', 3600),
                                           ('0.00:05:30.25', 330), ('soon', None), (None, None)])
def test_timespan(value, seconds):
    assert timespan_seconds(value) == seconds


TOKEN_RESPONSE = b'''<?xml version="1.0" encoding="utf-8"?>
<requesttokenresponse xmlns="http://citrix.com/delivery-services/1-0/auth/requesttokenresponse">
  <for-service>73003cf4-dc21-4bef-9138-af0ec600dba3</for-service>
  <issued>2014-04-07T14:25:51.7525144Z</issued><expiry>2014-04-08T10:25:51.7525144Z</expiry>
  <lifetime>0.20:00:00</lifetime><token-template /><future-element a="1">ignored</future-element>
  <token>H4sIAAAAAAAEAK1XaY+ANAAA=</token>
  <CredentialUpdateInformationList xmlns="http://citrix.com/authentication/response/1">
    <CredentialUpdateInformation><CredentialDisplayName>corp</CredentialDisplayName></CredentialUpdateInformation>
  </CredentialUpdateInformationList>
</requesttokenresponse>'''


def test_token_response_ignores_unknown_elements():
    assert parse_token_response(TOKEN_RESPONSE, 'get a token') == ('H4sIAAAAAAAEAK1XaY+ANAAA=', 72000)
    with pytest.raises(errors.ResponseFormatError, match='no <token> element'):
        parse_token_response(TOKEN_RESPONSE.replace(b'<token>H4sIAAAAAAAEAK1XaY+ANAAA=</token>', b''), 'get a token')


def test_choices_strip_whitespace_around_locations():
    doc = b'''<requesttokenchoices xmlns="http://citrix.com/delivery-services/1-0/auth/requesttokenchoices"><choices>
      <choice><protocol>ExplicitForms</protocol><location>https://sf/Citrix/Authentication/ExplicitForms/Authenticate</location></choice>
      <choice><protocol>CertificateIdentityDeclaration</protocol><location>
           https://sf/Citrix/Authentication/CertificateIdentityDeclaration
      </location></choice></choices></requesttokenchoices>'''
    assert parse_choices(doc, 'list protocols') == [
        ('ExplicitForms', 'https://sf/Citrix/Authentication/ExplicitForms/Authenticate'),
        ('CertificateIdentityDeclaration', 'https://sf/Citrix/Authentication/CertificateIdentityDeclaration')]
    with pytest.raises(errors.ResponseFormatError, match='requesttokenchoices'):
        parse_choices(b'<choices/>', 'list protocols')


# -- ExplicitForms -----------------------------------------------------------------------------------

def requirement(cred_id, cred_type, control, label='', label_type='plain', read_only=False):
    ro = '<ReadOnly>true</ReadOnly>' if read_only else ''
    return ('<Requirement><Credential><ID>%s</ID><Type>%s</Type></Credential><Label><Text>%s</Text><Type>%s</Type>'
            '</Label><Input>%s</Input></Requirement>' % (cred_id, cred_type, label, label_type, control.replace('{ro}', ro)))


def form(*requirements, result='more-info', status='success', state='f8d463c0'):
    return ('<AuthenticateResponse xmlns="http://citrix.com/authentication/response/1"><Status>%s</Status>'
            '<Result>%s</Result><StateContext>%s</StateContext><AuthenticationRequirements>'
            '<PostBack>/Citrix/Authentication/ExplicitForms</PostBack><Requirements>%s</Requirements>'
            '</AuthenticationRequirements></AuthenticateResponse>' % (status, result, state, ''.join(requirements))).encode()


LOGON = form(
    requirement('username', 'username', '<AssistiveText>domain\\user</AssistiveText><Text><Secret>false</Secret></Text>'),
    requirement('password', 'password', '<Text><Secret>true</Secret></Text>'),
    requirement('saveCredentials', 'savecredentials', '<CheckBox><InitialValue>true</InitialValue></CheckBox>'),
    requirement('consent', 'none', '<CheckBox><InitialValue>true</InitialValue></CheckBox>'),
    requirement('tenant', 'textcredential', '<Text>{ro}<InitialValue>fixed</InitialValue></Text>', read_only=True),
    requirement('domain', 'domain', '<ComboBox><InitialSelection>CORP</InitialSelection></ComboBox>'),
    requirement('loginBtn', 'none', '<Button>Log On</Button>'),
    requirement('cancelBtn', 'none', '<Button>Cancel</Button>'),
    requirement('', 'none', '', label='Welcome', label_type='heading'))


def test_logon_form_is_answered_like_a_person_would():
    parsed = parse_form(LOGON, 'sign in')
    assert (parsed.status, parsed.result, parsed.postback) == ('success', 'more-info', '/Citrix/Authentication/ExplicitForms')
    assert answer_form(parsed, 'EXAMPLE\\jdoe', 'p&ss=word') == [
        ('StateContext', 'f8d463c0'), ('username', 'EXAMPLE\\jdoe'), ('password', 'p&ss=word'),
        ('saveCredentials', 'false'), ('consent', 'true'), ('domain', 'EXAMPLE'), ('loginBtn', 'Log On')]
    assert ('domain', 'CORP') in answer_form(parsed, 'jdoe@example.com', 'x')  # no domain given: the form's choice


def test_form_needing_a_person_is_refused_by_name():
    parsed = parse_form(form(requirement('otp', 'passcode', '<Text/>', label='Token code:')), 'sign in')
    with pytest.raises(errors.AuthenticationError, match='asks for "Token code:" \\(passcode\\)'):
        answer_form(parsed, 'u', 'p')


def test_failure_form_messages():
    failed = parse_form(form(requirement('e', 'none', '', label='Incorrect user name or password.', label_type='error'),
                             result='fail'), 'sign in')
    assert failed.result == 'fail' and failed.messages() == 'Incorrect user name or password.'
    assert failed.asks_for('password') is False


# -- properties of the authentication documents ---------------------------------------------------

# Element soup in the documents' own vocabularies: any nesting, repeated or missing elements.
AUTH_ELEMENTS = ['token', 'lifetime', 'for-service', 'choices', 'choice', 'protocol', 'location', 'Status', 'Result',
                 'StateContext', 'AuthenticationRequirements', 'PostBack', 'Requirements', 'Requirement',
                 'Credential', 'ID', 'Type', 'Label', 'Text', 'Input', 'CheckBox', 'InitialValue', 'Button',
                 'ComboBox', 'InitialSelection', 'Secret', 'ReadOnly']
SOUP = st.recursive(
    st.sampled_from(['', 'x', ' https://sf/a ', 'true', '0.20:00:00', 'password', 'username', 'none', '&amp;']),
    lambda inner: st.tuples(st.sampled_from(AUTH_ELEMENTS), st.lists(inner, max_size=3))
    .map(lambda t: '<%s>%s</%s>' % (t[0], ''.join(t[1]), t[0])), max_leaves=14)
DOCUMENTS = [(parse_token_response, 'requesttokenresponse', NS_TOKEN_RESPONSE),
             (parse_choices, 'requesttokenchoices', NS_TOKEN_CHOICES),
             (parse_form, 'AuthenticateResponse', NS_AUTH_RESPONSE)]


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(DOCUMENTS), SOUP)
def test_odd_authentication_documents_give_a_value_or_one_format_error(document, body):
    parse, root, namespace = document
    try:
        parsed = parse(('<%s xmlns="%s">%s</%s>' % (root, namespace, body, root)).encode(), 'sign in')
    except errors.ResponseFormatError as exc:
        assert '\n' not in str(exc)
        return
    if parse is parse_form:
        try:
            answer_form(parsed, 'CORP\\jdoe', 'pw')
        except errors.AuthenticationError as exc:  # a form that needs a person, refused by name
            assert '\n' not in str(exc)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(DOCUMENTS), st.binary(max_size=200))
def test_arbitrary_bytes_in_authentication_documents(document, data):
    parse, root, namespace = document
    for payload in (data, ('<%s xmlns="%s">' % (root, namespace)).encode() + data):
        try:
            parse(payload, 'sign in')
        except errors.ResponseFormatError as exc:
            assert '\n' not in str(exc)


@settings(max_examples=200, deadline=None)
@given(token=st.text(st.characters(blacklist_categories=('Cs', 'Cc', 'Zs')), min_size=1, max_size=80),
       days=st.integers(0, 30), hours=st.integers(0, 23), minutes=st.integers(0, 59), seconds=st.integers(0, 59))
def test_token_responses_round_trip(token, days, hours, minutes, seconds):
    from xml.sax.saxutils import escape
    lifetime = '%d.%02d:%02d:%02d' % (days, hours, minutes, seconds)
    doc = ('<requesttokenresponse xmlns="%s"><lifetime>%s</lifetime><token>%s</token></requesttokenresponse>'
           % (NS_TOKEN_RESPONSE, lifetime, escape(token)))
    assert parse_token_response(doc.encode('utf-8'), 'sign in') == (
        token.strip(), days * 86400 + hours * 3600 + minutes * 60 + seconds)
