"""StoreFront's XML and headers, as ../shared/specs/storefront and seed 003 show them: the
``CitrixAuth`` challenge, token-service documents (``requesttokenresponse``, ``requesttokenchoices``),
ExplicitForms ``AuthenticateResponse`` forms, and resources v2 (element names and order, namespaces,
root attributes, ``group`` selection)."""

import datetime
from xml.sax.saxutils import escape

from tests.simulator.base import Response

STORE = '/Citrix/Store'
AUTH = '/Citrix/Authentication'
NS_RESOURCES = 'http://citrix.com/delivery-services/2-0/resources'
NS_SUBSCRIPTIONS = 'http://citrix.com/delivery-services/2-0/subscriptions'
NS_EXTENSION = 'http://example.com/opencitrix-simulator/extension'
NS_REQUEST_TOKEN = 'http://citrix.com/delivery-services/1-0/auth/requesttoken'
NS_TOKEN_RESPONSE = 'http://citrix.com/delivery-services/1-0/auth/requesttokenresponse'
NS_TOKEN_CHOICES = 'http://citrix.com/delivery-services/1-0/auth/requesttokenchoices'
NS_AUTH_RESPONSE = 'http://citrix.com/authentication/response/1'
MEDIA_RESOURCES = 'application/vnd.citrix.resources+xml'
MEDIA_RESOURCE = 'application/vnd.citrix.resource+xml'
MEDIA_REQUEST_TOKEN = 'application/vnd.citrix.requesttoken+xml'
MEDIA_TOKEN_RESPONSE = 'application/vnd.citrix.requesttokenresponse+xml'
MEDIA_TOKEN_CHOICES = 'application/vnd.citrix.requesttokenchoices+xml'
MEDIA_AUTH_RESPONSE = 'application/vnd.citrix.authenticateresponse-1+xml'
NO_STORE = {'Cache-Control': 'public, no-store, max-age=0'}
NO_CACHE = {'Cache-Control': 'no-cache; private; no-store; must-revalidate; max-stale=0; post-check=0; '
                             'pre-check=0; max-age=0', 'Pragma': 'no-cache', 'Expires': 'Mon, 26 Jul 1997 05:00:00 GMT'}
PROTOCOL_PATHS = {'ExplicitForms': '/ExplicitForms/Authenticate', 'IntegratedWindows': '/IntegratedWindows/Authenticate',
                  'CitrixAGBasic': '/CitrixAGBasic/Authenticate', 'HttpBasic': '/HttpBasic/Authenticate',
                  'CitrixFederation': '/CitrixFederation/Authenticate', 'Certificate': '/Certificate/Authenticate'}

# Which groups return which element (seed 003's table); "id" is always returned.
GROUPS = {
    'title': 'core', 'link': 'core status', 'summary': 'core', 'path': 'core', 'resourcetype': 'core',
    'clienttypes': 'core', 'contentlocation': 'launch', 'rade': 'launch', 'keywords': 'keywords',
    'properties': 'keywords', 'images': 'images', 'enabled': 'core', 'launchica': 'launch', 'launchrade': 'launch',
    'machinepoweroff': 'vm', 'image': 'core', 'icon': 'icon', 'imagehash': 'core', 'featured': 'core',
    'workflowenabled': 'core', 'showondesktop': 'core', 'showonstartmenu': 'core', 'startmenuroot': 'core',
    'startmenupath': 'core', 'aggregatedresource': 'core', 'publisherresourceid': 'core', 'publishername': 'core',
    'mandatory': 'sub', 'subscriptionactions': 'sub', 'subscriptionstatus': 'sub status', 'subscriptionid': 'sub',
    'subscriptionresponsereason': 'workflow status', 'extension': 'core',
}
KNOWN_GROUPS = frozenset(' '.join(GROUPS.values()).split()) | {'all', 'fta', 'fmd'}
IMAGES = [(48, 4), (32, 4), (24, 4), (16, 4), (48, 8), (32, 8), (24, 8), (16, 8), (256, 32), (48, 32), (32, 32),
          (24, 32), (16, 32)]


def element(name, value):
    return '<%s>%s</%s>' % (name, escape(value), name) if value is not None else '<%s />' % name


def timespan(seconds):
    seconds = int(seconds)
    return '%d.%02d:%02d:%02d' % (seconds // 86400, seconds % 86400 // 3600, seconds % 3600 // 60, seconds % 60)


def iso(moment):
    return datetime.datetime.fromtimestamp(moment, datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%S.%fZ')


def text_response(reason, status=400):
    """Our choice for 400, 406 and 415 bodies: one line of text/plain."""
    return Response(status, reason, dict(NO_STORE), content_type='text/plain; charset=utf-8')


# -- CitrixAuth ---------------------------------------------------------------------------------

def challenge_header(style, realm, reason, location, root, token_service):
    """``WWW-Authenticate: CitrixAuth ...``; ``style`` ``doc-examples`` copies the published wire
    examples' quirks (the store's hint unquoted, the token service's missing a comma)."""
    if style == 'doc-examples':
        if token_service:
            return ('CitrixAuth realm="%s", reqtokentemplate="", reason="%s" locations="%s", serviceroot-hint="%s"'
                    % (realm, reason, location, root))
        return ('CitrixAuth realm="%s", reqtokentemplate="", reason="%s", locations="%s", serviceroot-hint=%s'
                % (realm, reason, location, root))
    return ('CitrixAuth realm="%s", reqtokentemplate="", reason="%s", locations="%s", serviceroot-hint="%s"'
            % (realm, reason, location, root))


def token_response(realm, user, token, now, lifetime):
    body = ('<?xml version="1.0" encoding="utf-8"?>\n<requesttokenresponse xmlns="%s">\n  <for-service>%s</for-service>\n'
            '  <issued>%s</issued>\n  <expiry>%s</expiry>\n  <lifetime>%s</lifetime>\n  <token-template />\n'
            '  <token>%s</token>\n  <CredentialUpdateInformationList xmlns="%s">\n    <CredentialUpdateInformation>\n'
            '      <CredentialDisplayName>%s</CredentialDisplayName>\n'
            '      <AuthenticationInfoId>Citrix Common Forms 1.0</AuthenticationInfoId>\n'
            '      <CredentialUpdateService />\n    </CredentialUpdateInformation>\n'
            '  </CredentialUpdateInformationList>\n</requesttokenresponse>\n') % (
        NS_TOKEN_RESPONSE, realm, iso(now), iso(now + lifetime), timespan(lifetime), token, NS_AUTH_RESPONSE,
        escape(user.split('\\')[0]))
    return Response(200, body, dict(NO_CACHE), content_type=MEDIA_TOKEN_RESPONSE)


def token_choices(root_url, protocols):
    choices = ''.join('<choice><protocol>%s</protocol><location>%s</location></choice>'
                      % (p, escape(root_url + AUTH + PROTOCOL_PATHS.get(p, '/%s/Authenticate' % p)))
                      for p in protocols)
    body = '<?xml version="1.0" encoding="utf-8"?>\n<requesttokenchoices xmlns="%s"><choices>%s</choices></requesttokenchoices>' % (
        NS_TOKEN_CHOICES, choices)
    return Response(300, body, dict(NO_STORE), content_type=MEDIA_TOKEN_CHOICES)


# -- ExplicitForms ------------------------------------------------------------------------------

def form(result, state, requirements=(), status='success'):
    needs = ''
    if requirements:
        needs = ('<AuthenticationRequirements><PostBack>%s/ExplicitForms</PostBack>'
                 '<CancelPostBack>%s/ExplicitForms/Cancel</CancelPostBack><CancelButtonText>Cancel</CancelButtonText>'
                 '<Requirements>%s</Requirements></AuthenticationRequirements>') % (AUTH, AUTH, ''.join(requirements))
    body = ('<?xml version="1.0" encoding="UTF-8"?>\n<AuthenticateResponse xmlns="%s"><Status>%s</Status>'
            '<Result>%s</Result>%s%s</AuthenticateResponse>') % (
        NS_AUTH_RESPONSE, status, result, element('StateContext', state or None), needs)
    return Response(200, body, dict(NO_CACHE), content_type=MEDIA_AUTH_RESPONSE + '; charset=utf-8')


def requirement(cred_id, cred_type, label, control, label_type='plain', save_id=None):
    return ('<Requirement><Credential><ID>%s</ID>%s<Type>%s</Type></Credential><Label>%s<Type>%s</Type></Label>'
            '%s</Requirement>') % (cred_id, element('SaveID', save_id) if save_id else '', cred_type,
                                   element('Text', label) if label else '', label_type,
                                   '<Input>%s</Input>' % control if control else '')


def logon_form(state, domain_field=False):
    text = '<Text><Secret>%s</Secret><ReadOnly>false</ReadOnly><InitialValue></InitialValue><Constraint>.+</Constraint></Text>'
    domain = [requirement('domain', 'domain', 'Domain:', text % 'false', save_id='ExplicitForms-Domain')]
    return form('more-info', state, [
        requirement('username', 'username', 'User name:',
                    '<AssistiveText>domain\\user or user@domain</AssistiveText>' + text % 'false',
                    save_id='ExplicitForms-Username'),
        requirement('password', 'password', 'Password:', text % 'true', save_id='ExplicitForms-Password'),
    ] + (domain if domain_field else []) + [
        requirement('saveCredentials', 'savecredentials', 'Remember my password',
                    '<CheckBox><InitialValue>false</InitialValue></CheckBox>'),
        requirement('loginBtn', 'none', None, '<Button>Log On</Button>', label_type='none')])


def passcode_form(state):
    return form('more-info', state, [
        requirement('passcode', 'passcode', 'Passcode:', '<Text><Secret>true</Secret></Text>'),
        requirement('nextBtn', 'none', None, '<Button>Sign On</Button>', label_type='none')])


# -- resources v2 -------------------------------------------------------------------------------

def resource_elements(r, store, subscriptions_status):
    """``(element name, xml)`` for one resource, in the order of the published example."""
    link = store + '/resources/v2/' + r['key']
    image = store + '/resources/v2/' + r['imagehash']
    out = [('title', element('title', r['title'])), ('link', '<link><url>%s</url></link>' % escape(link)),
           ('summary', element('summary', r['summary'])), ('path', element('path', r['path'])),
           ('resourcetype', element('resourcetype', r['type'])),
           ('clienttypes', '<clienttypes>%s</clienttypes>' % ''.join(element('clienttype', c) for c in r['clienttypes']))]
    if r['type'] == 'Citrix.MPS.Document':
        out.append(('contentlocation', element('contentlocation', '\\\\fileserver\\policies\\%s.pdf' % r['publisher_id'])))
    out.append(('rade', '<rade><licenseType>online</licenseType><offlineMode>none</offlineMode></rade>'))
    if r['keywords']:
        out.append(('keywords', '<keywords>%s</keywords>' % ''.join(element('keyword', k) for k in r['keywords'])))
        out.append(('properties', '<properties><property propertyId="Category"><value>%s</value></property></properties>'
                    % escape(r['path'].strip('\\').split('\\')[0] or 'Root')))
    out += [('images', '<images>%s</images>' % ''.join('<image size="%d" depth="%d" />' % i for i in IMAGES)),
            ('enabled', element('enabled', 'true' if r['enabled'] else 'false')),
            ('launchica', '<launchica><url>%s/launch/ica</url></launchica>' % escape(link))]
    if r['type'] == 'Citrix.MPS.Desktop':
        out.append(('machinepoweroff', '<machinepoweroff><url>%s/poweroff</url></machinepoweroff>' % escape(link)))
    out += [('image', '<image><url>%s/image</url></image>' % escape(image)),
            ('icon', '<icon><url>%s/icon</url></icon>' % escape(image)),
            ('imagehash', element('imagehash', r['imagehash'])),
            ('featured', element('featured', 'true' if r['featured'] else 'false')),
            ('workflowenabled', element('workflowenabled', 'true' if r['workflow'] else 'false')),
            ('aggregatedresource', element('aggregatedresource', 'false')),
            ('publisherresourceid', element('publisherresourceid', r['publisher_id'])),
            ('publishername', element('publishername', r['farm'])),
            ('mandatory', element('mandatory', 'true' if r['mandatory'] else 'false'))]
    if subscriptions_status != 'disabled':
        out.append(('subscriptionactions', '<a:subscriptionactions><url>%s</url></a:subscriptionactions>'
                    % escape(store + '/resources/v2/subscriptions/' + r['key'])))
        if subscriptions_status == 'enabled':
            out.append(('subscriptionstatus', element('a:subscriptionstatus', r['status'])))
            out.append(('subscriptionid', element('a:subscriptionid', r['key'][:12])))
            if r['status'] == 'denied':
                out.append(('subscriptionresponsereason', element('a:subscriptionresponsereason', 'Not approved by manager')))
    if r.get('extension'):
        out.append(('extension', '<x:launchhint xmlns:x="%s" x:priority="1">prefer-ica</x:launchhint>' % NS_EXTENSION))
    return out


def render_resource(r, groups, store, subscriptions_status, root_namespaces=False):
    """One ``<resource>`` with the elements ``groups`` select (``all``: every one)."""
    wanted = None if 'all' in groups else groups
    parts = [element('id', r['id'])]
    parts += [xml for name, xml in resource_elements(r, store, subscriptions_status)
              if wanted is None or set(GROUPS[name].split()) & wanted]
    attrs = ' xmlns="%s" xmlns:a="%s"' % (NS_RESOURCES, NS_SUBSCRIPTIONS) if root_namespaces else ''
    return '<resource%s>%s</resource>' % (attrs, ''.join(parts))


def resources_document(resources, groups, store, enumeration, subscriptions_status):
    return ('<?xml version="1.0" encoding="utf-8"?>\n<resources xmlns="%s" xmlns:a="%s" enumeration="%s" '
            'a:subscriptionsstatus="%s">\n%s\n</resources>\n') % (
        NS_RESOURCES, NS_SUBSCRIPTIONS, enumeration, subscriptions_status,
        '\n'.join(render_resource(r, groups, store, subscriptions_status) for r in resources))


# -- subscriptions and launch -------------------------------------------------------------------

MEDIA_SUBSCRIPTION_RESULT = 'application/vnd.citrix.subscriptionresult+xml'
MEDIA_SUBSCRIPTION_CONFLICT = 'application/vnd.citrix.subscriptionconflict+xml'
MEDIA_LAUNCHDATA = 'application/vnd.citrix.launchdata+xml'
NS_LAUNCH = 'http://citrix.com/delivery-services/1-0/launch'


def subscription_result(r):
    body = ('<?xml version="1.0" encoding="utf-8"?>\n<subscriptionResult xmlns="%s"><subscriptionId>%s</subscriptionId>'
            '<resourceId>%s</resourceId><status>%s</status><data /></subscriptionResult>') % (
        NS_SUBSCRIPTIONS, escape(r['key'][:12]), escape(r['id']), escape(r['status']))
    return Response(200, body, dict(NO_STORE), content_type=MEDIA_SUBSCRIPTION_RESULT)


def subscription_conflict(reason):
    body = '<?xml version="1.0" encoding="utf-8"?>\n<subscriptionConflict xmlns="%s" reason="%s"><data /></subscriptionConflict>' % (
        NS_SUBSCRIPTIONS, reason)
    return Response(200, body, dict(NO_STORE), content_type=MEDIA_SUBSCRIPTION_CONFLICT)


def _launch(status, result):
    body = '<?xml version="1.0" encoding="utf-8"?>\n<launch status="%s" xmlns="%s">%s</launch>' % (status, NS_LAUNCH, result)
    return Response(200, body, {'Cache-Control': 'no-cache'}, content_type=MEDIA_LAUNCHDATA)


def launch_success(ica, ticket):
    return _launch('success', '<result type="ica">%s%s</result>' % (element('ica', ica), element('logonTicket', ticket)))


def launch_retry(url, after, reason):
    return _launch('retry', '<result type="retry"><retry><url>%s</url><after>%d</after><reason>%s</reason></retry></result>'
                   % (escape(url), after, reason))


def launch_error(error_id, text):
    return _launch('failure', '<result type="error"><error><id>%s</id><text>%s</text></error></result>'
                   % (error_id, escape(text)))


def ica_file(r, params, ticket, reference):
    """An ICA file of the usual sections, with a logon ticket and a launch reference (secrets)."""
    section = r['title']
    lines = ['[Encoding]', 'InputEncoding=UTF8', '[WFClient]', 'ProxyType=Auto', 'RemoveICAFile=yes',
             'ClientName=%s' % (params.get('clientName') or 'opencitrix'), '[ApplicationServers]', '%s=' % section,
             '[%s]' % section, 'Address=;40;STA2D0E8C31;%s' % ticket[:16], 'InitialProgram=#%s' % section,
             'LaunchReference=%s' % reference, 'LogonTicket=%s' % ticket, 'LogonTicketType=CTXS1',
             'SSLEnable=On', 'TransportDriver=TCP/IP', 'DesiredColor=8', 'TWIMode=On']
    return '\r\n'.join(lines) + '\r\n'
