"""Reading what the incident page shows: its pages (who was paged, delivered or not), the newest part of
its timeline, its key events, and a version that changes whenever anything shown does."""

import sqlalchemy as sa

from incidents.channel import KEY_KINDS, SEVERITY_KINDS
from incidents.paging import PageState
from store.tables import alerts, changes, incidents, pages, timeline


def newest_entries(conn, incident_id: int, limit: int | None) -> tuple[list, int]:
    """The newest `limit` timeline entries (all with None), oldest first, and how many there are in all."""
    total = conn.execute(sa.select(sa.func.count()).where(timeline.c.incident_id == incident_id)).scalar_one()
    query = sa.select(timeline).where(timeline.c.incident_id == incident_id).order_by(timeline.c.id.desc())
    rows = conn.execute(query.limit(limit) if limit else query).all()
    return rows[::-1], total


def key_entries(conn, incident_id: int, pinned: tuple[int, ...]) -> list:
    """The entries that can be key events (their kind, or pinned), oldest first, however old."""
    kinds = sorted(KEY_KINDS | SEVERITY_KINDS)
    wanted = timeline.c.kind.in_(kinds) | (timeline.c.id.in_(pinned) if pinned else sa.false())
    query = sa.select(timeline).where(timeline.c.incident_id == incident_id, wanted).order_by(timeline.c.id)
    return conn.execute(query).all()


def live_version(conn, number: int) -> str | None:
    """What changes whenever the page would (a timeline entry, a page delivered, an alert, a change recorded);
    None: no incident."""
    row = conn.execute(_LIVE_VERSION, {"number": number}).one()
    return None if row[3] is None else f"{row[0] or 0}.{row[1]}.{row[2]}.{row[4] or 0}"


def _live_version() -> sa.Select:
    incident = sa.select(incidents.c.id).where(incidents.c.number == sa.bindparam("number")).scalar_subquery()
    return sa.select(
        sa.select(sa.func.max(timeline.c.id)).where(timeline.c.incident_id == incident).scalar_subquery(),
        sa.select(sa.func.count() + sa.func.coalesce(sa.func.sum(pages.c.attempts), 0))
        .where(pages.c.incident_id == incident, pages.c.status != PageState.PENDING)
        .scalar_subquery(),
        sa.select(sa.func.coalesce(sa.func.sum(alerts.c.received_count), 0))
        .where(alerts.c.incident_id == incident)
        .scalar_subquery(),
        incident,
        # A change recorded late can be a rollback candidate; the newest of any service is cheap to ask.
        sa.select(sa.func.max(changes.c.id)).scalar_subquery(),
    )


# Built once: every incident page and every open page's poll asks, and building it cost more than running it.
_LIVE_VERSION = _live_version()
