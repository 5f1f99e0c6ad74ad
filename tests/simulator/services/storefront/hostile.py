"""Hostile resources XML the store can be switched to answer (``POST /_sim/storefront/hostile``), for
the client's defences: an entity bomb, quadratic blow-up, an external entity, 3 MiB of XML, a gzip
bomb (64 MiB of XML in about 64 KiB on the wire), and elements nested 100,000 levels deep (1.3 MB)."""

import gzip

from tests.simulator.services.storefront.rendering import NS_RESOURCES

KINDS = ('entity-bomb', 'quadratic', 'external-entity', 'oversize', 'gzip-bomb', 'deep')
DEEP_LEVELS = 100000

BILLION_LAUGHS = ('<?xml version="1.0"?><!DOCTYPE resources [<!ENTITY lol "lol">'
                  + ''.join('<!ENTITY lol%d "%s">' % (i, ('&lol%d;' % (i - 1) if i > 1 else '&lol;') * 10)
                            for i in range(1, 10))
                  + ']><resources xmlns="%s" enumeration="full"><resource><id>&lol9;</id></resource></resources>'
                  % NS_RESOURCES)
QUADRATIC = ('<?xml version="1.0"?><!DOCTYPE resources [<!ENTITY a "%s">]><resources xmlns="%s" enumeration="full">'
             '<resource><id>x</id><summary>%s</summary></resource></resources>' % ('x' * 50000, NS_RESOURCES, '&a;' * 80))
EXTERNAL_ENTITY = ('<?xml version="1.0"?><!DOCTYPE resources [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
                   '<resources xmlns="%s" enumeration="full"><resource><id>&xxe;</id></resource></resources>' % NS_RESOURCES)

_GZIP_BOMB = []


def gzip_bomb():
    """64 MiB of XML whitespace, gzip-compressed once per process."""
    if not _GZIP_BOMB:
        _GZIP_BOMB.append(gzip.compress(
            b'<?xml version="1.0"?><resources xmlns="' + NS_RESOURCES.encode() + b'">' + b' ' * (64 * 1024 * 1024)))
    return _GZIP_BOMB[0]


def deep_document(levels=DEEP_LEVELS):
    """A resources document whose one resource holds ``levels`` nested elements (1.3 MB for 100,000)."""
    return ('<?xml version="1.0"?><resources xmlns="%s" enumeration="full"><resource><id>deep</id>%s%s</resource>'
            '</resources>' % (NS_RESOURCES, '<path>' * levels, '</path>' * levels))


def hostile_body(kind):
    if kind == 'deep':
        return deep_document()
    if kind == 'oversize':
        pad = 'x' * (3 * 1024 * 1024)
        return ('<?xml version="1.0"?><resources xmlns="%s" enumeration="full"><resource><id>big</id>'
                '<summary>%s</summary></resource></resources>' % (NS_RESOURCES, pad))
    return {'entity-bomb': BILLION_LAUGHS, 'quadratic': QUADRATIC, 'external-entity': EXTERNAL_ENTITY}[kind]
