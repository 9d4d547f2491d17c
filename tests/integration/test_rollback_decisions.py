"""Rollback candidates on the incident page and the decision to roll one back, through the form and the API."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from store.tables import changes, timeline
from tests.integration.changing import DEPLOY, deploy
from tests.integration.signing_in import csrf_token, signed_in
from tests.integration.spoiling import BEARER, post_json
from tests.support import READ

pytestmark = pytest.mark.both_databases

KEY = "exampleintegrationkey00000000001"  # production-api
STARTED = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=30)


def stamp(at: datetime) -> str:
    return at.isoformat().replace("+00:00", "Z")


def record(client, minutes_before: float, version: str, service="production-api") -> int:
    """A deploy made `minutes_before` the problem started; its change id."""
    body = deploy(service=service, version=version, summary=f"Deploy {version}")
    answer = post_json(client, DEPLOY, body | {"time": stamp(STARTED - timedelta(minutes=minutes_before))}, BEARER)
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()["change"]["id"]


def open_incident(client):
    """INC-1 on production-api, its alert started at STARTED (it opens now, later)."""
    payload = {"summary": "Checkout 5xx", "source": "lb", "severity": "critical", "timestamp": stamp(STARTED)}
    event = {"routing_key": KEY, "event_action": "trigger", "dedup_key": "5xx", "payload": payload}
    assert client.post("/v2/enqueue", json=event).status_code == 202


def page(client) -> str:
    return client.get("/incidents/INC-1").get_data(as_text=True)


def rollback_section(html: str) -> str:
    return re.search(r'<section id="rollback".*?</section>', html, re.S).group(0)


def roll_back_form(client, change_id):
    token = csrf_token(page(client))
    form = {"csrf_token": token, "change_id": str(change_id)}
    return client.post("/incidents/INC-1/rollbacks", data=form, follow_redirects=True)


def roll_back_api(client, body, headers=READ):
    return client.post("/api/incidents/INC-1/rollbacks", json=body, headers=headers)


def decisions(engine):
    with engine.connect() as conn:
        query = sa.select(timeline.c.message, timeline.c.actor, timeline.c.data)
        rows = conn.execute(query.where(timeline.c.kind == "rollback_decided").order_by(timeline.c.id)).all()
    return [(message, actor, {k: v for k, v in data.items() if k != "request_id"}) for message, actor, data in rows]


def test_the_page_lists_the_changes_at_the_window_edges_of_every_affected_service_newest_first(client, engine):
    record(client, 61, "outside")
    record(client, 60, "window-start")  # both edges are included
    record(client, 0, "problem-start")
    record(client, -1, "after")
    record(client, 10, "other-service", service="payment-service")
    open_incident(client)
    signed_in(client, engine)
    before = re.findall(r"We roll back Deploy ([\w-]+)", rollback_section(page(client)))
    assert before == ["problem-start", "window-start"]  # payment-service is not affected yet
    body = {"status": "Investigating", "affected": ["production-api", "payment-service"]}
    assert client.post("/api/incidents/INC-1/status", json=body, headers=READ).status_code == 200
    section = rollback_section(page(client))
    shown = re.findall(r"We roll back Deploy ([\w-]+)", section)
    assert shown == ["problem-start", "other-service", "window-start"]
    answers = re.findall(r'<dd class="answer (yes|no)">', section)
    assert answers == ["yes", "yes", "no"]  # exactly an hour before is not "less than an hour"
    assert "Is the impact wide?" in section and "Will the investigation take time?" in section
    assert "not assessed yet" in section and "SEV2" in section


def test_the_form_decides_the_rollback_once_as_the_signed_in_person_and_the_page_shows_it(client, engine):
    change_id = record(client, 10, "v1.4.3")
    open_incident(client)
    signed_in(client, engine)
    first = roll_back_form(client, change_id)
    assert first.status_code == 200 and "Rollback decided" in first.get_data(as_text=True)
    assert roll_back_form(client, change_id).status_code == 200  # a second click changes nothing
    summary = "Deploy v1.4.3"
    expected = {"change_id": change_id, "summary": summary, "version": "v1.4.3"}
    assert decisions(engine) == [(f"Decided to roll back {summary} (v1.4.3)", "oncall-sre", expected)]
    section = rollback_section(page(client))
    assert re.search(r"Rolling back</strong>, decided by oncall-sre at <span[^>]*>\d\d:\d\d UTC", section)
    assert "We roll back" not in section
    markdown = client.get("/incidents/INC-1.md").get_data(as_text=True)
    assert re.search(r"- \d\d:\d\d - Decided to roll back Deploy v1\.4\.3 \(v1\.4\.3\)", markdown)


def test_the_api_decides_the_rollback_once_with_the_tokens_name(client, engine):
    change_id = record(client, 10, "v2")
    open_incident(client)
    first = roll_back_api(client, {"change_id": change_id})
    assert first.status_code == 201 and first.get_json()["decided"] is True
    again = roll_back_api(client, {"change_id": change_id})
    assert again.status_code == 200 and again.get_json() == {
        "incident": "INC-1", "change_id": change_id, "decided": False, "entry_id": None,
    }  # fmt: skip
    assert [(m, a) for m, a, _ in decisions(engine)] == [
        ("Decided to roll back Deploy v2 (v2)", "api:example-operator")
    ]
    candidates = client.get("/api/incidents/INC-1/rollback-candidates", headers=READ).get_json()["candidates"]
    assert candidates[0]["rollback"]["decided_by"] == "api:example-operator"


def test_a_change_that_is_not_a_candidate_is_refused_with_400_naming_change_id(client, engine):
    outside = record(client, 61, "old")
    other = record(client, 10, "elsewhere", service="payment-service")  # not affected
    open_incident(client)
    for body in ({"change_id": outside}, {"change_id": other}, {"change_id": 999_999}, {"change_id": "1"}, {}):
        answer = roll_back_api(client, body)
        assert answer.status_code == 400 and "change_id" in answer.get_json()["fields"], body
    signed_in(client, engine)
    refused = roll_back_form(client, outside).get_data(as_text=True)
    assert f"change {outside} is not a rollback candidate" in refused
    assert decisions(engine) == []


def test_the_decision_needs_sign_in_and_the_csrf_token_or_an_api_token(client, engine):
    change_id = record(client, 10, "v3")
    open_incident(client)
    token = csrf_token(client.get("/sign-in").get_data(as_text=True))
    unsigned = client.post("/incidents/INC-1/rollbacks", data={"csrf_token": token, "change_id": str(change_id)})
    assert unsigned.status_code == 302 and "/sign-in" in unsigned.headers["Location"]
    signed_in(client, engine)
    assert client.post("/incidents/INC-1/rollbacks", data={"change_id": str(change_id)}).status_code == 400
    assert roll_back_api(client, {"change_id": change_id}, headers={}).status_code == 401
    assert roll_back_api(client, {"change_id": change_id}, headers=BEARER).status_code == 401
    assert decisions(engine) == []
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(changes)).scalar_one() == 1


def test_a_change_recorded_after_the_incident_opened_moves_the_live_version(client, engine):
    open_incident(client)
    signed_in(client, engine)
    before = client.get("/incidents/INC-1/live").get_json()["version"]
    record(client, 5, "late")  # the pipeline told us late: it is a candidate all the same
    assert client.get("/incidents/INC-1/live").get_json()["version"] != before
    assert "We roll back Deploy late (late)" in rollback_section(page(client))
