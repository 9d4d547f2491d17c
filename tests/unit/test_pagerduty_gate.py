"""PagerDuty's shared back-off (incidents.pagerduty_gate), its Retry-After, and what a page that waited
for it says on the timeline."""

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from incidents import paging
from incidents.pagerduty_gate import Gate, after, answered, drained, refused
from workers.pagerduty import retry_after

NOW = datetime(2026, 12, 5, 14, 0, tzinfo=UTC)


def doubling(failures: int) -> float:
    return 2.0**failures


def test_an_open_gate_has_no_wait_and_a_closed_one_counts_down():
    assert Gate().wait(NOW) == 0.0
    gate = Gate(NOW + timedelta(seconds=90))
    assert gate.wait(NOW) == 90.0
    assert gate.wait(NOW + timedelta(seconds=100)) == 0.0


def test_refusals_in_a_row_double_the_wait_and_ask_for_a_catch_up_in_order():
    first = refused(Gate(), NOW, retry_after=None, backoff=doubling, cap=300, reason="PagerDuty answered 500")
    second = refused(first, NOW, retry_after=None, backoff=doubling, cap=300, reason="PagerDuty answered 502")
    assert (first.wait(NOW), first.failures, first.catching_up) == (1.0, 1, True)
    assert (second.wait(NOW), second.failures, second.reason) == (2.0, 2, "PagerDuty answered 502")


def test_retry_after_is_honoured_up_to_the_cap_and_never_shortens_a_longer_closure():
    gate = refused(Gate(), NOW, retry_after=30, backoff=doubling, cap=300, reason="PagerDuty answered 429")
    assert gate.wait(NOW) == 30.0
    assert refused(Gate(), NOW, retry_after=86400, backoff=doubling, cap=300, reason="429").wait(NOW) == 300.0
    closed_long = Gate(NOW + timedelta(seconds=200), 3, True)
    assert refused(closed_long, NOW, retry_after=5, backoff=doubling, cap=300, reason="429").wait(NOW) == 200.0


def test_a_batch_counts_one_failure_with_its_longest_retry_after_and_its_first_reason():
    gate = Gate(None, 4, True)
    refusals = [(None, "PagerDuty answered 500"), (7.0, "PagerDuty answered 429"), (3.0, "PagerDuty answered 429")]
    mixed = after(gate, NOW, took=True, refusals=refusals, backoff=doubling, cap=300)
    # A page taken resets the failures in a row before the refusals count: one failure, Retry-After 7 s.
    assert (mixed.failures, mixed.wait(NOW), mixed.reason, mixed.catching_up) == (
        1,
        7.0,
        "PagerDuty answered 500",
        True,
    )
    refused_only = after(gate, NOW, took=False, refusals=[(None, "PagerDuty unreachable")], backoff=doubling, cap=300)
    assert (refused_only.failures, refused_only.wait(NOW)) == (5, 16.0)
    assert after(gate, NOW, took=True, refusals=[], backoff=doubling, cap=300) == Gate(None, 0, True)


def test_the_catch_up_ends_only_once_pagerduty_took_a_page_and_the_queue_is_empty():
    catching_up = Gate(NOW, 3, True, "PagerDuty answered 500")
    assert drained(catching_up) == catching_up  # nothing taken yet: the next page is still a probe
    assert drained(answered(catching_up)) == Gate()


def test_retry_after_reads_seconds_or_an_http_date_and_ignores_the_rest():
    assert retry_after("120", NOW) == 120.0
    assert retry_after("Sat, 05 Dec 2026 14:01:30 GMT", NOW) == 90.0
    assert retry_after("Sat, 05 Dec 2026 13:00:00 GMT", NOW) == 0.0  # a date past is now
    assert retry_after(None, NOW) is None
    assert retry_after("soon", NOW) is None
    assert retry_after("-5", NOW) == 0.0


def page(**fields):
    values = {
        "id": 7,
        "action": "trigger",
        "step": "0.0",
        "step_kind": "level",
        "target_kind": "user",
        "target_name": "oncall-sre",
    }
    return SimpleNamespace(**(values | fields))


def test_a_page_that_waited_for_pagerduty_says_how_late_it_was_delivered():
    entry = paging.delivered(page(), late=timedelta(minutes=5, seconds=12))
    assert (
        entry.message == "Page delivered to user oncall-sre, 5 min 12 s after it fell due (PagerDuty was unavailable)"
    )
    assert entry.data == {"page_id": 7, "action": "trigger", "late_seconds": 312.0}
    assert paging.delivered(page()).message == "Page delivered to user oncall-sre"


def test_a_page_held_by_the_back_off_before_its_first_try_says_it_waits():
    held = page(status="pending", attempts=0, last_error="PagerDuty answered 500")
    assert paging.outcome(held) == "not delivered yet (PagerDuty answered 500); waiting for PagerDuty"
    assert paging.outcome(page(status="pending", attempts=0, last_error=None)) == "queued"
