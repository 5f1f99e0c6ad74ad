# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The pieces of the StoreFront CitrixAuth protocol that are pure data: the ``WWW-Authenticate``
challenge, the request-token and token-response documents, the protocol choices and the ExplicitForms
(Common Forms) documents. No I/O here; :mod:`client` drives the conversation.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.opencitrix.automation.plugins.module_utils import errors
from ansible_collections.opencitrix.automation.plugins.module_utils.storefront import safe_xml

SCHEME = 'CitrixAuth'  # case-sensitive, as the protocol defines it

NS_REQUEST_TOKEN = 'http://citrix.com/delivery-services/1-0/auth/requesttoken'
NS_TOKEN_RESPONSE = 'http://citrix.com/delivery-services/1-0/auth/requesttokenresponse'
NS_TOKEN_CHOICES = 'http://citrix.com/delivery-services/1-0/auth/requesttokenchoices'
NS_AUTH_RESPONSE = 'http://citrix.com/authentication/response/1'

MEDIA_REQUEST_TOKEN = 'application/vnd.citrix.requesttoken+xml'
MEDIA_TOKEN_RESPONSE = 'application/vnd.citrix.requesttokenresponse+xml'
MEDIA_TOKEN_CHOICES = 'application/vnd.citrix.requesttokenchoices+xml'
MEDIA_AUTH_RESPONSE = 'application/vnd.citrix.authenticateresponse-1+xml'

_NAME = re.compile(r"[A-Za-z0-9!#$%&'*+.^_`|~-]+")
_SPACE = ' \t\r\n'
_QUOTES = '"\u201c\u201d'  # typographic quotes appear in some published examples
_TIMESPAN = re.compile(r'^\s*(?:(\d+)\.)?(\d+):(\d+):(\d+)(?:\.\d+)?\s*$')


class Challenge:
    """A parsed ``CitrixAuth`` challenge. ``locations``: token-service URLs in order of preference."""

    def __init__(self, params):
        self.params = params
        self.realm = params.get('realm') or ''
        self.reqtokentemplate = params.get('reqtokentemplate') or ''
        self.reason = params.get('reason') or ''
        self.locations = [u.strip() for u in (params.get('locations') or '').split('|') if u.strip()]
        self.serviceroot_hint = params.get('serviceroot-hint') or ''

    def __repr__(self):
        return 'Challenge(%r)' % (self.params,)


def _read_value(header, pos):
    """The value starting at ``pos`` (after ``=``): quoted (with backslash escapes) or bare; returns
    ``(value, next_pos)``. Bare values end at whitespace or a comma, so a missing comma between
    parameters does no harm."""
    end = len(header)
    probe = pos
    while probe < end and header[probe] in _SPACE:
        probe += 1
    if probe < end and header[probe] in _QUOTES:
        pos = probe + 1
        out = []
        while pos < end and header[pos] not in _QUOTES:
            if header[pos] == '\\' and pos + 1 < end:
                pos += 1
            out.append(header[pos])
            pos += 1
        return ''.join(out), pos + 1
    start = pos  # "name= next=x" leaves name empty: a bare value ends at the first space
    while pos < end and header[pos] not in _SPACE and header[pos] != ',':
        pos += 1
    return header[start:pos], pos


def _scan(header):
    """Split a WWW-Authenticate value into ``(scheme, {param: value})`` pairs, tolerating unquoted
    values, missing or doubled commas and stray characters."""
    challenges = []
    pos, end = 0, len(header)
    while pos < end:
        if header[pos] in _SPACE or header[pos] == ',':
            pos += 1
            continue
        match = _NAME.match(header, pos)
        if not match:
            pos += 1
            continue
        name, pos = match.group(0), match.end()
        probe = pos
        while probe < end and header[probe] in _SPACE:
            probe += 1
        if probe < end and header[probe] == '=' and challenges:
            value, pos = _read_value(header, probe + 1)
            challenges[-1][1].setdefault(name.lower(), value)
        elif probe < end and header[probe] == '=':
            pos = probe + 1  # a parameter before any scheme: ignore it
        else:
            challenges.append((name, {}))
    return challenges


def parse_challenge(header):
    """The ``CitrixAuth`` challenge in a ``WWW-Authenticate`` value (several challenges, or several
    headers joined with commas, are fine), or None when there is none."""
    if not isinstance(header, str):
        return None
    for scheme, params in _scan(header):
        if scheme == SCHEME:
            return Challenge(params)
    return None


def request_token_body(realm, for_service_url, template='', lifetime=None):
    """A ``requesttoken`` document (UTF-8 bytes): the realm we want a token for and the URL we first
    asked for."""
    body = {'@xmlns': NS_REQUEST_TOKEN, 'for-service': realm, 'for-service-url': for_service_url,
            'reqtokentemplate': template or None}
    if lifetime:
        body['requested-lifetime'] = lifetime
    return safe_xml.unparse({'requesttoken': body}).encode('utf-8')


def timespan_seconds(value):
    """Seconds in a .NET TimeSpan ``d.hh:mm:ss[.ff]``; None when unreadable."""
    match = _TIMESPAN.match(value or '')
    if not match:
        return None
    days, hours, minutes, seconds = (int(g or 0) for g in match.groups())
    return days * 86400 + hours * 3600 + minutes * 60 + seconds


def parse_token_response(data, what, url=None):
    """``(token, lifetime_seconds)`` from a ``requesttokenresponse``; unknown elements are ignored."""
    root = safe_xml.parse_root(data, 'requesttokenresponse', what, url=url,
                               namespaces={NS_TOKEN_RESPONSE: None, NS_AUTH_RESPONSE: 'auth'})
    token = safe_xml.text(root.get('token'))
    if not token or not token.strip():
        raise errors.ResponseFormatError('Could not ' + what, url=url,
                                         api_message='the token response has no <token> element')
    return token.strip(), timespan_seconds(safe_xml.text(root.get('lifetime')))


def parse_choices(data, what, url=None):
    """``[(protocol, location), ...]`` from a ``requesttokenchoices`` document, in server order."""
    root = safe_xml.parse_root(data, 'requesttokenchoices', what, url=url, namespaces={NS_TOKEN_CHOICES: None},
                               force_list=('choice',))
    choices = root.get('choices')
    items = choices.get('choice') if isinstance(choices, dict) else None
    out = []
    for choice in items or ():
        if isinstance(choice, dict):
            protocol = (safe_xml.text(choice.get('protocol')) or '').strip()
            location = (safe_xml.text(choice.get('location')) or '').strip()
            if protocol and location:
                out.append((protocol, location))
    return out


class Requirement:
    """One ``Requirement`` of a Common Forms form: what it asks for and how."""

    def __init__(self, node):
        credential = node.get('Credential') if isinstance(node.get('Credential'), dict) else {}
        label = node.get('Label') if isinstance(node.get('Label'), dict) else {}
        control = node.get('Input') if isinstance(node.get('Input'), dict) else {}
        self.id = (safe_xml.text(credential.get('ID')) or '').strip()
        self.type = (safe_xml.text(credential.get('Type')) or 'none').strip().lower()
        self.label = (safe_xml.text(label.get('Text')) or '').strip()
        self.label_type = (safe_xml.text(label.get('Type')) or '').strip().lower()
        self.control = next((k for k in control if not k.startswith('@') and k != 'AssistiveText'), None)
        detail = control.get(self.control) if self.control else None
        self.detail = detail if isinstance(detail, dict) else {}
        self.button_text = safe_xml.text(detail) if self.control == 'Button' else None
        self.read_only = (safe_xml.text(self.detail.get('ReadOnly')) or '').strip().lower() == 'true'

    def initial(self):
        for key in ('InitialValue', 'InitialSelection'):
            value = safe_xml.text(self.detail.get(key))
            if value is not None:
                return value
        return None


class Form:
    """An ``AuthenticateResponse``: the status, the result and, for ``more-info``, the requirements."""

    def __init__(self, root):
        self.status = (safe_xml.text(root.get('Status')) or '').strip()
        self.result = (safe_xml.text(root.get('Result')) or '').strip()
        self.state_context = safe_xml.text(root.get('StateContext')) or ''
        self.log_message = (safe_xml.text(root.get('LogMessage')) or '').strip()
        needs = root.get('AuthenticationRequirements')
        needs = needs if isinstance(needs, dict) else {}
        self.postback = (safe_xml.text(needs.get('PostBack')) or '').strip()
        listed = needs.get('Requirements')
        listed = listed.get('Requirement') if isinstance(listed, dict) else None
        self.requirements = [Requirement(n) for n in listed or () if isinstance(n, dict)]

    def messages(self):
        """The error and warning texts the form shows, then its log message, as one line."""
        texts = [r.label for r in self.requirements if r.label and r.label_type in ('error', 'warning')]
        if self.log_message:
            texts.append(self.log_message)
        return ' '.join(' '.join(texts).split())

    def asks_for(self, credential_type):
        return any(r.type == credential_type and r.control for r in self.requirements)


def parse_form(data, what, url=None):
    root = safe_xml.parse_root(data, 'AuthenticateResponse', what, url=url, namespaces={NS_AUTH_RESPONSE: None},
                               force_list=('Requirement',))
    return Form(root)


def answer_form(form, username, password, domain=None):
    """The ``application/x-www-form-urlencoded`` pairs that fill ``form`` with the given credentials and
    press its first button. Raises AuthenticationError for anything that needs a person (a passcode,
    a new password, a choice without a default)."""
    if domain is None and username and '\\' in username:
        domain = username.split('\\', 1)[0]
    values = {'username': username, 'password': password, 'domain': domain}
    pairs = [('StateContext', form.state_context)]
    pressed = False
    for req in form.requirements:
        if not req.id or not req.control or req.read_only:
            continue
        if req.control == 'Button':
            if not pressed:
                pairs.append((req.id, req.button_text or ''))
                pressed = True
        elif req.type == 'savecredentials':
            pairs.append((req.id, 'false'))
        elif req.type in values and values[req.type] is not None:
            pairs.append((req.id, values[req.type]))
        elif req.control == 'CheckBox':
            pairs.append((req.id, (req.initial() or 'false').strip().lower()))
        elif req.control in ('ComboBox', 'RadioButton') and req.initial():
            pairs.append((req.id, req.initial()))
        else:
            raise errors.AuthenticationError(
                'Could not sign in to StoreFront',
                api_message='the logon form asks for "%s" (%s), which cannot be answered without a person'
                            % (req.label or req.id, req.type),
                hint='use an account without this step, or pass a token obtained elsewhere in token')
    return pairs
