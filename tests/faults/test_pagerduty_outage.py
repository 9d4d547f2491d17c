"""PagerDuty answering 500 for five minutes, then 429 with Retry-After: every page delivered once
afterwards, in due order, and the delays on the incident timelines.

Played short so the suite stays fast: 6 s of 500s, then 429 with `Retry-After: 2` for 2 s from the
first request after them (so that one always meets it). PagerDuty's back-off (incidents.pagerduty_gate)
starts at INCIDENTS_PAGE_RETRY_BASE_SECONDS (0.1 s here, 1 s in production) and doubles up to
INCIDENTS_PAGE_RETRY_CAP_SECONDS (2 s here, 300 s), which also bounds a Retry-After. Five incidents
page their first level during the outage, and their second level falls due during it too.
"""

import time

import pytest
import sqlalchemy as sa

from tests.e2e.conftest import MANAGER_KEY, SRE_KEY
from tests.fake_pagerduty import FakePagerDuty
from tests.faults.counting import page_discrepancies, percentile, steady, triggers
from tests.faults.sending import post_group, trigger_pages
from tests.support import eventually

pytestmark = pytest.mark.faults
ERRORS, THROTTLED = 6.0, 2  # seconds of 500s; then the Retry-After of the 429s, and how long they last
INCIDENTS = 5


class FailingPagerDuty(FakePagerDuty):
    """Answers 500 for ERRORS seconds from `fail()`, then 429 with `Retry-After: THROTTLED` for
    THROTTLED seconds from the first request after that; `times` holds each request's arrival."""

    started = throttled = None

    def __init__(self):
        super().__init__()
        self.times: list[float] = []

    def fail(self) -> None:
        self.started = time.monotonic()

    def forced(self, now: float) -> int | None:
        if self.started is None or now - self.started < 0:
            return None
        if now - self.started < ERRORS:
            return 500
        self.throttled = self.throttled or now
        return 429 if now - self.throttled < THROTTLED else None

    def headers(self, status: int) -> dict:
        return {"Retry-After": str(THROTTLED)} if status == 429 else {}

    def _receive(self, body: bytes):
        now = time.monotonic()
        with self._lock:
            status = self.forced(now)
            self.times.append(now)
        if status is None:
            return super()._receive(body)
        return self._record(status, {}, {"status": "error", "message": f"outage: {status}"})


def page_entries(engine) -> list:
    query = sa.text(
        "SELECT incident_id, at, kind, message, data FROM timeline "
        "WHERE kind IN ('page_sent', 'page_retrying') ORDER BY id"
    )
    with engine.connect() as conn:
        return conn.execute(query).all()


def test_pages_during_a_pagerduty_outage_are_all_delivered_once_afterwards_in_due_order(fault_stack):
    fake = FailingPagerDuty()
    env_ = {"INCIDENTS_PAGE_RETRY_BASE_SECONDS": 0.1, "INCIDENTS_PAGE_RETRY_CAP_SECONDS": THROTTLED}
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
    pages = trigger_pages(stack.engine)  # by due time, then id
    statuses = [status for status, _ in fake.requests]
    late = [(page.sent_at - page.due_at).total_seconds() for page in pages if page.sent_at is not None]
    print(
        f"\nPagerDuty answered {statuses.count(500)} x 500, {statuses.count(429)} x 429, {statuses.count(202)} x 202; "
        f"pages {[(p.step, p.status, p.attempts) for p in pages]}; delay sent_at - due_at "
        f"p50 {percentile(late, 0.5):.1f} s, max {max(late, default=0):.1f} s"
    )
    assert {page.status for page in pages} == {"sent"} and len(pages) == 2 * INCIDENTS
    assert page_discrepancies([(p.routing_key, p.dedup_key) for p in pages], received) == []
    # Every page fell due during the outage and went out after it, oldest due first: the order PagerDuty
    # received them is the due order (here every first level, then every second level).
    assert max(page.due_at for page in pages) < min(page.sent_at for page in pages)
    assert [dedup for _, dedup in received] == [page.dedup_key for page in pages]
    assert [page.routing_key for page in pages] == [SRE_KEY] * INCIDENTS + [MANAGER_KEY] * INCIDENTS
    # While PagerDuty refused, one page at a time asked it (the oldest); the others waited untried.
    assert statuses.count(202) == 2 * INCIDENTS and statuses.count(429) >= 1
    assert sum(page.attempts for page in pages) == len(statuses)
    # Retry-After honoured: nothing reached PagerDuty sooner than it asked after a 429.
    for i, (status, _) in enumerate(fake.requests[:-1]):
        if status == 429:
            assert fake.times[i + 1] - fake.times[i] >= THROTTLED - 0.01, (i, fake.times[i : i + 2])

    entries = page_entries(stack.engine)
    delivered = {entry.data["page_id"]: entry for entry in entries if entry.kind == "page_sent"}
    waited = [entry.data["page_id"] for entry in entries if entry.kind == "page_retrying"]
    assert sorted(waited) == sorted(page.id for page in pages)  # each page said once that it waits
    for page in pages:  # and when it was delivered, how late, on its incident's timeline
        entry = delivered[page.id]
        assert (entry.incident_id, entry.at) == (page.incident_id, page.sent_at)
        assert entry.data["late_seconds"] == pytest.approx((page.sent_at - page.due_at).total_seconds(), abs=0.06)
        assert "after it fell due (PagerDuty was unavailable)" in entry.message
