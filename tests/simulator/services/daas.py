"""Citrix DaaS / Virtual Apps and Desktops REST API: sites, machines, power actions and jobs, sessions,
maintenance mode.

Shapes come from ../shared/specs/daas (openapi.yaml, enums.json, facts.md) and seeds 001 and 002. One
estate, reached three ways:

- Citrix Cloud through the API gateway: ``/cvad/manage/...`` with ``Citrix-CustomerId`` and
  ``Citrix-InstanceId`` headers and a Cloud ``CwsAuth`` token;
- the on-premises Orchestration API: ``POST /citrix/orchestration/api/tokens`` (Basic auth),
  ``GET /citrix/orchestration/api/me`` and ``/citrix/orchestration/api/{customerId}/{siteId}/...``;
- seed 001's legacy paths: ``/cvadapis/me`` and ``/cvadapis/{siteId}/...``.

Power actions run a small state machine on the simulator clock (``TurningOn`` -> ``On`` ...), with
``PowerActionPending`` set meanwhile, and a job per action whose status follows the same clock. Nothing
runs in the background: machines and jobs are brought up to date when they are read.
"""

import base64
import binascii
import datetime
import json
import random
import re
import secrets
import uuid
from urllib.parse import unquote

from tests.simulator.core import Reply, Response, Route, Service
from tests.simulator.services.citrix_cloud import cloud_auth

ONPREM_CUSTOMER = 'CitrixOnPremises'
DEFAULT_SITES = ('cloudxdsite',)
DEFAULT_ADMIN = 'SIMLAB\\admin'
DEFAULT_ADMIN_PASSWORD = 'sim-admin-password'
ONPREM_TOKEN_LIFETIME = 3600
DEFAULT_LIMIT = 250
MAX_LIMIT = 1000
JOB_QUEUE_SECONDS = 1.0

CLOUD_PREFIX = '/cvad/manage'
ONPREM_ROOT = '/citrix/orchestration/api'
ONPREM_PREFIX = ONPREM_ROOT + r'/(?P<customer>[^/]+)/(?P<site>[^/]+)'
LEGACY_ROOT = '/cvadapis'
LEGACY_PREFIX = LEGACY_ROOT + r'/(?P<site>[^/]+)'

# The estate a site is seeded with: catalog, share of the site's machines, delivery group, session
# support, OS, provisioning, allocation, and power profile ('vm', 'vm-suspend' or 'physical').
CATALOG_PLAN = (
    ('Win11-Pooled', 0.40, 'Win11 Desktops', 'SingleSession', 'Windows 11', 'MCS', 'Random', 'vm'),
    ('Win2022-Apps', 0.25, 'Published Apps', 'MultiSession', 'Windows 2022', 'MCS', 'Random', 'vm'),
    ('Finance-Static', 0.20, 'Finance Desktops', 'SingleSession', 'Windows 10', 'MCS', 'Static', 'vm'),
    ('Dev-Persistent', 0.10, 'Developers', 'SingleSession', 'Windows 11', 'Manual', 'Static', 'vm-suspend'),
    ('Lab-Physical', 0.05, 'Lab', 'SingleSession', 'Windows 10', 'Manual', 'Static', 'physical'),
)
NAME_PREFIX = {'Win11-Pooled': 'W11P', 'Win2022-Apps': 'APPS', 'Finance-Static': 'FIN', 'Dev-Persistent': 'DEV',
               'Lab-Physical': 'LAB'}
VM_ACTIONS = ['PowerOn', 'PowerOff', 'Shutdown', 'Restart', 'Reset']
POWER_PROFILES = {
    'vm': VM_ACTIONS,
    'vm-suspend': VM_ACTIONS + ['SuspendResume'],
    'physical': [],
}

# action -> (SupportedPowerAction it needs, job type, sim seconds it takes, states it acts from,
#            states where it is a no-op, final state)
POWER_ACTIONS = {
    'start': ('PowerOn', 'StartMachines', 30, ('Off',), ('On',), 'On'),
    'shutdown': ('Shutdown', 'ShutDownMachines', 20, ('On', 'Suspended'), ('Off',), 'Off'),
    'reboot': ('Restart', 'RebootMachines', 40, ('On',), (), 'On'),
    'suspend': ('SuspendResume', 'SuspendMachines', 10, ('On',), ('Suspended',), 'Suspended'),
    'resume': ('SuspendResume', 'ResumeMachines', 10, ('Suspended',), ('On',), 'On'),
}
TRANSITIONAL = {'start': 'TurningOn', 'shutdown': 'TurningOff', 'suspend': 'Suspending', 'resume': 'Resuming'}
NO_OP_SECONDS = 2

UNSUPPORTED_ACTION = 'Machine does not support specified power action.'


def error_data(status, sdk_error_id, message, error_type=None, details=None):
    """An ``ErrorData`` reply (components.schemas.ErrorData)."""
    return Response(status, {'ErrorType': error_type or sdk_error_id, 'SdkErrorId': sdk_error_id,
                             'ErrorMessage': message, 'ErrorDetails': details, 'SupportLink': None,
                             'ErrorReportXml': None, 'ErrorReport': None})


def fail(status, sdk_error_id, message, **kwargs):
    raise Reply(error_data(status, sdk_error_id, message, **kwargs))


def missing_customer_reply():
    """Seed 001: DaaS answers a request without Citrix-CustomerId with a bare 500."""
    return Response(500, {'activityId': str(uuid.uuid4()), 'message': 'Internal server error', 'statusCode': 500})


def iso(ts):
    return datetime.datetime.fromtimestamp(ts, datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')


def us_time(ts):
    """The API's unformatted times, as seed 002 shows them: ``11/16/2020 2:01:04 PM``."""
    moment = datetime.datetime.fromtimestamp(ts, datetime.timezone.utc)
    hour = (moment.hour % 12) or 12
    return '%d/%d/%d %d:%02d:%02d %s' % (moment.month, moment.day, moment.year, hour, moment.minute, moment.second,
                                         'AM' if moment.hour < 12 else 'PM')


def ref(obj):
    return {'Id': obj['Id'], 'Uid': obj['Uid'], 'Name': obj['Name']} if obj else None


def select_fields(model, fields):
    if not fields:
        return model
    return {key: value for key, value in model.items() if key.lower() in fields}


class Site:
    def __init__(self, site_id, name, domain):
        self.id = site_id
        self.name = name
        self.domain = domain
        self.catalogs = {}
        self.groups = {}
        self.machines = {}   # id -> machine record, in listing order
        self.by_name = {}    # lower-case DOMAIN\NAME -> id
        self.sessions = {}   # id -> session record, in listing order
        self.jobs = {}
        self.zone = None


class DaaS(Service):
    name = 'daas'
    after = ('cloud',)

    # -- seeding --------------------------------------------------------------------------------

    def seed(self):
        # A generator of our own, derived from the simulator's seed, so that the estate does not depend
        # on which other services drew from sim.random first.
        self.rng = random.Random('daas-%s' % self.sim.seed_value)
        self.sites = {}
        self.admins = {self.config.get('admin', DEFAULT_ADMIN): self.config.get('admin_password', DEFAULT_ADMIN_PASSWORD)}
        self.onprem_tokens = {}
        self.power_log = []
        # A broken server when True: every listing answers its first page again, with a continuation
        # token it never handed out before, forever.
        self.endless_paging = False
        self.endless_tokens = 0
        self.uid = 0
        names = list(self.config.get('sites', DEFAULT_SITES))
        per_site = self.sim.size // max(1, len(names))
        for index, site_name in enumerate(names):
            size = per_site + (self.sim.size - per_site * len(names) if index == 0 else 0)
            self.add_site(site_name, size)

    def new_id(self):
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def next_uid(self):
        self.uid += 1
        return self.uid

    def add_site(self, name, machines=0):
        with self.sim.lock:
            domain = 'SIMLAB' if not self.sites else 'SIMLAB%d' % (len(self.sites) + 1)
            site = Site(self.new_id(), name, domain)
            site.zone = {'Id': self.new_id(), 'Uid': None, 'Name': '%s-Primary' % name}
            self.sites[site.id] = site
            counts = [int(machines * share) for _n, share, *_rest in CATALOG_PLAN]
            counts[0] += machines - sum(counts)
            for plan, count in zip(CATALOG_PLAN, counts):
                if count <= 0:
                    continue
                name_, _share, group, support, os_type, provisioning, allocation, profile = plan
                self._add_catalog(site, name_, count, group, support, os_type, provisioning, allocation, profile,
                                  varied=True)
            return site

    def _add_group(self, site, name, support):
        for group in site.groups.values():
            if group['Name'].lower() == name.lower():
                return group
        group = {'Id': self.new_id(), 'Uid': self.next_uid(), 'Name': name,
                 'DeliveryType': 'AppsOnly' if support == 'MultiSession' else 'DesktopsOnly'}
        site.groups[group['Id']] = group
        return group

    def _add_catalog(self, site, name, count, group_name, support, os_type, provisioning, allocation, profile,
                     varied, prefix=None):
        catalog = {'Id': self.new_id(), 'Uid': self.next_uid(), 'Name': name, 'SessionSupport': support,
                   'OSType': os_type, 'ProvisioningType': provisioning, 'AllocationType': allocation,
                   'MachineType': 'Physical' if profile == 'physical' else 'Virtual', 'profile': profile}
        site.catalogs[catalog['Id']] = catalog
        group = self._add_group(site, group_name, support) if group_name else None
        prefix = prefix or NAME_PREFIX.get(name) or re.sub(r'[^A-Z0-9]', '', name.upper())[:6] or 'VDA'
        start = sum(1 for m in site.machines.values() if m['_prefix'] == prefix)
        created = []
        for index in range(start + 1, start + count + 1):
            machine = self._new_machine(site, catalog, group, '%s-%05d' % (prefix, index), prefix)
            if varied:
                self._vary(site, machine, catalog)
            created.append(machine)
        return catalog, created

    def _new_machine(self, site, catalog, group, short_name, prefix):
        managed = catalog['profile'] != 'physical'
        n = len(site.machines) + 1
        machine = {
            'Id': self.new_id(), 'Uid': self.next_uid(), 'Name': '%s\\%s' % (site.domain, short_name),
            'DnsName': '%s.%s.example.com' % (short_name.lower(), site.domain.lower()),
            'IPAddress': '10.%d.%d.%d' % (len(self.sites) % 250, (n // 250) % 250, n % 250 + 1),
            'Sid': 'S-1-5-21-3623811015-3361044348-30300820-%d' % (10000 + n),
            'PowerState': 'On' if managed else 'Unmanaged', 'PowerActionPending': False if managed else None,
            'RegistrationState': 'Registered', 'InMaintenanceMode': False,
            'SupportedPowerActions': list(POWER_PROFILES[catalog['profile']]),
            'LastDeregistrationReason': None, 'LastDeregistrationTime': None,
            '_catalog': catalog['Id'], '_group': group['Id'] if group else None, '_sessions': [],
            '_transition': None, '_fail_next': None, '_prefix': prefix, '_site': site.id,
        }
        site.machines[machine['Id']] = machine
        site.by_name[machine['Name'].lower()] = machine['Id']
        return machine

    def _vary(self, site, machine, catalog):
        """A realistic spread of states for a seeded machine (deterministic through self.rng)."""
        rng = self.rng
        if catalog['profile'] != 'physical':
            roll = rng.random()
            if roll < 0.15:
                self._set_power(machine, 'Off')
            elif roll < 0.19 and catalog['profile'] == 'vm-suspend':
                self._set_power(machine, 'Suspended')
            elif roll < 0.20:
                # A boot already under way (started by someone else), finishing in ten minutes.
                now = self.sim.clock.now()
                self._set_power(machine, 'Off')
                machine['PowerActionPending'] = True
                machine['_transition'] = {'action': 'start', 'start': now, 'end': now + 600, 'from': 'Off',
                                          'to': 'On', 'fail': None}
            if rng.random() < 0.02:
                machine['SupportedPowerActions'] = ['PowerOn', 'PowerOff', 'Shutdown']  # no Restart
        if machine['PowerState'] in ('On', 'Unmanaged') and rng.random() < 0.05:
            machine['RegistrationState'] = rng.choice(['Unregistered', 'AgentError'])
            machine['LastDeregistrationReason'] = 'AgentNotContactable'
            machine['LastDeregistrationTime'] = self.sim.clock.now() - 3600
        if rng.random() < 0.03:
            machine['InMaintenanceMode'] = True
        if machine['RegistrationState'] == 'Registered' and machine['PowerState'] in ('On', 'Unmanaged'):
            if catalog['SessionSupport'] == 'MultiSession':
                count = rng.choice([0, 0, 0, 1, 2, 3, 5, 8])
            else:
                count = 1 if rng.random() < 0.5 else 0
            for _session in range(count):
                self._add_session(site, machine, state=rng.choice(['Active'] * 7 + ['Disconnected'] * 2 + ['Connected']))

    def _set_power(self, machine, state):
        machine['PowerState'] = state
        if state in ('Off', 'Suspended'):
            machine['RegistrationState'] = 'Unregistered'
            machine['LastDeregistrationReason'] = 'PowerOff' if state == 'Off' else 'AgentSuspended'
            machine['LastDeregistrationTime'] = self.sim.clock.now()
            self._end_sessions(machine)
        elif state == 'On':
            machine['RegistrationState'] = 'Registered'

    # -- sessions -------------------------------------------------------------------------------

    def _add_session(self, site, machine, state='Active', user=None):
        now = self.sim.clock.now()
        number = len(site.sessions) + 1
        started = now - self.rng.randint(300, 8 * 3600)
        multi = site.catalogs[machine['_catalog']]['SessionSupport'] == 'MultiSession'
        session = {'Id': self.new_id(), 'Uid': self.next_uid(), 'State': state,
                   'User': user or '%s\\user%04d' % (site.domain, self.rng.randint(1, 9999)),
                   'StartTime': started, 'StateChangeTime': started + 60, 'Machine': machine['Id'],
                   'SessionType': 'Application' if multi else 'Desktop',
                   'ClientAddress': '192.168.%d.%d' % (number // 250 % 250, number % 250 + 1),
                   'ClientName': 'CLIENT-%04d' % number}
        site.sessions[session['Id']] = session
        machine['_sessions'].append(session['Id'])
        return session

    def _end_sessions(self, machine):
        site = self.sites.get(machine['_site'])
        for session_id in machine['_sessions']:
            if site is not None:
                site.sessions.pop(session_id, None)
        machine['_sessions'] = []

    # -- state over time ------------------------------------------------------------------------

    def _settle(self, machine):
        transition = machine['_transition']
        if not transition or self.sim.clock.now() < transition['end']:
            return machine
        machine['_transition'] = None
        machine['PowerActionPending'] = False
        if transition['fail']:
            return machine
        if transition['action'] == 'reboot':
            self._end_sessions(machine)
        if transition['to'] != transition['from'] or transition['action'] == 'reboot':
            self._set_power(machine, transition['to'])
        return machine

    def _power_state(self, machine):
        """The state shown while a transition runs (the record keeps the state it started from)."""
        transition = machine['_transition']
        if not transition or transition['fail']:
            return machine['PowerState']
        if transition['action'] == 'reboot':
            halfway = transition['start'] + (transition['end'] - transition['start']) / 2
            return 'TurningOff' if self.sim.clock.now() < halfway else 'TurningOn'
        if transition['from'] == transition['to']:
            return machine['PowerState']
        return TRANSITIONAL[transition['action']]

    def _job_status(self, job):
        now = self.sim.clock.now()
        if now < job['_created'] + JOB_QUEUE_SECONDS:
            return 'NotStarted', 0
        if now < job['_end']:
            span = max(0.001, job['_end'] - job['_created'])
            return 'InProgress', int(100 * (now - job['_created']) / span)
        return ('Failed', 100) if job['_fail'] else ('Complete', 100)

    # -- rendering ------------------------------------------------------------------------------

    def render_machine(self, site, machine):
        self._settle(machine)
        catalog = site.catalogs.get(machine['_catalog'])
        group = site.groups.get(machine['_group'])
        sessions = [site.sessions[s] for s in machine['_sessions'] if s in site.sessions]
        first = sessions[0] if sessions else None
        registered = machine['RegistrationState'] == 'Registered'
        power_state = self._power_state(machine)
        if power_state == 'Off' or power_state == 'Suspended':
            summary = 'Off'
        elif not registered:
            summary = 'Unregistered'
        elif any(s['State'] in ('Active', 'Connected') for s in sessions):
            summary = 'InUse'
        elif sessions:
            summary = 'Disconnected'
        else:
            summary = 'Available'
        multi = catalog['SessionSupport'] == 'MultiSession'
        return {
            'Id': machine['Id'], 'Uid': machine['Uid'], 'Name': machine['Name'], 'MachineCatalog': ref(catalog),
            'AgentVersion': '2311.0.0.1170', 'AllocationType': catalog['AllocationType'],
            'ApplicationsInUse': [], 'AssignedUsers': [], 'AssociatedUsers': [
                {'Name': s['User'], 'DisplayName': s['User'].split('\\')[-1]} for s in sessions],
            'AzureAdJoinedMode': 'None', 'ContainerScopes': [],
            'ControllerDnsName': 'ddc01.%s.example.com' % site.domain.lower() if registered else None,
            'DeliveryGroup': ref(group), 'DeliveryType': group['DeliveryType'] if group else None,
            'Description': None, 'DesktopConditions': None, 'DnsName': machine['DnsName'],
            'FunctionalLevel': 'L7_34', 'Hosting': {
                'HostedMachineId': machine['Id'].replace('-', '')[:16] if catalog['MachineType'] == 'Virtual' else None,
                'HostedMachineName': machine['Name'].split('\\')[-1] if catalog['MachineType'] == 'Virtual' else None,
                'HostingServerName': None, 'LastHostingUpdateTime': None,
                'HypervisorConnection': ({'Id': site.zone['Id'], 'Uid': None, 'Name': 'SimHypervisor'}
                                         if catalog['MachineType'] == 'Virtual' else None),
                'ImageOutOfDate': False},
            'InMaintenanceMode': machine['InMaintenanceMode'], 'DrainingUntilShutdown': False,
            'IPAddress': machine['IPAddress'] if power_state not in ('Off', 'Suspended') else None,
            'IsAssigned': catalog['AllocationType'] == 'Static', 'MachineType': catalog['MachineType'],
            'LastConnectionFailure': 'None',
            'LastConnectionTime': us_time(first['StartTime']) if first else None,
            'FormattedLastConnectionTime': iso(first['StartTime']) if first else None,
            'LastConnectionUser': first['User'] if first else None,
            'LastDeregistrationReason': machine['LastDeregistrationReason'],
            'LastDeregistrationTime': (us_time(machine['LastDeregistrationTime'])
                                       if machine['LastDeregistrationTime'] else None),
            'FormattedLastDeregistrationTime': (iso(machine['LastDeregistrationTime'])
                                                if machine['LastDeregistrationTime'] else None),
            'LastErrorReason': None, 'LastErrorTime': None, 'FormattedLastErrorTime': None,
            'LoadIndex': min(10000, 1250 * len(sessions)) if multi else None,
            'MachineUnavailableReason': 'None', 'OSType': catalog['OSType'], 'OSVersion': '10.0.22631',
            'PersistUserChanges': 'OnLocal' if catalog['AllocationType'] == 'Static' else 'Discard',
            'PowerActionPending': machine['PowerActionPending'], 'PowerState': power_state,
            'ProvisioningType': catalog['ProvisioningType'], 'PublishedApplications': None, 'PublishedName': None,
            'RegistrationState': machine['RegistrationState'], 'ScheduledReboot': 'None',
            'SessionClientAddress': first['ClientAddress'] if first else None,
            'SessionClientName': first['ClientName'] if first else None,
            'SessionClientVersion': '23.11.0.23' if first else None,
            'SessionConnectedViaHostName': None, 'SessionConnectedViaIP': None,
            'SessionCount': len(sessions), 'SessionLaunchedViaHostName': None, 'SessionLaunchedViaIP': None,
            'SessionProtocol': 'HDX' if first else None, 'SessionSecureIcaActive': False if first else None,
            'SessionSmartAccessTags': [], 'SessionStartTime': us_time(first['StartTime']) if first else None,
            'FormattedSessionStartTime': iso(first['StartTime']) if first else None,
            'SessionState': first['State'] if first else None,
            'SessionStateChangeTime': us_time(first['StateChangeTime']) if first else None,
            'FormattedSessionStateChangeTime': iso(first['StateChangeTime']) if first else None,
            'SessionSupport': catalog['SessionSupport'], 'SessionUserName': first['User'] if first else None,
            'Sid': machine['Sid'], 'SummaryState': summary,
            'WillShutdownAfterUse': False if catalog['MachineType'] == 'Virtual' and not multi else None,
            'WindowsConnectionSetting': 'LogonEnabled', 'Zone': dict(site.zone),
            'SupportedPowerActions': list(machine['SupportedPowerActions']),
            'FaultState': 'Unregistered' if power_state == 'On' and not registered else 'None',
            'ContainerMetadata': None, 'Tags': [], 'UpgradeType': 'Unknown', 'UpgradeState': 'Unknown',
            'MachineConfigurationOutOfSync': False, 'UpgradeDetail': None,
        }

    def render_session(self, site, session, fields=None):
        machine = site.machines.get(session['Machine'])
        user = session['User']
        short = user.split('\\')[-1]
        model = {
            'Id': session['Id'], 'Uid': session['Uid'], 'ApplicationsInUse': [], 'AppState': 'Active',
            'AppStateLastChangeTime': us_time(session['StartTime']),
            'FormattedAppStateLastChangeTime': iso(session['StartTime']),
            'Brokering': {'AutonomouslyBrokered': False, 'DurationMilliseconds': None, 'Time': None,
                          'UserName': None, 'UserSid': None},
            'Client': {'DeviceId': None, 'HardwareId': None, 'IPAddress': session['ClientAddress'],
                       'Name': session['ClientName'], 'Platform': 'Windows', 'ProductId': 1,
                       'ReceiverIPAddress': None, 'ReceiverName': None, 'Version': '23.11.0.23'},
            'Connection': {'ConnectedViaHostName': None, 'ConnectedViaIP': None, 'ConnectionMode': 'Brokered',
                           'LaunchedViaHostName': None, 'LaunchedViaIP': None, 'Protocol': 'Hdx',
                           'SecureIcaActive': False, 'SmartAccessTags': []},
            'ContainerScopes': [], 'EstablishmentDurationMilliseconds': 9000,
            'EstablishmentTime': us_time(session['StartTime']), 'FormattedEstablishmentTime': iso(session['StartTime']),
            'IsAnonymousUser': False, 'IsHidden': False, 'LogoffInProgress': False, 'LogonInProgress': False,
            'Machine': None, 'SessionType': session['SessionType'],
            'StartTime': us_time(session['StartTime']), 'FormattedStartTime': iso(session['StartTime']),
            'State': session['State'], 'StateChangeTime': us_time(session['StateChangeTime']),
            'FormattedStateChangeTime': iso(session['StateChangeTime']), 'UntrustedUserName': user,
            'User': {'DisplayName': short, 'SamName': None, 'SamAccountName': None, 'CommonName': None,
                     'PrincipalName': '%s@%s.example.com' % (short, site.domain.lower()), 'Sid': None,
                     'Name': user, 'Domain': None, 'PossibleLookupFailure': False},
        }
        if machine is not None and (not fields or 'machine' in fields):
            embedded = self.render_machine(site, machine)
            # Seed 002: the machine embedded in a session carries no Id (only the deprecated Uid).
            embedded['Id'] = None
            model['Machine'] = embedded
        return select_fields(model, fields)

    def render_job(self, base, job):
        status, progress = self._job_status(job)
        done = status in ('Complete', 'Failed')
        failed = status == 'Failed'
        start = job['_created'] + JOB_QUEUE_SECONDS
        return {
            'Id': job['Id'], 'Type': job['Type'], 'OverallProgressPercent': progress,
            'IsCancellable': not done, 'Parameters': [{'Name': 'Id', 'Value': job['_machine_id']},
                                                      {'Name': 'Name', 'Value': job['_machine_name']}],
            'SubJobs': [], 'Status': status,
            'ResultLocation': '%s/Machines/%s' % (base, job['_machine_id']) if done else None,
            'ErrorString': job['_fail']['message'] if failed else None,
            'ErrorCode': job['_fail']['code'] if failed else None,
            'ErrorParameters': [{'Name': 'MachineName', 'Value': job['_machine_name']}] if failed else [],
            'CreationTime': us_time(job['_created']), 'FormattedCreationTime': iso(job['_created']),
            'StartTime': us_time(start) if status != 'NotStarted' else None,
            'FormattedStartTime': iso(start) if status != 'NotStarted' else None,
            'EndTime': us_time(job['_end']) if done else None,
            'FormattedEndTime': iso(job['_end']) if done else None,
        }

    # -- request context ------------------------------------------------------------------------

    @staticmethod
    def _cloud_record(request):
        """Cloud token first (401/406), then the customer header: missing is seed 001's 500, another
        customer's is a 403."""
        cloud_auth(request)
        customer = request.header('Citrix-CustomerId')
        if not customer:
            raise Reply(missing_customer_reply())
        return cloud_auth(request, customer_id=customer)

    def _site(self, key):
        key = unquote(key or '')
        site = self.sites.get(key)
        if site is None:
            for candidate in self.sites.values():
                if candidate.name.lower() == key.lower():
                    return candidate
            fail(404, 'ObjectNotFound', 'Site %s was not found.' % key)
        return site

    def _context(self, request, mode):
        """Authenticate as the API in ``mode`` does; returns ``(site, caller, base URL of the site)``."""
        if mode == 'onprem':
            caller = self._onprem_caller(request)
            if unquote(request.params.get('customer', '')) != ONPREM_CUSTOMER:
                fail(404, 'ObjectNotFound', 'Customer %s was not found.' % request.params.get('customer'))
            site = self._site(request.params['site'])
            base = '%s%s/%s/%s' % (self.sim.url, ONPREM_ROOT, ONPREM_CUSTOMER, site.id)
            return site, caller, base
        record = self._cloud_record(request)
        if mode == 'legacy':
            site = self._site(request.params['site'])
            return site, record['client_id'], '%s%s/%s' % (self.sim.url, LEGACY_ROOT, site.id)
        instance = request.header('Citrix-InstanceId')
        if not instance:
            fail(400, 'InstanceIdMissing', 'The Citrix-InstanceId header (the site id) is required.')
        return self._site(instance), record['client_id'], self.sim.url + CLOUD_PREFIX

    def _onprem_caller(self, request):
        match = re.match(r'^\s*CwsAuth\s+bearer\s*=\s*(\S+)\s*$', request.header('Authorization') or '', re.IGNORECASE)
        record = self.onprem_tokens.get(match.group(1)) if match else None
        if record is None or record['expires_at'] <= self.sim.clock.now():
            fail(401, 'Unauthorized', 'Caller did not present a valid bearer token.', error_type='AuthenticationFailed')
        return record['user']

    def _machine(self, site, key):
        key = unquote(key)
        machine = site.machines.get(key)
        if machine is None:
            machine_id = site.by_name.get(key.replace('|', '\\').lower())
            machine = site.machines.get(machine_id)
        if machine is None:
            fail(404, 'UnknownMachine', 'Machine %s was not found.' % key)
        return machine

    def _find_by_name_or_id(self, table, key, what, error_id):
        key = unquote(key)
        if key in table:
            return table[key]
        for item in table.values():
            if item['Name'].lower() == key.lower():
                return item
        fail(404, error_id, '%s %s was not found.' % (what, key))

    @staticmethod
    def _fields(request):
        raw = request.arg('fields')
        return {f.strip().lower() for f in raw.split(',') if f.strip()} if raw else None

    def _page(self, request, items, key, render):
        """One page of a collection: ``limit`` (default 250, at most 1000) and ``continuationToken``."""
        raw_limit = request.arg('limit')
        try:
            limit = int(raw_limit) if raw_limit not in (None, '') else DEFAULT_LIMIT
        except ValueError:
            limit = -1
        if not 1 <= limit <= MAX_LIMIT:
            fail(400, 'InvalidArgument', 'The value %s of limit is not valid: it must be between 1 and %d.'
                 % (raw_limit, MAX_LIMIT))
        offset = 0
        token = request.arg('continuationToken')
        if token:
            try:
                state = json.loads(base64.urlsafe_b64decode(token.encode('ascii')).decode('utf-8'))
                offset = int(state['o'])
                if state['k'] != key:
                    raise ValueError(key)
            except (ValueError, KeyError, TypeError, binascii.Error, UnicodeError):
                fail(400, 'InvalidArgument', 'The continuation token is not valid for this query.')
        page = items[offset:offset + limit]
        following = None
        if offset + limit < len(items):
            following = base64.urlsafe_b64encode(json.dumps({'o': offset + limit, 'k': key}).encode('utf-8')).decode('ascii')
        if self.endless_paging:
            self.endless_tokens += 1
            state = {'o': 0, 'k': key, 'n': self.endless_tokens}
            following = base64.urlsafe_b64encode(json.dumps(state).encode('utf-8')).decode('ascii')
        return {'Items': [render(item) for item in page], 'ContinuationToken': following, 'TotalItems': None}

    def _machine_page(self, request, site, machines, key):
        fields = self._fields(request)
        support = request.arg('sessionSupport')
        if support:
            machines = [m for m in machines if site.catalogs[m['_catalog']]['SessionSupport'].lower() == support.lower()]
        return Response(200, self._page(request, machines, key + ':' + (support or ''),
                                        lambda m: select_fields(self.render_machine(site, m), fields)),
                        self._transaction_headers(request))

    @staticmethod
    def _transaction_headers(request):
        return {'Citrix-TransactionId': request.header('Citrix-TransactionId') or str(uuid.uuid4())}

    # -- handlers -------------------------------------------------------------------------------

    def me(self, mode):
        def handler(request):
            if mode == 'onprem':
                user = self._onprem_caller(request)
                customer, display = ONPREM_CUSTOMER, user
            else:
                record = self._cloud_record(request)
                customer, display = record['customer'], record['client_id']
            with self.sim.lock:
                sites = [{'Id': s.id, 'Name': s.name} for s in self.sites.values()]
            now = self.sim.clock.now()
            return Response(200, {
                'UserId': str(uuid.uuid5(uuid.NAMESPACE_URL, display)), 'DisplayName': display,
                'ExpiryTime': us_time(now + 3600).split(' ', 1)[1], 'RefreshExpirationTime': us_time(now + 43200).split(' ', 1)[1],
                'VerifiedEmail': None, 'IsCspCustomer': False,
                'Customers': [{'Id': customer, 'Name': None, 'Sites': sites}]}, self._transaction_headers(request))
        return handler

    def list_machines(self, request, site, _caller, _base):
        with self.sim.lock:
            return self._machine_page(request, site, list(site.machines.values()), 'machines')

    def list_catalog_machines(self, request, site, _caller, _base):
        with self.sim.lock:
            catalog = self._find_by_name_or_id(site.catalogs, request.params['catalog'], 'Machine catalog', 'UnknownCatalog')
            machines = [m for m in site.machines.values() if m['_catalog'] == catalog['Id']]
            return self._machine_page(request, site, machines, 'catalog:' + catalog['Id'])

    def list_group_machines(self, request, site, _caller, _base):
        with self.sim.lock:
            group = self._find_by_name_or_id(site.groups, request.params['group'], 'Delivery group', 'ObjectNotFound')
            machines = [m for m in site.machines.values() if m['_group'] == group['Id']]
            return self._machine_page(request, site, machines, 'group:' + group['Id'])

    def get_machine(self, request, site, _caller, _base):
        with self.sim.lock:
            machine = self._machine(site, request.params['machine'])
            return Response(200, select_fields(self.render_machine(site, machine), self._fields(request)),
                            self._transaction_headers(request))

    def patch_machine(self, request, site, _caller, _base):
        content_type = (request.header('Content-Type') or '').lower()
        if not content_type.startswith('application/json'):
            fail(415, 'UnsupportedMediaType', 'Caller must send the request body as application/json in utf-8.')
        body = request.json()
        if not isinstance(body, dict):
            fail(400, 'InvalidArgument', 'The request body must be an UpdateMachineRequestModel object.')
        with self.sim.lock:
            machine = self._machine(site, request.params['machine'])
            if 'InMaintenanceMode' in body:
                if not isinstance(body['InMaintenanceMode'], bool):
                    fail(400, 'InvalidArgument', 'InMaintenanceMode must be true or false.')
                machine['InMaintenanceMode'] = body['InMaintenanceMode']
        return Response(204, None, self._transaction_headers(request))

    def machine_sessions(self, request, site, _caller, _base):
        with self.sim.lock:
            machine = self._machine(site, request.params['machine'])
            self._settle(machine)
            fields = self._fields(request)
            items = [self.render_session(site, site.sessions[s], fields) for s in machine['_sessions']]
            return Response(200, {'Items': items, 'ContinuationToken': None, 'TotalItems': None},
                            self._transaction_headers(request))

    def power(self, action):
        needs, job_type, seconds, acts_from, no_op_from, final = POWER_ACTIONS[action]

        def handler(request, site, caller, base):
            force = (request.arg('force') or '').lower() == 'true'
            run_async = (request.arg('async') or '').lower() == 'true'
            with self.sim.lock:
                machine = self._settle(self._machine(site, request.params['machine']))
                required = 'PowerOff' if action == 'shutdown' and force else needs
                if required not in machine['SupportedPowerActions']:
                    fail(400, 'PowerActionsNotSupported', UNSUPPORTED_ACTION)
                if machine['PowerActionPending']:
                    fail(409, 'PowerActionInProgress', 'A power action is already pending for machine %s.' % machine['Name'])
                state = machine['PowerState']
                if state not in acts_from and state not in no_op_from:
                    fail(409, 'InvalidPowerState', 'Machine %s is %s; %s does not apply.' % (machine['Name'], state, action))
                now = self.sim.clock.now()
                duration = seconds if state in acts_from else NO_OP_SECONDS
                failure, machine['_fail_next'] = machine['_fail_next'], None
                machine['PowerActionPending'] = True
                machine['_transition'] = {'action': action, 'start': now, 'end': now + duration, 'from': state,
                                          'to': final if state in acts_from else state, 'fail': failure}
                job = {'Id': self.new_id(), 'Type': job_type, '_created': now, '_end': now + duration,
                       '_fail': failure, '_machine_id': machine['Id'], '_machine_name': machine['Name'],
                       '_caller': caller}
                site.jobs[job['Id']] = job
                self.power_log.append({'action': action, 'machine_id': machine['Id'], 'name': machine['Name'],
                                       'sessions': len(machine['_sessions']), 'force': force, 'job_id': job['Id'],
                                       'path': request.path, 'site': site.id})
                headers = self._transaction_headers(request)
                if run_async:
                    headers['Location'] = '%s/Jobs/%s' % (base, job['Id'])
                    return Response(202, None, headers)
                return Response(200, self.render_machine(site, machine), headers)
        return handler

    def list_jobs(self, request, site, caller, base):
        with self.sim.lock:
            items = [self.render_job(base, job) for job in site.jobs.values() if job['_caller'] == caller]
        return Response(200, {'Items': items, 'ContinuationToken': None, 'TotalItems': None},
                        self._transaction_headers(request))

    def get_job(self, request, site, _caller, base):
        with self.sim.lock:
            job = site.jobs.get(unquote(request.params['job']))
            if job is None:
                fail(404, 'ObjectNotFound', 'Job %s was not found.' % request.params['job'])
            return Response(200, self.render_job(base, job), self._transaction_headers(request))

    def list_sessions(self, request, site, _caller, _base):
        fields = self._fields(request)
        with self.sim.lock:
            for machine_id in {s['Machine'] for s in site.sessions.values()}:
                self._settle(site.machines[machine_id])
            sessions = list(site.sessions.values())
            body = self._page(request, sessions, 'sessions', lambda s: self.render_session(site, s, fields))
        body['TotalItems'] = len(sessions)  # seed 002 shows TotalItems on this listing
        return Response(200, body, self._transaction_headers(request))

    def _session(self, site, key):
        session = site.sessions.get(unquote(key))
        if session is None:
            fail(404, 'UnknownSession', 'Session %s was not found.' % key)
        return session

    def get_session(self, request, site, _caller, _base):
        with self.sim.lock:
            session = self._session(site, request.params['session'])
            return Response(200, self.render_session(site, session, self._fields(request)),
                            self._transaction_headers(request))

    def logoff_session(self, request, site, _caller, _base):
        with self.sim.lock:
            session = self._session(site, request.params['session'])
            site.sessions.pop(session['Id'], None)
            machine = site.machines.get(session['Machine'])
            if machine and session['Id'] in machine['_sessions']:
                machine['_sessions'].remove(session['Id'])
        return Response(204, None, self._transaction_headers(request))

    def disconnect_session(self, request, site, _caller, _base):
        with self.sim.lock:
            session = self._session(site, request.params['session'])
            if session['State'] != 'Disconnected':
                session['State'] = 'Disconnected'
                session['StateChangeTime'] = self.sim.clock.now()
            return Response(200, self.render_session(site, session), self._transaction_headers(request))

    # -- on-premises sign-in --------------------------------------------------------------------

    def onprem_token(self, request):
        match = re.match(r'^\s*Basic\s+(\S+)\s*$', request.header('Authorization') or '', re.IGNORECASE)
        user = password = None
        if match:
            try:
                user, _sep, password = base64.b64decode(match.group(1)).decode('utf-8').partition(':')
            except (binascii.Error, UnicodeError):
                user = None
        known = self.admins.get(user) if user else None
        if known is None or not secrets.compare_digest(known, password or ''):
            return error_data(401, 'Unauthorized', 'The user name or password is incorrect.',
                              error_type='AuthenticationFailed')
        token = 'onprem' + secrets.token_urlsafe(40)
        expires = self.sim.clock.now() + ONPREM_TOKEN_LIFETIME
        with self.sim.lock:
            self.onprem_tokens[token] = {'user': user, 'expires_at': expires}
        return Response(200, {'Token': token, 'Principal': user, 'UserId': str(uuid.uuid5(uuid.NAMESPACE_URL, user)),
                              'CustomerId': ONPREM_CUSTOMER, 'ExpiresAt': iso(expires)})

    # -- routing --------------------------------------------------------------------------------

    def _site_operations(self):
        ops = [
            ('GET', r'/Machines', self.list_machines, 'machines.list', False),
            ('GET', r'/Machines/(?P<machine>[^/$][^/]*)', self.get_machine, 'machine.get', False),
            ('PATCH', r'/Machines/(?P<machine>[^/$][^/]*)', self.patch_machine, 'machine.update', True),
            ('GET', r'/Machines/(?P<machine>[^/$][^/]*)/Sessions', self.machine_sessions, 'machine.sessions', False),
            ('GET', r'/MachineCatalogs/(?P<catalog>[^/]+)/Machines', self.list_catalog_machines,
             'catalog_machines.list', False),
            ('GET', r'/DeliveryGroups/(?P<group>[^/]+)/Machines', self.list_group_machines,
             'group_machines.list', False),
            ('GET', r'/Jobs', self.list_jobs, 'jobs.list', False),
            ('GET', r'/Jobs/(?P<job>[^/]+)', self.get_job, 'job.get', False),
            ('GET', r'/Sessions', self.list_sessions, 'sessions.list', False),
            ('GET', r'/Sessions/(?P<session>[^/$][^/]*)', self.get_session, 'session.get', False),
            ('POST', r'/Sessions/(?P<session>[^/]+)/\$logoff', self.logoff_session, 'session.logoff', True),
            ('POST', r'/Sessions/(?P<session>[^/]+)/\$disconnect', self.disconnect_session, 'session.disconnect', True),
        ]
        for action in POWER_ACTIONS:
            ops.append(('POST', r'/Machines/(?P<machine>[^/]+)/\$' + action, self.power(action), 'power.' + action, True))
        return ops

    def _scoped(self, mode, handler):
        def run(request):
            site, caller, base = self._context(request, mode)
            return handler(request, site, caller, base)
        return run

    def routes(self):
        routes = [
            Route('GET', CLOUD_PREFIX + r'/me', self.me('cloud'), 'daas.me'),
            Route('GET', LEGACY_ROOT + r'/me', self.me('legacy'), 'daas.legacy.me'),
            Route('GET', ONPREM_ROOT + r'/me', self.me('onprem'), 'daas.onprem.me'),
            Route('POST', ONPREM_ROOT + r'/tokens', self.onprem_token, 'daas.onprem.token'),
        ]
        for method, path, handler, name, write in self._site_operations():
            routes.append(Route(method, CLOUD_PREFIX + path, self._scoped('cloud', handler), 'daas.' + name, write))
            routes.append(Route(method, ONPREM_PREFIX + path, self._scoped('onprem', handler), 'daas.' + name, write))
            routes.append(Route(method, LEGACY_PREFIX + path, self._scoped('legacy', handler),
                                'daas.legacy.' + name, write))
        return routes

    # -- test and admin helpers -----------------------------------------------------------------

    def site(self, name_or_id=None):
        if name_or_id is None:
            return next(iter(self.sites.values()))
        return self._site(name_or_id)

    def add_catalog(self, name, machines, delivery_group=None, session_support='SingleSession', site=None,
                    profile='vm', os_type='Windows 11', prefix=None):
        """A catalog of ``machines`` identical machines (On, registered, idle, not in maintenance)."""
        with self.sim.lock:
            target = self.site(site)
            catalog, created = self._add_catalog(target, name, int(machines), delivery_group, session_support,
                                                 os_type, 'MCS', 'Random', profile, varied=False, prefix=prefix)
            return {'id': catalog['Id'], 'name': name, 'site_id': target.id, 'machine_ids': [m['Id'] for m in created]}

    def set_sessions(self, catalog, machines, per_machine=1, state='Active', site=None):
        """Give sessions to exactly ``machines`` machines of ``catalog`` (chosen by the seeded generator)
        and none to the others; returns the ids of the machines that have sessions."""
        with self.sim.lock:
            target = self.site(site)
            found = self._find_by_name_or_id(target.catalogs, catalog, 'Machine catalog', 'UnknownCatalog')
            members = [m for m in target.machines.values() if m['_catalog'] == found['Id']]
            for machine in members:
                self._end_sessions(machine)
            chosen = self.rng.sample(members, int(machines))
            for machine in chosen:
                for _session in range(int(per_machine)):
                    self._add_session(target, machine, state=state)
            return [m['Id'] for m in chosen]

    def add_session(self, machine, user=None, state='Active', site=None):
        """One more session on a machine; returns its id."""
        with self.sim.lock:
            target = self.site(site)
            return self._add_session(target, self._machine(target, machine), state=state, user=user)['Id']

    def update_machine(self, machine, site=None, **changes):
        """Admin changes to one machine: ``fail_next_power_action`` (``{'code', 'message'}``), or model
        fields (``PowerState``, ``SupportedPowerActions``, ``InMaintenanceMode``, ``RegistrationState``)."""
        with self.sim.lock:
            target = self.site(site)
            record = self._settle(self._machine(target, machine))
            failure = changes.pop('fail_next_power_action', None)
            if failure:
                record['_fail_next'] = {'code': failure.get('code', 'HypervisorNotContactable'),
                                        'message': failure.get('message', 'The hypervisor could not be contacted.')}
            if 'PowerState' in changes:
                self._set_power(record, changes.pop('PowerState'))
            for key, value in changes.items():
                if key.startswith('_') or key not in record:
                    raise ValueError('unknown machine field %r' % key)
                record[key] = value
            return self.render_machine(target, record)

    def machines_of(self, catalog=None, site=None):
        """Machine ids in listing order (of one catalog, when given)."""
        with self.sim.lock:
            target = self.site(site)
            if catalog is None:
                return list(target.machines)
            found = self._find_by_name_or_id(target.catalogs, catalog, 'Machine catalog', 'UnknownCatalog')
            return [m['Id'] for m in target.machines.values() if m['_catalog'] == found['Id']]

    def machine(self, machine, site=None):
        with self.sim.lock:
            target = self.site(site)
            return self.render_machine(target, self._machine(target, machine))

    def add_admin(self, user, password):
        with self.sim.lock:
            self.admins[user] = password

    def expire_onprem_tokens(self):
        with self.sim.lock:
            for record in self.onprem_tokens.values():
                record['expires_at'] = 0

    def admin_routes(self):
        def body(request):
            data = request.json() or {}
            if not isinstance(data, dict):
                raise Reply(Response(400, {'message': 'expected a JSON object'}))
            return data

        def call(func, request, **extra):
            try:
                return func(**dict(body(request), **extra))
            except (TypeError, ValueError) as exc:
                raise Reply(Response(400, {'message': str(exc)}))

        def add_site(request):
            data = body(request)
            site = self.add_site(data['name'], int(data.get('machines', 0)))
            return {'id': site.id, 'name': site.name}

        return [
            Route('POST', r'/sites', add_site, 'admin.daas.sites'),
            Route('POST', r'/catalogs', lambda r: call(self.add_catalog, r), 'admin.daas.catalogs'),
            Route('POST', r'/sessions', lambda r: {'machine_ids': call(self.set_sessions, r)}, 'admin.daas.sessions'),
            Route('POST', r'/machines/(?P<machine>[^/]+)',
                  lambda r: call(self.update_machine, r, machine=r.params['machine']), 'admin.daas.machine'),
            Route('POST', r'/admins', lambda r: call(self.add_admin, r) or {'ok': True}, 'admin.daas.admins'),
            Route('GET', r'/power-log', lambda r: {'actions': list(self.power_log)}, 'admin.daas.power_log'),
        ]


SERVICE = DaaS
