# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Reading answers: the API's own error (code and message) from any JSON error shape the Citrix APIs
use, a safe description of a body that could not be used, and shape checks on decoded JSON."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import re

from ansible_collections.opencitrix.automation.plugins.module_utils import errors


def extract_api_error(body):
    """(code, message) from any JSON error body shape the Citrix APIs are known to use; (None, None)
    when there is none. Shapes: OAuth ``error``/``error_description``; Cloud ``Error.Type/Message``;
    problem details ``type``/``detail``; DaaS ``ErrorData`` (``SdkErrorId``/``ErrorMessage``);
    ``activityId``/``message``; XenMobile ``status``/``message``. Both are text (or None), whatever
    JSON the body put in those fields, so they can be redacted and printed."""
    code, message = _api_error_fields(body)
    return _as_text(code), _as_text(message)


def _as_text(value):
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, (dict, list)):
        return dumps(value)
    return str(value)


def _api_error_fields(body):
    if not isinstance(body, dict):
        return None, None
    if 'error' in body and isinstance(body.get('error'), str):
        return body.get('error'), body.get('error_description')
    nested = body.get('Error')
    if isinstance(nested, dict):
        return nested.get('Type'), nested.get('Message')
    if 'ErrorMessage' in body or 'SdkErrorId' in body:
        code = body.get('ErrorType') or body.get('SdkErrorId')
        message = body.get('ErrorMessage')
        if body.get('ErrorDetails'):
            message = '%s (%s)' % (message, body['ErrorDetails']) if message else body['ErrorDetails']
        return code, message
    if 'type' in body and ('detail' in body or 'title' in body):
        code = str(body.get('type') or '')
        code = code.rstrip('/').rsplit('/', 2)
        code = '/'.join(code[-2:]) if len(code) > 1 else code[0]
        return code or None, body.get('detail') or body.get('title')
    if 'Type' in body and 'Detail' in body:
        return body.get('Type'), body.get('Detail')
    if 'activityId' in body:
        return 'activityId %s' % body.get('activityId'), body.get('message')
    if 'status' in body and 'message' in body:
        return ('status %s' % body['status']) if body['status'] not in (0, '0') else None, body.get('message')
    if 'message' in body and isinstance(body['message'], str):
        return None, body['message']
    return None, None


def json_body(response):
    """The decoded JSON body of a ``requests`` response, or None when it is empty or not JSON."""
    if not response.content or not response.content.strip():
        return None
    try:
        return response.json()
    except ValueError:
        return None


_HTML_TITLE = re.compile(r'<title[^>]*>(.*?)</title>', re.IGNORECASE | re.DOTALL)


def describe_body(response):
    """A short, safe description of a body we could not use: its content type and, for HTML error
    pages, their title."""
    content_type = response.headers.get('Content-Type', 'no content type')
    text = response.text[:4096] if response.content else ''
    title = _HTML_TITLE.search(text)
    if title:
        return '%s page "%s"' % (content_type.split(';')[0], ' '.join(title.group(1).split())[:120])
    return '%s, %d bytes' % (content_type.split(';')[0], len(response.content or b''))


def require_keys(body, keys, what, response_url=None):
    """Raise ResponseFormatError unless ``body`` is a dict holding ``keys``."""
    if not isinstance(body, dict):
        raise errors.ResponseFormatError('Could not %s' % what, url=response_url,
                                         api_message='expected a JSON object, got %s' % type(body).__name__)
    missing = [k for k in keys if k not in body]
    if missing:
        raise errors.ResponseFormatError('Could not %s' % what, url=response_url,
                                         api_message='response lacks %s' % ', '.join(missing))
    return body


def require_list(body, key, what):
    """``body[key]`` when ``body`` is a dict whose ``key`` holds a list, else ResponseFormatError."""
    value = require_keys(body, (key,), what)[key]
    if not isinstance(value, list):
        raise errors.ResponseFormatError('Could not ' + what, api_message='%s is not a list' % key)
    return value


def dumps(value):
    """Stable JSON text for hashing and cache keys."""
    return json.dumps(value, sort_keys=True, separators=(',', ':'))
