"""The probes of the fault matrix: one representative call of every module and inventory plugin,
with the simulator it needs, the routes it uses and how to tell that a success is complete."""

import os

from tests.integration.daas.support import onprem_env
from tests.reliability import XEN_CREATE_TEMPLATE, XEN_CREATING, Probe

# Citrix Cloud

CLOUD = {'services': ['cloud', 'cloud_platform']}
CLOUD_URLS = ('CITRIX_CLOUD_API_URL', 'CITRIX_WORKSPACES_API_URL')


def _bulk_notifications(sim):
    sim.service('cloud_platform').add_notifications(sim.service('cloud').customer, 150)


def _location_created(sim, result):
    locations = sim.service('cloud_platform').customer_locations(sim.service('cloud').customer)
    return any(location['name'] == 'Reliability lab' for location in locations.values())


def _notification_sent(sim, result):
    customer = sim.service('cloud').customer
    return sim.service('cloud_platform').find_notification(customer, result.get('event_id')) is not None


# Citrix DaaS: the Cloud way in, a fast clock (a shutdown takes 0.4 s), and catalogs of our own.

DAAS = {'services': ['cloud', 'daas'], 'size': 20, 'time_scale': 50}
DAAS_MACHINES = 'daas.catalog_machines.list'
DAAS_SESSIONS = 'daas.sessions.list'
DAAS_PAGED = 1100  # more than one page of 1000


DAAS_MACHINES_WRITTEN = 5  # enough for a batch in which three items fail and the others are done
DAAS_SESSIONS_WRITTEN = 4


def _daas_setup(sim):
    daas = sim.service('daas')
    daas.add_catalog('Reliability', DAAS_MACHINES_WRITTEN, delivery_group='Reliability Group')
    daas.add_catalog('Reliability Static', DAAS_MACHINES_WRITTEN, delivery_group='Reliability Personal',
                     allocation='Static', prefix='RELS')
    daas.add_catalog('Paged', DAAS_PAGED)
    for machine in daas.machines_of('Reliability')[:DAAS_SESSIONS_WRITTEN]:
        daas.add_session(machine, user='SIMLAB\\reliability')


def _daas_tagged(sim, result):
    daas = sim.service('daas')
    return all(daas.tag_names_of(m) == ['Reliability'] for m in daas.machines_of('Reliability'))


def _daas_out_of_group(sim, result):
    daas = sim.service('daas')
    return all(daas.group_of(m) is None for m in daas.machines_of('Reliability'))


def _daas_assigned(sim, result):
    daas = sim.service('daas')
    return all([u['Name'] for u in daas.machine(m)['AssignedUsers']] == ['SIMLAB\\reliability']
               for m in daas.machines_of('Reliability Static'))


def _daas_messaged(sim, result):
    return sorted(m['session_id'] for m in sim.service('daas').messages) == sorted(_daas_session_names(sim))


def _daas_names(catalog):
    def names(sim):
        daas = sim.service('daas')
        return [daas.machine(m)['Name'] for m in daas.machines_of(catalog)]
    return names


def _daas_ids(catalog):
    def ids(sim):
        return sim.service('daas').machines_of(catalog)
    return ids


def _daas_all(predicate, catalog='Reliability'):
    def check(sim, result):
        daas = sim.service('daas')
        return all(predicate(daas.machine(m)) for m in daas.machines_of(catalog))
    return check


def _daas_endless_paging(sim):
    sim.service('daas').endless_paging = True


def _daas_fail_next_shutdown(sim):
    daas = sim.service('daas')
    daas.update_machine(daas.machines_of('Reliability')[1], fail_next_power_action={
        'code': 'HypervisorNotContactable', 'message': 'The hypervisor could not be contacted.'})


def _daas_sessions_gone(sim, result):
    site = sim.service('daas').site()
    return not [s for s in site.sessions.values() if s['User'] == 'SIMLAB\\reliability']


def _daas_session_names(sim):
    site = sim.service('daas').site()
    return [s['Id'] for s in site.sessions.values() if s['User'] == 'SIMLAB\\reliability']


# XenServer: a small pool, a fast clock, VMs of our own on the master.

XEN_CALLS = 'xenserver.[!s]*'  # every XenAPI call but session.*
XEN = {'services': ['xenserver'], 'size': 10, 'time_scale': 20, 'config': {'xenserver': {'vms': 30}}}


def _xen_setup(sim):
    xen = sim.service('xenserver')
    for name in ('rel-web', 'rel-app', 'rel-db'):
        xen.add_test_vm(name, power_state='Running', host_index=0)


def _xen_power(name, state):
    def check(sim, result):
        return sim.service('xenserver').vm(name)['power_state'] == state
    return check


def _xen_on_host(names, host_index):
    def check(sim, result):
        xen = sim.service('xenserver')
        return all(xen.vm(n)['resident_on'] == xen.hosts[host_index] for n in names)
    return check


def _xen_created(name):
    """Exactly one VM called ``name``, no half-made one, and the template still the only one of its name."""
    def check(sim, result):
        names = [r['name_label'] for r in sim.service('xenserver').db.all('VM').values()]
        return (names.count(name) == 1 and names.count(XEN_CREATE_TEMPLATE) == 1
                and not any(n.endswith(XEN_CREATING) for n in names))
    return check


def _xen_fail(method, code, *params):
    """The next ``method`` fails with ``code``, its first parameter the reference of VM rel-web."""
    def fail(sim):
        xen = sim.service('xenserver')
        xen.inject_failure(method, code, xen.vm_ref('rel-web'), *params)
    return fail


# XenMobile: the default server (1,000 devices), new properties, an app package on disk.

XENMOBILE = {'services': ['xenmobile'], 'size': 100}
XM_CALLS = 'xenmobile.[!l]*'  # every call but login and logout
XM_PROPERTIES = {'rel.alpha': 'one', 'rel.beta': 'two', 'rel.gamma': 'three'}


def _xm_properties_set(sim, result):
    instance = sim.service('xenmobile').instance()
    return all(instance.property_value(n) == v for n, v in XM_PROPERTIES.items())


def _xm_package(sim):
    from tests.simulator.services.xenmobile import seeding as xenmobile_seed
    path = os.path.join(sim.workdir, 'reliability.apk')
    with open(path, 'wb') as handle:
        handle.write(xenmobile_seed.build_package('android', '1.4.2', name='Reliability'))


def _xm_app_uploaded(sim, result):
    return any(app.get('name') == 'Reliability' for app in sim.service('xenmobile').instance().apps.values())


def _xm_devices(sim, result):
    return result.get('count') == len(sim.service('xenmobile').instance().devices)


def _xm_lock_pending(sim, result):
    from tests.simulator.services.xenmobile import actions
    device = next(d for d in sim.service('xenmobile').instance().devices if str(d['id']) == '42')
    return actions.pending(device) == ['lock'] and result.get('acted_on') == ['42']


def _xm_invited(sim, result):
    return any(e['userName'] == 'rel.probe@acme.com' and e['status'] == 'PENDING'
               for e in sim.service('xenmobile').instance().enrollments)


def _xm_weblink_added(sim, result):
    return any(app.get('name') == 'Reliability Link' and app['appType'] == 'Web Link'
               for app in sim.service('xenmobile').instance().apps.values())


# StoreFront: the seeded store of 500 resources.

STOREFRONT = {'services': ['storefront']}
SF_CALLS = 'storefront.resource*'  # the store's calls, not the authentication service's


def _sf_all_resources(sim, result):
    return len(result.get('resources') or []) == len(sim.service('storefront').resources)


SF_LAUNCHED = ['Controller.Notepad', 'Farm2.Microsoft Excel 1']
SF_SUBSCRIBED = 'Farm3.AutoCAD 5'  # not subscribed in the seeded store


def _sf_launched(sim, result):
    return sorted(i['name'] for i in result.get('launches') or () if i.get('launched')) == sorted(SF_LAUNCHED)


def _sf_subscribed(sim, result):
    return next(r for r in sim.service('storefront').resources if r['id'] == SF_SUBSCRIBED)['status'] == 'subscribed'


def _inventory_hosts(expected):
    def check(sim, result):
        return result.get('hosts') == expected(sim)
    return check


PROBES = [
    Probe('Citrix Cloud', 'citrix_cloud_service_info', {}, 'cloud.service_states', url_vars=CLOUD_URLS,
          auth='cloud', sim=CLOUD, complete=lambda sim, r: len(r.get('services') or []) > 0),
    Probe('Citrix Cloud', 'citrix_cloud_resource_location_info', {}, 'resource_locations.*', url_vars=CLOUD_URLS,
          auth='cloud', sim=CLOUD, complete=lambda sim, r: len(r.get('resource_locations') or []) > 0),
    Probe('Citrix Cloud', 'citrix_cloud_resource_location', {'name': 'Reliability lab'}, 'resource_locations.*',
          kind='write', write_route='resource_locations.create', url_vars=CLOUD_URLS, auth='cloud', sim=CLOUD,
          complete=_location_created, targets=lambda sim: ['Reliability lab']),
    Probe('Citrix Cloud', 'citrix_cloud_notification',
          {'title': 'Reliability', 'description': 'Fault matrix', 'dedup_key': 'matrix'}, 'notifications.*',
          kind='write', write_route='notifications.send', url_vars=CLOUD_URLS, auth='cloud', sim=CLOUD,
          setup=_bulk_notifications, page_route='notifications.list', complete=_notification_sent),

    Probe('Citrix DaaS', 'citrix_daas_machine_info', {'catalog': 'Paged'}, DAAS_MACHINES, kind='list', sim=DAAS,
          setup=_daas_setup, url_vars=('CITRIX_CLOUD_API_URL',), auth='cloud', page_route='daas.catalog_machines.list',
          endless_paging=_daas_endless_paging,
          complete=lambda sim, r: (r.get('counts') or {}).get('returned') == DAAS_PAGED),
    Probe('Citrix DaaS', 'citrix_daas_machine_info', {'catalog': 'Reliability'}, DAAS_MACHINES, sim=DAAS,
          setup=_daas_setup, env=onprem_env, url_vars=('CITRIX_DDC_URL',), auth='daas_onprem', label='on-premises',
          complete=lambda sim, r: (r.get('counts') or {}).get('returned') == DAAS_MACHINES_WRITTEN),
    Probe('Citrix DaaS', 'citrix_daas_machine', {'catalog': 'Reliability', 'maintenance_mode': True}, DAAS_MACHINES,
          kind='write', write_route='daas.machine.update', sim=DAAS, setup=_daas_setup,
          url_vars=('CITRIX_CLOUD_API_URL',), auth='cloud', targets=_daas_names('Reliability'),
          complete=_daas_all(lambda m: m['InMaintenanceMode']), batch_route='daas.batch',
          target_keys=_daas_ids('Reliability'), result_key='machines'),
    Probe('Citrix DaaS', 'citrix_daas_machine_power', {'catalog': 'Reliability', 'state': 'stopped'}, DAAS_MACHINES,
          kind='write', write_route='daas.power.*', sim=DAAS, setup=_daas_setup, url_vars=('CITRIX_CLOUD_API_URL',),
          auth='cloud', targets=_daas_names('Reliability'), fail_job=_daas_fail_next_shutdown,
          complete=_daas_all(lambda m: m['PowerState'] == 'Off'), batch_route='daas.batch',
          target_keys=_daas_ids('Reliability'), result_key='machines'),
    Probe('Citrix DaaS', 'citrix_daas_machine', {'catalog': 'Reliability', 'tags': ['Reliability']}, DAAS_MACHINES,
          kind='write', write_route='daas.machine_tags.set', sim=DAAS, setup=_daas_setup, label='tags',
          url_vars=('CITRIX_CLOUD_API_URL',), auth='cloud', targets=_daas_names('Reliability'), complete=_daas_tagged,
          batch_route='daas.batch', target_keys=_daas_ids('Reliability'), result_key='machines'),
    Probe('Citrix DaaS', 'citrix_daas_delivery_group_machine', {'delivery_group': 'Reliability Group', 'state': 'absent',
                                                                'all_targets': True}, 'daas.group_machines.list',
          kind='write', write_route='daas.group_machines.remove', sim=DAAS, setup=_daas_setup,
          url_vars=('CITRIX_CLOUD_API_URL',), auth='cloud', targets=_daas_names('Reliability'),
          complete=_daas_out_of_group, batch_route='daas.batch', target_keys=_daas_ids('Reliability'),
          result_key='machines'),
    Probe('Citrix DaaS', 'citrix_daas_machine_assignment', {'catalog': 'Reliability Static', 'state': 'exact',
                                                            'users': ['SIMLAB\\reliability']}, DAAS_MACHINES,
          kind='write', write_route='daas.machine.update', sim=DAAS, setup=_daas_setup, url_vars=('CITRIX_CLOUD_API_URL',),
          auth='cloud', targets=_daas_names('Reliability Static'), complete=_daas_assigned, batch_route='daas.batch',
          target_keys=_daas_ids('Reliability Static'), result_key='machines'),
    Probe('Citrix DaaS', 'citrix_daas_session_message', {'user': ['SIMLAB\\reliability'], 'text': 'Reliability'},
          DAAS_SESSIONS, kind='write', write_route='daas.session.message', sim=DAAS, setup=_daas_setup,
          url_vars=('CITRIX_CLOUD_API_URL',), auth='cloud', targets=_daas_session_names, complete=_daas_messaged,
          batch_route='daas.batch', result_key='sessions', resolves=False),
    Probe('Citrix DaaS', 'citrix_daas_session_info', {'user': ['SIMLAB\\reliability']}, DAAS_SESSIONS, sim=DAAS,
          setup=_daas_setup, url_vars=('CITRIX_CLOUD_API_URL',), auth='cloud',
          complete=lambda sim, r: len(r.get('sessions') or []) == DAAS_SESSIONS_WRITTEN),
    Probe('Citrix DaaS', 'citrix_daas_session', {'user': ['SIMLAB\\reliability'], 'state': 'logged_off'}, DAAS_SESSIONS,
          kind='write', write_route='daas.session.logoff', sim=DAAS, setup=_daas_setup,
          url_vars=('CITRIX_CLOUD_API_URL',), auth='cloud', targets=_daas_session_names, complete=_daas_sessions_gone,
          batch_route='daas.batch', result_key='sessions'),
    Probe('Citrix DaaS', None, {'plugin': 'opencitrix.automation.citrix_daas', 'catalogs': ['Paged']}, DAAS_MACHINES,
          kind='list', plugin='citrix_daas', sim=DAAS, setup=_daas_setup, url_vars=('CITRIX_CLOUD_API_URL',),
          auth='cloud', page_route='daas.catalog_machines.list', endless_paging=_daas_endless_paging,
          complete=_inventory_hosts(lambda sim: DAAS_PAGED)),

    Probe('XenServer', 'xenserver_host_info', {}, XEN_CALLS, sim=XEN, protocol='xmlrpc', auth='xenserver',
          url_vars=('XENSERVER_HOST',), complete=lambda sim, r: len(r.get('hosts') or []) == 3),
    Probe('XenServer', 'xenserver_vm_info', {}, XEN_CALLS, sim=XEN, protocol='xmlrpc',
          auth='xenserver', setup=_xen_setup, url_vars=('XENSERVER_HOST',),
          complete=lambda sim, r: len(r.get('vms') or []) >= 33),
    Probe('XenServer', 'xenserver_vm', {'name': 'rel-web', 'state': 'halted'}, XEN_CALLS, kind='write',
          write_route='xenserver.Async.VM.clean_shutdown', sim=XEN, protocol='xmlrpc', auth='xenserver',
          setup=_xen_setup, url_vars=('XENSERVER_HOST',), targets=lambda sim: ['rel-web'],
          fail_job=_xen_fail('VM.clean_shutdown', 'VM_LACKS_FEATURE'),
          complete=_xen_power('rel-web', 'Halted')),
    Probe('XenServer', 'xenserver_vm', {'name': 'rel-new', 'template': XEN_CREATE_TEMPLATE, 'vcpus': 2}, XEN_CALLS,
          kind='write', write_route='xenserver.Async.VM.clone', sim=XEN, protocol='xmlrpc', auth='xenserver',
          setup=_xen_setup, url_vars=('XENSERVER_HOST',), targets=lambda sim: ['rel-new'], label='create',
          fail_job=lambda sim: sim.service('xenserver').inject_failure('VM.clone', 'SR_FULL', '21474836480', '0'),
          complete=_xen_created('rel-new')),
    Probe('XenServer', 'xenserver_vm_migrate', {'vms': ['rel-web', 'rel-app', 'rel-db'], 'target_host': 'xs-host-02'},
          XEN_CALLS, kind='write', write_route='xenserver.Async.VM.pool_migrate', sim=XEN, protocol='xmlrpc',
          auth='xenserver', setup=_xen_setup, url_vars=('XENSERVER_HOST',),
          targets=lambda sim: ['rel-web', 'rel-app', 'rel-db'],
          fail_job=_xen_fail('VM.pool_migrate', 'VM_MIGRATE_FAILED', 'xs-host-01', 'xs-host-02',
                             'the destination refused the memory image'),
          complete=_xen_on_host(['rel-web', 'rel-app', 'rel-db'], 1)),
    Probe('XenServer', 'xenserver_vm_power', {'names': ['rel-web', 'rel-app', 'rel-db'], 'state': 'halted'},
          XEN_CALLS, kind='write', write_route='xenserver.Async.VM.clean_shutdown', sim=XEN, protocol='xmlrpc',
          auth='xenserver', setup=_xen_setup, url_vars=('XENSERVER_HOST',),
          targets=lambda sim: ['rel-web', 'rel-app', 'rel-db'],
          fail_job=_xen_fail('VM.clean_shutdown', 'VM_LACKS_FEATURE'),
          complete=lambda sim, r: all(_xen_power(n, 'Halted')(sim, r) for n in ('rel-web', 'rel-app', 'rel-db'))),
    Probe('XenServer', None, {'plugin': 'opencitrix.automation.xenserver'}, XEN_CALLS, plugin='xenserver',
          sim=XEN, protocol='xmlrpc', auth='xenserver', url_vars=('XENSERVER_HOST',),
          complete=_inventory_hosts(lambda sim: len([
              v for v in sim.service('xenserver').db.all('VM').values()
              if not v['is_a_template'] and not v['is_control_domain'] and not v['is_a_snapshot']]) + 3)),

    Probe('XenMobile', 'xenmobile_server_property_info', {}, XM_CALLS, sim=XENMOBILE, auth='xenmobile',
          url_vars=('XENMOBILE_URL',), complete=lambda sim, r: len(r.get('properties') or []) == len(
              sim.service('xenmobile').instance().properties)),
    Probe('XenMobile', 'xenmobile_server_property', {'properties': XM_PROPERTIES}, XM_CALLS, kind='write',
          write_route='xenmobile.property_add', sim=XENMOBILE, auth='xenmobile', url_vars=('XENMOBILE_URL',),
          targets=lambda sim: sorted(XM_PROPERTIES), complete=_xm_properties_set),
    Probe('XenMobile', 'xenmobile_device_info', {'page_size': 250}, XM_CALLS, kind='list', sim=XENMOBILE,
          auth='xenmobile', url_vars=('XENMOBILE_URL',), page_route='xenmobile.device_filter', complete=_xm_devices),
    Probe('XenMobile', 'xenmobile_user_activity_info', {'days': 30}, XM_CALLS, sim=XENMOBILE, auth='xenmobile',
          url_vars=('XENMOBILE_URL',), complete=lambda sim, r: (r.get('summary') or {}).get('devices') == len(
              sim.service('xenmobile').instance().devices)),
    Probe('XenMobile', 'xenmobile_app_info', {'details': True}, XM_CALLS, sim=XENMOBILE, auth='xenmobile',
          url_vars=('XENMOBILE_URL',), complete=lambda sim, r: r.get('count') == len(
              sim.service('xenmobile').instance().apps)),
    Probe('XenMobile', 'xenmobile_app', {'name': 'Reliability', 'platform': 'android', 'version': '1.4.2',
                                         'file': '{workdir}/reliability.apk'}, XM_CALLS, kind='write',
          write_route='xenmobile.app_upload', sim=XENMOBILE, auth='xenmobile', url_vars=('XENMOBILE_URL',),
          setup=_xm_package, targets=lambda sim: ['Reliability'], complete=_xm_app_uploaded),

    Probe('XenMobile', 'xenmobile_device', {'action': 'lock', 'serial_number': ['SN00000042']}, XM_CALLS,
          kind='write', write_route='xenmobile.device_action.lock', sim=XENMOBILE, auth='xenmobile',
          url_vars=('XENMOBILE_URL',), targets=lambda sim: ['42'], complete=_xm_lock_pending),
    Probe('XenMobile', 'xenmobile_enrollment', {'user': ['rel.probe@acme.com'], 'platform': ['ios']}, XM_CALLS,
          kind='write', write_route='xenmobile.enrollment_create', sim=XENMOBILE, auth='xenmobile',
          url_vars=('XENMOBILE_URL',), targets=lambda sim: ['rel.probe@acme.com'], complete=_xm_invited),
    Probe('XenMobile', 'xenmobile_weblink_app', {'name': 'Reliability Link', 'link_url': 'https://rel.example/'},
          XM_CALLS, kind='write', write_route='xenmobile.app_weblink_add', sim=XENMOBILE, auth='xenmobile',
          url_vars=('XENMOBILE_URL',), targets=lambda sim: ['Reliability Link'], complete=_xm_weblink_added),

    Probe('StoreFront', 'storefront_resource_info', {}, SF_CALLS, kind='list', sim=STOREFRONT,
          protocol='xml', auth='storefront', url_vars=('STOREFRONT_URL',), complete=_sf_all_resources),
    Probe('StoreFront', 'storefront_launch_check', {'resources': SF_LAUNCHED}, SF_CALLS, sim=STOREFRONT,
          protocol='xml', auth='storefront', url_vars=('STOREFRONT_URL',), complete=_sf_launched),
    Probe('StoreFront', 'storefront_subscription', {'resources': [SF_SUBSCRIBED]}, SF_CALLS, kind='write',
          write_route='storefront.subscription', sim=STOREFRONT, protocol='xml', auth='storefront',
          url_vars=('STOREFRONT_URL',), targets=lambda sim: [SF_SUBSCRIBED], complete=_sf_subscribed),
]
