# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
name: citrix_daas
short_description: Citrix DaaS machines as inventory hosts
version_added: 0.1.0
description:
  - Reads the machines of one or more Citrix DaaS sites (or of an on-premises site, see O(ddc_url)) and makes
    them hosts, with their state in C(citrix_*) variables and default groups by catalog, delivery group, power
    state, registration state and site.
  - Machines are read 1000 per request, asking only for the properties the plugin uses, so 10000 machines take
    ten requests after the sign-in and the site discovery (C(GET /me)).
  - With O(cache) on, the API pages themselves are cached, so a change to O(compose), O(groups) or
    O(keyed_groups) is applied without a new request.
  - Configuration files must end in C(citrix_daas.yml) or C(citrix_daas.yaml). Credentials are best left out of
    the file and taken from the environment (for example from an AWX credential).
author:
  - opencitrix maintainers (@opencitrix)
requirements:
  - requests
options:
  plugin:
    description: Marks this file as a configuration of this plugin.
    type: str
    required: true
    choices: [opencitrix.automation.citrix_daas]
  sites:
    description:
      - Sites to read, by name or ID. Every site of the customer when empty.
    type: list
    elements: str
    default: []
  catalogs:
    description:
      - Only machines of these machine catalogs (names or IDs), read catalog by catalog on the server side.
    type: list
    elements: str
    default: []
  delivery_groups:
    description:
      - Only machines of these delivery groups (names or IDs). Read group by group on the server side, or
        used to narrow the catalogs' machines when O(catalogs) is set too.
    type: list
    elements: str
    default: []
  hostnames:
    description:
      - How to name hosts, in order of preference; the first that a machine has is used.
      - V(dns_name) is the DNS name, V(short_name) the machine name without its domain, V(name) the name as
        the site shows it (C(DOMAIN\\NAME)), V(id) the machine ID, V(ip_address) its IP address.
      - A machine whose name is already taken by another machine is left out, with a warning.
    type: list
    elements: str
    choices: [dns_name, short_name, name, id, ip_address]
    default: [dns_name, short_name]
  ansible_host_source:
    description:
      - What C(ansible_host) is set to. The other one is used when a machine lacks it; a machine with neither
        gets no C(ansible_host).
    type: str
    choices: [dns_name, ip_address]
    default: dns_name
  default_groups:
    description:
      - Add every host to C(citrix_daas) and to groups by catalog (C(citrix_catalog_*)), delivery group
        (C(citrix_delivery_group_*)), power state (C(citrix_power_state_*)), registration state
        (C(citrix_registration_state_*)), site (C(citrix_site_*)) and tag (C(citrix_tag_*), one group per tag of
        the machine). The values are lower-cased and sanitized, for example C(citrix_power_state_off),
        C(citrix_catalog_win11_pooled) or C(citrix_tag_patch_ring_1).
      - Tags come with the machine listing (its C(Tags) property), so they cost no request of their own.
    type: bool
    default: true
  filters:
    description:
      - Jinja2 expressions over the host's variables; a machine is kept only when every one is true.
      - For example C(citrix_session_support == 'MultiSession').
    type: list
    elements: str
    default: []
  exclude_filters:
    description: Jinja2 expressions over the host's variables; a machine is left out when any one is true.
    type: list
    elements: str
    default: []
extends_documentation_fragment:
  - opencitrix.automation.daas.PLUGIN
  - opencitrix.automation.citrix_cloud.PLUGIN
  - opencitrix.automation.transport
  - ansible.builtin.constructed
  - ansible.builtin.inventory_cache
notes:
  - Host names and variables taken from the site (machine, catalog, delivery group, zone and site names...) are
    marked unsafe, also when they come from the cache, so that a template such as C({{ lookup('pipe', ...) }}) in a
    catalog name stays text in every play and in O(compose), O(groups), O(keyed_groups), O(filters) and
    O(exclude_filters). Group names made from such values keep only letters, digits and underscores.
  - >-
    Host variables, all prefixed C(citrix_) - C(citrix_id), C(citrix_name), C(citrix_dns_name), C(citrix_ip_address),
    C(citrix_catalog), C(citrix_catalog_id), C(citrix_delivery_group), C(citrix_delivery_group_id), C(citrix_zone),
    C(citrix_power_state), C(citrix_power_action_pending), C(citrix_supported_power_actions), C(citrix_session_count),
    C(citrix_in_maintenance_mode), C(citrix_registration_state), C(citrix_summary_state), C(citrix_session_support),
    C(citrix_os_type), C(citrix_machine_type), C(citrix_allocation_type), C(citrix_tags), C(citrix_site),
    C(citrix_site_id).
'''

EXAMPLES = r'''
# inventory/production.citrix_daas.yml - credentials from CITRIX_CLIENT_ID, CITRIX_CLIENT_SECRET, CITRIX_CUSTOMER_ID
plugin: opencitrix.automation.citrix_daas
region: eu
sites: [emea-prod]
keyed_groups:
  - key: citrix_os_type
    prefix: os
compose:
  needs_reboot: citrix_session_count == 0 and citrix_power_state == 'On'
# The default groups include citrix_tag_<tag>; for bare tag_<tag> groups as well:
#   keyed_groups: [{key: citrix_tags, prefix: tag}]
cache: true
cache_plugin: ansible.builtin.jsonfile
cache_connection: ~/.cache/citrix_daas_inventory
cache_timeout: 600

# Only two catalogs, without the machines in maintenance mode
# plugin: opencitrix.automation.citrix_daas
# catalogs: [Win11-Pooled, Finance-Static]
# exclude_filters:
#   - citrix_in_maintenance_mode
'''

import hashlib
import json
import re

from ansible.errors import AnsibleError, AnsibleParserError
from ansible.inventory.group import to_safe_group_name
from ansible.module_utils.common.text.converters import to_native
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable

from ansible_collections.opencitrix.automation.plugins.module_utils import errors

try:
    from ansible.errors import AnsibleRequiredOptionError
except ImportError:  # older ansible-core: a missing required option is an AnsibleOptionsError
    from ansible.errors import AnsibleOptionsError as AnsibleRequiredOptionError
from ansible_collections.opencitrix.automation.plugins.module_utils.daas.client import DaasClient
from ansible_collections.opencitrix.automation.plugins.module_utils.daas.machines import (
    Machines, in_delivery_groups, machine_facts,
)
from ansible_collections.opencitrix.automation.plugins.module_utils.transport import HAS_REQUESTS
from ansible_collections.opencitrix.automation.plugins.plugin_utils.environment import BlankEnvironmentIsUnset
from ansible_collections.opencitrix.automation.plugins.plugin_utils.untrusted import UntrustedHosts, untrusted

VARIABLE_PREFIX = 'citrix_'
DEFAULT_GROUPS = ('catalog', 'delivery_group', 'power_state', 'registration_state', 'site')
# Options whose values change what the API returns: part of the cache key. The others (compose, groups,
# keyed_groups, hostnames, filters...) only shape the inventory built from the cached pages.
SOURCE_OPTIONS = ('sites', 'catalogs', 'delivery_groups', 'ddc_url', 'customer_id', 'client_id', 'region', 'api_url')
CREDENTIAL_ENV = {'client_id': 'CITRIX_CLIENT_ID', 'client_secret': 'CITRIX_CLIENT_SECRET',
                  'customer_id': 'CITRIX_CUSTOMER_ID'}


class InventoryModule(BlankEnvironmentIsUnset, UntrustedHosts, BaseInventoryPlugin, Constructable, Cacheable):

    NAME = 'opencitrix.automation.citrix_daas'

    def verify_file(self, path):
        return super(InventoryModule, self).verify_file(path) and path.endswith(('citrix_daas.yml', 'citrix_daas.yaml'))

    def parse(self, inventory, loader, path, cache=True):
        super(InventoryModule, self).parse(inventory, loader, path, cache)
        self._read_config(path)
        if not HAS_REQUESTS:
            raise AnsibleParserError('%s: the Python library "requests" is required (pip install requests)' % path)
        self._check_credentials(path)
        cache_key = '%s_%s' % (self.get_cache_key(path), self._source_fingerprint())
        use_cache = self.get_option('cache') and cache
        update_cache = self.get_option('cache') and not cache
        source = None
        if use_cache:
            try:
                source = self._cache[cache_key]
            except KeyError:
                update_cache = True
        if source is None:
            source = self._read_sites(path)
        if update_cache:
            self._cache[cache_key] = source
        self._populate(source)

    # -- configuration --------------------------------------------------------------------------

    def _read_config(self, path):
        try:
            config = self._read_config_data(path)
        except AnsibleRequiredOptionError as exc:
            missing = re.findall(r"config '(\w+)'", to_native(exc))
            raise AnsibleParserError(self._missing_message(path, missing) if missing else to_native(exc))
        except AnsibleError as exc:
            raise AnsibleParserError('%s: %s' % (path, to_native(exc).split('\n')[0]))
        unknown = sorted(set(config) - set(self._options))
        if unknown:
            raise AnsibleParserError('%s: unknown option%s %s (valid options: %s)' % (
                path, 's' if len(unknown) > 1 else '', ', '.join(unknown), ', '.join(sorted(self._options))))
        return config

    def _check_credentials(self, path):
        needed = ['client_id', 'client_secret'] + ([] if self.get_option('ddc_url') else ['customer_id'])
        missing = [name for name in needed if not self.get_option(name)]
        if missing:
            raise AnsibleParserError(self._missing_message(path, missing))

    @staticmethod
    def _missing_message(path, missing):
        return '%s: missing %s; set %s in the environment (or in the file)' % (
            path, ', '.join(missing), ', '.join(CREDENTIAL_ENV.get(name, name) for name in missing))

    def _source_fingerprint(self):
        source = dict((name, self.get_option(name)) for name in SOURCE_OPTIONS)
        return hashlib.sha256(json.dumps(source, sort_keys=True).encode('utf-8')).hexdigest()[:12]

    def _client_params(self):
        names = ('client_id', 'client_secret', 'customer_id', 'region', 'api_url', 'workspaces_api_url',
                 'token_cache', 'validate_certs', 'ca_path', 'connect_timeout', 'read_timeout', 'retries',
                 'allow_plain_http', 'max_response_size', 'ddc_url')
        return dict((name, self.get_option(name)) for name in names)

    # -- reading the API ------------------------------------------------------------------------

    def _read_sites(self, path):
        """The raw API pages of every site asked for: ``{'sites': [{'id', 'name', 'pages': [...]}]}``."""
        try:
            discovery = DaasClient.from_params(self._client_params())
            sites = self._select_sites(discovery.sites())
            read = []
            for site in sites:
                read.append(dict(site, pages=self._machine_pages(discovery.for_site(site['id'], site['name']))))
            return {'sites': read}
        except errors.CitrixError as exc:
            raise AnsibleParserError('%s: %s' % (path, exc))

    def _select_sites(self, available):
        wanted = self.get_option('sites') or []
        if not wanted:
            return available
        chosen, unknown = [], []
        for key in wanted:
            match = [s for s in available if key.lower() in (str(s['id']).lower(), str(s['name']).lower())]
            if match:
                chosen.extend(s for s in match if s not in chosen)
            else:
                unknown.append(key)
        if unknown:
            raise errors.InputError('Unknown site%s %s' % ('s' if len(unknown) > 1 else '', ', '.join(unknown)),
                                    hint='sites available: %s' % ', '.join(sorted(str(s['name']) for s in available)))
        return chosen

    def _machine_pages(self, client):
        machines = Machines(client)
        catalogs = self.get_option('catalogs') or []
        groups = [] if catalogs else (self.get_option('delivery_groups') or [])
        if not catalogs and not groups:
            return list(machines.pages())
        pages = []
        for catalog in catalogs:
            pages.extend(machines.pages(catalog=catalog))
        for group in groups:
            pages.extend(machines.pages(delivery_group=group))
        return pages

    # -- building the inventory -----------------------------------------------------------------

    def _populate(self, source):
        strict = self.get_option('strict')
        groups_filter = self.get_option('delivery_groups') if self.get_option('catalogs') else []
        seen = {}
        if self.get_option('default_groups'):
            self.inventory.add_group('citrix_daas')
        for site in source.get('sites', []):
            for page in site.get('pages', []):
                for machine in page.get('Items') or []:
                    if groups_filter and not in_delivery_groups(machine, groups_filter):
                        continue
                    hostvars = self._hostvars(machine, site)
                    if not self._wanted(hostvars, strict):
                        continue
                    hostname = self._hostname(hostvars)
                    if hostname is None:
                        continue
                    if hostname in seen:
                        self.display.warning('citrix_daas: %s and %s are both named %s; keeping the first' % (
                            seen[hostname], hostvars['citrix_name'], hostname))
                        continue
                    seen[hostname] = hostvars['citrix_name']
                    self._add_host(hostname, hostvars)

    @staticmethod
    def _hostvars(machine, site):
        facts = machine_facts(machine)
        facts.update(site=site.get('name'), site_id=site.get('id'))
        return dict((VARIABLE_PREFIX + key, value) for key, value in facts.items())

    def _wanted(self, hostvars, strict):
        filters, exclude_filters = self.get_option('filters') or [], self.get_option('exclude_filters') or []
        if not (filters or exclude_filters):
            return True
        hostvars = untrusted(hostvars)
        for expression in filters:
            if not self._test(expression, hostvars, strict):
                return False
        for expression in exclude_filters:
            if self._test(expression, hostvars, strict):
                return False
        return True

    def _test(self, expression, hostvars, strict):
        try:
            return bool(self._compose(expression, hostvars))
        except Exception as exc:  # pylint: disable=broad-except
            if strict:
                raise AnsibleParserError('citrix_daas: could not evaluate filter %r for %s: %s' % (
                    expression, hostvars['citrix_name'], to_native(exc)))
            return False

    def _hostname(self, hostvars):
        name = hostvars['citrix_name'] or ''
        candidates = {'dns_name': hostvars['citrix_dns_name'], 'short_name': name.rsplit('\\', 1)[-1] or None,
                      'name': name or None, 'id': hostvars['citrix_id'], 'ip_address': hostvars['citrix_ip_address']}
        for preference in self.get_option('hostnames'):
            if candidates.get(preference):
                return candidates[preference]
        return None

    def _add_host(self, hostname, hostvars):
        variables = dict(hostvars)
        sources = ('citrix_dns_name', 'citrix_ip_address')
        if self.get_option('ansible_host_source') == 'ip_address':
            sources = tuple(reversed(sources))
        address = hostvars[sources[0]] or hostvars[sources[1]]
        if address:
            variables['ansible_host'] = address
        groups = []
        if self.get_option('default_groups'):
            groups.append('citrix_daas')
            for key in DEFAULT_GROUPS:
                value = hostvars[VARIABLE_PREFIX + key]
                if value:
                    groups.append(self._default_group(key, value))
            groups.extend(self._default_group('tag', tag) for tag in hostvars[VARIABLE_PREFIX + 'tags'])
        self._add_untrusted_host(hostname, variables, groups)

    def _default_group(self, key, value):
        name = '%s%s_%s' % (VARIABLE_PREFIX, key, str(value).lower())
        return self.inventory.add_group(to_safe_group_name(name, force=True, silent=True))
