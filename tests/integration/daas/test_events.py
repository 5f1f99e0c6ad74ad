"""The ``citrix_daas_machines`` event source against the simulated DaaS site: exactly one event per real
change over ten polls of 1,000 machines (the simulator's own state is the reference), one token and one
listing per poll that asks only for the watched fields, the plugin driven as ansible-rulebook drives it,
skipped polls on transient failures, one-line errors and no secret in any log line."""

import asyncio
import json
import os

import pytest

from ansible_collections.opencitrix.automation.plugins.module_utils import errors
from ansible_collections.opencitrix.automation.plugins.module_utils.daas.client import DaasClient
from ansible_collections.opencitrix.automation.plugins.module_utils.daas.machines import Machines
from ansible_collections.opencitrix.automation.plugins.module_utils.daas.sessions import Sessions
from ansible_collections.opencitrix.automation.plugins.plugin_utils.daas_machine_watch import MachineWatch
from tests.integration.conftest import CLIENT_ID, CLIENT_SECRET, CUSTOMER_ID
from tests.harness import ROOT
from tests.integration.daas.support import FAST_CLOCK, cloud_client, cloud_env_for, power_requests
from tests.integration.eda_support import RunningSource, captured_logs, until

WATCHED = ('power_state', 'registration_state', 'maintenance_mode', 'has_sessions')


def source_args(sim, **extra):
    """The event source's options for the distinctive API client of conftest (not the simulator's default
    client, which the tests use to act on the site)."""
    sim.service('cloud').add_client(CLIENT_ID, CLIENT_SECRET, CUSTOMER_ID)
    args = dict(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, customer_id=CUSTOMER_ID, api_url=sim.url,
                ca_path=sim.ca_path, token_cache=False, retries=0)
    args.update(extra)
    return args


def site_state(daas):
    """The watched state of every machine, read from the simulator itself (the reference)."""
    state = {}
    for machine_id in daas.machines_of():
        machine = daas.machine(machine_id)
        count = machine['SessionCount']
        state[machine_id] = {'power_state': machine['PowerState'], 'registration_state': machine['RegistrationState'],
                             'maintenance_mode': machine['InMaintenanceMode'],
                             'has_sessions': None if count is None else count > 0}
    return state


def real_changes(before, after):
    return dict((machine_id, dict((key, (before[machine_id][key], value)) for key, value in now.items()
                                  if before[machine_id][key] != value))
                for machine_id, now in after.items() if now != before[machine_id])


def reported(events):
    assert all(e['citrix_daas']['operation'] == 'mod' for e in events)
    ids = [e['citrix_daas']['id'] for e in events]
    assert len(ids) == len(set(ids)), 'a machine was reported twice in one poll'
    return dict((e['citrix_daas']['id'], dict((k, (v['before'], v['after'])) for k, v in e['citrix_daas']['changes'].items()))
                for e in events)


def test_exactly_one_event_per_real_change_over_ten_polls_of_1000_machines(make_sim):
    sim = make_sim(size=1000, time_scale=0, services=['cloud', 'daas'])   # frozen clock: changes happen when told
    daas = sim.service('daas')
    operator = cloud_client(sim)          # the test acts on the site through the API as another client
    operator.site()
    listed = []
    params = dict(source_args(sim), token_cache=False)
    client = DaasClient.from_params(params)
    client.http.session.hooks['response'].append(lambda response, *args, **kwargs: listed.append(response.request.url))
    watch = MachineWatch(client)
    counts = dict((route, sim.stats.count(route=route)) for route in ('cloud.token', 'daas.me', 'daas.machines.list'))

    state = site_state(daas)
    on = [m for m, s in state.items() if s['power_state'] == 'On' and s['registration_state'] == 'Registered'
          and not s['maintenance_mode'] and 'Shutdown' in daas.machine(m)['SupportedPowerActions']]
    idle = [m for m in on if state[m]['has_sessions'] is False]
    busy = [m for m in on if state[m]['has_sessions']]

    def add_sessions(machines, count=1):
        for machine in machines:
            for _n in range(count):
                daas.add_session(machine)

    def log_off_all(machine):
        sessions = Sessions(operator)
        for session in sessions.of_machine(machine):
            sessions.log_off(session['Id'])

    def flip_and_back(machine):
        daas.update_machine(machine, InMaintenanceMode=True)
        daas.update_machine(machine, InMaintenanceMode=False)

    rounds = [
        ('unregister three machines', lambda: [daas.update_machine(m, RegistrationState='Unregistered') for m in on[:3]], 3),
        ('sessions on two idle and two busy machines', lambda: (add_sessions(idle[:2]), add_sessions(busy[:2])), 2),
        ('maintenance mode on for two', lambda: [daas.update_machine(m, InMaintenanceMode=True) for m in on[3:5]], 2),
        ('a shutdown through the API', lambda: Machines(operator).power_action(idle[2], 'shutdown'), 1),
        ('time passes: the shutdown and the seeded boots finish', lambda: sim.clock.advance(700), None),
        ('nothing happens', lambda: None, 0),
        ('a change undone before the next poll', lambda: flip_and_back(on[6]), 0),
        ('more sessions on a busy machine, all sessions of another logged off',
         lambda: (add_sessions(busy[2:3], 2), log_off_all(busy[3])), 1),
        ('maintenance mode off again', lambda: [daas.update_machine(m, InMaintenanceMode=False) for m in on[3:5]], 2),
    ]
    assert watch.poll() == []  # poll 1: the baseline
    total = 0
    for label, act, expected_count in rounds:
        before = site_state(daas)
        act()
        truth = real_changes(before, site_state(daas))
        events = watch.poll()
        assert reported(events) == truth, label
        if expected_count is not None:
            assert len(events) == expected_count, label
        else:
            assert idle[2] in truth and truth[idle[2]]['power_state'] == ('TurningOff', 'Off'), label
        total += len(events)
        assert all(set(e['citrix_daas']['state']) == set(WATCHED) | {'session_count'} for e in events)
        json.dumps(events)

    assert watch.polls == 10 and total >= 12
    delta = dict((route, sim.stats.count(route=route) - n) for route, n in counts.items())
    assert delta == {'cloud.token': 1, 'daas.me': 1, 'daas.machines.list': 10}, delta
    lists = [url for url in listed if '/Machines?' in url]
    assert len(lists) == 10 and all('limit=1000' in url for url in lists)
    assert all('fields=Id%2CName%2CPowerState%2CRegistrationState%2CInMaintenanceMode%2CSessionCount' in url
               for url in lists), lists[0]
    print('EDA daas: %d events over 10 polls of 1,000 machines; requests %s' % (total, delta))


def test_session_count_scope_and_name_filters(make_sim):
    sim = make_sim(size=200, time_scale=0, services=['cloud', 'daas'])
    daas = sim.service('daas')
    lab = daas.add_catalog('EDA-Lab', 6, delivery_group='EDA Desktops', session_support='MultiSession')
    daas.add_catalog('EDA-Other', 3, delivery_group='EDA Desktops')
    client = DaasClient.from_params(source_args(sim))
    watch = MachineWatch(client, watch=['session_count'], catalog='EDA-Lab', delivery_group='EDA Desktops',
                         names=['edalab-0000[12]'])
    assert watch.fields == ('Id', 'Name', 'SessionCount', 'DeliveryGroup')
    assert watch.poll() == []
    first, second, third = lab['machine_ids'][:3]
    daas.add_session(first)
    daas.add_session(first)
    daas.add_session(third)  # not matched by the names
    events = watch.poll()
    assert [(e['citrix_daas']['id'], e['citrix_daas']['changes']) for e in events] == [
        (first, {'session_count': {'before': 0, 'after': 2}})]
    daas.add_session(first)
    daas.add_session(second)
    assert sorted(e['citrix_daas']['changes']['session_count']['after'] for e in watch.poll()) == [1, 3]
    assert sim.stats.count(route='daas.catalog_machines.list') == 3 and sim.stats.count(route='daas.machines.list') == 0


def test_transient_failures_skip_polls_and_changes_meanwhile_are_reported_once(make_sim):
    sim = make_sim(size=100, time_scale=0, services=['cloud', 'daas'])
    daas = sim.service('daas')
    logged = []
    watch = MachineWatch(DaasClient.from_params(source_args(sim)), max_failed_polls=3, log=logged.append)
    assert watch.poll() == []
    machine = daas.machines_of()[0]
    sim.faults.add(route='daas.machines.list', status=503, times=2,
                   body={'ErrorType': 'ServiceUnavailable', 'ErrorMessage': 'busy'})
    daas.update_machine(machine, InMaintenanceMode=not daas.machine(machine)['InMaintenanceMode'])
    assert watch.poll() == [] and watch.poll() == []
    assert len(logged) == 2 and all('skipped' in line and '503' in line for line in logged)
    assert [e['citrix_daas']['id'] for e in watch.poll()] == [machine]  # once, after the outage
    sim.faults.add(route='daas.machines.list', status=503, times=-1)
    assert watch.poll() == [] and watch.poll() == []
    with pytest.raises(errors.TransportError) as failure:
        watch.poll()
    assert '3 polls of the DaaS machines failed in a row' in str(failure.value) and '\n' not in str(failure.value)


def test_the_source_plugin_emits_reuses_one_token_and_stops_cleanly(make_sim):
    sim = make_sim(size=100, services=['cloud', 'daas'])
    daas = sim.service('daas')
    machine = next(m for m in daas.machines_of() if daas.machine(m)['RegistrationState'] == 'Registered'
                   and daas.machine(m)['PowerState'] == 'On')

    async def scenario():
        async with RunningSource('citrix_daas_machines', source_args(sim, interval=0.2)) as source:
            await until(lambda: sim.stats.count(route='daas.machines.list') >= 2, source=source, what='two polls')
            daas.update_machine(machine, RegistrationState='Unregistered')
            event = await source.next(timeout=3)
            polls = sim.stats.count(route='daas.machines.list')
            await until(lambda: sim.stats.count(route='daas.machines.list') >= polls + 3, source=source, what='polls')
        stopped_at = sim.stats.count(route='daas.machines.list')
        await asyncio.sleep(0.5)
        return event, stopped_at

    with captured_logs() as lines:
        event, stopped_at = asyncio.run(scenario())
    body = event['citrix_daas']
    assert (body['operation'], body['id'], body['changes']) == (
        'mod', machine, {'registration_state': {'before': 'Registered', 'after': 'Unregistered'}})
    assert body['state']['power_state'] == 'On' and body['site'] == 'cloudxdsite' and body['machine'].startswith('SIMLAB\\')
    assert sim.stats.count(route='daas.machines.list') == stopped_at  # no poll after cancel
    assert sim.stats.count(route='cloud.token') == 1
    text = '\n'.join(lines)
    assert 'GET' in text  # the transport's debug lines were captured
    assert CLIENT_SECRET not in text and not [t for t in sim.service('cloud').tokens if t in text]


def test_errors_are_one_line_without_secrets(make_sim):
    sim = make_sim(size=20, services=['cloud', 'daas'])

    async def outcome(args):
        source = RunningSource('citrix_daas_machines', args)
        async with source:
            await asyncio.wait([source.task], timeout=10)
            assert source.task.done()
            return source.task.exception()

    wrong = asyncio.run(outcome(dict(source_args(sim), client_secret='wrong-' + CLIENT_SECRET)))
    bad_watch = asyncio.run(outcome(source_args(sim, watch=['power', 'has_sessions'])))
    bad_interval = asyncio.run(outcome(source_args(sim, interval=0)))
    unknown_catalog = asyncio.run(outcome(source_args(sim, catalog='No-Such-Catalog')))
    assert isinstance(wrong, errors.AuthenticationError) and 'invalid_client' in str(wrong)
    assert isinstance(bad_watch, errors.InputError) and 'watch' in str(bad_watch)
    assert isinstance(bad_interval, errors.InputError) and 'interval' in str(bad_interval)
    assert isinstance(unknown_catalog, errors.NotFoundError) and 'UnknownCatalog' in str(unknown_catalog)
    for error in (wrong, bad_watch, bad_interval, unknown_catalog):
        assert '\n' not in str(error) and CLIENT_SECRET not in str(error)


def test_the_rulebook_playbook_reports_and_restarts_the_machine_the_source_reported(make_sim, run_playbook, tmp_path):
    sim = make_sim(size=100, time_scale=FAST_CLOCK, services=['cloud', 'daas'])
    daas = sim.service('daas')
    machine = next(m for m in daas.machines_of() if daas.machine(m)['PowerState'] == 'On'
                   and daas.machine(m)['RegistrationState'] == 'Registered' and not daas.machine(m)['PowerActionPending']
                   and 'Restart' in daas.machine(m)['SupportedPowerActions'])
    watch = MachineWatch(DaasClient.from_params(source_args(sim)), watch=['registration_state', 'power_state'])
    watch.poll()
    daas.update_machine(machine, RegistrationState='Unregistered')
    [event] = watch.poll()
    body = event['citrix_daas']
    # What the rule of extensions/eda/rulebooks/daas_unregistered_machine.yml tests:
    assert body['changes']['registration_state']['after'] == 'Unregistered' and body['state']['power_state'] == 'On'
    with open(os.path.join(ROOT, 'playbooks', 'eda_reboot_unregistered_machine.yml')) as handle:
        playbook = handle.read()
    report = tmp_path / 'reports' / 'unregistered.csv'
    extra = {'ansible_eda': {'event': event}, 'daas_unregistered_report': str(report)}
    env = cloud_env_for(sim)

    check = run_playbook(playbook, env=env, extra_vars=extra, check=True)
    assert check.rc == 0, check
    assert power_requests(sim) == 0 and not report.exists()

    run = run_playbook(playbook, env=env, extra_vars=extra, verbosity=4)
    assert run.rc == 0, run
    assert [(entry['machine_id'], entry['action']) for entry in daas.power_log] == [(machine, 'reboot')]
    lines = report.read_text().splitlines()
    assert lines[0].startswith('time,site,machine,id,') and len(lines) == 2
    assert lines[1].split(',')[1:] == ['cloudxdsite', body['machine'], machine, 'Registered', 'Unregistered', 'On',
                                       str(body['state'].get('session_count', ''))]
    assert '; restart: changed' in run.output
    assert CLIENT_SECRET not in run.output and not [t for t in sim.service('cloud').tokens if t in run.output]
