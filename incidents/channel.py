"""The incident channel: the issue's template, as Markdown text, from plain values.

```
#inc-123: Payment Service Outage

**Status**: 🔴 SEV1 - Investigating
...
```
Times are HH:MM in UTC; the timeline shows key events only (the page's full timeline keeps all).
"""

from dataclasses import dataclass
from datetime import UTC, datetime

from incidents.checklist import Action
from incidents.lifecycle import StatusWord
from incidents.severity import Severity
from incidents.updates import Update

COLOURS = {Severity.SEV1: "🔴", Severity.SEV2: "🟠", Severity.SEV3: "🟡", Severity.SEV4: "🔵"}
SOURCES = {"alertmanager": "Alertmanager", "grafana": "Grafana", "pagerduty": "PagerDuty"}
# Timeline kinds that are key events by themselves; notes and others are when pinned.
KEY_KINDS = {"opened", "acknowledged", "channel_created", "commander", "rollback_decided", "resolved", "reopened"}
SEVERITY_KINDS = {"severity_raised", "severity_lowered"}
NOBODY = "unassigned"
NOT_ASSESSED = "not assessed yet"


@dataclass(frozen=True)
class Channel:
    """What the template shows of one incident."""

    number: int
    title: str
    severity: Severity
    status_word: StatusWord
    impact: str
    commander: str | None
    commander_label: str  # the commander's title or team from people.yaml, "" if none
    affected: tuple[str, ...]
    events: tuple[tuple[datetime, str], ...]
    actions: tuple[Action, ...]
    updates: tuple[Update, ...]
    resolved_at: datetime | None = None  # set once resolved: the ETA no longer means anything


def render(channel: Channel) -> str:
    """The incident channel as Markdown, line for line the issue's template."""
    lines = [
        f"#inc-{channel.number}: {channel.title}",
        "",
        f"**Status**: {COLOURS[channel.severity]} {channel.severity.name} - {channel.status_word.value}",
        f"**Impact**: {channel.impact or NOT_ASSESSED}",
        f"**Commander**: {_commander(channel)}",
        f"**Affected**: {', '.join(channel.affected)}",
        "",
        "**Timeline**:",
        *(f"- {hhmm(at)} - {text}" for at, text in channel.events),
        "",
        "**Actions**:",
        *(f"- [{'x' if a.done else ' '}] {a.text}" for a in channel.actions),
        "",
        "**Updates**:",
        *(f"- {hhmm(u.at)}: {u.text}" for u in channel.updates),
    ]
    if channel.resolved_at is not None:
        lines.append(f"- Resolved at {hhmm(channel.resolved_at)} UTC")
    elif channel.updates and channel.updates[-1].eta:
        lines.append(f"- ETA: {channel.updates[-1].eta}")
    return "\n".join(lines) + "\n"


def key_events(entries, *, pinned: tuple[int, ...], source: str) -> tuple[tuple[datetime, str], ...]:
    """The key events among timeline rows (objects with id, at, kind, message, data), in order."""
    out, acknowledged = [], False
    for entry in entries:
        text = _key_text(entry, pinned, source, first_ack=not acknowledged)
        acknowledged |= entry.kind == "acknowledged"
        if text:
            out.append((entry.at, text))
    return tuple(out)


def _key_text(entry, pinned, source, *, first_ack: bool) -> str | None:
    if entry.id in pinned:
        return entry.message
    if entry.kind == "opened":
        return f"Alert triggered ({SOURCES[source]})" if source in SOURCES else entry.message
    if entry.kind == "acknowledged":
        return "On-call acknowledged" if first_ack else None
    if entry.kind == "resolved":
        return "Resolved"
    if entry.kind == "channel_created":  # the timeline's entry names the channel; the template does not
        return "Incident channel created"
    if entry.kind in KEY_KINDS or entry.kind in SEVERITY_KINDS:
        return entry.message
    return None


def _commander(channel: Channel) -> str:
    if not channel.commander:
        return NOBODY
    return f"@{channel.commander}" + (f" ({channel.commander_label})" if channel.commander_label else "")


def hhmm(at: datetime) -> str:
    """HH:MM in UTC (naive times are UTC)."""
    at = at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
    return at.strftime("%H:%M")
