"""On-call notices through the real store and senders: a real SMTP server (aiosmtpd), the fake Slack over
HTTP, both databases; two senders at once on PostgreSQL send each notice once."""

import dataclasses
import threading
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from commands import notices
from incidents.chat import ChatConfig
from incidents.schedules import Layer, Override, Schedule
from settings.env import Smtp
from store import overrides
from store.tables import notices as outbox
from store.tables import oncall_periods
from tests.fake_slack import FakeSlack
from tests.integration.signing_in import signed_in
from tests.smtp_server import MailSink
from workers.notices import send_due

pytestmark = pytest.mark.both_databases

# Daily at 09:00 UTC from 1 March 2027: alice, then oncall-sre (both in the example people.yaml).
START = datetime(2027, 3, 1, 9, tzinfo=UTC)
HANDOFF = START + timedelta(days=1)  # alice hands over to oncall-sre


def with_rota(catalog, chat=None):
    rota = Schedule(
        "rota",
        "UTC",
        (Layer("daily", START.replace(tzinfo=None), timedelta(days=1), ("alice", "oncall-sre")),),
        team="sre",
        chat=chat,
    )
    return dataclasses.replace(catalog, schedules={"rota": rota})


def stored(engine):
    with engine.connect() as conn:
        query = sa.select(outbox.c.key, outbox.c.channel, outbox.c.recipients, outbox.c.delivered)
        return [tuple(row) for row in conn.execute(query.order_by(outbox.c.id))]


def periods(engine):
    with engine.connect() as conn:
        query = sa.select(oncall_periods.c.person, oncall_periods.c.start_at, oncall_periods.c.end_at)
        return [(p, a.replace(tzinfo=UTC), b.replace(tzinfo=UTC)) for p, a, b in conn.execute(query.order_by("id"))]


def test_the_incoming_person_is_told_once_however_often_beat_looks(engine, catalog):
    config = with_rota(catalog)
    before = HANDOFF - timedelta(minutes=59)
    assert notices.look(engine, config, now=before) == 1
    assert notices.look(engine, config, now=before + timedelta(seconds=30)) == 0
    assert stored(engine) == [("before:rota:oncall-sre:2027-03-02T09:00:00Z:email", "email", ["oncall-sre"], None)]
    assert notices.look(engine, config, now=HANDOFF + timedelta(seconds=20)) == 1
    assert stored(engine)[-1][:3] == ("handoff:rota:2027-03-02T09:00:00Z:email", "email", ["alice", "oncall-sre"])


def test_who_was_on_call_is_recorded_as_time_passes_and_kept_after_the_config_changes(engine, catalog):
    config = with_rota(catalog)
    notices.look(engine, config, now=HANDOFF - timedelta(hours=2))
    assert periods(engine) == []  # the first look records nothing: it saw no past
    notices.look(engine, config, now=HANDOFF - timedelta(hours=1))
    notices.look(engine, config, now=HANDOFF + timedelta(hours=1))
    assert periods(engine) == [
        ("alice", HANDOFF - timedelta(hours=2), HANDOFF),
        ("oncall-sre", HANDOFF, HANDOFF + timedelta(hours=1)),
    ]
    nobody_now = dataclasses.replace(config, schedules={})  # the schedule is removed from the config
    notices.look(engine, nobody_now, now=HANDOFF + timedelta(hours=3))
    notices.look(engine, config, now=HANDOFF + timedelta(hours=3))  # and back: its past stays as it was
    assert periods(engine)[0] == ("alice", HANDOFF - timedelta(hours=2), HANDOFF)
    assert periods(engine)[-1] == ("oncall-sre", HANDOFF, HANDOFF + timedelta(hours=3))


def test_an_override_tells_both_people_whose_shifts_it_moved(engine, catalog):
    config = with_rota(catalog)
    now = START + timedelta(hours=2)
    notices.look(engine, config, now=now)
    with engine.begin() as conn:  # sre-manager takes oncall-sre's shift of 2 March
        overrides.add(conn, "rota", Override("sre-manager", HANDOFF, HANDOFF + timedelta(days=1), now), by="test")
    notices.look(engine, config, now=now + timedelta(minutes=1))
    changed = [(key, to) for key, channel, to, _ in stored(engine) if key.startswith("changed:")]
    assert sorted(to for _, to in changed) == [["oncall-sre"], ["sre-manager"]]
    assert notices.look(engine, config, now=now + timedelta(minutes=2)) == 0  # told once


def test_a_gap_is_told_to_the_team_by_mail_and_chat(engine, catalog, settings):
    slack = FakeSlack().start()
    try:
        config = with_rota(catalog, ChatConfig(webhook_url=slack.webhook_url))
        now = START - timedelta(days=2)  # the layer starts in two days: nobody is on call until then
        notices.look(engine, config, now=now)
        assert [(key, to) for key, _, to, _ in stored(engine)] == [
            ("gaps:rota:2027-02-27:email", ["oncall-sre", "sre-manager", "alice"]),
            ("gaps:rota:2027-02-27:chat", []),
        ]
        assert send_due(engine, config, settings, now=now) == 2
        assert [row[3] for row in stored(engine)] == ["mailbox", "chat"]
        assert len(slack.webhook_posts) == 1 and "Nobody is on call" in slack.webhook_posts[0]["text"]
        notices.look(engine, config, now=now + timedelta(hours=5))
        assert len(stored(engine)) == 2  # once a day
    finally:
        slack.stop()


def test_mail_goes_through_the_smtp_server_and_is_tried_again_when_it_is_down(engine, catalog, settings):
    config = with_rota(catalog)
    before = HANDOFF - timedelta(minutes=59)
    notices.look(engine, config, now=before)
    sink = MailSink()
    down = dataclasses.replace(settings, smtp=Smtp(sink.host, sink.port, "incidents@example.com", tls="none"))
    assert send_due(engine, config, down, now=before) == 1  # nothing listens yet
    with engine.connect() as conn:
        row = conn.execute(sa.select(outbox)).one()
    assert (row.attempts, row.sent_at, row.next_attempt_at.replace(tzinfo=UTC)) == (
        1,
        None,
        before + timedelta(seconds=30),
    )
    assert send_due(engine, config, down, now=before + timedelta(seconds=10)) == 0  # not due again yet
    sink.start()
    try:
        assert send_due(engine, config, down, now=before + timedelta(seconds=30)) == 1
        recipients, message = sink.messages[0]
        assert recipients == ["oncall-sre@example.com"]
        assert message["Subject"] == "You are on call for rota from Tue 2 Mar 09:00 UTC (09:00 UTC)"
        assert message["From"] == "incidents@example.com"
        assert stored(engine)[0][3] == "smtp"
    finally:
        sink.stop()


@pytest.mark.postgresql_only
def test_two_senders_at_once_send_each_notice_once(engine, catalog, settings):
    config = with_rota(catalog)
    now = START - timedelta(days=30)
    with engine.begin() as conn:  # 60 notices waiting
        for n in range(60):
            row = {"key": f"k{n}", "schedule": "rota", "channel": "email", "recipients": ["alice"], "subject": f"s{n}"}
            conn.execute(sa.insert(outbox).values(**row, body="b", created_at=now, next_attempt_at=now))
    sink = MailSink().start()
    smtp = dataclasses.replace(settings, smtp=Smtp(sink.host, sink.port, "incidents@example.com", tls="none"))
    counts, start = [], threading.Barrier(2)

    def sender():
        start.wait()
        counts.append(send_due(engine, config, smtp, now=now))

    try:
        threads = [threading.Thread(target=sender) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sum(counts) == 60
        assert sorted(sink.subjects(), key=lambda s: int(s[1:])) == [f"s{n}" for n in range(60)]
    finally:
        sink.stop()


def test_the_mail_page_shows_what_was_kept_or_mailed_to_signed_in_people(app, client, engine, catalog, settings):
    config = with_rota(catalog)
    before = HANDOFF - timedelta(minutes=59)
    notices.look(engine, config, now=before)
    assert client.get("/mail").status_code == 302  # sign in first
    signed_in(client, engine)
    assert "waiting to be sent" in client.get("/mail").get_data(as_text=True)
    send_due(engine, config, settings, now=before)
    page = client.get("/mail").get_data(as_text=True)
    assert "You are on call for rota from Tue 2 Mar 09:00 UTC" in page
    assert "to oncall-sre &lt;oncall-sre@example.com&gt;" in page and "kept here" in page
    assert "No SMTP server is set" in page
