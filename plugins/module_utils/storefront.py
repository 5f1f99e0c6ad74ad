# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""StoreFront Store Services client: the CitrixAuth token flow and resources v2 enumeration.

A request without a valid token gets ``401`` with a ``CitrixAuth`` challenge. The client then asks
the token service named by the challenge for a token; without a primary token that service challenges
in turn, pointing at its protocols endpoint, whose ``300`` answer lists the sign-in protocols. The
client holds the ExplicitForms conversation (its session cookie replayed by the HTTP session), gets a
primary token, exchanges it for a service token for the store's realm and repeats the request with
``Authorization: CitrixAuth <token>``. Every token and the password are registered with the redactor.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from urllib.parse import urlsplit

from ansible_collections.opencitrix.automation.plugins.module_utils import errors, safe_xml
from ansible_collections.opencitrix.automation.plugins.module_utils import storefront_auth as auth
from ansible_collections.opencitrix.automation.plugins.module_utils.argspec import (
    env_fallback, transport_argument_spec,
)
from ansible_collections.opencitrix.automation.plugins.module_utils.token_cache import (
    TokenCache, cache_key, secret_fingerprint,
)
from ansible_collections.opencitrix.automation.plugins.module_utils.transport import (
    HttpClient, Redactor, describe_body, transport_options, validate_url,
)

NS_RESOURCES = 'http://citrix.com/delivery-services/2-0/resources'
NS_SUBSCRIPTIONS = 'http://citrix.com/delivery-services/2-0/subscriptions'
MEDIA_RESOURCES = 'application/vnd.citrix.resources+xml'
MEDIA_RESOURCE = 'application/vnd.citrix.resource+xml'
FORM_MEDIA = 'application/x-www-form-urlencoded'
SCOPES = {'prelaunch': '$PRELAUNCH$', 'anonymous_prelaunch': '$ANONYMOUS_PRELAUNCH$'}
EXPLICIT_FORMS = 'ExplicitForms'
MAX_FORMS = 5
SESSION_COOKIE = 'ASP.NET_SessionId'
MIB = 1024 * 1024

CREDENTIAL_HINT = 'check username and password (STOREFRONT_USERNAME / STOREFRONT_PASSWORD)'
# (element, parent) pairs that repeat; only these become lists (a resource's own <image> does not).
_REPEATED = frozenset((('resource', 'resources'), ('clienttype', 'clienttypes'), ('keyword', 'keywords'),
                       ('property', 'properties'), ('value', 'property'), ('image', 'images')))

# Result key, element (after namespace mapping: resources -> bare, subscriptions -> "sub:"), kind.
# Missing elements the Store Services API tells clients to read as false or empty get that value.
RESOURCE_FIELDS = (
    ('id', 'id', 'text'), ('title', 'title', 'text'), ('description', 'summary', 'text'),
    ('type', 'resourcetype', 'text'), ('path', 'path', 'text'), ('enabled', 'enabled', 'bool'),
    ('details_url', 'link', 'url'), ('launch_url', 'launchica', 'url'), ('launch_rade_url', 'launchrade', 'url'),
    ('image_url', 'image', 'url'), ('icon_url', 'icon', 'url'), ('image_hash', 'imagehash', 'text'),
    ('power_off_url', 'machinepoweroff', 'url'), ('content_location', 'contentlocation', 'text'),
    ('client_types', 'clienttypes', 'list:clienttype'), ('keywords', 'keywords', 'list:keyword'),
    ('mandatory', 'mandatory', 'bool:false'), ('featured', 'featured', 'bool'),
    ('show_on_desktop', 'showondesktop', 'bool:false'), ('show_on_start_menu', 'showonstartmenu', 'bool:false'),
    ('start_menu_root', 'startmenuroot', 'text:'), ('start_menu_path', 'startmenupath', 'text:'),
    ('workflow_enabled', 'workflowenabled', 'bool'), ('aggregated', 'aggregatedresource', 'bool'),
    ('publisher_name', 'publishername', 'text'), ('publisher_resource_id', 'publisherresourceid', 'text'),
    ('subscription_status', 'sub:subscriptionstatus', 'text'), ('subscription_id', 'sub:subscriptionid', 'text'),
    ('subscription_url', 'sub:subscriptionactions', 'url'),
    ('subscription_response_reason', 'sub:subscriptionresponsereason', 'text'),
)


def storefront_argument_spec():
    """Connection options of every StoreFront module."""
    spec = dict(
        store_url=dict(type='str', required=True, fallback=(env_fallback, ['STOREFRONT_URL'])),
        username=dict(type='str', fallback=(env_fallback, ['STOREFRONT_USERNAME'])),
        password=dict(type='str', no_log=True, fallback=(env_fallback, ['STOREFRONT_PASSWORD'])),
        domain=dict(type='str', fallback=(env_fallback, ['STOREFRONT_DOMAIN'])),
        token=dict(type='str', no_log=True, fallback=(env_fallback, ['STOREFRONT_TOKEN'])),
        token_cache=dict(type='bool', default=True, fallback=(env_fallback, ['STOREFRONT_TOKEN_CACHE'])),
        max_response_size=dict(type='int', default=64),
    )
    spec.update(transport_argument_spec('STOREFRONT'))
    return spec


def folder_of(path):
    """``\\Apps\\Office\\`` (the farm's folder path) as ``Apps/Office``; the root folder is ``''``."""
    parts = [p for p in (path or '').replace('/', '\\').split('\\') if p.strip()]
    return '/'.join(p.strip() for p in parts)


def in_folder(resource, folder):
    """True when the resource sits in ``folder`` or below it (case-insensitive)."""
    wanted = folder_of(folder).lower()
    have = (resource.get('folder') or '').lower()
    return not wanted or have == wanted or have.startswith(wanted + '/')


def _value(node, kind):
    if kind.startswith('list:'):
        items = node.get(kind[5:]) if isinstance(node, dict) else None
        return [safe_xml.text(i) for i in items or () if safe_xml.text(i) is not None] if node is not None else []
    if kind == 'url':
        return safe_xml.text(node.get('url')) if isinstance(node, dict) else None
    if kind.startswith('text'):
        value = safe_xml.text(node)
        return value if value is not None else (kind[5:] if ':' in kind else None)
    value = (safe_xml.text(node) or '').strip().lower()
    if value in ('true', 'false'):
        return value == 'true'
    return False if kind == 'bool:false' else None


def resource_from_xml(node):
    """A plain dict for one ``<resource>`` element (as xmltodict returns it)."""
    node = node if isinstance(node, dict) else {}
    resource = dict((key, _value(node.get(element), kind)) for key, element, kind in RESOURCE_FIELDS)
    resource['folder'] = folder_of(resource['path'])
    properties = {}
    container = node.get('properties')
    for prop in (container.get('property') if isinstance(container, dict) else None) or ():
        if isinstance(prop, dict) and prop.get('@propertyId'):
            properties[prop['@propertyId']] = [safe_xml.text(v) for v in prop.get('value') or ()]
    resource['properties'] = properties
    return resource


def _is_list(path, key, _value):
    return (key, path[-1][0] if path else None) in _REPEATED


_RESOURCE_XML = dict(force_list=_is_list, namespaces={NS_RESOURCES: None, NS_SUBSCRIPTIONS: 'sub'})


def parse_resources(data, what='list StoreFront resources', url=None, max_bytes=safe_xml.DEFAULT_MAX_BYTES):
    """``{'enumeration', 'subscriptions_status', 'resources'}`` from a resources v2 document."""
    root = safe_xml.parse_root(data, 'resources', what, url=url, max_bytes=max_bytes, **_RESOURCE_XML)
    return {'enumeration': root.get('@enumeration') or 'full',
            'subscriptions_status': root.get('@sub:subscriptionsstatus'),
            'resources': [resource_from_xml(r) for r in root.get('resource') or ()]}


def parse_resource(data, what, url=None, max_bytes=safe_xml.DEFAULT_MAX_BYTES):
    """One resource from a single-resource document (the same elements as in an enumeration)."""
    return resource_from_xml(safe_xml.parse_root(data, 'resource', what, url=url, max_bytes=max_bytes, **_RESOURCE_XML))


def enumeration_problem(listing, allow_partial=True):
    """``('warning' | 'failure', message)`` for an enumeration that is not complete or whose
    subscription data is missing; None when all is well."""
    state = listing.get('enumeration')
    count = len(listing.get('resources') or ())
    if state == 'failed':
        return 'failure', ('StoreFront could not enumerate resources: enumeration="failed" (none of the '
                           'store\'s delivery controllers / XML services answered); check the controllers '
                           'configured for the store')
    if state == 'partial':
        message = ('StoreFront enumeration is partial: enumeration="partial" (some of the store\'s delivery '
                   'controllers / XML services did not answer), so the %d resources returned may be incomplete' % count)
        return ('warning' if allow_partial else 'failure'), message
    if listing.get('subscriptions_status') == 'unavailable':
        return 'warning', ('StoreFront subscriptions are enabled but their database is unavailable '
                           '(subscriptionsstatus="unavailable"); subscription_status may be missing')
    return None


def media_type(response):
    return (response.headers.get('Content-Type') or '').split(';', 1)[0].strip().lower()


class StoreFrontHttp(HttpClient):
    """The transport, reading StoreFront's error shapes: the ``X-Citrix-Error-Reason`` header, plain-text
    bodies and the reason of a CitrixAuth challenge."""

    def error_from_response(self, response, summary, method, url, hint=None):
        if 'json' in media_type(response):  # not StoreFront's own answer: a proxy or gateway in between
            return super(StoreFrontHttp, self).error_from_response(response, summary, method, url, hint)
        code = response.headers.get('X-Citrix-Error-Reason')
        challenge = auth.parse_challenge(response.headers.get('WWW-Authenticate'))
        if challenge is not None and challenge.reason:
            code = code or 'reason %s' % challenge.reason
        message = None
        if response.content and media_type(response).startswith('text/plain'):
            message = ' '.join(response.text[:400].split())
        elif response.content:
            message = describe_body(response)
        status = response.status_code
        return errors.error_class_for_status(status)(
            summary, status=status, code=self.redact(code) if code else None,
            api_message=self.redact(message) if message else None, method=method, url=url,
            hint=hint or self.hint_for.get(status))


class StoreFrontClient:
    """Signs in to a StoreFront store (or uses a token from elsewhere) and reads its resources."""

    def __init__(self, store_url, username=None, password=None, domain=None, token=None, token_cache=True,
                 max_response_size=64, redactor=None, cache=None, **transport):
        """``transport``: HttpClient keyword arguments (validate_certs, ca_path, timeouts, retry,
        allow_plain_http, stats, log)."""
        if bool(username) != bool(password):
            raise errors.InputError('StoreFront username and password go together',
                                    hint='set both (STOREFRONT_USERNAME / STOREFRONT_PASSWORD), or neither')
        if not max_response_size or max_response_size < 1:
            raise errors.InputError('max_response_size must be at least 1 (MiB)')
        self.redact = redactor or Redactor()
        for secret in (password, token):
            self.redact.add(secret)
        self.username, self._password, self.domain = username, password, domain
        self.allow_plain_http = bool(transport.get('allow_plain_http'))
        self.max_bytes = int(max_response_size) * MIB
        self.http = StoreFrontHttp(
            store_url, redactor=self.redact, service_name='StoreFront', max_response_bytes=self.max_bytes,
            hint_for={401: CREDENTIAL_HINT,
                      'redirect': 'check store_url (STOREFRONT_URL) or a proxy rewriting answers',
                      406: 'StoreFront does not serve this media type at this URL; check store_url',
                      'max_response_bytes': 'raise max_response_size (MiB) if the store is that large'},
            **transport)
        self.store_url = self.http.base_url
        self._service_token = token
        self._primary_token = token  # a token from elsewhere may be a primary token: offered to the token service too
        self.cache = None
        if token_cache and password and not token:
            self.cache = cache or TokenCache(use_file=True)
            self._cache_key = cache_key('storefront', self.store_url, username, secret_fingerprint(password))
            self._service_token = self.cache.get(self._cache_key)

    @classmethod
    def from_params(cls, params, redactor=None, log=None):
        """Build a client from module options (names as in ``storefront_argument_spec``)."""
        return cls(params.get('store_url'), username=params.get('username'), password=params.get('password'),
                   domain=params.get('domain'), token=params.get('token'),
                   token_cache=params.get('token_cache', True),
                   max_response_size=params.get('max_response_size', 64), redactor=redactor, log=log,
                   **transport_options(params))

    @property
    def stats(self):
        return self.http.stats

    # -- authenticated reads --------------------------------------------------------------------

    def get(self, url, accept, what, params=None):
        """GET with ``Accept: accept``, answering a CitrixAuth challenge once; returns the response."""
        response = self._get(url, accept, what, params)
        if response.status_code != 401:
            return response
        challenge = self._challenge(response, what)
        rejected = self._service_token
        self._service_token = self._new_service_token(challenge, url.split('?', 1)[0], rejected)
        response = self._get(url, accept, what, params)
        if response.status_code == 401:
            again = self._challenge(response, what)
            raise errors.AuthenticationError(
                'Could not ' + what, status=401, code='reason %s' % (again.reason or 'none'),
                api_message='StoreFront refused the token its own token service had just issued',
                method='GET', url=self.redact(url), hint='check the store and authentication service configuration')
        return response

    def _get(self, url, accept, what, params):
        headers = {'Accept': accept}
        if self._service_token:
            headers['Authorization'] = '%s %s' % (auth.SCHEME, self._service_token)
        return self.http.request('GET', url, params=params, headers=headers, expected=(200, 401), what=what)

    def _challenge(self, response, what):
        challenge = auth.parse_challenge(response.headers.get('WWW-Authenticate'))
        if challenge is None or not challenge.locations:
            raise errors.AuthenticationError(
                'Could not ' + what, status=401, method=response.request.method,
                url=self.redact(response.url.split('?', 1)[0]),
                api_message='the answer has no CitrixAuth challenge with a token service location '
                            '(WWW-Authenticate: %s)' % self.redact(response.headers.get('WWW-Authenticate') or 'absent'),
                hint='check that store_url is a Store Services URL such as https://host/Citrix/Store')
        return challenge

    def _new_service_token(self, challenge, for_url, rejected):
        if self.cache is None:
            return self._obtain_service_token(challenge, for_url)[0]
        self.cache.invalidate(self._cache_key, rejected)
        token = self.cache.get_or_fetch(self._cache_key, lambda: self._obtain_service_token(challenge, for_url))
        self.redact.add(token)
        return token

    # -- the token flow ---------------------------------------------------------------------------

    def _secure(self, url):
        """Only send credentials and tokens to an https URL (or http with the explicit opt-in)."""
        return validate_url(url, 'StoreFront authentication', self.allow_plain_http)

    def _request_token(self, location, realm, for_url, template, bearer):
        """POST a requesttoken; returns ``(token, lifetime)`` or the token service's own challenge."""
        what = 'get a StoreFront token for realm %s' % realm
        headers = {'Content-Type': auth.MEDIA_REQUEST_TOKEN,
                   'Accept': '%s, %s' % (auth.MEDIA_TOKEN_RESPONSE, auth.MEDIA_TOKEN_CHOICES)}
        if bearer:
            headers['Authorization'] = '%s %s' % (auth.SCHEME, bearer)
        response = self.http.request('POST', self._secure(location), data=auth.request_token_body(realm, for_url, template),
                                     headers=headers, expected=(200, 401), state_changing=False, what=what)
        if response.status_code == 401:
            return self._challenge(response, what)
        return self._token_from(response, what)

    def _token_from(self, response, what):
        token, lifetime = auth.parse_token_response(response.content, what, url=self.redact(response.url))
        self.redact.add(token)
        return token, lifetime

    def _obtain_service_token(self, challenge, for_url):
        """``(service token, lifetime seconds)`` for the realm of ``challenge``."""
        location = challenge.locations[0]

        def ask(bearer):
            return self._request_token(location, challenge.realm, for_url, challenge.reqtokentemplate, bearer)

        result = ask(self._primary_token)
        if isinstance(result, auth.Challenge):
            self._primary_token = self._sign_in(result, location)
            result = ask(self._primary_token)
        if isinstance(result, auth.Challenge):
            raise errors.AuthenticationError(
                'Could not get a StoreFront token for realm %s' % challenge.realm, status=401,
                code='reason %s' % (result.reason or 'none'), method='POST', url=self.redact(location),
                api_message='the token service refused the primary token it had just issued')
        return result[0], result[1] or 0

    def _sign_in(self, challenge, token_url):
        """A primary token from the protocols the token service offers (ExplicitForms)."""
        if not self._password:
            raise errors.AuthenticationError(
                'StoreFront asks for a sign-in', status=401, code='reason %s' % (challenge.reason or 'none'),
                api_message='no username and password were given, and no token was accepted',
                hint='set username and password (STOREFRONT_USERNAME / STOREFRONT_PASSWORD), or a valid token')
        what = 'list the StoreFront sign-in protocols'
        protocols_url = self._secure(challenge.locations[0])
        response = self.http.request(
            'POST', protocols_url, data=auth.request_token_body(challenge.realm, token_url, challenge.reqtokentemplate),
            headers={'Content-Type': auth.MEDIA_REQUEST_TOKEN,
                     'Accept': '%s, %s' % (auth.MEDIA_TOKEN_RESPONSE, auth.MEDIA_TOKEN_CHOICES)},
            expected=(300,), state_changing=False, what=what)
        choices = auth.parse_choices(response.content, what, url=protocols_url)
        location = next((loc for protocol, loc in choices if protocol.lower() == EXPLICIT_FORMS.lower()), None)
        if not location:
            raise errors.AuthenticationError(
                'Could not sign in to StoreFront as "%s"' % self.username, method='POST', url=protocols_url,
                api_message='the store offers %s but not ExplicitForms (user name and password)'
                            % (', '.join(p for p, _loc in choices) or 'no protocol'),
                hint='enable the "User name and password" method on the store, or pass a token obtained elsewhere')
        try:
            return self._explicit_forms(self._secure(location), challenge, token_url)
        finally:
            self._forget_session_cookie()

    def _explicit_forms(self, location, challenge, token_url):
        what = 'sign in to StoreFront as "%s"' % self.username
        accept = '%s, %s' % (auth.MEDIA_TOKEN_RESPONSE, auth.MEDIA_AUTH_RESPONSE)
        response = self.http.request(
            'POST', location, data=auth.request_token_body(challenge.realm, token_url, challenge.reqtokentemplate),
            headers={'Content-Type': auth.MEDIA_REQUEST_TOKEN, 'Accept': accept},
            state_changing=False, what=what)
        sent_password = False
        for _round in range(MAX_FORMS):
            if media_type(response) == auth.MEDIA_TOKEN_RESPONSE:
                return self._token_from(response, what)[0]
            form = auth.parse_form(response.content, what, url=response.url)
            if form.result != 'more-info' or form.status.lower() != 'success' or (
                    sent_password and form.asks_for('password')):
                raise self._form_error(form, what, response.url)
            sent_password = sent_password or form.asks_for('password')
            postback = self._postback_url(location, form.postback)
            response = self.http.request(
                'POST', postback, data=auth.answer_form(form, self.username, self._password, self.domain),
                headers={'Content-Type': FORM_MEDIA, 'Accept': accept}, state_changing=False, what=what)
        raise errors.AuthenticationError('Could not ' + what, url=self.redact(location),
                                         api_message='the logon conversation did not end after %d forms' % MAX_FORMS)

    def _postback_url(self, location, postback):
        if not postback:
            raise errors.ResponseFormatError('Could not sign in to StoreFront', url=self.redact(location),
                                             api_message='the logon form has no PostBack URL')
        if postback.startswith(('https://', 'http://')):
            return self._secure(postback)
        origin = urlsplit(location)
        return '%s://%s/%s' % (origin.scheme, origin.netloc, postback.lstrip('/'))

    def _form_error(self, form, what, url):
        result = form.result or 'no result'
        details = form.messages()
        hint = CREDENTIAL_HINT
        if form.result == 'update-credentials':
            hint = 'the password has expired and must be changed before automation can sign in'
        elif form.status.lower().startswith('error-'):
            hint = 'the logon conversation lost its state (%s); run again' % form.status
        elif form.result == 'more-info':
            result, details = 'fail', details or 'the credentials were asked for again'
        return errors.AuthenticationError('Could not ' + what, code=result, api_message=details or None,
                                          url=self.redact(url.split('?', 1)[0]), method='POST', hint=hint)

    def _forget_session_cookie(self):
        # The conversation is over (done or failed): its session must not leak into a later one.
        jar = self.http.session.cookies
        for cookie in [c for c in jar if c.name == SESSION_COOKIE]:
            jar.clear(cookie.domain, cookie.path, cookie.name)

    # -- Store Services ---------------------------------------------------------------------------

    def _expect(self, response, media, what):
        if media_type(response) != media:
            raise errors.ResponseFormatError(
                'Could not ' + what, status=response.status_code, method='GET',
                url=self.redact(response.url.split('?', 1)[0]),
                api_message='expected %s, got %s' % (media, describe_body(response)),
                hint='check that store_url is a Store Services URL such as https://host/Citrix/Store')

    @staticmethod
    def query(groups=None, subscription_status=None, scope=None):
        """Query parameters of an enumeration; a scope may be given as the API value or its short name."""
        params = [('group', g) for g in groups or ()]
        params += [('subscriptionStatus', s) for s in subscription_status or ()]
        if scope:
            params.append(('scope', SCOPES.get(scope.strip().lower(), scope)))
        return params

    def list_resources(self, auto_provision=False, groups=None, subscription_status=None, scope=None):
        """Enumerate the store. ``auto_provision`` uses ListResourcesWithAutoProvision, which may subscribe
        the user to auto-provisioned applications; the default ListResources changes nothing."""
        what = 'list StoreFront resources'
        url = self.store_url + ('/resources/v2' if auto_provision else '/resources/v2/withoutautoprovision')
        response = self.get(url, MEDIA_RESOURCES, what, params=self.query(groups, subscription_status, scope))
        self._expect(response, MEDIA_RESOURCES, what)
        return parse_resources(response.content, what, url=url, max_bytes=self.max_bytes)

    def get_resource(self, resource_id, auto_provision=False, groups=None, scope=None):
        """One resource, read from the details URL that the enumeration gives for it."""
        listing = self.list_resources(auto_provision, groups=['status'], scope=scope)
        match = [r for r in listing['resources'] if r['id'] == resource_id]
        if not match:
            raise errors.NotFoundError(
                'No StoreFront resource with id "%s"' % resource_id, url=self.redact(self.store_url),
                api_message='the enumeration (%s) lists %d resources' % (listing['enumeration'], len(listing['resources'])),
                hint='ids are case-sensitive and start with the farm or controller name, for example Controller.Notepad')
        if not match[0]['details_url']:
            raise errors.ResponseFormatError('Could not read StoreFront resource "%s"' % resource_id,
                                             api_message='the enumeration gives no details URL (<link>) for it')
        what = 'read StoreFront resource "%s"' % resource_id
        url = match[0]['details_url']
        response = self.get(self._secure(url), MEDIA_RESOURCE, what, params=self.query(groups, None, scope))
        self._expect(response, MEDIA_RESOURCE, what)
        listing['resources'] = [parse_resource(response.content, what, url=url, max_bytes=self.max_bytes)]
        return listing
