"""Schedule overrides: someone on call between two times instead of whoever the layers say (#16 §2)."""

from datetime import datetime

import sqlalchemy as sa
from marshmallow import ValidationError

from commands.work import NotFound, as_actor
from incidents.schedules import Override
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


def _known(catalog: Catalog, schedule: str) -> None:
    if schedule not in catalog.schedules:
        raise NotFound(f"no schedule called {schedule}")
