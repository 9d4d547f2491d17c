"""Post-mortems on PostgreSQL: the draft written on resolution, versions, publishing (follow-ups, phase done),
skipping by severity, and the reminder sweep run by two beats at once (one reminder each)."""

import threading
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from commands import postmortems as commands
from commands.escalation import act
from commands.incident import add_action, add_note
from incidents import escalation
from store import postmortems as store
from store.tables import follow_ups, incident_lifecycle, incidents, pages, postmortem_versions, timeline
from tests.integration.acting import mark_sent, open_incident

pytestmark = pytest.mark.both_databases

PAYMENTS_KEY = "examplepaymentskey00000000000002"


def open_sev1(client, engine, key="payments"):
    trigger = {
        "routing_key": PAYMENTS_KEY,
        "event_action": "trigger",
        "dedup_key": key,
        "payload": {"summary": "Payments failing", "source": "pay-1", "severity": "critical"},
    }
    assert client.post("/v2/enqueue", json=trigger).status_code == 202
    with engine.connect() as conn:
        return conn.execute(sa.select(incidents.c.id, incidents.c.number).order_by(incidents.c.id.desc())).first()


def opened_at(engine, incident_id):
    with engine.connect() as conn:
        return conn.execute(sa.select(incidents.c.opened_at).where(incidents.c.id == incident_id)).scalar_one()


def resolve(engine, catalog, number, now):
    decide = lambda plan, state: escalation.resolve(state, now, reason="fixed")  # noqa: E731
    act(engine, decide, catalog=catalog, now=now, number=number)


def kinds(engine, incident_id):
    with engine.connect() as conn:
        query = sa.select(timeline.c.kind, timeline.c.message).where(timeline.c.incident_id == incident_id)
        return conn.execute(query.order_by(timeline.c.id)).all()


def phase(engine, incident_id):
    with engine.connect() as conn:
        where = incident_lifecycle.c.incident_id == incident_id
        return conn.execute(sa.select(incident_lifecycle.c.phase).where(where)).scalar_one()


def read(engine, number):
    """The post-mortem as a reader opens it (its draft written then if it has none yet)."""
    return store.opened(engine, number)


def versions(engine, incident_id) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).where(postmortem_versions.c.incident_id == incident_id)).scalar()


def test_resolving_writes_a_draft_due_in_seven_days(client, engine, catalog):
    incident = open_sev1(client, engine)
    t0 = opened_at(engine, incident.id)
    add_note(engine, incident.number, "Pool exhausted", pinned=True, catalog=catalog, now=t0, actor="alice")
    add_action(engine, incident.number, "Raise the pool size", catalog=catalog, now=t0, actor="alice")
    assert read(engine, incident.number) is None  # not resolved yet
    resolve(engine, catalog, incident.number, t0 + timedelta(hours=1))
    found = read(engine, incident.number)
    assert (found.state, found.due_at) == ("draft", t0 + timedelta(hours=1, days=7))
    assert found.text.startswith("# Incident Post-Mortem: #inc-1\n\n## Summary\nSEV1 incident on payment-service")
    assert "Root cause identified: Pool exhausted" in found.text
    assert "## Action Items\n- [ ] Raise the pool size\n" in found.text
    assert [(v.author, v.at) for v in found.versions] == [("system", t0 + timedelta(hours=1))]


def test_the_draft_text_is_written_when_first_opened_not_at_resolution(client, engine, catalog):
    incident = open_sev1(client, engine)
    t0 = opened_at(engine, incident.id)
    resolve(engine, catalog, incident.number, t0 + timedelta(hours=1))
    with engine.connect() as conn:
        assert store.read(conn, incident.number).state == "draft"  # the post-mortem is there, due
    assert versions(engine, incident.id) == 0
    assert read(engine, incident.number).text.startswith("# Incident Post-Mortem: #inc-1")
    assert read(engine, incident.number).versions[0].at == t0 + timedelta(hours=1)  # dated at the resolution
    assert versions(engine, incident.id) == 1  # opened twice, written once


def test_every_save_is_a_version_and_unchanged_text_is_not(client, engine, catalog):
    incident = open_sev1(client, engine)
    t0 = opened_at(engine, incident.id)
    resolve(engine, catalog, incident.number, t0)
    first = store.save(engine, incident.number, "# v2", now=t0 + timedelta(minutes=1), actor="alice")
    assert store.save(engine, incident.number, "# v2", now=t0 + timedelta(minutes=2), actor="bob") == first
    store.save(engine, incident.number, "# v3", now=t0 + timedelta(minutes=3), actor="oncall-sre")
    found = read(engine, incident.number)
    assert [v.author for v in found.versions] == ["oncall-sre", "alice", "system"]
    assert found.text == "# v3"
    with engine.connect() as conn:
        assert store.version(conn, incident.number, first).text == "# v2"


def test_publishing_records_follow_ups_and_ends_the_postmortem_phase(client, engine, catalog):
    incident = open_sev1(client, engine)
    t0 = opened_at(engine, incident.id)
    resolve(engine, catalog, incident.number, t0)
    text = read(engine, incident.number).text.replace(
        "## Action Items\n",
        "## Action Items\n- [ ] Pool metrics (Owner: sre, Due: 2024-01-22)\n- [x] Raise the pool (Owner: alice)\n",
    )
    commands.publish(engine, incident.number, text, catalog=catalog, now=t0 + timedelta(days=1), actor="alice")
    found = read(engine, incident.number)
    assert (found.state, found.published_by, found.text) == ("published", "alice", text)
    assert phase(engine, incident.id) == "done"
    assert ("postmortem_published", "Post-mortem published by alice (2 action items)") in kinds(engine, incident.id)
    with engine.connect() as conn:
        rows = conn.execute(sa.select(follow_ups).order_by(follow_ups.c.id)).all()
    assert [(r.text, r.owner_kind, r.owner_name, r.due_on, r.state, r.source) for r in rows] == [
        ("Pool metrics", "team", "sre", date(2024, 1, 22), "open", "postmortem"),
        ("Raise the pool", "user", "alice", None, "done", "postmortem"),
    ]
    with pytest.raises(store.Refused, match="published already"):
        commands.publish(engine, incident.number, catalog=catalog, now=t0 + timedelta(days=2), actor="alice")


def test_a_bad_due_date_refuses_the_publish_and_changes_nothing(client, engine, catalog):
    incident = open_sev1(client, engine)
    t0 = opened_at(engine, incident.id)
    resolve(engine, catalog, incident.number, t0)
    text = "## Action Items\n- [ ] Pool metrics (Owner: sre, Due: soon)\n"
    with pytest.raises(store.Refused, match="not YYYY-MM-DD"):
        commands.publish(engine, incident.number, text, catalog=catalog, now=t0, actor="alice")
    assert read(engine, incident.number).state == "draft" and phase(engine, incident.id) == "postmortem"


def test_sev1_may_not_skip_and_sev3_skips_with_a_reason(client, engine, catalog):
    sev1 = open_sev1(client, engine)
    sev3 = open_incident(client, engine)
    t0 = opened_at(engine, sev3.id)
    for incident in (sev1, sev3):
        resolve(engine, catalog, incident.number, t0)
    with pytest.raises(store.Refused, match="SEV1 incident always needs"):
        commands.skip(engine, sev1.number, "small", catalog=catalog, now=t0, actor="alice")
    with pytest.raises(store.Refused, match="say why"):
        commands.skip(engine, sev3.number, " ", catalog=catalog, now=t0, actor="alice")
    commands.skip(engine, sev3.number, "disk alert, no users affected", catalog=catalog, now=t0, actor="alice")
    found = read(engine, sev3.number)
    assert (found.state, found.skip_reason) == ("skipped", "disk alert, no users affected")
    assert ("postmortem_skipped", "Post-mortem skipped by alice: disk alert, no users affected") in kinds(
        engine, sev3.id
    )
    assert phase(engine, sev3.id) == "done" and phase(engine, sev1.id) == "postmortem"


def reminder_pages(engine):
    with engine.connect() as conn:
        query = sa.select(pages.c.incident_id, pages.c.step, pages.c.action).where(pages.c.step.like("%postmortem%"))
        return sorted(conn.execute(query).all())


def test_two_beats_sweeping_at_once_remind_once_each_at_five_days_and_when_overdue(client, engine, catalog):
    ids = [open_incident(client, engine, dedup_key=f"disk-{i}") for i in range(12)]
    t0 = max(opened_at(engine, i.id) for i in ids)
    for incident in ids:
        resolve(engine, catalog, incident.number, t0)

    def two_beats(now):
        barrier = threading.Barrier(2)

        def beat():
            barrier.wait()
            while commands.sweep_reminders(engine, catalog, now=now, limit=3):
                pass

        threads = [threading.Thread(target=beat) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    assert commands.sweep_reminders(engine, catalog, now=t0 + timedelta(days=4)) == []
    two_beats(t0 + timedelta(days=5, minutes=1))
    assert reminder_pages(engine) == [(i.id, "postmortem:due", "trigger") for i in ids]
    two_beats(t0 + timedelta(days=7, minutes=1))
    assert reminder_pages(engine) == sorted(
        [(i.id, step, "trigger") for i in ids for step in ("postmortem:due", "postmortem:overdue")]
    )
    assert commands.sweep_reminders(engine, catalog, now=t0 + timedelta(days=30)) == []
    texts = [m for k, m in kinds(engine, ids[0].id) if k == "postmortem_reminder"]
    assert texts[0].startswith("Post-mortem due in 47 h") and texts[1].startswith("Post-mortem overdue since")
    with engine.connect() as conn:
        assert store.overdue_count(conn, t0 + timedelta(days=8)) == 12


def test_the_reminder_goes_to_the_commander_and_finishing_resolves_it_at_pagerduty(client, engine, catalog):
    from commands.incident import take_command

    incident = open_incident(client, engine)
    t0 = opened_at(engine, incident.id)
    take_command(engine, incident.number, "alice", catalog=catalog, now=t0, actor="alice")
    resolve(engine, catalog, incident.number, t0)
    commands.sweep_reminders(engine, catalog, now=t0 + timedelta(days=8))  # a beat down for days: one reminder
    with engine.connect() as conn:
        query = sa.select(pages.c.step, pages.c.target_name).where(pages.c.step.like("%postmortem%"))
        assert conn.execute(query).all() == [("postmortem:overdue", "alice")]
    mark_sent(engine, incident.id)
    commands.skip(engine, incident.number, "noise", catalog=catalog, now=t0 + timedelta(days=8), actor="alice")
    assert ("resolve:postmortem:overdue", "resolve") in [(s, a) for _, s, a in reminder_pages(engine)]


def test_overdue_postmortems_are_counted_on_the_metrics(client, engine, catalog):
    incident = open_incident(client, engine)
    resolve(engine, catalog, incident.number, opened_at(engine, incident.id) - timedelta(days=8))
    text = client.get("/metrics").get_data(as_text=True)
    assert "incidents_postmortems_overdue 1.0" in text.splitlines()
