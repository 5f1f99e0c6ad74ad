from tests.module_runner import run_module


def test_runs_a_module_in_process_against_the_simulator(sim, sim_env, tmp_path, monkeypatch):
    monkeypatch.setenv('XDG_CACHE_HOME', str(tmp_path))
    result = run_module('citrix_cloud_service_info', {'name': ['wem']}, env=sim_env)
    assert result.get('failed') is not True, result
    assert result['names'] == ['wem']
    failed = run_module('citrix_cloud_service_info', {}, env=dict(sim_env, CITRIX_CLIENT_SECRET='wrong-one'))
    assert failed['failed'] is True and 'invalid_client' in failed['msg']
    assert sim.stats.count(route='cloud.service_states') == 1
