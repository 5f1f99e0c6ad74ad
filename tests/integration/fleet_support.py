"""Helpers of the fleet-guard tests (DaaS and XenServer): plays of tasks expected to be refused, and the
refusal messages."""


def empty_refusal(noun, scope):
    """The tail of the message refusing an empty target option."""
    return ('refusing to act: an empty target never means every %s (set all_targets: true to act on the whole %s)'
            % (noun, scope))


def play_of(cases):
    """One play running every ``(task name, module FQCN, arguments, message)`` case as a task that may fail;
    the play variable ``empty`` holds ""."""
    tasks = [{'name': name, module: args, 'ignore_errors': True} for name, module, args, _msg in cases]
    return [{'name': 'fleet guards', 'hosts': 'targets', 'gather_facts': False, 'vars': {'empty': ''},
             'tasks': tasks}]


def assert_refused(run, cases):
    """Every case failed with exactly its one-line message."""
    for name, _module, _args, message in cases:
        task = run.task(name)
        assert task['status'] == 'failed', (name, task)
        assert task['result']['msg'] == message, (name, task['result'])
        assert 'Traceback' not in str(task['result'])
