"""Seed data for the XenMobile simulator: server properties, devices and apps of one server, and the
package files (IPA, APK) whose version the simulator reads on upload (``build_package`` makes them for
tests and the demo).

Shapes follow ../shared/specs/xenmobile/facts.md and seed 000. Values are invented but plausible:
property names beyond the ``xms.publicapi.*`` ones the facts name are simulator data, not a
catalogue of the real server's properties.
"""

import base64
import datetime
import io
import plistlib
import re
import uuid
import zipfile

# (name, value, display name, description). The xms.publicapi.* trio sets the token lifetime.
BASE_PROPERTIES = [
    ('xms.publicapi.timeout.type', 'STATIC_TIMEOUT', 'Public API token timeout type',
     'STATIC_TIMEOUT or INACTIVITY_TIMEOUT'),
    ('xms.publicapi.static.timeout', '60', 'Public API static timeout (minutes)',
     'Lifetime of a public API token when the timeout type is STATIC_TIMEOUT'),
    ('xms.publicapi.inactivity.timeout', '5', 'Public API inactivity timeout (minutes)',
     'Idle time after which a public API token expires when the timeout type is INACTIVITY_TIMEOUT'),
    ('sim.console.session.timeout', '30', 'Console session timeout (minutes)', 'Idle console sessions end after this'),
    ('sim.device.inactivity.days', '7', 'Device inactivity threshold (days)',
     'Devices without a connection for this long count as inactive'),
    ('sim.enrollment.invitation.ttl', '72', 'Enrollment invitation lifetime (hours)', 'How long an invitation URL works'),
    ('sim.ldap.connect.timeout', '60000', 'LDAP connect timeout (ms)', 'Connect timeout for directory look-ups'),
    ('sim.ldap.read.timeout', '60000', 'LDAP read timeout (ms)', 'Read timeout for directory look-ups'),
    ('sim.mam.offline.max.hours', '168', 'MAM offline period (hours)', 'Longest time MAM apps work offline'),
    ('sim.notification.trigger.enabled', 'true', 'Enable notification trigger', 'Send push notifications on policy changes'),
    ('sim.shp.enabled', 'false', 'Self-help portal', 'Let users manage their own devices'),
    ('sim.audit.log.retention.days', '90', 'Audit log retention (days)', 'Audit records older than this are purged'),
]


def property_record(pid, name, value, display_name=None, description=None, default_value=None):
    return {'id': pid, 'name': name, 'value': value, 'displayName': display_name or name,
            'description': description or '', 'defaultValue': value if default_value is None else default_value}


def base_properties(count):
    """``count`` properties: the named base set, then numbered filler properties."""
    records = []
    for name, value, display, description in BASE_PROPERTIES[:count]:
        records.append(property_record(len(records) + 1, name, value, display, description))
    n = 0
    while len(records) < count:
        n += 1
        records.append(property_record(len(records) + 1, 'sim.tuning.option.%03d' % n, str(n * 10),
                                       'Tuning option %d' % n, 'Simulator filler property %d' % n))
    return records


# -- devices ------------------------------------------------------------------------------------

PLATFORMS = [
    # (weight, platform, devicePlatform, deviceModel, productName, os versions)
    (45, 'iOS', 'iOS', 'iPhone', 'iPhone 15', ['17.6', '18.1', '18.2']),
    (40, 'Android', 'Android', 'SM-S921B', 'Galaxy S24', ['13', '14', '15']),
    (10, 'Windows', 'Windows', 'Surface', 'Surface Pro 9', ['10.0.22631']),
    (5, 'macOS', 'macOS', 'MacBookPro18,3', 'MacBook Pro', ['14.6', '15.1']),
]
GROUPS = ['Sales', 'Engineering', 'Support', 'Finance']


def format_last_access(when):
    """The API's display form, as in the facts: ``11/23/16 8:32 AM`` (no leading zeros)."""
    hour = when.hour % 12 or 12
    return '%d/%d/%02d %d:%02d %s' % (when.month, when.day, when.year % 100, hour, when.minute,
                                      'AM' if when.hour < 12 else 'PM')


def make_devices(count, rng, now, id_style='int'):
    """``count`` devices for about ``count / 1.6`` users. ``now``: a naive datetime (server local time).

    Internal attributes the filters use (mode, ownership, groups, last access time) live under
    keys starting with ``_``; the API response leaves them out."""
    devices = []
    users = max(1, int(count / 1.6))
    weights = [p[0] for p in PLATFORMS]
    for i in range(count):
        platform = rng.choices(PLATFORMS, weights)[0]
        owner = i % users + 1
        unassigned = i % 97 == 96  # a few kiosk / shared devices without a user
        age = rng.choice([rng.uniform(0, 2), rng.uniform(0, 10), rng.uniform(0, 45), rng.uniform(30, 200)])
        last = now - datetime.timedelta(days=age)
        never = i % 53 == 52
        device_id = str(uuid.UUID(int=rng.getrandbits(128))) if id_style == 'guid' else i + 1
        mode = rng.choice(['mdm', 'mdm', 'enterprise', 'mam'])
        managed = rng.random() > 0.08
        devices.append({
            'id': device_id,
            'serialNumber': 'SN%08d' % (i + 1),
            'imeiOrMeid': '35%013d' % (i + 1) if platform[1] != 'macOS' else '',
            'activeSyncId': 'AS%010X' % rng.getrandbits(40),
            'wifiMacAddress': ':'.join('%02x' % rng.getrandbits(8) for _octet in range(6)),
            'blueToothMacAccress': ':'.join('%02x' % rng.getrandbits(8) for _octet in range(6)),
            # seed 000 shows the login followed by the quoted short name
            'userName': '' if unassigned else 'user%d@acme.com "user%d"' % (owner, owner),
            'deviceName': '%s-%05d' % (platform[3].split()[0], i + 1),
            'deviceType': platform[3],
            'deviceModel': platform[3],
            'productName': platform[4],
            'platform': platform[1],
            'osVersion': rng.choice(platform[5]),
            'devicePlatform': platform[2],
            'managed': managed,
            'mdmKnown': mode != 'mam',
            'mamRegistered': mode in ('mam', 'enterprise'),
            'mamKnown': mode in ('mam', 'enterprise'),
            'jailBroken': i % 211 == 7,
            'gatewayBlocked': False,
            'deployFailed': rng.randint(0, 1) if i % 13 == 0 else 0,
            'deployPending': 0,
            'deploySuccess': rng.randint(3, 20),
            'lastAccess': '' if never else format_last_access(last),
            'inactivityDays': '' if never else str(int(age)),
            'shareable': unassigned,
            'sharedStatus': unassigned,
            'depRegistered': platform[1] == 'iOS' and i % 3 == 0,
            'properties': [
                {'id': 1, 'b64': False, 'name': 'SERIAL_NUMBER', 'displayName': 'Serial number',
                 'value': 'SN%08d' % (i + 1), 'group': 'Hardware'},
                {'id': 2, 'b64': False, 'name': 'CORPORATE_OWNED', 'displayName': 'Corporate owned',
                 'value': '1' if i % 3 else '0', 'group': 'General'},
            ],
            '_mode_state': '%s.%s' % (mode, 'managed' if managed else 'unmanaged'),
            '_platform': platform[1].lower().replace('macos', 'macosx'),
            '_ownership': 'corporate' if i % 3 else 'byod',
            '_groups': ['MSP'] + ([GROUPS[owner % len(GROUPS)]] if not unassigned else []),
            '_last': None if never else last,
            '_compliant': i % 17 != 3,
        })
    return devices


def make_enrollments(count, created_ms):
    """``count`` enrollment invitations of the first users: pending, redeemed and expired ones on iOS and
    Android (``SHTP``), in the §3.19.5 record shape (``_ownership`` is internal)."""
    kinds = [('iOS', 'PENDING'), ('SHTP', 'REDEEMED'), ('iOS', 'EXPIRED'), ('SHTP', 'PENDING')]
    out = []
    for n in range(count):
        platform, status = kinds[n % len(kinds)]
        token = 'ep-%s' % uuid.UUID(int=0x5EED0000 + n, version=4)
        out.append({'token': token, 'type': platform, 'typeLabel': 'iOS' if platform == 'iOS' else 'Android',
                    'mode': 'classic', 'userName': 'user%d@acme.com' % (n + 1), 'deviceBindingType': None,
                    'deviceBindingTypeLabel': None, 'deviceBindingData': None, 'secret': None,
                    'createTime': created_ms - n * 3600000, 'validUntil': None, 'status': status,
                    'statusLabel': '_X_ew_FILTER_DEVICE_INVITATION_STATUS_%s' % status,
                    'notificationTemplateCategories': [], '_ownership': 'NO_BINDING'})
    return out


# -- apps ---------------------------------------------------------------------------------------

ENTERPRISE_PLATFORMS = ('ios', 'android', 'android_work', 'android_knox', 'windows', 'windows_tab')
CONTAINER_PLATFORMS = ('ios', 'android', 'android_knox', 'android_work', 'windows', 'windows_tab')
ICON = base64.b64encode(b'\x89PNG\r\n\x1a\n sim icon').decode('ascii')


def default_schedule():
    return {'enableDeployment': True, 'deploySchedule': 'NOW', 'deployScheduleCondition': 'EVERYTIME',
            'deployDate': None, 'deployTime': None, 'deployInBackground': False}


def package_record(platform, display_name, description, version, package_id):
    return {'displayName': display_name, 'description': description, 'appVersion': version,
            'minOsVersion': None, 'maxOsVersion': None, 'paid': False, 'removeWithMdm': True,
            'preventBackup': True, 'appType': 'mobile_%s' % platform, 'uuid': str(uuid.uuid4()),
            'id': package_id}


STORE_PLATFORMS = ('iphone', 'ipad', 'android', 'android_work', 'windows', 'windows_phone')
STORE_APP_TYPES = {'iphone': 'mobile_ios', 'ipad': 'mobile_ios', 'android': 'mobile_android',
                   'android_work': 'mobile_android_work', 'windows': 'mobile_windows', 'windows_phone': 'mobile_windows'}
STORE_SETTINGS = {'rate': True, 'review': True}


def store_url_as_kept(url):
    """The store URL as the server keeps it: App Store links get ``uo=4`` added, as in the §3.15.6 samples."""
    if 'itunes.apple.com' in url and 'uo=' not in url:
        return url + ('&' if '?' in url else '?') + 'uo=4'
    return url


def store_platform_record(platform, app_name, data, package_id):
    """One platform of a public store app (§3.15.6.1) from the request's platform data (``storeUrl`` and the
    optional ``displayName``, ``description``, ``removeWithMdm``, ``preventBackup``, ``changeManagementState``,
    ``faqs``, ``storeSettings``)."""
    url = data['storeUrl']
    bundle = re.sub(r'[^a-z0-9.]', '', url.rsplit('/', 1)[-1].split('?')[0].replace('id=', '').lower()) or 'app'
    return {'name': 'MobileApp%d' % package_id, 'displayName': data.get('displayName') or app_name,
            'description': data.get('description') or '%s from the public store' % app_name, 'paid': False,
            'removeWithMdm': data.get('removeWithMdm', True), 'preventBackup': data.get('preventBackup', True),
            'changeManagementState': data.get('changeManagementState', False), 'associateToDevice': False,
            'canAssociateToDevice': False, 'canDissociateVPP': True, 'appVersion': '1.0',
            'store': {'rating': {'rating': 0, 'reviewerCount': 0}, 'screenshots': [],
                      'faqs': list(data.get('faqs') or []), 'storeSettings': dict(data.get('storeSettings') or STORE_SETTINGS)},
            'avppParams': None, 'avppTokenParams': None, 'rules': None, 'appType': STORE_APP_TYPES[platform],
            'uuid': str(uuid.UUID(int=package_id, version=4)), 'id': package_id, 'vppAccount': -1, 'iconPath': ICON,
            'iconUrl': 'https://store.example/icons/%s.png' % bundle, 'bundleId': bundle, 'appId': None,
            'appKey': None, 'storeUrl': store_url_as_kept(url), 'b2B': False}


def weblink_application(login_url, vpn=False, faqs=None, store_settings=None):
    """The ``application`` object of a web link container (§3.15.4.1)."""
    sso = dict.fromkeys(('attrstatement', 'acsUrl', 'relayStateUrl', 'nameIdValueAttribute', 'nameIdFormat',
                         'domainName', 'samlType', 'samlSpEntityId', 'samlProtocolAttrs', 'samlIDPAttrs',
                         'subjectmappingattr', 'samlVersion'))
    sso.update(loginUrl=login_url, enterpriseAttrs={}, ssoMechanismId=3, isDomainRequired=False)
    return {'name': 'Web Link', 'displayName': None, 'domainName': None, 'connectorName': None,
            'deprovisionOperation': None, 'iconPath': 'Web Link', 'autoProvisionEnabled': False, 'mblStoreData': None,
            'provisionStoreData': None, 'reconRule': None, 'ssoStoreData': sso, 'storeFrontSeqNum': 0,
            'useADCredentials': False, 'userAcctNameRule': None, 'provisioningEnabled': False,
            'provisioningSupported': False, 'ssoEnabled': True, 'passwordRule': None,
            'uuid': str(uuid.uuid4()), 'vpn': bool(vpn), 'required': False,
            'store': {'rating': {'rating': 0, 'reviewerCount': 0}, 'screenshots': [], 'faqs': list(faqs or []),
                      'storeSettings': dict(store_settings or STORE_SETTINGS)},
            'policies': None}


def container_record(cid, name, app_type, description='', categories=None, delivery_groups=None, created_ms=0,
                     packages=None):
    """An app container. Its platform keys depend on the type: enterprise and MDX apps have a package per
    ``CONTAINER_PLATFORMS`` key (§3.15.2), public store apps a record per ``STORE_PLATFORMS`` key (§3.15.6.1),
    both null when absent; a web link has its ``application`` (§3.15.4.1), passed in ``packages``."""
    record = {
        'id': cid, 'name': name, 'description': description, 'creationDate': created_ms,
        'lastModificationDate': created_ms, 'disabled': False, 'nbSuccess': 0, 'nbFailure': 0, 'nbPending': 0,
        'schedule': default_schedule(), 'permitAsRequired': True, 'iconData': ICON, 'appType': app_type,
        'categories': list(categories or ['Default']), 'roles': list(delivery_groups or ['AllUsers']),
        'workflow': None, 'vppAccount': None,
    }
    if app_type == 'Web Link':
        record['application'] = (packages or {}).get('application')
    elif app_type == 'App Store App':
        for platform in STORE_PLATFORMS:
            record[platform] = (packages or {}).get(platform)
    elif app_type in ('Enterprise', 'MDX'):
        for platform in CONTAINER_PLATFORMS:
            record[platform] = (packages or {}).get(platform)
    return record


SEED_APPS = [
    # (name, appType, content) for the default server. Content: {platform: package version} for enterprise and
    # MDX apps, {platform: store URL} for public store apps, {'url': login URL} for a web link.
    ('Expenses', 'Enterprise', {'ios': '2.1.0', 'android': '2.1.0'}),
    ('Field Notes', 'Enterprise', {'android': '1.4.2'}),
    ('Badge Reader', 'Enterprise', {'ios': '3.0.1'}),
    ('Secure Mail', 'MDX', {'ios': '24.10.0', 'android': '24.10.0'}),
    ('Secure Web', 'MDX', {'ios': '24.9.1', 'android': '24.9.1'}),
    ('Microsoft Teams', 'App Store App', {
        'iphone': 'https://itunes.apple.com/us/app/microsoft-teams/id1113153706?mt=8',
        'android': 'https://play.google.com/store/apps/details?id=com.microsoft.teams'}),
    ('Intranet', 'Web Link', {'url': 'https://intranet.acme.com/'}),
    ('Expense Portal', 'SaaS', {}),
]


def package_version(data):
    """The version an uploaded package declares: ``CFBundleShortVersionString`` of an IPA's
    ``Payload/*.app/Info.plist``, or ``android:versionName`` of a plain-text ``AndroidManifest.xml``
    in a zip (a simplification: real APK manifests are binary XML). None when neither is found."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        return None
    with archive:
        for member in archive.namelist():
            if re.match(r'^Payload/[^/]+\.app/Info\.plist$', member):
                try:
                    info = plistlib.loads(archive.read(member))
                except Exception:  # an unreadable plist is treated like a package without one
                    return None
                return info.get('CFBundleShortVersionString') or info.get('CFBundleVersion')
            if member == 'AndroidManifest.xml':
                match = re.search(rb'android:versionName="([^"]+)"', archive.read(member))
                return match.group(1).decode('utf-8', 'replace') if match else None
    return None


def build_package(platform, version, name='App'):
    """A tiny package the simulator can read the version from (tests and the demo use it)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, 'w') as archive:
        if platform == 'ios':
            archive.writestr('Payload/%s.app/Info.plist' % name,
                             plistlib.dumps({'CFBundleName': name, 'CFBundleShortVersionString': version}))
        else:
            archive.writestr('AndroidManifest.xml',
                             '<manifest xmlns:android="http://schemas.android.com/apk/res/android" '
                             'android:versionName="%s"/>' % version)
    return buffer.getvalue()
