"""The facts of a report: aggregated in one SQL query on PostgreSQL, tallied in Python on SQLite."""

import json
from datetime import datetime, timedelta

import sqlalchemy as sa

from incidents import lifecycle, reports
from incidents.lifecycle import Lifecycle, Phase
from incidents.reports import PHASES, TARGETS, Facts, Outcome, Scope, Tally
from incidents.services import Catalog
from incidents.severity import Severity
from incidents.targets import Targets
from store.report_sql import QUERY
from store.tables import follow_ups, incident_actions, incident_lifecycle, incidents


def build(conn, scope: Scope, catalog: Catalog, now: datetime) -> reports.Report:
    """The report for `scope` at `now`."""
    groups = tallies(conn, scope, catalog, now)
    return reports.report(groups, since=scope.since, until=scope.until, now=now)


def tallies(conn, scope: Scope, catalog: Catalog, now: datetime) -> dict[tuple[str, Severity], Tally]:
    """Tallies by (service, severity): SQL on PostgreSQL; the pure tally over fetched facts elsewhere."""
    if conn.dialect.name != "postgresql":
        return reports.tally(facts(conn, scope), catalog.targets_for, now)
    params = {
        "since": scope.since,
        "until": scope.until,
        "now": now,
        "services": list(scope.services),
        "severities": [int(s) for s in scope.severities],
        "targets": json.dumps(limits(catalog)),
    }
    return {(row.service, Severity(row.severity)): _tally(row) for row in conn.execute(sa.text(QUERY), params)}


def unknown_services(conn, scope: Scope, catalog: Catalog) -> tuple[list[str], list[str]]:
    """The services asked for that are neither configured nor on any stored incident (a service no longer
    configured keeps its history), and the known ones (configured, then stored), for the error naming them."""
    configured = [service.name for service in catalog.services]
    asked = [name for name in scope.services if name not in configured]
    if not asked:
        return [], configured
    stored = conn.execute(sa.select(incidents.c.service).distinct().order_by(incidents.c.service)).scalars().all()
    known = configured + [name for name in stored if name not in configured]
    return [name for name in asked if name not in known], known


def limits(catalog: Catalog) -> list[dict]:
    """Each configured service's targets in seconds by severity (null: off); the defaults under no service."""
    named = [(service.name, service.targets) for service in catalog.services]
    return [_limit_row(name, targets, sev) for name, targets in [(None, Targets()), *named] for sev in Severity]


def facts(conn, scope: Scope) -> list[Facts]:
    """One Facts per incident of the scope, with its checklist counts and its follow-ups with a due date."""
    columns = [
        incidents.c.id,
        incidents.c.service,
        incidents.c.severity,
        incidents.c.opened_at,
        incidents.c.resolved_at,
    ]
    columns += [incident_lifecycle.c.problem_started_at, incident_lifecycle.c.detected_at]
    columns += [incident_lifecycle.c.phase_times]
    query = sa.select(*columns).select_from(incidents.outerjoin(incident_lifecycle)).where(*_where(scope))
    rows = conn.execute(query).all()
    counts = _action_counts(conn, scope) if rows else {}
    dated = _follow_ups(conn, scope) if rows else {}
    return [_facts(row, counts, dated.get(row.id, ())) for row in rows]


def _where(scope: Scope) -> list:
    where = [incidents.c.opened_at >= scope.since, incidents.c.opened_at < scope.until]
    if scope.services:
        where.append(incidents.c.service.in_(scope.services))
    if scope.severities:
        where.append(incidents.c.severity.in_([int(s) for s in scope.severities]))
    return where


def _action_counts(conn, scope: Scope) -> dict:
    """(actions, done in time) by incident id."""
    done = incident_actions.c.done & (
        incidents.c.resolved_at.is_(None) | (incident_actions.c.done_at <= incidents.c.resolved_at)
    )
    query = (
        sa.select(incidents.c.id, sa.func.count(), sa.func.count().filter(done))
        .join(incident_actions, incident_actions.c.incident_id == incidents.c.id)
        .where(*_where(scope))
        .group_by(incidents.c.id)
    )
    return {row[0]: (row[1], row[2]) for row in conn.execute(query)}


def _follow_ups(conn, scope: Scope) -> dict:
    """(due date, closed at or None) of the follow-ups with a due date, by incident id."""
    closed = sa.case((follow_ups.c.state == "done", follow_ups.c.closed_at), else_=None)
    query = (
        sa.select(follow_ups.c.incident_id, follow_ups.c.due_on, closed)
        .join(incidents, incidents.c.id == follow_ups.c.incident_id)
        .where(follow_ups.c.due_on.is_not(None), *_where(scope))
    )
    out: dict = {}
    for incident_id, due_on, closed_at in conn.execute(query):
        out.setdefault(incident_id, []).append((due_on, closed_at))
    return {key: tuple(sorted(value, key=str)) for key, value in out.items()}


def _facts(row, counts, dated) -> Facts:
    opened = row.opened_at
    if row.phase_times is None:  # an incident from before lifecycles were stored
        lc = lifecycle.begin(opened_at=opened, problem_started_at=None, service=row.service)
    else:
        times = tuple((Phase(p), datetime.fromisoformat(t)) for p, t in row.phase_times)
        lc = Lifecycle(row.problem_started_at, row.detected_at, phase_times=times)
    actions = counts.get(row.id, (0, 0))
    return Facts(row.service, Severity(row.severity), opened, lc, row.resolved_at, *actions, follow_ups=dated)


def _limit_row(service: str | None, targets: Targets, severity: Severity) -> dict:
    row = {"service": service, "severity": int(severity)}
    return row | {name: _seconds(targets.limit(name, severity)) for name in TARGETS}


def _seconds(limit: timedelta | None) -> float | None:
    return limit.total_seconds() if limit is not None else None


def _tally(row) -> Tally:
    out = Tally(row.incidents, row.open, row.acknowledged, float(row.ack_seconds), row.resolved)
    out.resolve_seconds = float(row.resolve_seconds)
    m = row._mapping
    out.phase_count = {p: int(m[f"{p.value}_count"]) for p in PHASES}
    out.phase_seconds = {p: float(m[f"{p.value}_seconds"]) for p in PHASES}
    out.targets = {name: {o: int(m[f"{name}_{o.value}"]) for o in Outcome} for name in TARGETS}
    out.actions, out.actions_done_in_time = int(m["actions"]), int(m["actions_done"])
    out.follow_ups = {o: int(m[f"follow_ups_{o.value}"]) for o in Outcome}
    return out
