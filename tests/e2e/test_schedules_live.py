"""Schedules with real processes: web, a worker and beats on PostgreSQL and Redis, the fake PagerDuty, a real
SMTP server (aiosmtpd). A level paging a schedule pages whoever an override put on call a moment ago. A
shift about to start tells the incoming person; a gap tells the team; an override made through the API
tells the person it puts on call; each once, although two beats look every second."""

from collections import Counter
from datetime import UTC, datetime, timedelta

import requests

from tests.e2e.conftest import API_TOKEN, EXPERT_KEY
from tests.e2e.outbox import TIMEOUT, post_alert, settle, triggers_by_key
from tests.smtp_server import MailSink
from tests.support import eventually

API = {"Authorization": f"Bearer {API_TOKEN}"}


def schedules_yaml(first_handoff: datetime) -> str:
    """A daily rota whose first handoff (to sre-manager) is 50 minutes away (its notice, an hour ahead, was due
    10 minutes ago: still fresh); nobody is on call before it."""
    return f"""\
schedules:
  - name: rota
    time_zone: UTC
    team: sre
    layers:
      - name: daily
        start: {first_handoff:%Y-%m-%dT%H:%M}
        rotation: 1 day
        participants: [sre-manager, oncall-sre]
"""


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_two_beats_tell_each_person_once_by_mail(start_stack):
    sink = MailSink().start()
    try:
        first_handoff = (datetime.now(UTC) + timedelta(minutes=50)).replace(second=0, microsecond=0)
        env = {"SMTP_HOST": sink.host, "SMTP_PORT": sink.port, "SMTP_TLS": "none", "INCIDENTS_NOTICE_SECONDS": 1}
        stack = start_stack(schedules=schedules_yaml(first_handoff), env=env)
        stack.start_beat("beat2")

        def subjects() -> Counter:
            return Counter(sink.subjects())

        before = f"You are on call for rota from {first_handoff:%a} {first_handoff.day} {first_handoff:%b %H:%M} UTC"
        eventually(lambda: any(s.startswith(before) for s in subjects()), timeout=TIMEOUT)
        eventually(lambda: any(s.startswith("Nobody is on call on rota") for s in subjects()), timeout=TIMEOUT)

        now = datetime.now(UTC)
        override = {
            "user": "payments-expert",
            "start": iso(now + timedelta(hours=2)),
            "end": iso(now + timedelta(hours=5)),
        }
        made = requests.post(f"{stack.web}/api/schedules/rota/overrides", json=override, headers=API, timeout=10)
        assert made.status_code == 201, made.text
        eventually(lambda: subjects()["Your shifts on rota changed"] >= 2, timeout=TIMEOUT)

        settle(4)  # both beats look four more times each
        counted = subjects()
        assert all(count == 1 for subject, count in counted.items() if subject != "Your shifts on rota changed")
        assert counted["Your shifts on rota changed"] == 2  # payments-expert, and sre-manager whose shift it cuts
        to = sorted(
            address
            for recipients, message in sink.messages
            for address in recipients
            if "changed" in message["Subject"]
        )
        assert to == ["payments-expert@example.com", "sre-manager@example.com"]
        gap = next(message for _, message in sink.messages if message["Subject"].startswith("Nobody is on call"))
        assert sorted(gap["To"].split(", ")) == ["oncall-sre@example.com", "sre-manager@example.com"]
    finally:
        sink.stop()


def test_a_level_paging_a_schedule_pages_whoever_an_override_made_a_moment_ago_puts_on_call(start_stack):
    rota = schedules_yaml(datetime(2026, 1, 5, 9))  # long under way: sre-manager and oncall-sre by day
    stack = start_stack(schedules=rota, first_target="schedule: rota", level_timeouts=(600, 600))
    now = datetime.now(UTC)
    override = {"user": "payments-expert", "start": iso(now), "end": iso(now + timedelta(hours=1))}
    made = requests.post(f"{stack.web}/api/schedules/rota/overrides", json=override, headers=API, timeout=10)
    assert made.status_code == 201, made.text
    post_alert(stack)
    eventually(lambda: triggers_by_key(stack) == {EXPERT_KEY: 1}, timeout=TIMEOUT)
    incident = requests.get(f"{stack.web}/api/incidents/INC-1", headers=API, timeout=10).json()
    said = [entry["message"] for entry in incident["timeline"] if entry["kind"] == "paged"]
    assert said and said[0].startswith("Paging level 1 (schedule rota: payments-expert)")
