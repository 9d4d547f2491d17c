"""Deciding to roll back: only a candidate of the incident, once; candidates across several services."""

from datetime import UTC, datetime, timedelta

import pytest

from incidents import channel, rollbacks
from incidents.changes import Change, affected_services, rollback_candidates
from incidents.rollbacks import NotACandidate, Rollback

STARTED = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
NOW = STARTED + timedelta(minutes=20)
HOUR = timedelta(hours=1)


def change(minutes_before: int, id_: int, service="checkout", version: str | None = "v1.4.3", commit=None) -> Change:
    at = STARTED - timedelta(minutes=minutes_before)
    return Change(service, f"deploy {id_}", at, "deploy", version=version, commit=commit, id=id_)


def candidates(*changes):
    return rollback_candidates(changes, STARTED, HOUR, NOW)


def test_deciding_to_roll_back_a_candidate_writes_one_entry_naming_the_change():
    (entry,) = rollbacks.decide(candidates(change(10, 7)), (), 7)
    assert (entry.kind, entry.message) == ("rollback_decided", "Decided to roll back deploy 7 (v1.4.3)")
    assert entry.data == {"change_id": 7, "summary": "deploy 7", "version": "v1.4.3"}


def test_deciding_twice_for_the_same_change_is_a_no_op():
    decided = (Rollback(7, "oncall-sre", NOW),)
    assert rollbacks.decide(candidates(change(10, 7)), decided, 7) == ()


def test_another_change_can_still_be_rolled_back_after_one_was():
    decided = (Rollback(7, "oncall-sre", NOW),)
    (entry,) = rollbacks.decide(candidates(change(10, 7), change(20, 8)), decided, 8)
    assert entry.data["change_id"] == 8


@pytest.mark.parametrize("found", [(), (change(90, 7),), (change(10, 8),)])
def test_a_change_that_is_not_a_candidate_of_the_incident_is_refused(found):
    with pytest.raises(NotACandidate, match="change 7"):
        rollbacks.decide(candidates(*found), (), 7)


def test_a_change_without_version_is_named_by_its_short_commit_or_its_summary_alone():
    by_commit = change(10, 1, version=None, commit="0123456789abcdef")
    assert rollbacks.label(by_commit) == "deploy 1 (0123456789ab)"
    assert rollbacks.label(change(10, 2, version=None)) == "deploy 2"


def test_the_decisions_are_read_back_from_timeline_rows():
    rows = [
        type("Row", (), {"kind": "note", "data": {}, "actor": "a", "at": NOW}),
        type("Row", (), {"kind": "rollback_decided", "data": {"change_id": 7}, "actor": "oncall-sre", "at": NOW}),
    ]
    assert rollbacks.decided_of(rows) == (Rollback(7, "oncall-sre", NOW),)


def test_a_rollback_decision_is_a_key_event_of_the_channel():
    row = type("Row", (), {"id": 3, "at": NOW, "kind": "rollback_decided", "message": "Decided to roll back x (v2)"})
    assert channel.key_events([row], pinned=(), source="deploy") == ((NOW, "Decided to roll back x (v2)"),)


def test_candidates_come_from_the_incidents_service_and_every_affected_one_newest_first():
    services = affected_services("checkout", ("checkout", "payments", "search"))
    assert services == ("checkout", "payments", "search")
    found = [change(40, 1, "checkout"), change(5, 2, "payments"), change(20, 3, "search")]
    assert [c.change.service for c in rollback_candidates(found, STARTED, HOUR, NOW)] == [
        "payments",
        "search",
        "checkout",
    ]
