"""An acknowledgement while a page of the same incident is being delivered: both go through.

The delivery holds the page's row while PagerDuty answers, then writes the timeline (whose foreign
key takes a KEY SHARE lock on the incident row); the acknowledgement holds the incident row and waits
for the page's row to cancel or notify it. Under `FOR UPDATE` on the incident that was a deadlock
(the e2e suite saw the acknowledgement answer 503); `FOR NO KEY UPDATE` lets the delivery finish first.
"""

import threading
import time
from datetime import UTC, datetime

import sqlalchemy as sa

from commands.escalation import act
from incidents import escalation, paging
from store import pages as outbox
from store.timeline import append_entries
from tests.integration.acting import first_page, open_incident


def test_an_acknowledgement_waits_for_a_delivery_of_the_same_incident_without_a_deadlock(client, engine, catalog):
    incident = open_incident(client, engine)
    page_id = first_page(engine, incident.id).id
    acknowledged = []

    def acknowledge():
        decide = lambda plan, state: escalation.acknowledge(plan, state, datetime.now(UTC), by="alice")  # noqa: E731
        acknowledged.append(act(engine, decide, catalog=catalog, now=datetime.now(UTC), number=incident.number))

    with engine.begin() as conn:  # the worker's delivery transaction
        (page,) = outbox.claim(conn, [page_id], limit=1)
        acknowledging = threading.Thread(target=acknowledge)
        acknowledging.start()
        wait_until_blocked_by(engine, conn)  # the acknowledgement holds the incident row, waits for the page's
        now = datetime.now(UTC)
        outbox.mark_sent(conn, {page_id: now})
        append_entries(conn, [(incident.id, now, paging.delivered(page))])
    acknowledging.join()

    assert acknowledged and acknowledged[0] is not None
    with engine.connect() as conn:
        status = conn.execute(sa.text("SELECT status FROM incidents WHERE id = :id"), {"id": incident.id}).scalar()
        rows = conn.execute(
            sa.text("SELECT action, status FROM pages WHERE incident_id = :id ORDER BY id"), {"id": incident.id}
        ).all()
    assert status == "acknowledged"
    # The page went out while the acknowledgement waited: PagerDuty is told it is acknowledged.
    assert [tuple(row) for row in rows] == [("trigger", "sent"), ("acknowledge", "pending")]


def wait_until_blocked_by(engine, conn) -> None:
    """Until another session waits for a lock that `conn`'s transaction holds."""
    pid = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar()
    deadline = time.monotonic() + 10
    while not blocked_by(engine, pid):
        assert time.monotonic() < deadline, "the acknowledgement never waited for the delivery"
        time.sleep(0.02)


def blocked_by(engine, pid: int) -> bool:
    # A transaction of its own each time: pg_stat_activity is read once per transaction.
    with engine.connect() as other:
        query = sa.text("SELECT count(*) FROM pg_stat_activity WHERE :pid = ANY(pg_blocking_pids(pid))")
        return other.execute(query, {"pid": pid}).scalar() > 0
