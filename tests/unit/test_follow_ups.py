"""Follow-ups: when their owner is reminded (on the due date, once it is over, each once a round) and what a
close, reopen or reassignment means."""

from datetime import UTC, date, datetime

import pytest

from incidents import follow_ups as core
from incidents.paging import trigger_event

DUE = date(2030, 1, 22)
ITEM = core.FollowUp(7, "Alert on disk growth rate", "user", "alice", DUE, core.OPEN)


def at(day: int, hour: int = 0) -> datetime:
    return datetime(2030, 1, day, hour, tzinfo=UTC)


def test_the_first_look_is_the_start_of_the_due_date_in_utc():
    assert core.first_reminder(ITEM) == at(22)
    assert core.first_reminder(core.FollowUp(1, "x", None, None, None, core.OPEN)) is None
    assert core.first_reminder(core.FollowUp(1, "x", "user", "alice", DUE, core.DONE)) is None


@pytest.mark.parametrize(
    ("reminded", "now", "expected"),
    [
        ("", at(21, 23), (None, at(22))),  # not yet
        ("", at(22), (core.DUE, at(23))),  # on the due date
        ("", at(22, 15), (core.DUE, at(23))),
        ("due", at(22, 16), (None, at(23))),  # sent already: wait for the overdue one
        ("due", at(23), (core.OVERDUE, None)),
        ("", at(25), (core.OVERDUE, None)),  # a beat down past both: the overdue one only
        ("overdue", at(30), (None, None)),  # once
    ],
)
def test_reminders_come_on_the_due_date_and_once_it_is_over_each_once(reminded, now, expected):
    item = core.FollowUp(7, "x", "user", "alice", DUE, core.OPEN, reminded=reminded)
    assert core.reminder(item, now) == expected


def test_each_round_and_kind_has_a_step_of_its_own_that_fits_the_pages_column():
    big = core.FollowUp(10**10 - 1, "x", "team", "database", DUE, core.OPEN, round=99)
    assert core.step(ITEM, core.DUE) == "fu7r0:due"
    assert len("resolve:" + core.step(big, core.OVERDUE)) <= 32
    reminder = core.reminder_notice(ITEM, core.DUE).step
    assert (reminder.kind, reminder.key) == ("reminder", "fu7r0:due")


def test_closing_resolves_what_was_paged_and_stops_the_reminders():
    changed = core.change(ITEM, state=core.DONE, by="bob")
    assert changed.item.state == core.DONE and changed.resolve_reminders and not changed.rearm
    assert [e.message for e in changed.entries] == ['Follow-up "Alert on disk growth rate" closed by bob']
    assert core.first_reminder(changed.item) is None


def test_reopening_arms_a_new_round():
    closed = core.FollowUp(7, "x", "user", "alice", DUE, core.DONE, round=0, reminded="overdue")
    changed = core.change(closed, state=core.OPEN, by="bob")
    assert (changed.item.round, changed.item.reminded) == (1, "")
    assert changed.rearm and not changed.resolve_reminders  # closing resolved them already
    assert core.first_reminder(changed.item) == at(22)


def test_a_new_owner_or_date_resolves_the_old_reminders_and_reminds_again():
    reminded = core.FollowUp(7, "x", "user", "alice", DUE, core.OPEN, round=2, reminded="due")
    changed = core.change(reminded, owner=("team", "database"), due_on=date(2030, 2, 1), by="api:ci")
    assert changed.item == core.FollowUp(7, "x", "team", "database", date(2030, 2, 1), core.OPEN, round=3)
    assert changed.resolve_reminders and changed.rearm
    assert [e.message for e in changed.entries] == [
        'Follow-up "x" given to team database by api:ci',
        'Follow-up "x" due 2030-02-01, set by api:ci',
    ]


def test_the_same_values_change_nothing():
    changed = core.change(ITEM, state=core.OPEN, owner=("user", "alice"), due_on=DUE, by="bob")
    assert changed == core.Changed(ITEM, (), False, False)
    nobody = core.FollowUp(7, "x", None, None, None, core.OPEN)
    assert core.change(nobody, owner=None, due_on=None, by="bob").entries == ()


def test_a_wrong_state_is_refused():
    with pytest.raises(ValueError, match="not a state"):
        core.change(ITEM, state="closed", by="bob")


def test_a_reminder_pages_as_info_and_says_what_is_due():
    class Page:
        number, title, service, severity, incident_status = 3, "Disk full", "payments", 1, "resolved"
        routing_key, dedup_key, target_kind, target_name = "k", "d", "user", "alice"
        reason = 'follow-up "Alert on disk growth rate" due today'
        step_kind, headline = "reminder", ""

    event = trigger_event(Page, labels={}, incident_url="u", ack_url="a")
    assert event["payload"]["severity"] == "info"
    assert event["payload"]["summary"] == '[INC-3] follow-up "Alert on disk growth rate" due today'
    Page.step_kind = "level"
    assert trigger_event(Page, labels={}, incident_url="u", ack_url="a")["payload"]["severity"] == "critical"
