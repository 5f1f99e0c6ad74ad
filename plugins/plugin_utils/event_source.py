# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What the collection's Event-Driven Ansible sources share: their arguments checked like module
options (types, choices, environment fallbacks), and the loop that runs a blocking client in one
worker thread and puts its events on ansible-rulebook's queue.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import asyncio
import concurrent.futures
import json
import logging
import sys

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.opencitrix.automation.plugins.module_utils import errors
from ansible_collections.opencitrix.automation.plugins.module_utils.redaction import Redactor


def source_params(argument_spec, args, source):
    """``(params, redactor)``: ``args`` validated against ``argument_spec`` (defaults, types, choices,
    environment fallbacks), and a redactor that knows every ``no_log`` value. Raises InputError with
    every problem in one line."""
    result = ArgumentSpecValidator(argument_spec).validate(dict(args or {}))
    params = result.validated_parameters
    redactor = Redactor(params.get(name) for name, spec in argument_spec.items() if spec.get('no_log'))
    if result.error_messages:
        raise errors.InputError('Invalid arguments for the %s event source' % source,
                                api_message=redactor('; '.join(result.error_messages)))
    return params, redactor


async def run_blocking_source(queue, produce, close, pause=0.0):
    """Call ``produce()`` (blocking; returns a list of events) again and again in one worker thread
    and put its events on ``queue``, waiting ``pause`` seconds between calls. On the way out
    (cancellation or an error) ``close()`` runs in the same thread once the call in flight has
    returned, since the clients are not thread-safe; then the cancellation or error goes on."""
    loop = asyncio.get_running_loop()
    worker = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix='opencitrix-eda')
    try:
        while True:
            for event in await loop.run_in_executor(worker, produce):
                await queue.put(event)
            if pause:
                await asyncio.sleep(pause)
    finally:
        try:
            await loop.run_in_executor(worker, close)
        finally:
            worker.shutdown(wait=False)


def run_by_hand(main, argv=None):
    """The sources' runner for manual use: options as JSON in the first argument, connection settings
    from the environment; prints one JSON event per line until interrupted (then logs out). An error
    ends the process with its one-line message."""
    class PrintQueue:
        async def put(self, event):
            sys.stdout.write(json.dumps(event, sort_keys=True) + '\n')
            sys.stdout.flush()

    argv = sys.argv if argv is None else argv
    try:
        args = json.loads(argv[1]) if len(argv) > 1 else {}
    except ValueError as exc:
        raise SystemExit('The options must be one JSON object, such as \'{"interval": 30}\' (%s)' % exc)
    logging.basicConfig(level=logging.INFO)
    try:
        asyncio.run(main(PrintQueue(), args))
    except KeyboardInterrupt:
        pass
    except errors.CitrixError as exc:
        raise SystemExit(str(exc))
