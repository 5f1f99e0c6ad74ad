"""The DaaS estate a site is seeded with: five catalogs with their delivery groups and shares of the
site's machines, and a realistic spread of machine states (off, suspended, booting, unregistered, in
maintenance, with sessions). Everything is drawn from the estate's own generator, so two simulators
with the same seed and size hold the same estate."""

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


def seed_site(estate, site, machines):
    """Fill ``site`` with ``machines`` machines spread over the catalogs of :data:`CATALOG_PLAN`."""
    counts = [int(machines * share) for _n, share, *_rest in CATALOG_PLAN]
    counts[0] += machines - sum(counts)
    for plan, count in zip(CATALOG_PLAN, counts):
        if count <= 0:
            continue
        name, _share, group, support, os_type, provisioning, allocation, profile = plan
        _catalog, created = estate.new_catalog(site, name, count, group, support, os_type, provisioning, allocation,
                                               profile, varied=True)
        if allocation == 'Static':
            assign_owners(site, created)


def assign_owners(site, machines):
    """Personal desktops: a machine with a session belongs to its user; of the others, every second one
    has an owner who is not logged on (no draw from the generator, so the estate stays as it was)."""
    for machine in machines:
        if machine['_sessions']:
            machine['_assigned'] = [site.sessions[machine['_sessions'][0]]['User']]
        elif machine['Uid'] % 2 == 0:
            machine['_assigned'] = ['%s\\owner%05d' % (site.domain, machine['Uid'])]


def vary(estate, site, machine, catalog):
    """A realistic spread of states for a seeded machine (deterministic through ``estate.rng``)."""
    rng = estate.rng
    if catalog['profile'] != 'physical':
        roll = rng.random()
        if roll < 0.15:
            estate.set_power(machine, 'Off')
        elif roll < 0.19 and catalog['profile'] == 'vm-suspend':
            estate.set_power(machine, 'Suspended')
        elif roll < 0.20:
            # A boot already under way (started by someone else), finishing in ten minutes.
            now = estate.clock.now()
            estate.set_power(machine, 'Off')
            machine['PowerActionPending'] = True
            machine['_transition'] = {'action': 'start', 'start': now, 'end': now + 600, 'from': 'Off',
                                      'to': 'On', 'fail': None}
        if rng.random() < 0.02:
            machine['SupportedPowerActions'] = ['PowerOn', 'PowerOff', 'Shutdown']  # no Restart
    if machine['PowerState'] in ('On', 'Unmanaged') and rng.random() < 0.05:
        machine['RegistrationState'] = rng.choice(['Unregistered', 'AgentError'])
        machine['LastDeregistrationReason'] = 'AgentNotContactable'
        machine['LastDeregistrationTime'] = estate.clock.now() - 3600
    if rng.random() < 0.03:
        machine['InMaintenanceMode'] = True
    if machine['RegistrationState'] == 'Registered' and machine['PowerState'] in ('On', 'Unmanaged'):
        if catalog['SessionSupport'] == 'MultiSession':
            count = rng.choice([0, 0, 0, 1, 2, 3, 5, 8])
        else:
            count = 1 if rng.random() < 0.5 else 0
        for _session in range(count):
            estate.new_session(site, machine, state=rng.choice(['Active'] * 7 + ['Disconnected'] * 2 + ['Connected']))
