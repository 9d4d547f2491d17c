"""Chat: what an incident tells a chat channel, decided from its timeline entries.

A service may name a Slack-compatible incoming webhook (Slack, Mattermost and Rocket.Chat take the
same `text`), or a Slack bot token: then each incident gets a channel of its own, created when it
opens, with the incident channel template posted and pinned there. Text is Slack's mrkdwn
(docs/contracts-more.md, "Slack incoming webhooks" and "Slack Web API for an incident channel").
"""

import re
import unicodedata
from dataclasses import dataclass

from incidents.channel import COLOURS
from incidents.severity import Severity

WEBHOOK, SLACK = "webhook", "slack"
# Timeline kinds worth a message: status, updates, severity, command, breaches and reminders, resolution,
# the post-mortem's reminders and its end.
TOLD = {
    "acknowledged",
    "status",
    "impact",
    "update",
    "severity_raised",
    "severity_lowered",
    "commander",
    "breach",
    "update_overdue",
    "resolved",
    "postmortem_reminder",
    "postmortem_published",
    "postmortem_skipped",
    "follow_up_reminder",
}
MARKS = {
    "breach": "⏰ ",
    "update_overdue": "⏰ ",
    "resolved": "✅ ",
    "update": "📣 ",
    "postmortem_reminder": "⏰ ",
    "follow_up_reminder": "⏰ ",
}
NAME_LIMIT = 80  # Slack's longest channel name


@dataclass(frozen=True)
class ChatConfig:
    """A service's chat: an incoming webhook, or a Slack bot token (and the Web API's base URL)."""

    webhook_url: str = ""
    slack_bot_token: str = ""
    slack_api_url: str = "https://slack.com/api"

    @property
    def target(self) -> str:
        """Where messages go: the webhook, or the incident's own Slack channel."""
        return SLACK if self.slack_bot_token else WEBHOOK


@dataclass(frozen=True)
class Message:
    """One thing to post: `channel` creates the incident's channel (`name`); `opened` is the template."""

    kind: str
    text: str = ""
    pin: bool = False
    name: str = ""


def messages(entries, *, number: int, title: str, severity: Severity, template: str, target: str) -> list[Message]:
    """The messages a decision's timeline entries call for, in their order.

    `template` is the incident channel (store.channel) as Markdown, needed when an entry is `opened`.
    An update names its status word, so the status entry that comes with it is not told twice."""
    out, kinds = [], {entry.kind for entry in entries}
    for entry in entries:
        if entry.kind == "opened":
            out += opening(number, title, template, target)
        elif entry.kind in TOLD and not (entry.kind == "status" and "update" in kinds):
            out.append(Message(entry.kind, line(number, severity, entry.kind, entry.message)))
    return out


def opening(number: int, title: str, template: str, target: str) -> list[Message]:
    """A new incident: its channel first (with a bot token), then the template, pinned there."""
    text = mrkdwn(template)
    if target == SLACK:
        return [Message("channel", name=channel_name(number, title)), Message("opened", text, pin=True)]
    return [Message("opened", text)]


def line(number: int, severity: Severity, kind: str, message: str) -> str:
    """One event as one line: severity colour, incident, what happened (the timeline's words)."""
    return f"{COLOURS[severity]} *INC-{number}* {MARKS.get(kind, '')}{escape(message)}"


def channel_name(number: int, title: str, taken: int = 0) -> str:
    """`inc-123-<slug of title>`: lowercase letters, digits and hyphens, at most 80 characters.

    `taken` > 0 (the name exists already) gives `inc-123-<slug>-2`, `-3`..."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode().lower()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title).strip("-")
    base, suffix = f"inc-{number}", f"-{taken + 1}" if taken else ""
    slug = slug[: NAME_LIMIT - len(base) - len(suffix) - 1].rstrip("-")
    return f"{base}-{slug}{suffix}" if slug else f"{base}{suffix}"


def mrkdwn(markdown: str) -> str:
    """The channel template in Slack's mrkdwn: `*bold*`, the title bold, Slack's three escapes."""
    lines = escape(markdown.rstrip("\n")).split("\n")
    lines[0] = f"*{lines[0]}*" if lines[0] else lines[0]
    return "\n".join(re.sub(r"\*\*(.+?)\*\*", r"*\1*", text) for text in lines)


def escape(text: str) -> str:
    """Slack reads `&`, `<` and `>` as markup: they are sent as entities."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def payload(kind: str, text: str, number: int, incident_url: str) -> dict:
    """The JSON body of a message; the template links to the incident's page."""
    if kind == "opened":
        text += f"\n<{incident_url}|Open INC-{number}>"
    return {"text": text, "mrkdwn": True}
