"""What the on-call load report reads (incidents/oncall_load.py decides what it means): the recorded periods,
the pages sent to people, and who took command, each over a window."""

from datetime import datetime

import sqlalchemy as sa

from incidents.paging import PageState
from incidents.utc import utc
from store.tables import oncall_periods, pages, schedule_looks, timeline


def periods(conn, *, since: datetime, until: datetime) -> list[tuple[str, datetime, datetime, datetime | None]]:
    """(person, start, end, how far its schedule is recorded) of each recorded period meeting [since, until)."""
    query = (
        sa.select(oncall_periods.c.person, oncall_periods.c.start_at, oncall_periods.c.end_at)
        .add_columns(schedule_looks.c.recorded_until)
        .select_from(oncall_periods.outerjoin(schedule_looks, schedule_looks.c.schedule == oncall_periods.c.schedule))
        .where(oncall_periods.c.end_at > since, oncall_periods.c.start_at < until)
        .order_by(oncall_periods.c.start_at, oncall_periods.c.id)
    )
    return [(row[0], utc(row[1]), utc(row[2]), utc(row[3])) for row in conn.execute(query)]


def pages_sent(conn, *, since: datetime, until: datetime) -> list[tuple[str, datetime]]:
    """(person, sent at) of each trigger sent to a person in [since, until): a user level's, or a schedule
    level's, whose row names the person it resolved to."""
    query = sa.select(pages.c.target_name, pages.c.sent_at).where(
        pages.c.action == "trigger",
        pages.c.target_kind == "user",
        pages.c.status == PageState.SENT,
        pages.c.sent_at >= since,
        pages.c.sent_at < until,
    )
    return [(row[0], utc(row[1])) for row in conn.execute(query)]


def commands_taken(conn, *, since: datetime, until: datetime) -> list[tuple[str, int]]:
    """(person, incident id) for each time someone took or was handed command in [since, until)."""
    query = sa.select(timeline.c.data, timeline.c.incident_id).where(
        timeline.c.kind == "commander", timeline.c.at >= since, timeline.c.at < until
    )
    return [(data["commander"], incident) for data, incident in conn.execute(query) if data.get("commander")]
