"""docs/reliability.md from the outcomes the reliability tests recorded (see tests/reliability.py).

Written by ``make reliability-report`` and checked by ``make test`` (``--check``), from the outcomes the
last full test run left: only when every reliability test left one (the whole fault matrix, every
secret-hygiene run, every check-mode case, every bad-input case and the concurrency run), so a subset
never replaces the page with a partial one."""

import argparse
import datetime
import os
import re
import sys

from tests.harness import ROOT, import_collection
from tests.reliability import DEFECT, FAILED_CLEANLY, FAULTS, OUTCOMES, RECOVERED, cells, records

SYMBOL = {RECOVERED: 'recovered', FAILED_CLEANLY: 'clean fail', DEFECT: '**DEFECT**'}

# What these tests found in the product code; each fix has a regression test (named here).
FOUND_AND_FIXED = [
    ('XenServer, every module and the inventory plugin', 'a body cut short (connection reset mid-answer) was '
     'reported as "the answer is not XML-RPC; check that hostname points at a XenServer host" and not retried',
     'fault matrix `reset_mid_body`; `test_a_body_cut_short_is_a_transport_failure_not_a_foreign_server`'),
    ('Token cache (Citrix Cloud, DaaS, StoreFront)', 'a fork forgetting a rejected token could delete the new '
     'token another fork had just stored, so forks re-fetched tokens after an expiry',
     '`test_forks_that_see_the_token_rejected_together_fetch_one_new_token`; the 8 x 50 concurrency run'),
    ('`xenmobile_server_property`', 'a malformed `properties` option was refused only after signing in and '
     'reading every property', 'bad input `xenmobile_server_property-wrong type`'),
    ('`xenserver_vm`', '`vcpus: 0` or a negative `memory_mb` was sent to the pool', 'bad input `xenserver_vm-bad value`'),
    ('`xenserver_vm_info`, `xenserver_vm`, the `xenserver` inventory', 'guest metrics with a key that is not '
     '`<device>/...` (the guest agent, so the VM owner, writes them) raised TypeError for the whole listing; any '
     'reported value, even a host name, became an address and `ansible_host`',
     '`test_guest_addresses_take_whatever_a_guest_agent_reports`; '
     '`test_a_guest_agent_reporting_odd_network_keys_breaks_nothing`'),
    ('Every HTTP-based module and plugin', 'an API error whose code field held a list or an object (not text) went '
     'past the secret redactor, so a secret the API echoed back there reached the message (found by hypothesis)',
     '`test_any_error_body_renders_one_line_without_the_secret`; '
     '`test_an_error_code_that_is_not_text_is_redacted_like_one`'),
    ('Every HTTP-based module and plugin', 'a sign-in or API call answered with a redirect to another host or to '
     'plain HTTP was followed: the client secret, passwords and tokens (`auth_token`, cookies, form and JSON '
     'bodies) reached that host, in clear text over HTTP, and a Citrix Cloud task reported `ok` with its data',
     'fault matrix `redirect_signin`, `redirect_call`, `redirect_plain_http`; `test_redirects.py`'),
    ('`citrix_daas_machine_power`, `citrix_daas_machine`, `citrix_daas_session`, `xenserver_vm_migrate`',
     'an empty target (`name: "{{ empty }}"`, `names: [""]`, `catalog: ""`, `machine_ids: []`, `session_ids: []`) '
     'passed the argument checks and acted on every machine or session of the site',
     'bad input `empty target: ...` and `no target` cells; `daas/test_fleet_guards.py`'),
    ('Both inventory plugins (ansible-core 2.16-2.18)', 'API data such as a catalog name or a VM description '
     'holding `{{ lookup(\'pipe\', ...) }}` was templated, running a command on the controller',
     '`test_core_matrix.py` on every ansible-core minor'),
    ('Every HTTP-based module and plugin', 'a server sending headers and then one byte a second held a task '
     'forever; a 300 MB body, a gzip bomb or a 500 MB XML-RPC answer was read whole into memory',
     '`test_hostile_servers.py` (the section below)'),
    ('Every module', 'a secret echoed JSON-escaped, quoted by `repr()` in an exception, or in a proxy URL '
     'was printed unmasked', '`test_secret_encodings.py` (the section below)'),
    ('Citrix DaaS modules and the `citrix_daas` inventory', 'a listing that handed out a new continuation token with '
     'every page, forever, with the same items, was followed for up to 100,000 pages',
     'fault matrix `endless_paging`; `daas/test_endless_paging.py`'),
    ('Citrix DaaS through Citrix Cloud', 'a 401 in the DaaS `ErrorData` shape (`AuthenticationFailed`) failed the '
     'task instead of getting a new token', '`test_sign_in.py`'),
    ('XenServer, every module, the inventory and the event source', 'a XenAPI failure whose `ErrorDescription` was '
     '`[]` or `{}`, or records that were text, ended in `IndexError`/`KeyError`/`AttributeError ... please report this '
     'as a bug`', 'fault matrix `xapi_*`; `test_odd_answers.py`; `test_any_answer_to_a_call_is_its_value_or_one_typed_line`'),
    ('the `xenserver` inventory', 'its cache was keyed by the file path only: pointed at another pool, or run with a '
     'wrong password, it returned the hosts cached for the first pool',
     'fault matrix `cache_wrong_password`; `test_the_cache_belongs_to_the_pool_user_and_password`'),
    ('`xenserver_vm`', 'a run killed during the clone left a template called like the VM (later `template:` lookups '
     'were ambiguous); two runs at the same time created two VMs of one name, after which every run failed',
     'fault matrix `create_interrupted`, `create_race`; `test_vm_create.py`'),
    ('`storefront_resource_info`', 'a resources document nested 100,000 levels deep (1.3 MB) took 30 to 140 s '
     'to parse: the callable `force_list` made xmltodict copy the element path for every element',
     'fault matrix `deep_xml`; `test_a_document_nested_100000_levels_deep_fails_at_once_in_one_line`; '
     '`test_a_wide_listing_parses_in_time_linear_in_its_size`'),
    ('StoreFront token cache', 'the cache key left out `domain`, so `LAB\\jdoe` was served with `CORP\\jdoe`\'s '
     'token (same user name and password)', 'fault matrix `token_other_domain`; '
     '`test_the_same_user_name_in_another_domain_signs_in_itself`'),
    ('Role `xenmobile_user_activity`, playbook `eda_reboot_unregistered_machine.yml`', 'a device owner or platform '
     '(or a machine name) holding a line break and then `=HYPERLINK(...)` landed unquoted at the start of a CSV row, '
     'where a spreadsheet runs it', 'fault matrix `formula_text`; '
     '`test_user_activity_csv_neutralises_a_formula_after_a_line_break`; '
     '`test_the_unregistered_machine_report_neutralises_formulas_in_event_text`'),
]


def expected_records():
    """The record names each section must have for the page to be complete."""
    from tests.integration import test_bad_input, test_check_mode, test_hostile_servers, test_secret_encodings
    from tests.integration import test_secret_hygiene
    return {
        'hostile': ['%s-%s' % (case[1], case[0]) for case in test_hostile_servers.CASES],
        'encodings': sorted(test_secret_encodings.CASES),
        'faults': ['%s--%s' % (p.id, f.key) for p, f in cells()],
        'secrets': ([p.name for p in test_secret_hygiene.PRODUCTS]
                    + ['inventory ' + plugin for plugin, _options in test_secret_hygiene.INVENTORIES] + ['concurrency']),
        'modes': [c.id for c in test_check_mode.CASES],
        'bad_input': list(test_bad_input.CASE_IDS),
        'concurrency': ['forks'],
    }


def collect():
    """``{section: [records in the order expected]}``, or None when something is missing."""
    if not os.path.isdir(OUTCOMES):
        # No reliability test ran (a subset, such as the ansible-core matrix, whose older cores cannot
        # import the in-process module runner those tests use).
        return None
    found = {}
    for section, names in expected_records().items():
        by_name = dict((r['name'], r) for r in records(section))
        if set(by_name) != set(names):
            return None
        found[section] = [by_name[n] for n in names]
    return found


def _ordered(items, key):
    seen = []
    for item in items:
        if key(item) not in seen:
            seen.append(key(item))
    return seen


def _cell(text):
    """Table-safe text, without the run's loopback ports and temporary paths (so the page changes only
    when behaviour does)."""
    text = re.sub(r'(127\.0\.0\.\d+):\d+', r'\1:PORT', str(text))
    text = re.sub(r'/tmp/\S+/([^/\s]+\.yml)', r'\1', text)
    text = re.sub(r'[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}', '<uuid>', text)
    # ansible-core lists the valid booleans from a set, in a different order in every process.
    text = re.sub(r'(Valid booleans include:).*', r'\1 ...', text)
    return text.replace('|', '\\|')


def summary(found):
    faults = found['faults']
    checks = sum(r['checks'] for r in found['secrets'])
    leaks = sum(r['found'] for r in found['secrets'])
    modes = found['modes']
    bad = found['bad_input']
    return ['## Summary', '',
            '| faults x modules tried | recovered | failed cleanly | defects | secrets found |', '|---|---|---|---|---|',
            '| %d | %d | %d | %d | %d out of %d checks |' % (
                len(faults), sum(1 for o in faults if o['outcome'] == RECOVERED),
                sum(1 for o in faults if o['outcome'] == FAILED_CLEANLY),
                sum(1 for o in faults if o['outcome'] == DEFECT or not o['expected']), leaks, checks), '',
            '- Check mode and idempotence: %d cases of %d modules; check mode sent %d writes, second runs of '
            'state-changing cases %d writes.' % (
                len(modes), len(set(m['module'] for m in modes)), sum(m['check_writes'] + m['recheck_writes'] for m in modes),
                sum(m['second_writes'] for m in modes if m['kind'] == 'change')),
            '- Bad input: %d cases, all one-line failures; %d of the %d that the input alone makes wrong sent a request.'
            % (len(bad), sum(1 for b in bad if b['offline'] and b['requests']), sum(1 for b in bad if b['offline'])),
            '- Concurrency: %(forks)d forks x %(tasks)d tasks = %(module_runs)d module runs, %(token_requests)d Cloud '
            'token requests across a mid-run token expiry.' % found['concurrency'][0], '']


def fault_sections(outcomes):
    faults = [f for f in FAULTS if any(o['fault'] == f.key for o in outcomes)]
    lines = ['## Fault matrix', '',
             'Every module and inventory plugin (in-process, against the simulator) with each fault injected into the',
             'API calls it makes. **recovered**: it succeeded anyway (retry, re-authentication, redirect) and its',
             'result was complete (every item listed, the change made). **clean fail**: one line naming the cause,',
             'no traceback, no secret; bulk actions name the objects that failed and still tried the others. A',
             '**DEFECT** is any other outcome, or one the fault does not allow. Every cell also checks that its',
             'fault really happened.', '',
             '| fault | what is injected | reads | writes |', '|---|---|---|---|']
    for fault in faults:
        reads = ' or '.join(sorted(fault.expect.get('read', fault.expect.get('list', {'-'}))))
        writes = ' or '.join(sorted(fault.expect.get('write', {'-'})))
        if 'batch' in fault.expect:
            writes += '; through `$batch`: ' + ' or '.join(sorted(fault.expect['batch']))
        if 'unresolvable' in fault.expect:
            writes += '; writes that leave no trace (messages): ' + ' or '.join(sorted(fault.expect['unresolvable']))
        lines.append('| `%s` | %s | %s | %s |' % (fault.key, fault.title, reads, writes))
    lines.append('')
    for product in _ordered(outcomes, lambda o: o['product']):
        rows = [o for o in outcomes if o['product'] == product]
        present = [f for f in faults if any(o['fault'] == f.key for o in rows)]
        lines += ['### %s' % product, '', '| module | ' + ' | '.join('`%s`' % f.key for f in present) + ' |',
                  '|---|' + '---|' * len(present)]
        for probe in _ordered(rows, lambda o: o['probe']):
            row = []
            for fault in present:
                found = [o for o in rows if o['probe'] == probe and o['fault'] == fault.key]
                if not found:
                    row.append('')
                    continue
                o = found[0]
                row.append(SYMBOL[o['outcome']] if o['expected'] else '**DEFECT** (%s)' % o['outcome'])
            lines.append('| `%s` | %s |' % (probe, ' | '.join(row)))
        lines.append('')
    examples = {}
    for o in outcomes:
        if o['outcome'] == FAILED_CLEANLY and o['fault'] not in examples:
            examples[o['fault']] = (o['probe'], o['note'])
    lines += ['### What a clean failure looks like', '', 'One message per fault, as the task reports it:', '']
    for fault in faults:
        if fault.key in examples:
            probe, note = examples[fault.key]
            lines.append('- `%s` (`%s`): %s' % (fault.key, probe, _cell(note)))
    return lines + ['']


def secret_section(runs):
    lines = ['## Secrets', '',
             'Distinctive passwords, client secrets and every token or session the simulator issued (and, for long',
             'tokens, a fragment of their middle; and URL-encoded forms) looked for in everything each run produced:',
             'stdout and stderr at `-vvvv`, task results, their warnings and diffs, files the run left behind',
             '(but the secrets file it was given and the token cache, which holds tokens by design, 0600), and',
             'the inventory output and cache files.', '',
             '| run | modules | values | artifacts | checks | found |', '|---|---|---|---|---|---|']
    for r in runs:
        modules = ', '.join('`%s`' % m for m in r['modules'])
        row = (r['product'], modules, r['values'], r['artifacts'], r['checks'], r['found'])
        lines.append('| %s | %s | %d | %d | %d | %d |' % row)
    lines.append('| **all** | | | | **%d** | **%d** |' % (sum(r['checks'] for r in runs), sum(r['found'] for r in runs)))
    return lines + ['']


def modes_section(cases):
    lines = ['## Check mode and idempotence', '',
             'Each state-changing case ran in check mode with `--diff`, for real, for real again and in check mode',
             'again (in-process; `test_secret_hygiene.py` repeats it with real `ansible-playbook` runs, one per',
             'product). Writes are the simulator\'s write counters. `always` marks states that act on every run by',
             'convention (`restarted`): their second run acts again and says so.', '',
             '| module | case | kind | check-mode writes | check predicts change | writes | second run writes | '
             'second run changed |', '|---|---|---|---|---|---|---|---|']
    for c in cases:
        lines.append('| `%s` | %s | %s | %d | %s | %d | %d | %s |' % (
            c['module'], _cell(c['case']), c['kind'], c['check_writes'] + c['recheck_writes'],
            'n/a' if c['kind'] == 'info' else ('yes' if c['check_changed'] == c['first_changed'] else '**no**'),
            c['first_writes'], c['second_writes'], str(c['second_changed']).lower()))
    always = ['`%s` %s' % (c['module'], c['case']) for c in cases if c['kind'] == 'always']
    return lines + ['', 'Always acting by convention: %s.' % ', '.join(always), '']


def bad_input_section(cases):
    lines = ['## Bad input', '',
             '"Before any request" is required where the input alone says it is wrong; unreachable hosts, a',
             'package file only needed for an upload, and `max_targets` (which needs the reads that resolve the',
             'targets to count them, and must send no write) are the others. An empty or missing target of a',
             'module that acts on a fleet is input that is wrong on its face: it never means the whole site or pool.',
             '',
             '| module | case | input alone is wrong | requests sent | message |', '|---|---|---|---|---|']
    for c in cases:
        alone = 'yes' if c['offline'] else 'no'
        lines.append('| `%s` | %s | %s | %d | %s |' % (c['module'], c['case'], alone, c['requests'], _cell(c['msg'])[:160].rstrip('\\')))
    return lines + ['']


BEHAVIOURS = {
    'drip_body': 'headers, then one byte every half second',
    'drip_headers': 'the headers one byte every half second',
    'huge_json': 'a 1 GiB JSON body',
    'gzip_bomb': 'a 1 GiB body gzip-compressed to a few MB',
    'xmlrpc_huge': 'a 1 GiB XML-RPC answer (one value)',
}


def hostile_section(cases, encodings):
    lines = ['## Hostile servers and secrets in other encodings', '',
             'Each client in its own process against a server that misbehaves on purpose: the call must end within',
             'its deadline (`connect_timeout` + `read_timeout`, here 1 + 2 s) or at its size limit, in one line, with',
             'the process under 200 MB.', '',
             '| client | the server sends | ends within | memory under 200 MB | message |', '|---|---|---|---|---|']
    for c in cases:
        lines.append('| %s | %s | %s | %s | %s |' % (
            c['client'], BEHAVIOURS.get(c['behaviour'], c['behaviour']),
            ('%d s' % c['longest']) if c['in_time'] else '**no**', 'yes' if c['memory_ok'] else '**no**',
            _cell(c['msg'])[:160].rstrip('\\')))
    lines += ['', '| secret | module | forms looked for | found | message |', '|---|---|---|---|---|']
    for c in encodings:
        lines.append('| %s | `%s` | %d | %d | %s |' % (c['name'], c['module'], c['checks'], c['found'],
                                                       _cell(c['msg'])[:120].rstrip('\\')))
    return lines + ['']


def concurrency_section(run):
    return ['## Concurrency', '',
            'One real `ansible-playbook` run: %(forks)d hosts, `forks: %(forks)d`, %(tasks)d Citrix Cloud and DaaS tasks '
            'each (%(module_runs)d module runs). Every Cloud token expired after the first 150 requests.' % run, '',
            '| module runs | Cloud token requests | API requests | sent again after the expiry | seconds |',
            '|---|---|---|---|---|',
            '| %(module_runs)d | %(token_requests)d | %(data_requests)d | %(resent_after_expiry)d | %(seconds)s |' % run,
            '', 'The token file stayed one whole JSON entry, 0600 in a 0700 directory, with no temporary file left; '
            '`test_token_cache.py` adds eight processes rewriting it while another reads it (never a partial '
            'entry, even under umask 0).', '']


def render(found):
    lines = ['# Reliability', '',
             'Generated by the reliability tests in `tests/integration` (`test_fault_matrix.py`, '
             '`test_secret_hygiene.py`, `test_check_mode.py`, `test_bad_input.py`, `test_hostile_servers.py`, '
             '`test_secret_encodings.py`, `test_concurrency.py`) by `make reliability-report` on %s. '
             'Do not edit by hand.' % datetime.date.today().isoformat(), '']
    lines += summary(found)
    lines += ['## Found and fixed', '', '| where | defect | regression test |', '|---|---|---|']
    lines += ['| %s | %s | %s |' % row for row in FOUND_AND_FIXED] + ['']
    lines += fault_sections(found['faults'])
    lines += secret_section(found['secrets'])
    lines += modes_section(found['modes'])
    lines += bad_input_section(found['bad_input'])
    lines += hostile_section(found['hostile'], found['encodings'])
    lines += concurrency_section(found['concurrency'][0])
    return lines


# What changes from run to run without behaviour changing: the date, and the concurrency run's timing
# (how many requests were in flight when the token expired, and the seconds).
_VOLATILE = (re.compile(r'on \d{4}-\d{2}-\d{2}\.'), re.compile(r'^\| \d+ \| \d+ \| \d+ \| \d+ \| [\d.]+ \|$', re.M))


def _without_volatile(text):
    for pattern in _VOLATILE:
        text = pattern.sub('', text)
    return text


def report_text():
    """The report from the outcomes the last test run left (None when some reliability test did not run)."""
    found = collect()
    if found is None:
        return None
    return '\n'.join(render(found)).rstrip('\n') + '\n'


def is_current(path, text):
    """Whether ``path`` already says ``text``, the date and timings aside."""
    if not os.path.exists(path):
        return False
    with open(path) as handle:
        return _without_volatile(handle.read()) == _without_volatile(text)


def main(argv=None):
    """``python -m tests.reliability_report [--check] [PATH]``: write PATH (docs/reliability.md) from the
    outcomes of the last full test run, or with --check fail when it no longer says what they say."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument('--check', action='store_true')
    parser.add_argument('path', nargs='?', default=os.path.join(ROOT, 'docs', 'reliability.md'))
    options = parser.parse_args(argv)
    import_collection()  # the expected records come from test modules that import the collection
    text = report_text()
    if text is None:
        print('reliability report: not every reliability test ran (run make pytest first)', file=sys.stderr)
        return 2
    if is_current(options.path, text):
        print('reliability report: %s is current' % os.path.relpath(options.path, ROOT))
        return 0
    if options.check:
        print('reliability report: %s is out of date; run make reliability-report and commit it'
              % os.path.relpath(options.path, ROOT), file=sys.stderr)
        return 1
    os.makedirs(os.path.dirname(options.path), exist_ok=True)
    with open(options.path, 'w') as handle:
        handle.write(text)
    print('reliability report: wrote %s' % os.path.relpath(options.path, ROOT))
    return 0


if __name__ == '__main__':
    sys.exit(main())
