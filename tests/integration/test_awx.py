"""AWX / Automation Platform readiness: credential types inject exactly what the collection reads,
modules work from that environment alone, and jobs run through ansible-runner's
transmit | worker | process pipeline (how AWX and its receptor mesh execute them)."""

import glob
import json
import os
import subprocess
import sys

import jinja2
import pytest
import yaml

from tests.harness import ROOT, ansible_env, local_inventory, tool

CREDENTIAL_TYPES = sorted(glob.glob(os.path.join(ROOT, 'extensions', 'awx', 'credential_types', '*.yml')))


def spec_env_names(spec):
    names = set()
    for option in spec.values():
        fallback = option.get('fallback')
        if fallback:
            names.update(fallback[1])
    return names


def product_env_names():
    """Every environment variable the collection's connection options read, by product prefix."""
    from ansible_collections.opencitrix.automation.plugins.module_utils import citrix_cloud
    names = spec_env_names(citrix_cloud.cloud_argument_spec())
    return names


def render_injectors(credential_type, inputs):
    """AWX semantics: every injector is a Jinja template over the inputs; an input nobody filled in
    renders as an empty string; booleans render as True/False."""
    values = {field['id']: field.get('default', '') for field in credential_type['inputs']['fields']}
    values.update(inputs)
    env = {}
    for name, template in credential_type['injectors'].get('env', {}).items():
        env[name] = jinja2.Environment(undefined=jinja2.ChainableUndefined).from_string(template).render(**values)
    return env


@pytest.mark.parametrize('path', CREDENTIAL_TYPES, ids=os.path.basename)
def test_credential_type_is_well_formed(path):
    with open(path) as handle:
        cred = yaml.safe_load(handle)
    assert cred['kind'] in ('cloud', 'net')
    ids = [field['id'] for field in cred['inputs']['fields']]
    assert len(ids) == len(set(ids))
    assert set(cred['inputs'].get('required', [])) <= set(ids)
    for field in cred['inputs']['fields']:
        if any(word in field['id'] for word in ('secret', 'password', 'token')):
            assert field.get('secret') is True, field['id']
    injected = set(cred['injectors']['env'])
    assert injected, 'a credential type must inject something'
    assert all(not name.startswith('ANSIBLE_') for name in injected)
    unknown = injected - product_env_names()
    assert not unknown, 'injects variables the collection does not read: %s' % sorted(unknown)


def cloud_credential_env(sim, **inputs):
    with open(os.path.join(ROOT, 'extensions', 'awx', 'credential_types', 'citrix_cloud.yml')) as handle:
        cred = yaml.safe_load(handle)
    values = {'client_id': 'sim-client-id', 'client_secret': 'sim-client-secret', 'customer_id': 'simcustomer1',
              'api_url': sim.url, 'workspaces_api_url': sim.url + '/{service}', 'ca_path': sim.ca_path}
    values.update(inputs)
    return render_injectors(cred, values)


def test_modules_work_from_the_injected_environment_alone(sim, run_playbook):
    env = cloud_credential_env(sim)
    assert env['CITRIX_VALIDATE_CERTS'] == 'True' and env['CITRIX_CLOUD_REGION'] == 'us'
    play = [{'name': 'awx', 'hosts': 'targets', 'gather_facts': False,
             'tasks': [{'name': 'services', 'opencitrix.automation.citrix_cloud_service_info': {}}]}]
    run = run_playbook(play, env=env)
    assert run.rc == 0, run
    assert len(run.task('services')['result']['services']) == 11


def test_unfilled_optional_fields_do_not_break_modules(sim, run_playbook):
    env = cloud_credential_env(sim, ca_path='')
    assert env['CITRIX_CA_PATH'] == ''
    env['CITRIX_CA_PATH'] = ''
    env['SSL_CERT_FILE'] = sim.ca_path  # trust the simulator the way an EE's system store would
    env['REQUESTS_CA_BUNDLE'] = sim.ca_path
    play = [{'name': 'awx', 'hosts': 'targets', 'gather_facts': False,
             'tasks': [{'name': 'services', 'opencitrix.automation.citrix_cloud_service_info': {}}]}]
    run = run_playbook(play, env=env)
    assert run.rc == 0, run


def test_job_runs_through_runner_transmit_worker_process(sim, tmp_path):
    """A private data directory as AWX builds it (project, inventory, env/envvars with the injected
    credential), streamed through transmit -> worker -> process; the job events come back."""
    pdd = tmp_path / 'job'
    (pdd / 'project').mkdir(parents=True)
    (pdd / 'inventory').mkdir()
    (pdd / 'env').mkdir()
    (pdd / 'project' / 'play.yml').write_text(yaml.safe_dump([
        {'name': 'awx job', 'hosts': 'targets', 'gather_facts': False, 'tasks': [
            {'name': 'services in trial', 'opencitrix.automation.citrix_cloud_service_info': {'state': 'ProductionTrial'}},
        ]}]))
    local_inventory(str(pdd / 'inventory' / 'hosts'))
    envvars = ansible_env(str(tmp_path / 'work'))
    envvars = {k: v for k, v in envvars.items() if k.startswith(('ANSIBLE_', 'XDG_', 'NO_PROXY'))}
    envvars.update(cloud_credential_env(sim))
    (pdd / 'env' / 'envvars').write_text(yaml.safe_dump(envvars))

    worker_env = dict(os.environ, PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ.get('PATH', ''))
    transmit = subprocess.run([tool('ansible-runner'), 'transmit', str(pdd), '-p', 'play.yml'],
                              capture_output=True, check=True, env=worker_env)
    worker = subprocess.run([tool('ansible-runner'), 'worker', '--private-data-dir', str(tmp_path / 'worker')],
                            input=transmit.stdout, capture_output=True, check=True, env=worker_env)
    processed = subprocess.run([tool('ansible-runner'), 'process', str(pdd)], input=worker.stdout,
                               capture_output=True, check=False, env=worker_env)
    assert processed.returncode == 0, processed.stderr.decode()[-2000:]

    events = []
    for path in glob.glob(str(pdd / 'artifacts' / '**' / 'job_events' / '*.json'), recursive=True):
        with open(path) as handle:
            events.append(json.load(handle))
    ok = [e for e in events if e.get('event') == 'runner_on_ok' and e['event_data'].get('task') == 'services in trial']
    assert len(ok) == 1
    assert ok[0]['event_data']['res']['names'] == ['cas', 'itsm', 'microapps', 'netscalergateway', 'wem', 'xendesktop']
    assert [e['event'] for e in events if e['event'] == 'playbook_on_stats'] == ['playbook_on_stats']
    assert not [e for e in events if e['event'] == 'runner_on_failed']
    stdout = ''.join(e.get('stdout', '') for e in events)
    assert 'sim-client-secret' not in stdout
    assert sim.stats.count(route='cloud.service_states') == 1
