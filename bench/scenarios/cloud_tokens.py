"""One Citrix Cloud token for a whole playbook run, however many tasks and forks."""

from bench.common import Metric, timed

NAME = 'cloud_tokens'
DESCRIPTION = 'Cloud tokens for a playbook of N tasks x 8 forks (shared cache vs token_cache: false)'
MODULE = 'opencitrix.automation.citrix_cloud_service_info'


def play(tasks, token_cache):
    return [{'name': 'tokens', 'hosts': 'targets', 'gather_facts': False, 'tasks': [
        {'name': 'query %d' % i, MODULE: {'name': 'wem', 'token_cache': token_cache}} for i in range(tasks)]}]


def run(ctx):
    tasks = ctx.size(4, 50)
    hosts = ['h%d' % i for i in range(8)]
    sim = ctx.simulator()
    env = sim.client_env()
    runner = ctx.runner(NAME)

    result, seconds = timed(runner.run, play(tasks, True), env=env, hosts=hosts, forks=8)
    assert result.rc == 0, result
    shared = sim.stats.count(route='cloud.token')
    sim.reset()
    baseline, baseline_seconds = timed(runner.run, play(tasks, False), env=env, hosts=hosts, forks=8)
    assert baseline.rc == 0, baseline
    per_task = sim.stats.count(route='cloud.token')
    runs = tasks * len(hosts)
    return [
        Metric(NAME, 'token requests (%d tasks x 8 forks)' % tasks, shared, 'req', baseline=per_task, bound=1),
        Metric(NAME, 'wall time', round(seconds, 2), 's', baseline=round(baseline_seconds, 2),
               note='%d module runs' % runs),
    ]
