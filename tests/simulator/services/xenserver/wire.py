"""XenAPI values on the wire, as xapi sends them (the XenServer service's rendering): 64-bit ints as
strings, map keys as strings, ``void`` as ``""``, dates as XML-RPC ``dateTime.iso8601``, and a task's
``result`` as an XML-RPC ``<value>`` document."""

import time
import xmlrpc.client
from xml.sax.saxutils import escape


class Wired:
    """A value already in wire form (skips the encoder)."""

    def __init__(self, value):
        self.value = value


def wire(value):
    """Python values as xapi sends them: ints (64-bit) as strings, map keys as strings."""
    if isinstance(value, bool) or value is None:
        return value if value is not None else ''
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dict):
        return {str(k): wire(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [wire(v) for v in value]
    return value


def task_result(value):
    """``task.result``: the operation's return value as an XML-RPC ``<value>`` ("" for void)."""
    if value is None or value == '':
        return ''
    if isinstance(value, str):
        return '<value>%s</value>' % escape(value)
    text = xmlrpc.client.dumps((wire(value),))
    return text[text.index('<value>'):text.rindex('</value>') + len('</value>')]


def datetime(seconds):
    """A simulator time (epoch seconds) as an XML-RPC ``dateTime.iso8601``."""
    return xmlrpc.client.DateTime(time.gmtime(seconds))
