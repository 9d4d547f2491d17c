"""Redis restarted, and flushed, mid-escalation: every due page is sent once after it comes back.

Ten incidents page their first level; their second level falls due while the suite's own Redis is
down. It comes back empty (nothing is saved, and it is flushed too): the wake-up tasks the worker
held, the queues and the beat's messages are gone. The due time in the database is the truth, so
the beat's tick finds the escalations and every second-level page must still arrive, once.
"""

import time

import pytest

from tests.e2e.conftest import MANAGER_KEY, SRE_KEY
from tests.faults.counting import page_discrepancies, steady, triggers
from tests.faults.sending import post_group, trigger_pages
from tests.support import eventually

pytestmark = pytest.mark.faults
INCIDENTS, FIRST_LEVEL = 10, 5  # incidents, and their first level's timeout in seconds


def test_redis_restarted_and_flushed_mid_escalation_sends_every_due_page_once(fault_stack, own_redis):
    stack = fault_stack(level_timeouts=(FIRST_LEVEL, 600))
    stack.start_web()
    stack.start_worker()
    stack.start_beat()
    eventually(lambda: " ready." in stack.processes["worker"].log(), timeout=60)
    opened = time.monotonic()
    assert [post_group(stack.web, f"Redis{n}") for n in range(INCIDENTS)] == [200] * INCIDENTS
    eventually(lambda: len(stack.pagerduty.triggers(SRE_KEY)) == INCIDENTS, timeout=30)

    own_redis.stop()
    assert stack.pagerduty.triggers(MANAGER_KEY) == [], "the second level fell due before Redis went down"
    time.sleep(max(0.0, FIRST_LEVEL + 1 - (time.monotonic() - opened)))  # the second level falls due meanwhile
    own_redis.start()
    assert stack.processes["worker"].popen.poll() is None, "the worker died with Redis:\n" + stack.log()
    print(f"\nRedis down while the second level fell due; {own_redis.flush()} keys after the restart, flushed")

    eventually(lambda: len(stack.pagerduty.triggers(MANAGER_KEY)) >= INCIDENTS, timeout=45)
    received = steady(lambda: triggers(stack.pagerduty), quiet=3)
    due = [(page.routing_key, page.dedup_key) for page in trigger_pages(stack.engine)]
    print(f"pages due {len(due)}, triggers received {len(received)}")
    assert len(due) == 2 * INCIDENTS
    assert page_discrepancies(due, received) == []
    assert {page.status for page in trigger_pages(stack.engine)} == {"sent"}
