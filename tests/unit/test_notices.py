"""What people on a schedule are told, and when (incidents/notices.py)."""

from datetime import UTC, datetime, timedelta

from incidents.chat import ChatConfig
from incidents.notices import STALE, changed, gaps, handoffs, retry_after
from incidents.schedules import Layer, Schedule, Shift, final

# Daily at 09:00 in New York: alice, then bob. 2027-03-01 09:00 EST is 14:00 UTC.
DAILY = Schedule(
    "primary",
    "America/New_York",
    (Layer("daily", datetime(2027, 3, 1, 9), timedelta(days=1), ("alice", "bob")),),
    team="sre",
)
HANDOFF = datetime(2027, 3, 2, 14, tzinfo=UTC)  # alice hands over to bob


def timeline(schedule=DAILY, around=HANDOFF):
    return final(schedule, around - timedelta(days=1), around + timedelta(days=1))


def keys(found):
    return [(n.key, n.channel, n.to) for n in found]


def test_the_incoming_person_is_told_an_hour_before_and_both_at_the_handoff():
    hour_before = HANDOFF - timedelta(hours=1)
    assert keys(handoffs(DAILY, timeline(), hour_before - timedelta(seconds=1))) == []
    before = handoffs(DAILY, timeline(), hour_before + timedelta(minutes=1))
    assert keys(before) == [("before:primary:bob:2027-03-02T14:00:00Z:email", "email", ("bob",))]
    assert before[0].subject == "You are on call for primary from Tue 2 Mar 09:00 EST (14:00 UTC)"
    at = handoffs(DAILY, timeline(), HANDOFF + timedelta(seconds=30), ["INC-4 Disk full"])
    assert keys(at) == [("handoff:primary:2027-03-02T14:00:00Z:email", "email", ("alice", "bob"))]
    assert "alice hands primary over to bob" in at[0].body and "- INC-4 Disk full" in at[0].body


def test_a_notice_whose_moment_passed_long_ago_is_not_sent_late():
    assert keys(handoffs(DAILY, timeline(), HANDOFF + STALE + timedelta(seconds=1))) == []


def test_the_notice_length_is_the_schedules_and_chat_gets_a_copy():
    early = Schedule(
        DAILY.name, DAILY.time_zone, DAILY.layers, handoff_notice=timedelta(hours=12), chat=ChatConfig("u")
    )
    found = handoffs(early, timeline(early), HANDOFF - timedelta(hours=11, minutes=59))
    assert [(n.channel, n.to) for n in found] == [("email", ("bob",)), ("chat", ())]


def test_a_person_whose_shifts_changed_is_told_what_was_and_what_is():
    now = datetime(2027, 3, 1, 15, tzinfo=UTC)
    was = final(DAILY, now, now + timedelta(days=14))
    # carol takes bob's whole shift of 2 March: only bob and carol see a change.
    is_now = [Shift("carol", s.start, s.end) if s.start == HANDOFF else s for s in was]
    found = changed(DAILY, was, is_now, now, now + timedelta(days=14), "seen")
    assert sorted(n.to for n in found) == [("bob",), ("carol",)]
    carol = next(n for n in found if n.to == ("carol",))
    assert carol.key == "changed:primary:carol:seen" and carol.channel == "email"
    assert "Now:\n- Tue 2 Mar" in carol.body and "Before:\n- none" in carol.body
    assert changed(DAILY, was, was, now, now + timedelta(days=14), "seen") == []


def test_a_gap_is_told_to_the_team_once_a_day():
    later = Schedule("later", "UTC", (Layer("l", datetime(2027, 3, 5, 0), timedelta(days=1), ("alice",)),), team="sre")
    now = datetime(2027, 3, 1, 12, tzinfo=UTC)
    found = gaps(later, final(later, now, now + timedelta(days=14)), now, ("alice", "bob"))
    assert keys(found) == [("gaps:later:2027-03-01:email", "email", ("alice", "bob"))]
    assert "- Mon 1 Mar 12:00 UTC" in found[0].body and "to Fri 5 Mar 00:00 UTC" in found[0].body
    no_team = Schedule("later", "UTC", later.layers)
    assert gaps(no_team, final(later, now, now + timedelta(days=14)), now, ()) == []
    covered = datetime(2027, 3, 2, tzinfo=UTC)  # DAILY has someone on call from 1 March 14:00 UTC on
    assert gaps(later, final(DAILY, covered, covered + timedelta(days=14)), covered, ("alice",)) == []


def test_a_failed_notice_is_tried_again_later_and_given_up_after_ten_attempts():
    assert [retry_after(n) for n in (1, 2, 3)] == [timedelta(seconds=s) for s in (30, 60, 120)]
    assert retry_after(7) == timedelta(seconds=1920) and retry_after(9) == timedelta(hours=1)
    assert retry_after(10) is None
