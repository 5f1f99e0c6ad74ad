# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A XenServer session that does not outlive the process that opened it, however that process ends.

ansible-rulebook runs its rule engine in a JVM inside its own process, and the JVM takes over SIGTERM and
SIGINT: the process exits within about half a second, without cancelling the event sources and without
running any Python clean-up (``finally``, ``atexit``). A source's session would stay open on the pool
until xapi drops it (after 24 hours idle, or as the oldest of 500 per originator).

So the source hands its session to a small helper process (this file, run with the same interpreter)
through a pipe: the pool's URL, the TLS settings and the session reference, again whenever they change.
The helper ignores SIGINT, SIGTERM and SIGHUP and waits on the pipe. When the source closes its session
itself, it says so and the helper exits. When the pipe ends without that (the source's process is gone,
whatever ended it), the helper logs the session out with one ``session.logout`` call and exits.

The session reference travels only through the pipe, never on a command line or in the environment.
What remains: a helper killed together with its parent (``SIGKILL`` to the whole cgroup, as a container
runtime does after its grace period) cannot log out; xapi's own limits then apply.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import signal
import socket
import ssl
import subprocess
import sys
import xmlrpc.client

LOGOUT_TIMEOUT = 15.0


class LogoutGuard:
    """The parent's side: starts the helper on the first session it is shown, keeps it up to date with
    :meth:`follow`, and lets it go with :meth:`release` once the session was logged out normally."""

    def __init__(self, log=None, popen=subprocess.Popen):
        self.log = log
        self.popen = popen
        self.process = None
        self.shown = None

    def _send(self, process, message):
        try:
            process.stdin.write((json.dumps(message) + '\n').encode('utf-8'))
            process.stdin.flush()
            return True
        except (OSError, ValueError) as exc:
            if self.log:
                self.log('the logout helper stopped listening (%s); the session is logged out on shutdown only'
                         % type(exc).__name__)
            return False

    def follow(self, session):
        """Show the helper ``session``'s current reference (a XenServerSession); nothing while it has none."""
        handle = session.handle
        if handle is None:
            return
        message = {'url': session.master_url or session.url, 'local': session.local, 'handle': handle,
                   'validate_certs': session.validate_certs, 'ca_path': session.ca_path,
                   'timeout': min(LOGOUT_TIMEOUT, session.connect_timeout + session.read_timeout)}
        if message == self.shown:
            return
        if self.process is None:
            self.process = self.popen([sys.executable, os.path.abspath(__file__)], stdin=subprocess.PIPE,
                                      stdout=subprocess.DEVNULL, close_fds=True, start_new_session=True)
        if self._send(self.process, message):
            self.shown = message

    def release(self):
        """The session was logged out normally: the helper exits without a call."""
        process, self.process, self.shown = self.process, None, None
        if process is None:
            return
        self._send(process, {'done': True})
        try:
            process.stdin.close()
        except OSError:
            pass
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def watching(self, session, produce):
        """``produce`` (a blocking call that may log in, renew or move the session), followed by showing the
        helper the session as it is afterwards."""
        def produce_and_follow():
            try:
                return produce()
            finally:
                self.follow(session)
        return produce_and_follow


# -- the helper process ---------------------------------------------------------------------------

def logout(message):
    """One ``session.logout`` of ``message['handle']`` at ``message['url']``; best effort."""
    socket.setdefaulttimeout(float(message.get('timeout') or LOGOUT_TIMEOUT))
    url = message['url']
    if message.get('local'):
        import XenAPI  # pylint: disable=import-outside-toplevel
        proxy = xmlrpc.client.ServerProxy(url, transport=XenAPI.UDSTransport())
    elif url.startswith('https://'):
        if message.get('validate_certs', True):
            context = ssl.create_default_context(cafile=message.get('ca_path') or None)
        else:
            context = ssl.create_default_context()
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        proxy = xmlrpc.client.ServerProxy(url, context=context)
    else:
        proxy = xmlrpc.client.ServerProxy(url)
    try:
        proxy.session.logout(message['handle'])
    finally:
        proxy('close')()


def guard(lines):
    """Follow the parent's messages (JSON lines) until ``done`` (return None) or the end of the pipe
    (return the last session shown, which is still open)."""
    last = None
    for line in lines:
        try:
            message = json.loads(line)
        except ValueError:
            continue
        if message.get('done'):
            return None
        if message.get('handle'):
            last = message
    return last


def main():
    for name in ('SIGINT', 'SIGTERM', 'SIGHUP'):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_IGN)
    left_open = guard(sys.stdin.buffer)
    if left_open is None:
        return 0
    try:
        logout(left_open)
    except Exception as exc:  # pylint: disable=broad-except
        sys.stderr.write('opencitrix.automation: could not log out the XenServer session of a stopped event '
                         'source at %s (%s)\n' % (left_open['url'], type(exc).__name__))
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
