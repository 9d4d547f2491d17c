"""Changes: recorded with their raw request in one transaction, read back by service and time."""

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from incidents.changes import Change, Link, RollbackCandidate, affected_services, rollback_candidates
from incidents.lifecycle import Lifecycle
from store import lifecycle_rows
from store.tables import changes, incidents, raw_requests


@dataclass(frozen=True)
class IncidentCandidates:
    """An incident's rollback candidates: the changes to `services` in the window before `problem_started_at`."""

    incident: object  # the row: id, number, service, opened_at
    problem_started_at: datetime
    services: tuple[str, ...]
    candidates: list[RollbackCandidate]


def record_change(
    engine: sa.Engine, change: Change, *, body: bytes, now: datetime, remote_addr: str = "", user_agent: str = ""
) -> Change:
    """Store the request as received (raw_requests, source = the change's intake) and the change; return it stored.

    Changes are applied as they come (their senders read the answer): the request is stored applied."""
    raw = {"source": change.source, "received_at": now, "body": body, "applied_at": now}
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
    """When the incident's problem started, as its lifecycle records it (first alert's start, the declared
    start, else the opening)."""
    return _started(lifecycle_rows.load(conn, incident), incident)


def candidates_of(conn, incident, lc: Lifecycle, *, window: timedelta, now: datetime) -> IncidentCandidates:
    """The rollback candidates of an incident row whose lifecycle is `lc`: changes to all its affected services."""
    started, services = _started(lc, incident), affected_services(incident.service, lc.affected)
    found = changes_for(conn, services, started - window, started)
    return IncidentCandidates(incident, started, services, rollback_candidates(found, started, window, now))


def candidates_for_incident(conn, number: int, *, window: timedelta, now: datetime) -> IncidentCandidates | None:
    """The rollback candidates of incident `number`, or None when there is none."""
    incident = conn.execute(
        sa.select(incidents.c.id, incidents.c.number, incidents.c.service, incidents.c.opened_at).where(
            incidents.c.number == number
        )
    ).first()
    if incident is None:
        return None
    return candidates_of(conn, incident, lifecycle_rows.load(conn, incident), window=window, now=now)


def _started(lc: Lifecycle, incident) -> datetime:
    return lc.problem_started_at or incident.opened_at


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
        values[key] = values[key]
    return Change(**values)
