# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Citrix Cloud resource locations, through the current API (``{api_url}/resourcelocations/``, the
customer in the ``Citrix-CustomerId`` header): list, get, create, rename/update (PUT), delete.

``ensure_present`` / ``ensure_absent`` read first, decide, and write only when something must change
(never in check mode); they return a :class:`results.Change` with before/after for ``--diff``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from urllib.parse import quote

from ansible_collections.opencitrix.automation.plugins.module_utils import errors
from ansible_collections.opencitrix.automation.plugins.module_utils.responses import require_keys, require_list
from ansible_collections.opencitrix.automation.plugins.module_utils.results import Change

# ResourceLocationModel.name in the spec: none of / \ # ? % | [ ] { } < > $ ^ & +
LOCATION_NAME = re.compile(r'[^/\\#?%|\[\]{}<>$^&+]+')
LOCATION_NAME_RULE = 'a resource location name cannot contain / \\ # ? % | [ ] { } < > $ ^ & +'
LOCATIONS_PATH = '/resourcelocations/'


def location_model(location):
    """The comparable part of a resource location."""
    location = location or {}
    return {'name': location.get('name'), 'internalOnly': location.get('internalOnly'),
            'timeZone': location.get('timeZone')}


def validate_location_name(name, option='name'):
    if not isinstance(name, str) or not name.strip():
        raise errors.InputError('Invalid %s: a resource location name cannot be empty' % option)
    if not LOCATION_NAME.fullmatch(name):
        raise errors.InputError('Invalid %s "%s": %s' % (option, name, LOCATION_NAME_RULE))
    return name


class ResourceLocations:
    """Resource locations of the client's customer."""

    def __init__(self, cloud):
        self.cloud = cloud

    def _call(self, method, location_id, what, **kwargs):
        """One call on the collection (``location_id`` None) or on one location; decoded JSON or None."""
        path = LOCATIONS_PATH + (quote(location_id, safe='') if location_id else '')
        headers = {'Citrix-CustomerId': self.cloud.require_customer_id()}
        return self.cloud.call(method, path, what=what, headers=headers, **kwargs)

    def list(self):
        return require_list(self._call('GET', None, 'list resource locations'), 'items', 'list resource locations')

    def get(self, location_id):
        """The location with this id, or None."""
        what = 'read resource location %s' % location_id
        try:
            return require_keys(self._call('GET', location_id, what), ('id', 'name'), what)
        except errors.NotFoundError:
            return None

    @staticmethod
    def find(locations, name):
        """The location called ``name``: an exact match, else the only case-insensitive one."""
        exact = [loc for loc in locations if loc.get('name') == name]
        if exact:
            return exact[0]
        folded = [loc for loc in locations if str(loc.get('name', '')).lower() == name.lower()]
        if len(folded) > 1:
            raise errors.InputError('Resource location name "%s" is ambiguous' % name,
                                    hint='these differ only in case: %s' % ', '.join(loc['name'] for loc in folded))
        return folded[0] if folded else None

    def create(self, model):
        what = 'create resource location "%s"' % model['name']
        return require_keys(self._call('POST', None, what, json_body=model), ('id', 'name'), what)

    def update(self, location, model):
        # PUT replaces the object: send every field, not only the changed ones.
        what = 'update resource location "%s"' % location['name']
        return require_keys(self._call('PUT', location['id'], what, json_body=model), ('id', 'name'), what)

    def delete(self, location):
        self._call('DELETE', location['id'], 'delete resource location "%s"' % location['name'])

    @staticmethod
    def _refuse_read_only(location, verb):
        if location.get('readOnly'):
            raise errors.InputError('Resource location "%s" is managed by Citrix (readOnly) and cannot be %s'
                                    % (location['name'], verb), hint='choose a location your organization manages')

    def ensure_present(self, name, new_name=None, internal_only=None, time_zone=None, check_mode=False):
        validate_location_name(name)
        if new_name is not None:
            validate_location_name(new_name, 'new_name')
        locations = self.list()
        current = self.find(locations, name)
        if new_name is not None and new_name != name:
            renamed = self.find(locations, new_name)
            if current and renamed and current['id'] != renamed['id']:
                raise errors.InputError('Cannot rename resource location "%s" to "%s": a location with that name '
                                        'already exists' % (name, new_name),
                                        hint='delete or rename the other location first')
            if current is None and renamed is None:
                raise errors.NotFoundError('Cannot rename resource location "%s": neither it nor "%s" exists'
                                           % (name, new_name),
                                           hint='create it first, or drop new_name to create "%s"' % name)
            current = current or renamed
        if current is None:
            model = {'name': new_name if new_name is not None else name, 'internalOnly': bool(internal_only)}
            if time_zone is not None:
                model['timeZone'] = time_zone
            after = model if check_mode else self.create(model)
            return Change(True, None, after)
        model = location_model(current)
        if new_name is not None:  # a name only finds the location; only new_name renames it (even its case)
            model['name'] = new_name
        if internal_only is not None:
            model['internalOnly'] = internal_only
        if time_zone is not None:
            model['timeZone'] = time_zone
        if model == location_model(current):
            return Change(False, current, current)
        self._refuse_read_only(current, 'changed')
        after = dict(current, **model) if check_mode else self.update(current, model)
        return Change(True, current, after)

    def ensure_absent(self, name, check_mode=False):
        validate_location_name(name)
        current = self.find(self.list(), name)
        if current is None:
            return Change(False)
        self._refuse_read_only(current, 'deleted')
        if not check_mode:
            self.delete(current)
        return Change(True, current, None)
