# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Options of the DaaS modules and plugins: the connection (the ``daas`` doc fragment), how machines
are named (MACHINE_TARGETS) and narrowed (MACHINE_FILTERS), how fleet modules send changes (BATCH), and
those options as the keyword arguments of :meth:`.machines.Machines.find` and
:func:`.machines.filter_machines`."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.opencitrix.automation.plugins.module_utils.argspec import env_fallback
from ansible_collections.opencitrix.automation.plugins.module_utils.citrix_cloud.client import cloud_argument_spec
from ansible_collections.opencitrix.automation.plugins.module_utils.daas.batch import DEFAULT_BATCH_SIZE
from ansible_collections.opencitrix.automation.plugins.module_utils.daas.client import DEFAULT_CONCURRENCY
from ansible_collections.opencitrix.automation.plugins.module_utils.targets import fleet_argument_spec

REGISTRATION_STATES = ['AgentError', 'Initializing', 'Registered', 'Unknown', 'Unregistered']
TARGET_OPTIONS = ('name', 'names', 'machine_ids', 'catalog', 'delivery_group', 'tag')


def daas_argument_spec():
    """Connection options of the DaaS modules: the Citrix Cloud ones (``customer_id`` is only needed for
    Cloud), the site, and the Delivery Controller that selects the on-premises API."""
    spec = cloud_argument_spec()
    spec['customer_id'] = dict(type='str', fallback=(env_fallback, ['CITRIX_CUSTOMER_ID']))
    spec.update(
        site_id=dict(type='str', fallback=(env_fallback, ['CITRIX_DAAS_SITE_ID'])),
        site_name=dict(type='str', fallback=(env_fallback, ['CITRIX_DAAS_SITE_NAME'])),
        ddc_url=dict(type='str', fallback=(env_fallback, ['CITRIX_DDC_URL'])),
    )
    return spec


def machine_target_argument_spec():
    """How modules name the machines they work on (documented in the ``daas`` MACHINE_TARGETS fragment)."""
    return dict(
        name=dict(type='str'),
        names=dict(type='list', elements='str'),
        machine_ids=dict(type='list', elements='str'),
        catalog=dict(type='str'),
        delivery_group=dict(type='str'),
        tag=dict(type='str'),
    )


def site_activation_argument_spec():
    """Whether a stateful module wakes a hibernated site (the ``daas`` SITE_ACTIVATION fragment)."""
    return dict(
        activate_site=dict(type='bool', default=False),
        activate_site_timeout=dict(type='int', default=1200),
    )


def site_activation(params, check_mode):
    """The ``activate_site`` argument of ``DaasClient.from_params``: the option, never in check mode."""
    return bool(params.get('activate_site')) and not check_mode


def machine_filter_argument_spec():
    """Client-side filters over the targeted machines (the ``daas`` MACHINE_FILTERS fragment)."""
    return dict(
        only_idle=dict(type='bool', default=False),
        skip_maintenance_mode=dict(type='bool', default=False),
        registration_state=dict(type='list', elements='str', choices=REGISTRATION_STATES),
    )


def batch_argument_spec():
    """How fleet modules send their changes (the ``daas`` BATCH fragment; checked by ``batch.batch_options``)."""
    return dict(batch=dict(type='bool', default=True), batch_size=dict(type='int', default=DEFAULT_BATCH_SIZE))


def fleet_write_argument_spec(*option_groups, **options):
    """The options of a DaaS module that changes many objects: its own ``options`` and ``option_groups``
    (such as :func:`machine_target_argument_spec`), then ``concurrency``, ``batch`` / ``batch_size``, the
    blast-radius guards (``all_targets``, ``max_targets``) and ``activate_site``."""
    spec = dict(options, concurrency=dict(type='int', default=DEFAULT_CONCURRENCY))
    for group in option_groups:
        spec.update(group)
    spec.update(batch_argument_spec())
    spec.update(fleet_argument_spec())
    spec.update(site_activation_argument_spec())
    return spec


def machine_targets(params):
    """The MACHINE_TARGETS options as arguments of ``Machines.find`` (``name`` joins ``names``)."""
    return dict(names=[params['name']] + (params['names'] or []), machine_ids=params['machine_ids'],
                catalog=params['catalog'], delivery_group=params['delivery_group'], tag=params['tag'])


def machine_filters(params):
    """The MACHINE_FILTERS options as arguments of ``filter_machines``."""
    return dict((name, params[name]) for name in machine_filter_argument_spec())
