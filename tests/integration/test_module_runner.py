from tests.module_runner import run_module


def test_runs_a_module_in_process_against_the_simulator(sim, sim_env, tmp_path, monkeypatch):
    monkeypatch.setenv('XDG_CACHE_HOME', str(tmp_path))
    result = run_module('citrix_cloud_service_info', {'name': ['wem']}, env=sim_env)
    assert result.get('failed') is not True, result
    assert result['names'] == ['wem']
    failed = run_module('citrix_cloud_service_info', {}, env=dict(sim_env, CITRIX_CLIENT_SECRET='wrong-one'))
    assert failed['failed'] is True and 'invalid_client' in failed['msg']
    assert sim.stats.count(route='cloud.service_states') == 1


def test_warnings_reach_the_result_once_even_after_controller_code_ran_in_this_process(make_sim, tmp_path,
                                                                                       monkeypatch):
    from ansible.module_utils import _internal
    monkeypatch.setenv('XDG_CACHE_HOME', str(tmp_path))
    monkeypatch.setattr(_internal, 'is_controller', True)  # as after an in-process inventory plugin run
    sim = make_sim(size=20)
    sim.service('storefront').enumeration = 'partial'
    env = sim.service('storefront').client_env()
    first = run_module('storefront_resource_info', env=env)
    second = run_module('storefront_resource_info', env=env)
    for result in (first, second):
        assert len([w for w in result.get('warnings', []) if 'enumeration is partial' in str(w)]) == 1, result
    assert _internal.is_controller is True
