import threading
import time

from ansible_collections.opencitrix.automation.plugins.module_utils import errors
from ansible_collections.opencitrix.automation.plugins.module_utils.concurrency import clamp, run_bounded


def test_clamp():
    assert clamp(0) == 1 and clamp(500, hard_cap=50) == 50 and clamp('7') == 7 and clamp(None) == 1


def test_run_bounded_never_exceeds_the_limit_and_keeps_order():
    lock = threading.Lock()
    state = {'now': 0, 'peak': 0}

    def work(n):
        with lock:
            state['now'] += 1
            state['peak'] = max(state['peak'], state['now'])
        time.sleep(0.01)
        with lock:
            state['now'] -= 1
        if n == 3:
            raise errors.ApiError('boom', api_message='machine 3')
        if n == 4:
            raise ValueError('bug')
        return n * 2

    outcomes = run_bounded(range(20), work, concurrency=4)
    assert state['peak'] <= 4
    assert [o.item for o in outcomes] == list(range(20))
    assert outcomes[5].value == 10 and outcomes[3].error.api_message == 'machine 3'
    assert isinstance(outcomes[4].error, errors.CitrixError) and not outcomes[4].ok
