"""A schedule as people read it (incidents/shifts.py): now and next, "I'll take it from here", which of two
overlapping overrides wins, who each level pages now, and the next escalation of an incident."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from incidents.escalation_state import ACKNOWLEDGED, RESOLVED, TRIGGERED, State
from incidents.policy import EscalationPolicy, Level, Plan, Target
from incidents.schedules import Layer, Override, Schedule, final
from incidents.severity import Severity
from incidents.shifts import next_escalation, now_and_next, now_and_next_in, on_levels, overlaps, take_until

NOW = datetime(2027, 3, 3, 12, 0, tzinfo=UTC)  # a Wednesday
DAILY = Layer("daily", datetime(2027, 3, 1, 9, 0), timedelta(days=1), ("alice", "bob"))
ROTA = Schedule("rota", "UTC", (DAILY,))


def at(day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(2027, 3, day, hour, minute, tzinfo=UTC)


def override(person: str, start: datetime, end: datetime, created: datetime, n: int) -> Override:
    return Override(person, start, end, created, n)


def test_now_and_next_say_who_is_on_call_until_when_and_who_follows_from_when():
    found = now_and_next(ROTA, NOW)
    assert (found.now.person, found.now.end) == ("alice", at(4, 9))
    assert (found.next.person, found.next.start) == ("bob", at(4, 9))


def test_taking_it_now_lasts_until_the_end_of_the_current_shift():
    assert take_until(ROTA, NOW) == at(4, 9)


def test_taking_it_now_with_nobody_on_call_lasts_until_the_next_persons_shift_starts():
    later = Schedule("rota", "UTC", (replace(DAILY, start=datetime(2027, 3, 5, 9, 0)),))
    assert take_until(later, NOW) == at(5, 9)


def test_taking_it_now_with_nobody_on_call_for_14_days_lasts_12_hours():
    empty = Schedule("rota", "UTC", (replace(DAILY, start=datetime(2027, 4, 1, 9, 0)),))
    assert take_until(empty, NOW) == NOW + timedelta(hours=12)


def test_taking_it_now_counts_the_overrides_and_lasts_at_most_14_days():
    covered = [override("carol", at(3, 10), at(3, 15), at(1), 1)]
    assert take_until(ROTA, NOW, covered) == at(3, 15)
    one_person = Schedule("rota", "UTC", (replace(DAILY, participants=("alice",)),))
    assert take_until(one_person, NOW) == NOW + timedelta(days=14)


def test_of_two_overlapping_overrides_the_later_created_wins_the_overlap_and_final_agrees():
    first = override("carol", at(3, 14), at(3, 20), created=at(1), n=1)
    second = override("dave", at(3, 18), at(3, 22), created=at(2), n=2)
    apart = override("erin", at(5, 0), at(5, 1), created=at(2), n=3)
    (found,) = overlaps([second, first, apart])
    assert (found.winner, found.loser, found.start, found.end) == (second, first, at(3, 18), at(3, 20))
    who = {s.person for s in final(ROTA, at(3, 18), at(3, 20), [first, second])}
    assert who == {"dave"}


def test_each_level_names_who_it_pages_now():
    policy = EscalationPolicy(
        (
            Level((Target("schedule", "rota"), Target("team", "sre")), timedelta(minutes=30)),
            Level((Target("user", "sre-manager"),), timedelta(minutes=15)),
            Level((Target("schedule", "empty"),), timedelta(minutes=15)),
        )
    )
    found = on_levels(policy, {"rota": "alice"}.get)
    assert [(o.level, o.target.kind, o.person) for o in found] == [
        (1, "schedule", "alice"),
        (1, "team", None),
        (2, "user", "sre-manager"),
        (3, "schedule", None),
    ]


PLAN = Plan(
    EscalationPolicy(
        (
            Level((Target("user", "alice"),), timedelta(minutes=30)),
            Level((Target("user", "bob"),), timedelta(minutes=15)),
        )
    )
)
PAGED = State(TRIGGERED, Severity.SEV3, opened_at=NOW, level=0, due_at=NOW + timedelta(minutes=30))


def test_the_next_escalation_pages_the_next_level_when_the_timeout_ends():
    pending = next_escalation(PLAN, PAGED)
    assert (pending.at, pending.level) == (NOW + timedelta(minutes=30), 2)


def test_after_the_last_level_the_next_escalation_pages_nobody():
    pending = next_escalation(PLAN, replace(PAGED, level=1))
    assert pending.level is None and "escalation ends" in pending.why


def test_an_acknowledged_incident_is_paged_again_when_the_acknowledgement_times_out():
    acked = replace(PAGED, status=ACKNOWLEDGED, due_at=NOW + timedelta(hours=4))
    assert (next_escalation(PLAN, acked).level, next_escalation(PLAN, acked).at) == (1, NOW + timedelta(hours=4))


def test_the_still_unresolved_rule_is_the_next_escalation_when_it_comes_first():
    sev2 = replace(PAGED, severity=Severity.SEV2, unresolved_due_at=NOW + timedelta(minutes=10))
    pending = next_escalation(PLAN, sev2)
    assert (pending.at, pending.level, pending.why) == (NOW + timedelta(minutes=10), 2, "SEV2 still unresolved")


def test_a_resolved_or_exhausted_incident_has_no_escalation_pending():
    assert next_escalation(PLAN, replace(PAGED, status=RESOLVED)) is None
    assert next_escalation(PLAN, replace(PAGED, level=1, due_at=None, exhausted=True)) is None


def test_now_and_next_read_from_a_timeline_agree_with_those_computed_or_say_they_cannot():
    made = [override("carol", at(3, 13), at(3, 14), at(1), 1)]
    assert now_and_next_in(final(ROTA, at(3), at(5), made), NOW) == now_and_next(ROTA, NOW, made)
    assert now_and_next_in(final(ROTA, at(3), at(4, 8)), NOW) is None  # nobody next within it
