# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""XML from the network, parsed only by xmltodict on an expat parser armed with defusedxml's guards.

Entity declarations (the root of entity-expansion bombs such as "billion laughs" and of the quadratic
blow-up) and external entities or DTDs are refused as soon as the parser meets their declaration, so
nothing is expanded and nothing is fetched; the caller gets a ResponseFormatError saying why. Size
limits on the raw body are enforced by the transport (``HttpClient(max_response_bytes=...)``) and
again here, so a body obtained some other way is bounded too.
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


class _DefusedExpat:
    """Stands in for the ``expat`` module xmltodict creates its parser from: the parser it hands out
    carries defusedxml's own handlers for DTDs, entity declarations and external references."""

    def __init__(self, forbid_dtd=False):
        self._guard = DefusedExpatParser(forbid_dtd=forbid_dtd, forbid_entities=True, forbid_external=True)
        self._forbid_dtd = forbid_dtd

    def ParserCreate(self, encoding=None, namespace_separator=None):  # noqa: N802 - expat's name
        parser = _expat.ParserCreate(encoding, namespace_separator)
        guard = self._guard
        if self._forbid_dtd:
            parser.StartDoctypeDeclHandler = guard.defused_start_doctype_decl
        parser.EntityDeclHandler = guard.defused_entity_decl
        parser.UnparsedEntityDeclHandler = guard.defused_unparsed_entity_decl
        parser.ExternalEntityRefHandler = guard.defused_external_entity_ref_handler
        return parser


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


def parse(data, what, namespaces=None, force_list=None, max_bytes=DEFAULT_MAX_BYTES, url=None, forbid_dtd=False):
    """Parse ``data`` (bytes or text) into plain dicts with xmltodict.

    ``namespaces``: URI -> prefix map (``None`` drops the prefix); elements of other namespaces keep
    their full URI. ``force_list``: element names that are always lists. Raises ResponseFormatError
    for malformed, oversized or hostile XML, naming ``what`` could not be done.
    """
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
            data, expat=_DefusedExpat(forbid_dtd), disable_entities=False, process_namespaces=True,
            namespaces=namespaces or {}, force_list=force_list)
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
