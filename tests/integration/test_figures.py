"""Figures people act on (issue #14 §2): an acknowledgement is the only thing that counts as one, an overdue
update stays overdue until one is posted, and a new severity's update cadence applies at once."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from commands import incident as commands
from commands import targets as sweeps
from commands.escalation import act as escalation_act
from incidents import escalation
from incidents.lifecycle import StatusWord
from incidents.severity import Severity
from store import targets as store
from store.tables import incident_lifecycle
from tests.integration.acting import act, detail, open_incident
from tests.integration.signing_in import signed_in
from tests.support import READ

pytestmark = pytest.mark.both_databases


def lifecycle_row(engine, incident_id):
    with engine.connect() as conn:
        query = sa.select(incident_lifecycle).where(incident_lifecycle.c.incident_id == incident_id)
        return conn.execute(query).one()


def acknowledge(engine, catalog, number, now):
    escalation_act(
        engine,
        lambda plan, state: escalation.acknowledge(plan, state, now, by="alice"),
        catalog=catalog,
        now=now,
        number=number,
        actor="alice",
    )


def test_a_status_update_on_an_unacknowledged_incident_neither_starts_response_nor_counts_as_acknowledged(
    client, engine
):
    n = open_incident(client, engine).number
    assert act(client, n, "updates", status="Investigating", text="Looking at it").status_code == 201
    assert act(client, n, "status", status="Identified").status_code == 200
    lc = detail(client, n)["lifecycle"]
    assert (lc["status"], lc["phase"], sorted(lc["phase_times"])) == ("Identified", "detection", ["detection"])
    total = client.get("/api/reports", headers=READ).get_json()["total"]
    assert (total["acknowledged"], total["mtta_seconds"]) == (0, None)
    refused = act(client, n, "status", status="Identified", phase="mitigation")
    assert refused.status_code == 400 and "acknowledge the incident first" in refused.get_json()["fields"]["phase"]

    assert act(client, n, "acknowledge").status_code == 200
    assert detail(client, n)["lifecycle"]["phase"] == "mitigation"  # where the status word said it was
    assert client.get("/api/reports", headers=READ).get_json()["total"]["acknowledged"] == 1


def test_update_overdue_stays_until_an_update_is_posted_and_beat_does_not_claim_it_meanwhile(client, engine, catalog):
    incident = open_incident(client, engine)  # SEV3: an update every 2 hours, mitigation within 4 hours
    start = lifecycle_row(engine, incident.id).problem_started_at
    acknowledge(engine, catalog, incident.number, start + timedelta(minutes=1))
    due = start + timedelta(hours=2, minutes=1)
    assert lifecycle_row(engine, incident.id).next_update_due_at == due
    sweeps.sweep_due(engine, catalog, now=due)  # first miss
    sweeps.sweep_due(engine, catalog, now=due + timedelta(hours=2))  # second miss (and mitigation breached)
    row = lifecycle_row(engine, incident.id)
    assert (row.next_update_due_at, row.update_misses) == (due, 2)
    assert detail(client, incident.number)["lifecycle"]["next_update_due"] is not None
    assert "Update overdue" in signed_in(client, engine).get(f"/incidents/INC-{incident.number}").get_data(as_text=True)
    with engine.begin() as conn:  # the update stays overdue, but nothing more is due until recovery's 24 hours
        assert store.claim_due(conn, due + timedelta(hours=3), 50) == []

    posted_at = due + timedelta(hours=3)
    commands.post_update(
        engine, incident.number, StatusWord.IDENTIFIED, "Found it", catalog=catalog, now=posted_at, actor="alice"
    )
    row = lifecycle_row(engine, incident.id)
    assert (row.next_update_due_at, row.update_misses) == (posted_at + timedelta(hours=2), 0)


@pytest.mark.parametrize(("opened_as", "raised_to", "every"), [("critical", "SEV1", 15), ("warning", "SEV2", 30)])
def test_a_raised_severity_brings_the_next_update_within_its_cadence_at_once(
    client, engine, catalog, opened_as, raised_to, every
):
    incident = open_incident(client, engine, severity=opened_as)  # critical: SEV2 (30 min); warning: SEV3 (2 h)
    start = lifecycle_row(engine, incident.id).problem_started_at
    acknowledge(engine, catalog, incident.number, start + timedelta(minutes=1))
    commands.post_update(
        engine, incident.number, StatusWord.INVESTIGATING, "x", catalog=catalog, now=start + timedelta(minutes=2),
        actor="alice",
    )  # fmt: skip
    raised_at = start + timedelta(minutes=10)
    commands.set_severity(
        engine, incident.number, Severity.parse(raised_to), "worse", catalog=catalog, now=raised_at, actor="alice"
    )
    assert lifecycle_row(engine, incident.id).next_update_due_at == raised_at + timedelta(minutes=every)


def test_an_alert_that_raises_the_severity_brings_the_next_update_within_its_cadence_too(client, engine):
    incident = open_incident(client, engine, severity="warning")  # SEV3: an update every 2 hours
    assert act(client, incident.number, "acknowledge").status_code == 200
    assert act(client, incident.number, "updates", status="Investigating", text="x").status_code == 201
    open_incident(client, engine, severity="critical")  # the same alert, now critical: SEV2
    assert detail(client, incident.number)["severity"] == "SEV2"
    due = lifecycle_row(engine, incident.id).next_update_due_at
    assert due <= datetime.now(UTC) + timedelta(minutes=30)
