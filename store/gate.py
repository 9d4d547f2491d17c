"""The shared back-off from PagerDuty (incidents.pagerduty_gate), one row in `pagerduty_gate`.

Read without a lock by every delivery; locked (`FOR UPDATE SKIP LOCKED`) by the one delivery that
sends the queue in order while catching up, and by the sweep of lost pages to tell whether such a
delivery is alive. An absent row is an open gate (the test suite truncates the table).
"""

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from incidents.pagerduty_gate import Gate
from store.tables import pagerduty_gate

ROW = pagerduty_gate.c.id == 1
_COLUMNS = (pagerduty_gate.c.closed_until, pagerduty_gate.c.failures, pagerduty_gate.c.catching_up)
_ENSURE = {
    name: dialect.insert(pagerduty_gate).values(id=1).on_conflict_do_nothing()
    for name, dialect in (("postgresql", postgresql), ("sqlite", sqlite))
}


def read(conn) -> Gate:
    """The gate as last committed."""
    return _gate(conn.execute(sa.select(*_COLUMNS, pagerduty_gate.c.reason).where(ROW)).first())


def lock(conn, *, wait: bool = False) -> Gate | None:
    """The gate, locked until commit; None when another transaction holds it (unless `wait`)."""
    if wait:
        conn.execute(_ENSURE[conn.dialect.name])
    query = sa.select(*_COLUMNS, pagerduty_gate.c.reason).where(ROW).with_for_update(skip_locked=not wait)
    row = conn.execute(query).first()
    return _gate(row) if row is not None else None


def save(conn, gate: Gate) -> None:
    """Write the gate (the caller holds its lock, see `lock`)."""
    conn.execute(_ENSURE[conn.dialect.name])
    values = {"closed_until": gate.closed_until, "failures": gate.failures, "catching_up": gate.catching_up}
    conn.execute(pagerduty_gate.update().where(ROW).values(**values, reason=gate.reason))


def _gate(row) -> Gate:
    if row is None:
        return Gate()
    return Gate(row.closed_until, row.failures, row.catching_up, row.reason)
