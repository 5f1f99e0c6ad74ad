# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The collection's one HTTP transport.

:class:`HttpClient` sends every HTTP request of every product and applies, once, what each request
needs: TLS verification (``validate_certs``, ``ca_path``), proxies from the standard environment
variables, a connect and a read timeout plus an overall deadline (:mod:`deadline`), a response size
limit enforced while the body streams in (after content decoding, so a compressed bomb counts at its
real size), redirects (below), sign-in (:mod:`auth`), retries (:mod:`retries`), accounting
(:mod:`request_stats`) and redaction of every message (:mod:`redaction`).

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

import os
import re
import traceback

from urllib.parse import urljoin, urlsplit

REQUESTS_IMPORT_ERROR = None
try:
    import requests
    import requests.adapters
    import requests.utils
    import urllib3
    import urllib3.connection
    import urllib3.connectionpool
except ImportError:  # pragma: no cover - exercised by the sanity import test
    requests = None
    urllib3 = None
    REQUESTS_IMPORT_ERROR = traceback.format_exc()

from ansible_collections.opencitrix.automation.plugins.module_utils import deadline, errors
from ansible_collections.opencitrix.automation.plugins.module_utils.redaction import Redactor
from ansible_collections.opencitrix.automation.plugins.module_utils.request_stats import RequestStats
from ansible_collections.opencitrix.automation.plugins.module_utils.responses import (
    describe_body, extract_api_error, json_body,
)
from ansible_collections.opencitrix.automation.plugins.module_utils.retries import (
    READ_METHODS, RetryPolicy, never_sent, root_cause,
)
from ansible_collections.opencitrix.automation.plugins.module_utils.urls import (
    origin, refuse_plain_http, safe_url, show_origin, validate_url,
)

# The collection's version lives in galaxy.yml only; a module's code cannot read it where it runs.
USER_AGENT = 'opencitrix.automation'

HAS_REQUESTS = requests is not None

MIB = 1024 * 1024
DEFAULT_MAX_RESPONSE_MIB = 64
REDIRECT_STATUS = frozenset((301, 302, 303, 307, 308))
MAX_REDIRECTS = 5
CHUNK = 65536
# What makes a request carry credentials, beyond a registered secret in a header or the body.
CREDENTIAL_HEADERS = frozenset(('authorization', 'proxy-authorization', 'cookie', 'auth_token'))
_CREDENTIAL_FIELD = re.compile(br'passw|secret|token|bearer', re.IGNORECASE)
REDIRECT_HINT = 'check the URL (api_url / url / store_url / ddc_url) or a proxy rewriting answers'


def _no_redirect_target(_response):
    return None


if HAS_REQUESTS:
    class _DeadlineAware:
        """A urllib3 connection whose socket joins the deadline of the request using it."""

        def connect(self):
            super(_DeadlineAware, self).connect()
            deadline.attach_current(self.sock)

        def request(self, *args, **kwargs):
            if self.sock is not None:  # a kept-alive connection
                deadline.attach_current(self.sock)
            return super(_DeadlineAware, self).request(*args, **kwargs)

    class _HTTPConnection(_DeadlineAware, urllib3.connection.HTTPConnection):
        pass

    class _HTTPSConnection(_DeadlineAware, urllib3.connection.HTTPSConnection):
        pass

    class _HTTPPool(urllib3.connectionpool.HTTPConnectionPool):
        ConnectionCls = _HTTPConnection

    class _HTTPSPool(urllib3.connectionpool.HTTPSConnectionPool):
        ConnectionCls = _HTTPSConnection

    _POOLS = {'http': _HTTPPool, 'https': _HTTPSPool}

    class _Adapter(requests.adapters.HTTPAdapter):
        """requests' adapter with connections that honour the request deadline (also through a proxy)."""

        def init_poolmanager(self, *args, **kwargs):
            super(_Adapter, self).init_poolmanager(*args, **kwargs)
            self.poolmanager.pool_classes_by_scheme = _POOLS

        def proxy_manager_for(self, proxy, **proxy_kwargs):
            manager = super(_Adapter, self).proxy_manager_for(proxy, **proxy_kwargs)
            manager.pool_classes_by_scheme = _POOLS
            return manager


class HttpClient:
    """A configured requests session plus the collection's rules for every request.

    Product clients build one of these and call :meth:`request` / :meth:`call`. ``hint_for`` maps an
    HTTP status to advice appended to error messages (e.g. what credential to check); its keys
    ``'max_response_bytes'`` and ``'redirect'`` give the advice for an oversized response and a
    refused redirect. ``auth``: an :class:`auth.TokenAuth` applied to every request not sent with
    ``authenticated=False``. ``deadline_seconds``: the longest one request may take in all (default:
    connect plus read timeout).
    """

    def __init__(self, base_url, validate_certs=True, ca_path=None, connect_timeout=10, read_timeout=60,
                 retry=None, redactor=None, stats=None, allow_plain_http=False, headers=None,
                 pool_size=32, service_name='API', hint_for=None, log=None,
                 max_response_bytes=None, auth=None, deadline_seconds=None):
        if not HAS_REQUESTS:
            raise errors.InputError('The Python library "requests" is required (pip install requests)')
        self.base_url = validate_url(base_url, service_name, allow_plain_http)
        self.service_name = service_name
        self.verify = ca_path if (ca_path and validate_certs) else bool(validate_certs)
        self.timeout = (float(connect_timeout), float(read_timeout))
        self.deadline_seconds = deadline_seconds or sum(self.timeout)
        self.retry = retry or RetryPolicy()
        self.redact = redactor or Redactor()
        self.stats = stats or RequestStats()
        self.hint_for = hint_for or {}
        self.log = log
        self.max_response_bytes = int(max_response_bytes or DEFAULT_MAX_RESPONSE_MIB * MIB)
        self.allow_plain_http = bool(allow_plain_http)
        self.auth = auth
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
        adapter = _Adapter(pool_connections=4, pool_maxsize=pool_size, max_retries=0)
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
                state_changing=None, expected=None, what=None, hint=None, timeout=None, authenticated=True,
                trace_header=None):
        """Send one logical request (retried per :mod:`retries`, redirects followed within the same
        origin, the token renewed once when the API rejects it); return the ``requests.Response``
        with its body read.

        ``expected``: statuses that count as success (default: any 2xx); a redirect status listed there
        is returned, not followed. ``what`` names the operation in error messages ("list service
        states"). ``state_changing`` defaults to True for methods other than GET/HEAD/OPTIONS.
        ``authenticated=False``: a sign-in or another request that must not carry the token.
        ``trace_header``: the answer header holding the server's id of the request (such as DaaS's
        ``Citrix-TransactionId``); an error for an answer that has it names it (``transaction_id``).
        """
        method = method.upper()
        if state_changing is None:
            state_changing = method not in READ_METHODS
        url = self.url(path)
        refuse_plain_http(url, self.service_name, self.allow_plain_http)
        summary = 'Could not %s' % what if what else '%s request failed' % self.service_name
        auth = self.auth if authenticated else None
        token = auth.token() if auth else None
        attempt = hops = 0
        renewed = False
        while True:
            display_url = self.redact(safe_url(url))
            sent_headers = dict(headers or {})
            if auth:
                sent_headers.update(auth.headers(token))
            response = self._exchange(method, url, params, json_body, data, sent_headers, expected, timeout,
                                      summary, display_url, state_changing, attempt)
            if response is None:  # no answer, and repeating the request is allowed
                attempt += 1
                continue
            status = response.status_code
            if (status in expected) if expected else (200 <= status < 300):
                return response
            target = self._redirect_target(response, expected)
            if target:
                self._check_redirect(response, url, target, hops, method, display_url)
                hops += 1
                self._debug('%s %s: HTTP %s, following the redirect to %s' % (
                    method, display_url, status, self.redact(safe_url(target))))
                if status == 303 and method != 'HEAD':
                    method, json_body, data, state_changing = 'GET', None, None, False
                    headers = dict((k, v) for k, v in (headers or {}).items() if k.lower() != 'content-type')
                url, params = target, None  # the Location carries its own query
                continue
            if auth and auth.rejected(response):
                if renewed:
                    raise self._traced(self._rejected_again(response, summary, method, display_url, hint),
                                       response, trace_header)
                self._debug('%s %s: HTTP %s, the token was rejected; signing in again' % (method, display_url, status))
                token = auth.renew(token, response)
                renewed = True
                continue
            delay = self.retry.delay_for_status(status, response.headers.get('Retry-After'), attempt, state_changing)
            if delay is not None:
                attempt += 1
                self._debug('%s %s: HTTP %s; retry %d/%d in %.2fs' % (
                    method, display_url, status, attempt, self.retry.retries, delay))
                self.retry.sleep(delay)
                continue
            raise self._traced(self.error_from_response(response, summary, method, display_url, hint), response,
                               trace_header)

    def _exchange(self, method, url, params, json_body, data, headers, expected, timeout, summary, display_url,
                  state_changing, attempt):
        """One HTTP exchange within the request deadline: the response with its body read, or None when
        it got no answer and may be repeated (after the backoff); raises when it may not."""
        self.stats.record(method, urlsplit(url).path)
        timeout = timeout or self.timeout
        seconds = max(self.deadline_seconds, sum(timeout) if isinstance(timeout, tuple) else 2 * float(timeout))
        with deadline.armed(seconds) as armed:
            try:
                response = self.session.request(
                    method, url, params=params, json=json_body, data=data, headers=headers, verify=self.verify,
                    timeout=timeout, allow_redirects=False, stream=True, proxies=self._proxies_for(url))
                if self._redirect_target(response, expected):
                    response.close()
                else:
                    self._read_bounded(response, summary, method, display_url)
                return response
            except requests.exceptions.SSLError as tls_error:
                if armed is None or not armed.expired:  # a TLS failure, not a connection cut at the deadline
                    raise errors.TransportError(
                        summary, method=method, url=display_url,
                        api_message='TLS verification failed (%s)' % self.redact.exception(root_cause(tls_error), 200),
                        hint='check ca_path, or the server certificate; validate_certs: false only for a lab')
                exc = tls_error
            except (requests.exceptions.ConnectionError, requests.exceptions.Timeout,
                    requests.exceptions.ChunkedEncodingError, urllib3.exceptions.HTTPError) as caught:
                exc = caught  # the last two: a body cut short (urllib3's when read by _read_bounded)
            except requests.exceptions.RequestException as exc:
                raise errors.TransportError(summary, method=method, url=display_url,
                                            api_message=self.redact.exception(exc))
        expired = armed is not None and armed.expired
        repeatable = (not state_changing) or (not expired and never_sent(exc))
        delay = self.retry.delay_for_failure(attempt, repeatable)
        if delay is None:
            raise self._transport_error(exc, summary, method, display_url, state_changing and not repeatable,
                                        armed.seconds if expired else None)
        self._debug('%s %s: %s; retry %d/%d in %.2fs' % (
            method, display_url, 'deadline passed' if expired else type(exc).__name__, attempt + 1,
            self.retry.retries, delay))
        self.retry.sleep(delay)
        return None

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
            for chunk in response.iter_content(chunk_size=CHUNK):
                body.extend(chunk)
                if len(body) > limit:
                    too_large = True
                    break
        if too_large:
            response.close()
            raise errors.ResponseFormatError(
                summary, status=response.status_code, method=method, url=url,
                api_message='the response is larger than the %d MiB limit' % (limit // MIB) if limit >= MIB
                else 'the response is larger than the %d-byte limit' % limit,
                hint=self.hint_for.get('max_response_bytes',
                                       'check that the URL points at the API, or raise max_response_size'))
        # What requests itself stores once it has read a body, so .content/.text work as usual.
        response._content = bytes(body)

    def _transport_error(self, exc, summary, method, url, maybe_processed, expired_after=None):
        root = root_cause(exc)
        text = str(root).lower()
        if expired_after is not None:
            reason = 'no complete answer within %ss (the request deadline: connect_timeout + read_timeout)' % (
                '%g' % expired_after)
        elif isinstance(exc, requests.exceptions.ReadTimeout):
            reason = 'no answer within %ss (read timeout)' % self.timeout[1]
        elif isinstance(exc, requests.exceptions.ConnectTimeout):
            reason = 'connection not established within %ss (connect timeout)' % self.timeout[0]
        elif isinstance(root, ConnectionRefusedError) or 'refused' in text:
            reason = 'connection refused'
        elif isinstance(root, ConnectionResetError) or 'reset' in text:
            reason = 'connection reset by the server'
        elif type(root).__name__ in ('RemoteDisconnected', 'IncompleteRead', 'ChunkedEncodingError', 'ProtocolError',
                                     'DecodeError') or 'closed' in text:
            reason = 'the server closed the connection before the answer was complete'
        elif type(root).__name__ == 'NameResolutionError' or 'resolve' in text:
            reason = 'host name could not be resolved'
        else:
            reason = '%s' % type(root).__name__
        hint = 'check the URL, network path and proxy settings'
        if maybe_processed:
            hint = ('the request changes state and may have been processed, so it was not repeated; '
                    'check the object before running again')
        return errors.TransportError(summary, method=method, url=url, api_message=reason, hint=hint)

    def _traced(self, err, response, trace_header):
        """``err`` naming the server's id of the request, from the answer's ``trace_header``."""
        value = response.headers.get(trace_header) if trace_header else None
        return err.traced(self.redact(value)) if value else err

    def _rejected_again(self, response, summary, method, url, hint):
        err = self.error_from_response(response, summary, method, url, hint)
        err.hint = 'a new sign-in was rejected too; %s' % (err.hint or 'check the credentials')
        err.args = (err.render(),)
        return err

    def error_from_response(self, response, summary, method, url, hint=None):
        """Build the typed error for an unsuccessful response (status, API code and message)."""
        status = response.status_code
        code = message = None
        body = json_body(response)
        if body is not None:
            code, message = extract_api_error(body)
        if code is None and message is None and response.content:
            message = describe_body(response)
        cls = errors.error_class_for_status(status)
        hint = hint or self.hint_for.get(status)
        if status == 429:
            hint = hint or 'the API kept throttling after %d retries; lower concurrency or try later' % self.retry.retries
        return cls(summary, status=status, code=self.redact(code) if code else code,
                   api_message=self.redact(message) if message else message, method=method, url=url, hint=hint)

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
                url=self.redact(safe_url(response.url)),
                api_message=('the body is not valid JSON (%s)' if 'json' in response.headers.get('Content-Type', '')
                             else 'expected JSON, got %s') % describe_body(response),
                hint='the server or a proxy in between answered with something other than the API')


def transport_options(params, sleep=None):
    """HttpClient keyword arguments from module or plugin options (see argspec.transport_argument_spec).
    ``sleep``: the clock retries wait on (tests give the simulator's)."""
    size = params.get('max_response_size')
    if size is not None and size < 1:
        raise errors.InputError('max_response_size must be at least 1 (MiB), got %s' % size)
    return dict(
        validate_certs=params.get('validate_certs', True),
        ca_path=params.get('ca_path'),
        connect_timeout=params.get('connect_timeout') or 10,
        read_timeout=params.get('read_timeout') or 60,
        retry=RetryPolicy(retries=params['retries'] if params.get('retries') is not None else 5, sleep=sleep),
        allow_plain_http=bool(params.get('allow_plain_http', False)),
        max_response_bytes=int(size) * MIB if size else None,
    )
