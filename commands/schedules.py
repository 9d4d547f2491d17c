"""Schedule overrides: someone on call between two times instead of whoever the layers say, and "I'll
take it from here", an override from now to the end of the current shift (#16 §2)."""

from dataclasses import replace
from datetime import datetime

import sqlalchemy as sa
from marshmallow import ValidationError

from commands.work import NotFound, as_actor
from incidents import shifts
from incidents.schedules import Override, on_call
from incidents.services import Catalog
from store import overrides


def add_override(
    engine: sa.Engine,
    schedule: str,
    person: str,
    start: datetime,
    end: datetime,
    *,
    catalog: Catalog,
    now: datetime,
    actor,
) -> int:
    """Store the override; its id. One that starts in the past counts from now."""
    _known(catalog, schedule)
    start = max(start, now)
    if end <= start:
        raise ValidationError({"end": ["must be after `start` and after now"]})
    with engine.begin() as conn:
        return overrides.add(conn, schedule, Override(person, start, end, created=now), by=as_actor(actor).name)


def delete_override(
    engine: sa.Engine, schedule: str, override_id: int, *, catalog: Catalog, now: datetime, actor
) -> None:
    """Delete an override of the schedule; NotFound if there is none."""
    _known(catalog, schedule)
    with engine.begin() as conn:
        if not overrides.delete(conn, schedule, override_id, at=now, by=as_actor(actor).name):
            raise NotFound(f"no override {override_id} on schedule {schedule}")


def take_now(engine: sa.Engine, schedule: str, person: str, *, catalog: Catalog, now: datetime, actor) -> Override:
    """`person` on call from now until the end of the current shift (incidents.shifts.take_until), as an
    override recorded under `actor`; the stored override, with its id. Refused if they are on call already."""
    rules = _known(catalog, schedule)
    with engine.begin() as conn:
        asked = overrides.meeting(conn, schedule, now, now + shifts.HORIZON)
        if on_call(rules, now, asked) == person:
            raise ValidationError({"user": [f"{person} is on call on {schedule} already"]})
        taken = Override(person, now, shifts.take_until(rules, now, asked), created=now)
        return replace(taken, id=overrides.add(conn, schedule, taken, by=as_actor(actor).name))


def _known(catalog: Catalog, schedule: str):
    if schedule not in catalog.schedules:
        raise NotFound(f"no schedule called {schedule}")
    return catalog.schedules[schedule]
