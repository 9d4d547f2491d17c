"""The status page's reads (one snapshot's facts) and writes (overrides, maintenance announcements)."""

from datetime import datetime

import sqlalchemy as sa

from incidents.severity import Severity
from incidents.status_page import (
    Component,
    Facts,
    IncidentFacts,
    Maintenance,
    Override,
    PageSettings,
    PublicUpdate,
    State,
    history_start,
)
from store.tables import incident_lifecycle, incidents, maintenances, status_overrides, status_updates


def read_facts(conn, page: PageSettings, components: tuple[Component, ...], now: datetime) -> Facts:
    """What the page shows at `now`: open and recently resolved incidents of public services, and the rest."""
    oldest = history_start(page, now)
    found = _incidents(conn, {c.service for c in components}, oldest)
    updates = _public_updates(conn, [row.id for row in found])
    return Facts(
        incidents=tuple(_incident_of(row, updates.get(row.id, ())) for row in found),
        overrides={row.service: _override_of(row) for row in conn.execute(sa.select(status_overrides))},
        maintenances=tuple(_maintenance_of(row) for row in _maintenances(conn, oldest)),
    )


def set_override(conn, service: str, state: State, reason: str, *, actor: str, now: datetime) -> Override:
    """Set a component's state by hand (replacing any earlier override)."""
    conn.execute(sa.delete(status_overrides).where(status_overrides.c.service == service))
    values = {"service": service, "state": state.value, "reason": reason, "set_by": actor, "set_at": now}
    conn.execute(status_overrides.insert().values(**values))
    return Override(service, state, reason, actor, now)


def clear_override(conn, service: str) -> bool:
    """Give the component back to its incidents; False if it had no override."""
    return conn.execute(sa.delete(status_overrides).where(status_overrides.c.service == service)).rowcount > 0


def overrides(conn) -> list[Override]:
    """Every override in force, by service."""
    return [_override_of(row) for row in conn.execute(sa.select(status_overrides).order_by(status_overrides.c.service))]


def announce(conn, title: str, services, starts_at, ends_at, description: str, *, actor: str, now) -> Maintenance:
    """Announce maintenance; returns it with its id."""
    values = {"title": title, "services": list(services), "starts_at": starts_at, "ends_at": ends_at}
    values |= {"description": description, "created_by": actor, "created_at": now}
    new_id = conn.execute(maintenances.insert().values(**values).returning(maintenances.c.id)).scalar_one()
    return Maintenance(new_id, title, tuple(services), starts_at, ends_at, description, now)


def _incidents(conn, public: set[str], oldest: datetime) -> list:
    """Open incidents and those resolved since `oldest`, on a public service or marked as affecting one."""
    query = (
        sa.select(
            incidents.c.id,
            incidents.c.number,
            incidents.c.service,
            incidents.c.severity,
            incidents.c.opened_at,
            incidents.c.resolved_at,
            incident_lifecycle.c.status_word,
            incident_lifecycle.c.affected,
            incident_lifecycle.c.published,
        )
        .outerjoin(incident_lifecycle, incident_lifecycle.c.incident_id == incidents.c.id)
        .where(incidents.c.number.is_not(None))
        .where(sa.or_(incidents.c.resolved_at.is_(None), incidents.c.resolved_at >= oldest))
    )
    # `affected` is JSON: filtered here rather than in dialect-specific SQL; the window keeps it small.
    return [row for row in conn.execute(query) if public.intersection(_services_of(row))]


def _public_updates(conn, incident_ids: list[int]) -> dict[int, list[PublicUpdate]]:
    found: dict[int, list[PublicUpdate]] = {}
    if not incident_ids:
        return found
    query = (
        sa.select(status_updates.c.id, status_updates.c.incident_id, status_updates.c.status_word)
        .add_columns(status_updates.c.text, status_updates.c.at)
        .where(status_updates.c.public, status_updates.c.incident_id.in_(incident_ids))
        .order_by(status_updates.c.id)
    )
    for row in conn.execute(query):
        found.setdefault(row.incident_id, []).append(PublicUpdate(row.id, row.status_word, row.text, row.at))
    return found


def _maintenances(conn, oldest: datetime):
    return conn.execute(sa.select(maintenances).where(maintenances.c.ends_at >= oldest).order_by(maintenances.c.id))


def _services_of(row) -> tuple[str, ...]:
    return (row.service, *[s for s in (row.affected or ()) if s != row.service])


def _incident_of(row, updates) -> IncidentFacts:
    word = row.status_word or "Investigating"  # an incident from before lifecycles were stored
    opened, resolved = row.opened_at, row.resolved_at
    return IncidentFacts(
        row.number, _services_of(row), Severity(row.severity), opened, resolved, word, tuple(updates), row.published
    )


def _override_of(row) -> Override:
    return Override(row.service, State(row.state), row.reason, row.set_by, row.set_at)


def _maintenance_of(row) -> Maintenance:
    starts, ends = row.starts_at, row.ends_at
    return Maintenance(row.id, row.title, tuple(row.services), starts, ends, row.description, row.created_at)
