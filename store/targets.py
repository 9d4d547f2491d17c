"""Beat's sweep of time targets and status updates, and the breach counts the metrics read.

The due time is in the database (`incident_lifecycle.due_at`, kept by store.lifecycle_rows.save):
the sweep claims the incidents whose time has come with `FOR UPDATE ... SKIP LOCKED` on the
incident row, the lock every lifecycle and escalation decision takes, so that two beats never
sweep one incident at once and each breach is written, and paged, once.
"""

from datetime import datetime

import sqlalchemy as sa

from incidents import targets
from incidents.services import Catalog
from incidents.severity import Severity
from store import escalation as escalation_store
from store import lifecycle as lifecycle_store
from store import lifecycle_rows
from store.tables import incident_lifecycle, incidents, timeline


def sweep_due(engine: sa.Engine, catalog: Catalog, *, now: datetime, limit: int = 50) -> list:
    """Breaches and missed updates due by `now` of up to `limit` incidents no other beat holds, in one
    transaction; the escalation decisions (notice pages) to hand to the workers once committed."""
    with engine.begin() as conn:
        return [_sweep(conn, row, catalog, now) for row in claim_due(conn, now, limit)]


def claim_due(conn, now: datetime, limit: int) -> list:
    """Incidents whose lifecycle is due, their rows locked; incidents another transaction holds are skipped."""
    query = (
        sa.select(*escalation_store.STATE_COLUMNS)
        .join(incident_lifecycle, incident_lifecycle.c.incident_id == incidents.c.id)
        .where(incident_lifecycle.c.due_at <= now)
        .order_by(incident_lifecycle.c.due_at)
        .limit(limit)
        .with_for_update(of=incidents, skip_locked=True, key_share=True)
    )
    return conn.execute(query).all()


def _sweep(conn, row, catalog: Catalog, now: datetime):
    # Re-read under the lock: a beat that claimed the row after another committed sees its breaches.
    lc = lifecycle_rows.load(conn, row)
    severity = Severity(row.severity)
    notify = severity not in escalation_store.plan_of(row).rules.low_urgency  # SEV4: recorded, nobody paged
    change = targets.sweep(lc, severity, catalog.targets_for(row.service), now, notify=notify)
    return lifecycle_store.apply(conn, row, change, None, catalog=catalog, now=now, actor="system")


def breach_counts(conn) -> list[tuple[str, str, int]]:
    """(target, severity, breaches) over every incident ever: the timeline is append-only, so a count
    never goes down (a Prometheus counter read at scrape time, the same from every process)."""
    target, severity = timeline.c.data["target"].as_string(), timeline.c.data["severity"].as_string()
    query = sa.select(target, severity, sa.func.count()).where(timeline.c.kind == "breach").group_by(target, severity)
    return [(t, s or "", n) for t, s, n in conn.execute(query)]
