"""Cover requests (#16 §2): a person on call asks the others on the schedule to take one of their shifts,
or a part of it; the first to take it gets an override for that time. Pure rules: who may ask for what,
who may take it, and what a request's state is."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from incidents.schedules import Schedule, Shift

OPEN, TAKEN, CANCELLED, ENDED = "open", "taken", "cancelled", "ended"
# An open request is flagged to the schedule's team this long before it starts.
FLAG_BEFORE = timedelta(days=1)


class Refused(Exception):
    """The request cannot be taken or cancelled as it stands (taken already, ended, your own): 409."""


@dataclass(frozen=True)
class CoverRequest:
    id: int
    schedule: str
    requester: str
    start: datetime
    end: datetime
    note: str
    created_at: datetime
    taken_by: str | None = None
    taken_at: datetime | None = None
    cancelled_at: datetime | None = None

    def state(self, now: datetime) -> str:
        if self.taken_by:
            return TAKEN
        if self.cancelled_at:
            return CANCELLED
        return ENDED if self.end <= now else OPEN


def asked_span(timeline: list[Shift], requester: str, start: datetime, end: datetime, now: datetime):
    """The span a request covers ([start, end), starting now at the earliest); ValueError (field, reason)
    unless the requester is on call throughout it in `timeline` (the schedule's final timeline)."""
    start = max(start, now)
    if end <= start:
        raise ValueError("end", "must be after `start` and after now")
    mine = sorted((s.start, s.end) for s in timeline if s.person == requester)
    covered = start
    for a, b in mine:
        if a <= covered < b:
            covered = b
    if covered < end:
        raise ValueError("start", f"{requester} is not on call for the whole of this time")
    return start, end


def check_take(request: CoverRequest, taker: str, now: datetime) -> None:
    """Refused unless the request is open and `taker` is someone else."""
    state = request.state(now)
    if state != OPEN:
        raise Refused(f"cover request {request.id} is {state}")
    if taker == request.requester:
        raise Refused("you cannot cover your own request")


def check_cancel(request: CoverRequest, now: datetime) -> None:
    if request.state(now) != OPEN:
        raise Refused(f"cover request {request.id} is {request.state(now)}")


def others(schedule: Schedule, requester: str) -> tuple[str, ...]:
    """Who is asked: every participant of the schedule's layers but the requester, in order of appearance."""
    seen = dict.fromkeys(p for layer in schedule.layers for p in layer.participants if p != requester)
    return tuple(seen)


def to_flag(requests: list[CoverRequest], now: datetime) -> list[CoverRequest]:
    """Open requests starting within FLAG_BEFORE: the schedule's team is told nobody took them yet."""
    return [r for r in requests if r.state(now) == OPEN and r.start - FLAG_BEFORE <= now]
