# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The XML-RPC transport of XenServer sessions: a connect and a read timeout per socket operation, an
overall deadline per call (:mod:`...deadline`), one kept-alive HTTP/1.1 connection, TLS through an SSL
context, and answers read piece by piece (gzip-decoded as they arrive) up to a size limit for the whole
answer and for any one value in it, with the envelope checked before the XenAPI package reads it."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import http.client
import xmlrpc.client
import zlib
from xml.parsers.expat import ExpatError

from ansible_collections.opencitrix.automation.plugins.module_utils import deadline
from ansible_collections.opencitrix.automation.plugins.module_utils.transport import MIB, USER_AGENT
from ansible_collections.opencitrix.automation.plugins.module_utils.xenserver.faults import check_envelope

CHUNK = 65536
# A big pool's get_all_records answers run to tens of MiB (a real VM record is several KiB).
DEFAULT_MAX_RESPONSE_MIB = 128
MAX_VALUE_BYTES = 16 * 1024 * 1024


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
        return check_envelope(unmarshaller.close())

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
