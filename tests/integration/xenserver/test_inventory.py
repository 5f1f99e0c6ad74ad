"""The xenserver inventory plugin through the real ansible-inventory: hosts, VMs, addresses, groups,
constructed features, bulk reads counted by the simulator (500 and 5,000 VMs), the cache, several
pools, the master redirect and one-line errors."""

from tests.integration.xenserver.support import XEN_PASSWORD, calls

PLUGIN = 'opencitrix.automation.xenserver'
NETWORK = 'Pool-wide network associated with eth0'


def expected_addresses(xen, network_device='0'):
    """VM name -> the address its guest reports (on NIC 0), for ordinary VMs; None without one."""
    out = {}
    for rec in xen.db.all('VM').values():
        if rec['is_a_template'] or rec['is_a_snapshot'] or rec['is_control_domain']:
            continue
        metrics = xen.db.find('VM_guest_metrics', rec['guest_metrics'])
        out[rec['name_label']] = (metrics or {}).get('networks', {}).get('%s/ip' % network_device)
    return out


def test_hosts_vms_groups_addresses_and_a_cached_second_run(xen_sim, xen, xen_env, run_inventory, tmp_path):
    config = {
        'plugin': PLUGIN, 'preferred_network': NETWORK, 'other_config_groups': ['env'],
        'cache': True, 'cache_plugin': 'ansible.builtin.jsonfile', 'cache_connection': str(tmp_path / 'inventory-cache'),
        'cache_timeout': 3600,
        'compose': {'ansible_user': "'Administrator' if 'Windows' in (xenserver_os or '') else 'root'"},
        'groups': {'big_vms': 'xenserver_memory_mb is defined and xenserver_memory_mb >= 8192'},
        'keyed_groups': [{'key': 'xenserver_host', 'prefix': 'on', 'default_value': 'nowhere'}],
    }
    xen_sim.stats.reset()
    first = run_inventory(config, env=xen_env)
    assert first.parsed, first
    assert calls(xen_sim) == 8  # login, pool, host, VM, VM_guest_metrics, VIF, network, logout
    for cls in ('pool', 'host', 'VM_guest_metrics', 'VIF', 'network'):
        assert calls(xen_sim, '%s.get_all_records' % cls) == 1
    assert calls(xen_sim, 'VM.get_all_records_where') == 1 and xen.active_sessions() == {}

    assert first.group('xenserver_hosts') == ['xs-host-01', 'xs-host-02', 'xs-host-03']
    master = first.hostvars['xs-host-01']
    assert master['ansible_host'] == '127.0.0.1' and master['xenserver_is_master'] is True
    assert first.hostvars['xs-host-02']['ansible_host'] == '127.0.0.2'
    expected = expected_addresses(xen)
    assert len(expected) == 40 and first.group('xenserver_vms') == sorted(expected)
    hostvars = first.data['_meta']['hostvars']
    for name in ('web-template', 'Debian Bookworm 12', 'Control domain on host: xs-host-01', 'web-0005 before upgrade'):
        assert name not in hostvars
    running = [n for n in expected if xen.vm(n)['power_state'] == 'Running']
    for name in running:
        if expected[name]:
            assert hostvars[name]['ansible_host'] == expected[name], name
    assert first.group('xenserver_no_address') == sorted(n for n in expected if not expected[n])
    assert 'web-0010' in first.group('xenserver_no_address') and 'ansible_host' not in hostvars['web-0010']
    assert 'web-0020' in first.group('xenserver_power_halted')
    assert 'web-0005' in first.group('xenserver_power_running') and 'web-0005' in first.group('xenserver_tag_web')
    assert 'db-0012' in first.group('xenserver_other_config_env_prod')
    assert sorted(first.group('xenserver_pool_sim_pool')) == sorted(['xs-host-01', 'xs-host-02', 'xs-host-03'] + list(expected))
    assert 'app-0006' in first.group('xenserver_host_xs_host_01') and 'app-0006' in first.group('on_xs_host_01')
    assert 'web-0020' in first.group('on_nowhere')
    assert 'db-0012' in first.group('big_vms') and 'web-0005' not in first.group('big_vms')
    windows = [n for n in running if 'Windows' in (hostvars[n].get('xenserver_os') or '')]
    assert windows and all(hostvars[n]['ansible_user'] == 'Administrator' for n in windows)
    vars_ = hostvars['web-0005']
    assert vars_['xenserver_power_state'] == 'running' and vars_['xenserver_pool'] == 'sim-pool'
    assert vars_['xenserver_tags'] == ['dev', 'web'] and vars_['xenserver_vcpus'] == 2 and vars_['xenserver_memory_mb'] == 4096

    xen_sim.stats.reset()
    cached = run_inventory(config, env=xen_env, name='inv1.xenserver.yml')
    assert cached.parsed, cached
    assert calls(xen_sim) == 0 and xen_sim.stats.count() == 0
    assert cached.data == first.data


def test_the_cache_belongs_to_the_pool_user_and_password(make_pool, run_inventory, tmp_path):
    """One inventory file, cache on: pointed at another pool it reads that pool; with a wrong password it
    fails in one line; with another user it signs in again; never does it return the first pool's hosts."""
    alpha, beta = [make_pool(vms=4, pool_name=name, host_prefix=name, vm_prefix=name + '-') for name in ('alpha', 'beta')]
    config = {'plugin': PLUGIN, 'cache': True, 'cache_plugin': 'ansible.builtin.jsonfile',
              'cache_connection': str(tmp_path / 'inventory-cache'), 'cache_timeout': 3600}

    def env(sim, password=XEN_PASSWORD, user='root'):
        return {'XENSERVER_HOST': sim.service('xenserver').url, 'XENSERVER_USER': user, 'XENSERVER_PASSWORD': password,
                'XENSERVER_CA_PATH': sim.ca_path}

    def run(sim, **kwargs):
        alpha.stats.reset()
        beta.stats.reset()
        return run_inventory(config, env=env(sim, **kwargs), name='pool.xenserver.yml')

    first = run(alpha)
    assert first.parsed and first.group('xenserver_hosts') == ['alpha-01', 'alpha-02', 'alpha-03'], first
    assert calls(alpha, 'session.login_with_password') == 1

    other_pool = run(beta)
    assert other_pool.parsed, other_pool
    assert other_pool.group('xenserver_hosts') == ['beta-01', 'beta-02', 'beta-03']
    assert not [h for h in other_pool.hostvars if h.startswith('alpha')]
    assert calls(beta, 'session.login_with_password') == 1 and calls(alpha) == 0

    wrong = run(alpha, password='Wrong-cache-pass-9')
    assert not wrong.parsed and not (wrong.data or {}).get('xenserver_hosts'), wrong
    assert 'SESSION_AUTHENTICATION_FAILED: the user name or password was rejected' in wrong.stderr
    assert 'Traceback' not in wrong.output and 'Wrong-cache-pass-9' not in wrong.output
    assert calls(alpha, 'session.login_with_password') == 1

    other_user = run(alpha, user='pool-operator')
    assert not other_user.parsed and calls(alpha, 'session.login_with_password') == 1

    cached = run(alpha)
    assert cached.parsed and cached.data == first.data
    assert calls(alpha) == 0 and calls(beta) == 0
    for path in (tmp_path / 'inventory-cache').iterdir():
        assert XEN_PASSWORD not in path.name and XEN_PASSWORD not in path.read_text()


def test_a_constant_number_of_calls_at_500_and_5000_vms(make_pool, run_inventory):
    counts, sizes = {}, {}
    for size in (500, 5000):
        sim = make_pool(time_scale=1, vms=size)
        xen = sim.service('xenserver')
        env = {'XENSERVER_HOST': xen.url, 'XENSERVER_PASSWORD': XEN_PASSWORD, 'XENSERVER_CA_PATH': sim.ca_path}
        run = run_inventory({'plugin': PLUGIN, 'preferred_network': NETWORK, 'include_hosts': False}, env=env)
        assert run.parsed, run
        counts[size] = dict(sim.stats.snapshot()['routes'])
        sizes[size] = len(run.group('xenserver_vms'))
        expected = expected_addresses(xen)
        hostvars = run.data['_meta']['hostvars']
        assert all(hostvars[n].get('ansible_host') == a for n, a in expected.items() if a)
        assert xen.active_sessions() == {}
    assert sizes == {500: 500, 5000: 5000}
    assert counts[500] == counts[5000]
    assert sum(n for route, n in counts[5000].items() if route.startswith('xenserver.')) == 8


def test_several_pools_and_a_pool_member_as_hostname(make_pool, run_inventory):
    sims = [make_pool(vms=5, pool_name=name, host_prefix=name, vm_prefix=name + '-') for name in ('alpha', 'beta')]
    pools = [{'hostname': sims[0].service('xenserver').member_url(2), 'ca_path': sims[0].ca_path},
             {'hostname': sims[1].service('xenserver').url, 'ca_path': sims[1].ca_path, 'password': XEN_PASSWORD}]
    run = run_inventory({'plugin': PLUGIN, 'pools': pools}, env={'XENSERVER_PASSWORD': XEN_PASSWORD})
    assert run.parsed, run
    assert run.group('xenserver_hosts') == ['alpha-01', 'alpha-02', 'alpha-03', 'beta-01', 'beta-02', 'beta-03']
    assert 'alpha-web-0005' in run.group('xenserver_pool_alpha') and 'beta-web-0005' in run.group('xenserver_pool_beta')
    assert len(run.group('xenserver_vms')) == 10
    alpha = sims[0].service('xenserver')
    assert alpha.calls_by_listener[('xenserver-member2', 'session.login_with_password')] == 1
    assert alpha.calls_by_listener[('xenserver-master', 'session.login_with_password')] == 1
    assert all(s.service('xenserver').active_sessions() == {} for s in sims)


def test_templates_and_snapshots_only_when_asked_and_vms_by_uuid(xen_sim, xen, xen_env, run_inventory):
    run = run_inventory({'plugin': PLUGIN, 'include_templates': True, 'include_snapshots': True, 'include_hosts': False,
                         'vm_hostname': 'uuid'}, env=xen_env)
    assert run.parsed, run
    names = {v['xenserver_name'] for v in run.data['_meta']['hostvars'].values()}
    assert {'web-template', 'Debian Bookworm 12', 'web-0005 before upgrade', 'web-0005'} <= names
    assert not any(n.startswith('Control domain') for n in names)
    uuid = xen.vm('web-0005')['uuid']
    assert run.hostvars[uuid]['xenserver_name'] == 'web-0005'


def test_errors_are_one_line_and_secrets_stay_hidden(xen_sim, xen, xen_env, run_inventory):
    failed = run_inventory({'plugin': PLUGIN}, env=dict(xen_env, XENSERVER_PASSWORD='Wrong-inv-pass-5'))
    assert 'SESSION_AUTHENTICATION_FAILED: the user name or password was rejected' in failed.stderr
    assert 'check username and password (XENSERVER_USER / XENSERVER_PASSWORD)' in failed.stderr
    assert 'Traceback' not in failed.output and 'Wrong-inv-pass-5' not in failed.output
    assert not failed.data or not failed.data.get('xenserver_hosts')

    verbose = run_inventory({'plugin': PLUGIN}, env=xen_env, verbosity=4)
    assert verbose.parsed, verbose
    for secret in [XEN_PASSWORD] + xen.issued_sessions:
        assert secret not in verbose.output
    assert xen.active_sessions() == {}
