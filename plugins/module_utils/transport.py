# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The collection's one HTTP transport.

Owns every cross-cutting concern once: connect/read timeouts, TLS verification (``validate_certs``,
``ca_path``), proxies from the standard environment variables (requests' own behaviour), retries
with jittered exponential backoff, request accounting, API error extraction and redaction of
secrets from every message this module produces.

Retry rules:
- reads (and calls a client marks as not changing state, such as a token POST or a search POST)
  are retried on connection errors, read timeouts, 429 and 502/503/504;
- calls that change state are retried only when the server provably did not process them:
  the connection was refused or never established, 429, or 503 with ``Retry-After``.

Redirect rules (requests itself never follows one; this transport does, hop by hop):
- a redirect (301, 302, 303, 307, 308) is followed only to the same origin (scheme, host and port)
  as the request it answers, at most ``MAX_REDIRECTS`` times. Every API call carries credentials or
  a token, or is a sign-in, and its answer is taken as the configured API's own, so one rule holds
  for all of them: a redirect to another host, another port or another scheme (https to http
  included) fails in one line naming both origins, and nothing is sent to the redirect's target;
- 303 turns the request into a GET without a body (HEAD stays HEAD); 301, 302, 307 and 308 repeat
  the same method with the same body (RFC 9110 lets user agents change a POST answered with 301 or
  302 into a GET; an API client that did so would silently drop a write, so it does not);
- each hop counts as one request in :class:`RequestStats`.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import email.utils
import json
import os
import random
import re
import threading
import time
import traceback

from urllib.parse import quote_plus, urljoin, urlsplit

REQUESTS_IMPORT_ERROR = None
try:
    import requests
    import requests.adapters
    import requests.utils
    import urllib3
except ImportError:  # pragma: no cover - exercised by the sanity import test
    requests = None
    urllib3 = None
    REQUESTS_IMPORT_ERROR = traceback.format_exc()

from ansible_collections.opencitrix.automation.plugins.module_utils import errors

COLLECTION_VERSION = '0.1.0'
USER_AGENT = 'opencitrix.automation/%s' % COLLECTION_VERSION

HAS_REQUESTS = requests is not None

READ_METHODS = frozenset(('GET', 'HEAD', 'OPTIONS'))
RETRYABLE_STATUS = frozenset((429, 502, 503, 504))
REDIRECT_STATUS = frozenset((301, 302, 303, 307, 308))
MAX_REDIRECTS = 5
MASK = '********'
# What makes a request carry credentials, beyond a registered secret in a header or the body.
CREDENTIAL_HEADERS = frozenset(('authorization', 'proxy-authorization', 'cookie', 'auth_token'))
_CREDENTIAL_FIELD = re.compile(br'passw|secret|token|bearer', re.IGNORECASE)
REDIRECT_HINT = 'check the URL (api_url / url / store_url / ddc_url) or a proxy rewriting answers'


class Redactor:
    """Removes secrets from text: registered values (and their URL-encoded forms) and known
    credential patterns such as ``CwsAuth Bearer=...`` or ``auth_token: ...``."""

    PATTERNS = (
        re.compile(r'(CwsAuth\s+Bearer=)[^\s,;"\']+', re.IGNORECASE),
        re.compile(r'(CitrixAuth\s+)[A-Za-z0-9+/=_-]{8,}'),
        re.compile(r'(Basic\s+)[A-Za-z0-9+/=]{8,}'),
        re.compile(r'((?:auth_token|access_token|client_secret|password|bearerToken|Token)["\']?\s*[:=]\s*["\']?)'
                   r'[^"\'\s,&}]+', re.IGNORECASE),
    )
    MIN_SECRET_LENGTH = 4

    def __init__(self, secrets=None):
        self._secrets = set()
        self._lock = threading.Lock()
        for secret in secrets or ():
            self.add(secret)

    def add(self, secret):
        """Register a secret value; short or empty values are ignored (they would mask ordinary words)."""
        if not isinstance(secret, str) or len(secret) < self.MIN_SECRET_LENGTH:
            return
        with self._lock:
            self._secrets.add(secret)
            self._secrets.add(quote_plus(secret))

    @property
    def secrets(self):
        with self._lock:
            return frozenset(self._secrets)

    def __call__(self, text):
        if not isinstance(text, str) or not text:
            return text
        # Longest first, so a secret that contains another is masked whole.
        for secret in sorted(self.secrets, key=len, reverse=True):
            text = text.replace(secret, MASK)
        for pattern in self.PATTERNS:
            text = pattern.sub(lambda m: m.group(1) + MASK, text)
        return text


class RetryPolicy:
    """How often and how long to retry. ``sleep``, ``now`` and ``rand`` are injectable so tests
    can check the chosen delays without waiting."""

    def __init__(self, retries=5, backoff_base=1.0, backoff_max=30.0, retry_after_max=120.0,
                 sleep=None, now=None, rand=None):
        self.retries = max(0, int(retries))
        self.backoff_base = float(backoff_base)
        self.backoff_max = float(backoff_max)
        self.retry_after_max = float(retry_after_max)
        self.sleep = sleep or time.sleep
        self.now = now or time.time
        self.rand = rand or random.random

    def backoff(self, attempt):
        """Jittered exponential delay for retry number ``attempt`` (0-based): half to full of the step."""
        step = min(self.backoff_max, self.backoff_base * (2 ** attempt))
        return step * (0.5 + self.rand() / 2.0)

    def retry_after(self, value):
        """Seconds asked for by a ``Retry-After`` header (seconds or HTTP-date), capped; None if absent
        or unreadable."""
        if value is None:
            return None
        value = str(value).strip()
        if not value:
            return None
        try:
            seconds = float(value)
        except ValueError:
            try:
                when = email.utils.parsedate_to_datetime(value)
            except (TypeError, ValueError, IndexError):
                return None
            if when is None:
                return None
            seconds = when.timestamp() - self.now()
        return min(max(0.0, seconds), self.retry_after_max)


class RequestStats:
    """Counts requests by (method, path); thread-safe. Tests and benchmarks read it."""

    def __init__(self):
        self._lock = threading.Lock()
        self._counts = {}

    def record(self, method, path):
        key = (method, path)
        with self._lock:
            self._counts[key] = self._counts.get(key, 0) + 1

    def counts(self):
        with self._lock:
            return dict(self._counts)

    def total(self, method=None, path_contains=None):
        total = 0
        for (m, p), n in self.counts().items():
            if method and m != method:
                continue
            if path_contains and path_contains not in p:
                continue
            total += n
        return total


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


def validate_url(url, service_name, allow_plain_http=False):
    """Return ``url`` without a trailing slash, or raise InputError when it is not an absolute
    http(s) URL, or is plain HTTP without the explicit opt-in."""
    url = (url or '').strip().rstrip('/')
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ('https', 'http') or not parts.netloc:
        raise errors.InputError('Invalid %s URL "%s"' % (service_name, url),
                                hint='expected https://host[:port][/path]')
    if scheme == 'http' and not allow_plain_http:
        raise errors.InputError(
            'Refusing to send credentials to %s over plain HTTP (%s)' % (service_name, url),
            hint='use an https:// URL, or set allow_plain_http: true for a lab without TLS')
    return url


def origin(url):
    """``(scheme, host, port)`` of an absolute http(s) URL, the port made explicit; None when ``url``
    is not one (or its port is unreadable)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    host = (parts.hostname or '').lower()
    if scheme not in ('http', 'https') or not host:
        return None
    return scheme, host, port or (443 if scheme == 'https' else 80)


def show_origin(value):
    """``https://host:443`` for an origin tuple: no user information, path or query, so it is safe to print."""
    scheme, host, port = value
    return '%s://%s:%d' % (scheme, '[%s]' % host if ':' in host else host, port)


def safe_url(url):
    """``url`` without user information, query and fragment (before redaction of what is left)."""
    parts = urlsplit(url)
    netloc = parts.netloc.rsplit('@', 1)[-1]
    return '%s://%s%s' % (parts.scheme, netloc, parts.path) if parts.scheme else url.split('?', 1)[0]


def _no_redirect_target(_response):
    return None


def _root_cause(exc):
    """Walk requests/urllib3 exception wrappers to the innermost reason."""
    seen = 0
    while seen < 8:
        seen += 1
        inner = getattr(exc, 'reason', None)
        if not isinstance(inner, BaseException):
            # e.g. ProtocolError('Connection aborted.', ConnectionResetError(...)): the cause is not first
            inner = next((arg for arg in getattr(exc, 'args', ()) if isinstance(arg, BaseException)), None)
        if inner is None or inner is exc:
            return exc
        exc = inner
    return exc


def _never_sent(exc):
    """True when the request provably never reached the server (refused / not connected)."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return True
    root = _root_cause(exc)
    if isinstance(root, ConnectionRefusedError):
        return True
    return type(root).__name__ in ('NewConnectionError', 'ConnectTimeoutError', 'NameResolutionError')


class HttpClient:
    """A configured requests session plus the collection's retry, error and accounting rules.

    Product clients build one of these and call :meth:`request` / :meth:`call`. ``hint_for`` maps an
    HTTP status to advice appended to error messages (e.g. what credential to check); its key
    ``'max_response_bytes'`` gives the advice for an oversized response.

    ``max_response_bytes``: when set, bodies are streamed and a response larger than this (after
    content decoding, so a compressed bomb counts at its real size) is refused with a
    ResponseFormatError before more of it is read into memory.
    """

    def __init__(self, base_url, validate_certs=True, ca_path=None, connect_timeout=10, read_timeout=60,
                 retry=None, redactor=None, stats=None, allow_plain_http=False, headers=None,
                 pool_size=32, service_name='API', hint_for=None, log=None, max_response_bytes=None):
        if not HAS_REQUESTS:
            raise errors.InputError('The Python library "requests" is required (pip install requests)')
        self.base_url = validate_url(base_url, service_name, allow_plain_http)
        self.service_name = service_name
        self.verify = ca_path if (ca_path and validate_certs) else bool(validate_certs)
        self.timeout = (float(connect_timeout), float(read_timeout))
        self.retry = retry or RetryPolicy()
        self.redact = redactor or Redactor()
        self.stats = stats or RequestStats()
        self.hint_for = hint_for or {}
        self.log = log
        self.max_response_bytes = max_response_bytes
        self.allow_plain_http = bool(allow_plain_http)
        self.session = requests.Session()
        # requests would follow redirects itself (with the body, and with headers such as auth_token, to
        # any host), and even with allow_redirects=False it reads a redirect's whole body to prepare the
        # next request. It sees no redirect target at all; request() decides what to follow.
        self.session.get_redirect_target = _no_redirect_target
        # requests would read the environment (proxies, NO_PROXY, CA bundle, ~/.netrc) again on every request,
        # a quarter of the CPU time of a small call; it is read once per host instead (see _proxies_for), which
        # also keeps ~/.netrc credentials from replacing an API's own Authorization header.
        self.session.trust_env = False
        if self.verify is True:
            self.verify = os.environ.get('REQUESTS_CA_BUNDLE') or os.environ.get('CURL_CA_BUNDLE') or True
        self._proxies = {}
        adapter = requests.adapters.HTTPAdapter(pool_connections=4, pool_maxsize=pool_size, max_retries=0)
        self.session.mount('https://', adapter)
        self.session.mount('http://', adapter)
        self.session.headers.update({'User-Agent': USER_AGENT, 'Accept': 'application/json'})
        if headers:
            self.session.headers.update(headers)
        if not validate_certs and urllib3 is not None:
            urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)

    def url(self, path):
        if path.startswith('https://') or path.startswith('http://'):
            return path
        return self.base_url + '/' + path.lstrip('/')

    def close(self):
        self.session.close()

    def _proxies_for(self, url):
        """The proxies from the environment for ``url``'s scheme and host, chosen as requests chooses them
        (``NO_PROXY`` honoured), looked up once per host."""
        parts = urlsplit(url)
        key = (parts.scheme, parts.netloc)
        proxies = self._proxies.get(key)
        if proxies is None:
            proxies = self._proxies[key] = requests.utils.get_environ_proxies(url)
        return proxies

    def _debug(self, message):
        if self.log:
            self.log(self.redact(message))

    def request(self, method, path, params=None, json_body=None, data=None, headers=None,
                state_changing=None, expected=None, what=None, hint=None, timeout=None):
        """Send one logical request (retried per the rules above, redirects followed within the same
        origin); return the ``requests.Response``.

        ``expected``: statuses that count as success (default: any 2xx); a redirect status listed there
        is returned, not followed. ``what`` names the operation in error messages ("list service
        states"). ``state_changing`` defaults to True for methods other than GET/HEAD/OPTIONS.
        """
        method = method.upper()
        if state_changing is None:
            state_changing = method not in READ_METHODS
        url = self.url(path)
        self._refuse_plain_http(url)
        summary = 'Could not %s' % what if what else '%s request failed' % self.service_name
        attempt = hops = 0
        while True:
            display_url = self.redact(safe_url(url))
            self.stats.record(method, urlsplit(url).path)
            try:
                response = self.session.request(
                    method, url, params=params, json=json_body, data=data, headers=headers,
                    verify=self.verify, timeout=timeout or self.timeout, allow_redirects=False,
                    stream=self.max_response_bytes is not None, proxies=self._proxies_for(url))
                if self.max_response_bytes is not None and not self._redirect_target(response, expected):
                    self._read_bounded(response, summary, method, display_url)
            except requests.exceptions.SSLError as exc:
                raise errors.TransportError(
                    summary, method=method, url=display_url,
                    api_message='TLS verification failed (%s)' % self.redact(str(_root_cause(exc)))[:200],
                    hint='check ca_path, or the server certificate; validate_certs: false only for a lab')
            except (requests.exceptions.ConnectionError, requests.exceptions.Timeout,
                    requests.exceptions.ChunkedEncodingError) as exc:  # the last: body cut short
                retryable = (not state_changing) or _never_sent(exc)
                if retryable and attempt < self.retry.retries:
                    delay = self.retry.backoff(attempt)
                    attempt += 1
                    self._debug('%s %s: %s; retry %d/%d in %.2fs' % (
                        method, display_url, type(exc).__name__, attempt, self.retry.retries, delay))
                    self.retry.sleep(delay)
                    continue
                raise self._transport_error(exc, summary, method, display_url, state_changing and not retryable)
            except requests.exceptions.RequestException as exc:
                raise errors.TransportError(summary, method=method, url=display_url,
                                            api_message=self.redact(str(exc))[:300])

            status = response.status_code
            ok = (status in expected) if expected else (200 <= status < 300)
            if ok:
                return response
            target = self._redirect_target(response, expected)
            if target:
                response.close()
                self._check_redirect(response, url, target, hops, method, display_url)
                hops += 1
                self._debug('%s %s: HTTP %s, following the redirect to %s' % (
                    method, display_url, status, self.redact(safe_url(target))))
                if status == 303 and method != 'HEAD':
                    method, json_body, data, state_changing = 'GET', None, None, False
                    headers = dict((k, v) for k, v in (headers or {}).items() if k.lower() != 'content-type')
                url, params = target, None  # the Location carries its own query
                continue
            delay = self._retry_delay(response, attempt, state_changing)
            if delay is not None:
                attempt += 1
                self._debug('%s %s: HTTP %s; retry %d/%d in %.2fs' % (
                    method, display_url, status, attempt, self.retry.retries, delay))
                response.close()
                self.retry.sleep(delay)
                continue
            raise self.error_from_response(response, summary, method, display_url, hint)

    def _refuse_plain_http(self, url):
        if urlsplit(url).scheme.lower() == 'http' and not self.allow_plain_http:
            raise errors.InputError(
                'Refusing to send credentials to %s over plain HTTP (%s)' % (self.service_name, self.redact(safe_url(url))),
                hint='use an https:// URL, or set allow_plain_http: true for a lab without TLS')

    def _redirect_target(self, response, expected=None):
        """The absolute URL a redirect answer points at (None for any other answer, or a redirect
        status the caller expects)."""
        if response.status_code not in REDIRECT_STATUS or (expected and response.status_code in expected):
            return None
        # requests' own reading of Location (it decodes a UTF-8 value sent as Latin-1); the session's
        # override only stops requests from acting on it.
        location = requests.Session.get_redirect_target(self.session, response)
        if not location:
            return None
        return urljoin(response.url, location).split('#', 1)[0]

    def _check_redirect(self, response, url, target, hops, method, display_url):
        """Raise RedirectRefusedError unless ``target`` may be requested: same origin, hop limit."""
        here, there = origin(url), origin(target)
        status = response.status_code
        if here is not None and there == here and hops < MAX_REDIRECTS:
            return
        hint = self.hint_for.get('redirect', REDIRECT_HINT)
        if here is not None and there == here:
            raise errors.RedirectRefusedError(
                'Refusing to follow more than %d redirects' % MAX_REDIRECTS, status=status, method=method,
                url=display_url, api_message='the server keeps redirecting within %s' % show_origin(here), hint=hint)
        where = show_origin(there) if there else 'a location that is not an http(s) URL'
        if self._carries_credentials(response.request):
            reason = 'the request carries credentials'
        else:
            reason = 'API answers are only taken from the host the request went to'
        raise errors.RedirectRefusedError(
            'Refusing to follow a redirect from %s to %s' % (show_origin(here) if here else display_url, where),
            status=status, method=method, url=display_url, api_message=reason, hint=hint)

    def _carries_credentials(self, prepared):
        """True when the request as sent holds a credential: an Authorization, Cookie or auth_token header,
        a registered secret in a header or in the body, or a body field named like a password or token.
        (It only words the refusal: redirects to another origin are refused either way.)"""
        if prepared is None:
            return True
        if any(name.lower() in CREDENTIAL_HEADERS for name in prepared.headers):
            return True
        body = prepared.body or b''
        if isinstance(body, str):
            body = body.encode('utf-8', 'replace')
        if not isinstance(body, bytes) or _CREDENTIAL_FIELD.search(body):
            return True
        values = ' '.join(str(v) for v in prepared.headers.values())
        return any(secret in values or secret.encode('utf-8') in body for secret in self.redact.secrets)

    def _read_bounded(self, response, summary, method, url):
        """Read a streamed body, refusing it as soon as it exceeds ``max_response_bytes``."""
        limit = self.max_response_bytes
        declared = response.headers.get('Content-Length', '').strip()
        too_large = declared.isdigit() and int(declared) > limit
        body = bytearray()
        if not too_large:
            for chunk in response.iter_content(chunk_size=65536):
                body.extend(chunk)
                if len(body) > limit:
                    too_large = True
                    break
        if too_large:
            response.close()
            raise errors.ResponseFormatError(
                summary, status=response.status_code, method=method, url=url,
                api_message='the response is larger than the %d-byte limit' % limit,
                hint=self.hint_for.get('max_response_bytes', 'check that the URL points at the API'))
        # What requests itself stores once it has read a body, so .content/.text work as usual.
        response._content = bytes(body)

    def _retry_delay(self, response, attempt, state_changing):
        """Seconds to wait before retrying this response, or None to stop."""
        status = response.status_code
        if status not in RETRYABLE_STATUS or attempt >= self.retry.retries:
            return None
        retry_after = self.retry.retry_after(response.headers.get('Retry-After'))
        if state_changing:
            # Only answers that prove the write was not processed may be repeated.
            if status == 429 or (status == 503 and retry_after is not None):
                pass
            else:
                return None
        if retry_after is not None:
            return retry_after
        return self.retry.backoff(attempt)

    def _transport_error(self, exc, summary, method, url, maybe_processed):
        root = _root_cause(exc)
        if isinstance(exc, requests.exceptions.ReadTimeout):
            reason = 'no answer within %ss (read timeout)' % self.timeout[1]
        elif isinstance(exc, requests.exceptions.ConnectTimeout):
            reason = 'connection not established within %ss (connect timeout)' % self.timeout[0]
        elif isinstance(root, ConnectionRefusedError) or 'refused' in str(root).lower():
            reason = 'connection refused'
        elif isinstance(root, ConnectionResetError) or 'reset' in str(root).lower():
            reason = 'connection reset by the server'
        elif type(root).__name__ in ('RemoteDisconnected', 'IncompleteRead', 'ChunkedEncodingError', 'ProtocolError') \
                or 'closed' in str(root).lower():
            reason = 'the server closed the connection before the answer was complete'
        elif type(root).__name__ == 'NameResolutionError' or 'resolve' in str(root).lower():
            reason = 'host name could not be resolved'
        else:
            reason = '%s' % type(root).__name__
        hint = 'check the URL, network path and proxy settings'
        if maybe_processed:
            hint = ('the request changes state and may have been processed, so it was not repeated; '
                    'check the object before running again')
        return errors.TransportError(summary, method=method, url=url, api_message=reason, hint=hint)

    def error_from_response(self, response, summary, method, url, hint=None):
        """Build the typed error for an unsuccessful response (status, API code and message)."""
        status = response.status_code
        code = message = None
        try:
            body = response.json()
        except ValueError:
            body = None
        if body is not None:
            code, message = extract_api_error(body)
        if code is None and message is None and response.content:
            message = describe_body(response)
        cls = errors.error_class_for_status(status)
        hint = hint or self.hint_for.get(status)
        if status == 429:
            hint = hint or 'the API kept throttling after %d retries; lower concurrency or try later' % self.retry.retries
        err = cls(summary, status=status, code=self.redact(code) if code else code,
                  api_message=self.redact(message) if message else message, method=method, url=url, hint=hint)
        return err

    def call(self, method, path, what=None, **kwargs):
        """Like :meth:`request`, returning the decoded JSON body (None for an empty body)."""
        response = self.request(method, path, what=what, **kwargs)
        return self.decode_json(response, what)

    def decode_json(self, response, what=None):
        if not response.content or not response.content.strip():
            return None
        try:
            return response.json()
        except ValueError:
            raise errors.ResponseFormatError(
                'Could not %s' % what if what else 'Unexpected response',
                status=response.status_code, method=response.request.method,
                url=self.redact(response.url.split('?', 1)[0]),
                api_message=('the body is not valid JSON (%s)' if 'json' in response.headers.get('Content-Type', '')
                             else 'expected JSON, got %s') % describe_body(response),
                hint='the server or a proxy in between answered with something other than the API')


def transport_options(params):
    """HttpClient keyword arguments from module or plugin options (see argspec.transport_argument_spec)."""
    return dict(
        validate_certs=params.get('validate_certs', True),
        ca_path=params.get('ca_path'),
        connect_timeout=params.get('connect_timeout') or 10,
        read_timeout=params.get('read_timeout') or 60,
        retry=RetryPolicy(retries=params['retries'] if params.get('retries') is not None else 5),
        allow_plain_http=bool(params.get('allow_plain_http', False)),
    )


def iterate_pages(fetch_page, max_pages=100000):
    """Yield the items of a paged listing. ``fetch_page(token)`` returns ``(items, next_token)``; the
    first call gets ``None``; iteration stops when ``next_token`` is empty. A server that hands back a
    token it already gave is reported instead of looping forever."""
    token = None
    seen = set()
    for _page in range(max_pages):
        items, next_token = fetch_page(token)
        yield from items or ()
        if not next_token:
            return
        if next_token in seen:
            raise errors.ResponseFormatError('Paging did not advance',
                                             api_message='the server repeated continuation token %r' % (next_token,))
        seen.add(next_token)
        token = next_token
    raise errors.ResponseFormatError('Paging did not end', api_message='more than %d pages' % max_pages)


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


def dumps(value):
    """Stable JSON text for hashing and cache keys."""
    return json.dumps(value, sort_keys=True, separators=(',', ':'))
