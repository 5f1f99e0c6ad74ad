from tests.module_runner import run_module
def test_smoke(make_sim, simulator_waits):
    sim = make_sim(services=['storefront'])
    simulator_waits(sim)
    env = sim.client_env()
    res = sim.service('storefront').resources
    names = [r['id'] for r in res if r['status'] == 'subscribed'][:8] + ['Farm1.Windows 11 Desktop 30', 'nope']
    r = run_module('storefront_launch_check', {'resources': names}, env=env, check_mode=True)
    print(r.get('msg'), r['counts'], r['timings'], sim.stats.count(route='storefront.launch'))
    r = run_module('storefront_launch_check', {'resources': names}, env=env)
    print(r.get('msg'), r['counts'], r['timings'], r['changed'])
    for l in r['launches'][:3] + [x for x in r['launches'] if x['outcome']=='changed']: print(l)
    print(sim.stats.writes(), sim.service('storefront').issued_tickets[:2])
    r = run_module('storefront_subscription', {'resources': ['Farm2.Microsoft Word 1', names[0], 'Controller.Notepad'], 'state': 'unsubscribed'}, env=env, diff=True)
    print(r.get('msg'), r['counts'], r.get('diff'))
    assert 0
