"""The request vocabulary of XenMobile's filter endpoints: ``filterIds`` (a string holding a quoted
list), device and application filter ids as predicates (ids of one category OR-ed, categories AND-ed,
as the console's filter tree), and the ``start``/``limit``/``enableCount`` fields."""

import datetime
import functools
import re

from tests.simulator.services.xenmobile.rendering import invalid

INACTIVE_DAYS = {'8.hours': 8 / 24.0, '24.hours': 1, '7.days': 7, '30.days': 30, 'more.than.30.days': 30}
APP_TYPES = {'mdx': 'MDX', 'enterprise': 'Enterprise', 'store': 'App Store App', 'weblink': 'Web Link', 'saas': 'SaaS'}
APP_PLATFORMS = {'androidknox': 'android_knox', 'androidwork': 'android_work', 'windows8': 'windows',
                 'winphone': 'windows', 'windowsce': 'windows'}


def int_field(body, key, default=None):
    """``start``/``limit``: the facts show strings ("0", "10"); numbers are accepted too."""
    value = body.get(key)
    if value is None or value == '':
        return default
    if isinstance(value, bool):
        invalid('%s must be a number' % key)
    try:
        number = int(value)
    except (TypeError, ValueError):
        invalid('%s must be a number, got %r' % (key, value))
    if number < 0:
        invalid('%s must not be negative' % key)
    return number


def flag(body, key, default=True):
    value = body.get(key)
    if value is None:
        return default
    return str(value).lower() not in ('false', '0', 'no')


def parse_filter_ids(value):
    """``filterIds`` is a string holding a single-quoted list, e.g. "['device.platform.ios']"."""
    if value is None or value == '':
        return []
    if not isinstance(value, str):
        invalid('filterIds must be a string such as "[\'device.mode.enterprise.managed\']", not %s'
                % type(value).__name__)
    text = value.strip()
    if not (text.startswith('[') and text.endswith(']')):
        invalid('filterIds must be a bracketed list of quoted filter ids')
    return re.findall(r"'([^']*)'", text)


def sort_key_text(value):
    return (value is None, str(value).lower() if value is not None else '')


def _equals(key, expected, record):
    return record.get(key) == expected


def _contains(key, member, record):
    return member in record.get(key, ())


def _present(key, record):
    return record.get(key) is not None


def _idle_since(limit, record):
    return record['_last'] is None or record['_last'] < limit


def _all_categories(categories, record):
    return all(any(test(record) for test in tests) for tests in categories.values())


def device_filter(fid, now):
    """``(category, predicate)`` of one device filter id, or None for an id we do not know.
    ``device.inactive.time.X`` means no access within X."""
    for prefix, category, key in (('device.mode.', 'mode', '_mode_state'), ('device.platform.', 'platform', '_platform'),
                                  ('device.ownership.', 'ownership', '_ownership')):
        if fid.startswith(prefix):
            return category, functools.partial(_equals, key, fid[len(prefix):].lower())
    if fid.startswith('device.inactive.time.') and fid[len('device.inactive.time.'):] in INACTIVE_DAYS:
        days = INACTIVE_DAYS[fid[len('device.inactive.time.'):]]
        return 'inactive', functools.partial(_idle_since, now - datetime.timedelta(days=days))
    if fid == 'device.status.jailbroken':
        return 'status', functools.partial(_equals, 'jailBroken', True)
    if fid == 'device.status.out.of.compliance':
        return 'status', functools.partial(_equals, '_compliant', False)
    group = re.match(r'^group#/group/(.+)@_fn_@normal$', fid)
    if group:
        return 'group', functools.partial(_contains, '_groups', group.group(1))
    return None


def app_filter(fid):
    """``(category, predicate)`` of one application filter id, or None."""
    kind = APP_TYPES.get(fid[len('application.type.'):]) if fid.startswith('application.type.') else None
    if kind:
        return 'type', functools.partial(_equals, 'appType', kind)
    if fid.startswith('application.platform.'):
        platform = fid[len('application.platform.'):]
        return 'platform', functools.partial(_present, APP_PLATFORMS.get(platform, platform))
    for pattern, category, key in ((r'^application\.category#(.+)@_fn_@app\.cat$', 'category', 'categories'),
                                   (r'^application\.deliverygroup#(.+)@_fn_@app\.dg$', 'deliverygroup', 'roles')):
        match = re.match(pattern, fid)
        if match:
            return category, functools.partial(_contains, key, match.group(1))
    return None


def build_matcher(filter_ids, parse):
    """A predicate for a record: filter ids of one category are OR-ed, categories AND-ed (like the
    console's filter tree). An unknown id is a 400."""
    categories = {}
    for fid in filter_ids:
        parsed = parse(fid)
        if parsed is None:
            invalid('Unknown filter id: %s' % fid)
        categories.setdefault(parsed[0], []).append(parsed[1])
    return functools.partial(_all_categories, categories)
