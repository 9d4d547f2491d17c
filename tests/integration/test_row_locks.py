"""The incident row lock every writer takes leaves rows that point at the incident free to be written.

A request resolving a group holds the incident's row and cancels its pending pages, which a worker
may hold while PagerDuty answers; that worker then writes "Page delivered" on the incident's
timeline. Had the request's lock blocked the timeline's foreign key check, the two would deadlock
(bench/intake.py saw it: a 500 and a second of waiting).
"""

from datetime import UTC, datetime

import sqlalchemy as sa

from commands.escalation import act
from incidents.timeline import Entry
from store import escalation as escalation_store
from store.timeline import append_entries
from tests.integration.spoiling import BEARER, firing_alert, webhook


def test_a_locked_incident_takes_timeline_entries_from_another_transaction(client, engine):
    assert client.post("/webhooks/alertmanager", json=webhook(firing_alert()), headers=BEARER).status_code == 200
    with engine.connect() as conn:
        incident_id = conn.execute(sa.text("SELECT id FROM incidents")).scalar_one()
    with engine.begin() as holder, engine.begin() as worker:
        assert escalation_store.lock(holder, incident_id=incident_id) is not None
        # Blocked, this would fail after the timeout instead of waiting for the holder forever.
        worker.execute(sa.text("SET LOCAL lock_timeout = '5s'"))
        append_entries(worker, [(incident_id, datetime.now(UTC), Entry("page_sent", "Page delivered to user x"))])


def test_the_postmortem_reminder_claim_leaves_timeline_entries_free_too(client, engine, catalog):
    """The reminder sweep locked incidents FOR UPDATE, unlike every other writer (issue #15): a delivery
    writing its timeline entry would then wait for the sweep's whole transaction."""
    from datetime import timedelta

    from incidents import escalation
    from store import postmortems

    assert client.post("/webhooks/alertmanager", json=webhook(firing_alert()), headers=BEARER).status_code == 200
    with engine.connect() as conn:
        incident_id, number = conn.execute(sa.text("SELECT id, number FROM incidents")).one()
    now = datetime.now(UTC)
    act(
        engine,
        lambda plan, state: escalation.resolve(state, now, reason="fixed"),
        catalog=catalog,
        now=now,
        number=number,
    )
    with engine.begin() as holder, engine.begin() as worker:
        assert [row.id for row in postmortems.claim_reminders(holder, now + timedelta(days=30), 10)] == [incident_id]
        worker.execute(sa.text("SET LOCAL lock_timeout = '5s'"))
        append_entries(worker, [(incident_id, datetime.now(UTC), Entry("page_sent", "Page delivered to user x"))])
