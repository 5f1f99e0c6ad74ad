"""Enrollment invitations of XenMobile ([P21] §3.19.4-3.19.7, the PDF that ../shared/specs/xenmobile/facts.md
cites): ``POST enrollment`` creates one invitation per platform of a user and answers their ``urls``;
``POST enrollment/filter`` lists invitations (``enrollmentFilterResponse.enrollmentList``), paged and
filtered like the device filter; ``POST enrollment/revoke`` and ``DELETE enrollment`` take a JSON array
of invitation tokens. With the ``DEVICES`` permission (our choice); successful writes go to the journal."""

import secrets
import uuid

from tests.simulator.base import Route, Routes
from tests.simulator.services.xenmobile.auth_routes import API
from tests.simulator.services.xenmobile.filters import build_matcher, flag, int_field, parse_filter_ids, sort_key_text
from tests.simulator.services.xenmobile.rendering import failed, invalid, ok

PLATFORMS = {'iOS': 'iOS', 'SHTP': 'Android', 'MACOSX': 'macOS'}
OWNERSHIP = ('CORPORATE', 'BYOD', 'NO_BINDING')
MODES = ('classic', 'high_security', 'invitation', 'invitation_pin', 'invitation_pwd', 'username_pin', 'two_factor')
BINDINGS = ('UDID', 'SERIALNUMBER', 'IMEI')
CATEGORIES = ('ENROLLMENT_AGENT', 'ENROLLMENT_URL', 'ENROLLMENT_PIN', 'ENROLLMENT_CONFIRMATION')
SORT = {'ID': 'createTime', 'USERNAME': 'userName', 'TOKEN': 'token', 'TYPE': 'type', 'MODE': 'mode',
        'STATUS': 'status', 'CREATE_TIME': 'createTime', 'VALID_UNTIL': 'validUntil'}
STATUS_FILTERS = ('redeemed', 'pending', 'expired', 'failed')


def enrollment_filter(fid):
    """``(category, predicate)`` of an invitation filter id (the §3.19.5 table, including its
    ``enrollment.invitationStatus.ios`` for iOS), or None."""
    if fid.startswith('enrollment.invitationStatus.') and fid.rsplit('.', 1)[1] in STATUS_FILTERS:
        status = fid.rsplit('.', 1)[1].upper()
        return 'status', lambda r: r['status'] == status
    if fid in ('enrollment.invitationStatus.ios', 'enrollment.invitationPlatform.ios'):
        return 'platform', lambda r: r['type'] == 'iOS'
    if fid == 'enrollment.invitationPlatform.android':
        return 'platform', lambda r: r['type'] == 'SHTP'
    if fid.startswith('enrollment.ownership.'):
        owner = fid.rsplit('.', 1)[1].upper()
        return 'ownership', lambda r: r['_ownership'] == ('NO_BINDING' if owner == 'UNKNOWN' else owner)
    if fid.startswith('enrollment.invitationMode#') and fid.endswith('@_fn_@invitation'):
        mode = fid[len('enrollment.invitationMode#'):-len('@_fn_@invitation')]
        return 'mode', lambda r: r['mode'] == mode
    return None


def template_categories(given):
    names = dict((c.get('category'), (c.get('notificationTemplate') or {}).get('name'))
                 for c in given or () if isinstance(c, dict))
    return [{'category': category, 'categoryLabel': category.replace('_', ' ').title(),
             'notificationTemplate': ({'id': n + 1, 'name': names[category]}
                                      if names.get(category) not in (None, '', 'NONE') else None)}
            for n, category in enumerate(CATEGORIES)]


def public(record):
    return dict((k, v) for k, v in record.items() if not k.startswith('_'))


class EnrollmentRoutes(Routes):
    """Handlers over ``state``; ``auth`` (an :class:`~.auth_routes.AuthRoutes`) checks the session."""

    def _checked(self, body):
        platforms = body.get('platforms') or ([body['platform']] if body.get('platform') else None)
        if not isinstance(platforms, list) or not platforms or any(p not in PLATFORMS for p in platforms):
            invalid('platforms must be a list of iOS, SHTP or MACOSX')
        if body.get('deviceOwnership', 'NO_BINDING') not in OWNERSHIP:
            invalid('deviceOwnership must be CORPORATE, BYOD or NO_BINDING')
        if body.get('deviceBindingType') not in (None, '') + BINDINGS:
            invalid('deviceBindingType must be UDID, SERIALNUMBER or IMEI')
        if not isinstance(body.get('userName'), str) or not body['userName'].strip():
            invalid('userName is required (group invitations are not simulated)')
        return platforms

    def create(self, request):
        inst = self.auth.session(request, 'DEVICES')
        body = request.json()
        if not isinstance(body, dict):
            invalid('the request body must be a JSON object')
        platforms = self._checked(body)
        mode = (body.get('mode') or {}).get('name', 'classic') if isinstance(body.get('mode'), dict) else None
        if mode not in MODES:
            return failed('Enrollment mode %s is not enabled on this server.' % mode)
        host = 'https://%s:8443' % request.header('Host', 'xms.example.com').split(':')[0]
        now_ms = int(self.state.clock.now() * 1000)
        urls = []
        with self.state.lock:
            for platform in platforms:
                token = 'ep-%s' % uuid.UUID(int=secrets.randbits(128), version=4)
                inst.enrollments.append({
                    'token': token, 'type': platform, 'typeLabel': PLATFORMS[platform], 'mode': mode,
                    'userName': body['userName'], 'deviceBindingType': body.get('deviceBindingType') or None,
                    'deviceBindingTypeLabel': None, 'deviceBindingData': body.get('deviceBindingData') or None,
                    'secret': body.get('pin') if mode != 'classic' else None, 'createTime': now_ms,
                    'validUntil': None, 'status': 'PENDING',
                    'statusLabel': '_X_ew_FILTER_DEVICE_INVITATION_STATUS_PENDING',
                    'notificationTemplateCategories': template_categories(body.get('notificationTemplateCategories')),
                    '_ownership': body.get('deviceOwnership', 'NO_BINDING'), '_notified': bool(body.get('notifyNow'))})
                urls.append({'token': token, 'url': '%s/zdm/su?e=%s' % (host, token), 'platform': platform})
            inst.journal.append({'route': 'enrollment', 'names': ['%s/%s' % (body['userName'], p) for p in platforms]})
        return ok(urls=urls)

    def filter(self, request):
        inst = self.auth.session(request, 'DEVICES')
        body = request.json() or {}
        if not isinstance(body, dict):
            invalid('the request body must be a JSON object')
        start, limit = int_field(body, 'start', 0), int_field(body, 'limit')
        matcher = build_matcher(parse_filter_ids(body.get('filterIds')), enrollment_filter)
        column = str(body.get('sortColumn') or 'ID').upper()
        if column not in SORT:
            invalid('Unknown sortColumn: %s' % column)
        search = str(body.get('search') or '').lower()
        with self.state.lock:
            records = [dict(r) for r in inst.enrollments]
        matched = [r for r in records if matcher(r) and (
            not search or search in r['userName'].lower() or search in r['token'].lower())]
        matched.sort(key=lambda r: sort_key_text(r[SORT[column]]),
                     reverse=str(body.get('sortOrder') or 'ASC').upper() == 'DESC')
        page = matched[start:start + limit] if limit is not None else matched[start:]
        counted = flag(body, 'enableCount')
        return ok(enrollmentFilterResponse={
            'currentFilter': {'detail': [], 'selectedFilters': parse_filter_ids(body.get('filterIds'))},
            'enrollmentList': {'enrollments': [public(r) for r in page], 'count': len(page),
                               'totalCount': len(matched) if counted else 0}})

    def _tokens(self, request):
        body = request.json()
        if not isinstance(body, list) or not body or not all(isinstance(t, str) for t in body):
            invalid('the request body must be a JSON array of invitation tokens')
        return body

    def revoke(self, request):
        inst = self.auth.session(request, 'DEVICES')
        tokens = set(self._tokens(request))
        with self.state.lock:
            hit = [r for r in inst.enrollments if r['token'] in tokens and r['status'] == 'PENDING']
            for record in hit:  # our choice: a revoked invitation is shown as FAILED, the closest listed status
                record.update(status='FAILED', statusLabel='_X_ew_FILTER_DEVICE_INVITATION_STATUS_FAILED')
            if hit:
                inst.journal.append({'route': 'enrollment_revoke', 'names': [r['token'] for r in hit]})
        return ok(message='Revoked Enrollment Tokens Successfully')

    def remove(self, request):
        inst = self.auth.session(request, 'DEVICES')
        tokens = set(self._tokens(request))
        with self.state.lock:
            gone = [r['token'] for r in inst.enrollments if r['token'] in tokens]
            inst.enrollments = [r for r in inst.enrollments if r['token'] not in tokens]
            if gone:
                inst.journal.append({'route': 'enrollment_remove', 'names': gone})
        return ok(message='Removed Enrollment Tokens Successfully')

    def routes(self):
        return [
            Route('POST', API + r'/enrollment', self.create, 'xenmobile.enrollment_create', write=True),
            Route('POST', API + r'/enrollment/filter', self.filter, 'xenmobile.enrollment_filter'),
            Route('POST', API + r'/enrollment/revoke', self.revoke, 'xenmobile.enrollment_revoke', write=True),
            Route('DELETE', API + r'/enrollment', self.remove, 'xenmobile.enrollment_remove', write=True),
        ]
