"""Rendering of the DaaS API's JSON: machines (``MachineResponseModel``), sessions (seed 002's shape),
jobs, machine catalogs, delivery groups and tags, with the API's two time formats (ISO and the unformatted
``11/16/2020 2:01:04 PM``)."""

import datetime

from tests.simulator.services.daas.membership import user_model
from tests.simulator.services.daas.power import JOB_QUEUE_SECONDS, job_status, settle, shown_power_state
from tests.simulator.services.daas.tags import tag_names


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


def render_machine(estate, site, machine):
    """A ``MachineResponseModel`` (77 properties), after bringing the machine up to date."""
    settle(estate, machine)
    catalog = site.catalogs.get(machine['_catalog'])
    group = site.groups.get(machine['_group'])
    sessions = [site.sessions[s] for s in machine['_sessions'] if s in site.sessions]
    first = sessions[0] if sessions else None
    registered = machine['RegistrationState'] == 'Registered'
    power_state = shown_power_state(machine, estate.clock.now())
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
    static = catalog['AllocationType'] == 'Static'
    assigned = [user_model(name) for name in machine['_assigned']]
    return {
        'Id': machine['Id'], 'Uid': machine['Uid'], 'Name': machine['Name'], 'MachineCatalog': ref(catalog),
        'AgentVersion': '2311.0.0.1170', 'AllocationType': catalog['AllocationType'],
        'ApplicationsInUse': [], 'AssignedUsers': assigned,
        'AssociatedUsers': assigned if static else [user_model(s['User']) for s in sessions],
        'AzureAdJoinedMode': 'NotAadJoined', 'ContainerScopes': [],
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
        'IsAssigned': bool(assigned), 'MachineType': catalog['MachineType'],
        'LastConnectionFailure': 'None',
        'LastConnectionTime': us_time(first['StartTime']) if first else None,
        'FormattedLastConnectionTime': iso(first['StartTime']) if first else None,
        'LastConnectionUser': user_model(first['User']) if first else None,
        'LastDeregistrationReason': machine['LastDeregistrationReason'],
        'LastDeregistrationTime': (us_time(machine['LastDeregistrationTime'])
                                   if machine['LastDeregistrationTime'] else None),
        'FormattedLastDeregistrationTime': (iso(machine['LastDeregistrationTime'])
                                            if machine['LastDeregistrationTime'] else None),
        'LastErrorReason': None, 'LastErrorTime': None, 'FormattedLastErrorTime': None,
        'LoadIndex': min(10000, 1250 * len(sessions)) if multi else None,
        'MachineUnavailableReason': 'None', 'OSType': catalog['OSType'], 'OSVersion': '10.0.22631',
        'PersistUserChanges': 'OnLocal' if static else 'Discard',
        'PowerActionPending': machine['PowerActionPending'], 'PowerState': power_state,
        'ProvisioningType': catalog['ProvisioningType'], 'PublishedApplications': None, 'PublishedName': None,
        'RegistrationState': machine['RegistrationState'], 'ScheduledReboot': 'None',
        'SessionClientAddress': first['ClientAddress'] if first else None,
        'SessionClientName': first['ClientName'] if first else None,
        'SessionClientVersion': '23.11.0.23' if first else None,
        'SessionConnectedViaHostName': None, 'SessionConnectedViaIP': None,
        'SessionCount': len(sessions), 'SessionLaunchedViaHostName': None, 'SessionLaunchedViaIP': None,
        'SessionProtocol': 'Hdx' if first else None, 'SessionSecureIcaActive': False if first else None,
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
        'ContainerMetadata': None, 'Tags': tag_names(site, machine), 'UpgradeType': 'NotSet', 'UpgradeState': 'Unknown',
        'MachineConfigurationOutOfSync': False, 'UpgradeDetail': None,
    }


def render_machine_detail(estate, site, machine):
    """A ``MachineDetailResponseModel`` (a single machine's GET and the synchronous power actions): the
    listing's model plus the detail properties."""
    model = render_machine(estate, site, machine)
    catalog = site.catalogs.get(machine['_catalog'])
    virtual = catalog['MachineType'] == 'Virtual'
    model.update({
        'AssignedClientName': None, 'AssignedIPAddress': None, 'BrowserName': None, 'ColorDepth': 'TwentyFourBit',
        'IconId': None, 'IsReserved': False, 'LoadIndexes': None, 'SecureIcaRequired': False,
        'SessionsEstablished': model['SessionCount'], 'SessionsPending': 0, 'StoreFrontServersForHostedReceiver': [],
        'VMToolsState': ('Running' if model['PowerState'] == 'On' else 'NotStarted') if virtual else 'NotPresent',
        'FailureReason': None,
    })
    return model


# What the simulator's sessions run and come from, picked by session number so records stay stable.
PUBLISHED_APPS = ('Microsoft Word', 'Microsoft Excel', 'Microsoft Outlook', 'SAP Logon', 'Notepad++')
CLIENT_PLATFORMS = (('Windows', 1, '23.11.0.23'), ('Mac', 82, '23.09.0.7'), ('Linux', 81, '23.11.0.4'),
                    ('HTML5', 257, '23.11.0.51'))
LOGON_SECONDS = 45


def render_session(estate, site, session, fields=None):
    """A session as seed 002 shows it, with its machine embedded (unless ``fields`` leaves it out):
    applications in use (application sessions), client platform and version, the StoreFront it was
    launched through and, for every other session, the Gateway it connects through with its SmartAccess
    tags."""
    machine = site.machines.get(session['Machine'])
    user = session['User']
    number = session['Uid']
    domain = site.domain.lower()
    platform, product, version = CLIENT_PLATFORMS[number % len(CLIENT_PLATFORMS)]
    apps = []
    if session['SessionType'] == 'Application':
        apps = [{'Id': '00000000-0000-0000-0000-%012d' % (index + 1), 'Uid': None, 'Name': PUBLISHED_APPS[index]}
                for index in sorted({number % len(PUBLISHED_APPS), (number * 7 + 3) % len(PUBLISHED_APPS)})]
    via_gateway = number % 2 == 0
    started = session['StartTime']
    model = {
        'Id': session['Id'], 'Uid': number, 'ApplicationsInUse': apps, 'AppState': 'Active',
        'AppStateLastChangeTime': us_time(started), 'FormattedAppStateLastChangeTime': iso(started),
        'Brokering': {'AutonomouslyBrokered': False, 'DurationMilliseconds': None, 'Time': None,
                      'UserName': None, 'UserSid': None},
        'Client': {'DeviceId': None, 'HardwareId': None, 'IPAddress': session['ClientAddress'],
                   'Name': session['ClientName'], 'Platform': platform, 'ProductId': product,
                   'ReceiverIPAddress': None, 'ReceiverName': None, 'Version': version},
        'Connection': {'ConnectedViaHostName': 'gateway.%s.example.com' % domain if via_gateway else None,
                       'ConnectedViaIP': '10.250.0.10' if via_gateway else session['ClientAddress'],
                       'ConnectionMode': 'Brokered', 'LaunchedViaHostName': 'storefront.%s.example.com' % domain,
                       'LaunchedViaIP': '10.250.1.20', 'Protocol': 'Hdx', 'SecureIcaActive': False,
                       'SmartAccessTags': [{'Farm': 'CorpGateway', 'Filter': 'ManagedDevice'}] if via_gateway else []},
        'ContainerScopes': [], 'EstablishmentDurationMilliseconds': 9000,
        'EstablishmentTime': us_time(started), 'FormattedEstablishmentTime': iso(started),
        'IsAnonymousUser': False, 'IsHidden': False, 'LogoffInProgress': False,
        'LogonInProgress': estate.clock.now() - started < LOGON_SECONDS,
        'Machine': None, 'SessionType': session['SessionType'],
        'StartTime': us_time(started), 'FormattedStartTime': iso(started),
        'State': session['State'], 'StateChangeTime': us_time(session['StateChangeTime']),
        'FormattedStateChangeTime': iso(session['StateChangeTime']), 'UntrustedUserName': user,
        'User': user_model(user),
    }
    if machine is not None and (not fields or 'machine' in fields):
        embedded = render_machine(estate, site, machine)
        # Seed 002: the machine embedded in a session carries no Id (only the deprecated Uid).
        embedded['Id'] = None
        model['Machine'] = embedded
    return select_fields(model, fields)


def render_job(estate, base, job):
    """A ``JobResponseModel``; ``base`` is the URL prefix its ``ResultLocation`` starts with. A power job's
    ``Parameters`` name its machine; a ``Batch`` job has none (as the spec says), one sub-job per item,
    and its results at ``Jobs/{id}/Results``."""
    status, progress = job_status(job, estate.clock.now())
    done = status in ('Complete', 'Failed')
    failed = status == 'Failed'
    start = job['_created'] + job.get('_queue', JOB_QUEUE_SECONDS)
    batch = job['Type'] == 'Batch'
    if batch:
        parameters, result = [], '%s/Jobs/%s/Results' % (base, job['Id'])
        subjobs = render_subjobs(job, status)
        error_parameters = []
    else:
        parameters = [{'Name': 'Id', 'Value': job['_machine_id']}, {'Name': 'Name', 'Value': job['_machine_name']}]
        result, subjobs = '%s/Machines/%s' % (base, job['_machine_id']), []
        error_parameters = [{'Name': 'MachineName', 'Value': job['_machine_name']}] if failed else []
    return {
        'Id': job['Id'], 'Type': job['Type'], 'OverallProgressPercent': progress,
        'IsCancellable': not done, 'Parameters': parameters, 'SubJobs': subjobs, 'Status': status,
        'ResultLocation': result if status == 'Complete' or (done and not batch) else None,
        'ErrorString': job['_fail']['message'] if failed else None,
        'ErrorCode': job['_fail']['code'] if failed else None,
        'ErrorParameters': error_parameters,
        'CreationTime': us_time(job['_created']), 'FormattedCreationTime': iso(job['_created']),
        'StartTime': us_time(start) if status != 'NotStarted' else None,
        'FormattedStartTime': iso(start) if status != 'NotStarted' else None,
        'EndTime': us_time(job['_end']) if done else None,
        'FormattedEndTime': iso(job['_end']) if done else None,
    }


# -- catalogs, delivery groups, tags --------------------------------------------------------------------

def _available(estate, machine, now):
    """A machine a new session could start on: registered, on, not in maintenance, without sessions."""
    return (machine['RegistrationState'] == 'Registered' and not machine['InMaintenanceMode']
            and not machine['_sessions'] and shown_power_state(machine, now) in ('On', 'Unmanaged'))


def render_catalog(estate, site, catalog):
    """A ``MachineCatalogResponseModel`` with its machine counts."""
    members = [m for m in site.machines.values() if m['_catalog'] == catalog['Id']]
    used = [m for m in members if m['_group']]
    assigned = [m for m in members if m['_assigned']]
    static = catalog['AllocationType'] == 'Static'
    return {
        'Id': catalog['Id'], 'Uid': catalog['Uid'], 'Name': catalog['Name'], 'FullName': catalog['Name'],
        'Description': catalog.get('Description'), 'AllocationType': catalog['AllocationType'],
        'ProvisioningType': catalog['ProvisioningType'], 'SessionSupport': catalog['SessionSupport'],
        'MachineType': catalog['MachineType'], 'PersistChanges': 'OnLocal' if static else 'Discard',
        'SharingKind': 'Private' if static else 'Shared', 'IsPowerManaged': catalog['profile'] != 'physical',
        'IsRemotePC': False, 'IsBroken': False, 'HasBeenPromoted': False, 'HasBeenPromotedFrom': None,
        'CanRollbackVMImage': False, 'CanRecreateCatalog': False, 'MinimumFunctionalLevel': 'L7_20',
        'TotalCount': len(members), 'UsedCount': len(used), 'AvailableCount': len(members) - len(used),
        'AssignedCount': len(assigned), 'UnassignedCount': len(members) - len(assigned),
        'AvailableAssignedCount': sum(1 for m in assigned if not m['_group']),
        'AvailableUnassignedCount': sum(1 for m in members if not m['_group'] and not m['_assigned']),
        'Zone': {'Id': site.zone['Id'], 'Uid': None, 'Name': site.zone['Name']}, 'Metadata': [], 'Scopes': [],
        'Tenants': None, 'Errors': [], 'JobsInProgress': [], 'ProvisioningScheme': None, 'UpgradeInfo': None,
        'AdminFolder': None,
    }


def render_group(estate, site, group):
    """A ``DeliveryGroupResponseModel`` with its desktop and session counts."""
    now = estate.clock.now()
    members = [settle(estate, m) for m in site.machines.values() if m['_group'] == group['Id']]
    sessions = [site.sessions[s] for m in members for s in m['_sessions'] if s in site.sessions]
    return {
        'Id': group['Id'], 'Uid': group['Uid'], 'Name': group['Name'], 'FullName': group['Name'],
        'Description': group.get('Description'), 'PublishedName': group['Name'],
        'DeliveryType': group['DeliveryType'], 'Delivering': group['DeliveryType'],
        'SessionSupport': group['SessionSupport'], 'SharingKind': group['SharingKind'],
        'Enabled': True, 'InMaintenanceMode': group['InMaintenanceMode'], 'IsBroken': False, 'IsRemotePC': False,
        'HasBeenPromoted': False, 'HasBeenPromotedFrom': None, 'MinimumFunctionalLevel': 'L7_20',
        'RequireUserHomeZone': False, 'TotalDesktops': len(members), 'TotalApplications': 0,
        'DesktopsAvailable': sum(1 for m in members if _available(estate, m, now)),
        'DesktopsUnregistered': sum(1 for m in members if m['RegistrationState'] != 'Registered'
                                    and shown_power_state(m, now) in ('On', 'Unmanaged')),
        'DesktopsDisconnected': sum(1 for m in members if any(
            site.sessions[s]['State'] == 'Disconnected' for s in m['_sessions'] if s in site.sessions)),
        'DesktopsFaulted': 0, 'SessionCount': len(sessions), 'Metadata': [], 'Scopes': [], 'Tenants': None,
        'ApplicationGroupCompatibility': 'Compatible', 'ApplicationCompatibility': 'Compatible',
        'DesktopCompatibility': 'Compatible', 'UserManagement': 'Studio', 'AdminFolder': None,
        'PolicySetGuid': '00000000-0000-0000-0000-000000000000', 'LicenseModel': None, 'ProductCode': None,
        'MachineLogOnType': 'ActiveDirectory',
    }


def render_group_detail(estate, site, group):
    """A ``DeliveryGroupDetailResponseModel`` (a single group's GET and ``DoAddMachines``): the listing's
    model plus its machine counts."""
    model = render_group(estate, site, group)
    now = estate.clock.now()
    members = [m for m in site.machines.values() if m['_group'] == group['Id']]
    systems = {}
    for machine in members:
        os_type = site.catalogs[machine['_catalog']]['OSType']
        systems[os_type] = systems.get(os_type, 0) + 1
    types = set(site.catalogs[m['_catalog']]['MachineType'] for m in members)
    model.update({
        'DesktopsInUse': sum(1 for m in members if any(site.sessions[s]['State'] in ('Active', 'Connected')
                                                       for s in m['_sessions'] if s in site.sessions)),
        'DesktopsNeverRegistered': 0, 'DesktopsPreparing': 0,
        'MachineOperatingSystems': [{'Name': name, 'Value': count} for name, count in sorted(systems.items())],
        'MachineType': types.pop() if len(types) == 1 else 'Unknown',
        'MachinesInMaintenanceMode': sum(1 for m in members if m['InMaintenanceMode']),
        'OffMachines': sum(1 for m in members if shown_power_state(m, now) == 'Off'),
        'RegisteredMachines': sum(1 for m in members if m['RegistrationState'] == 'Registered'),
        'SecureIcaRequired': False, 'TotalApplicationGroups': 0, 'TotalMachines': len(members),
    })
    return model


def render_tag(tag, counts):
    """A ``TagResponseModel``; ``counts``: its object counts (:func:`tags.tag_counts`)."""
    model = {'Id': tag['Id'], 'Uid': tag['Uid'], 'Name': tag['Name'], 'Description': tag['Description'],
             'IsUsedByGpo': False, 'NumApplications': 0, 'NumApplicationGroups': 0, 'NumAutoscale': 0,
             'NumUnknownObjects': 0, 'ScopeReferences': []}
    model.update(counts)
    return model


def render_subjobs(job, status):
    """The sub-jobs of a ``Batch`` job, one per item: running while the batch runs, then each item's
    outcome (none when the batch failed as a whole)."""
    if status == 'Failed':
        return []
    created, formatted = us_time(job['_created']), iso(job['_created'])
    running = status != 'Complete'
    return [{'Id': sub['Id'], 'Type': sub['Type'], 'Status': 'InProgress' if running else (
        'Failed' if sub['Failed'] else 'Complete'), 'Parameters': [{'Name': 'Reference', 'Value': sub['Reference']}],
        'SubJobs': [], 'CreationTime': created, 'FormattedCreationTime': formatted} for sub in job['_subjobs']]
