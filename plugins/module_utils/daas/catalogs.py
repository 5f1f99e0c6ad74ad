# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The machine catalogs of a DaaS site, with their machine counts and tags, and the filters by name and tag
that the info modules apply. Delivery groups (:mod:`.delivery_groups`) are read the same way.

Requests: one listing per 1000 objects, ``GET /Tags`` once, and one ``GET /Tags/{tag}/...`` per tag the site
uses on such objects; never one request per catalog or group.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.opencitrix.automation.plugins.module_utils.daas.client import ref_name
from ansible_collections.opencitrix.automation.plugins.module_utils.daas.tags import Tags

CATALOG_FIELDS = ('Id', 'Name', 'Description', 'AllocationType', 'ProvisioningType', 'SessionSupport', 'MachineType',
                  'PersistChanges', 'IsPowerManaged', 'TotalCount', 'UsedCount', 'AvailableCount', 'AssignedCount',
                  'UnassignedCount', 'Zone')


def select(objects, names=None, tags=None, tags_of=None):
    """Objects whose name or id is one of ``names`` and which carry one of ``tags`` (case-insensitive;
    None or empty: no condition); ``tags_of``: ``{id: [tag names]}``."""
    names = set(str(n).lower() for n in names or ())
    tags = set(str(t).lower() for t in tags or ())
    kept = []
    for obj in objects:
        keys = set(str(v).lower() for v in (obj.get('Id'), obj.get('Name')) if v)
        carried = set(str(t).lower() for t in (tags_of or {}).get(obj.get('Id'), ()))
        if (not names or names & keys) and (not tags or tags & carried):
            kept.append(obj)
    return kept


def listed_with_tags(client, path, what, fields, kind, names=None, tags=None):
    """``(objects, tags_of)``: the objects of a collection that match ``names`` and ``tags``, and the tag
    names of every object id."""
    tags_of = Tags(client).objects(kind)
    objects = select(client.paged(path, what, fields), names, tags, tags_of)
    return objects, tags_of


class Catalogs:
    """The machine catalogs of the client's site."""

    def __init__(self, client):
        self.client = client

    def list(self, names=None, tags=None):
        """Catalog facts (:func:`catalog_facts`) of the catalogs matching ``names`` and ``tags``."""
        catalogs, tags_of = listed_with_tags(self.client, '/MachineCatalogs', 'list the machine catalogs',
                                             CATALOG_FIELDS, 'catalogs', names, tags)
        return [catalog_facts(c, tags_of.get(c.get('Id'), [])) for c in catalogs]


def catalog_facts(catalog, tags=()):
    """A catalog as the info module reports it: flat, snake_case, with its tag names."""
    return {
        'id': catalog.get('Id'), 'name': catalog.get('Name'), 'description': catalog.get('Description'),
        'allocation_type': catalog.get('AllocationType'), 'provisioning_type': catalog.get('ProvisioningType'),
        'session_support': catalog.get('SessionSupport'), 'machine_type': catalog.get('MachineType'),
        'persist_changes': catalog.get('PersistChanges'), 'power_managed': catalog.get('IsPowerManaged'),
        'machine_count': catalog.get('TotalCount'), 'used_count': catalog.get('UsedCount'),
        'available_count': catalog.get('AvailableCount'), 'assigned_count': catalog.get('AssignedCount'),
        'unassigned_count': catalog.get('UnassignedCount'), 'zone': ref_name(catalog.get('Zone')),
        'tags': sorted(tags),
    }
