# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""XenServer session on the official ``XenAPI`` package.

One :class:`XenServerSession` per task (or inventory run): HTTPS with certificate checks by default
(``validate_certs``, ``ca_path``), plain HTTP only when asked for, or the host's local socket;
``login_with_password`` with an originator naming this collection; a pool member's ``HOST_IS_SLAVE``
followed to the master it names; ``SESSION_INVALID`` renewed by the package's own re-login; the
session logged out at the end, also after a failure (pools cap sessions per originator). A redirect
is never followed (xmlrpc.client does not, and every call carries the password or a session): it fails
in one line naming both origins.

Long operations run as ``Async.*`` tasks watched through ``event.from`` (no tight polling), then
destroyed. Failures become the typed errors of ``errors.py``, rendered from the XenAPI code and its
parameters with object names where known ("VM web01 is running; this operation needs it halted").
Reads are retried on connection errors; writes only when the request provably never left.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import http.client
import socket
import ssl
import time
import traceback
import xmlrpc.client
import zlib
from urllib.parse import urljoin
from xml.parsers.expat import ExpatError

XENAPI_IMPORT_ERROR = None
try:
    import XenAPI
except ImportError:  # pragma: no cover - exercised by the sanity import test
    XenAPI = None
    XENAPI_IMPORT_ERROR = traceback.format_exc()

from ansible_collections.opencitrix.automation.plugins.module_utils import deadline, errors
from ansible_collections.opencitrix.automation.plugins.module_utils.argspec import env_fallback, transport_argument_spec
from ansible_collections.opencitrix.automation.plugins.module_utils.redaction import Redactor
from ansible_collections.opencitrix.automation.plugins.module_utils.request_stats import RequestStats
from ansible_collections.opencitrix.automation.plugins.module_utils.retries import RetryPolicy
from ansible_collections.opencitrix.automation.plugins.module_utils.transport import (
    MIB, USER_AGENT, transport_options,
)
from ansible_collections.opencitrix.automation.plugins.module_utils.urls import origin, show_origin, validate_url

HAS_XENAPI = XenAPI is not None

NULL_REF = 'OpaqueRef:NULL'
LOCAL_SOCKET = '/var/lib/xcp/xapi'
LOGIN_API_VERSION = '1.0'
EVENT_WAIT_MAX = 30.0
MAX_REDIRECTS = 3
CHUNK = 65536
# A big pool's get_all_records answers run to tens of MiB (a real VM record is several KiB).
DEFAULT_MAX_RESPONSE_MIB = 128
MAX_VALUE_BYTES = 16 * 1024 * 1024
CREDENTIAL_HINT = 'check username and password (XENSERVER_USER / XENSERVER_PASSWORD)'
REDIRECT_HINT = 'check hostname (XENSERVER_HOST) or a proxy rewriting answers'

# Parameter names of the XenAPI errors this collection meets, from the datamodel's errors.json.
ERROR_PARAMETERS = {
    'HANDLE_INVALID': ('class', 'handle'),
    'UUID_INVALID': ('type', 'uuid'),
    'VM_BAD_POWER_STATE': ('vm', 'expected', 'actual'),
    'OTHER_OPERATION_IN_PROGRESS': ('class', 'object', 'operation_type', 'operation_ref'),
    'OPERATION_BLOCKED': ('ref', 'code'),
    'OPERATION_NOT_ALLOWED': ('reason',),
    'VM_IS_TEMPLATE': ('vm',),
    'VM_LACKS_FEATURE': ('vm',),
    'VM_MISSING_PV_DRIVERS': ('vm',),
    'VM_CANNOT_DELETE_DEFAULT_TEMPLATE': ('vm',),
    'VM_IS_IMMOBILE': ('VM',),
    'VM_MIGRATE_FAILED': ('vm', 'source', 'destination', 'msg'),
    'HOST_DISABLED': ('host',),
    'HOST_OFFLINE': ('host',),
    'HOST_NOT_ENOUGH_FREE_MEMORY': ('needed', 'available'),
    'SESSION_INVALID': ('handle',),
    'SESSION_AUTHORIZATION_FAILED': ('username', 'msg'),
    'RBAC_PERMISSION_DENIED': ('permission', 'message'),
    'MESSAGE_METHOD_UNKNOWN': ('method',),
    'MESSAGE_PARAMETER_COUNT_MISMATCH': ('method', 'expected', 'received'),
    'VALUE_NOT_SUPPORTED': ('field', 'value', 'reason'),
    'MEMORY_CONSTRAINT_VIOLATION': ('constraint',),
    'MAP_DUPLICATE_KEY': ('type', 'param_name', 'uuid', 'key'),
    'VDI_IN_USE': ('vdi', 'operation'),
    'SR_FULL': ('requested', 'maximum'),
    'TASK_CANCELLED': ('task',),
    'INTERNAL_ERROR': ('message',),
    'LICENCE_RESTRICTION': ('feature',),
    'NOT_IMPLEMENTED': ('function',),
}
ERROR_CLASSES = {
    'SESSION_AUTHENTICATION_FAILED': errors.AuthenticationError,
    'SESSION_AUTHORIZATION_FAILED': errors.AuthenticationError,
    'SESSION_INVALID': errors.AuthenticationError,
    'RBAC_PERMISSION_DENIED': errors.AccessDeniedError,
    'HANDLE_INVALID': errors.NotFoundError,
    'UUID_INVALID': errors.NotFoundError,
    'VM_BAD_POWER_STATE': errors.ConflictError,
    'OTHER_OPERATION_IN_PROGRESS': errors.ConflictError,
    'OPERATION_BLOCKED': errors.ConflictError,
    'VM_IS_TEMPLATE': errors.ConflictError,
    'VM_LACKS_FEATURE': errors.ConflictError,
    'TASK_CANCELLED': errors.OperationFailedError,
}
ERROR_HINTS = {
    'SESSION_AUTHENTICATION_FAILED': CREDENTIAL_HINT,
    'SESSION_AUTHORIZATION_FAILED': 'the account may log in but is not allowed to use the API; check its role',
    'RBAC_PERMISSION_DENIED': 'give the account a role with this permission (for example pool-operator)',
    'HANDLE_INVALID': 'it was probably deleted meanwhile; run again to act on the current pool',
    'OTHER_OPERATION_IN_PROGRESS': 'wait for that operation to finish, then run again',
    'VM_LACKS_FEATURE': 'install the guest agent (PV drivers), or set force: true to use a hard power operation',
    'MESSAGE_METHOD_UNKNOWN': 'the server runs a XenAPI version without this call',
    'HOST_STILL_BOOTING': 'the host is starting its toolstack; run again in a minute',
    'MESSAGE_PARAMETER_COUNT_MISMATCH': 'the server runs a XenAPI version with another signature for this call',
}


def xenserver_argument_spec():
    """Connection options of every XenServer module (documented in the ``xenserver`` doc fragment)."""
    spec = dict(
        hostname=dict(type='str', required=True, fallback=(env_fallback, ['XENSERVER_HOST'])),
        username=dict(type='str', default='root', aliases=['user'], fallback=(env_fallback, ['XENSERVER_USER'])),
        password=dict(type='str', no_log=True, aliases=['pass'], fallback=(env_fallback, ['XENSERVER_PASSWORD'])),
    )
    spec.update(transport_argument_spec('XENSERVER'))
    return spec


def join_states(expected):
    """``"paused, suspended, running"`` -> ``"paused, suspended or running"``."""
    states = [s.strip() for s in str(expected).split(',') if s.strip()]
    if len(states) > 1:
        return '%s or %s' % (', '.join(states[:-1]), states[-1])
    return states[0] if states else str(expected)


def describe_failure(details, names=None):
    """A sentence for a XenAPI ``ErrorDescription`` (code and parameters), naming objects when their
    names are known (``names``: reference -> name)."""
    names = names or {}
    details = [str(d) for d in (details or ['UNKNOWN_ERROR'])]
    code, params = details[0], details[1:]

    def name(ref):
        return names.get(ref, ref)

    if code == 'VM_BAD_POWER_STATE' and len(params) >= 3:
        return 'VM %s is %s; this operation needs it %s' % (name(params[0]), params[2].lower(), join_states(params[1]))
    if code == 'HANDLE_INVALID' and len(params) >= 2:
        return 'the %s object %s does not exist' % (params[0], name(params[1]))
    if code == 'UUID_INVALID' and len(params) >= 2:
        return 'no %s has UUID %s' % (params[0], params[1])
    if code == 'SESSION_AUTHENTICATION_FAILED':
        return 'the user name or password was rejected'
    if code == 'OTHER_OPERATION_IN_PROGRESS' and len(params) >= 3:
        return '%s %s is busy with another operation (%s)' % (params[0], name(params[1]), params[2])
    if code == 'VM_IS_TEMPLATE' and params:
        return '%s is a template, which cannot do this%s' % (name(params[0]), ' (%s)' % params[1] if len(params) > 1 else '')
    if code == 'VM_LACKS_FEATURE' and params:
        return 'the guest of VM %s does not support this (no guest agent or PV drivers)' % name(params[0])
    if code == 'TASK_CANCELLED':
        return 'the task was cancelled'
    labels = ERROR_PARAMETERS.get(code)
    if labels and params:
        return ', '.join('%s=%s' % (label, name(value)) for label, value in zip(labels, params))
    return ', '.join(name(p) for p in params)


def failure_error(details, what, names=None, url=None):
    """The typed error for a XenAPI failure."""
    details = [str(d) for d in (details or ['UNKNOWN_ERROR'])]
    code = details[0]
    cls = ERROR_CLASSES.get(code, errors.ApiError)
    return cls('Could not %s' % what if what else 'XenAPI call failed', code=code,
               api_message=describe_failure(details, names) or None, url=url, hint=ERROR_HINTS.get(code),
               details={'error_description': details})


def parse_task_result(text):
    """``task.result`` holds the operation's return value as an XML-RPC ``<value>`` ("" for void)."""
    if not text:
        return None
    try:
        values, _method = xmlrpc.client.loads(
            '<methodResponse><params><param>%s</param></params></methodResponse>' % text)
    except (ExpatError, ValueError, TypeError):
        raise errors.ResponseFormatError('Could not read a task result', api_message='not an XML-RPC value')
    return values[0] if values else None


def host_url(hostname, allow_plain_http=False):
    """``(url, local)``: an https URL for ``host``, ``host:port`` or a URL; ``unix:/path`` for the
    host's local socket."""
    text = (hostname or '').strip()
    if not text:
        raise errors.InputError('No XenServer host given', hint='set hostname or XENSERVER_HOST')
    if text.startswith('unix:'):
        path = text[len('unix:'):].lstrip('/') or LOCAL_SOCKET.lstrip('/')
        if '_' in path:
            raise errors.InputError('Unsupported local socket path "/%s"' % path,
                                    hint='the XenAPI package cannot reach socket paths with "_"')
        return 'http://_%s/' % path.replace('/', '_'), True
    if '://' not in text:
        text = 'https://' + text
    return validate_url(text, 'XenServer', allow_plain_http), False


class ResponseTooLarge(Exception):
    """An XML-RPC answer (or one value in it) grew past its size limit (counted after gzip decoding)."""

    def __init__(self, limit, part='the answer'):
        super(ResponseTooLarge, self).__init__(limit)
        self.limit = limit
        self.part = part


class _BoundedUnmarshaller(xmlrpc.client.Unmarshaller):
    """The standard unmarshaller, refusing any one value (a string, a name) longer than ``max_value``
    characters: no XenAPI field comes near it, and a hostile single-value answer stops early."""

    max_value = MAX_VALUE_BYTES

    def __init__(self, *args, **kwargs):
        xmlrpc.client.Unmarshaller.__init__(self, *args, **kwargs)
        self._pending = 0

    def data(self, text):
        self._pending += len(text)
        if self._pending > self.max_value:
            raise ResponseTooLarge(self.max_value, 'one value of the answer')
        xmlrpc.client.Unmarshaller.data(self, text)

    def end(self, tag):
        self._pending = 0
        return xmlrpc.client.Unmarshaller.end(self, tag)


class DeadlinePassed(Exception):
    """An XML-RPC call got no complete answer within its deadline."""

    def __init__(self, seconds):
        super(DeadlinePassed, self).__init__(seconds)
        self.seconds = seconds


class _TimedConnectionMixin:
    def connect(self):
        super(_TimedConnectionMixin, self).connect()
        self.sock.settimeout(self.read_timeout)
        deadline.attach_current(self.sock)


class _TimedHTTPSConnection(_TimedConnectionMixin, http.client.HTTPSConnection):
    pass


class _TimedHTTPConnection(_TimedConnectionMixin, http.client.HTTPConnection):
    pass


class TimedTransport(xmlrpc.client.Transport):
    """An XML-RPC transport with a connect timeout, a read timeout and (for https) an SSL context;
    keeps one HTTP/1.1 connection alive between calls."""

    user_agent = USER_AGENT

    def __init__(self, connect_timeout, read_timeout, context=None, max_response_bytes=None):
        xmlrpc.client.Transport.__init__(self)
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self.context = context
        self.max_response_bytes = max_response_bytes or DEFAULT_MAX_RESPONSE_MIB * MIB

    def request(self, host, handler, request_body, verbose=False):
        # The standard library resends any request once after a reset; a call that changes something
        # may already have been processed, so resending is left to the session, which resends reads only.
        # Socket timeouts bound each read; the deadline bounds the whole call.
        with deadline.armed(self.connect_timeout + self.read_timeout) as armed:
            try:
                return self.single_request(host, handler, request_body, verbose)
            except (OSError, http.client.HTTPException, ExpatError):
                if armed.expired:
                    self.close()
                    raise DeadlinePassed(armed.seconds)
                raise

    def parse_response(self, response):
        """Feed the parser as the body arrives, gzip-decoded piece by piece, and stop as soon as the
        decoded answer grows past ``max_response_bytes`` (the standard library reads a gzip body
        whole, and a plain one without limit)."""
        limit = self.max_response_bytes
        declared = response.getheader('Content-Length', '') if hasattr(response, 'getheader') else ''
        if str(declared).strip().isdigit() and int(declared) > limit:
            raise ResponseTooLarge(limit)
        gzipped = hasattr(response, 'getheader') and response.getheader('Content-Encoding', '') == 'gzip'
        decoder = zlib.decompressobj(16 + zlib.MAX_WBITS) if gzipped else None
        unmarshaller = _BoundedUnmarshaller(use_datetime=self._use_datetime, use_builtin_types=self._use_builtin_types)
        parser = xmlrpc.client.ExpatParser(unmarshaller)
        size = 0
        try:
            while True:
                raw = response.read(CHUNK)
                if not raw:
                    break
                pieces = [raw]
                if decoder is not None:
                    pieces = []
                    while raw:
                        # At most one chunk out per step: a small compressed piece cannot balloon in memory.
                        pieces.append(decoder.decompress(raw, CHUNK))
                        raw = decoder.unconsumed_tail
                        size += len(pieces[-1])
                        if size > limit:
                            raise ResponseTooLarge(limit)
                else:
                    size += len(raw)
                if size > limit:
                    raise ResponseTooLarge(limit)
                for piece in pieces:
                    parser.feed(piece)
            parser.close()
        except ExpatError:
            # http.client takes an early end of the connection for the end of the body; a body shorter
            # than its Content-Length was cut off, which is a transport failure (retried for reads), not
            # an answer from something other than xapi.
            if response.length:
                raise http.client.IncompleteRead(b'', response.length)
            raise
        except zlib.error:
            raise ExpatError('the gzip-encoded answer is corrupt')
        except ResponseTooLarge:
            self.close()
            raise
        return unmarshaller.close()

    def make_connection(self, host):
        connection = self._make_connection(host)
        deadline.attach_current(connection.sock)  # a kept-alive connection (a new one attaches on connect)
        return connection

    def _make_connection(self, host):
        if self._connection and host == self._connection[0]:
            return self._connection[1]
        chost, self._extra_headers, _x509 = self.get_host_info(host)
        if self.context is not None:
            connection = _TimedHTTPSConnection(chost, timeout=self.connect_timeout, context=self.context)
        else:
            connection = _TimedHTTPConnection(chost, timeout=self.connect_timeout)
        connection.read_timeout = self.read_timeout
        self._connection = host, connection
        return connection


def plain(value):
    """``value`` with builtin types only: XML-RPC cannot encode subclasses such as the tagged strings
    Ansible hands to controller-side plugins."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, dict):
        return {plain(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def _is_read(method):
    """Calls that change nothing (a repeated login at worst leaves one idle session behind)."""
    message = method.rsplit('.', 1)[-1]
    return message.startswith('get_') or method in ('event.from', 'event.get_current_id', 'session.login_with_password')


def _is_session_handle(value):
    return isinstance(value, str) and value.startswith('OpaqueRef:') and len(value) <= 128


def _never_sent(exc):
    return isinstance(exc, (ConnectionRefusedError, socket.gaierror))


class XenServerSession:
    """A logged-in XenAPI session. Use as a context manager so it is always logged out."""

    def __init__(self, hostname, username='root', password=None, validate_certs=True, ca_path=None,
                 connect_timeout=10.0, read_timeout=60.0, retry=None, allow_plain_http=False, redactor=None,
                 log=None, stats=None, originator=USER_AGENT, max_response_bytes=None):
        if not HAS_XENAPI:
            raise errors.InputError('The Python library "XenAPI" is required (pip install XenAPI)')
        self.redact = redactor or Redactor()
        self.redact.add(password)
        self.url, self.local = host_url(hostname, allow_plain_http)
        if not self.local and not password:
            raise errors.InputError('No XenServer password given', hint='set password or XENSERVER_PASSWORD')
        self.username = plain(username or 'root')
        self._password = plain(password or '')
        self.validate_certs = validate_certs
        self.ca_path = ca_path
        self.connect_timeout = float(connect_timeout)
        self.read_timeout = float(read_timeout)
        self.max_response_bytes = int(max_response_bytes or DEFAULT_MAX_RESPONSE_MIB * MIB)
        self.retry = retry or RetryPolicy()
        self.log = log
        self.stats = stats or RequestStats()
        self.originator = originator
        self.names = {}
        self.master_url = None
        self.renewals = 0
        self._proxy = None
        self._handle = None

    @classmethod
    def from_params(cls, params, redactor=None, log=None):
        return cls(params.get('hostname'), username=params.get('username'), password=params.get('password'),
                   redactor=redactor, log=log, **transport_options(params))

    # -- connection -----------------------------------------------------------------------------

    @property
    def handle(self):
        """The reference of the session open now (a credential), None when none is."""
        return self._handle if self._proxy is not None else None

    @property
    def where(self):
        return 'local socket' if self.local else (self.master_url or self.url)

    def _ssl_context(self):
        if self.validate_certs:
            return ssl.create_default_context(cafile=self.ca_path) if self.ca_path else ssl.create_default_context()
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context

    def _new_proxy(self, url):
        if self.local:
            return XenAPI.Session(url, transport=XenAPI.UDSTransport())
        context = self._ssl_context() if url.startswith('https://') else None
        return XenAPI.Session(url, transport=TimedTransport(self.connect_timeout, self.read_timeout, context,
                                                            self.max_response_bytes))

    def _master(self, url, address):
        scheme, rest = url.split('://', 1)
        port = ''
        netloc = rest.split('/', 1)[0]
        if netloc.rsplit(':', 1)[-1].isdigit() and not netloc.endswith(']'):
            port = ':' + netloc.rsplit(':', 1)[-1]
        if ':' in address and not address.startswith('['):
            address = '[%s]' % address
        return '%s://%s%s' % (scheme, address, port)

    def login(self, url=None, retries=None):
        """Log in at ``url`` (by default the configured host), following ``HOST_IS_SLAVE`` to the pool
        master. ``retries`` overrides the retry policy's count for connection errors."""
        url = url or self.url
        what = 'log in to XenServer %s as %s' % (url, self.username)
        for _hop in range(MAX_REDIRECTS + 1):
            proxy = self._new_proxy(url)
            try:
                self._attempt('session.login_with_password', lambda: proxy.xenapi.login_with_password(
                    self.username, self._password, LOGIN_API_VERSION, self.originator), what, url, retries)
            except errors.CitrixError as exc:
                if exc.code == 'HOST_IS_SLAVE' and exc.details.get('error_description', [None, None])[1:]:
                    master = self._master(url, exc.details['error_description'][1])
                    self._debug('%s is a pool member; the master is %s' % (url, master))
                    proxy('close')()
                    url = master
                    continue
                raise
            if not _is_session_handle(proxy.handle):
                proxy('close')()
                raise errors.ResponseFormatError('Could not ' + what, url=url,
                                                 api_message='the answer is not a session reference',
                                                 hint='check that hostname points at a XenServer host')
            self._proxy = proxy
            self.master_url = url
            self._handle = proxy.handle
            self.redact.add(self._handle)
            return self
        raise errors.ApiError('Could not ' + what, code='HOST_IS_SLAVE',
                              api_message='more than %d master redirects' % MAX_REDIRECTS)

    def reconnect(self, addresses=()):
        """Log in again after the pool master changed or stopped answering, as seed 004 tells clients
        to: try each of ``addresses`` (pool member addresses or URLs, the master a ``HOST_IS_SLAVE``
        named first), then the configured host, once each, following ``HOST_IS_SLAVE`` from whichever
        answers. The previous session is then logged out through the new master (sessions are
        pool-wide). Raises the last connection error when none answers."""
        old_proxy, old_handle = self._proxy, self._handle
        self._proxy = None
        base = self.master_url or self.url
        candidates = []
        for address in list(addresses) + [self.url]:
            url = address if '://' in address else self._master(base, address)
            if url not in candidates:
                candidates.append(url)
        error = None
        for url in candidates:
            try:
                self.login(url, retries=0)
                break
            except errors.TransportError as exc:
                self._debug('%s does not answer: %s' % (url, exc.api_message))
                error = exc
        else:
            self._proxy = old_proxy
            raise error
        if old_proxy is not None:
            # A plain XML-RPC call naming the old session: the package's own logout would end the new one.
            self._end(old_proxy, lambda: self._proxy.session.logout(old_handle))
        return self

    def close(self):
        """Log out (when a session is open) and drop the connection. Never raises."""
        proxy, self._proxy = self._proxy, None
        if proxy is not None:
            self._end(proxy, proxy.xenapi.session.logout)

    def _end(self, proxy, logout):
        """Call ``logout`` and drop ``proxy``'s connection; best effort: the outcome of the work done
        must not depend on it."""
        self.stats.record('XMLRPC', 'session.logout')
        try:
            logout()
        except Exception as exc:  # pylint: disable=broad-except
            self._debug('logout failed: %s' % type(exc).__name__)
        try:
            proxy('close')()
        except Exception:  # pylint: disable=broad-except
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def _debug(self, message):
        if self.log:
            self.log(self.redact(message))

    # -- calls ----------------------------------------------------------------------------------

    def call(self, method, *args, **kwargs):
        """Call ``Class.message`` (or ``Async.Class.message``) with ``args`` after the session
        argument; ``what`` names the operation in error messages."""
        what = kwargs.pop('what', None) or 'call %s' % method
        if self._proxy is None:
            self.login()
        target = self._proxy.xenapi
        for part in method.split('.'):
            target = getattr(target, part)
        args = plain(list(args))
        result = self._attempt(method, lambda: target(*args), what, self.master_url)
        handle = self._proxy.handle
        if handle != self._handle:
            # The package logged in again after SESSION_INVALID.
            self.renewals += 1
            self._handle = handle
            self.redact.add(handle)
            self._debug('session renewed after SESSION_INVALID')
        return result

    def _attempt(self, method, thunk, what, url, retries=None):
        retries = self.retry.retries if retries is None else retries
        attempt = 0
        while True:
            self.stats.record('XMLRPC', method)
            try:
                return thunk()
            except XenAPI.Failure as exc:
                raise failure_error(exc.details, what, self.names, url).redacted(self.redact)
            except xmlrpc.client.Fault as exc:
                raise self._fault_error(exc, what, url)
            except xmlrpc.client.ProtocolError as exc:
                status = exc.errcode
                if 300 <= status < 400:
                    raise self._redirect_error(exc, url)
                if _is_read(method) and status in (502, 503, 504) and attempt < retries:
                    attempt = self._pause(attempt, method, 'HTTP %s' % status)
                    continue
                raise errors.error_class_for_status(status)(
                    'Could not ' + what, status=status, api_message=self.redact(str(exc.errmsg))[:200], url=url)
            except ResponseTooLarge as exc:
                raise errors.ResponseFormatError(
                    'Could not ' + what, url=url,
                    api_message='%s is larger than the %d MiB limit' % (exc.part, exc.limit // MIB),
                    hint='check that hostname points at a XenServer host, or raise max_response_size')
            except DeadlinePassed as exc:
                if _is_read(method) and attempt < retries:
                    attempt = self._pause(attempt, method, 'deadline passed')
                    continue
                raise errors.TransportError(
                    'Could not ' + what, url=url,
                    api_message='no complete answer within %gs (the call deadline: connect_timeout + read_timeout)'
                                % exc.seconds,
                    hint='check the host and network' if _is_read(method) else
                    'the call changes state and may have been processed, so it was not repeated; '
                    'check the object before running again')
            except ssl.SSLError as exc:
                raise errors.TransportError('Could not ' + what, url=url,
                                            api_message='TLS verification failed (%s)' % self.redact(str(exc))[:200],
                                            hint='check ca_path, or the server certificate; validate_certs: false only for a lab')
            except ExpatError:
                raise errors.ResponseFormatError('Could not ' + what, url=url, api_message='the answer is not XML-RPC',
                                                 hint='check that hostname points at a XenServer host')
            except TypeError as exc:
                # xmlrpc.client cannot encode the call, or the XenAPI package met an answer without a Status.
                raise errors.ResponseFormatError('Could not ' + what, url=url,
                                                 api_message=self.redact('unexpected XML-RPC content: %s' % exc)[:200],
                                                 hint='check that hostname points at a XenServer host')
            except (OSError, http.client.HTTPException) as exc:
                if (_is_read(method) or _never_sent(exc)) and attempt < retries:
                    attempt = self._pause(attempt, method, type(exc).__name__)
                    continue
                raise self._transport_error(exc, what, url, maybe_processed=not (_is_read(method) or _never_sent(exc)))

    def _pause(self, attempt, method, reason):
        delay = self.retry.backoff(attempt)
        self._debug('%s: %s; retry %d/%d in %.2fs' % (method, reason, attempt + 1, self.retry.retries, delay))
        self.retry.sleep(delay)
        return attempt + 1

    def _redirect_error(self, exc, url):
        """xmlrpc.client never follows a redirect (it raises ProtocolError), and neither does this session:
        every XenAPI call carries the password or a session."""
        headers = dict((str(k).lower(), v) for k, v in (exc.headers or {}).items())
        here = None if self.local else origin(url or self.url)
        there = origin(urljoin(url or self.url, headers.get('location') or ''))
        if not headers.get('location'):
            there_text = 'nowhere (no Location)'
        else:
            there_text = show_origin(there) if there else 'a location that is not an http(s) URL'
        return errors.RedirectRefusedError(
            'Refusing to follow a redirect from %s to %s' % (show_origin(here) if here else 'the local socket', there_text),
            status=exc.errcode, url=self.redact(url or self.url), hint=REDIRECT_HINT,
            api_message='XenAPI calls are never redirected: they carry the password or a session')

    def _fault_error(self, exc, what, url):
        text = str(exc.faultString)
        if 'valid session' in text or 'must log in' in text or 'SESSION_INVALID' in text:
            return errors.AuthenticationError('Could not ' + what, code='SESSION_INVALID', url=url,
                                              api_message='the server kept invalidating new sessions',
                                              hint='too many sessions for this user? check the pool\'s session limit')
        return errors.ResponseFormatError('Could not ' + what, url=url, api_message=self.redact(text)[:200])

    def _transport_error(self, exc, what, url, maybe_processed):
        if isinstance(exc, socket.timeout):
            reason = 'no answer within %ss (read timeout)' % self.read_timeout
        elif isinstance(exc, ConnectionRefusedError):
            reason = 'connection refused'
        elif isinstance(exc, (ConnectionResetError, http.client.RemoteDisconnected, http.client.IncompleteRead)):
            reason = 'connection reset by the server'
        elif isinstance(exc, socket.gaierror):
            reason = 'host name could not be resolved'
        else:
            reason = type(exc).__name__
        hint = 'check hostname, the network path and that the host runs XenServer'
        if maybe_processed:
            hint = ('the call changes state and may have been processed, so it was not repeated; '
                    'check the object before running again')
        return errors.TransportError('Could not ' + what, url=url, api_message=reason, hint=hint)

    def remember(self, records):
        """Learn object names (``{ref: record}``) for readable error messages."""
        for ref, record in records.items():
            if isinstance(record, dict) and record.get('name_label'):
                self.names[ref] = record['name_label']

    # -- records and events ---------------------------------------------------------------------

    def event_from(self, subscriptions, token='', timeout=0.0, what=None):
        return self.call('event.from', list(subscriptions), token, float(timeout), what=what or 'read XenServer events')

    def fetch(self, objects, classes=(), what=None):
        """Current records of ``objects`` (``(class, ref)`` pairs) and of every object of ``classes``,
        in one ``event.from`` call. Returns ``{ref: record}``; deleted objects are absent."""
        subscriptions = sorted(set('%s/%s' % (cls, ref) for cls, ref in objects if ref and ref != NULL_REF))
        subscriptions += list(classes)
        if not subscriptions:
            return {}
        batch = self.event_from(subscriptions, '', 0.0, what=what or 'read XenServer objects')
        records = {}
        for event in batch.get('events', []):
            if event.get('operation') == 'del':
                records.pop(event.get('ref'), None)
            elif 'snapshot' in event:
                records[event['ref']] = event['snapshot']
        self.remember(records)
        return records

    def watch(self, subscriptions, done, timeout, what, hint=None):
        """Follow the objects ``subscriptions`` selects through ``event.from`` until ``done(records)``
        returns a true value (returned), or raise WaitTimeoutError after ``timeout`` seconds.
        ``records`` maps each reference to its latest record (None once deleted)."""
        deadline = time.monotonic() + float(timeout)
        records, token = {}, ''
        while True:
            remaining = max(0.0, deadline - time.monotonic())
            wait = min(remaining, EVENT_WAIT_MAX, max(1.0, self.read_timeout - 5.0)) if token else 0.0
            try:
                batch = self.event_from(subscriptions, token, wait, what=what)
            except errors.CitrixError as exc:
                if exc.code != 'EVENTS_LOST':
                    raise
                self._debug('EVENTS_LOST while waiting to %s; reading the objects again' % what)
                records, token = {}, ''
                continue
            token = batch.get('token', '')
            for event in batch.get('events', []):
                records[event.get('ref')] = event.get('snapshot') if event.get('operation') != 'del' else None
            outcome = done(records)
            if outcome:
                return outcome
            if time.monotonic() >= deadline:
                raise errors.WaitTimeoutError('Timed out waiting to %s' % what, url=self.where,
                                              api_message='not finished after %ss' % round(timeout, 1), hint=hint)

    # -- tasks ----------------------------------------------------------------------------------

    def wait_tasks(self, tasks, timeout, what, until_any=False):
        """Records of ``tasks`` once every one (or, with ``until_any``, at least one) has left
        ``pending``: ``{task: record}`` of the finished ones."""
        tasks = list(tasks)

        def finished(records):
            for task, record in records.items():
                if record and record.get('status') == 'pending':
                    self._debug('%s: %s %d%%' % (what, record.get('name_label'), round(100 * float(record.get('progress') or 0))))
            done = {t: r for t, r in records.items() if t in tasks and (r is None or r.get('status') not in ('pending', 'cancelling'))}
            if (until_any and done) or len(done) == len(tasks):
                return done
            return None
        return self.watch(['task/%s' % t for t in tasks], finished, timeout, what)

    def task_outcome(self, task, record, what):
        """The task's result, or its error as a typed exception."""
        if record is None:
            raise errors.OperationFailedError('Could not ' + what, url=self.where,
                                              api_message='task %s disappeared before it finished' % task)
        status = record.get('status')
        if status == 'success':
            return parse_task_result(record.get('result'))
        if status == 'cancelled':
            raise failure_error(record.get('error_info') or ['TASK_CANCELLED', task], what, self.names, self.where)
        raise failure_error(record.get('error_info'), what, self.names, self.where).redacted(self.redact)

    def forget_task(self, task, cancel=False):
        """Destroy a task (cancelling it first when asked); best effort."""
        for message in (('task.cancel',) if cancel else ()) + ('task.destroy',):
            try:
                self.call(message, task, what='clean up task')
            except errors.CitrixError as exc:
                self._debug('%s %s: %s' % (message, task, exc.code))

    def run_task(self, method, *args, **kwargs):
        """``Async.<method>(*args)``, waited for through events, destroyed, its result returned.
        Keywords: ``what``, ``timeout`` (seconds)."""
        what = kwargs.get('what') or 'run %s' % method
        timeout = kwargs.get('timeout') or 3600
        task = self.call('Async.' + method, *args, what=what)
        finished = False
        try:
            record = self.wait_tasks([task], timeout, what)[task]
            finished = True
            return self.task_outcome(task, record, what)
        finally:
            self.forget_task(task, cancel=not finished)

    def all_records(self, cls, where=None, what=None):
        """``{ref: record}`` of every object of ``cls`` (optionally filtered by an XAPI expression)."""
        if where:
            records = self.call('%s.get_all_records_where' % cls, where, what=what or 'list %s objects' % cls)
        else:
            records = self.call('%s.get_all_records' % cls, what=what or 'list %s objects' % cls)
        if not isinstance(records, dict):
            raise errors.ResponseFormatError('Could not %s' % (what or 'list %s objects' % cls), url=self.where,
                                             api_message='expected a map of records')
        self.remember(records)
        return records


def quote(value):
    """A string literal of the XAPI filter language (which has no escapes)."""
    value = str(value)
    if '"' in value:
        raise errors.InputError('Names with double quotes cannot be looked up ("%s")' % value,
                                hint='identify the object by uuid instead')
    return '"%s"' % value
