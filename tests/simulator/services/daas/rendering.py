"""Rendering of the DaaS API's JSON: machines (``MachineResponseModel``), sessions (seed 002's shape) and
jobs, with the API's two time formats (ISO and the unformatted ``11/16/2020 2:01:04 PM``)."""

import datetime

from tests.simulator.services.daas.power import JOB_QUEUE_SECONDS, job_status, settle, shown_power_state


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


def render_user(user, domain):
    """An ``IdentityUserResponseModel`` for ``DOMAIN\\user``, with the properties seed 002 shows (the live API
    sends every one, null when unknown; ``PropertiesFetched`` 0: no directory lookup was made)."""
    short = user.split('\\')[-1]
    model = dict.fromkeys(('SamName', 'SamAccountName', 'CommonName', 'Sid', 'GroupSids', 'DenyOnlySids',
                           'PasswordCanExpire', 'DaysUntilPasswordExpiry', 'IsBuiltIn', 'IsGroup', 'StreetAddress',
                           'City', 'State', 'Country', 'Mail', 'TelephoneNumber', 'HomePhone', 'Mobile', 'Enabled',
                           'Locked', 'Domain', 'Forest', 'Guid', 'DistinguishedName', 'CanonicalName',
                           'DirectoryServer'))
    model.update(DisplayName=short, PrincipalName='%s@%s.example.com' % (short, domain.lower()), Name=user,
                 PropertiesFetched=0, PossibleLookupFailure=False)
    return model


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
    return {
        'Id': machine['Id'], 'Uid': machine['Uid'], 'Name': machine['Name'], 'MachineCatalog': ref(catalog),
        'AgentVersion': '2311.0.0.1170', 'AllocationType': catalog['AllocationType'],
        'ApplicationsInUse': [], 'AssignedUsers': [],
        'AssociatedUsers': [render_user(s['User'], site.domain) for s in sessions],
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
        'IsAssigned': catalog['AllocationType'] == 'Static', 'MachineType': catalog['MachineType'],
        'LastConnectionFailure': 'None',
        'LastConnectionTime': us_time(first['StartTime']) if first else None,
        'FormattedLastConnectionTime': iso(first['StartTime']) if first else None,
        'LastConnectionUser': render_user(first['User'], site.domain) if first else None,
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
        'ContainerMetadata': None, 'Tags': [], 'UpgradeType': 'NotSet', 'UpgradeState': 'Unknown',
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


def render_session(estate, site, session, fields=None):
    """A session as seed 002 shows it, with its machine embedded (unless ``fields`` leaves it out)."""
    machine = site.machines.get(session['Machine'])
    user = session['User']
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
        'User': render_user(user, site.domain),
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
