"""Cover requests (#16 §2): ask the others on a schedule to cover a shift or part of it; the first to take it
gets an override for that time, and the requester is told. Each command is one transaction."""

import dataclasses
from datetime import datetime, timedelta

import sqlalchemy as sa
from marshmallow import ValidationError

from commands.work import NotFound, as_actor
from incidents import cover, notices
from incidents.schedules import Override, Schedule, final
from incidents.services import Catalog
from store import cover_requests, overrides
from store import notices as outbox


def ask(
    engine: sa.Engine,
    schedule: str,
    requester: str,
    start: datetime,
    end: datetime,
    note: str = "",
    *,
    catalog: Catalog,
    now: datetime,
    actor,
) -> cover.CoverRequest:
    """Store the request and tell the others; ValidationError unless `requester` is on call all that time."""
    rules = known_schedule(catalog, schedule)
    with engine.begin() as conn:
        asked = overrides.meeting(conn, schedule, now - timedelta(seconds=1), max(end, now) + timedelta(seconds=1))
        timeline = final(rules, min(start, now), max(end, now) + timedelta(seconds=1), asked)
        try:
            start, end = cover.asked_span(timeline, requester, start, end, now)
        except ValueError as error:
            field, reason = error.args
            raise ValidationError({field: [reason]}) from None
        request = cover_requests.add(conn, schedule, requester, start, end, note, now=now, by=as_actor(actor).name)
        outbox.add(conn, notices.cover_asked(rules, request, cover.others(rules, requester)), now=now)
    return request


def take(engine: sa.Engine, schedule: str, request_id: int, taker: str, *, catalog: Catalog, now: datetime, actor):
    """`taker` covers the request: an override from its start (or now) to its end; the requester is told.
    cover.Refused when it is not open or is the taker's own; NotFound when there is none."""
    rules = known_schedule(catalog, schedule)
    with engine.begin() as conn:
        request = _locked(conn, schedule, request_id)
        cover.check_take(request, taker, now)
        override = Override(taker, max(request.start, now), request.end, created=now)
        override_id = overrides.add(conn, schedule, override, by=as_actor(actor).name)
        cover_requests.take(conn, request.id, taker, override_id, now=now)
        taken = dataclasses.replace(request, taken_by=taker, taken_at=now)
        outbox.add(conn, notices.cover_taken(rules, taken), now=now)
    return taken


def cancel(engine: sa.Engine, schedule: str, request_id: int, *, catalog: Catalog, now: datetime, actor) -> None:
    """Withdraw an open request (cover.Refused when it is taken or over)."""
    known_schedule(catalog, schedule)
    with engine.begin() as conn:
        request = _locked(conn, schedule, request_id)
        cover.check_cancel(request, now)
        cover_requests.cancel(conn, request.id, now=now, by=as_actor(actor).name)


def _locked(conn, schedule: str, request_id: int) -> cover.CoverRequest:
    request = cover_requests.locked(conn, schedule, request_id)
    if request is None:
        raise NotFound(f"no cover request {request_id} on schedule {schedule}")
    return request


def known_schedule(catalog: Catalog, name: str) -> Schedule:
    """The schedule called `name`; NotFound when there is none."""
    if name not in catalog.schedules:
        raise NotFound(f"no schedule called {name}")
    return catalog.schedules[name]


def for_person(engine: sa.Engine, person: str, *, catalog: Catalog, now: datetime):
    """`person`'s own requests not over yet, and the open requests of others on the schedules `person` is
    part of (those they are asked to take)."""
    with engine.connect() as conn:
        found = cover_requests.listed(conn, since=now, schedules=tuple(catalog.schedules))
    mine = [r for r in found if r.requester == person]
    asked = [
        r
        for r in found
        if r.state(now) == cover.OPEN and person in cover.others(catalog.schedules[r.schedule], r.requester)
    ]
    return mine, asked
