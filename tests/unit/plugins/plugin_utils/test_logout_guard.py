"""The logout guard's two sides without sockets: what the source tells its helper, and what the helper
decides from the messages (log out the last session shown, unless told the source closed it)."""

import io
import json

from ansible_collections.opencitrix.automation.plugins.plugin_utils.logout_guard import LogoutGuard, guard


class FakeSession:
    def __init__(self, handle=None):
        self.handle = handle
        self.master_url = None
        self.url = 'https://xs.example'
        self.local = False
        self.validate_certs = True
        self.ca_path = '/etc/ca.pem'
        self.connect_timeout = 10.0
        self.read_timeout = 60.0


class FakeProcess:
    def __init__(self, args, **kwargs):
        self.args = args
        self.kwargs = kwargs
        self.stdin = io.BytesIO()
        self.stdin.close = lambda: setattr(self, 'closed', True)
        self.closed = False
        self.waited = False

    def wait(self, timeout=None):
        self.waited = True
        return 0

    def messages(self):
        return [json.loads(line) for line in self.stdin.getvalue().decode().splitlines()]


def test_the_helper_starts_with_the_first_session_and_hears_of_every_change_once():
    started = []

    def popen(args, **kwargs):
        started.append(FakeProcess(args, **kwargs))
        return started[-1]

    session = FakeSession()
    logout_guard = LogoutGuard(popen=popen)
    logout_guard.follow(session)
    assert started == []  # no session yet, no helper
    session.handle = 'OpaqueRef:one'
    logout_guard.follow(session)
    logout_guard.follow(session)
    session.handle, session.master_url = 'OpaqueRef:two', 'https://xs-2.example'
    logout_guard.follow(session)
    [process] = started
    assert process.args[1].endswith('logout_guard.py') and process.kwargs['start_new_session'] is True
    assert all('OpaqueRef' not in arg for arg in process.args)  # the reference only goes through the pipe
    shown = process.messages()
    assert [(m['url'], m['handle']) for m in shown] == [
        ('https://xs.example', 'OpaqueRef:one'), ('https://xs-2.example', 'OpaqueRef:two')]
    assert shown[0]['ca_path'] == '/etc/ca.pem' and shown[0]['timeout'] == 15.0
    logout_guard.release()
    assert process.messages()[-1] == {'done': True} and process.closed and process.waited


def test_watching_follows_the_session_even_when_the_call_fails():
    process = []
    session = FakeSession('OpaqueRef:one')

    def popen(args, **kwargs):
        process.append(FakeProcess(args, **kwargs))
        return process[-1]

    logout_guard = LogoutGuard(popen=popen)

    def failing():
        session.handle = 'OpaqueRef:renewed'
        raise RuntimeError('boom')
    try:
        logout_guard.watching(session, failing)()
    except RuntimeError:
        pass
    assert process[0].messages()[-1]['handle'] == 'OpaqueRef:renewed'


def test_the_helper_logs_out_what_it_was_last_shown_unless_told_done():
    one = json.dumps({'url': 'https://xs', 'handle': 'OpaqueRef:one'})
    two = json.dumps({'url': 'https://xs', 'handle': 'OpaqueRef:two'})
    assert guard([one, two])['handle'] == 'OpaqueRef:two'  # the pipe ended: the source is gone
    assert guard([one, 'not json', two, json.dumps({'done': True})]) is None
    assert guard([]) is None
