"""A small hostile HTTP server for the tests of deadlines and size limits: it answers every connection with
one behaviour (a drip, a 1 GiB body, a gzip bomb, a 1 GiB XML-RPC answer), streaming as much as the client
reads, and counts the bytes it sent."""

import socket
import threading
import time
import zlib

GIB = 1024 * 1024 * 1024
PIECE = 1024 * 1024


class HostileServer:
    """Answers every connection with one behaviour, streaming as much as the client reads."""

    def __init__(self, behaviour):
        self.behaviour = behaviour
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(('127.0.0.1', 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.sent = 0
        self._stop = False
        threading.Thread(target=self._serve, daemon=True).start()

    @property
    def url(self):
        return 'http://127.0.0.1:%d' % self.port

    def close(self):
        self._stop = True
        self.sock.close()

    def _serve(self):
        while not self._stop:
            try:
                conn, _address = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn):
        try:
            request = b''
            while b'\r\n\r\n' not in request:
                data = conn.recv(65536)
                if not data:
                    return
                request += data
            for chunk in getattr(self, '_' + self.behaviour)():
                conn.sendall(chunk)
                self.sent += len(chunk)
        except OSError:
            pass
        finally:
            conn.close()

    @staticmethod
    def _drip_body():
        yield b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{'
        for _piece in range(600):
            time.sleep(0.5)
            yield b' '

    @staticmethod
    def _drip_headers():
        for byte in b'HTTP/1.1 200 OK\r\nX-Slow: ' + b'a' * 600:
            time.sleep(0.5)
            yield bytes([byte])

    @staticmethod
    def _huge_json():
        yield b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n{"items": ["'
        block = b'x' * PIECE
        for _piece in range(GIB // PIECE):
            yield block

    @staticmethod
    def _gzip_bomb():
        yield (b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\n'
               b'Connection: close\r\n\r\n')
        compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
        zeros = b'0' * PIECE
        for _piece in range(GIB // PIECE):
            out = compressor.compress(zeros)
            if out:
                yield out
        yield compressor.flush()

    @staticmethod
    def _xmlrpc_huge():
        yield (b'HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nConnection: close\r\n\r\n'
               b'<?xml version="1.0"?><methodResponse><params><param><value><struct><member><name>Status</name>'
               b'<value>Success</value></member><member><name>Value</name><value>OpaqueRef:')
        block = b'f' * PIECE
        for _piece in range(GIB // PIECE):
            yield block
