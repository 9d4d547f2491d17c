"""Reading and writing an incident's lifecycle row; the caller holds the incident's row lock."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from incidents import checklist, lifecycle
from incidents.lifecycle import Lifecycle, Phase, StatusWord
from incidents.severity import Severity
from incidents.targets import Targets, next_due
from store.tables import alerts, incident_lifecycle

# Built once: each opening and resolution runs them, and building one costs about as much as running it.
_LOAD = sa.select(incident_lifecycle).where(incident_lifecycle.c.incident_id == sa.bindparam("incident_id"))
_FIRST_STARTED = sa.select(sa.func.min(alerts.c.starts_at)).where(alerts.c.incident_id == sa.bindparam("incident_id"))


def _saves(dialect) -> dict[bool, sa.Insert]:
    """By `insert_only`: the insert that keeps a row already there, or the upsert of every column."""
    insert = dialect.insert(incident_lifecycle)
    columns = [column.name for column in incident_lifecycle.columns if column.name != "incident_id"]
    upsert = insert.on_conflict_do_update(
        index_elements=["incident_id"], set_={name: insert.excluded[name] for name in columns}
    )
    return {True: insert.on_conflict_do_nothing(), False: upsert}


_SAVE = {"postgresql": _saves(postgresql), "sqlite": _saves(sqlite)}


def load(conn, row) -> Lifecycle:
    """The lifecycle of the locked incident `row`; a fresh one if none is stored (an older incident)."""
    stored = conn.execute(_LOAD, {"incident_id": row.id}).first()
    return from_row(stored) if stored is not None else begin(conn, row)


def begin(conn, row, *, started_at: datetime | None = None, found_by: str = "") -> Lifecycle:
    """A new lifecycle: the problem started at `started_at`, else its first alert's startsAt."""
    if started_at is None:
        started_at = conn.execute(_FIRST_STARTED, {"incident_id": row.id}).scalar()
    return lifecycle.begin(
        opened_at=row.opened_at, problem_started_at=started_at, service=row.service, found_by=found_by
    )


def from_row(stored) -> Lifecycle:
    """The Lifecycle value of a stored row."""
    return Lifecycle(
        problem_started_at=stored.problem_started_at,
        detected_at=stored.detected_at,
        phase=Phase(stored.phase),
        phase_times=tuple((Phase(p), datetime.fromisoformat(t)) for p, t in stored.phase_times),
        status_word=StatusWord(stored.status_word),
        impact=stored.impact,
        affected=tuple(stored.affected),
        commander=stored.commander,
        roles=tuple(sorted(stored.roles.items())),
        pinned=tuple(stored.pinned),
        next_update_due=stored.next_update_due_at,
        update_misses=stored.update_misses,
        updates_posted=stored.updates_posted,
        severity_set_by=stored.severity_set_by,
        severity_set_at=stored.severity_set_at,
        breaches=tuple(stored.breaches),
        found_by=stored.found_by,
        published=stored.published,
    )


def save(conn, incident_id: int, lc: Lifecycle, *, severity: Severity, targets: Targets, insert_only=False) -> None:
    """Write the lifecycle with its next due time; `insert_only` keeps a row already there."""
    values = _values(lc) | {"incident_id": incident_id, "due_at": next_due(lc, severity, targets)}
    conn.execute(_SAVE[conn.dialect.name][insert_only], values)


def _values(lc: Lifecycle) -> dict:
    return {
        "phase": lc.phase.value,
        "phase_times": [[p.value, at.isoformat()] for p, at in lc.phase_times],
        "problem_started_at": lc.problem_started_at,
        "detected_at": lc.detected_at,
        "status_word": lc.status_word.value,
        "impact": lc.impact,
        "affected": list(lc.affected),
        "commander": lc.commander,
        "roles": dict(lc.roles),
        "pinned": list(lc.pinned),
        "next_update_due_at": lc.next_update_due,
        "update_misses": lc.update_misses,
        "updates_posted": lc.updates_posted,
        "severity_set_by": lc.severity_set_by,
        "severity_set_at": lc.severity_set_at,
        "breaches": list(lc.breaches),
        "found_by": lc.found_by,
        "published": lc.published,
    } | {f"entered_{phase.value}": lc.entered(phase) for phase in Phase}


def action_of(row) -> checklist.Action:
    """The checklist Action of a stored row."""
    return checklist.Action(
        row.text, row.created_by, row.created_at, row.id, row.done, row.done_by, row.done_at, row.assignee
    )
