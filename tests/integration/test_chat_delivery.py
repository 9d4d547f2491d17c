"""Delivering the chat outbox to a fake Slack over real HTTP: webhooks and an incident channel, in order,
once each; 5xx and 429 (with its Retry-After) retried, a permanent error on the timeline."""

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from incidents.chat import ChatConfig
from store.tables import chat_messages, timeline
from tests.fake_slack import TOKEN, FakeSlack
from tests.integration.acting import act, open_incident
from tests.support import applying_app
from workers import chat


@pytest.fixture
def slack():
    fake = FakeSlack().start()
    yield fake
    fake.stop()


class Clock:
    """Time for the delivery, moved on by the test instead of slept."""

    def __init__(self):
        self.now = datetime.now(UTC)

    def __call__(self):
        return self.now

    def later(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def chat_stack(settings, catalog, engine, slack, request):
    """(test client, catalog) with every service on the fake Slack: `webhook` or `bot` (`request.param`)."""

    if request.param == "webhook":
        config = ChatConfig(webhook_url=slack.webhook_url)
    else:
        config = ChatConfig(
            slack_bot_token=request.param == "bot" and TOKEN or "xoxb-wrong-token", slack_api_url=slack.api_url
        )
    services = tuple(dataclasses.replace(s, chat=config) for s in catalog.services)
    chatty = dataclasses.replace(catalog, services=services)
    return applying_app(settings, catalog=chatty, engine=engine).test_client(), chatty


def deliver(engine, catalog, clock, backoff=lambda attempts: 5.0):
    return chat.deliver(engine, catalog, public_url="https://inc.example", clock=clock, backoff=backoff)


def statuses(engine):
    with engine.connect() as conn:
        return [(r.kind, r.status) for r in conn.execute(sa.select(chat_messages).order_by(chat_messages.c.id))]


def timeline_of(engine, kind):
    with engine.connect() as conn:
        return conn.execute(sa.select(timeline.c.message).where(timeline.c.kind == kind)).scalars().all()


@pytest.mark.parametrize("chat_stack", ["webhook"], indirect=True)
def test_a_webhook_gets_the_template_then_each_event_in_order(chat_stack, engine, slack):
    client, catalog = chat_stack
    incident = open_incident(client, engine)
    act(client, incident.number, "command", person="alice")
    done = deliver(engine, catalog, Clock())
    assert done.outcomes == {"sent": 2} and done.retry_in is None
    opened, command = slack.webhook_posts
    assert opened["text"].startswith("*#inc-1: Disk almost full*\n")
    assert opened["text"].endswith("\n<https://inc.example/incidents/INC-1|Open INC-1>")
    assert command["text"] == "🟡 *INC-1* api:example-operator made alice commander"
    assert deliver(engine, catalog, Clock()).outcomes == {}  # once


@pytest.mark.parametrize("chat_stack", ["bot"], indirect=True)
def test_with_a_bot_token_the_channel_is_created_the_template_pinned_and_updates_posted(chat_stack, engine, slack):
    client, catalog = chat_stack
    incident = open_incident(client, engine)
    assert deliver(engine, catalog, Clock()).outcomes == {"sent": 2}
    channel = slack.channels["inc-1-disk-almost-full"]
    (template,) = channel.messages
    assert template["text"].startswith("*#inc-1: Disk almost full*") and channel.pins == [template["ts"]]
    assert timeline_of(engine, "channel_created") == ["Incident channel created: #inc-1-disk-almost-full"]
    act(client, incident.number, "updates", status="Identified", text="Disk filled by logs")
    deliver(engine, catalog, Clock())
    assert channel.messages[-1]["text"].endswith("Update (Identified) from api:example-operator: Disk filled by logs")


@pytest.mark.parametrize("chat_stack", ["webhook"], indirect=True)
def test_a_5xx_is_retried_after_its_backoff_and_later_messages_wait_for_it(chat_stack, engine, slack):
    client, catalog = chat_stack
    incident = open_incident(client, engine)
    act(client, incident.number, "command", person="alice")
    slack.answer_next(500)
    clock = Clock()
    done = deliver(engine, catalog, clock)
    assert (done.outcomes, done.retry_in) == ({"retrying": 1}, 5.0)
    assert slack.webhook_posts == [] and statuses(engine) == [("opened", "pending"), ("commander", "pending")]
    assert deliver(engine, catalog, clock).outcomes == {}  # not due yet
    clock.later(5)
    assert deliver(engine, catalog, clock).outcomes == {"sent": 2}
    assert [p["text"][:12] for p in slack.webhook_posts] == ["*#inc-1: Dis", "🟡 *INC-1* ap"]


@pytest.mark.parametrize("chat_stack", ["webhook"], indirect=True)
def test_a_429_waits_for_retry_after_and_stops_the_drain(chat_stack, engine, slack):
    client, catalog = chat_stack
    open_incident(client, engine, "one")
    open_incident(client, engine, "two")
    slack.answer_next(429, retry_after=30)
    done = deliver(engine, catalog, Clock(), backoff=lambda attempts: 1.0)
    assert done.retry_in == 30.0 and done.outcomes == {"retrying": 1, "sent": 1} and not done.more


@pytest.mark.parametrize("chat_stack", ["webhook"], indirect=True)
def test_a_4xx_from_a_webhook_is_on_the_timeline_and_not_retried(chat_stack, engine, slack):
    client, catalog = chat_stack
    open_incident(client, engine)
    slack.answer_next(404)
    assert deliver(engine, catalog, Clock()).outcomes == {"failed": 1}
    assert timeline_of(engine, "chat_failed") == ["Chat failed, chat message (opened): HTTP 404: rollup_error"]
    assert deliver(engine, catalog, Clock()).outcomes == {}


@pytest.mark.parametrize("chat_stack", ["wrong-token"], indirect=True)
def test_an_invalid_token_fails_the_channel_once_and_its_messages_are_skipped(chat_stack, engine, slack):
    client, catalog = chat_stack
    open_incident(client, engine)
    assert deliver(engine, catalog, Clock()).outcomes == {"failed": 1, "skipped": 1}
    assert timeline_of(engine, "chat_failed") == [
        "Chat failed, creating the incident's Slack channel: conversations.create: invalid_auth"
    ]
    assert statuses(engine) == [("channel", "failed"), ("opened", "skipped")]


@pytest.mark.parametrize("chat_stack", ["bot"], indirect=True)
def test_a_pin_that_fails_is_retried_without_posting_the_template_again(chat_stack, engine, slack):
    client, catalog = chat_stack
    open_incident(client, engine)
    slack.answer_next(503, path="/pins.add")
    clock = Clock()
    assert deliver(engine, catalog, clock).outcomes == {"sent": 1, "retrying": 1}
    clock.later(5)
    assert deliver(engine, catalog, clock).outcomes == {"sent": 1}
    channel = slack.channels["inc-1-disk-almost-full"]
    assert len(channel.messages) == 1 and channel.pins == [channel.messages[0]["ts"]]


@pytest.mark.parametrize("chat_stack", ["bot"], indirect=True)
def test_a_channel_name_taken_gets_the_next_free_one(chat_stack, engine, slack):
    client, catalog = chat_stack
    slack._create({"name": "inc-1-disk-almost-full"})  # someone made it by hand
    open_incident(client, engine)
    deliver(engine, catalog, Clock())
    assert slack.channels["inc-1-disk-almost-full-2"].pins
    assert timeline_of(engine, "channel_created") == ["Incident channel created: #inc-1-disk-almost-full-2"]
