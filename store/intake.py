"""The SQL of the alert path that is not the upsert (store.alert_rows): the open incident of a group,
locked, and the count of a resolved batch's events."""

from datetime import datetime

import sqlalchemy as sa

from store.recording import group_hash
from store.tables import OPEN, Time, incidents


def lock_open_incident(conn, service_name: str, group_key: str):
    """The open incident of the group (id, number, severity, open_token), locked; None if none is open."""
    return conn.execute(_LOCK_OPEN, {"service": service_name, "group_hash": group_hash(group_key)}).first()


def count_events(conn, incident_id: int, events: int, now: datetime) -> None:
    """A batch's alert events on its incident (the upsert counts firing batches itself)."""
    conn.execute(_COUNT_EVENTS, {"incident_id": incident_id, "at": now, "events": events})


# Built once, as every statement on the intake path: building one costs more than running it.
_LOCK_OPEN = (
    sa.select(incidents.c.id, incidents.c.number, incidents.c.severity, incidents.c.open_token)
    .where(incidents.c.service == sa.bindparam("service"), incidents.c.group_hash == sa.bindparam("group_hash"), OPEN)
    .with_for_update(key_share=True)
)
_COUNT_EVENTS = (
    incidents.update()
    .where(incidents.c.id == sa.bindparam("incident_id"))
    .values(
        last_alert_at=sa.bindparam("at", type_=Time), alert_events=incidents.c.alert_events + sa.bindparam("events")
    )
)
