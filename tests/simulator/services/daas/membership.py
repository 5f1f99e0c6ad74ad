"""Delivery-group membership and user assignment of DaaS machines: ``DoAddMachines`` (a number of
machines of a catalog, or named machines with the users they are assigned to), ``DoRemoveMachines``, and
``AssignedUsers`` of a machine (``PATCH /Machines/{nameOrId}``), with users named as the API accepts them
(SamName ``DOMAIN\\user``, UPN or SID).

Functions take the :class:`~.estate.Estate` and a site; the caller holds the simulator's lock. Invalid
requests raise the API's ``ErrorData`` replies (``errors.fail``).
"""

import uuid

from tests.simulator.services.daas.errors import fail


def identity(site, user):
    """An ``IdentityUserResponseModel`` for a user given as ``DOMAIN\\user``, ``user@domain`` or a SID
    already known to the site. Unknown SIDs and bare names are refused (400 ``InvalidUser``)."""
    text = str(user or '').strip()
    if text.upper().startswith('S-1-'):
        name = site.directory.get(text.lower())
        if name is None:
            fail(400, 'InvalidUser', 'User %s could not be resolved.' % text)
    elif '\\' in text and text.split('\\', 1)[1]:
        name = text
    elif '@' in text and text.split('@', 1)[0]:
        name = '%s\\%s' % (site.domain, text.split('@', 1)[0])
    else:
        fail(400, 'InvalidUser', 'User %s could not be resolved: give DOMAIN\\user, a UPN or a SID.' % text)
    model = user_model(name)
    site.directory[model['Sid'].lower()] = name
    return model


def user_model(name):
    """The ``IdentityUserResponseModel`` of a ``DOMAIN\\user`` name (its SID derived from the name), with every
    property seed 002 shows: the live API sends them all, null when unknown (``PropertiesFetched`` 0: no
    directory lookup was made)."""
    domain, short = name.split('\\', 1)
    number = uuid.uuid5(uuid.NAMESPACE_OID, name.lower()).int % 90000 + 10000
    model = dict.fromkeys(('SamAccountName', 'CommonName', 'GroupSids', 'DenyOnlySids', 'PasswordCanExpire',
                           'DaysUntilPasswordExpiry', 'IsBuiltIn', 'IsGroup', 'StreetAddress', 'City', 'State',
                           'Country', 'Mail', 'TelephoneNumber', 'HomePhone', 'Mobile', 'Enabled', 'Locked', 'Forest',
                           'Guid', 'DistinguishedName', 'CanonicalName', 'DirectoryServer'))
    model.update(Name=name, DisplayName=short, SamName=name, PrincipalName='%s@%s.example.com' % (short, domain.lower()),
                 Sid='S-1-5-21-1004336348-1177238915-682003330-%d' % number, Domain=domain, PropertiesFetched=0,
                 PossibleLookupFailure=False)
    return model


def resolve_users(site, users):
    """The canonical ``DOMAIN\\user`` names of ``users`` (each once, in order)."""
    if not isinstance(users, list):
        fail(400, 'InvalidArgument', 'Users must be a list of user names.')
    names = []
    for user in users:
        name = identity(site, user)['Name']
        if name.lower() not in (n.lower() for n in names):
            names.append(name)
    return names


def set_assigned_users(site, machine, users):
    """``PATCH AssignedUsers``: only machines of a static (personal) catalog take assigned users."""
    catalog = site.catalogs[machine['_catalog']]
    names = resolve_users(site, users)
    if names and catalog['AllocationType'] != 'Static':
        fail(400, 'MachineNotAssignable', 'Machine %s belongs to catalog %s, whose machines are not assigned to '
             'users (AllocationType Random).' % (machine['Name'], catalog['Name']))
    machine['_assigned'] = names


def add_machines(estate, site, group, body):
    """``DoAddMachines``: machines of ``body['MachineCatalog']`` into ``group``, ``Count`` of the catalog's
    available ones (in no delivery group) and/or the named ``AssignMachinesToUsers``. All or nothing:
    everything is checked before any machine moves. Returns the machines added."""
    if not isinstance(body, dict) or not body.get('MachineCatalog'):
        fail(400, 'InvalidArgument', 'MachineCatalog is required.')
    catalog = estate.find_catalog(site, str(body['MachineCatalog']))
    count = body.get('Count')
    assignments = body.get('AssignMachinesToUsers') or []
    if count is None and not assignments:
        fail(400, 'InvalidArgument', 'Give Count or AssignMachinesToUsers.')
    if count is not None and (not isinstance(count, int) or isinstance(count, bool) or count < 1):
        fail(400, 'InvalidArgument', 'Count must be a positive integer.')
    if not isinstance(assignments, list):
        fail(400, 'InvalidArgument', 'AssignMachinesToUsers must be a list.')
    if group['SessionSupport'] != catalog['SessionSupport']:
        fail(400, 'SessionSupportMismatch', 'Catalog %s (%s) cannot add machines to delivery group %s (%s).' % (
            catalog['Name'], catalog['SessionSupport'], group['Name'], group['SessionSupport']))
    named = []
    for entry in assignments:
        if not isinstance(entry, dict) or not entry.get('Machine'):
            fail(400, 'InvalidArgument', 'Each AssignMachinesToUsers entry needs a Machine.')
        machine = estate.find_machine(site, str(entry['Machine']))
        if machine['_catalog'] != catalog['Id']:
            fail(400, 'MachineNotInCatalog', 'Machine %s is not in catalog %s.' % (machine['Name'], catalog['Name']))
        if machine['_group'] not in (None, group['Id']):
            fail(409, 'MachineInOtherDeliveryGroup', 'Machine %s already belongs to delivery group %s.' % (
                machine['Name'], site.groups[machine['_group']]['Name']))
        users = resolve_users(site, entry.get('Users') or [])
        if users and catalog['AllocationType'] != 'Static':
            fail(400, 'MachineNotAssignable', 'Machines of catalog %s are not assigned to users.' % catalog['Name'])
        named.append((machine, users))
    chosen = []
    if count:
        taken = set(m['Id'] for m, _users in named)
        available = [m for m in site.machines.values()
                     if m['_catalog'] == catalog['Id'] and m['_group'] is None and m['Id'] not in taken]
        if len(available) < count:
            fail(400, 'InsufficientMachines', 'Catalog %s has %d machines available, %d were asked for.' % (
                catalog['Name'], len(available), count))
        chosen = available[:count]
    added = []
    for machine, users in named:
        if users:
            machine['_assigned'] = users
        if machine['_group'] != group['Id']:
            machine['_group'] = group['Id']
            added.append(machine)
    for machine in chosen:
        machine['_group'] = group['Id']
        added.append(machine)
    return added


def remove_machine(estate, site, group, key):
    """``DoRemoveMachines`` of one machine; a machine that is not in the group is a 404."""
    machine = estate.find_machine(site, key)
    if machine['_group'] != group['Id']:
        fail(404, 'MachineNotInDeliveryGroup', 'Machine %s is not in delivery group %s.' % (
            machine['Name'], group['Name']))
    machine['_group'] = None
    return machine
