"""The look at every schedule (beat, once a minute): record who was on call since the last look, and store
the notices due now: handoffs, changed shifts, gaps, cover requests nobody took (incidents/notices.py
decides them; the outbox keeps each once). Sending is the workers' (workers/notices.py)."""

from datetime import datetime, timedelta

from incidents import cover
from incidents import notices as decide
from incidents.schedules import Schedule, Shift, final
from incidents.services import Catalog
from store import cover_requests, overrides
from store import notices as store
from store.queries import IncidentFilter, list_incidents

# The longest past recorded at once (a beat down for longer records from this far back only).
MAX_CATCH_UP = timedelta(days=90)
OPEN = ("triggered", "acknowledged")


def look(engine, catalog: Catalog, *, now: datetime) -> int:
    """Each schedule in a transaction of its own (its look row locked: two beats take turns); how many new
    notices were stored."""
    added = 0
    for schedule in catalog.schedules.values():
        with engine.begin() as conn:
            added += _look_at(conn, schedule, catalog, now)
    return added


def _look_at(conn, schedule: Schedule, catalog: Catalog, now: datetime) -> int:
    seen = store.look(conn, schedule.name, now=now)
    recorded_until = max(seen.recorded_until if seen else now, now - MAX_CATCH_UP)
    since = min(recorded_until, now - decide.STALE - timedelta(seconds=1))
    asked = overrides.meeting(conn, schedule.name, since, now + decide.AHEAD)
    timeline = final(schedule, since, now + decide.AHEAD, asked)
    ahead = _within(timeline, now, now + decide.AHEAD)
    found = decide.handoffs(schedule, _within(timeline, since, now + decide.AHEAD), now, _open(conn, schedule, catalog))
    if seen is not None:
        found += decide.changed(schedule, seen.shifts, ahead, now, seen.seen_at + decide.AHEAD, seen.key)
    members = catalog.teams[schedule.team].members if schedule.team in catalog.teams else ()
    found += decide.gaps(schedule, ahead, now, members)
    for request in cover.to_flag(cover_requests.listed(conn, since=now, schedules=(schedule.name,)), now):
        found += decide.cover_untaken(schedule, request, members)
    store.record(conn, schedule.name, _within(timeline, recorded_until, now))
    store.save_look(conn, schedule.name, ahead, seen_at=now, recorded_until=now)
    return store.add(conn, found, now=now)


def _within(timeline: list[Shift], since: datetime, until: datetime) -> list[Shift]:
    clipped = [Shift(s.person, max(s.start, since), min(s.end, until), s.layer) for s in timeline]
    return [s for s in clipped if s.start < s.end]


def _open(conn, schedule: Schedule, catalog: Catalog) -> list[str]:
    """`INC-4 [SEV2] Disk full`: the open incidents of the services whose policy pages this schedule."""
    services = tuple(
        service.name
        for service in catalog.services
        if any(
            t.kind == "schedule" and t.name == schedule.name
            for lv in service.escalation_policy.levels
            for t in lv.targets
        )
    )
    if not services:
        return []
    rows, _ = list_incidents(conn, IncidentFilter(OPEN, (), services), limit=20, offset=0)
    return [f"INC-{row.number} {row.title}" for row in rows]
