"""Chat end to end: web, worker and beat against a fake Slack (incoming webhook and Web API) over real
HTTP, and a chat outage while a SEV1 pages."""

import pytest
import requests
import sqlalchemy as sa

from store.tables import chat_messages, timeline
from tests.e2e.conftest import MANAGER_KEY, READ, SRE_KEY
from tests.e2e.outbox import LONG, TIMEOUT, settle
from tests.e2e.test_escalation_smoke import post_alert
from tests.fake_slack import TOKEN, FakeSlack
from tests.support import eventually

pytestmark = pytest.mark.e2e


@pytest.fixture
def slack():
    fake = FakeSlack().start()
    yield fake
    fake.stop()


def webhook(slack) -> str:
    return f"{{webhook_url: '{slack.webhook_url}'}}"


def bot(slack) -> str:
    return f"{{slack_bot_token: {TOKEN}, slack_api_url: '{slack.api_url}'}}"


def chat_rows(engine) -> list:
    with engine.connect() as conn:
        return conn.execute(sa.select(chat_messages).order_by(chat_messages.c.id)).all()


def test_a_new_sev1_incident_posts_its_template_to_the_webhook(start_stack, slack):
    stack = start_stack(level_timeouts=LONG, chat=webhook(slack))
    post_alert(stack, severity="SEV1")
    (posted,) = eventually(lambda: slack.webhook_posts, timeout=TIMEOUT)
    lines = posted["text"].split("\n")
    assert lines[0] == "*#inc-1: Disk full on db-1*" and "*Status*: 🔴 SEV1 - Investigating" in lines
    assert lines[-1] == f"<{stack.web}/incidents/INC-1|Open INC-1>"


def test_with_a_bot_token_the_incident_gets_its_channel_and_updates_reach_it(start_stack, slack, engine):
    stack = start_stack(level_timeouts=LONG, chat=bot(slack))
    post_alert(stack, severity="SEV1")
    channel = eventually(lambda: slack.channel("inc-1-disk-full-on-db-1"), timeout=TIMEOUT)
    eventually(lambda: channel.pins, timeout=TIMEOUT)
    assert channel.pins == [channel.messages[0]["ts"]] and channel.messages[0]["text"].startswith("*#inc-1: Disk full")
    entries = requests.get(f"{stack.web}/api/incidents/INC-1", headers=READ, timeout=10).json()["timeline"]
    assert "Incident channel created: #inc-1-disk-full-on-db-1" in [e["message"] for e in entries]
    export = requests.get(f"{stack.web}/incidents/INC-1.md", headers=READ, timeout=10).text
    assert any(line.endswith(" - Incident channel created") for line in export.split("\n"))
    update = {"status": "Identified", "text": "Logs filled the disk", "eta": "15 minutes"}
    answer = requests.post(f"{stack.web}/api/incidents/INC-1/updates", json=update, headers=READ, timeout=10)
    assert answer.status_code == 201, answer.text
    eventually(lambda: len(channel.messages) == 2, timeout=TIMEOUT)
    assert channel.messages[1]["text"].endswith("Logs filled the disk (ETA: 15 minutes)")


def test_a_chat_outage_never_delays_the_pages_and_chat_catches_up_once(start_stack, slack, engine):
    slack.down()
    stack = start_stack(level_timeouts=LONG, chat=webhook(slack))
    post_alert(stack, severity="SEV1")
    # SEV1 pages the first level and the manager at once, while every chat attempt gets a 500.
    eventually(lambda: stack.pagerduty.triggers(SRE_KEY) and stack.pagerduty.triggers(MANAGER_KEY), timeout=TIMEOUT)
    assert slack.webhook_posts == [] and chat_rows(engine)[0].status == "pending"
    eventually(lambda: sum(status == 500 for _, status in slack.calls) >= 2, timeout=TIMEOUT)
    with engine.connect() as conn:
        failures = conn.execute(sa.select(timeline.c.message).where(timeline.c.kind == "chat_failed")).all()
    assert failures == []  # a 500 is retried, not a failure
    slack.up()
    eventually(lambda: slack.webhook_posts, timeout=TIMEOUT)
    settle()
    assert len(slack.webhook_posts) == 1 and chat_rows(engine)[0].status == "sent"
    assert len(stack.pagerduty.triggers(SRE_KEY)) == 1 and len(stack.pagerduty.triggers(MANAGER_KEY)) == 1
