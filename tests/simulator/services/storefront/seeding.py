"""The store's resources: the spec's ``Controller.Notepad`` first, then applications in nested folders,
desktops and documents spread over three farms, with subscription statuses, keywords (``Auto``,
``Featured``, ``WFI``), mandatory and disabled ones, and every seventh carrying an extension element."""

import base64
import hashlib

DEFAULT_RESOURCES = 500
APPS = ['Microsoft Word', 'Microsoft Excel', 'Microsoft PowerPoint', 'Microsoft Outlook', 'Adobe Acrobat Reader',
        'AutoCAD', 'SAP GUI', 'Visual Studio Code', 'Google Chrome', 'Mozilla Firefox', 'PuTTY', 'Power BI Desktop',
        'SQL Server Management Studio', 'Calculator', 'Paint', 'WordPad', '7-Zip', 'Notepad++', 'Teams', 'Büro Kalender']
FOLDERS = ['\\', '\\Office\\', '\\Office\\Tools\\', '\\Engineering\\', '\\Engineering\\CAD\\', '\\Finance\\',
           '\\Finance\\Reporting\\', '\\Utilities\\']
STATUSES = ['notSubscribed', 'subscribed', 'approved', 'denied', 'subscribed', 'notSubscribed']
FARMS = ['Farm1', 'Farm2', 'Farm3']


def link_key(text):
    """A resource's link segment: the base64 of its id, ``=`` as ``-`` (as the example's is base64)."""
    return base64.b64encode(text.encode('utf-8')).decode('ascii').replace('=', '-').replace('/', '_')


def seed_resources(count):
    notepad = {'id': 'Controller.Notepad', 'key': 'Q2l0cml4Lk1QUy5BcHAu', 'title': 'Notepad', 'summary': 'Notepad',
               'path': '\\', 'type': 'Citrix.MPS.Application', 'farm': 'Farm1', 'clienttypes': ['ica30', 'rdp'],
               'imagehash': 'E4wNXorb0I5OHEvZlhsOWFZPQ--', 'enabled': True, 'mandatory': True, 'keywords': [],
               'status': 'subscribed', 'auto': False, 'featured': False, 'workflow': False, 'publisher_id': 'Notepad'}
    resources = [notepad][:count]
    for n in range(1, count):
        farm = FARMS[n % len(FARMS)]
        if n % 10 == 0:
            kind, title, path = 'Citrix.MPS.Desktop', 'Windows 11 Desktop %d' % n, '\\Desktops\\'
        elif n % 25 == 3:
            kind, title, path = 'Citrix.MPS.Document', 'Expense Policy %d' % n, '\\Documents\\Policies\\'
        else:
            kind, title, path = 'Citrix.MPS.Application', '%s %d' % (APPS[n % len(APPS)], n), FOLDERS[n % len(FOLDERS)]
        keywords = [k for k, every in (('Auto', 9), ('Featured', 11), ('WFI', 40)) if n % every == 0]
        mandatory = n % 20 == 7
        status = 'subscribed' if mandatory else ('pendingApproval' if n % 40 == 0 else STATUSES[n % len(STATUSES)])
        if 'Auto' in keywords and not mandatory:
            status = 'notSubscribed'
        resources.append({
            'id': '%s.%s' % (farm, title), 'key': link_key('%s.%s' % (farm, title)), 'title': title,
            'summary': 'Published by %s & maintained by <IT> "Apps" team%s' % (
                farm, (' KEYWORDS:%s' % ' '.join(keywords)) if keywords else ''),
            'path': path, 'type': kind, 'farm': farm,
            'clienttypes': ['ica30'] if kind != 'Citrix.MPS.Document' else ['ica30', 'rdp'],
            'imagehash': link_key(hashlib.sha1(title.split(' ')[0].encode()).hexdigest()[:15]),
            'enabled': n % 50 != 49, 'mandatory': mandatory, 'keywords': keywords, 'status': status,
            'auto': 'Auto' in keywords, 'featured': 'Featured' in keywords, 'workflow': 'WFI' in keywords,
            'publisher_id': title.replace(' ', ''), 'extension': n % 7 == 0,
            'never_subscribed': status == 'notSubscribed',
            # Desktops: every third is off and every seventh suspended; a launch starts them.
            'power': ('off' if n % 30 == 0 else 'suspended' if n % 70 == 0 else 'on') if kind == 'Citrix.MPS.Desktop'
            else 'on'})
    return resources
