"""Beat's sweep of time targets and status updates on PostgreSQL: each breach written and paged once
under two concurrent beats, who is notified, missed updates, resolved incidents, the metric."""

import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from commands import incident as lifecycle_store
from commands import targets as sweeps
from commands.escalation import act
from incidents import escalation
from store import targets as store
from store.tables import incident_lifecycle, pages, timeline
from tests.integration.acting import open_incident

pytestmark = pytest.mark.both_databases

PAYMENTS_KEY = "examplepaymentskey00000000000002"
RESPONSE_DUE = timedelta(hours=2, minutes=1)  # SEV3's response target has passed (its mitigation's is 4 hours)


def started(engine, incident_id):
    """When the incident's problem started: every target counts from there."""
    with engine.connect() as conn:
        query = sa.select(incident_lifecycle.c.problem_started_at).where(
            incident_lifecycle.c.incident_id == incident_id
        )
        return conn.execute(query).scalar_one()


def breaches(engine, incident_id=None):
    where = [timeline.c.kind == "breach"] + ([timeline.c.incident_id == incident_id] if incident_id else [])
    with engine.connect() as conn:
        query = sa.select(timeline.c.incident_id, timeline.c.data, timeline.c.actor).where(*where)
        return conn.execute(query.order_by(timeline.c.id)).all()


def notices(engine, incident_id=None):
    """(incident, step, target) of the pages lifecycle notices made (their steps have a colon)."""
    where = [pages.c.step.contains(":"), pages.c.action == "trigger"]
    where += [pages.c.incident_id == incident_id] if incident_id else []
    with engine.connect() as conn:
        query = sa.select(pages.c.incident_id, pages.c.step, pages.c.target_name).where(*where)
        return sorted(conn.execute(query).all())


def test_two_beats_sweeping_at_once_write_and_page_each_breach_once(client, engine, catalog):
    ids = [open_incident(client, engine, dedup_key=f"disk-{i}").id for i in range(30)]
    now = max(started(engine, i) for i in ids) + RESPONSE_DUE  # SEV3: respond within 2 hours
    barrier, swept = threading.Barrier(2), []

    def beat():
        barrier.wait()
        while batch := sweeps.sweep_due(engine, catalog, now=now, limit=4):
            swept.append(len(batch))

    threads = [threading.Thread(target=beat) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(row.incident_id for row in breaches(engine)) == ids
    assert {(row.data["target"], row.data["severity"], row.actor) for row in breaches(engine)} == {
        ("response", "SEV3", "system")
    }
    assert notices(engine) == [(i, "breach:response", "oncall-sre") for i in ids]
    assert sweeps.sweep_due(engine, catalog, now=now, limit=50) == []  # the next due time moved on


@pytest.mark.postgresql_only
def test_an_incident_a_beat_holds_is_skipped_by_the_other(client, engine, catalog):
    held, free = (open_incident(client, engine, dedup_key=key).id for key in ("held", "free"))
    now = max(started(engine, held), started(engine, free)) + RESPONSE_DUE
    with engine.begin() as conn:
        assert [row.id for row in store.claim_due(conn, now, 1)] == [held]  # the earlier one
        assert [d.incident_id for d in sweeps.sweep_due(engine, catalog, now=now)] == [free]
    assert [d.incident_id for d in sweeps.sweep_due(engine, catalog, now=now)] == [held]
    assert [row.incident_id for row in breaches(engine)] == [free, held]


def test_a_breach_notifies_the_commander_when_there_is_one_else_the_current_oncall_level(client, engine, catalog):
    commanded, alone = (open_incident(client, engine, dedup_key=key) for key in ("commanded", "alone"))
    lifecycle_store.take_command(
        engine, commanded.number, "alice", catalog=catalog, now=started(engine, commanded.id), actor="alice"
    )
    sweeps.sweep_due(engine, catalog, now=started(engine, alone.id) + RESPONSE_DUE)
    assert notices(engine) == [
        (commanded.id, "breach:response", "alice"),
        (alone.id, "breach:response", "oncall-sre"),
    ]
    assert "notified commander alice" in message(engine, commanded.id, "breach")


def test_a_missed_update_reminds_the_commander_then_a_second_miss_notifies_the_last_level(client, engine, catalog):
    incident = open_incident(client, engine)
    start = started(engine, incident.id)
    acknowledge(engine, catalog, incident.number, start + timedelta(minutes=1))  # SEV3: an update every 2 hours
    lifecycle_store.take_command(engine, incident.number, "alice", catalog=catalog, now=start, actor="alice")
    sweeps.sweep_due(engine, catalog, now=start + timedelta(hours=2, minutes=1))
    assert ("update0:miss1", "alice") in steps(engine, incident.id)
    assert [r for r in reasons(engine, incident.id, "alice") if "status update overdue" in r] != []
    assert not any(step.startswith("update0:miss2") for step, _ in steps(engine, incident.id))
    sweeps.sweep_due(engine, catalog, now=start + timedelta(hours=4))
    assert not any(step == "update0:miss2" for step, _ in steps(engine, incident.id))  # not yet 2 h after the first
    sweeps.sweep_due(engine, catalog, now=start + timedelta(hours=4, minutes=1))
    misses = [(step, name) for step, name in steps(engine, incident.id) if step.startswith("update")]
    assert misses == [("update0:miss1", "alice"), ("update0:miss2", "sre-manager")]
    sweeps.sweep_due(engine, catalog, now=start + timedelta(hours=9))
    assert len([s for s, _ in steps(engine, incident.id) if s.startswith("update")]) == 2  # nothing more
    assert len([r for r in reasons(engine, incident.id, "alice") if "status update overdue" in r]) == 1


def test_a_resolved_incident_breaches_no_response_target(client, engine, catalog):
    trigger = {
        "routing_key": PAYMENTS_KEY,
        "event_action": "trigger",
        "dedup_key": "payments",
        "payload": {"summary": "Payments failing", "source": "pay-1", "severity": "critical"},
    }
    assert client.post("/v2/enqueue", json=trigger).status_code == 202  # SEV1: respond within 15 minutes
    start = started(engine, 1)
    act(
        engine,
        lambda plan, state: escalation.resolve(state, start + timedelta(minutes=5), reason="fixed"),
        catalog=catalog,
        now=start + timedelta(minutes=5),
        number=1,
    )
    assert sweeps.sweep_due(engine, catalog, now=start + timedelta(hours=5)) == []
    assert breaches(engine) == [] and notices(engine) == []
    with engine.connect() as conn:
        due = conn.execute(sa.select(incident_lifecycle.c.due_at)).scalar_one()
    assert due == start + timedelta(minutes=5, days=7)  # only the post-mortem is due


def test_breaches_are_counted_by_target_and_severity_on_the_metrics(client, engine, catalog):
    ids = [open_incident(client, engine, dedup_key=f"disk-{i}").id for i in range(2)]
    sweeps.sweep_due(engine, catalog, now=max(started(engine, i) for i in ids) + RESPONSE_DUE)
    text = client.get("/metrics").get_data(as_text=True)
    assert 'incidents_target_breaches_total{severity="SEV3",target="response"} 2.0' in text.splitlines()


def acknowledge(engine, catalog, number, now):
    act(
        engine,
        lambda plan, state: escalation.acknowledge(plan, state, now, by="alice"),
        catalog=catalog,
        now=now,
        number=number,
        actor="alice",
    )


def reasons(engine, incident_id, name):
    """The reasons of the triggers to `name`, in order."""
    with engine.connect() as conn:
        query = sa.select(pages.c.reason).where(
            pages.c.incident_id == incident_id, pages.c.target_name == name, pages.c.action == "trigger"
        )
        return list(conn.execute(query.order_by(pages.c.id)).scalars())


def steps(engine, incident_id):
    return [(step, name) for _, step, name in notices(engine, incident_id)]


def message(engine, incident_id, kind):
    with engine.connect() as conn:
        query = sa.select(timeline.c.message).where(timeline.c.incident_id == incident_id, timeline.c.kind == kind)
        return conn.execute(query).scalar_one()


def test_a_low_urgency_incident_has_its_breach_written_and_nobody_paged(client, engine, catalog):
    answer = client.post(
        "/v2/enqueue",
        json={
            "routing_key": "exampleintegrationkey00000000001",
            "event_action": "trigger",
            "dedup_key": "slow-ui",
            "payload": {"summary": "A button is misaligned", "source": "web", "severity": "info"},  # SEV4
        },
    )
    assert answer.status_code == 202
    with engine.connect() as conn:
        incident_id = conn.execute(sa.select(incident_lifecycle.c.incident_id)).scalar_one()
    # SEV4: respond within 24 hours; no mitigation or recovery target
    sweeps.sweep_due(engine, catalog, now=started(engine, incident_id) + timedelta(hours=24, minutes=1), limit=50)
    assert [row.data["target"] for row in breaches(engine, incident_id)] == ["response"]
    assert notices(engine, incident_id) == []
