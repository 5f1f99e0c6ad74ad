"""Fault injection: :class:`Faults` holds the rules (what to match, how often), :func:`play` acts one
out on the wire (a status, an HTML error page, a truncated body, a reset, a timeout, a redirect)."""

import fnmatch
import re
import threading
import time
import uuid

from tests.simulator.base import Response


class Faults:
    """Injected failures. A rule matches on ``route`` (fnmatch on the route name), ``service``,
    ``method``, ``path`` (regex) and ``listener``; ``after`` skips that many matches first; ``times``
    limits how often it fires (-1: always). Actions: ``status`` (answer with ``status``, ``headers``,
    ``body``), ``html`` (an HTML error page), ``malformed`` (truncated JSON with status 200),
    ``reset`` (TCP reset before answering), ``reset_mid_body`` (headers and half a body, then reset),
    ``timeout`` (hold the request ``seconds`` real seconds, then drop it), ``redirect`` (answer
    ``status``, 307 by default, with ``Location: location``, where ``{path}`` stands for the request's
    path and query), ``lost_answer`` (the request is processed, its writes counted, then the connection
    is reset instead of answering: a write that happened although the client never heard of it).
    ``content_type`` replaces the JSON media type of ``malformed`` and ``reset_mid_body`` (a truncated
    XML answer of an XML API). Only ``status`` rules apply to the items of a batch request (they answer
    the item, see :meth:`match`'s ``actions``)."""

    ACTIONS = ('status', 'html', 'malformed', 'reset', 'reset_mid_body', 'timeout', 'redirect', 'lost_answer')

    def __init__(self):
        self._lock = threading.Lock()
        self.rules = []

    def add(self, action='status', route=None, service=None, method=None, path=None, listener=None,
            times=1, after=0, status=None, headers=None, body=None, seconds=5.0, content_type=None, location=None):
        if action not in self.ACTIONS:
            raise ValueError('unknown fault action %r' % action)
        if (action == 'redirect') != (location is not None):
            raise ValueError('location goes with the redirect action, and only with it')
        rule = {'id': uuid.uuid4().hex[:8], 'action': action, 'route': route, 'service': service,
                'method': method, 'path': re.compile(path) if path else None, 'listener': listener,
                'times': times, 'after': after, 'status': status, 'headers': headers or {}, 'body': body,
                'seconds': seconds, 'content_type': content_type, 'location': location, 'fired': 0}
        with self._lock:
            self.rules.append(rule)
        return rule['id']

    def clear(self):
        with self._lock:
            self.rules = []

    def match(self, route, method, path, listener, actions=None):
        """The first rule matching the request (counted as fired), or None; ``actions``: only rules with
        one of these actions are considered."""
        with self._lock:
            for rule in self.rules:
                if rule['times'] == 0 or (actions is not None and rule['action'] not in actions):
                    continue
                if rule['route'] and not (route and fnmatch.fnmatchcase(route.name, rule['route'])):
                    continue
                if rule['service'] and not (route and route.service == rule['service']):
                    continue
                if rule['method'] and rule['method'] != method:
                    continue
                if rule['path'] and not rule['path'].search(path):
                    continue
                if rule['listener'] and rule['listener'] != listener:
                    continue
                if rule['after'] > 0:
                    rule['after'] -= 1
                    continue
                if rule['times'] > 0:
                    rule['times'] -= 1
                rule['fired'] += 1
                return dict(rule)
        return None

    def describe(self):
        with self._lock:
            return [{k: (v.pattern if hasattr(v, 'pattern') else v) for k, v in r.items()} for r in self.rules]


def play(handler, fault):
    """Answer (or fail to answer) one request the way ``fault`` says, through the request handler."""
    action = fault['action']
    if action == 'status':
        return handler.send(Response(fault['status'] or 500, fault['body'], fault['headers']))
    if action == 'html':
        status = fault['status'] or 502
        page = ('<html><head><title>%d Bad Gateway</title></head><body><center><h1>%d Bad Gateway'
                '</h1></center><hr><center>nginx</center></body></html>' % (status, status))
        return handler.send(Response(status, page, fault['headers'], content_type='text/html'))
    content_type = fault['content_type'] or 'application/json; charset=utf-8'
    if action == 'malformed':
        body = fault['body'] if isinstance(fault['body'], str) else '{"Items": [{"Id": "trunc'
        return handler.send(Response(fault['status'] or 200, body, fault['headers'], content_type=content_type))
    if action == 'timeout':
        time.sleep(float(fault['seconds']))
        return handler.reset_connection()
    if action == 'redirect':
        headers = dict(fault['headers'], Location=fault['location'].replace('{path}', handler.path))
        return handler.send(Response(fault['status'] or 307, fault['body'], headers))
    if action == 'reset_mid_body':
        handler.send_response(fault['status'] or 200)
        handler.send_header('Content-Type', content_type)
        handler.send_header('Content-Length', '4096')
        handler.end_headers()
        partial = fault['body'] if isinstance(fault['body'], str) else '{"Items": [{"Id": "partial", "Name": "'
        handler.wfile.write(partial.encode('utf-8'))
        handler.wfile.flush()
        return handler.reset_connection()
    return handler.reset_connection()
