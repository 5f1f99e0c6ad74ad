"""Run an inventory plugin of this collection in-process, as ``ansible-inventory`` would, and return
what it produced.

The companion of tests/module_runner.py, for matrices that would otherwise cost one
``ansible-inventory`` start-up per cell (the fault matrix): the plugin is loaded through Ansible's
own plugin loader (options, environment variables and doc fragments resolved as usual) and its real
``parse()`` talks to the simulator over real sockets. What the command line adds (the output
format, -vvvv, the inventory cache on disk) is tested with real ``ansible-inventory`` runs through
``tests.harness.Runner.inventory``.
"""

import os

import yaml

from tests.harness import collections_path
from tests.module_runner import environment

_READY = []


def _plugin_loader():
    """Ansible's inventory plugin loader, with this collection on its path (set up once per process)."""
    from ansible.plugins.loader import init_plugin_loader, inventory_loader
    if not _READY:
        import ansible_collections.opencitrix.automation as collection
        # Imported as a plain package (tests import module_utils directly), the collection lacks the
        # routing metadata Ansible's collection loader attaches; an inventory plugin needs none.
        if getattr(collection, '_collection_meta', None) is None:
            collection._collection_meta = {}
        init_plugin_loader([collections_path()])
        _READY.append(True)
    return inventory_loader


def run_inventory(plugin, config, workdir, env=None, name=None):
    """``{'hosts': n, 'groups': [...], 'hostvars': {...}}``, or ``{'failed': True, 'msg': ...}`` when the
    plugin raised an Ansible error (what ansible-inventory reports), or ``{'failed': True, 'escaped':
    <repr>}`` for any other exception (a defect). ``plugin``: short name (``citrix_daas``)."""
    from ansible.errors import AnsibleError
    from ansible.inventory.data import InventoryData
    from ansible.module_utils.common.text.converters import to_native
    from ansible.parsing.dataloader import DataLoader

    path = os.path.join(str(workdir), name or 'matrix.%s.yml' % plugin)
    with open(path, 'w') as handle:
        handle.write(yaml.safe_dump(config, sort_keys=False))
    loader = _plugin_loader()
    inventory = InventoryData()
    with environment(env):
        try:
            instance = loader.get('opencitrix.automation.' + plugin)
            if not instance.verify_file(path):
                return {'failed': True, 'msg': '%s is not a %s inventory file' % (path, plugin)}
            instance.parse(inventory, DataLoader(), path, cache=True)
            try:
                # as ansible-inventory does after a parse: a cache plugin keeps what the run read
                instance.update_cache_if_changed()
            except AttributeError:
                pass  # a plugin without a cache
        except AnsibleError as exc:
            return {'failed': True, 'msg': to_native(exc)}
        except Exception as exc:  # pylint: disable=broad-except
            return {'failed': True, 'escaped': repr(exc)}
    hosts = inventory.hosts
    return {'hosts': len(hosts), 'groups': sorted(inventory.groups),
            'hostvars': {name: dict(host.vars) for name, host in hosts.items()}}
