"""XenServer pool (service ``xenserver``): the XenAPI over XML-RPC, the way xapi answers it.

Shapes come from seed 004 and ../shared/specs/xenapi (the datamodel in ``data/xenapi-model.json``,
``errors.json`` for error parameters, ``power-states.md`` for which operation runs in which power
state and the order of the checks):

- every answer is ``{"Status": "Success", "Value": ...}`` or ``{"Status": "Failure",
  "ErrorDescription": [code, *params]}``; 64-bit ints travel as strings; references are
  ``OpaqueRef:<uuid>``; ``OpaqueRef:NULL`` is the empty reference;
- the pool master listens on 127.0.0.1; members listen on 127.0.0.2, 127.0.0.3... on the SAME port
  and answer every call with ``HOST_IS_SLAVE [master address]``;
- sessions from ``session.login_with_password`` (limit per originator, oldest evicted; idle expiry),
  ``SESSION_INVALID`` for an unknown or evicted session;
- arity checked against the datamodel (``MESSAGE_PARAMETER_COUNT_MISMATCH``), unknown methods
  ``MESSAGE_METHOD_UNKNOWN``, parameter types ``FIELD_TYPE_ERROR``, references ``HANDLE_INVALID``;
- implicit messages (get_record, get_all, get_all_records, get_all_records_where, get_by_uuid,
  get_by_name_label, field getters and setters, map/set editors) served generically from the model;
- VM operations follow the power-state table and check order; long operations run as tasks on the
  simulator clock (``Async.*`` returns the task at once, a synchronous call waits for it), with
  progress, ``result`` as an XML-RPC value, ``error_info`` and ``task.cancel``;
- ``event.from`` over classes, ``class/ref`` and ``*``, blocking up to its timeout, with xapi's
  token format and ``EVENTS_LOST`` once deletion history was dropped;
- guest metrics (OS, IP addresses) appear ``boot_seconds`` of simulator time after a VM starts.

Every XML-RPC method is its own route (``xenserver.VM.start``, ``xenserver.Async.VM.clone``...), so
``sim.stats`` counts calls per method and writes per method, and faults can target one method.

Modules:
- ``xenapi_model.py`` (and ``data/``): the datamodel; ``xenapi_db.py``: the object database, events and
  the filter language of ``get_all_records_where``;
- ``estate.py``: the pool's layout and the estate it is seeded with;
- ``vm_parts.py``: VMs, disks, NICs, guest reports; ``vm_checks.py``: xapi's checks of an operation;
  ``vm_operations.py``: the VM messages; ``tasks.py``: pending operations, tasks and time;
- ``sessions.py``: logins and session checks; ``messages.py``: implicit and explicit messages;
- ``wire.py``: values as xapi sends them; ``rpc.py``: the XML-RPC dispatch;
- ``listeners.py``: one listener per host; ``service.py``: the composition, test knobs and admin routes.
"""

from tests.simulator.services.xenserver.service import XenServerPool

SERVICE = XenServerPool
