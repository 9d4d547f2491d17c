"""Pages the outbox delivered, newest first: what the built-in PagerDuty sink received (/local-pagerduty).
Read from the table, not a process's memory: every web and worker process sees the same list."""

import sqlalchemy as sa

from incidents.paging import PageState
from store.pages import INCIDENT_FIELDS
from store.tables import incidents, pages


def newest(conn, *, limit: int = 100) -> list:
    """The last `limit` pages sent (triggers, acknowledgements, resolutions), with their incident's fields."""
    query = (
        sa.select(pages, *INCIDENT_FIELDS)
        .join(incidents, incidents.c.id == pages.c.incident_id)
        .where(pages.c.status == PageState.SENT)
        .order_by(pages.c.sent_at.desc(), pages.c.id.desc())
        .limit(limit)
    )
    return conn.execute(query).all()
