"""What chat is told: channel names, the template in mrkdwn, one line per event, the chat config."""

import pytest

from incidents import chat
from incidents.severity import Severity
from incidents.timeline import Entry
from settings.catalog import load_catalog
from tests.unit.test_channel import TEMPLATE
from tests.unit.test_config import LEVEL, problems, write


def test_a_channel_name_is_the_number_and_a_slug_of_the_title():
    assert chat.channel_name(123, "Payment Service Outage") == "inc-123-payment-service-outage"


def test_a_channel_name_keeps_to_slacks_rules_whatever_the_title():
    name = chat.channel_name(7, "  DB: Café <p99> latency > 2s!! / Ünïcode_and_UNDERSCORES " + "x" * 200)
    assert name.startswith("inc-7-db-cafe-p99-latency-2s-unicode-and-underscores-")
    assert len(name) == 80 and name == name.lower() and all(c.isalnum() or c == "-" for c in name)
    assert not name.endswith("-")


def test_a_title_without_letters_or_digits_leaves_the_number_alone():
    assert chat.channel_name(9, "🔥🔥 !!") == "inc-9"


def test_a_taken_name_gets_a_counter_within_80_characters():
    assert chat.channel_name(123, "Payment Service Outage", taken=1) == "inc-123-payment-service-outage-2"
    assert len(chat.channel_name(123, "y" * 100, taken=2)) == 80
    assert chat.channel_name(123, "y" * 100, taken=2).endswith("yy-3")


def test_the_template_in_mrkdwn_has_slack_bold_and_the_same_lines():
    text = chat.mrkdwn(TEMPLATE)
    lines = text.split("\n")
    assert lines[0] == "*#inc-123: Payment Service Outage*"
    assert lines[2] == "*Status*: 🔴 SEV1 - Investigating"
    assert "*Timeline*:" in lines and "- [x] Enabled circuit breaker on payment service" in lines
    assert lines[-1] == "- ETA: 15 minutes"
    assert "**" not in text and len(lines) == len(TEMPLATE.rstrip("\n").split("\n"))


def test_slack_markup_characters_in_text_are_escaped():
    assert chat.escape("a <b> & c") == "a &lt;b&gt; &amp; c"
    assert chat.mrkdwn("#inc-1: <script> & co\n") == "*#inc-1: &lt;script&gt; &amp; co*"


def told(entries, target=chat.WEBHOOK, severity=Severity.SEV1):
    return chat.messages(entries, number=12, title="Payments down", severity=severity, template=TEMPLATE, target=target)


def test_a_new_incident_posts_the_template_to_a_webhook():
    (message,) = told([Entry("opened", "Incident opened for service api"), Entry("alert_firing", "Alert firing: x")])
    assert message.kind == "opened" and message.text == chat.mrkdwn(TEMPLATE) and not message.pin


def test_with_a_bot_token_a_new_incident_creates_its_channel_then_pins_the_template():
    channel, template = told([Entry("opened", "Incident opened")], target=chat.SLACK)
    assert (channel.kind, channel.name) == ("channel", "inc-12-payments-down")
    assert (template.kind, template.pin) == ("opened", True)


def test_status_severity_command_breaches_and_resolution_are_told_and_pages_are_not():
    entries = [
        Entry("paged", "Paging level 1 (oncall)"),
        Entry("update", "Update (Identified) from alice: pool exhausted (ETA: 15 minutes)"),
        Entry("severity_raised", "Severity raised from SEV3 to SEV1 by alice: checkout down"),
        Entry("commander", "alice took command"),
        Entry("breach", "Target breached: response within 15 minutes (SEV1); notified the current on-call level"),
        Entry("note", "looking at the pool"),
        Entry("resolved", "Resolved by alice"),
    ]
    assert [m.text for m in told(entries)] == [
        "🔴 *INC-12* 📣 Update (Identified) from alice: pool exhausted (ETA: 15 minutes)",
        "🔴 *INC-12* Severity raised from SEV3 to SEV1 by alice: checkout down",
        "🔴 *INC-12* alice took command",
        "🔴 *INC-12* ⏰ Target breached: response within 15 minutes (SEV1); notified the current on-call level",
        "🔴 *INC-12* ✅ Resolved by alice",
    ]


def test_an_update_is_told_once_with_its_status_word():
    entries = [Entry("status", "Status: Identified (set by bob)"), Entry("update", "Update (Identified) from bob: x")]
    assert [m.kind for m in told(entries)] == ["update"]
    assert [m.kind for m in told(entries[:1])] == ["status"]


def test_the_template_message_links_to_the_incident_page():
    body = chat.payload("opened", "*#inc-12: x*", 12, "https://incidents.example/incidents/INC-12")
    assert body["text"].endswith("\n<https://incidents.example/incidents/INC-12|Open INC-12>")
    assert chat.payload("update", "line", 12, "u") == {"text": "line", "mrkdwn": True}


SERVICE = "services:\n  - name: api\n    default: true\n    escalation_policy:\n" + LEVEL


def test_a_service_names_a_webhook_or_a_bot_token(tmp_path):
    write(tmp_path, SERVICE + "    chat: {webhook_url: '${SLACK_WEBHOOK_URL}'}\n")
    catalog = load_catalog(tmp_path, environ={"SLACK_WEBHOOK_URL": "https://hooks.slack.com/services/T/B/x"})
    assert catalog.chat_of("api") == chat.ChatConfig(webhook_url="https://hooks.slack.com/services/T/B/x")
    assert catalog.chat_of("api").target == chat.WEBHOOK and catalog.chat_of("gone") is None
    write(tmp_path, SERVICE + "    chat: {slack_bot_token: xoxb-123456, slack_api_url: 'http://127.0.0.1:9/api/'}\n")
    config = load_catalog(tmp_path, environ={}).chat_of("api")
    assert (config.target, config.slack_api_url) == (chat.SLACK, "http://127.0.0.1:9/api")
    write(tmp_path, SERVICE + "    chat: {slack_bot_token: xoxb-123456}\n")
    assert load_catalog(tmp_path, environ={}).chat_of("api").slack_api_url == "https://slack.com/api"


@pytest.mark.parametrize(
    "chat_yaml, reason",
    [
        ("{}", "services[0].chat.webhook_url: give exactly one of `webhook_url` and `slack_bot_token`"),
        (
            "{webhook_url: 'https://h.example/x', slack_bot_token: xoxb-123456}",
            "services[0].chat.webhook_url: give exactly one of `webhook_url` and `slack_bot_token`",
        ),
        ("{webhook_url: 'hooks.slack.com/x'}", "services[0].chat.webhook_url: Not a valid URL."),
        ("{slack_bot_token: xoxb-123456, channel: x}", "services[0].chat.channel: Unknown field."),
    ],
)
def test_a_wrong_chat_config_names_the_field(tmp_path, chat_yaml, reason):
    write(tmp_path, SERVICE + f"    chat: {chat_yaml}\n")
    assert problems(tmp_path) == [f"{tmp_path}/services.yaml: {reason}"]
