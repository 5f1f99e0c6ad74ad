"""What a module costs on top of ansible-playbook itself."""

from bench.common import Metric, median_time

NAME = 'playbook_overhead'
DESCRIPTION = 'ansible-playbook with a no-op task vs the same play with one info module'


def run(ctx):
    sim = ctx.simulator()
    env = sim.client_env()
    runner = ctx.runner(NAME)
    noop = [{'name': 'noop', 'hosts': 'targets', 'gather_facts': False,
             'tasks': [{'name': 'nothing', 'ansible.builtin.meta': 'noop'}]}]
    info = [{'name': 'info', 'hosts': 'targets', 'gather_facts': False,
             'tasks': [{'name': 'services', 'opencitrix.automation.citrix_cloud_service_info': {}}]}]
    repeat = ctx.size(2, 5)

    def play(plays):
        def go():
            result = runner.run(plays, env=env)
            assert result.rc == 0, result
        return go

    noop_time = median_time(play(noop), repeat)
    sim.reset()
    info_time = median_time(play(info), repeat)
    requests = sim.stats.count(route='cloud.service_states') / float(repeat)
    return [
        Metric(NAME, 'no-op playbook', round(noop_time, 2), 's'),
        Metric(NAME, 'playbook + citrix_cloud_service_info', round(info_time, 2), 's', baseline=round(noop_time, 2),
               note='ratio < 1: the module adds %.2fs' % (info_time - noop_time)),
        Metric(NAME, 'API reads per info task', requests, 'req', bound=1),
    ]
