"""Messages to user sessions (``POST /Sessions/{id}/$sendMessage``) and what users do about them.

Every message is recorded on the estate (``estate.messages``: session, user, machine, title, text, style,
simulator time), so tests can assert what users saw. With ``estate.message_logoff`` set
(``{'share': 0.7, 'after': [60, 600]}``), that share of the sessions that get a message log off by
themselves, each at a simulator time drawn between the two bounds (seconds after its first message).
Nothing runs in the background: :func:`settle_logoffs` ends the sessions whose time has come, before a
request is answered. The draws come from a generator seeded with the session id, so they do not depend on
the order requests arrive in.
"""

import bisect
import random

from tests.simulator.services.daas.errors import fail

MESSAGE_STYLES = ('Unknown', 'Critical', 'Question', 'Exclamation', 'Information')


def send_message(estate, site, session, body):
    """Record a ``SendMessageRequestModel`` for ``session``; may schedule the user's log-off."""
    if not isinstance(body, dict):
        fail(400, 'InvalidArgument', 'The request body must be a SendMessageRequestModel object.')
    style = body.get('Style') or 'Information'
    if style not in MESSAGE_STYLES:
        fail(400, 'InvalidArgument', 'Style must be one of %s.' % ', '.join(MESSAGE_STYLES))
    text = body.get('Text')
    if not isinstance(text, str) or not text.strip():
        fail(400, 'InvalidArgument', 'Text is required.')
    title = body.get('Title')
    if title is not None and not isinstance(title, str):
        fail(400, 'InvalidArgument', 'Title must be a string.')
    machine = site.machines.get(session['Machine'])
    now = estate.clock.now()
    record = {'session_id': session['Id'], 'user': session['User'], 'machine': machine['Name'] if machine else None,
              'machine_id': session['Machine'], 'title': title, 'text': text, 'style': style, 'at': now,
              'site': site.id}
    first = not any(m['session_id'] == session['Id'] for m in estate.messages)
    estate.messages.append(record)
    plan = estate.message_logoff
    if first and plan:
        draw = random.Random('logoff-%s' % session['Id'])
        if draw.random() < float(plan.get('share', 1.0)):
            low, high = plan.get('after', (60, 600))
            bisect.insort(estate.pending_logoffs, (now + draw.uniform(float(low), float(high)), site.id, session['Id']))
    return record


def settle_logoffs(estate):
    """End the sessions whose users have decided to log off by now."""
    pending = estate.pending_logoffs
    if not pending:
        return
    now = estate.clock.now()
    while pending and pending[0][0] <= now:
        _at, site_id, session_id = pending.pop(0)
        site = estate.sites.get(site_id)
        if site is not None and session_id in site.sessions:
            estate.logoff(site, session_id, by='user')
