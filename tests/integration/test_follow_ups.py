"""Follow-ups on PostgreSQL: owners reminded by two beats sweeping at once (once each), closing resolves what was
paged, the API and the forms change them (bad input changes nothing), and the open follow-ups of earlier incidents
on the same service or alert name."""

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from commands import follow_up_reminders, postmortems
from commands import follow_ups as commands
from commands.escalation import act
from incidents import escalation
from store.tables import follow_ups, pages, timeline
from tests.integration.acting import API_TOKEN, mark_sent, open_incident
from tests.integration.signing_in import csrf_token, signed_in
from tests.integration.spoiling import BEARER, firing_alert, webhook

pytestmark = pytest.mark.both_databases

AUTH = {"Authorization": f"Bearer {API_TOKEN}"}
DUE = date(2030, 1, 22)
ON_DUE_DATE = datetime(2030, 1, 22, 9, tzinfo=UTC)
AFTER = datetime(2030, 1, 23, 0, 1, tzinfo=UTC)


def published(client, engine, catalog, items: str, dedup_key="disk-full"):
    """An incident on production-api, resolved and its post-mortem published with these action items."""
    incident = open_incident(client, engine, dedup_key=dedup_key)
    now = datetime.now(UTC)
    act(engine, lambda plan, state: escalation.resolve(state, now, reason="fixed"), catalog=catalog, now=now,
        number=incident.number)  # fmt: skip
    postmortems.publish(engine, incident.number, f"## Action Items\n{items}", catalog=catalog, now=now, actor="alice")
    return incident


def reminders(engine):
    with engine.connect() as conn:
        query = sa.select(pages.c.incident_id, pages.c.step, pages.c.action, pages.c.target_kind, pages.c.target_name)
        return sorted(conn.execute(query.where(pages.c.step.like("%fu%"))).all())


def rows(engine):
    with engine.connect() as conn:
        return {r.id: r for r in conn.execute(sa.select(follow_ups))}


def messages(engine, incident_id, kind):
    with engine.connect() as conn:
        query = sa.select(timeline.c.message, timeline.c.actor).where(timeline.c.incident_id == incident_id)
        return [tuple(r) for r in conn.execute(query.where(timeline.c.kind == kind).order_by(timeline.c.id))]


def two_beats(engine, catalog, now):
    barrier = threading.Barrier(2)
    errors = []

    def beat():
        barrier.wait()
        try:
            while follow_up_reminders.sweep(engine, catalog, now=now, limit=2):
                pass
        except Exception as error:  # noqa: BLE001 (the test reports it below)
            errors.append(error)

    threads = [threading.Thread(target=beat) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


def test_two_beats_sweeping_at_once_remind_each_owner_once_on_the_due_date_and_once_overdue(client, engine, catalog):
    incidents = [
        published(client, engine, catalog, f"- [ ] Fix {i} (Owner: alice, Due: 2030-01-22)\n"
                  f"- [ ] Page {i} (Owner: sre, Due: 2030-01-22)\n- [ ] Someday {i}\n", dedup_key=f"d{i}")
        for i in range(7)
    ]  # fmt: skip
    ids = sorted(rows(engine))
    assert follow_up_reminders.sweep(engine, catalog, now=ON_DUE_DATE - timedelta(hours=10)) == []
    two_beats(engine, catalog, ON_DUE_DATE)
    due = reminders(engine)
    assert len(due) == 14 and {step.split(":")[1] for _, step, *_ in due} == {"due"}
    assert {(kind, name) for *_, kind, name in due} == {("user", "alice"), ("team", "sre")}
    two_beats(engine, catalog, AFTER)
    both = reminders(engine)
    assert len(both) == 28 and len({(i, step) for i, step, *_ in both}) == 28
    assert follow_up_reminders.sweep(engine, catalog, now=AFTER + timedelta(days=30)) == []
    assert len(reminders(engine)) == 28
    texts = [m for m, _ in messages(engine, incidents[0].id, "follow_up_reminder")]
    assert texts == [
        'Follow-up "Fix 0" is due today (2030-01-22): reminded alice',
        'Follow-up "Page 0" is due today (2030-01-22): reminded team sre',
        'Follow-up "Fix 0" was due 2030-01-22: reminded alice',
        'Follow-up "Page 0" was due 2030-01-22: reminded team sre',
    ]
    assert all(rows(engine)[i].remind_at is None for i in ids)
    # The outbox's unique step would hide a second page: the timeline, which has no such key, shows there was none.
    with engine.connect() as conn:
        written = sa.select(sa.func.count()).where(timeline.c.kind == "follow_up_reminder")
        assert conn.execute(written).scalar_one() == 28


def test_closing_resolves_the_reminder_at_pagerduty_and_a_new_owner_is_reminded_again(client, engine, catalog):
    incident = published(client, engine, catalog, "- [ ] Fix it (Owner: alice, Due: 2030-01-22)\n")
    (item_id,) = rows(engine)
    follow_up_reminders.sweep(engine, catalog, now=AFTER)  # a beat down past the due date: the overdue one only
    assert [(s, a, n) for _, s, a, _, n in reminders(engine)] == [(f"fu{item_id}r0:overdue", "trigger", "alice")]
    mark_sent(engine, incident.id)
    commands.change(engine, item_id, owner=("user", "oncall-sre"), catalog=catalog, now=AFTER, actor="bob")
    follow_up_reminders.sweep(engine, catalog, now=AFTER + timedelta(minutes=1))
    assert [(s, a, n) for _, s, a, _, n in reminders(engine)] == [
        (f"fu{item_id}r0:overdue", "trigger", "alice"),
        (f"fu{item_id}r1:overdue", "trigger", "oncall-sre"),
        (f"resolve:fu{item_id}r0:overdue", "resolve", "alice"),
    ]
    commands.change(engine, item_id, state="done", catalog=catalog, now=AFTER, actor="bob")  # r1 not sent: cancelled
    with engine.connect() as conn:
        status = dict(conn.execute(sa.select(pages.c.step, pages.c.status).where(pages.c.step.like("%fu%"))).all())
    assert status[f"fu{item_id}r1:overdue"] == "cancelled"
    assert messages(engine, incident.id, "follow_up_changed") == [
        ('Follow-up "Fix it" given to oncall-sre by bob', "bob"),
        ('Follow-up "Fix it" closed by bob', "bob"),
    ]
    assert follow_up_reminders.sweep(engine, catalog, now=AFTER + timedelta(days=9)) == []


def test_the_api_closes_reopens_and_reassigns_and_bad_input_changes_nothing(client, engine, catalog):
    incident = published(client, engine, catalog, "- [ ] Fix it (Owner: alice, Due: 2030-01-22)\n")
    (item_id,) = rows(engine)
    before = rows(engine)[item_id]
    path = f"/api/follow-ups/{item_id}"
    for body, field in (
        ({"state": "closed"}, "state"),
        ({"owner": "nobody-we-know"}, "owner"),
        ({"due_on": "22/01/2030"}, "due_on"),
        ({"due_on": "2030-01-22", "colour": "red"}, "colour"),
        ({"state": "done", "owner": "nobody-we-know"}, "owner"),
    ):
        answer = client.patch(path, json=body, headers=AUTH)
        assert answer.status_code == 400 and field in answer.get_json()["fields"], (body, answer.get_json())
    assert client.patch(path, data="x", headers=AUTH | {"Content-Type": "text/plain"}).status_code == 415
    assert client.patch(path, json={"state": "done"}).status_code == 401
    assert client.patch("/api/follow-ups/999999", json={"state": "done"}, headers=AUTH).status_code == 404
    assert rows(engine)[item_id] == before and messages(engine, incident.id, "follow_up_changed") == []

    closed = client.patch(path, json={"state": "done"}, headers=AUTH).get_json()
    assert (closed["state"], closed["incident"], closed["overdue"]) == ("done", "INC-1", False)
    moved = client.patch(path, json={"state": "open", "owner": "sre", "due_on": "2031-02-03"}, headers=AUTH)
    assert moved.get_json() | {"created_at": None} == {
        "id": item_id, "incident": "INC-1", "service": "production-api", "text": "Fix it", "owner": "sre",
        "owner_kind": "team", "due_on": "2031-02-03", "state": "open", "overdue": False, "created_by": "alice",
        "created_at": None, "closed_at": None,
    }  # fmt: skip
    assert client.get(path, headers=AUTH).get_json()["owner"] == "sre"
    assert [m for m, _ in messages(engine, incident.id, "follow_up_changed")] == [
        'Follow-up "Fix it" closed by api:example-operator',
        'Follow-up "Fix it" given to team sre by api:example-operator',
        'Follow-up "Fix it" due 2031-02-03, set by api:example-operator',
        'Follow-up "Fix it" reopened by api:example-operator',
    ]
    assert rows(engine)[item_id].remind_at == datetime(2031, 2, 3, tzinfo=UTC)
    cleared = client.patch(path, json={"owner": None, "due_on": None}, headers=AUTH).get_json()
    assert (cleared["owner"], cleared["due_on"]) == (None, None) and rows(engine)[item_id].remind_at is None


def test_the_forms_on_action_items_close_and_reassign_as_the_signed_in_person(client, engine, catalog):
    incident = published(client, engine, catalog, "- [ ] Fix it (Owner: alice, Due: 2020-01-22)\n")
    (item_id,) = rows(engine)
    signed_in(client, engine)
    page = client.get("/action-items").get_data(as_text=True)
    assert 'class="badge overdue">overdue' in page and f"/action-items/{item_id}" in page
    token = csrf_token(page)
    assert client.post(f"/action-items/{item_id}", data={"do": "close"}).status_code == 400  # no CSRF token
    wrong = client.post(
        f"/action-items/{item_id}",
        data={"csrf_token": token, "do": "reassign", "owner": "alice", "due_on": "soon"},
        follow_redirects=True,
    )
    assert "The due date must be a date" in wrong.get_data(as_text=True) and rows(engine)[item_id].due_on.year == 2020
    moved = client.post(
        f"/action-items/{item_id}",
        data={
            "csrf_token": token,
            "do": "reassign",
            "owner": "sre",
            "due_on": "2031-01-01",
            "back": "/action-items?state=",
        },
    )
    assert moved.status_code == 303 and moved.headers["Location"].endswith("/action-items?state=")
    client.post(f"/action-items/{item_id}", data={"csrf_token": token, "do": "close"})
    row = rows(engine)[item_id]
    assert (row.state, row.owner_name, row.owner_kind, row.due_on) == ("done", "sre", "team", date(2031, 1, 1))
    assert ('Follow-up "Fix it" closed by oncall-sre', "oncall-sre") in messages(
        engine, incident.id, "follow_up_changed"
    )
    outside = client.post(
        f"/action-items/{item_id}", data={"csrf_token": token, "do": "reopen", "back": "//evil.example/action-items"}
    )
    assert outside.headers["Location"].endswith("/action-items") and "evil" not in outside.headers["Location"]


def alert(groupkey: str, alertname: str, **labels) -> dict:
    body = webhook(firing_alert(alertname=alertname, **labels) | {"fingerprint": groupkey[:16].ljust(16, "0")})
    return body | {"groupKey": groupkey}


def test_a_new_incident_shows_open_follow_ups_of_earlier_ones_on_its_service_or_alert_name(client, engine, catalog):
    earlier = published(client, engine, catalog, "- [ ] Grow the disk (Owner: sre, Due: 2020-01-22)\n"
                        "- [x] Already done (Owner: alice, Due: 2020-01-22)\n")  # fmt: skip
    assert client.post("/webhooks/alertmanager", json=alert("g1", "HighErrorRate", service="payment-service"),
                       headers=BEARER).status_code == 200  # fmt: skip
    pay = 2
    now = datetime.now(UTC)
    act(
        engine, lambda plan, state: escalation.resolve(state, now, reason="fixed"), catalog=catalog, now=now, number=pay
    )
    postmortems.publish(
        engine, pay, "## Action Items\n- [ ] Rate-limit retries (Owner: alice)\n", catalog=catalog, now=now, actor="a"
    )
    # A new incident on production-api with the same alert name as INC-2 (payment-service).
    assert client.post("/webhooks/alertmanager", json=alert("g2", "HighErrorRate"), headers=BEARER).status_code == 200
    # One on payment-service with another alert name: only INC-2's follow-up (same service).
    assert client.post("/webhooks/alertmanager", json=alert("g3", "DiskFull", service="payment-service"),
                       headers=BEARER).status_code == 200  # fmt: skip

    def shown(number):
        return [(e["incident"], e["text"], e["match"]) for e in
                client.get(f"/api/incidents/INC-{number}", headers=AUTH).get_json()["earlier_follow_ups"]]  # fmt: skip

    assert shown(3) == [("INC-1", "Grow the disk", "service"), ("INC-2", "Rate-limit retries", "alertname")]
    assert shown(4) == [("INC-2", "Rate-limit retries", "service")]
    assert shown(1) == []  # its own follow-ups are not "earlier", and nothing came before it
    assert shown(2) == [] and earlier.number == 1  # another service, another alert name (INC-1 had none)
    item = client.get("/api/incidents/INC-3", headers=AUTH).get_json()["earlier_follow_ups"][0]
    assert (item["owner"], item["owner_kind"], item["due_on"], item["overdue"]) == ("sre", "team", "2020-01-22", True)
    signed_in(client, engine)
    page = client.get("/incidents/INC-3").get_data(as_text=True)
    assert "this may be the incident those follow-ups were meant to prevent" in page.lower()
    assert "Grow the disk" in page and 'href="/incidents/INC-1"' in page and "Already done" not in page
    (first,) = [i for i, r in rows(engine).items() if r.text == "Grow the disk"]
    client.patch(f"/api/follow-ups/{first}", json={"state": "done"}, headers=AUTH)
    assert shown(3) == [("INC-2", "Rate-limit retries", "alertname")]


def test_overdue_follow_ups_are_counted_on_the_metrics(client, engine, catalog):
    items = "- [ ] Old (Owner: alice, Due: 2020-01-22)\n- [ ] New (Owner: alice, Due: 2099-01-01)\n"
    published(client, engine, catalog, items + "- [x] Done (Owner: alice, Due: 2020-01-22)\n")
    text = client.get("/metrics").get_data(as_text=True)
    assert "incidents_follow_ups_overdue 1.0" in text.splitlines()
