"""The chat outbox on PostgreSQL: the rows each decision writes in its own transaction, the order they
are delivered in, and what delivery writes back (the channel on the timeline, failures)."""

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from incidents.chat import ChatConfig
from store import chat as store
from store.tables import chat_messages, incidents, timeline
from tests.integration.acting import act, open_incident
from tests.support import READ, applying_app

pytestmark = pytest.mark.both_databases

WEBHOOK = ChatConfig(webhook_url="http://127.0.0.1:9/hooks/x")
BOT = ChatConfig(slack_bot_token="xoxb-test-token", slack_api_url="http://127.0.0.1:9/api")


@pytest.fixture
def chat_client(settings, catalog, engine, request):
    """The app with every service telling chat (`request.param`: a ChatConfig)."""

    services = tuple(dataclasses.replace(s, chat=request.param) for s in catalog.services)
    app = applying_app(settings, catalog=dataclasses.replace(catalog, services=services), engine=engine)
    return app.test_client()


def rows(engine, incident_id=None):
    query = sa.select(chat_messages).order_by(chat_messages.c.id)
    if incident_id is not None:
        query = query.where(chat_messages.c.incident_id == incident_id)
    with engine.connect() as conn:
        return conn.execute(query).all()


def kinds(engine, incident_id):
    return [row.kind for row in rows(engine, incident_id)]


def test_a_service_without_chat_writes_no_chat_rows(client, engine):
    incident = open_incident(client, engine)
    assert act(client, incident.number, "command", person="alice").status_code == 200
    assert rows(engine) == []


@pytest.mark.parametrize("chat_client", [WEBHOOK], indirect=True)
def test_a_new_incident_queues_its_template_for_the_webhook(chat_client, engine):
    incident = open_incident(chat_client, engine)
    (row,) = rows(engine)
    assert (row.incident_id, row.kind, row.target, row.status, row.attempts) == (
        incident.id,
        "opened",
        "webhook",
        "pending",
        0,
    )
    lines = row.text.split("\n")
    assert lines[0] == "*#inc-1: Disk almost full*"
    assert "*Status*: 🟡 SEV3 - Investigating" in lines and "- 00:00 - Alert triggered (PagerDuty)" not in lines
    assert any(line.endswith(" - Alert triggered (PagerDuty)") for line in lines)


@pytest.mark.parametrize("chat_client", [WEBHOOK], indirect=True)
def test_each_decision_worth_telling_writes_its_rows_and_the_rest_write_none(chat_client, engine):
    incident = open_incident(chat_client, engine)
    n = incident.number
    assert act(chat_client, n, "roles", role="scribe", person="alice").status_code == 200
    assert act(chat_client, n, "notes", text="looking at disks").status_code == 201
    assert act(chat_client, n, "actions", text="Rotate logs").status_code == 201
    assert kinds(engine, incident.id) == ["opened"]
    assert act(chat_client, n, "acknowledge").status_code == 200
    assert act(chat_client, n, "command", person="alice").status_code == 200
    assert (
        act(chat_client, n, "updates", status="Identified", text="Logs filled the disk", eta="15 minutes").status_code
        == 201
    )
    assert act(chat_client, n, "severity", severity="SEV1", reason="customers see errors").status_code == 200
    assert act(chat_client, n, "resolve").status_code == 200
    assert kinds(engine, incident.id) == [
        "opened",
        "acknowledged",
        "commander",
        "update",
        "severity_raised",
        "resolved",
    ]
    texts = [row.text for row in rows(engine, incident.id)[1:]]
    assert (
        texts[2]
        == "🟡 *INC-1* 📣 Update (Identified) from api:example-operator: Logs filled the disk (ETA: 15 minutes)"
    )
    assert texts[3].startswith("🔴 *INC-1* Severity raised from SEV3 to SEV1 by api:example-operator")
    assert texts[4] == "🔴 *INC-1* ✅ Resolved by example-operator (API)"


@pytest.mark.parametrize("chat_client", [BOT], indirect=True)
def test_with_a_bot_token_the_channel_comes_first_and_the_template_is_pinned(chat_client, engine):
    incident = open_incident(chat_client, engine)
    channel, template = rows(engine, incident.id)
    assert (channel.kind, channel.target, channel.payload) == ("channel", "slack", {"name": "inc-1-disk-almost-full"})
    assert (template.kind, template.target, template.payload) == ("opened", "slack", {"pin": True})


@pytest.mark.parametrize("chat_client", [BOT], indirect=True)
def test_messages_are_claimed_one_at_a_time_per_incident_in_order(chat_client, engine):
    first = open_incident(chat_client, engine, "one")
    second = open_incident(chat_client, engine, "two")
    later = datetime.now(UTC) + timedelta(seconds=1)
    with engine.begin() as conn:
        claimed = store.claim(conn, now=later)
        assert [(m.incident_id, m.kind) for m in claimed] == [(first.id, "channel"), (second.id, "channel")]
        assert claimed[0].channel_status == "pending" and claimed[0].channel_id is None
        store.channel_created(conn, claimed[0], "inc-1-disk-almost-full", "C0001", later)
        store.mark_retrying(conn, claimed[1], "HTTP 500", later + timedelta(minutes=1))
    with engine.begin() as conn:
        (template,) = store.claim(conn, now=later)
        assert (template.incident_id, template.kind, template.channel_id) == (first.id, "opened", "C0001")
        store.mark_sent(conn, template, later, remote="1700000000.000100")
    with engine.begin() as conn:
        assert store.claim(conn, now=later) == []  # the second incident's channel waits for its retry
    document = chat_client.get("/incidents/INC-1.md", headers=READ).get_data(as_text=True)
    assert any(line.endswith(" - Incident channel created") for line in document.split("\n"))
    with engine.connect() as conn:
        entry = conn.execute(sa.select(timeline).where(timeline.c.kind == "channel_created")).one()
    assert (entry.incident_id, entry.message) == (first.id, "Incident channel created: #inc-1-disk-almost-full")


@pytest.mark.parametrize("chat_client", [WEBHOOK], indirect=True)
def test_a_permanent_failure_is_on_the_timeline_and_the_next_message_goes_on(chat_client, engine):
    incident = open_incident(chat_client, engine)
    assert act(chat_client, incident.number, "command", person="alice").status_code == 200
    now = datetime.now(UTC) + timedelta(seconds=1)
    with engine.begin() as conn:
        (opened,) = store.claim(conn, now=now)
        store.mark_failed(conn, opened, "HTTP 404: no_team", now)
    with engine.begin() as conn:
        assert [m.kind for m in store.claim(conn, now=now)] == ["commander"]
    with engine.connect() as conn:
        entry = conn.execute(sa.select(timeline.c.message).where(timeline.c.kind == "chat_failed")).scalar_one()
    assert entry == "Chat failed, chat message (opened): HTTP 404: no_team"
    assert [(r.status, r.last_error) for r in rows(engine)][0] == ("failed", "HTTP 404: no_team")


@pytest.mark.parametrize("chat_client", [WEBHOOK], indirect=True)
def test_messages_whose_task_was_lost_are_queued_again_once_per_grace_period(chat_client, engine):
    open_incident(chat_client, engine)
    now, first = datetime.now(UTC), rows(engine)[0].id
    with engine.begin() as conn:
        assert store.requeue_stale(conn, now) == []
        assert store.requeue_stale(conn, now + timedelta(seconds=11)) == [first]
        assert store.requeue_stale(conn, now + timedelta(seconds=12)) == []


@pytest.mark.parametrize("chat_client", [WEBHOOK], indirect=True)
def test_a_severity_rise_by_an_alert_is_told(chat_client, engine):
    incident = open_incident(chat_client, engine)
    response = chat_client.post(
        "/v2/enqueue",
        json={
            "routing_key": "exampleintegrationkey00000000001",
            "event_action": "trigger",
            "dedup_key": "disk-full",
            "payload": {"summary": "Disk full", "source": "db-1", "severity": "critical"},
        },
    )
    assert response.status_code == 202
    assert kinds(engine, incident.id) == ["opened", "severity_raised"]
    with engine.connect() as conn:
        assert conn.execute(sa.select(incidents.c.severity)).scalar_one() == 2
