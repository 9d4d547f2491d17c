"""Changes: recorded with their raw request in one transaction, read back by service and time."""

from dataclasses import asdict
from datetime import datetime, timedelta

import sqlalchemy as sa

from incidents.changes import Change, Link, problem_start, rollback_candidates, utc
from store.tables import alerts, changes, incidents, raw_requests


def record_change(
    engine: sa.Engine, change: Change, *, body: bytes, now: datetime, remote_addr: str = "", user_agent: str = ""
) -> Change:
    """Store the request as received (raw_requests, source = the change's intake) and the change; return it stored."""
    raw = {"source": change.source, "received_at": now, "body": body}
    raw |= {"remote_addr": remote_addr[:64], "user_agent": user_agent[:256]}
    with engine.begin() as conn:
        raw_id = conn.execute(raw_requests.insert().returning(raw_requests.c.id), raw).scalar_one()
        row = _row(change) | {"received_at": now, "raw_request_id": raw_id}
        change_id = conn.execute(changes.insert().returning(changes.c.id), row).scalar_one()
    return _change(row | {"id": change_id})


def changes_for(
    conn, services, since: datetime, until: datetime | None = None, *, limit: int | None = None
) -> list[Change]:
    """The changes to `services` made from `since` to `until` (both included), newest first."""
    query = sa.select(changes).where(changes.c.service.in_(tuple(services)), changes.c.changed_at >= since)
    if until is not None:
        query = query.where(changes.c.changed_at <= until)
    rows = conn.execute(query.order_by(changes.c.changed_at.desc(), changes.c.id.desc()).limit(limit)).mappings()
    return [_change(row) for row in rows]


def problem_started_at(conn, incident) -> datetime:
    """When the incident's problem started. The one place to change when incidents record it themselves."""
    first = conn.execute(
        sa.select(sa.func.min(alerts.c.starts_at)).where(alerts.c.incident_id == incident.id)
    ).scalar_one()
    return problem_start(incident.opened_at, first)


def candidates_for_incident(conn, number: int, *, window: timedelta, now: datetime):
    """(incident, problem start, rollback candidates) of incident `number`, or None when there is none."""
    incident = conn.execute(
        sa.select(incidents.c.id, incidents.c.number, incidents.c.service, incidents.c.opened_at).where(
            incidents.c.number == number
        )
    ).first()
    if incident is None:
        return None
    started = problem_started_at(conn, incident)
    found = changes_for(conn, (incident.service,), started - window, started)
    return incident, started, rollback_candidates(found, started, window, now)


def _row(change: Change) -> dict:
    row = asdict(change)
    row["links"] = [asdict(link) for link in change.links]
    for key in ("id", "received_at", "raw_request_id"):
        row.pop(key)
    return row


def _change(row) -> Change:
    values = dict(row)
    values["links"] = tuple(Link(**link) for link in values["links"])
    for key in ("changed_at", "received_at"):
        values[key] = utc(values[key])
    return Change(**values)
