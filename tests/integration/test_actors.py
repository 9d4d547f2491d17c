"""Who acted is recorded on every timeline entry an acknowledgement or resolution causes, however it came:
`api:<token name>` through the API, the person a link was sent to, `pagerduty` (with PagerDuty's user in
the entry's data) through a V3 webhook, the sender through the Events API."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from commands import postmortems as postmortem_commands
from commands.escalation import act as act_directly
from incidents import escalation
from incidents.links import Link, sign
from store.tables import pages, timeline
from tests.integration.acting import KEY, SECRET, ack_url, act, first_page, mark_sent, open_incident, webhook

pytestmark = pytest.mark.both_databases


def entries(engine, incident_id):
    """(kind, actor, data) of every timeline entry after the opening ones."""
    with engine.connect() as conn:
        query = sa.select(timeline.c.kind, timeline.c.actor, timeline.c.data).where(
            timeline.c.incident_id == incident_id
        )
        return [tuple(row) for row in conn.execute(query.order_by(timeline.c.id))]


def actors_of(engine, incident_id, *kinds):
    return [actor for kind, actor, _ in entries(engine, incident_id) if kind in kinds]


def test_an_acknowledgement_and_resolution_through_the_api_are_by_the_token_name(client, engine, catalog):
    incident = open_incident(client, engine)
    assert act(client, incident.number, "acknowledge").status_code == 200
    assert act(client, incident.number, "resolve").status_code == 200
    assert actors_of(engine, incident.id, "acknowledged", "resolved") == ["api:example-operator"] * 2
    # What the acknowledgement causes (the unsent page cancelled) carries the same actor.
    assert actors_of(engine, incident.id, "page_cancelled") == ["api:example-operator"]


def test_an_acknowledgement_link_records_the_person_it_was_sent_to(client, engine):
    incident = open_incident(client, engine)
    mark_sent(engine, incident.id)
    assert client.post(ack_url(engine, incident)).status_code == 200
    assert actors_of(engine, incident.id, "acknowledged") == ["oncall-sre"]


def test_a_pagerduty_webhook_records_pagerduty_and_the_pagerduty_user(client, engine):
    incident = open_incident(client, engine)
    mark_sent(engine, incident.id)
    assert webhook(client, engine, incident, "incident.acknowledged", agent="Jane Doe").status_code == 202
    [(kind, actor, data)] = [e for e in entries(engine, incident.id) if e[0] == "acknowledged"]
    assert actor == "pagerduty" and data["pagerduty_user"] == "Jane Doe"


def test_an_events_api_acknowledgement_records_its_sender(client, engine):
    incident = open_incident(client, engine)
    event = {"routing_key": KEY, "event_action": "acknowledge", "dedup_key": "disk-full"}
    assert client.post("/v2/enqueue", json=event).status_code == 202
    assert actors_of(engine, incident.id, "acknowledged") == ["pagerduty"]


def reminded(engine, catalog, incident) -> list[str]:
    """Whom the post-mortem reminder pages once the incident, resolved, has no post-mortem after 8 days."""
    opened = incident.opened_at
    resolve = lambda plan, state: escalation.resolve(state, opened, reason="fixed")  # noqa: E731
    act_directly(engine, resolve, catalog=catalog, now=opened, number=incident.number)
    postmortem_commands.sweep_reminders(engine, catalog, now=opened + timedelta(days=8))
    with engine.connect() as conn:
        query = sa.select(pages.c.target_name).where(pages.c.step.like("%postmortem%"))
        return conn.execute(query).scalars().all()


def test_the_postmortem_reminder_finds_the_person_who_acknowledged_through_pagerduty(client, engine, catalog):
    incident = open_incident(client, engine)
    mark_sent(engine, incident.id)
    assert webhook(client, engine, incident, "incident.acknowledged", agent="alice").status_code == 202
    assert reminded(engine, catalog, incident) == ["alice"]


def test_the_postmortem_reminder_finds_the_person_who_acknowledged_through_a_link(client, engine, catalog):
    incident = open_incident(client, engine)
    mark_sent(engine, incident.id)
    to_alice = Link(incident.id, "user:alice", "acknowledge", first_page(engine, incident.id).id)
    assert client.post("/ack/" + sign(to_alice, SECRET)).status_code == 200
    assert reminded(engine, catalog, incident) == ["alice"]
