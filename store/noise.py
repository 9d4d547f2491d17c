"""Maintenance windows in the database, the hold an incident's first page waits for, and flap counts.

A window's end needs no process of its own: a held incident's escalation is due at the end of its
hold (`incidents.esc_due_at`, `next_wake_at`), which beat's tick claims like any escalation; ending a
window early brings that due time forward to now.
"""

from datetime import datetime

import sqlalchemy as sa

from incidents import noise
from incidents.services import Catalog
from store.tables import OPEN, Time, incidents, maintenance_windows, timeline


class NoSuchWindow(Exception):
    """No maintenance window with that id (404)."""


def window_of(row) -> noise.Window:
    return noise.Window(
        row.id,
        tuple(row.services),
        row.start_at,
        row.end_at,
        row.reason,
        row.created_by,
        row.ended_by,
    )


def add_window(conn, services, *, start: datetime, end: datetime, reason: str, by: str, now: datetime):
    """Record a window; the caller checked the services exist and that it ends after it starts."""
    values = {"services": sorted(set(services)), "start_at": start, "end_at": end, "reason": reason}
    stmt = maintenance_windows.insert().values(**values, created_by=by, created_at=now).returning(maintenance_windows)
    return window_of(conn.execute(stmt).one())


def list_windows(conn, *, now: datetime, include_past: bool = False, limit: int = 100) -> list[noise.Window]:
    """Windows not over yet (or every one, newest first), soonest end first."""
    query = sa.select(maintenance_windows)
    if include_past:
        query = query.order_by(maintenance_windows.c.end_at.desc())
    else:
        query = query.where(maintenance_windows.c.end_at > now).order_by(maintenance_windows.c.end_at)
    return [window_of(row) for row in conn.execute(query.limit(limit))]


def end_window(conn, window_id: int, *, by: str, now: datetime) -> noise.Window:
    """End a window now (one in the future is cut to nothing); its held incidents fall due now."""
    row = conn.execute(
        sa.select(maintenance_windows).where(maintenance_windows.c.id == window_id).with_for_update()
    ).first()
    if row is None:
        raise NoSuchWindow(f"no maintenance window {window_id}")
    window = window_of(row)
    if window.end <= now:
        return window  # over already: nothing to end
    start = min(window.start, now)
    conn.execute(
        maintenance_windows.update()
        .where(maintenance_windows.c.id == window_id)
        .values(start_at=start, end_at=now, ended_by=by)
    )
    _due_now(conn, window.services, now)
    return window_of(conn.execute(sa.select(maintenance_windows).where(maintenance_windows.c.id == window_id)).one())


def _due_now(conn, services, now: datetime) -> None:
    """Incidents held by a maintenance window of these services wake at the next tick: each is held
    again if another window still covers it, else paged."""
    held = sa.and_(OPEN, incidents.c.esc_held == noise.MAINTENANCE, incidents.c.service.in_(services))
    conn.execute(incidents.update().where(held, incidents.c.esc_due_at > now).values(esc_due_at=now, next_wake_at=now))


_ACTIVE = sa.select(maintenance_windows).where(
    maintenance_windows.c.start_at <= sa.bindparam("now", type_=Time),
    maintenance_windows.c.end_at > sa.bindparam("now", type_=Time),
)


def hold_for(conn, service: str, catalog: Catalog, *, opened_at: datetime, now: datetime) -> noise.Hold | None:
    """The hold on an incident of `service` now: an active window, or the service's flap hold."""
    windows = [window_of(row) for row in conn.execute(_ACTIVE, {"now": now})]
    return noise.hold(service, windows, flap_hold=catalog.flap_hold_of(service), opened_at=opened_at, now=now)


def flap_counts(conn) -> list[tuple[str, int]]:
    """(service, incidents resolved within their flap hold) over all time, from the timelines."""
    query = (
        sa.select(incidents.c.service, sa.func.count())
        .select_from(timeline.join(incidents, incidents.c.id == timeline.c.incident_id))
        .where(timeline.c.kind == "flapped")
        .group_by(incidents.c.service)
    )
    return [(service, count) for service, count in conn.execute(query)]
