"""Pages say why they come, through the real writer and outbox (issue #14 §2): the summary PagerDuty
gets for an escalation and for the target sweep's notices, and one page per target per decision."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from commands import escalation as escalations
from commands import incident as incident_commands
from commands import targets as sweeps
from incidents import paging
from store import pages as outbox
from store.tables import pages
from tests.integration.acting import open_incident
from tests.integration.test_target_sweep import acknowledge, started

pytestmark = pytest.mark.both_databases


def summaries(engine, incident_id, target_name) -> list[str]:
    """The PagerDuty summaries of the pending triggers to `target_name`, as the worker builds them."""
    with engine.begin() as conn:
        ids = conn.execute(
            sa.select(pages.c.id).where(
                pages.c.incident_id == incident_id, pages.c.target_name == target_name, pages.c.action == "trigger"
            )
        ).scalars()
        claimed = outbox.claim(conn, list(ids), limit=50)
        conn.rollback()
    return [paging.trigger_event(p, labels={}, incident_url="u", ack_url="a")["payload"]["summary"] for p in claimed]


def test_the_next_level_is_told_how_long_nobody_acknowledged(client, engine, catalog):
    incident = open_incident(client, engine)  # SEV3 on production-api: level 1 times out after 30 min
    assert summaries(engine, incident.id, "oncall-sre") == ["[INC-1] Disk almost full"]
    escalations.claim_due(engine, catalog, now=incident.opened_at + timedelta(minutes=30), limit=50)
    assert summaries(engine, incident.id, "sre-manager") == [
        "[INC-1] still unacknowledged after 30 min: Disk almost full"
    ]


def test_a_breach_and_a_missed_update_found_in_one_sweep_page_the_commander_once(client, engine, catalog):
    incident = open_incident(client, engine)
    start = started(engine, incident.id)
    acknowledge(engine, catalog, incident.number, start + timedelta(minutes=1))  # SEV3: an update every 2 hours
    incident_commands.take_command(engine, incident.number, "alice", catalog=catalog, now=start, actor="alice")
    sweeps.sweep_due(engine, catalog, now=start + timedelta(hours=5))  # past a mitigation target and the update
    [said] = summaries(engine, incident.id, "alice")
    assert said.startswith("[INC-1] mitigation") and said.endswith(" breached, update overdue: Disk almost full")
