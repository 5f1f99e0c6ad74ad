# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""XML from the network, parsed only by xmltodict on an expat parser armed with defusedxml's guards.

Entity declarations (the root of entity-expansion bombs such as "billion laughs" and of the quadratic
blow-up) and external entities or DTDs are refused as soon as the parser meets their declaration, so
nothing is expanded and nothing is fetched; the caller gets a ResponseFormatError saying why. Size
limits on the raw body are enforced by the transport (``HttpClient(max_response_bytes=...)``) and
again here, so a body obtained some other way is bounded too. Nesting is bounded as well
(``max_depth``): the documents read here are a few levels deep, and an element nested deeper ends the
parse at once, so a document of a million nested elements costs no more than a flat one.

Parsing is linear in the size of the document: elements that repeat are read with :func:`as_list`
after the parse (or named in a tuple ``force_list``), never with a callable ``force_list``, which
makes xmltodict copy the path of every element.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import traceback

from xml.parsers import expat as _expat

XML_IMPORT_ERROR = None
try:
    import xmltodict
except ImportError:  # pragma: no cover - exercised by the sanity import test
    xmltodict = None
    XML_IMPORT_ERROR = traceback.format_exc()
try:
    from defusedxml.common import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
    from defusedxml.expatreader import DefusedExpatParser
except ImportError:  # pragma: no cover - exercised by the sanity import test
    DefusedExpatParser = None
    DTDForbidden = EntitiesForbidden = ExternalReferenceForbidden = None
    XML_IMPORT_ERROR = traceback.format_exc()

from ansible_collections.opencitrix.automation.plugins.module_utils import errors

HAS_XMLTODICT = xmltodict is not None
HAS_DEFUSEDXML = DefusedExpatParser is not None
DEFAULT_MAX_BYTES = 64 * 1024 * 1024
DEFAULT_MAX_DEPTH = 64


class _TooDeep(Exception):
    pass


class _DepthBoundParser:
    """An expat parser whose element handlers xmltodict sets through this wrapper: the start handler
    counts the depth and stops the parse beyond ``max_depth``."""

    def __init__(self, parser, max_depth):
        self.__dict__.update(_parser=parser, _max_depth=max_depth, _depth=0)

    def __getattr__(self, name):
        return getattr(self._parser, name)

    def __setattr__(self, name, value):
        if name == 'StartElementHandler':
            start = value

            def value(*args):
                self.__dict__['_depth'] += 1
                if self._depth > self._max_depth:
                    raise _TooDeep()
                start(*args)
        elif name == 'EndElementHandler':
            end = value

            def value(*args):
                self.__dict__['_depth'] -= 1
                end(*args)
        setattr(self._parser, name, value)


class _DefusedExpat:
    """Stands in for the ``expat`` module xmltodict creates its parser from: the parser it hands out
    carries defusedxml's own handlers for DTDs, entity declarations and external references."""

    def __init__(self, forbid_dtd=False, max_depth=DEFAULT_MAX_DEPTH):
        self._guard = DefusedExpatParser(forbid_dtd=forbid_dtd, forbid_entities=True, forbid_external=True)
        self._forbid_dtd = forbid_dtd
        self._max_depth = max_depth

    def ParserCreate(self, encoding=None, namespace_separator=None):  # noqa: N802 - expat's name
        parser = _expat.ParserCreate(encoding, namespace_separator)
        guard = self._guard
        if self._forbid_dtd:
            parser.StartDoctypeDeclHandler = guard.defused_start_doctype_decl
        parser.EntityDeclHandler = guard.defused_entity_decl
        parser.UnparsedEntityDeclHandler = guard.defused_unparsed_entity_decl
        parser.ExternalEntityRefHandler = guard.defused_external_entity_ref_handler
        return _DepthBoundParser(parser, self._max_depth)


def _refusal(exc):
    """Why a defusedxml guard stopped the parse, in words an operator can act on."""
    if isinstance(exc, EntitiesForbidden):
        if exc.sysid or exc.pubid:
            return ('refused an external entity "%s" (%s): external references are never resolved'
                    % (exc.name, exc.sysid or exc.pubid))
        return ('refused the entity declaration "%s": entity expansion (an XML bomb) is not allowed'
                % exc.name)
    if isinstance(exc, ExternalReferenceForbidden):
        return 'refused an external reference (%s): external references are never resolved' % (exc.sysid or exc.pubid)
    if isinstance(exc, DTDForbidden):
        return 'refused a document type declaration "%s"' % exc.name
    return 'refused: %s' % exc


def require_libraries():
    if not (HAS_XMLTODICT and HAS_DEFUSEDXML):
        raise errors.InputError('The Python libraries "xmltodict" and "defusedxml" are required to read XML',
                                hint='pip install xmltodict defusedxml')


def parse(data, what, namespaces=None, force_list=None, max_bytes=DEFAULT_MAX_BYTES, url=None, forbid_dtd=False,
          max_depth=DEFAULT_MAX_DEPTH):
    """Parse ``data`` (bytes or text) into plain dicts with xmltodict.

    ``namespaces``: URI -> prefix map (``None`` drops the prefix); elements of other namespaces keep
    their full URI. ``force_list``: a tuple of element names that are always lists. ``max_depth``: the
    deepest nesting of elements accepted. Raises ResponseFormatError for malformed, oversized, too
    deeply nested or hostile XML, naming ``what`` could not be done.
    """
    if callable(force_list):
        raise TypeError('force_list must name the elements (a callable costs a copy of the path per element)')
    require_libraries()
    if isinstance(data, str):
        data = data.encode('utf-8')
    summary = 'Could not %s' % what
    if data is None or not data.strip():
        raise errors.ResponseFormatError(summary, url=url, api_message='the response has no XML body')
    if len(data) > max_bytes:
        raise errors.ResponseFormatError(summary, url=url,
                                         api_message='the XML is larger than the %d-byte limit' % max_bytes)
    try:
        return xmltodict.parse(
            data, expat=_DefusedExpat(forbid_dtd, max_depth), disable_entities=False, process_namespaces=True,
            namespaces=namespaces or {}, force_list=force_list)
    except _TooDeep:
        raise errors.ResponseFormatError(summary, url=url,
                                         api_message='hostile XML: elements nested deeper than %d levels' % max_depth,
                                         hint='the server or something in between sent a document no StoreFront '
                                              'answer looks like; check the URL and any proxy')
    except (EntitiesForbidden, ExternalReferenceForbidden, DTDForbidden) as exc:
        raise errors.ResponseFormatError(summary, url=url, api_message='hostile XML: %s' % _refusal(exc),
                                         hint='the server or something in between sent a document this '
                                              'collection will not expand; check the URL and any proxy')
    except _expat.ExpatError as exc:
        raise errors.ResponseFormatError(summary, url=url, api_message='malformed XML (%s)' % exc)
    except (ValueError, TypeError) as exc:
        raise errors.ResponseFormatError(summary, url=url, api_message='unreadable XML (%s)' % exc)


def parse_root(data, root, what, url=None, **options):
    """Parse ``data`` (see :func:`parse`) and return the content of its ``root`` element, ``{}`` when
    that is empty; a document with another root is a ResponseFormatError."""
    doc = parse(data, what, url=url, **options)
    if not isinstance(doc, dict) or root not in doc:
        raise errors.ResponseFormatError('Could not %s' % what, url=url, api_message='expected a <%s> document, got <%s>'
                                         % (root, ', '.join(doc) if isinstance(doc, dict) else 'nothing'))
    return doc[root] if isinstance(doc[root], dict) else {}


def unparse(document):
    """XML text for a request body (xmltodict's writer escapes every value)."""
    require_libraries()
    return xmltodict.unparse(document, encoding='utf-8')


def as_list(value):
    """An element that may repeat, as xmltodict returns it (absent, one, or a list), as a list."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def text(value):
    """The text of an element as xmltodict returns it: a string, ``{'#text': ...}`` when the element
    has attributes, None for an empty element, or a list when it is repeated (the first counts)."""
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get('#text')
    if value is None:
        return None
    return value if isinstance(value, str) else str(value)
