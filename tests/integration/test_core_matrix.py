"""Smoke tests run on every supported ansible-core minor (``make core-matrix``, marker ``core_matrix``) and,
with the rest of the integration tests, on the main toolchain.

Text that an API returns is data, never a template: a catalog, a VM description or an event field holding
``{{ lookup('pipe', 'touch MARKER') }}`` must reach plays as that literal text, and MARKER must never
exist. Each payload touches its own marker file, so a failure names the field that was templated."""

import csv
import io
import os

import pytest
import yaml

from ansible_collections.opencitrix.automation.plugins.module_utils.daas.client import DaasClient
from ansible_collections.opencitrix.automation.plugins.plugin_utils.daas_machine_watch import MachineWatch
from ansible_collections.opencitrix.automation.plugins.plugin_utils.xenserver_event_stream import EventStream
from tests.conformance import plugin as conformance
from tests.harness import ROOT, Runner
from tests.integration.daas.support import FAST_CLOCK, cloud_env_for, power_requests
from tests.integration.xenserver.support import FAST, XEN_PASSWORD, XEN_USER, client

pytestmark = pytest.mark.core_matrix


def payload(markers, field):
    return "{{ lookup('pipe', 'touch %s') }}" % os.path.join(str(markers), field)


@pytest.fixture
def markers(tmp_path):
    path = tmp_path / 'markers'
    path.mkdir()
    return path


def assert_nothing_templated(markers):
    touched = sorted(os.listdir(str(markers)))
    assert touched == [], 'API text was templated: the payloads of %d fields ran (%s)' % (
        len(touched), ', '.join(touched[:8]) + (', ...' if len(touched) > 8 else ''))


def xen_env(sim):
    xen = sim.service('xenserver')
    return {'XENSERVER_HOST': xen.url, 'XENSERVER_USER': XEN_USER, 'XENSERVER_PASSWORD': XEN_PASSWORD,
            'XENSERVER_CA_PATH': sim.ca_path}


def write_inventory(tmp_path, name, config):
    path = tmp_path / name
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return str(path)


def echo_play(hosts, messages):
    """A play printing each ``{name: template}`` with debug, then the same through set_fact and a
    registered result, which Ansible templates once more when they are read."""
    tasks = [{'name': name, 'ansible.builtin.debug': {'msg': template}} for name, template in messages.items()]
    first = next(iter(messages.values()))
    tasks += [
        {'name': 'keep', 'ansible.builtin.set_fact': {'kept': first}},
        {'name': 'kept', 'ansible.builtin.debug': {'msg': '{{ kept }}'}},
        {'name': 'register', 'ansible.builtin.debug': {'msg': first}, 'register': 'echoed'},
        {'name': 'registered', 'ansible.builtin.debug': {'msg': '{{ echoed.msg }}'}},
    ]
    return [{'name': 'smoke', 'hosts': hosts, 'connection': 'local', 'gather_facts': False, 'tasks': tasks}]


def messages_of(run, names):
    out = {}
    for name in names:
        result = run.task(name)
        assert result['status'] == 'ok', result
        out[name] = result['result']['msg']
    return out


# -- inventory plugins -------------------------------------------------------------------------------


WORD_CHARACTERS = set('abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_')


def list_then_play(tmp_path, sim, env, config, group, messages, expected, markers):
    """``ansible-inventory --list`` with the inventory cache on (read from the API, filling the cache), then
    the play printing ``messages`` on ``group`` twice: served from the cache (no request), and with the cache
    off (from the API). Each play must print ``expected``; no payload may run. Returns the listing."""
    name = 'smoke.%s.yml' % config['plugin'].rsplit('.', 1)[-1]
    config = dict(config, cache=True, cache_plugin='ansible.builtin.jsonfile', cache_connection=str(tmp_path / 'cache'),
                  cache_timeout=3600)
    runner = Runner(tmp_path)
    listing = runner.inventory(config, env=env, name=name)
    assert listing.rc == 0 and listing.parsed, listing
    assert_nothing_templated(markers)  # compose, groups, keyed_groups and filters template at parse time
    # Group names derived from API text keep only letters, digits and underscores.
    assert all(set(group_name) <= WORD_CHARACTERS for group_name in listing.data if group_name != '_meta')
    first = expected[next(iter(messages))]
    for cache in (True, False):
        inventory = write_inventory(tmp_path, name, dict(config, cache=cache))
        sim.stats.reset()
        run = runner.run(echo_play(group, messages), env=env, inventory=inventory)
        assert run.rc == 0, run
        assert (sim.stats.count() == 0) is cache  # the first play is served from the inventory cache
        assert_nothing_templated(markers)
        got = messages_of(run, list(messages) + ['kept', 'registered'])
        assert {name: got[name] for name in expected} == expected
        assert got['kept'] == got['registered'] == first
    return listing


def test_daas_inventory_keeps_api_text_literal_from_the_api_and_from_the_cache(make_sim, tmp_path, markers):
    sim = make_sim(size=20, services=['cloud', 'daas'])
    daas = sim.service('daas')
    catalog = daas.add_catalog(payload(markers, 'catalog'), 1, delivery_group=payload(markers, 'delivery_group'),
                               prefix='SMOKE')
    [machine] = catalog['machine_ids']
    dns_name = payload(markers, 'dns_name')
    daas.update_machine(machine, DnsName=dns_name, SupportedPowerActions=['Reset', payload(markers, 'power_action')])
    config = {
        'plugin': 'opencitrix.automation.citrix_daas', 'hostnames': ['dns_name'],
        'compose': {'catalog_copy': 'citrix_catalog', 'label': "citrix_catalog ~ ' in ' ~ citrix_delivery_group"},
        'keyed_groups': [{'key': 'citrix_delivery_group', 'prefix': 'dg'}],
        'groups': {'smoke_hosts': "citrix_catalog_id == '%s'" % catalog['id']},
        'filters': ["citrix_catalog is string"],
    }
    messages = {'catalog': '{{ citrix_catalog }}', 'composed': '{{ label }}',
                'hostname': '{{ inventory_hostname }} {{ ansible_host }}',
                'power actions': "{{ citrix_supported_power_actions | join(',') }}",
                'group members': "{{ groups['smoke_hosts'] | join(',') }}"}
    expected = {
        'catalog': payload(markers, 'catalog'),
        'composed': '%s in %s' % (payload(markers, 'catalog'), payload(markers, 'delivery_group')),
        'hostname': '%s %s' % (dns_name, dns_name),
        'power actions': 'Reset,' + payload(markers, 'power_action'),
        'group members': dns_name,
    }
    with conformance.waived(sim):  # a template in an enum (SupportedPowerActions) is off the spec on purpose
        listing = list_then_play(tmp_path, sim, cloud_env_for(sim), config, 'smoke_hosts', messages, expected, markers)
    host = listing.hostvars[dns_name]
    assert host['citrix_catalog'] == host['catalog_copy'] == payload(markers, 'catalog')
    assert host['citrix_delivery_group'] == payload(markers, 'delivery_group') and host['ansible_host'] == dns_name
    assert host['citrix_supported_power_actions'] == ['Reset', payload(markers, 'power_action')]
    raw = listing.raw['_meta']['hostvars'][dns_name]
    assert raw['citrix_catalog'] == raw['catalog_copy'] == {'__ansible_unsafe': payload(markers, 'catalog')}
    assert listing.group('smoke_hosts') == [dns_name]


def test_xenserver_inventory_keeps_api_text_literal_from_the_api_and_from_the_cache(make_sim, tmp_path, markers):
    sim = make_sim(size=10, time_scale=FAST, services=['xenserver'],
                   config={'xenserver': {'password': XEN_PASSWORD, 'vms': 2, 'pool_name': payload(markers, 'pool')}})
    xen = sim.service('xenserver')
    vm_name = payload(markers, 'vm_name')
    xen.add_test_vm(vm_name, description=payload(markers, 'description'), tags=['smoke', payload(markers, 'tag')],
                    other_config={'env': payload(markers, 'other_config')})
    config = {
        'plugin': 'opencitrix.automation.xenserver', 'other_config_groups': ['env'],
        'compose': {'description_copy': 'xenserver_description',
                    'label': "(xenserver_name ~ ' in ' ~ xenserver_pool) | trim"},
        'keyed_groups': [{'key': 'xenserver_description', 'prefix': 'described'}],
        'groups': {'smoke_vms': "'smoke' in xenserver_tags"},
    }
    messages = {'description': '{{ xenserver_description }}', 'composed': '{{ label }}',
                'hostname': '{{ inventory_hostname }} {{ inventory_hostname_short }}',
                'tags': "{{ xenserver_tags | join(',') }}", 'other config': '{{ xenserver_other_config.env }}',
                'group members': "{{ groups['smoke_vms'] | join(',') }}", 'group names': "{{ group_names }}"}
    expected = {
        'description': payload(markers, 'description'),
        'composed': '%s in %s' % (vm_name, payload(markers, 'pool')),
        'hostname': '%s %s' % (vm_name, vm_name.split('.')[0]),
        'tags': ','.join(sorted(['smoke', payload(markers, 'tag')])),
        'other config': payload(markers, 'other_config'),
        'group members': vm_name,
    }
    listing = list_then_play(tmp_path, sim, xen_env(sim), config, 'smoke_vms', messages, expected, markers)
    assert listing.group('smoke_vms') == [vm_name]
    vm = listing.hostvars[vm_name]
    assert vm['xenserver_description'] == vm['description_copy'] == payload(markers, 'description')
    assert vm['xenserver_tags'] == sorted(['smoke', payload(markers, 'tag')])
    assert vm['xenserver_other_config'] == {'env': payload(markers, 'other_config')}
    assert vm['xenserver_pool'] == payload(markers, 'pool')
    raw = listing.raw['_meta']['hostvars'][vm_name]
    assert raw['xenserver_description'] == {'__ansible_unsafe': payload(markers, 'description')}


# -- one read-only module per product ----------------------------------------------------------------


def test_an_info_module_of_every_product_runs(sim, run_playbook):
    modules = {'citrix_cloud_service_info': 'services', 'citrix_daas_machine_info': 'machines',
               'xenmobile_server_property_info': 'properties', 'storefront_resource_info': 'resources',
               'xenserver_host_info': 'hosts'}
    plays = [{'name': module, 'hosts': 'targets', 'gather_facts': False, 'tasks': [
        {'name': module, 'opencitrix.automation.' + module: {}}]} for module in modules]
    run = run_playbook(plays, env=sim.client_env())
    assert run.rc == 0, run
    for module, key in modules.items():
        result = run.task(module)['result']
        assert result['changed'] is False and result[key], (module, result)
    assert sim.stats.writes() == 0


# -- Event-Driven Ansible example playbooks ----------------------------------------------------------


def poisoned(value, markers, keep, path='event'):
    """``value`` with every text replaced by a payload naming its own path, except the keys in ``keep``."""
    if isinstance(value, dict):
        return {k: v if k in keep else poisoned(v, markers, keep, '%s.%s' % (path, k)) for k, v in value.items()}
    if isinstance(value, list):
        return [poisoned(v, markers, keep, '%s.%d' % (path, i)) for i, v in enumerate(value)]
    if isinstance(value, str):
        return payload(markers, path)
    return value


def rulebook_extra_vars(tmp_path, event, **extra):
    """The extra vars file of a rulebook's run_playbook action: ansible-rulebook writes the variables with
    ``yaml.dump`` to env/extravars, and ansible-runner passes it as ``-e @env/extravars``."""
    path = tmp_path / 'extravars'
    path.write_text(yaml.dump(dict(extra, ansible_eda={'ruleset': 'smoke', 'rule': 'smoke', 'event': event})))
    return ['-e', '@%s' % path]


def example_playbook(name):
    with open(os.path.join(ROOT, 'playbooks', name)) as handle:
        return handle.read()


def test_eda_restart_vm_playbook_reads_the_event_as_data(make_sim, run_playbook, tmp_path, markers):
    sim = make_sim(size=10, time_scale=FAST, services=['xenserver'],
                   config={'xenserver': {'password': XEN_PASSWORD, 'vms': 2}})
    xen = sim.service('xenserver')
    xen.add_test_vm('auto-vm', power_state='Running', tags=['auto-restart'])
    with client(xen) as session:
        stream = EventStream(session, classes=['VM'], fields=['power_state'], operations=['mod'], event_timeout=0.3)
        stream.next_events()
        xen.halt_guest('auto-vm')
        [event] = stream.next_events()
    assert event['xenserver']['changes']['power_state'] == {'before': 'Running', 'after': 'Halted'}
    event = poisoned(event, markers, keep={'uuid'})
    run = run_playbook(example_playbook('eda_restart_vm.yml'), env=xen_env(sim),
                       args=rulebook_extra_vars(tmp_path, event))
    assert run.rc == 0, run
    assert_nothing_templated(markers)
    assert xen.vm('auto-vm')['power_state'] == 'Running'
    said = run.task('Say what happened')['result']['msg']
    assert said.startswith('VM %s of pool %s' % (payload(markers, 'event.xenserver.name'),
                                                 payload(markers, 'event.xenserver.pool'))), said


def test_eda_reboot_unregistered_machine_playbook_reads_the_event_as_data(make_sim, run_playbook, tmp_path, markers):
    sim = make_sim(size=20, time_scale=FAST_CLOCK, services=['cloud', 'daas'])
    daas = sim.service('daas')
    [machine] = daas.add_catalog('Smoke', 1, delivery_group='Smoke desktops', prefix='SMOKE')['machine_ids']
    env = cloud_env_for(sim)
    watch = MachineWatch(DaasClient.from_params({
        'client_id': env['CITRIX_CLIENT_ID'], 'client_secret': env['CITRIX_CLIENT_SECRET'],
        'customer_id': env['CITRIX_CUSTOMER_ID'], 'api_url': sim.url, 'ca_path': sim.ca_path, 'token_cache': False}),
        watch=['registration_state', 'power_state'])
    watch.poll()
    daas.update_machine(machine, RegistrationState='Unregistered')
    [event] = watch.poll()
    assert event['citrix_daas']['changes']['registration_state']['after'] == 'Unregistered'
    event = poisoned(event, markers, keep={'id'})
    report = tmp_path / 'report.csv'
    run = run_playbook(example_playbook('eda_reboot_unregistered_machine.yml'), env=env,
                       args=rulebook_extra_vars(tmp_path, event, daas_unregistered_report=str(report)))
    assert run.rc == 0, run
    assert_nothing_templated(markers)
    assert [(entry['machine_id'], entry['action']) for entry in daas.power_log] == [(machine, 'reboot')]
    assert power_requests(sim) == 1
    record = list(csv.reader(io.StringIO(report.read_text(), newline='')))[1]
    assert record[1:4] == [payload(markers, 'event.citrix_daas.site'), payload(markers, 'event.citrix_daas.machine'),
                           machine], record
