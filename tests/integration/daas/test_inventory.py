"""The citrix_daas inventory plugin through real ansible-inventory (and ansible-playbook) runs."""

from tests.integration.conftest import CLIENT_SECRET
from tests.integration.daas.support import ONPREM_PASSWORD, cloud_env_for, onprem_env, run_inventory

PLUGIN = 'opencitrix.automation.citrix_daas'
HOST_VARIABLES = {
    'citrix_id', 'citrix_name', 'citrix_dns_name', 'citrix_ip_address', 'citrix_catalog', 'citrix_catalog_id',
    'citrix_delivery_group', 'citrix_delivery_group_id', 'citrix_zone', 'citrix_power_state',
    'citrix_power_action_pending', 'citrix_supported_power_actions', 'citrix_session_count',
    'citrix_in_maintenance_mode', 'citrix_registration_state', 'citrix_summary_state', 'citrix_session_support',
    'citrix_os_type', 'citrix_machine_type', 'citrix_allocation_type', 'citrix_tags', 'citrix_site', 'citrix_site_id',
    'ansible_host'}


def machines(sim, site=None):
    """The simulator's machines as the API shows them."""
    daas = sim.service('daas')
    return [daas.machine(machine_id, site=site) for machine_id in daas.machines_of(site=site)]


def test_ten_thousand_machines_in_ten_list_requests(make_sim, tmp_path):
    sim = make_sim(size=10000)
    daas = sim.service('daas')
    ids = daas.machines_of()
    ring1, gpu = ids[::10], ids[5:2000]  # 1,000 and 1,995 machines; some carry both tags
    daas.tag_objects('Patch Ring 1', machines=ring1)
    daas.tag_objects('GPU', machines=gpu)
    run = run_inventory(tmp_path, {'plugin': PLUGIN}, sim.client_env())
    assert run.rc == 0, run
    assert sim.stats.count(route='daas.machines.list') == 10
    assert sim.stats.count(route='cloud.token') == 1 and sim.stats.count(route='daas.me') == 1
    assert sim.stats.count() == 12
    expected = machines(sim)
    assert len(run.hostvars) == 10000
    first = expected[0]
    host = run.hostvars[first['DnsName']]
    assert set(host) == HOST_VARIABLES
    assert host['citrix_name'] == first['Name'] and host['ansible_host'] == first['DnsName']
    assert host['citrix_catalog'] == first['MachineCatalog']['Name'] and host['citrix_site'] == 'cloudxdsite'
    assert host['citrix_session_count'] == first['SessionCount']
    assert len(run.group('citrix_daas')) == 10000
    off = sorted(m['DnsName'] for m in expected if m['PowerState'] == 'Off')
    assert off and sorted(run.group('citrix_power_state_off')) == off
    assert len(run.group('citrix_catalog_win11_pooled')) == 4000
    assert len(run.group('citrix_delivery_group_published_apps')) == 2500
    assert len(run.group('citrix_registration_state_registered')) == sum(
        1 for m in expected if m['RegistrationState'] == 'Registered')
    assert len(run.group('citrix_site_cloudxdsite')) == 10000
    # Tags come with the listing: groups per tag, no request of their own.
    dns = dict((m['Id'], m['DnsName']) for m in expected)
    assert run.group('citrix_tag_patch_ring_1') == sorted(dns[i] for i in ring1)
    assert run.group('citrix_tag_gpu') == sorted(dns[i] for i in gpu)
    assert run.hostvars[dns[ids[10]]]['citrix_tags'] == ['GPU', 'Patch Ring 1']
    assert sim.stats.count(route='daas.tag*') == 0 and sim.stats.count(route='daas.machine_tags.*') == 0


def test_cache_answers_reruns_and_new_keyed_groups_without_requests(make_sim, tmp_path):
    sim = make_sim(size=1000)
    config = {'plugin': PLUGIN, 'cache': True, 'cache_plugin': 'ansible.builtin.jsonfile',
              'cache_connection': str(tmp_path / 'inventory-cache'), 'cache_timeout': 3600}
    env = sim.client_env()
    first = run_inventory(tmp_path, config, env)
    assert first.rc == 0, first
    assert sim.stats.count() == 3  # token, /me, one page
    sim.reset()
    again = run_inventory(tmp_path, config, env)
    assert again.rc == 0, again
    assert again.inventory == first.inventory
    config['keyed_groups'] = [{'key': 'citrix_os_type', 'prefix': 'os'}]
    config['compose'] = {'idle': 'citrix_session_count == 0'}
    regrouped = run_inventory(tmp_path, config, env)
    assert regrouped.rc == 0, regrouped
    assert sim.stats.count() == 0
    assert len(regrouped.group('os_Windows_2022')) == 250
    assert sum(1 for h in regrouped.hostvars.values() if h['idle']) == sum(
        1 for m in machines(sim) if m['SessionCount'] == 0)
    config['catalogs'] = ['Lab-Physical']  # a different source: read again
    narrowed = run_inventory(tmp_path, config, env)
    assert narrowed.rc == 0, narrowed
    assert sim.stats.count(route='daas.catalog_machines.list') == 1
    assert len(narrowed.hostvars) == 50


def test_several_sites_catalogs_filters_and_hostnames(make_sim, tmp_path):
    sim = make_sim(size=400, config={'daas': {'sites': ['emea-site', 'amer-site']}})
    config = {'plugin': PLUGIN, 'sites': ['emea-site', 'AMER-SITE'], 'catalogs': ['Win11-Pooled', 'Finance-Static'],
              'delivery_groups': ['Win11 Desktops'], 'exclude_filters': ['citrix_in_maintenance_mode'],
              'filters': ["citrix_power_state in ['On', 'Off']"], 'ansible_host_source': 'ip_address'}
    run = run_inventory(tmp_path, config, sim.client_env())
    assert run.rc == 0, run
    assert sim.stats.count(route='daas.me') == 1
    assert sim.stats.count(route='daas.catalog_machines.list') == 4  # two catalogs in each of two sites
    wanted = {}
    for site in ('emea-site', 'amer-site'):
        for machine in machines(sim, site):
            if ((machine['DeliveryGroup'] or {}).get('Name') == 'Win11 Desktops' and not machine['InMaintenanceMode']
                    and machine['PowerState'] in ('On', 'Off')):
                wanted[machine['DnsName']] = (site, machine)
    assert wanted and set(run.hostvars) == set(wanted)
    for name, (site, machine) in wanted.items():
        assert run.hostvars[name]['citrix_site'] == site
        assert run.hostvars[name]['ansible_host'] == (machine['IPAddress'] or machine['DnsName'])
    assert set(run.group('citrix_site_amer_site')) == {n for n, (s, _m) in wanted.items() if s == 'amer-site'}

    # Names without their domain repeat across the two sites: the first site's machine keeps the name.
    short = run_inventory(tmp_path, dict(config, hostnames=['short_name']), sim.client_env())
    assert short.rc == 0, short
    emea = {m['DnsName'] for n, (s, m) in wanted.items() if s == 'emea-site'}
    assert {h['citrix_dns_name'] for h in short.hostvars.values()} >= emea
    assert 'are both named W11P-00001; keeping the first' in ' '.join(short.output.split())


def test_bad_configurations_fail_in_one_line_before_any_request(make_sim, tmp_path):
    sim = make_sim(config={'daas': {'sites': ['emea-site', 'amer-site']}})
    env = cloud_env_for(sim)
    unknown = run_inventory(tmp_path, {'plugin': PLUGIN, 'site': 'emea-site'}, env)
    assert 'unknown option site (valid options: ' in unknown.output
    no_secret = dict(env)
    del no_secret['CITRIX_CLIENT_SECRET']
    missing = run_inventory(tmp_path, {'plugin': PLUGIN}, no_secret)
    assert 'missing client_secret; set CITRIX_CLIENT_SECRET in the environment (or in the file)' in missing.output
    assert sim.stats.count() == 0
    wrong_site = run_inventory(tmp_path, {'plugin': PLUGIN, 'sites': ['apac-site']}, env, args=['-vvvv'])
    assert 'Unknown site apac-site; sites available: amer-site, emea-site' in wrong_site.output
    assert sim.stats.count(route='daas.*machines*') == 0
    for run in (unknown, missing, wrong_site):
        assert not run.inventory or not run.inventory['_meta']['hostvars']
        assert 'Traceback' not in run.output and CLIENT_SECRET not in run.output
        assert not any(token in run.output for token in sim.service('cloud').tokens)


def test_playbook_powers_on_the_power_state_off_group(make_sim, tmp_path, run_playbook):
    sim = make_sim(size=200, time_scale=50)
    config = tmp_path / 'estate.citrix_daas.yml'
    config.write_text('plugin: %s\n' % PLUGIN)
    off = [m for m in machines(sim) if m['PowerState'] == 'Off']
    startable = sorted(m['Id'] for m in off if not m['PowerActionPending'])
    play = [{'name': 'power on what is off', 'hosts': 'citrix_power_state_off', 'gather_facts': False, 'tasks': [
        {'name': 'start', 'run_once': True, 'delegate_to': 'localhost',
         'vars': {'ansible_python_interpreter': '{{ ansible_playbook_python }}'},
         'opencitrix.automation.citrix_daas_machine_power': {
             'machine_ids': "{{ ansible_play_hosts | map('extract', hostvars, 'citrix_id') | list }}",
             'state': 'started', 'concurrency': 16}}]}]
    run = run_playbook(play, env=sim.client_env(), inventory=str(config))
    assert run.rc == 0, run
    assert sorted(e['machine_id'] for e in sim.service('daas').power_log) == startable
    result = run.task('start')['result']
    assert result['counts']['changed'] == len(startable) and result['counts']['targeted'] == len(off)
    assert {sim.service('daas').machine(m)['PowerState'] for m in startable} == {'On'}


def test_on_premises_site(make_sim, tmp_path):
    sim = make_sim(size=120)
    run = run_inventory(tmp_path, {'plugin': PLUGIN, 'delivery_groups': ['Developers']}, onprem_env(sim),
                        args=['-vvvv'])
    assert run.rc == 0, run
    assert sim.stats.count(route='daas.onprem.token') == 1 and sim.stats.count(route='cloud.*') == 0
    assert sim.stats.count(route='daas.group_machines.list') == 1
    developers = [m for m in machines(sim) if (m['DeliveryGroup'] or {}).get('Name') == 'Developers']
    assert sorted(run.hostvars) == sorted(m['DnsName'] for m in developers)
    assert ONPREM_PASSWORD not in run.output
    assert not any(token in run.output for token in sim.service('daas').onprem_tokens)
