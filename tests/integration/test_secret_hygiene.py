"""Issue 12: no secret anywhere, at -vvvv. Every module of a product in one real ``ansible-playbook -vvvv
--diff`` run (and both inventory plugins through real ``ansible-inventory -vvvv``, with their cache on),
with distinctive passwords, client secrets and tokens; afterwards not one of them (nor a fragment of a
token) may appear in stdout, stderr, the task results, their warnings and diffs, any file the run left
behind, or an inventory cache file.

The same runs are the real-playbook proof of check mode and idempotence: each run goes through three
phases separated by reads of the simulator's counters: every module in check mode, every change for
real, then every change again (and in check mode again). The first and last phases must send 0
writes and the last must report ``changed: false``."""

import json
import os
import stat

import pytest

from tests.integration.conftest import CLIENT_ID, CLIENT_SECRET, CUSTOMER_ID
from tests.integration.daas.support import ONPREM_PASSWORD, ONPREM_USER, onprem_env
from tests.integration.storefront.support import PASSWORD as SF_PASSWORD, USERNAME as SF_USERNAME
from tests.integration.xenmobile.support import WRONG_PASSWORD as XM_WRONG_PASSWORD, XM_PASSWORD, XM_USER, xenmobile
from tests.integration.xenserver.support import XEN_PASSWORD, XEN_USER
from tests.reliability import issued_secrets, record, scan_for_secrets
from tests.simulator.services.xenmobile import seeding as xenmobile_seed

WRONG_SECRET = 'hyg-WRONG-secret-0e93b5'
XM_PIN = 'HygPin-88412607'
FQCN = 'opencitrix.automation.'


def _task(name, module, args=None, **keywords):
    task = {'name': name, FQCN + module: args or {}}
    task.update(keywords)
    return task


class Product:
    """One product's run: ``reads`` (info tasks), ``changes`` ((name, module, args) done check/real/again),
    ``failing`` (a task that must fail cleanly), ``secrets`` (the distinctive values given), ``setup(sim,
    workdir)`` (returns the variables of the secrets file), ``expected_writes`` (by route, when known)."""

    def __init__(self, name, group, sim, secrets, reads=(), changes=(), failing=None, setup=None,
                 expected_writes=None):
        self.name = name
        self.group = group
        self.sim = sim
        self.secrets = secrets
        self.reads = reads
        self.changes = changes
        self.failing = failing
        self.setup = setup or (lambda sim, workdir: {})
        self.expected_writes = expected_writes

    def play(self, sim_url, ca_path, connection):
        """``connection``: the module_defaults of the product's action group, templated from the secrets file."""
        stats = {'ansible.builtin.uri': {'url': sim_url + '/_sim/stats', 'ca_path': ca_path, 'return_content': True},
                 'register': 'stats'}
        tasks = [dict(stats, name='stats before')]
        tasks += [_task(name, module, args) for name, module, args in self.reads]
        tasks += [_task(name + ' (check)', module, args, check_mode=True) for name, module, args in self.changes]
        tasks.append(dict(stats, name='stats after check'))
        tasks += [_task(name, module, args) for name, module, args in self.changes]
        tasks.append(dict(stats, name='stats after changes'))
        tasks += [_task(name + ' (again)', module, args) for name, module, args in self.changes]
        tasks += [_task(name + ' (check again)', module, args, check_mode=True) for name, module, args in self.changes]
        tasks.append(dict(stats, name='stats after again'))
        if self.failing:
            name, module, args = self.failing
            tasks.append(_task(name, module, args, ignore_errors=True))
        return [{'name': self.name, 'hosts': 'targets', 'gather_facts': False,
                 'module_defaults': {'group/' + FQCN + self.group: connection}, 'tasks': tasks}]


def _cloud_connection(sim):
    return {'client_id': '{{ client_id }}', 'client_secret': '{{ client_secret }}', 'customer_id': CUSTOMER_ID,
            'api_url': sim.url, 'workspaces_api_url': sim.url + '/{service}', 'ca_path': sim.ca_path}


def _cloud_setup(sim, workdir):
    sim.service('cloud').add_client(CLIENT_ID, CLIENT_SECRET, CUSTOMER_ID)
    return {'client_id': CLIENT_ID, 'client_secret': CLIENT_SECRET, 'wrong': WRONG_SECRET}


def _daas_setup(sim, workdir):
    daas = sim.service('daas')
    daas.add_catalog('Hygiene', 3, delivery_group='Hygiene Group')
    daas.add_catalog('Hygiene Power', 2)
    for machine in daas.machines_of('Hygiene')[:2]:
        daas.add_session(machine, user='SIMLAB\\hygiene')
    onprem = onprem_env(sim)
    return dict(_cloud_setup(sim, workdir), ddc_url=onprem['CITRIX_DDC_URL'], onprem_user=ONPREM_USER,
                onprem_password=ONPREM_PASSWORD)


def _xenmobile_setup(sim, workdir):
    xenmobile(sim)
    path = os.path.join(str(workdir), 'hygiene.apk')
    with open(path, 'wb') as handle:
        handle.write(xenmobile_seed.build_package('android', '3.1.4', name='Hygiene'))
    return {'password': XM_PASSWORD, 'wrong': XM_WRONG_PASSWORD, 'package': path, 'pin': XM_PIN,
            'archive': os.path.join(str(workdir), 'device-archive')}


# Resources the seeded store has subscribed (launchable) and not subscribed (see its README).
SF_LAUNCHED = ['Controller.Notepad', 'Farm2.Microsoft Excel 1', 'Farm2.Adobe Acrobat Reader 4', 'Farm2.Windows 11 Desktop 10']
SF_SUBSCRIBED = ['Farm3.AutoCAD 5', 'Farm1.SAP GUI 6']


def _storefront_setup(sim, workdir):
    service = sim.service('storefront')
    service.add_user(SF_USERNAME, SF_PASSWORD)
    return {'password': SF_PASSWORD, 'wrong': WRONG_SECRET, 'minted': service.mint_token(SF_USERNAME)}


def _xenserver_setup(sim, workdir):
    xen = sim.service('xenserver')
    for name in ('hyg-web', 'hyg-app', 'hyg-pow', 'hyg-dev'):
        xen.add_test_vm(name, power_state='Running', host_index=0)
    return {'password': XEN_PASSWORD, 'wrong': WRONG_SECRET}


PRODUCTS = [
    Product('Citrix Cloud', 'citrix_cloud', {'services': ['cloud', 'cloud_platform']}, (CLIENT_SECRET,),
            reads=[('services', 'citrix_cloud_service_info', {}),
                   ('locations', 'citrix_cloud_resource_location_info', {})],
            changes=[('location', 'citrix_cloud_resource_location', {'name': 'Hygiene lab', 'internal_only': True}),
                     ('notice', 'citrix_cloud_notification',
                      {'title': 'Hygiene', 'description': 'Sent once'})],
            failing=('wrong secret', 'citrix_cloud_service_info', {'client_secret': '{{ wrong }}'}),
            setup=_cloud_setup, expected_writes={'resource_locations.create': 1, 'notifications.send': 1}),
    Product('Citrix DaaS', 'daas', {'services': ['cloud', 'daas'], 'size': 20, 'time_scale': 50},
            (CLIENT_SECRET, ONPREM_PASSWORD),
            reads=[('machines', 'citrix_daas_machine_info', {'catalog': 'Hygiene'}),
                   ('sessions', 'citrix_daas_session_info', {'user': ['SIMLAB\\hygiene']}),
                   ('site', 'citrix_daas_site_info', {}),
                   ('on-premises machines', 'citrix_daas_machine_info',
                    {'catalog': 'Hygiene', 'ddc_url': '{{ ddc_url }}', 'client_id': '{{ onprem_user }}',
                     'client_secret': '{{ onprem_password }}'})],
            changes=[('drain', 'citrix_daas_machine', {'catalog': 'Hygiene', 'maintenance_mode': True,
                                                       'tags': ['Hygiene']}),
                     ('power off', 'citrix_daas_machine_power', {'catalog': 'Hygiene Power', 'state': 'stopped'}),
                     ('log off', 'citrix_daas_session', {'user': ['SIMLAB\\hygiene'], 'state': 'logged_off'})],
            failing=('wrong secret', 'citrix_daas_machine_info', {'catalog': 'Hygiene', 'client_secret': '{{ wrong }}'}),
            setup=_daas_setup, expected_writes={'daas.machine.update': 3, 'daas.power.shutdown': 2,
                                                'daas.session.logoff': 2, 'daas.tag.create': 1,
                                                'daas.machine_tags.set': 3}),
    Product('XenMobile', 'xenmobile', {'services': ['xenmobile'], 'size': 50}, (XM_PASSWORD, XM_PIN),
            reads=[('property values', 'xenmobile_server_property_info', {'search': 'publicapi'}),
                   ('devices', 'xenmobile_device_info', {'page_size': 200}),
                   ('activity', 'xenmobile_user_activity_info', {}),
                   ('apps', 'xenmobile_app_info', {'details': True})],
            changes=[('properties', 'xenmobile_server_property',
                      {'properties': {'hyg.one': '1', 'hyg.two': '2', 'sim.shp.enabled': 'true'}}),
                     ('upload', 'xenmobile_app', {'name': 'Hygiene', 'platform': 'android', 'version': '3.1.4',
                                                  'file': '{{ package }}'}),
                     ('lock with a PIN', 'xenmobile_device', {'action': 'lock', 'id': ['3', '4'],
                                                              'new_pin_code': '{{ pin }}'}),
                     ('invite with a PIN', 'xenmobile_enrollment', {'user': ['hygiene@acme.com'], 'platform': ['ios'],
                                                                    'mode': 'invitation_pin', 'pin': '{{ pin }}'}),
                     ('archive the devices', 'xenmobile_device_export', {'dest': '{{ archive }}', 'date': '2026-12-01'}),
                     ('web link', 'xenmobile_weblink_app', {'name': 'Hygiene Link', 'link_url': 'https://hyg.example/'}),
                     ('store app', 'xenmobile_store_app', {'name': 'Hygiene Store', 'platforms': [
                         {'platform': 'android', 'store_url': 'https://play.google.com/store/apps/details?id=hyg'}]})],
            failing=('wrong password', 'xenmobile_server_property_info', {'password': '{{ wrong }}'}),
            setup=_xenmobile_setup),
    Product('StoreFront', 'storefront', {'services': ['storefront']}, (SF_PASSWORD,),
            reads=[('resources', 'storefront_resource_info', {}),
                   ('one resource', 'storefront_resource_info', {'id': 'Controller.Notepad'}),
                   ('token from elsewhere', 'storefront_resource_info',
                    {'token': '{{ minted }}', 'username': None, 'password': None}),
                   ('launch check', 'storefront_launch_check', {'resources': SF_LAUNCHED, 'client_name': 'hygiene'})],
            changes=[('subscribe', 'storefront_subscription', {'resources': SF_SUBSCRIBED})],
            failing=('wrong password', 'storefront_resource_info', {'password': '{{ wrong }}'}),
            setup=_storefront_setup, expected_writes={'storefront.subscription': 2}),
    Product('XenServer', 'xenserver', {'services': ['xenserver'], 'size': 10, 'time_scale': 20,
                                       'config': {'xenserver': {'vms': 20, 'password': XEN_PASSWORD}}},
            (XEN_PASSWORD,),
            reads=[('pool', 'xenserver_host_info', {}), ('vms', 'xenserver_vm_info', {'tags': ['web']})],
            changes=[('describe and halt', 'xenserver_vm',
                      {'name': 'hyg-app', 'description': 'Checked for secrets', 'state': 'halted'}),
                     ('migrate', 'xenserver_vm_migrate', {'vms': ['hyg-web'], 'target_host': 'xs-host-02'}),
                     ('devices', 'xenserver_vm', {'name': 'hyg-dev', 'xenstore_data': {'ip': '10.0.0.5'},
                                                  'disks': [{}, {'size_gb': 1}], 'cdrom': {'type': 'none'},
                                                  'halt_for_changes': True}),
                     ('snapshot', 'xenserver_vm_snapshot', {'name': 'hyg-web', 'snapshot': 'hyg-snap'}),
                     ('suspend', 'xenserver_vm_power', {'names': ['hyg-pow'], 'state': 'suspended'})],
            failing=('wrong password', 'xenserver_host_info', {'password': '{{ wrong }}'}),
            setup=_xenserver_setup),
]


def _connection(product, sim):
    if product.group in ('citrix_cloud', 'daas'):
        return _cloud_connection(sim)
    if product.group == 'xenmobile':
        return {'url': xenmobile(sim).url(), 'username': XM_USER, 'password': '{{ password }}', 'ca_path': sim.ca_path}
    if product.group == 'storefront':
        return {'store_url': sim.url + '/Citrix/Store', 'username': SF_USERNAME, 'password': '{{ password }}',
                'ca_path': sim.ca_path}
    xen = sim.service('xenserver')
    return {'hostname': xen.url, 'username': XEN_USER, 'password': '{{ password }}', 'ca_path': sim.ca_path}


def _writes(run, task):
    return run.task(task)['result']['json']['writes']


def _delta(after, before):
    return {k: n - before.get(k, 0) for k, n in after.items() if n != before.get(k, 0)}


def _left_behind(workdir, secrets_file):
    """Every file the run left under its work directory, but the secrets file it was given and the
    token cache (which holds tokens by design, 0600 in a 0700 directory)."""
    found = {}
    for root, _dirs, files in os.walk(str(workdir)):
        if os.sep + 'opencitrix' in root:
            continue
        for name in files:
            path = os.path.join(root, name)
            if path == str(secrets_file) or os.path.islink(path):
                continue
            with open(path, 'rb') as handle:
                found[os.path.relpath(path, str(workdir))] = handle.read().decode('utf-8', 'replace')
    return found


def _token_cache(workdir):
    """``{file name: text}`` of the token cache the run used; every file must be 0600."""
    directory = os.path.join(str(workdir), 'xdg-cache', 'opencitrix')
    found = {}
    for name in sorted(os.listdir(directory)) if os.path.isdir(directory) else ():
        path = os.path.join(directory, name)
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600, name
        with open(path) as handle:
            found[name] = handle.read()
    return found


@pytest.mark.parametrize('product', PRODUCTS, ids=[p.name for p in PRODUCTS])
def test_every_module_at_vvvv_shows_no_secret_and_check_mode_and_reruns_write_nothing(
        product, make_sim, run_playbook, tmp_path):
    sim = make_sim(**product.sim)
    variables = product.setup(sim, tmp_path)
    secrets_file = tmp_path / 'secrets.json'
    secrets_file.write_text(json.dumps(variables))
    run = run_playbook(product.play(sim.url, sim.ca_path, _connection(product, sim)), env={}, verbosity=4, diff=True,
                       args=['-e', '@%s' % secrets_file])
    assert run.rc == 0, [(r['task'], r['result'].get('msg')) for r in run.results if r['status'] == 'failed']

    for name, _module, _args in product.reads:
        assert run.task(name)['status'] == 'ok' and run.task(name)['result']['changed'] is False, name
    for name, _module, _args in product.changes:
        assert run.task(name + ' (check)')['result']['changed'] is True, name
        assert run.task(name)['result']['changed'] is True, name
        assert run.task(name + ' (again)')['result']['changed'] is False, name
        assert run.task(name + ' (check again)')['result']['changed'] is False, name
    before, after_check = _writes(run, 'stats before'), _writes(run, 'stats after check')
    after_changes, after_again = _writes(run, 'stats after changes'), _writes(run, 'stats after again')
    assert _delta(after_check, before) == {}, 'check mode wrote'
    changes = _delta(after_changes, after_check)
    assert (changes == product.expected_writes) if product.expected_writes is not None else changes
    assert _delta(after_again, after_changes) == {}, 'a second run wrote'
    failing = run.task(product.failing[0])
    assert failing['status'] == 'failed' and '\n' not in failing['result']['msg'], failing
    assert 'Traceback' not in run.output

    secrets = issued_secrets(sim, list(product.secrets) + [v for k, v in variables.items()
                                                           if k in ('wrong', 'minted', 'onprem_password')])
    results = [r['result'] for r in run.results]
    artifacts = {'stdout': run.stdout, 'stderr': run.stderr, 'results': json.dumps(results),
                 'warnings': json.dumps([r.get('warnings') for r in results]),
                 'diffs': json.dumps([r.get('diff') for r in results])}
    artifacts.update(('file ' + name, text) for name, text in _left_behind(tmp_path, secrets_file).items())
    checks, found = scan_for_secrets(secrets, artifacts)
    if product.group in ('citrix_cloud', 'daas', 'storefront'):
        # Control: the tokens looked for are the ones the run used (the token cache holds them, by design).
        cached = ''.join(_token_cache(tmp_path).values())
        assert any(token in cached for token in secrets), 'the token cache holds none of the tokens looked for'
    record('secrets', product.name, {'product': product.name, 'values': len(secrets), 'artifacts': len(artifacts),
                                     'checks': checks, 'found': len(found), 'verbosity': 4,
                                     'modules': sorted(set(r['action'].rsplit('.', 1)[-1] for r in run.results
                                                           if r['action'].startswith(FQCN)))})
    assert not found, found


INVENTORIES = [
    ('citrix_daas', {'services': ['cloud', 'daas'], 'size': 300}),
    ('xenserver', {'services': ['xenserver'], 'size': 10, 'config': {'xenserver': {'vms': 60, 'password': XEN_PASSWORD}}}),
]


def _inventory_env(plugin, sim):
    if plugin == 'citrix_daas':
        sim.service('cloud').add_client(CLIENT_ID, CLIENT_SECRET, CUSTOMER_ID)
        return {'CITRIX_CLIENT_ID': CLIENT_ID, 'CITRIX_CLIENT_SECRET': CLIENT_SECRET, 'CITRIX_CUSTOMER_ID': CUSTOMER_ID,
                'CITRIX_CLOUD_API_URL': sim.url, 'CITRIX_CA_PATH': sim.ca_path}
    return {'XENSERVER_HOST': sim.service('xenserver').url, 'XENSERVER_USER': XEN_USER,
            'XENSERVER_PASSWORD': XEN_PASSWORD, 'XENSERVER_CA_PATH': sim.ca_path}


@pytest.mark.parametrize('plugin,options', INVENTORIES, ids=[i[0] for i in INVENTORIES])
def test_inventory_at_vvvv_and_its_cache_show_no_secret(plugin, options, make_sim, tmp_path):
    from tests.harness import Runner
    sim = make_sim(**options)
    env = _inventory_env(plugin, sim)
    cache_dir = tmp_path / 'inventory-cache'
    config = {'plugin': FQCN + plugin, 'cache': True, 'cache_plugin': 'ansible.builtin.jsonfile',
              'cache_connection': str(cache_dir), 'cache_timeout': 600}
    runner = Runner(tmp_path)
    first = runner.inventory(config, env=env, name='hygiene.%s.yml' % plugin, verbosity=4)
    requests = sim.stats.count()
    cached = runner.inventory(config, env=env, name='hygiene.%s.yml' % plugin, verbosity=4)
    assert first.parsed and cached.parsed, (first, cached)
    assert sim.stats.count() == requests, 'the cached run asked the API again'
    assert first.hostvars and cached.hostvars == first.hostvars
    cache_files = sorted(os.listdir(str(cache_dir)))
    assert cache_files, 'no inventory cache was written'

    secrets = issued_secrets(sim, [CLIENT_SECRET if plugin == 'citrix_daas' else XEN_PASSWORD])
    artifacts = {}
    for label, run in (('first', first), ('cached', cached)):
        artifacts.update({label + ' stdout': run.stdout, label + ' stderr': run.stderr,
                          label + ' inventory': json.dumps(run.data)})
    for name in cache_files:
        with open(os.path.join(str(cache_dir), name)) as handle:
            artifacts['cache ' + name] = handle.read()
    checks, found = scan_for_secrets(secrets, artifacts)
    record('secrets', 'inventory ' + plugin, {'product': 'inventory ' + plugin, 'values': len(secrets),
                                              'artifacts': len(artifacts), 'checks': checks, 'found': len(found),
                                              'verbosity': 4, 'modules': [plugin + ' inventory']})
    assert not found, found
