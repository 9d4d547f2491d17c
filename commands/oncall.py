"""Who is on call, read for the faces (the on-call and schedule pages, /api/oncalls, the incident page):
the configuration's schedules with the overrides stored, decided by incidents.shifts."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from incidents import shifts
from incidents.policy import EscalationPolicy
from incidents.schedules import Override, Schedule, Shift, final, layer_shifts, on_call
from incidents.services import Catalog
from store import overrides

MOMENT = timedelta(seconds=1)


def schedules_now(conn, catalog: Catalog, now: datetime) -> dict[str, shifts.NowAndNext]:
    """Each schedule, by name: who is on call now (until when) and who is next (from when)."""
    return {name: now_and_next(conn, name, schedule, now) for name, schedule in catalog.schedules.items()}


def now_and_next(conn, name: str, schedule: Schedule, now: datetime) -> shifts.NowAndNext:
    """Who is on call on one schedule now and next."""
    return shifts.now_and_next(schedule, now, overrides.meeting(conn, name, now, now + shifts.REACH))


def levels_now(conn, catalog: Catalog, policy: EscalationPolicy, now: datetime) -> list[shifts.OnLevel]:
    """Each level of `policy` with who each of its targets pages now."""
    found: dict[str, str | None] = {}

    def who(name: str) -> str | None:
        if name not in found:
            schedule = catalog.schedules.get(name)
            asked = overrides.meeting(conn, name, now, now + MOMENT) if schedule else ()
            found[name] = on_call(schedule, now, asked) if schedule else None
        return found[name]

    return shifts.on_levels(policy, who)


@dataclass(frozen=True)
class Ahead:
    """A schedule from `since` to `until`: each layer's shifts, the overrides, the final result (gaps:
    person None), which overlapping override wins, and who is on call now and next."""

    schedule: Schedule
    layers: tuple[tuple[str, tuple[Shift, ...]], ...]
    overrides: tuple[Override, ...]
    final: tuple[Shift, ...]
    overlaps: tuple[shifts.Overlap, ...]
    now: shifts.NowAndNext


def ahead(conn, catalog: Catalog, name: str, since: datetime, until: datetime, now: datetime) -> Ahead | None:
    """The schedule called `name` from `since` to `until` (None: there is none)."""
    schedule = catalog.schedules.get(name)
    if schedule is None:
        return None
    asked = overrides.meeting(conn, name, since, until)
    layers = tuple((layer.name, tuple(layer_shifts(layer, schedule.zone, since, until))) for layer in schedule.layers)
    timeline = final(schedule, since, until, asked)
    current = shifts.now_and_next_in(timeline, now) or now_and_next(conn, name, schedule, now)
    return Ahead(schedule, layers, tuple(asked), tuple(timeline), tuple(shifts.overlaps(asked)), current)
