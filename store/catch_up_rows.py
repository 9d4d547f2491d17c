"""The SQL an incident's catch-up with its alerts needs (commands.alerts.catch_up decides): its number,
the alerts a resolved group resolves, whether any still fires, and what a person's severity choice
leaves counting."""

from datetime import datetime

import sqlalchemy as sa

from incidents import timeline as timeline_rules
from incidents.alerts import FIRING, RESOLVED
from store.tables import Time, alerts, incident_lifecycle, incident_numbers, incidents


def severity_choice(conn, incident_id: int) -> tuple[datetime | None, list]:
    """(when a person chose the incident's severity, or None; its firing alerts: severity, first_seen, starts_at)."""
    chosen_at = conn.execute(_CHOSEN_AT, {"incident_id": incident_id}).scalar()
    if chosen_at is None:
        return None, []
    firing = conn.execute(_FIRING_ALERTS, {"incident_id": incident_id}).all()
    return chosen_at, [(row.severity, row.first_seen, row.starts_at) for row in firing]


# The firing alerts of an incident, and when a person chose its severity (None: nobody did).
_FIRING_ALERTS = sa.select(alerts.c.severity, alerts.c.first_seen, alerts.c.starts_at).where(
    alerts.c.incident_id == sa.bindparam("incident_id"), alerts.c.status == FIRING
)
_CHOSEN_AT = sa.select(incident_lifecycle.c.severity_set_at).where(
    incident_lifecycle.c.incident_id == sa.bindparam("incident_id")
)


_RESOLVE_REMAINING = (
    alerts.update()
    .where(alerts.c.incident_id == sa.bindparam("of_incident"), alerts.c.status == FIRING)
    .values(
        status=RESOLVED,
        ends_at=sa.bindparam("at", type_=Time),
        last_seen=sa.bindparam("at", type_=Time),
        change_token=sa.bindparam("by_token"),
    )
    .returning(alerts.c.fingerprint, alerts.c.summary)
)
_STILL_FIRING = sa.select(
    sa.exists().where(alerts.c.incident_id == sa.bindparam("incident_id"), alerts.c.status == FIRING)
)


def resolve_remaining(conn, incident_id, now, token):
    """A resolved group resolves every alert of it still firing, even those not in the payload."""
    rows = sorted(
        conn.execute(_RESOLVE_REMAINING, {"of_incident": incident_id, "at": now, "by_token": token}),
        key=lambda row: row.fingerprint,
    )
    return [timeline_rules.AlertChange("resolved", row.fingerprint, row.summary) for row in rows]


def quiet(conn, incident_id) -> bool:
    """True when none of the incident's alerts fires any more."""
    return not conn.execute(_STILL_FIRING, {"incident_id": incident_id}).scalar()


def assign_number(conn, incident_id) -> int:
    """Number a new incident, whose row the caller has locked."""
    # Numbered only once the insert won: ON CONFLICT attempts would burn an identity value each.
    return conn.execute(_NUMBER[conn.dialect.name], {"incident_id": incident_id}).scalar_one()


_UNNUMBERED = incidents.update().where(incidents.c.id == sa.bindparam("incident_id"), incidents.c.number.is_(None))
_NUMBER = {
    "postgresql": _UNNUMBERED.values(number=incident_numbers.next_value()).returning(incidents.c.number),
    # SQLite serialises writers, so max + 1 cannot race
    "sqlite": _UNNUMBERED.values(
        number=sa.select(sa.func.coalesce(sa.func.max(incidents.c.number), 0) + 1).scalar_subquery()
    ).returning(incidents.c.number),
}
