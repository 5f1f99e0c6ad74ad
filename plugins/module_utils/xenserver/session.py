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
destroyed. Failures and answers of the wrong shape become the typed errors of ``errors.py``
(:mod:`.faults`). Reads are retried on connection errors; writes only when the request provably
never left (the collection's one retry policy, :mod:`..retries`).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import http.client
import socket
import ssl
import traceback
import xmlrpc.client
from urllib.parse import urljoin
from xml.parsers.expat import ExpatError

XENAPI_IMPORT_ERROR = None
try:
    import XenAPI
except ImportError:  # pragma: no cover - exercised by the sanity import test
    XenAPI = None
    XENAPI_IMPORT_ERROR = traceback.format_exc()

from ansible_collections.opencitrix.automation.plugins.module_utils import clock as _clock, errors
from ansible_collections.opencitrix.automation.plugins.module_utils.argspec import env_fallback, transport_argument_spec
from ansible_collections.opencitrix.automation.plugins.module_utils.redaction import Redactor
from ansible_collections.opencitrix.automation.plugins.module_utils.request_stats import RequestStats
from ansible_collections.opencitrix.automation.plugins.module_utils.retries import RetryPolicy, never_sent
from ansible_collections.opencitrix.automation.plugins.module_utils.transport import (
    MIB, USER_AGENT, transport_options,
)
from ansible_collections.opencitrix.automation.plugins.module_utils.urls import origin, show_origin, validate_url
from ansible_collections.opencitrix.automation.plugins.module_utils.xenserver.xmlrpc_transport import (
    DEFAULT_MAX_RESPONSE_MIB, DeadlinePassed, ResponseTooLarge, TimedTransport,
)
from ansible_collections.opencitrix.automation.plugins.module_utils.xenserver.faults import (
    HOST_HINT, MalformedAnswer, check_envelope, check_record, check_records, failure_error, kind, parse_task_result,
)

HAS_XENAPI = XenAPI is not None

NULL_REF = 'OpaqueRef:NULL'
LOCAL_SOCKET = '/var/lib/xcp/xapi'
LOGIN_API_VERSION = '1.0'
EVENT_WAIT_MAX = 30.0
MAX_REDIRECTS = 3
REDIRECT_HINT = 'check hostname (XENSERVER_HOST) or a proxy rewriting answers'


def xenserver_argument_spec():
    """Connection options of every XenServer module (documented in the ``xenserver`` doc fragment)."""
    spec = dict(
        hostname=dict(type='str', required=True, fallback=(env_fallback, ['XENSERVER_HOST'])),
        username=dict(type='str', default='root', aliases=['user'], fallback=(env_fallback, ['XENSERVER_USER'])),
        password=dict(type='str', no_log=True, aliases=['pass'], fallback=(env_fallback, ['XENSERVER_PASSWORD'])),
    )
    spec.update(transport_argument_spec('XENSERVER'))
    return spec


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


if HAS_XENAPI:
    class _LocalTransport(XenAPI.UDSTransport):
        """The XenAPI package's transport to the host's local socket, refusing answers that are not
        XenAPI envelopes like :class:`TimedTransport`."""

        def parse_response(self, response):
            return check_envelope(XenAPI.UDSTransport.parse_response(self, response))


def is_reference(value):
    return isinstance(value, str) and value.startswith('OpaqueRef:') and len(value) <= 128


def _is_read(method):
    """Calls that change nothing (a repeated login at worst leaves one idle session behind)."""
    message = method.rsplit('.', 1)[-1]
    return message.startswith('get_') or method in ('event.from', 'event.get_current_id', 'session.login_with_password')


class XenServerSession:
    """A logged-in XenAPI session. Use as a context manager so it is always logged out."""

    def __init__(self, hostname, username='root', password=None, validate_certs=True, ca_path=None,
                 connect_timeout=10.0, read_timeout=60.0, retry=None, allow_plain_http=False, redactor=None,
                 log=None, stats=None, originator=USER_AGENT, max_response_bytes=None, clock=None):
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
        # Deadlines of waits (tasks, events, guest addresses); by default the process's clock.
        self.clock = clock or _clock.current()
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
            return XenAPI.Session(url, transport=_LocalTransport())
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
            if not is_reference(proxy.handle):
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
        """Log in again after the pool master changed or stopped answering, as the XenAPI documentation
        tells clients to: try each of ``addresses`` (pool member addresses or URLs, the master a ``HOST_IS_SLAVE``
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
        if method.startswith('Async.') and not is_reference(result):
            raise errors.ResponseFormatError('Could not ' + what, url=self.where, hint=HOST_HINT,
                                             api_message='%s answered %s instead of a task reference' % (method, kind(result)))
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
        read = _is_read(method)
        attempt = 0
        while True:
            self.stats.record('XMLRPC', method)
            try:
                return thunk()
            except XenAPI.Failure as exc:
                raise failure_error(exc.details, what, self.names, url).redacted(self.redact)
            except MalformedAnswer as exc:
                raise self._malformed(what, exc, url)
            except xmlrpc.client.Fault as exc:
                raise self._fault_error(exc, what, url)
            except xmlrpc.client.ProtocolError as exc:
                status = exc.errcode
                if 300 <= status < 400:
                    raise self._redirect_error(exc, url)
                headers = dict((str(k).lower(), v) for k, v in (exc.headers or {}).items())
                delay = self.retry.delay_for_status(status, headers.get('retry-after'), attempt, not read)
                if delay is not None and attempt < retries:
                    attempt = self._pause(attempt, method, 'HTTP %s' % status, delay)
                    continue
                raise errors.error_class_for_status(status)(
                    'Could not ' + what, status=status, api_message=self.redact(str(exc.errmsg))[:200], url=url)
            except ResponseTooLarge as exc:
                raise errors.ResponseFormatError(
                    'Could not ' + what, url=url,
                    api_message='%s is larger than the %d MiB limit' % (exc.part, exc.limit // MIB),
                    hint='check that hostname points at a XenServer host, or raise max_response_size')
            except DeadlinePassed as exc:
                delay = self.retry.delay_for_failure(attempt, read and attempt < retries)
                if delay is not None:
                    attempt = self._pause(attempt, method, 'deadline passed', delay)
                    continue
                raise errors.TransportError(
                    'Could not ' + what, url=url,
                    api_message='no complete answer within %gs (the call deadline: connect_timeout + read_timeout)'
                                % exc.seconds,
                    hint='check the host and network' if read else
                    'the call changes state and may have been processed, so it was not repeated; '
                    'check the object before running again')
            except ssl.SSLError as exc:
                raise errors.TransportError('Could not ' + what, url=url,
                                            api_message='TLS verification failed (%s)' % self.redact(str(exc))[:200],
                                            hint='check ca_path, or the server certificate; validate_certs: false only for a lab')
            except ExpatError:
                raise errors.ResponseFormatError('Could not ' + what, url=url, api_message='the answer is not XML-RPC',
                                                 hint=HOST_HINT)
            except TypeError as exc:
                # xmlrpc.client cannot encode the call.
                raise errors.ResponseFormatError('Could not ' + what, url=url,
                                                 api_message=self.redact('unexpected XML-RPC content: %s' % exc)[:200],
                                                 hint=HOST_HINT)
            except (OSError, http.client.HTTPException) as exc:
                repeatable = read or never_sent(exc)
                delay = self.retry.delay_for_failure(attempt, repeatable and attempt < retries)
                if delay is not None:
                    attempt = self._pause(attempt, method, type(exc).__name__, delay)
                    continue
                raise self._transport_error(exc, what, url, maybe_processed=not repeatable)

    def _malformed(self, what, exc, url=None):
        """The error for an answer of the wrong shape (:class:`.faults.MalformedAnswer`)."""
        return errors.ResponseFormatError('Could not ' + what, url=url or self.where, hint=HOST_HINT,
                                          api_message=self.redact(exc.reason)[:300])

    def _pause(self, attempt, method, reason, delay):
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
        """One ``event.from`` batch: ``{'events': [...], 'token': ...}``, each event naming its class,
        reference and operation, with a well-formed record (``snapshot``) unless deleted."""
        what = what or 'read XenServer events'
        batch = self.call('event.from', list(subscriptions), token, float(timeout), what=what)
        try:
            if not isinstance(batch, dict) or not isinstance(batch.get('events'), list):
                raise MalformedAnswer('event.from answered %s instead of a map with a list of events' % kind(batch))
            if not isinstance(batch.get('token', ''), str):
                raise MalformedAnswer('event.from answered a token that is %s' % kind(batch.get('token')))
            for event in batch['events']:
                if not isinstance(event, dict) or not all(isinstance(event.get(k), str) for k in ('class', 'ref', 'operation')):
                    raise MalformedAnswer('event.from answered an event that is %s without class, ref and operation'
                                          % kind(event))
                if event['operation'] != 'del' and 'snapshot' in event:
                    check_record(event['class'], event['ref'], event['snapshot'])
        except MalformedAnswer as exc:
            raise self._malformed(what, exc)
        return batch

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

    def records_of(self, classes, what=None):
        """Every object of ``classes`` in one ``event.from`` call: ``{class (lower case): {ref: record}}``."""
        batch = self.event_from(list(classes), '', 0.0, what=what or 'read XenServer objects')
        found = dict((cls.lower(), {}) for cls in classes)
        for event in batch.get('events', []):
            records = found.setdefault(str(event.get('class')).lower(), {})
            if event.get('operation') == 'del':
                records.pop(event.get('ref'), None)
            elif 'snapshot' in event:
                records[event['ref']] = event['snapshot']
        for records in found.values():
            self.remember(records)
        return found

    def watch(self, subscriptions, done, timeout, what, hint=None):
        """Follow the objects ``subscriptions`` selects through ``event.from`` until ``done(records)``
        returns a true value (returned), or raise WaitTimeoutError after ``timeout`` seconds.
        ``records`` maps each reference to its latest record (None once deleted)."""
        deadline = self.clock.monotonic() + float(timeout)
        records, token = {}, ''
        while True:
            remaining = max(0.0, deadline - self.clock.monotonic())
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
            if self.clock.monotonic() >= deadline:
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
        what = what or 'list %s objects' % cls
        if where:
            records = self.call('%s.get_all_records_where' % cls, where, what=what)
        else:
            records = self.call('%s.get_all_records' % cls, what=what)
        try:
            check_records(cls, records)
        except MalformedAnswer as exc:
            raise self._malformed(what, exc)
        self.remember(records)
        return records


def quote(value):
    """A string literal of the XAPI filter language (which has no escapes)."""
    value = str(value)
    if '"' in value:
        raise errors.InputError('Names with double quotes cannot be looked up ("%s")' % value,
                                hint='identify the object by uuid instead')
    return '"%s"' % value
