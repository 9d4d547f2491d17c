"""Helpers for the tests of acknowledging and acting on incidents (links, API actions, webhooks).

No worker runs in those tests: decisions leave rows in the `pages` outbox, and a page counts as sent
once its row says so (`mark_sent` plays the worker's part).
"""

import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from incidents.links import Link, sign
from store.tables import incidents, pages, timeline, used_links
from tests.support import READ

KEY = "exampleintegrationkey00000000001"
SECRET = "test-secret"  # SECRET_KEY of the `settings` fixture
API_TOKEN = "example-api-token-change-me"
WEBHOOK_SECRET = "example-webhook-secret"


def open_incident(client, engine, dedup_key="disk-full", severity="warning"):
    """An incident on production-api (SEV3; "critical": SEV2), whose first page (oncall-sre) is pending;
    its (id, number, opened_at)."""
    response = client.post(
        "/v2/enqueue",
        json={
            "routing_key": KEY,
            "event_action": "trigger",
            "dedup_key": dedup_key,
            "payload": {"summary": "Disk almost full", "source": "db-1", "severity": severity},
        },
    )
    assert response.status_code == 202, response.get_json()
    with engine.connect() as conn:
        return conn.execute(
            sa.select(incidents.c.id, incidents.c.number, incidents.c.opened_at)
            .order_by(incidents.c.id.desc())
            .limit(1)
        ).one()


def first_page(engine, incident_id):
    """The incident's first trigger page: its id and the dedup key PagerDuty knows it by."""
    with engine.connect() as conn:
        return conn.execute(
            sa.select(pages.c.id, pages.c.dedup_key)
            .where(pages.c.incident_id == incident_id)
            .order_by(pages.c.id)
            .limit(1)
        ).one()


def mark_sent(engine, incident_id):
    """What the worker does once PagerDuty accepted them: pending triggers become sent."""
    with engine.begin() as conn:
        conn.execute(
            pages.update()
            .where(pages.c.incident_id == incident_id, pages.c.action == "trigger", pages.c.status == "pending")
            .values(status="sent", sent_at=sa.func.now())
        )


def outbox(engine, incident_id):
    """(action, step, target, status) of every page row, oldest first."""
    with engine.connect() as conn:
        return [
            tuple(row)
            for row in conn.execute(
                sa.select(pages.c.action, pages.c.step, pages.c.target_name, pages.c.status)
                .where(pages.c.incident_id == incident_id)
                .order_by(pages.c.id)
            )
        ]


def snapshot(engine, incident_id):
    """Everything an action could change: status, timeline, outbox, used links."""
    with engine.connect() as conn:
        status = conn.execute(
            sa.select(incidents.c.status, incidents.c.esc_token).where(incidents.c.id == incident_id)
        ).one()
        entries = conn.execute(
            sa.select(timeline.c.kind, timeline.c.message)
            .where(timeline.c.incident_id == incident_id)
            .order_by(timeline.c.id)
        ).all()
        used = conn.execute(sa.select(sa.func.count()).select_from(used_links)).scalar_one()
    return tuple(status), [tuple(e) for e in entries], outbox(engine, incident_id), used


def links_used(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(used_links)).scalar_one()


def detail(client, number):
    return client.get(f"/api/incidents/INC-{number}", headers=READ).get_json()


def messages(client, number, kind):
    """The timeline messages of one kind."""
    return [entry["message"] for entry in detail(client, number)["timeline"] if entry["kind"] == kind]


def ack_url(engine, incident, secret=SECRET):
    """The acknowledgement link a page to oncall-sre carries."""
    return "/ack/" + sign(
        Link(incident.id, "user:oncall-sre", "acknowledge", first_page(engine, incident.id).id), secret
    )


def signed_ago(link, seconds):
    """A token signed `seconds` ago."""
    return sign(link, SECRET, now=datetime.now(UTC) - timedelta(seconds=seconds))


def act(client, number, action, token=API_TOKEN, **body):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.post(f"/api/incidents/INC-{number}/{action}", headers=headers, json=body or None)


def webhook_body(event_type, incident_key, agent="Jane Doe") -> bytes:
    """A V3 webhook as PagerDuty sends it (docs/contracts.md, "PagerDuty V3 webhooks"), as raw bytes."""
    return json.dumps(
        {
            "event": {
                "id": "01DEN4HPBOZ5JA6N8MEVJHTAG9",
                "event_type": event_type,
                "resource_type": "incident",
                "occurred_at": "2024-05-01T10:00:00.000Z",
                "agent": {"id": "PJANE01", "type": "user_reference", "summary": agent},
                "client": None,
                "data": {
                    "id": "Q2KLSK8WCZ2WQ9",
                    "type": "incident",
                    "number": 42,
                    "status": "acknowledged",
                    "incident_key": incident_key,
                    "title": "Disk almost full",
                    "urgency": "high",
                    "service": {"id": "PSVC01", "summary": "production-api"},
                    "assignees": [],
                    "html_url": "https://example.pagerduty.com/incidents/Q2KLSK8WCZ2WQ9",
                },
            }
        }
    ).encode()


def v1(raw: bytes, secret=WEBHOOK_SECRET) -> str:
    return "v1=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()


def deliver(client, raw: bytes, signature: str | None):
    headers = {} if signature is None else {"X-PagerDuty-Signature": signature}
    return client.post("/webhooks/pagerduty", data=raw, headers=headers, content_type="application/json")


def webhook(client, engine, incident, event_type, agent="Jane Doe"):
    """Deliver a correctly signed event about the incident's first page."""
    raw = webhook_body(event_type, first_page(engine, incident.id).dedup_key, agent)
    return deliver(client, raw, v1(raw))


# Acknowledgement links
