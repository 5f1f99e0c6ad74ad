# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Tags of a DaaS site: the site's tags (``/Tags``), which catalogs and delivery groups carry which tags
(one listing per tag in use, never one request per object), and the tag list a machine should have.

Machines list the names of their tags in ``Tags``; a machine's tags are set with one
``PUT /Machines/{id}/Tags`` (``{"Items": [names]}``). The API creates no tag implicitly, so the tags a
change needs are created first (``POST /Tags``), once per tag.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.opencitrix.automation.plugins.module_utils import errors
from ansible_collections.opencitrix.automation.plugins.module_utils.daas.batch import Write
from ansible_collections.opencitrix.automation.plugins.module_utils.daas.client import path_segment

TAG_STATES = ('present', 'absent', 'exact')
TAG_FIELDS = ('Id', 'Name', 'Description', 'NumMachines', 'NumMachineCatalogs', 'NumDeliveryGroups')
# The tagged objects a tag can be listed for: collection path under /Tags/{tag}, and its count field.
TAGGED = {'catalogs': ('MachineCatalogs', 'NumMachineCatalogs'), 'groups': ('DeliveryGroups', 'NumDeliveryGroups')}


def _key(name):
    return str(name).strip().lower()


def desired_tags(current, tags, state):
    """The tag names a machine should carry: ``current`` plus ``tags`` (present), minus them (absent), or
    exactly them (exact). Names compare case-insensitively; the current spelling and order are kept."""
    current = list(current or ())
    tags = list(tags or ())
    if state == 'exact':
        kept = [t for t in current if _key(t) in set(_key(x) for x in tags)]
        return kept + [t for t in _unique(tags) if _key(t) not in set(_key(x) for x in kept)]
    if state == 'absent':
        doomed = set(_key(t) for t in tags)
        return [t for t in current if _key(t) not in doomed]
    have = set(_key(t) for t in current)
    return current + [t for t in _unique(tags) if _key(t) not in have]


def same_tags(first, second):
    return sorted(set(_key(t) for t in first or ())) == sorted(set(_key(t) for t in second or ()))


def has_tag(obj, tag):
    """Whether an API object with ``Tags`` (names) carries ``tag``."""
    return _key(tag) in set(_key(t) for t in obj.get('Tags') or ())


def _unique(names):
    seen, out = set(), []
    for name in names:
        if _key(name) not in seen:
            seen.add(_key(name))
            out.append(name)
    return out


def machine_tags_write(machine_id, names, target=None):
    """``PUT /Machines/{id}/Tags``: ``names`` become the machine's exact tags."""
    return Write('PUT', '/Machines/%s/Tags' % path_segment(machine_id), 'set the tags of the machine',
                 body={'Items': list(names)}, target=target)


class Tags:
    """The tags of the client's site."""

    def __init__(self, client):
        self.client = client

    def list(self):
        """Every tag of the site (``TagResponseModel``s, with their object counts)."""
        return list(self.client.paged('/Tags', 'list the tags of the site', TAG_FIELDS))

    def missing(self, names, known=None):
        """Of ``names``, those that are not tags of the site (``known``: the site's tags, if read already)."""
        existing = set(_key(t.get('Name')) for t in (self.list() if known is None else known))
        return [n for n in _unique(names) if _key(n) not in existing]

    def create(self, name, description=None):
        body = {'Name': name}
        if description:
            body['Description'] = description
        return self.client.call('POST', '/Tags', 'create tag "%s"' % name, json_body=body)

    def ensure(self, names, check_mode=False):
        """Create the tags of ``names`` the site does not have yet (none in check mode); returns their names."""
        missing = self.missing(names)
        if not check_mode:
            for name in missing:
                try:
                    self.create(name)
                except errors.ConflictError:  # created meanwhile by another task
                    pass
        return missing

    def objects(self, kind, only=None):
        """``{object id: [tag names]}`` for ``kind`` (``catalogs`` or ``groups``): one listing per tag the
        site uses on such objects (``only``: just these tags, by name)."""
        collection, count_field = TAGGED[kind]
        tags = self.list()
        if only is not None:
            wanted = set(_key(t) for t in only)
            tags = [t for t in tags if _key(t.get('Name')) in wanted]
        found = {}
        for tag in tags:
            if not tag.get(count_field):
                continue
            what = 'list the %s of tag "%s"' % ('machine catalogs' if kind == 'catalogs' else 'delivery groups',
                                                tag.get('Name'))
            for obj in self.client.paged('/Tags/%s/%s' % (path_segment(tag['Id']), collection), what):
                found.setdefault(obj.get('Id'), []).append(tag.get('Name'))
        return found
