"""StoreFront: one store (Store Services API 3.0, resources v2) behind the CitrixAuth token flow.

Shapes come from ../shared/specs/storefront/facts.md, example-resources.xml and seed 003: the 401
``WWW-Authenticate: CitrixAuth`` challenge, the token service that challenges for a primary token,
the ``300`` protocol choices, the ExplicitForms conversation with its ``ASP.NET_SessionId`` cookie, and
the resources XML with its element names, namespaces and root attributes. Choices the specs leave
open are listed in tests/simulator/README.md.
"""

import base64
import datetime
import gzip
import hashlib
import random
import re
import secrets
import uuid
from urllib.parse import parse_qsl
from xml.sax.saxutils import escape

from defusedxml import ElementTree as SafeET

from tests.simulator.core import Reply, Response, Route, Service

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

DEFAULT_USERNAME = 'SIM\\storefront-user'
DEFAULT_PASSWORD = 'sim-storefront-Passw0rd'
DEFAULT_RESOURCES = 500
PRIMARY_LIFETIME = 20 * 3600   # "0.20:00:00" in the token-service examples
SERVICE_LIFETIME = 3600        # the service token of the examples lives one hour
SCOPES = ('$PRELAUNCH$', '$ANONYMOUS_PRELAUNCH$')
REASONS = ('notoken', 'expired', 'notforthisservice', 'invalidtoken')
PROTOCOL_PATHS = {'ExplicitForms': '/ExplicitForms/Authenticate', 'IntegratedWindows': '/IntegratedWindows/Authenticate',
                  'CitrixAGBasic': '/CitrixAGBasic/Authenticate', 'HttpBasic': '/HttpBasic/Authenticate',
                  'CitrixFederation': '/CitrixFederation/Authenticate', 'Certificate': '/Certificate/Authenticate'}
AUTH_HEADER = re.compile(r'^CitrixAuth ([A-Za-z0-9+/=_-]+)$')

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

APPS = ['Microsoft Word', 'Microsoft Excel', 'Microsoft PowerPoint', 'Microsoft Outlook', 'Adobe Acrobat Reader',
        'AutoCAD', 'SAP GUI', 'Visual Studio Code', 'Google Chrome', 'Mozilla Firefox', 'PuTTY', 'Power BI Desktop',
        'SQL Server Management Studio', 'Calculator', 'Paint', 'WordPad', '7-Zip', 'Notepad++', 'Teams', 'Büro Kalender']
FOLDERS = ['\\', '\\Office\\', '\\Office\\Tools\\', '\\Engineering\\', '\\Engineering\\CAD\\', '\\Finance\\',
           '\\Finance\\Reporting\\', '\\Utilities\\']
STATUSES = ['notSubscribed', 'subscribed', 'approved', 'denied', 'subscribed', 'notSubscribed']
FARMS = ['Farm1', 'Farm2', 'Farm3']
IMAGES = [(48, 4), (32, 4), (24, 4), (16, 4), (48, 8), (32, 8), (24, 8), (16, 8), (256, 32), (48, 32), (32, 32),
          (24, 32), (16, 32)]

BILLION_LAUGHS = ('<?xml version="1.0"?><!DOCTYPE resources [<!ENTITY lol "lol">'
                  + ''.join('<!ENTITY lol%d "%s">' % (i, ('&lol%d;' % (i - 1) if i > 1 else '&lol;') * 10)
                            for i in range(1, 10))
                  + ']><resources xmlns="%s" enumeration="full"><resource><id>&lol9;</id></resource></resources>'
                  % NS_RESOURCES)
QUADRATIC = ('<?xml version="1.0"?><!DOCTYPE resources [<!ENTITY a "%s">]><resources xmlns="%s" enumeration="full">'
             '<resource><id>x</id><summary>%s</summary></resource></resources>' % ('x' * 50000, NS_RESOURCES, '&a;' * 80))
EXTERNAL_ENTITY = ('<?xml version="1.0"?><!DOCTYPE resources [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
                   '<resources xmlns="%s" enumeration="full"><resource><id>&xxe;</id></resource></resources>' % NS_RESOURCES)
DEEP_LEVELS = 100000


def deep_document(levels=DEEP_LEVELS):
    """A resources document whose one resource holds ``levels`` nested elements (1.3 MB for 100,000)."""
    return ('<?xml version="1.0"?><resources xmlns="%s" enumeration="full"><resource><id>deep</id>%s%s</resource>'
            '</resources>' % (NS_RESOURCES, '<path>' * levels, '</path>' * levels))


def _b64(text):
    return base64.b64encode(text.encode('utf-8')).decode('ascii').replace('=', '-').replace('/', '_')


def _el(name, value):
    return '<%s>%s</%s>' % (name, escape(value), name) if value is not None else '<%s />' % name


def _accepts(request, media):
    offered = [part.split(';', 1)[0].strip().lower() for part in (request.header('Accept') or '').split(',')]
    return media in offered


def _timespan(seconds):
    seconds = int(seconds)
    return '%d.%02d:%02d:%02d' % (seconds // 86400, seconds % 86400 // 3600, seconds % 3600 // 60, seconds % 60)


def _iso(moment):
    return datetime.datetime.fromtimestamp(moment, datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%S.%fZ')


def _text(reason, status=400):
    return Response(status, reason, dict(NO_STORE), content_type='text/plain; charset=utf-8')


class StoreFront(Service):
    name = 'storefront'

    def seed(self):
        cfg = self.config
        rnd = random.Random(self.sim.seed_value)
        self.store_realm = str(uuid.UUID(int=rnd.getrandbits(128), version=4))
        self.token_realm = str(uuid.UUID(int=rnd.getrandbits(128), version=4))
        self.users = {}
        self.add_user(cfg.get('username', DEFAULT_USERNAME), cfg.get('password', DEFAULT_PASSWORD))
        self.enumeration = cfg.get('enumeration', 'full')            # full | partial | failed
        self.subscriptions_status = cfg.get('subscriptions', 'enabled')
        self.offered_protocols = list(cfg.get('protocols', ['ExplicitForms', 'IntegratedWindows', 'CitrixAGBasic']))
        self.challenge_style = cfg.get('challenge_style', 'canonical')   # canonical | doc-examples
        self.second_factor = bool(cfg.get('second_factor', False))
        self.domain_field = bool(cfg.get('domain_field', False))  # the logon form asks for the domain apart
        self.served_users = {}  # user -> store requests answered with that user's token
        self.hostile = None
        self.last_query = None
        self.tokens = {}
        self.sessions = {}
        self.resources = self._seed_resources(int(cfg.get('resources', DEFAULT_RESOURCES)))

    def add_user(self, username, password):
        with self.sim.lock:
            self.users[username.lower()] = password

    @staticmethod
    def _seed_resources(count):
        notepad = {'id': 'Controller.Notepad', 'key': 'Q2l0cml4Lk1QUy5BcHAu', 'title': 'Notepad', 'summary': 'Notepad',
                   'path': '\\', 'type': 'Citrix.MPS.Application', 'farm': 'Farm1', 'clienttypes': ['ica30', 'rdp'],
                   'imagehash': 'E4wNXorb0I5OHEvZlhsOWFZPQ--', 'enabled': True, 'mandatory': True, 'keywords': [],
                   'status': 'subscribed', 'auto': False, 'featured': False, 'workflow': False, 'publisher_id': 'Notepad'}
        resources = [notepad][:count]
        for n in range(1, count):
            farm = FARMS[n % len(FARMS)]
            if n % 10 == 0:
                kind, title, path = 'Citrix.MPS.Desktop', 'Windows 11 Desktop %d' % n, '\\Desktops\\'
            elif n % 25 == 3:
                kind, title, path = 'Citrix.MPS.Document', 'Expense Policy %d' % n, '\\Documents\\Policies\\'
            else:
                kind, title, path = 'Citrix.MPS.Application', '%s %d' % (APPS[n % len(APPS)], n), FOLDERS[n % len(FOLDERS)]
            keywords = [k for k, every in (('Auto', 9), ('Featured', 11), ('WFI', 40)) if n % every == 0]
            mandatory = n % 20 == 7
            status = 'subscribed' if mandatory else ('pendingApproval' if n % 40 == 0 else STATUSES[n % len(STATUSES)])
            if 'Auto' in keywords and not mandatory:
                status = 'notSubscribed'
            resources.append({
                'id': '%s.%s' % (farm, title), 'key': _b64('%s.%s' % (farm, title)), 'title': title,
                'summary': 'Published by %s & maintained by <IT> "Apps" team%s' % (
                    farm, (' KEYWORDS:%s' % ' '.join(keywords)) if keywords else ''),
                'path': path, 'type': kind, 'farm': farm,
                'clienttypes': ['ica30'] if kind != 'Citrix.MPS.Document' else ['ica30', 'rdp'],
                'imagehash': _b64(hashlib.sha1(title.split(' ')[0].encode()).hexdigest()[:15]),
                'enabled': n % 50 != 49, 'mandatory': mandatory, 'keywords': keywords, 'status': status,
                'auto': 'Auto' in keywords, 'featured': 'Featured' in keywords, 'workflow': 'WFI' in keywords,
                'publisher_id': title.replace(' ', ''), 'extension': n % 7 == 0,
                'never_subscribed': status == 'notSubscribed'})
        return resources

    # -- CitrixAuth -------------------------------------------------------------------------------

    def _challenge_header(self, realm, reason, location, root, token_service):
        if self.challenge_style == 'doc-examples':
            # The published wire examples: the store's hint unquoted, the token service's missing a comma.
            if token_service:
                return ('CitrixAuth realm="%s", reqtokentemplate="", reason="%s" locations="%s", serviceroot-hint="%s"'
                        % (realm, reason, location, root))
            return ('CitrixAuth realm="%s", reqtokentemplate="", reason="%s", locations="%s", serviceroot-hint=%s'
                    % (realm, reason, location, root))
        return ('CitrixAuth realm="%s", reqtokentemplate="", reason="%s", locations="%s", serviceroot-hint="%s"'
                % (realm, reason, location, root))

    def _challenge(self, reason, token_service=False):
        base = self.sim.url
        if token_service:
            header = self._challenge_header(self.token_realm, reason, base + AUTH + '/auth/v1/protocols',
                                            base + AUTH + '/auth/v1/token', True)
        else:
            header = self._challenge_header(self.store_realm, reason, base + AUTH + '/auth/v1/token',
                                            base + STORE + '/resources/v2', False)
        headers = dict(NO_STORE)
        headers['WWW-Authenticate'] = header
        return Reply(Response(401, None, headers))

    def _check_token(self, request, realm, token_service=False):
        """The token record behind ``Authorization: CitrixAuth <token>``, or a 401 challenge."""
        value = request.header('Authorization')
        if not value:
            raise self._challenge('notoken', token_service)
        match = AUTH_HEADER.match(value.strip())
        record = self.tokens.get(match.group(1)) if match else None
        if record is None:
            raise self._challenge('invalidtoken', token_service)
        if record['expires_at'] <= self.sim.clock.now():
            raise self._challenge('expired', token_service)
        if record['realm'] != realm:
            raise self._challenge('notforthisservice', token_service)
        return record

    def mint_token(self, user, primary=False, lifetime=None):
        """A token as the token service would issue it (tests use it as "a token obtained elsewhere")."""
        realm = self.token_realm if primary else self.store_realm
        lifetime = lifetime or (PRIMARY_LIFETIME if primary else SERVICE_LIFETIME)
        token = 'H4sIAAAAAAAEA' + secrets.token_urlsafe(60).replace('_', '+').replace('-', '/') + '=='
        with self.sim.lock:
            self.tokens[token] = {'realm': realm, 'user': user, 'expires_at': self.sim.clock.now() + lifetime,
                                  'kind': 'primary' if primary else 'service'}
        return token

    def _issue(self, realm, user, lifetime):
        token = self.mint_token(user, realm == self.token_realm, lifetime)
        now = self.sim.clock.now()
        body = ('<?xml version="1.0" encoding="utf-8"?>\n<requesttokenresponse xmlns="%s">\n  <for-service>%s</for-service>\n'
                '  <issued>%s</issued>\n  <expiry>%s</expiry>\n  <lifetime>%s</lifetime>\n  <token-template />\n'
                '  <token>%s</token>\n  <CredentialUpdateInformationList xmlns="%s">\n    <CredentialUpdateInformation>\n'
                '      <CredentialDisplayName>%s</CredentialDisplayName>\n'
                '      <AuthenticationInfoId>Citrix Common Forms 1.0</AuthenticationInfoId>\n'
                '      <CredentialUpdateService />\n    </CredentialUpdateInformation>\n'
                '  </CredentialUpdateInformationList>\n</requesttokenresponse>\n') % (
            NS_TOKEN_RESPONSE, realm, _iso(now), _iso(now + lifetime), _timespan(lifetime), token, NS_AUTH_RESPONSE,
            escape(user.split('\\')[0]))
        return Response(200, body, dict(NO_CACHE), content_type=MEDIA_TOKEN_RESPONSE)

    @staticmethod
    def _request_token(request):
        """``{'for-service', 'for-service-url', 'requested-lifetime'}`` from a requesttoken body."""
        if (request.header('Content-Type') or '').split(';')[0].strip().lower() != MEDIA_REQUEST_TOKEN:
            raise Reply(_text('The request must have Content-Type %s.' % MEDIA_REQUEST_TOKEN, 415))
        try:
            root = SafeET.fromstring(request.body or b'')
        except Exception:  # defusedxml raises its own and ElementTree's errors alike
            raise Reply(_text('The requesttoken document could not be read.'))
        if root.tag != '{%s}requesttoken' % NS_REQUEST_TOKEN:
            raise Reply(_text('Expected a requesttoken document.'))
        fields = {child.tag.split('}')[-1]: (child.text or '').strip() for child in root}
        if not fields.get('for-service') or 'for-service-url' not in fields or 'reqtokentemplate' not in fields:
            raise Reply(_text('The requesttoken document lacks for-service, for-service-url or reqtokentemplate.'))
        return fields

    def _lifetime(self, fields, default):
        match = re.match(r'^(?:(\d+)\.)?(\d+):(\d+):(\d+)', fields.get('requested-lifetime') or '')
        if not match:
            return default
        days, hours, minutes, seconds = (int(g or 0) for g in match.groups())
        return max(60, min(default, days * 86400 + hours * 3600 + minutes * 60 + seconds))

    def token(self, request):
        if not _accepts(request, MEDIA_TOKEN_RESPONSE):
            return _text('Not acceptable: this endpoint answers %s.' % MEDIA_TOKEN_RESPONSE, 406)
        fields = self._request_token(request)
        primary = self._check_token(request, self.token_realm, token_service=True)
        if fields['for-service'] != self.store_realm:
            return _text('Unknown service "%s".' % fields['for-service'])
        return self._issue(self.store_realm, primary['user'], self._lifetime(fields, SERVICE_LIFETIME))

    def protocols(self, request):
        fields = self._request_token(request)
        if fields['for-service'] != self.token_realm:
            return _text('Unknown service "%s".' % fields['for-service'])
        choices = ''.join('<choice><protocol>%s</protocol><location>%s</location></choice>'
                          % (p, escape(self.sim.url + AUTH + PROTOCOL_PATHS.get(p, '/%s/Authenticate' % p)))
                          for p in self.offered_protocols)
        body = '<?xml version="1.0" encoding="utf-8"?>\n<requesttokenchoices xmlns="%s"><choices>%s</choices></requesttokenchoices>' % (
            NS_TOKEN_CHOICES, choices)
        return Response(300, body, dict(NO_STORE), content_type=MEDIA_TOKEN_CHOICES)

    # -- ExplicitForms ------------------------------------------------------------------------------

    def _form(self, result, state, requirements=(), status='success'):
        needs = ''
        if requirements:
            needs = ('<AuthenticationRequirements><PostBack>%s/ExplicitForms</PostBack>'
                     '<CancelPostBack>%s/ExplicitForms/Cancel</CancelPostBack><CancelButtonText>Cancel</CancelButtonText>'
                     '<Requirements>%s</Requirements></AuthenticationRequirements>') % (AUTH, AUTH, ''.join(requirements))
        body = ('<?xml version="1.0" encoding="UTF-8"?>\n<AuthenticateResponse xmlns="%s"><Status>%s</Status>'
                '<Result>%s</Result>%s%s</AuthenticateResponse>') % (
            NS_AUTH_RESPONSE, status, result, _el('StateContext', state or None), needs)
        return Response(200, body, dict(NO_CACHE), content_type=MEDIA_AUTH_RESPONSE + '; charset=utf-8')

    @staticmethod
    def _requirement(cred_id, cred_type, label, control, label_type='plain', save_id=None):
        return ('<Requirement><Credential><ID>%s</ID>%s<Type>%s</Type></Credential><Label>%s<Type>%s</Type></Label>'
                '%s</Requirement>') % (cred_id, _el('SaveID', save_id) if save_id else '', cred_type,
                                       _el('Text', label) if label else '', label_type,
                                       '<Input>%s</Input>' % control if control else '')

    def _logon_form(self, state):
        text = '<Text><Secret>%s</Secret><ReadOnly>false</ReadOnly><InitialValue></InitialValue><Constraint>.+</Constraint></Text>'
        requirements = [
            self._requirement('username', 'username', 'User name:',
                              '<AssistiveText>domain\\user or user@domain</AssistiveText>' + text % 'false',
                              save_id='ExplicitForms-Username'),
            self._requirement('password', 'password', 'Password:', text % 'true', save_id='ExplicitForms-Password')]
        if self.domain_field:
            requirements.append(self._requirement('domain', 'domain', 'Domain:', text % 'false',
                                                  save_id='ExplicitForms-Domain'))
        return self._form('more-info', state, requirements + [
            self._requirement('saveCredentials', 'savecredentials', 'Remember my password',
                              '<CheckBox><InitialValue>false</InitialValue></CheckBox>'),
            self._requirement('loginBtn', 'none', None, '<Button>Log On</Button>', label_type='none')])

    def forms_start(self, request):
        if not _accepts(request, MEDIA_AUTH_RESPONSE):
            return _text('Not acceptable: this endpoint answers %s.' % MEDIA_AUTH_RESPONSE, 406)
        fields = self._request_token(request)
        if fields['for-service'] != self.token_realm:
            return _text('Unknown service "%s".' % fields['for-service'])
        session = secrets.token_hex(12)  # 24 characters, like the example's ASP.NET session id
        state = secrets.token_hex(4)
        with self.sim.lock:
            self.sessions[session] = {'state': state, 'stage': 'credentials', 'user': None}
        response = self._logon_form(state)
        response.headers['Set-Cookie'] = 'ASP.NET_SessionId=%s; path=/; HttpOnly' % session
        return response

    def _session(self, request):
        cookies = dict(part.strip().split('=', 1) for part in (request.header('Cookie') or '').split(';') if '=' in part)
        return cookies.get('ASP.NET_SessionId'), self.sessions.get(cookies.get('ASP.NET_SessionId'))

    def forms_postback(self, request):
        if (request.header('Content-Type') or '').split(';')[0].strip().lower() != 'application/x-www-form-urlencoded':
            return _text('The form must be posted as application/x-www-form-urlencoded.', 415)
        form = dict(parse_qsl(request.body.decode('utf-8', 'replace'), keep_blank_values=True))
        session_id, session = self._session(request)
        if session is None:
            return self._form('fail', None, status='error-sessionid-expired')
        if form.get('StateContext') != session['state']:
            self.sessions.pop(session_id, None)
            return self._form('fail', None, status='error-state-context-invalid')
        if session['stage'] == 'credentials':
            username = form.get('username') or ''
            if self.domain_field and form.get('domain') and not re.search(r'[\\@]', username):
                username = form['domain'] + '\\' + username
            expected = self.users.get(username.lower())
            if 'loginBtn' not in form or expected is None or not secrets.compare_digest(expected, form.get('password', '')):
                self.sessions.pop(session_id, None)
                return self._form('fail', None, [self._requirement(
                    'explicitFormsAuthErrorMessage', 'none', 'Incorrect user name or password.', None, label_type='error')])
            session['user'] = username
            if self.second_factor:
                session['stage'] = 'passcode'
                session['state'] = secrets.token_hex(4)
                return self._form('more-info', session['state'], [
                    self._requirement('passcode', 'passcode', 'Passcode:', '<Text><Secret>true</Secret></Text>'),
                    self._requirement('nextBtn', 'none', None, '<Button>Sign On</Button>', label_type='none')])
        elif form.get('passcode') != self.config.get('passcode', '123456'):
            self.sessions.pop(session_id, None)
            return self._form('fail', None, [self._requirement('err', 'none', 'Incorrect passcode.', None, 'error')])
        self.sessions.pop(session_id, None)
        return self._issue(self.token_realm, session['user'], PRIMARY_LIFETIME)

    def forms_cancel(self, request):
        session_id, _session = self._session(request)
        self.sessions.pop(session_id, None)
        return self._form('cancelled', None)

    # -- Store Services: resources v2 ----------------------------------------------------------------

    def _elements(self, r, store):
        """``(element name, group key, xml)`` for one resource, in the order of the published example."""
        link = store + '/resources/v2/' + r['key']
        image = store + '/resources/v2/' + r['imagehash']
        out = [('title', _el('title', r['title'])), ('link', '<link><url>%s</url></link>' % escape(link)),
               ('summary', _el('summary', r['summary'])), ('path', _el('path', r['path'])),
               ('resourcetype', _el('resourcetype', r['type'])),
               ('clienttypes', '<clienttypes>%s</clienttypes>' % ''.join(_el('clienttype', c) for c in r['clienttypes']))]
        if r['type'] == 'Citrix.MPS.Document':
            out.append(('contentlocation', _el('contentlocation', '\\\\fileserver\\policies\\%s.pdf' % r['publisher_id'])))
        out.append(('rade', '<rade><licenseType>online</licenseType><offlineMode>none</offlineMode></rade>'))
        if r['keywords']:
            out.append(('keywords', '<keywords>%s</keywords>' % ''.join(_el('keyword', k) for k in r['keywords'])))
            out.append(('properties', '<properties><property propertyId="Category"><value>%s</value></property></properties>'
                        % escape(r['path'].strip('\\').split('\\')[0] or 'Root')))
        out += [('images', '<images>%s</images>' % ''.join('<image size="%d" depth="%d" />' % i for i in IMAGES)),
                ('enabled', _el('enabled', 'true' if r['enabled'] else 'false')),
                ('launchica', '<launchica><url>%s/launch/ica</url></launchica>' % escape(link))]
        if r['type'] == 'Citrix.MPS.Desktop':
            out.append(('machinepoweroff', '<machinepoweroff><url>%s/poweroff</url></machinepoweroff>' % escape(link)))
        out += [('image', '<image><url>%s/image</url></image>' % escape(image)),
                ('icon', '<icon><url>%s/icon</url></icon>' % escape(image)),
                ('imagehash', _el('imagehash', r['imagehash'])),
                ('featured', _el('featured', 'true' if r['featured'] else 'false')),
                ('workflowenabled', _el('workflowenabled', 'true' if r['workflow'] else 'false')),
                ('aggregatedresource', _el('aggregatedresource', 'false')),
                ('publisherresourceid', _el('publisherresourceid', r['publisher_id'])),
                ('publishername', _el('publishername', r['farm'])),
                ('mandatory', _el('mandatory', 'true' if r['mandatory'] else 'false'))]
        if self.subscriptions_status != 'disabled':
            out.append(('subscriptionactions', '<a:subscriptionactions><url>%s</url></a:subscriptionactions>'
                        % escape(store + '/resources/v2/subscriptions/' + r['key'])))
            if self.subscriptions_status == 'enabled':
                out.append(('subscriptionstatus', _el('a:subscriptionstatus', r['status'])))
                out.append(('subscriptionid', _el('a:subscriptionid', r['key'][:12])))
                if r['status'] == 'denied':
                    out.append(('subscriptionresponsereason', _el('a:subscriptionresponsereason', 'Not approved by manager')))
        if r.get('extension'):
            out.append(('extension', '<x:launchhint xmlns:x="%s" x:priority="1">prefer-ica</x:launchhint>' % NS_EXTENSION))
        return out

    def _render(self, r, groups, root_namespaces=False):
        wanted = None if 'all' in groups else groups
        parts = [_el('id', r['id'])]
        parts += [xml for name, xml in self._elements(r, self.sim.url + STORE)
                  if wanted is None or set(GROUPS[name].split()) & wanted]
        attrs = ' xmlns="%s" xmlns:a="%s"' % (NS_RESOURCES, NS_SUBSCRIPTIONS) if root_namespaces else ''
        return '<resource%s>%s</resource>' % (attrs, ''.join(parts))

    def _groups(self, request):
        names = {g.strip().lower() for g in request.args('group') if g.strip()}
        if not names:
            return {'all'}
        return names & KNOWN_GROUPS or {'none'}  # "none" matches no element: only <id> is returned

    def _visible(self):
        if self.enumeration == 'failed':
            return []
        if self.enumeration == 'partial':  # Farm2's XML service does not answer
            return [r for r in self.resources if r['farm'] != 'Farm2']
        return list(self.resources)

    def _check_scope(self, request):
        scope = request.arg('scope')
        if scope is not None and scope.upper() not in SCOPES:
            raise Reply(_text("Invalid scope '%s'. The allowed values are $PRELAUNCH$ and $ANONYMOUS_PRELAUNCH$." % scope))

    def _store_request(self, request, media):
        user = self._check_token(request, self.store_realm)['user']
        with self.sim.lock:
            self.served_users[user] = self.served_users.get(user, 0) + 1
        if not _accepts(request, media):
            raise Reply(_text('Not acceptable: %s is not served here; ask for %s.' % (
                request.header('Accept') or 'no Accept header', media), 406))
        self._check_scope(request)
        self.last_query = {k: request.args(k) for k in ('group', 'subscriptionStatus', 'scope', 'clientName')}

    def list_resources(self, request, auto_provision):
        self._store_request(request, MEDIA_RESOURCES)
        if self.hostile == 'gzip-bomb':  # 64 MiB of XML whitespace in about 64 KiB on the wire
            self._gzip_bomb = getattr(self, '_gzip_bomb', None) or gzip.compress(
                b'<?xml version="1.0"?><resources xmlns="' + NS_RESOURCES.encode() + b'">' + b' ' * (64 * 1024 * 1024))
            return Response(200, self._gzip_bomb, dict(NO_STORE, **{'Content-Encoding': 'gzip'}),
                            content_type=MEDIA_RESOURCES)
        if self.hostile:
            return Response(200, self._hostile_body(), dict(NO_STORE), content_type=MEDIA_RESOURCES)
        visible = self._visible()
        if auto_provision:
            self._auto_provision(request, visible)
        statuses = {s.lower() for s in request.args('subscriptionStatus')}
        if statuses:
            visible = [r for r in visible if r['status'].lower() in statuses]
        groups = self._groups(request)
        body = ('<?xml version="1.0" encoding="utf-8"?>\n<resources xmlns="%s" xmlns:a="%s" enumeration="%s" '
                'a:subscriptionsstatus="%s">\n%s\n</resources>\n') % (
            NS_RESOURCES, NS_SUBSCRIPTIONS, self.enumeration, self.subscriptions_status,
            '\n'.join(self._render(r, groups) for r in visible))
        return Response(200, body, dict(NO_STORE), content_type=MEDIA_RESOURCES)

    def _auto_provision(self, request, visible):
        """Subscribe auto-provisioned applications that were never subscribed and have no workflow."""
        changed = 0
        with self.sim.lock:
            for r in visible:
                if r['auto'] and r.get('never_subscribed') and not r['workflow'] and self.subscriptions_status == 'enabled':
                    r['status'], r['never_subscribed'] = 'subscribed', False
                    changed += 1
        if changed:
            self.sim.stats.record_write(request.route)

    def get_resource(self, request):
        self._store_request(request, MEDIA_RESOURCE)
        match = [r for r in self._visible() if r['key'] == request.params['key']]
        if not match:
            return Response(404, None, dict(NO_STORE, **{'X-Citrix-Error-Reason': 'ResourceNotFound'}))
        body = '<?xml version="1.0" encoding="utf-8"?>\n' + self._render(match[0], self._groups(request), True)
        return Response(200, body, dict(NO_STORE), content_type=MEDIA_RESOURCE)

    def _hostile_body(self):
        if self.hostile == 'oversize':
            pad = 'x' * (3 * 1024 * 1024)
            return ('<?xml version="1.0"?><resources xmlns="%s" enumeration="full"><resource><id>big</id>'
                    '<summary>%s</summary></resource></resources>' % (NS_RESOURCES, pad))
        if self.hostile == 'deep':
            return deep_document()
        return {'entity-bomb': BILLION_LAUGHS, 'quadratic': QUADRATIC, 'external-entity': EXTERNAL_ENTITY}[self.hostile]

    def expire_tokens(self, kind=None):
        """Expire every issued token, or only the ``primary`` or ``service`` ones."""
        with self.sim.lock:
            for record in self.tokens.values():
                if kind in (None, record['kind']):
                    record['expires_at'] = 0

    def routes(self):
        return [
            Route('GET', STORE + r'/resources/v2/?', lambda r: self.list_resources(r, True), 'storefront.resources'),
            Route('GET', STORE + r'/resources/v2/withoutautoprovision/?', lambda r: self.list_resources(r, False),
                  'storefront.resources_noauto'),
            Route('GET', STORE + r'/resources/v2/(?P<key>[^/]+)', self.get_resource, 'storefront.resource'),
            Route('POST', AUTH + r'/auth/v1/token', self.token, 'storefront.token'),
            Route('POST', AUTH + r'/auth/v1/protocols', self.protocols, 'storefront.protocols'),
            Route('POST', AUTH + r'/ExplicitForms/Authenticate', self.forms_start, 'storefront.forms_start'),
            Route('POST', AUTH + r'/ExplicitForms', self.forms_postback, 'storefront.forms_postback'),
            Route('POST', AUTH + r'/ExplicitForms/Cancel', self.forms_cancel, 'storefront.forms_cancel'),
        ]

    def client_env(self):
        return {
            'STOREFRONT_URL': self.sim.url + STORE,
            'STOREFRONT_USERNAME': self.config.get('username', DEFAULT_USERNAME),
            'STOREFRONT_PASSWORD': self.config.get('password', DEFAULT_PASSWORD),
            'STOREFRONT_CA_PATH': self.sim.ca_path or '',
        }

    # -- admin ------------------------------------------------------------------------------------

    def admin_routes(self):
        def enumeration(request):
            body = request.json() or {}
            if body.get('status') not in ('full', 'partial', 'failed'):
                raise Reply(Response(400, {'message': 'status must be full, partial or failed'}))
            self.enumeration = body['status']
            return {'enumeration': self.enumeration}

        def hostile(request):
            body = request.json() or {}
            if body.get('kind') not in (None, 'entity-bomb', 'quadratic', 'external-entity', 'oversize', 'gzip-bomb',
                                        'deep'):
                raise Reply(Response(400, {'message': 'unknown kind'}))
            self.hostile = body.get('kind')
            return {'hostile': self.hostile}

        def users(request):
            body = request.json() or {}
            self.add_user(body['username'], body['password'])
            return {'ok': True}

        def expire(request):
            self.expire_tokens((request.json() or {}).get('kind'))
            return {'expired': len(self.tokens)}

        def tokens(_request):
            now = self.sim.clock.now()
            return {'issued': len(self.tokens), 'valid': sum(1 for t in self.tokens.values() if t['expires_at'] > now),
                    'primary': sum(1 for t in self.tokens.values() if t['kind'] == 'primary')}

        return [
            Route('POST', r'/enumeration', enumeration, 'admin.storefront.enumeration'),
            Route('POST', r'/hostile', hostile, 'admin.storefront.hostile'),
            Route('POST', r'/users', users, 'admin.storefront.users'),
            Route('POST', r'/expire-tokens', expire, 'admin.storefront.expire'),
            Route('GET', r'/tokens', tokens, 'admin.storefront.tokens'),
        ]


SERVICE = StoreFront
