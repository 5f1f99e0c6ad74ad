"""The Event-Driven Ansible sources, without sockets: their documented options are exactly their argument
specs (ansible-test's validate-modules does not look at extensions/), and their arguments are checked like
module options, environment fallbacks included."""

import os
import runpy

import pytest
import yaml

from ansible_collections.opencitrix.automation.plugins.module_utils import errors
from ansible_collections.opencitrix.automation.plugins.plugin_utils.daas_machine_watch import (
    machine_watch_argument_spec, watched_state,
)
from ansible_collections.opencitrix.automation.plugins.plugin_utils.event_source import source_params
from ansible_collections.opencitrix.automation.plugins.plugin_utils.xenserver_event_stream import (
    event_stream_argument_spec,
)
from tests.harness import ROOT

SOURCES = {'xenserver_events': event_stream_argument_spec, 'citrix_daas_machines': machine_watch_argument_spec}


def documented_options(name):
    """The plugin's options with its doc fragments merged in (the first fragment listed wins, as in
    ansible-doc)."""
    plugin = runpy.run_path(os.path.join(ROOT, 'extensions', 'eda', 'plugins', 'event_source', name + '.py'))
    doc = yaml.safe_load(plugin['DOCUMENTATION'])
    assert doc['author'] == ['opencitrix maintainers (@opencitrix)'] and doc['short_description']
    yaml.safe_load(plugin['EXAMPLES'])
    options = dict(doc['options'])
    for fragment in doc.get('extends_documentation_fragment', []):
        # Read by path: importing a doc fragment as a plain module would shadow it for Ansible's plugin
        # loader in this process (an in-process inventory run then reports it unknown).
        _namespace, _name, fragment_name = fragment.split('.')
        module = runpy.run_path(os.path.join(ROOT, 'plugins', 'doc_fragments', fragment_name + '.py'))
        for option, spec in yaml.safe_load(module['ModuleDocFragment'].DOCUMENTATION)['options'].items():
            options[option] = dict(spec, **options.get(option, {}))
    return options


@pytest.mark.parametrize('name', sorted(SOURCES))
def test_documented_options_are_the_argument_spec(name):
    documented = documented_options(name)
    spec = SOURCES[name]()
    assert sorted(documented) == sorted(spec)
    for option, rules in spec.items():
        doc = documented[option]
        seen = {'type': doc.get('type', 'str'), 'default': doc.get('default'), 'choices': doc.get('choices'),
                'elements': doc.get('elements'), 'required': doc.get('required', False),
                'aliases': doc.get('aliases', [])}
        wanted = {'type': rules.get('type', 'str'), 'default': rules.get('default'), 'choices': rules.get('choices'),
                  'elements': rules.get('elements'), 'required': rules.get('required', False),
                  'aliases': rules.get('aliases', [])}
        if wanted['choices'] is not None:
            seen['choices'], wanted['choices'] = sorted(seen['choices'] or []), sorted(wanted['choices'])
        assert seen == wanted, option
        assert 'env:' not in str(doc)


def test_arguments_get_types_defaults_and_environment_fallbacks(monkeypatch):
    monkeypatch.setenv('XENSERVER_HOST', 'xs.example.com')
    monkeypatch.setenv('XENSERVER_PASSWORD', 'env-Secret-123')
    monkeypatch.setenv('XENSERVER_CA_PATH', '')  # AWX injects "" for an empty field: unset
    params, redactor = source_params(event_stream_argument_spec(), {'event_timeout': '2.5', 'classes': 'VM,SR'},
                                     'xenserver_events')
    assert params['hostname'] == 'xs.example.com' and params['password'] == 'env-Secret-123'
    assert params['ca_path'] is None and params['event_timeout'] == 2.5 and params['classes'] == ['VM', 'SR']
    assert params['ignore_fields'] == ['allowed_operations', 'current_operations', 'resident_VMs']
    assert redactor('password env-Secret-123') == 'password ********'


def test_argument_errors_are_one_line_and_hide_secrets(monkeypatch):
    monkeypatch.delenv('XENSERVER_HOST', raising=False)
    with pytest.raises(errors.InputError) as failure:
        source_params(event_stream_argument_spec(), {'password': 'arg-Secret-456', 'operations': ['modify'],
                                                     'clases': ['VM']}, 'xenserver_events')
    text = str(failure.value)
    assert text.startswith('Invalid arguments for the xenserver_events event source')
    assert 'hostname' in text and 'operations' in text and 'clases' in text
    assert '\n' not in text and 'arg-Secret-456' not in text


def test_session_crossing_zero_is_its_own_watch():
    machine = {'PowerState': 'On', 'SessionCount': 3, 'InMaintenanceMode': False, 'RegistrationState': 'Registered'}
    assert watched_state(machine, ['has_sessions', 'power_state']) == {
        'has_sessions': True, 'power_state': 'On', 'session_count': 3}
    assert watched_state(dict(machine, SessionCount=None), ['has_sessions'])['has_sessions'] is None
    assert watched_state(machine, ['session_count']) == {'session_count': 3}
