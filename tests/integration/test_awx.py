"""AWX / Automation Platform readiness: the credential types inject exactly what the collection reads,
modules, roles and both inventory plugins work from that environment alone, and jobs and inventory
updates run through ansible-runner's transmit | worker | process pipeline (how AWX and its receptor
mesh execute them)."""

import glob
import io
import json
import os
import re
import subprocess
import sys
import tempfile
from types import SimpleNamespace

import pytest
import yaml
from jinja2.sandbox import ImmutableSandboxedEnvironment

from tests.harness import ROOT, Runner, ansible_env, tool
from tests.integration.xenmobile.support import property_migration_scenario
from tests.module_runner import run_module

CREDENTIAL_TYPE_DIR = os.path.join(ROOT, 'extensions', 'awx', 'credential_types')
CREDENTIAL_TYPES = sorted(os.path.basename(p)[:-4] for p in glob.glob(os.path.join(CREDENTIAL_TYPE_DIR, '*.yml')))

# The variables each credential type may inject, by prefix.
PREFIXES = {'citrix_cloud': 'CITRIX_', 'citrix_daas_onprem': 'CITRIX_', 'xenserver': 'XENSERVER_',
            'xenmobile': 'XENMOBILE_', 'xenmobile_target': 'XENMOBILE_TARGET_', 'storefront': 'STOREFRONT_'}
# Variables the collection reads that no credential type injects, and why (docs/docsite/rst/awx.rst says so too).
NOT_INJECTED = {
    'CITRIX_TOKEN_CACHE': 'a job container is thrown away after the job; the default (on) is right',
    'STOREFRONT_TOKEN_CACHE': 'as CITRIX_TOKEN_CACHE',
    'STOREFRONT_TOKEN': 'a StoreFront token lasts hours; the credential holds the user and password instead',
    'CITRIX_DAAS_SITE_ID': 'which site a job acts on is job data (extra vars, module_defaults), not a credential',
    'CITRIX_DAAS_SITE_NAME': 'as CITRIX_DAAS_SITE_ID',
    'CITRIX_TRUST_URL': 'only a test double or a proxy moves the legacy trust host; cloud_region picks it',
}
# An info module per credential type, to prove a credential alone reaches its product.
PROBES = {'citrix_cloud': 'citrix_cloud_service_info', 'citrix_daas_onprem': 'citrix_daas_machine_info',
          'xenserver': 'xenserver_host_info', 'xenmobile': 'xenmobile_server_property_info',
          'storefront': 'storefront_resource_info'}
INVENTORY_CREDENTIALS = {'citrix_daas': 'citrix_cloud', 'xenserver': 'xenserver'}
JOB_TYPES = ('citrix_cloud', 'xenserver', 'xenmobile', 'xenmobile_target', 'storefront')

# Distinctive credentials, so leak checks can grep for them.
CLOUD_ID, CLOUD_SECRET = 'awx-client-61c2', 'AWX-cloud-SECRET-5f2a9c'
XS_PASSWORD = 'AWX-xs-Pa55-c81d07'
SF_PASSWORD = 'AWX-sf-Pa55-2b7e44'
XM_USER, XM_PASSWORD, XM_TARGET_USER, XM_TARGET_PASSWORD = 'awx-xm-src', 'AWX-xm-Pa55-90ab1c', 'awx-xm-dst', 'AWX-xmT-Pa55-3e6f'
DDC_USER, DDC_PASSWORD = 'SIMLAB\\awx-operator', 'AWX-ddc-Pa55-77d0e1'
SECRETS = (CLOUD_SECRET, XS_PASSWORD, SF_PASSWORD, XM_PASSWORD, XM_TARGET_PASSWORD, DDC_PASSWORD)


def load_type(name):
    with open(os.path.join(CREDENTIAL_TYPE_DIR, name + '.yml')) as handle:
        return yaml.safe_load(handle)


def inject(credential_type, inputs, private_data_dir, container_dir=None):
    """The environment AWX gives a job for one credential (awx-plugins-core ``inject_credential``): only
    stored, non-empty inputs are in the template namespace; a boolean nobody set is False; anything else
    undefined renders as ""; a ``file`` template is written under ``env/`` of the private data directory
    and named by ``tower.filename`` (as seen from ``container_dir``, where the job runs)."""
    sandbox = ImmutableSandboxedEnvironment()
    namespace = {k: v for k, v in inputs.items() if isinstance(v, bool) or v}
    for field in credential_type['inputs']['fields']:
        if field['type'] == 'boolean' and field['id'] not in inputs:
            namespace[field['id']] = False
    files = {}
    env_dir = os.path.join(private_data_dir, 'env')
    os.makedirs(env_dir, exist_ok=True)
    for label, template in credential_type['injectors'].get('file', {}).items():
        handle, path = tempfile.mkstemp(dir=env_dir)
        with os.fdopen(handle, 'w') as out:
            out.write(sandbox.from_string(template).render(**namespace))
        files[label] = os.path.join(container_dir or private_data_dir, 'env', os.path.basename(path))
    namespace['tower'] = SimpleNamespace(filename=files.get('template') or SimpleNamespace(
        **{label.split('.', 1)[1]: path for label, path in files.items() if '.' in label}))
    return {name: sandbox.from_string(template).render(**namespace)
            for name, template in credential_type['injectors'].get('env', {}).items()}


def job_environment(inputs, private_data_dir, types=JOB_TYPES, container_dir=None):
    """A job template with one credential of each of ``types``: their environments merged."""
    env = {}
    for name in types:
        env.update(inject(load_type(name), inputs[name], private_data_dir, container_dir))
    return env


@pytest.fixture(scope='module')
def collection_reads():
    """Every environment variable the collection reads: module connection options, inventory plugin
    options, and the roles' own environment lookups."""
    from ansible_collections.opencitrix.automation.plugins.module_utils.citrix_cloud.client import cloud_argument_spec
    from ansible_collections.opencitrix.automation.plugins.module_utils.daas.argspec import daas_argument_spec
    from ansible_collections.opencitrix.automation.plugins.module_utils.storefront import client as storefront
    from ansible_collections.opencitrix.automation.plugins.module_utils.xenmobile import client as xenmobile
    from ansible_collections.opencitrix.automation.plugins.module_utils.xenserver.session import xenserver_argument_spec
    names = set()
    for spec in (cloud_argument_spec(), daas_argument_spec(), xenmobile.xenmobile_argument_spec(),
                 storefront.storefront_argument_spec(), xenserver_argument_spec()):
        for option in spec.values():
            if option.get('fallback'):
                names.update(option['fallback'][1])
    proc = subprocess.run([tool('ansible-doc'), '--json', '-t', 'inventory', 'opencitrix.automation.citrix_daas',
                           'opencitrix.automation.xenserver'], capture_output=True, text=True, check=True,
                          env=ansible_env(tempfile.mkdtemp(prefix='awx-doc-')))
    for plugin in json.loads(proc.stdout).values():
        for option in plugin['doc']['options'].values():
            # ANSIBLE_* are ansible-core's own (the inventory cache options), not the collection's.
            names.update(e['name'] for e in option.get('env', []) if not e['name'].startswith('ANSIBLE_'))
    for path in glob.glob(os.path.join(ROOT, 'roles', '*', '*', '*.yml')):
        with open(path) as handle:
            names.update(re.findall(r"lookup\('ansible\.builtin\.env', '([A-Z_]+)'\)", handle.read()))
    return names


@pytest.fixture
def estate(make_sim):
    """A simulator whose every product has an account with distinctive credentials."""
    sim = make_sim(config={'cloud': {'client_id': CLOUD_ID, 'client_secret': CLOUD_SECRET},
                           'xenserver': {'password': XS_PASSWORD}, 'storefront': {'password': SF_PASSWORD}})
    sim.service('xenmobile').add_user(XM_USER, XM_PASSWORD, instance='test')
    sim.service('xenmobile').add_user(XM_TARGET_USER, XM_TARGET_PASSWORD, instance='prod')
    sim.service('daas').add_admin(DDC_USER, DDC_PASSWORD)
    return sim


def credential_inputs(sim, ca='file'):
    """What an operator types into one credential of each type for this simulator. ``ca``: ``file``
    pastes the CA certificate, ``path`` names a CA file in the execution environment, ``None`` leaves
    both empty."""
    with open(sim.ca_path) as handle:
        tls = {'file': {'ca_cert': handle.read()}, 'path': {'ca_path': sim.ca_path}, None: {}}[ca]
    env = sim.client_env()
    xenmobile = sim.service('xenmobile')
    return {
        'citrix_cloud': dict(client_id=CLOUD_ID, client_secret=CLOUD_SECRET, customer_id=env['CITRIX_CUSTOMER_ID'],
                             api_url=sim.url, workspaces_api_url=sim.url + '/{service}', **tls),
        'citrix_daas_onprem': dict(ddc_url=sim.url, username=DDC_USER, password=DDC_PASSWORD, **tls),
        'xenserver': dict(hostname=env['XENSERVER_HOST'], password=XS_PASSWORD, **tls),
        'xenmobile': dict(url=xenmobile.url('test'), username=XM_USER, password=XM_PASSWORD, **tls),
        'xenmobile_target': dict(url=xenmobile.url('prod'), username=XM_TARGET_USER, password=XM_TARGET_PASSWORD, **tls),
        'storefront': dict(store_url=env['STOREFRONT_URL'], username=env['STOREFRONT_USERNAME'], password=SF_PASSWORD, **tls),
    }


def assert_no_secret(*texts):
    for text in texts:
        leaked = [secret for secret in SECRETS if secret in text]
        assert not leaked, leaked


# -- the credential types themselves ------------------------------------------------------------------


def test_there_is_a_credential_type_per_product():
    assert CREDENTIAL_TYPES == sorted(PREFIXES)


@pytest.mark.parametrize('name', CREDENTIAL_TYPES)
def test_credential_type_is_well_formed(name, collection_reads, tmp_path):
    cred = load_type(name)
    assert cred['kind'] == 'cloud' and 'opencitrix.automation' in cred['name']
    fields = cred['inputs']['fields']
    ids = [field['id'] for field in fields]
    assert len(ids) == len(set(ids))
    assert set(cred['inputs']['required']) <= set(ids)
    for field in fields:
        assert field['label'] and field['type'] in ('string', 'boolean'), field
        if any(word in field['id'] for word in ('secret', 'password', 'token')):
            assert field.get('secret') is True, field['id']
    templates = ' '.join(list(cred['injectors']['env'].values()) + list(cred['injectors'].get('file', {}).values()))
    assert [i for i in ids if not re.search(r'\b%s\b' % i, templates)] == [], 'fields no injector uses'
    injected = set(cred['injectors']['env'])
    assert all(n.startswith(PREFIXES[name]) for n in injected), sorted(injected)
    assert injected <= collection_reads, 'injects variables the collection does not read: %s' % sorted(
        injected - collection_reads)

    # A credential holding only its required fields: TLS verification on, system trust store, and every
    # optional field injected as "" (which the collection reads as unset).
    required_only = {field: 'x' for field in cred['inputs']['required']}
    env = inject(cred, required_only, str(tmp_path))
    assert {v for k, v in env.items() if k.endswith('_VALIDATE_CERTS')} == {'True'}
    assert {v for k, v in env.items() if k.endswith('_CA_PATH')} == {''}
    ticked = inject(cred, dict(required_only, skip_tls_verify=True), str(tmp_path))
    assert ticked[PREFIXES[name] + 'VALIDATE_CERTS'] == 'False'
    pasted = inject(cred, dict(required_only, ca_cert='-----BEGIN CERTIFICATE-----\n'), str(tmp_path))
    ca_file = pasted[PREFIXES[name] + 'CA_PATH']
    assert ca_file.startswith(str(tmp_path / 'env')) and open(ca_file).read() == '-----BEGIN CERTIFICATE-----\n'


def test_every_variable_the_collection_reads_is_injected_or_left_out_on_purpose(collection_reads):
    injected = set()
    for name in CREDENTIAL_TYPES:
        injected.update(load_type(name)['injectors']['env'])
    assert set(NOT_INJECTED) <= collection_reads
    assert collection_reads - injected == set(NOT_INJECTED)


def read(*path):
    with open(os.path.join(ROOT, *path)) as handle:
        return handle.read()


def readme_section(title):
    return read('README.md').split('## ' + title, 1)[1].split('\n## ', 1)[0]


def test_readme_and_guides_name_every_plugin_role_and_variable(collection_reads):
    """The README's module table names every module, inventory plugin and role; its connection table,
    the getting-started guide and the AWX guide name every variable the collection reads."""
    table = readme_section('Modules and plugins')
    listed = set(re.findall(r'^\| (?:role |inventory )?`([a-z_]+)`', table, re.MULTILINE))
    modules = {os.path.basename(p)[:-3] for p in glob.glob(os.path.join(ROOT, 'plugins', 'modules', '*.py'))}
    inventories = {os.path.basename(p)[:-3] for p in glob.glob(os.path.join(ROOT, 'plugins', 'inventory', '*.py'))}
    roles = {os.path.basename(p) for p in glob.glob(os.path.join(ROOT, 'roles', '*')) if os.path.isdir(p)}
    assert modules | inventories | roles <= listed, sorted((modules | inventories | roles) - listed)
    for name, text in (('README', readme_section('Connecting')),
                       ('getting_started', read('docs', 'docsite', 'rst', 'getting_started.rst'))):
        assert not sorted(v for v in collection_reads if v not in text), name
    awx_guide = read('docs', 'docsite', 'rst', 'awx.rst')
    assert not [v for v in collection_reads if v not in awx_guide]
    assert not [name for name in CREDENTIAL_TYPES if '``%s.yml``' % name not in awx_guide]


@pytest.mark.parametrize('name', sorted(PROBES))
def test_tls_verification_stays_on_unless_the_box_is_ticked(name, estate, tmp_path, monkeypatch):
    """In-process, one info module per type: a credential without a CA fails TLS verification against
    the simulator's private CA (AWX injects False for an unset boolean, so the box must mean "skip");
    ticking "skip" reaches the product without any CA."""
    monkeypatch.setenv('XDG_CACHE_HOME', str(tmp_path / 'cache'))
    cred = load_type(name)
    inputs = credential_inputs(estate, ca=None)[name]
    env = inject(cred, inputs, str(tmp_path))
    # As injected (the box unticked), and with the variable empty (empty counts as unset: verify).
    for validate in (env[PREFIXES[name] + 'VALIDATE_CERTS'], ''):
        refused = run_module(PROBES[name], env=dict(env, **{PREFIXES[name] + 'VALIDATE_CERTS': validate}))
        assert refused.get('failed') and 'escaped' not in refused, refused
        assert 'TLS verification failed' in refused['msg'] and '\n' not in refused['msg'], refused['msg']
    skipped = run_module(PROBES[name], env=inject(cred, dict(inputs, skip_tls_verify=True), str(tmp_path)))
    assert not skipped.get('failed'), skipped


# -- jobs from the injected environment alone ------------------------------------------------------------


def job_play():
    """One task per product and the migration role in check mode, connection options from nowhere but
    the environment."""
    tasks = [
        {'name': 'cloud services', 'opencitrix.automation.citrix_cloud_service_info': {}},
        {'name': 'daas machines', 'opencitrix.automation.citrix_daas_machine_info': {}},
        {'name': 'xenserver pool', 'opencitrix.automation.xenserver_host_info': {}},
        {'name': 'xenmobile properties', 'opencitrix.automation.xenmobile_server_property_info': {'search': 'xms.publicapi'}},
        {'name': 'store', 'opencitrix.automation.storefront_resource_info': {}},
        {'name': 'migration plan', 'ansible.builtin.include_role': {
            'name': 'opencitrix.automation.xenmobile_migrate', 'apply': {'check_mode': True}},
         'vars': {'xenmobile_migrate_include_apps': False}},
    ]
    return [{'name': 'awx job', 'hosts': 'targets', 'gather_facts': False, 'tasks': tasks}]


def check_job_results(run, estate, planned):
    assert run.rc == 0, run
    assert len(run.task('cloud services')['result']['services']) == 11
    assert len(run.task('daas machines')['result']['machines']) == estate.size
    assert run.task('xenserver pool')['result']['pool']['master'] == 'xs-host-01'
    assert run.task('xenmobile properties')['result']['properties']
    assert len(run.task('store')['result']['resources']) == 500
    summary = run.task('opencitrix.automation.xenmobile_migrate : Show the migration summary')['result'][
        'xenmobile_migrate_summary']
    xenmobile = estate.service('xenmobile')
    assert (summary['source'], summary['target']) == (xenmobile.url('test'), xenmobile.url('prod'))
    assert summary['check_mode'] is True
    assert sorted(summary['properties']['added'] + summary['properties']['updated']) == planned
    for service in ('xenmobile', 'xenserver', 'daas', 'cloud_platform'):
        assert estate.stats.writes(service=service) == 0, service


def test_a_job_with_every_credential_type_runs_modules_and_roles(estate, run_playbook, tmp_path):
    """A job template with the Citrix Cloud, XenServer, XenMobile, XenMobile migration target and
    StoreFront credentials (CA certificates pasted in, so injected as files): every product answers
    and the migration role plans test -> prod, at -vvvv without a secret in the output."""
    planned = property_migration_scenario(estate, total=30, differ=4, missing=2, target_only=1)
    env = job_environment(credential_inputs(estate), str(tmp_path / 'job'))
    assert env['CITRIX_CA_PATH'].startswith(str(tmp_path / 'job' / 'env'))
    run = run_playbook(job_play(), env=env, verbosity=4)
    check_job_results(run, estate, planned)
    assert estate.stats.count(route='cloud.token') == 1  # one token for the Cloud and DaaS tasks
    assert_no_secret(run.output, json.dumps(run.results))


def test_optional_fields_left_empty_break_neither_modules_nor_inventories(estate, run_playbook, tmp_path):
    """Only the fields a connection needs are filled in: AWX injects "" for all others (region, login
    type, CA fields, ...) and False for the TLS box. The simulator's CA is trusted the way an execution
    environment's system store would be."""
    planned = property_migration_scenario(estate, total=30, differ=4, missing=2, target_only=1)
    env = job_environment(credential_inputs(estate, ca=None), str(tmp_path / 'job'))
    blank = sorted(k for k, v in env.items() if v == '')
    assert {'CITRIX_CLOUD_REGION', 'CITRIX_CA_PATH', 'XENSERVER_USER', 'XENMOBILE_LOGIN_TYPE',
            'XENMOBILE_TARGET_CA_PATH', 'STOREFRONT_DOMAIN'} <= set(blank)
    env.update(SSL_CERT_FILE=estate.ca_path, REQUESTS_CA_BUNDLE=estate.ca_path)
    check_job_results(run_playbook(job_play(), env=env), estate, planned)

    runner = Runner(tmp_path / 'inventories')
    os.makedirs(runner.workdir)
    daas = runner.inventory({'plugin': 'opencitrix.automation.citrix_daas'}, env=env)
    assert daas.rc == 0 and daas.parsed, daas
    assert len(daas.hostvars) == estate.size
    pool = runner.inventory({'plugin': 'opencitrix.automation.xenserver'}, env=env)
    assert pool.rc == 0 and pool.parsed, pool
    assert {'xs-host-01', 'xs-host-02', 'xs-host-03'} <= set(pool.hostvars)


@pytest.mark.parametrize('plugin', sorted(INVENTORY_CREDENTIALS))
def test_inventory_keeps_tls_verification_on_when_the_fields_are_empty(plugin, estate, tmp_path):
    """No CA anywhere and an empty *_VALIDATE_CERTS: the inventory plugin refuses the simulator's
    certificate (empty must not read as false, nor an empty *_CA_PATH as the working directory)."""
    name = INVENTORY_CREDENTIALS[plugin]
    env = inject(load_type(name), credential_inputs(estate, ca=None)[name], str(tmp_path))
    env[PREFIXES[name] + 'VALIDATE_CERTS'] = ''
    run = Runner(tmp_path).inventory({'plugin': 'opencitrix.automation.' + plugin}, env=env)
    assert not run.parsed, run
    assert 'TLS verification failed' in run.output, run
    assert_no_secret(run.output)


def test_on_premises_delivery_controller_credential(estate, run_playbook, tmp_path):
    """The on-premises credential type alone drives the DaaS modules and the citrix_daas inventory."""
    env = inject(load_type('citrix_daas_onprem'), credential_inputs(estate)['citrix_daas_onprem'], str(tmp_path))
    play = [{'name': 'on-premises', 'hosts': 'targets', 'gather_facts': False, 'tasks': [
        {'name': 'machines', 'opencitrix.automation.citrix_daas_machine_info': {}}]}]
    run = run_playbook(play, env=env, verbosity=4)
    assert run.rc == 0, run
    assert len(run.task('machines')['result']['machines']) == estate.size
    inventory = Runner(tmp_path).inventory({'plugin': 'opencitrix.automation.citrix_daas'}, env=env)
    assert inventory.rc == 0 and inventory.parsed, inventory
    assert len(inventory.hostvars) == estate.size
    assert estate.stats.count(route='cloud.token') == 0
    assert_no_secret(run.output, json.dumps(run.results), inventory.output)


def test_migration_role_needs_a_target_other_than_the_source(estate, run_playbook, tmp_path):
    """Without the target credential, or with the source's URL in it, the role stops with one line
    before it reads anything."""
    inputs = credential_inputs(estate)
    play = [{'name': 'migrate', 'hosts': 'targets', 'gather_facts': False, 'tasks': [
        {'name': 'migrate', 'ansible.builtin.include_role': {'name': 'opencitrix.automation.xenmobile_migrate'}}]}]
    no_target = run_playbook(play, env=job_environment(inputs, str(tmp_path), types=('xenmobile',)))
    same = dict(inputs, xenmobile_target=dict(inputs['xenmobile_target'], url=inputs['xenmobile']['url'] + '/'))
    same_server = run_playbook(play, env=job_environment(same, str(tmp_path), types=('xenmobile', 'xenmobile_target')))
    check = 'opencitrix.automation.xenmobile_migrate : Check that the source and target servers are known and differ'
    assert no_target.rc == 2 and 'No target server: set xenmobile_migrate_target or XENMOBILE_TARGET_URL' in \
        no_target.task(check)['result']['msg']
    assert same_server.rc == 2 and 'Source and target are the same server' in same_server.task(check)['result']['msg']
    assert estate.stats.count(service='xenmobile') == 0


# -- the AWX run path: ansible-runner transmit | worker | process -----------------------------------------


def run_like_awx(private_data_dir, worker_dir, ident, **job):
    """Stream a private data directory as AWX does: ``transmit`` on the controller (the Python API, as
    AWX calls it), ``ansible-runner worker`` on the execution node (the command receptor starts in the
    execution environment), ``process`` back on the controller. Returns (status, rc, events)."""
    import ansible_runner
    stream = private_data_dir + '.stream'
    with open(stream, 'wb') as output:
        ansible_runner.interface.run(private_data_dir=private_data_dir, ident=ident, streamer='transmit',
                                     _output=output, **job)
    worker_env = dict(os.environ, PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ.get('PATH', ''))
    with open(stream, 'rb') as job_input:
        worker = subprocess.run([tool('ansible-runner'), 'worker', '--private-data-dir', worker_dir],
                                stdin=job_input, capture_output=True, check=False, env=worker_env)
    events = []
    result = ansible_runner.interface.run(private_data_dir=private_data_dir, ident=ident, streamer='process',
                                          _input=io.BytesIO(worker.stdout), quiet=True,
                                          event_handler=lambda event: events.append(event) or True)
    with open(os.path.join(private_data_dir, 'artifacts', ident, 'rc')) as handle:
        rc = int(handle.read())
    return result.status, rc, events


def job_envvars(workdir, credentials_env):
    envvars = {k: v for k, v in ansible_env(workdir).items() if k.startswith(('ANSIBLE_', 'XDG_', 'NO_PROXY'))}
    envvars.update(credentials_env)
    return envvars


def test_job_runs_through_runner_transmit_worker_process(estate, tmp_path):
    """A job as AWX builds it (project, inventory, credentials injected as environment and CA files),
    streamed through transmit -> worker -> process; the job events come back."""
    pdd, worker_dir = tmp_path / 'job', tmp_path / 'worker'
    (pdd / 'project').mkdir(parents=True)
    (pdd / 'inventory').mkdir()
    (pdd / 'project' / 'play.yml').write_text(yaml.safe_dump([
        {'name': 'awx job', 'hosts': 'targets', 'gather_facts': False, 'tasks': [
            {'name': 'services in trial', 'opencitrix.automation.citrix_cloud_service_info': {'state': 'ProductionTrial'}},
            {'name': 'pool', 'opencitrix.automation.xenserver_host_info': {}},
        ]}]))
    (pdd / 'inventory' / 'hosts').write_text(
        '[targets]\nlocalhost ansible_connection=local ansible_python_interpreter=%s\n' % sys.executable)
    credentials = job_environment(credential_inputs(estate), str(pdd), types=('citrix_cloud', 'xenserver'),
                                  container_dir=str(worker_dir))
    status, rc, events = run_like_awx(str(pdd), str(worker_dir), '1', playbook='play.yml',
                                      envvars=job_envvars(str(tmp_path / 'work'), credentials))
    assert (status, rc) == ('successful', 0), [e.get('stdout') for e in events][-20:]

    ok = {e['event_data']['task']: e['event_data']['res'] for e in events if e.get('event') == 'runner_on_ok'}
    assert ok['services in trial']['names'] == ['cas', 'itsm', 'microapps', 'netscalergateway', 'wem', 'xendesktop']
    assert ok['pool']['pool']['master'] == 'xs-host-01'
    assert [e['event'] for e in events if e['event'] == 'playbook_on_stats'] == ['playbook_on_stats']
    assert not [e for e in events if e['event'] == 'runner_on_failed']
    assert_no_secret(''.join(e.get('stdout', '') for e in events), json.dumps(events))
    assert estate.stats.count(route='cloud.service_states') == 1


INVENTORY_SOURCES = {
    'citrix_daas': ('citrix_cloud', {'plugin': 'opencitrix.automation.citrix_daas',
                                     'keyed_groups': [{'key': 'citrix_os_type', 'prefix': 'os'}]}),
    'xenserver': ('xenserver', {'plugin': 'opencitrix.automation.xenserver'}),
}


def inventory_update(tmp_path, source_config, credentials_env, verbosity=''):
    """An AWX inventory update of a project-sourced inventory file, as AWX's RunInventoryUpdate builds
    it: ``ansible-inventory --list --export -i <file> --output artifacts/<id>/output.json`` in the
    private data directory's ``args``, STANDARD_INVENTORY_UPDATE_ENV, the credentials' environment."""
    pdd, worker_dir = tmp_path / 'update', tmp_path / 'worker'
    name = 'estate.%s.yml' % source_config['plugin'].rsplit('.', 1)[-1]
    (pdd / 'project' / 'inventories').mkdir(parents=True)
    (pdd / 'project' / 'inventories' / name).write_text(yaml.safe_dump(source_config))
    source = worker_dir / 'project' / 'inventories' / name
    args = ['ansible-inventory', '--list', '--export', '-i', str(source),
            '--output', str(worker_dir / 'artifacts' / '7' / 'output.json'), '--playbook-dir', str(source.parent)]
    (pdd / 'args').write_text(' '.join(args + ([verbosity] if verbosity else [])))
    envvars = job_envvars(str(tmp_path / 'work'), credentials_env)
    envvars.update(INVENTORY_SOURCE_ID='3', INVENTORY_UPDATE_ID='7', ANSIBLE_INVENTORY_UNPARSED_FAILED='True',
                   ANSIBLE_INVENTORY_EXPORT='True')
    status, rc, events = run_like_awx(str(pdd), str(worker_dir), '7', envvars=envvars)
    output = pdd / 'artifacts' / '7' / 'output.json'
    inventory = json.loads(output.read_text()) if output.exists() else None
    return status, rc, events, inventory


@pytest.mark.parametrize('plugin', sorted(INVENTORY_SOURCES))
def test_inventory_update_runs_through_runner_transmit_worker_process(plugin, estate, tmp_path):
    """The inventory plugin as an AWX inventory source: its config file in the project, the credential
    in the environment, verbosity 1 (AWX passes -vvv); the inventory and the verbose events come back."""
    credential, config = INVENTORY_SOURCES[plugin]
    credentials = job_environment(credential_inputs(estate), str(tmp_path / 'update'), types=(credential,),
                                  container_dir=str(tmp_path / 'worker'))
    status, rc, events, inventory = inventory_update(tmp_path, config, credentials, verbosity='-vvv')
    lines = [e.get('stdout', '') for e in events]
    assert (status, rc) == ('successful', 0), lines[-20:]
    assert any('Parsed %s' % str(tmp_path / 'worker') in line and 'with auto plugin' in line for line in lines), lines
    assert_no_secret('\n'.join(lines), json.dumps(inventory))
    hostvars = inventory['_meta']['hostvars']
    if plugin == 'citrix_daas':
        assert len(hostvars) == estate.size
        os_types = {m['OSType'] for m in map(estate.service('daas').machine, estate.service('daas').machines_of())}
        assert len([g for g in inventory if g.startswith('os_')]) == len(os_types) > 1
        assert estate.stats.count(route='daas.machines.list') == 1
    else:
        assert {'xs-host-01', 'xs-host-02', 'xs-host-03'} <= set(hostvars)
        assert estate.stats.count(route='xenserver.VM.get_all_records_where') + estate.stats.count(
            route='xenserver.VM.get_all_records') == 1


def test_inventory_update_failure_is_one_line_in_the_job_events(estate, tmp_path):
    """A wrong client secret: the update fails (AWX treats an unparsed source as a failure) and its
    events carry the API's own error in one line, without a traceback or the secret."""
    inputs = credential_inputs(estate)
    wrong = dict(inputs['citrix_cloud'], client_secret='AWX-cloud-SECRET-wrong-0e9d')
    credentials = inject(load_type('citrix_cloud'), wrong, str(tmp_path / 'update'), str(tmp_path / 'worker'))
    status, rc, events, inventory = inventory_update(tmp_path, INVENTORY_SOURCES['citrix_daas'][1], credentials)
    text = '\n'.join(e.get('stdout', '') for e in events)
    assert status == 'failed' and rc != 0 and inventory is None
    errors = [line for line in text.splitlines() if 'invalid_client' in line]
    assert errors and 'estate.citrix_daas.yml' in errors[0], text
    assert 'Traceback' not in text
    assert 'AWX-cloud-SECRET-wrong-0e9d' not in text
