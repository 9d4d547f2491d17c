"""PagerDuty answering 500 for five minutes, then 429 with Retry-After: every page delivered once
afterwards, each page's delay on record; due order per incident measured.

Played at 1/30 scale so the suite stays short: the retry backoff's base and cap are settings
(INCIDENTS_PAGE_RETRY_BASE_SECONDS 1 s -> 1/30 s, INCIDENTS_PAGE_RETRY_CAP_SECONDS 300 s -> 10 s), and
the outage is 10 s of 500s (five minutes / 30) then 2 s of 429s with `Retry-After: 2` (a minute / 30).
Retries, their doubling and the give-up keep their shape: a page tried 8 times over ~9 s here is
tried 8 times over ~4.5 minutes in production. Five incidents page their first level, and their
second level falls due during the outage too.
"""

import time

import pytest

from tests.e2e.conftest import MANAGER_KEY, SRE_KEY
from tests.fake_pagerduty import FakePagerDuty
from tests.faults.counting import page_discrepancies, percentile, steady, triggers
from tests.faults.sending import post_group, trigger_pages
from tests.support import eventually

pytestmark = pytest.mark.faults
SCALE = 30
ERRORS, THROTTLED = 300 / SCALE, 60 / SCALE  # seconds of 500s, then of 429s
INCIDENTS = 5


class FailingPagerDuty(FakePagerDuty):
    """Answers 500 for ERRORS seconds from `fail()`, then 429 with Retry-After for THROTTLED seconds."""

    started = None

    def fail(self) -> None:
        self.started = time.monotonic()

    def forced(self) -> int | None:
        elapsed = time.monotonic() - self.started if self.started is not None else -1
        if 0 <= elapsed < ERRORS:
            return 500
        return 429 if 0 <= elapsed < ERRORS + THROTTLED else None

    def headers(self, status: int) -> dict:
        return {"Retry-After": str(int(THROTTLED))} if status == 429 else {}

    def _receive(self, body: bytes):
        status = self.forced()
        if status is None:
            return super()._receive(body)
        return self._record(status, {}, {"status": "error", "message": f"outage: {status}"})


def test_pages_during_a_pagerduty_outage_are_all_delivered_once_afterwards_in_due_order(fault_stack):
    fake = FailingPagerDuty()
    env_ = {"INCIDENTS_PAGE_RETRY_BASE_SECONDS": 1 / SCALE, "INCIDENTS_PAGE_RETRY_CAP_SECONDS": 300 / SCALE}
    stack = fault_stack(pagerduty=fake, env_=env_, level_timeouts=(3, 600))
    stack.start_web()
    stack.start_worker()
    stack.start_beat()
    eventually(lambda: " ready." in stack.processes["worker"].log(), timeout=60)
    fake.fail()
    for n in range(INCIDENTS):
        assert post_group(stack.web, f"Outage{n}") == 200
        time.sleep(0.3)

    eventually(lambda: len(fake.triggers()) >= 2 * INCIDENTS, timeout=ERRORS + THROTTLED + 30)
    received = steady(lambda: triggers(fake), quiet=3)
    pages = trigger_pages(stack.engine)
    statuses = [status for status, _ in fake.requests]
    late = [(page.sent_at - page.due_at).total_seconds() for page in pages if page.sent_at is not None]
    print(
        f"\nPagerDuty answered {statuses.count(500)} x 500, {statuses.count(429)} x 429, {statuses.count(202)} x 202; "
        f"pages {[(p.step, p.status, p.attempts) for p in pages]}; delay sent_at - due_at "
        f"p50 {percentile(late, 0.5):.1f} s, max {max(late, default=0):.1f} s"
    )
    assert {page.status for page in pages} == {"sent"}
    assert page_discrepancies([(p.routing_key, p.dedup_key) for p in pages], received) == []
    assert len(pages) == 2 * INCIDENTS and all(page.attempts > 1 for page in pages)
    order = {dedup: i for i, (_, dedup) in enumerate(received)}
    inverted = 0
    for incident in {page.incident_id for page in pages}:
        mine = sorted((p for p in pages if p.incident_id == incident), key=lambda p: p.due_at)
        assert [p.routing_key for p in mine] == [SRE_KEY, MANAGER_KEY]
        inverted += order[mine[0].dedup_key] > order[mine[1].dedup_key]
    # Measured, not asserted: each page retries on its own jittered schedule, so after the outage a
    # second level may reach PagerDuty before its first (a known gap, reported on branch faults).
    print(f"incidents whose second level arrived before their first: {inverted} of {INCIDENTS}")
