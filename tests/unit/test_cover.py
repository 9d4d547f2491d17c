"""Cover requests' rules (incidents/cover.py): what may be asked, who may take it, when the team is told."""

from datetime import UTC, datetime, timedelta

import pytest

from incidents.cover import CoverRequest, Refused, asked_span, check_cancel, check_take, others, to_flag
from incidents.schedules import Layer, Schedule, Shift

T = datetime(2027, 3, 1, 9, tzinfo=UTC)
H = timedelta(hours=1)
# alice 9-21 then again 21-33 (two shifts in a row), bob 33-45.
TIMELINE = [Shift("alice", T, T + 12 * H), Shift("alice", T + 12 * H, T + 24 * H), Shift("bob", T + 24 * H, T + 36 * H)]


def test_a_request_covers_time_the_requester_is_on_call_and_starts_now_at_the_earliest():
    assert asked_span(TIMELINE, "alice", T + 2 * H, T + 4 * H, T) == (T + 2 * H, T + 4 * H)
    assert asked_span(TIMELINE, "alice", T, T + 24 * H, T + H) == (T + H, T + 24 * H)  # two shifts in a row
    with pytest.raises(ValueError, match="start"):
        asked_span(TIMELINE, "alice", T + 20 * H, T + 25 * H, T)  # runs into bob's shift
    with pytest.raises(ValueError, match="start"):
        asked_span(TIMELINE, "bob", T, T + 30 * H, T)
    with pytest.raises(ValueError, match="end"):
        asked_span(TIMELINE, "alice", T + 4 * H, T + 2 * H, T)
    with pytest.raises(ValueError, match="end"):
        asked_span(TIMELINE, "alice", T, T + H, T + 2 * H)  # over already


def request(**changes):
    fields = {"id": 7, "schedule": "s", "requester": "alice", "start": T, "end": T + H, "note": "", "created_at": T}
    return CoverRequest(**(fields | changes))


def test_only_someone_else_takes_an_open_request():
    check_take(request(), "bob", T)
    for taken, who, now in ((request(taken_by="carol"), "bob", T), (request(), "alice", T), (request(), "bob", T + H)):
        with pytest.raises(Refused):
            check_take(taken, who, now)
    with pytest.raises(Refused, match="cancelled"):
        check_cancel(request(cancelled_at=T), T)


def test_the_others_are_every_participant_but_the_requester_and_the_team_hears_a_day_ahead():
    layers = (
        Layer("a", datetime(2027, 1, 1), 24 * H, ("alice", "bob")),
        Layer("b", datetime(2027, 1, 1), H, ("carol", "bob")),
    )
    assert others(Schedule("s", "UTC", layers), "bob") == ("alice", "carol")
    later = request(start=T + 30 * H, end=T + 31 * H)
    assert to_flag([later], T + 5 * H) == [] and to_flag([later], T + 6 * H) == [later]
    assert to_flag([request(start=T + 30 * H, end=T + 31 * H, taken_by="bob")], T + 6 * H) == []
