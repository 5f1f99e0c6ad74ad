"""A DaaS listing that hands out a new continuation token with every page, forever, with the same items
(the simulator's ``endless_paging``): citrix_daas_machine_info (ansible-playbook) and the citrix_daas
inventory (ansible-inventory) give up after a few page requests with one line naming the listing."""

from tests.integration.daas.support import run_inventory, task_play

CATALOG_LISTING = 'daas.catalog_machines.list'
MOST_PAGES = 5


def endless_site(make_sim):
    sim = make_sim(size=20)
    daas = sim.service('daas')
    daas.add_catalog('Endless', 1100)  # more than one page of 1000
    daas.endless_paging = True
    return sim


def assert_gave_up(sim, text):
    pages = sim.stats.count(route=CATALOG_LISTING)
    assert 2 <= pages <= MOST_PAGES, '%d page requests' % pages
    assert sim.service('daas').endless_tokens == pages
    assert 'Could not list the machines of catalog "Endless": paging did not advance' in text
    assert 'pages in a row brought no new item, yet the server offered another page' in text


def test_machine_info_gives_up_in_one_line(make_sim, run_playbook):
    sim = endless_site(make_sim)
    run = run_playbook(task_play('citrix_daas_machine_info', {'catalog': 'Endless'}, name='machines'),
                       env=sim.client_env())
    assert run.rc != 0
    task = run.task('machines')
    assert task['status'] == 'failed'
    msg = task['result']['msg']
    assert '\n' not in msg and 'Traceback' not in run.output
    assert_gave_up(sim, msg)
    assert sim.stats.count() <= MOST_PAGES + 2  # the sign-in and the site discovery besides the pages


def test_inventory_gives_up_in_one_line(make_sim, tmp_path):
    sim = endless_site(make_sim)
    run = run_inventory(tmp_path, {'plugin': 'opencitrix.automation.citrix_daas', 'catalogs': ['Endless']},
                        sim.client_env())
    assert not run.inventory or not run.inventory['_meta']['hostvars']
    assert 'Traceback' not in run.output
    assert_gave_up(sim, ' '.join(run.output.split()))
    assert sim.stats.count() <= MOST_PAGES + 2
