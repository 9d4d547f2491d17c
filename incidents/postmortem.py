"""The blameless post-mortem: its draft in the issue's template, its action items, publishing and skipping.

```
# Incident Post-Mortem: #inc-123

## Summary
## Impact
## Timeline (UTC)
## Root Cause
## Contributing Factors
## Action Items
- [ ] Add connection pool metrics to dashboards (Owner: Bob, Due: 2024-01-22)
## Lessons Learned
```
The draft is pre-filled from what the product knows; what only a person knows is left as a bracketed
placeholder (`[customers affected: ?]`).
"""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from incidents import page_steps
from incidents.channel import SOURCES
from incidents.checklist import PLAYBOOK
from incidents.durations import spoken
from incidents.lifecycle import Notice
from incidents.severity import Severity
from incidents.timeline import Entry

SECTIONS = (
    "Summary",
    "Impact",
    "Timeline (UTC)",
    "Root Cause",
    "Contributing Factors",
    "Action Items",
    "Lessons Learned",
)
DRAFT, PUBLISHED, SKIPPED = "draft", "published", "skipped"
# SEV1 and SEV2 always need a post-mortem; the others may skip it with a written reason.
MAY_SKIP = (Severity.SEV3, Severity.SEV4)
# The first reminder goes this long before the post-mortem is due (5 days after resolution for 7 days).
REMIND_BEFORE = timedelta(days=2)


@dataclass(frozen=True)
class Facts:
    """What the product knows of a resolved incident; `entries` are timeline rows (id, at, kind, message, data)."""

    number: int
    title: str
    service: str
    severity: Severity
    source: str
    problem_started_at: datetime
    resolved_at: datetime | None  # None: reopened since it was resolved, open again
    alerts: int
    affected: tuple[str, ...]
    entries: tuple
    pinned: tuple[int, ...] = ()
    open_actions: tuple[str, ...] = ()


@dataclass(frozen=True)
class ActionItem:
    """One `- [ ] text (Owner: X, Due: YYYY-MM-DD)` line; owner and due may be missing."""

    text: str
    done: bool = False
    owner: str | None = None
    due: date | None = None

    def line(self) -> str:
        """The item as a Markdown task line."""
        parts = (f"Owner: {self.owner}" if self.owner else "", f"Due: {self.due}" if self.due else "")
        extra = ", ".join(part for part in parts if part)
        return f"- [{'x' if self.done else ' '}] {self.text}" + (f" ({extra})" if extra else "")


def draft(facts: Facts) -> str:
    """The post-mortem draft in the template, pre-filled."""
    parts = [
        f"# Incident Post-Mortem: #inc-{facts.number}",
        _section("Summary", [_summary(facts)]),
        _section("Impact", _impact(facts)),
        _section("Timeline (UTC)", [f"- {stamp(at)} - {text}" for at, text in key_events(facts)]),
        _section("Root Cause", _root_cause(facts)),
        _section("Contributing Factors", _factors(facts)),
        _section("Action Items", [ActionItem(text).line() for text in follow_up_actions(facts)] or [_ITEM_HINT]),
        _section("Lessons Learned", ["[What went well? What went wrong? Where were we lucky?]"]),
    ]
    return "\n\n".join(parts) + "\n"


_ITEM_HINT = "- [ ] [action item] (Owner: [person or team], Due: [YYYY-MM-DD])"
_PROMPTS = {text.lower() for text in PLAYBOOK}


def follow_up_actions(facts: Facts) -> list[str]:
    """The incident's open actions that are work still to do: the playbook's mitigation prompts left unticked
    were options during the incident, not follow-ups."""
    return [text for text in facts.open_actions if text.lower() not in _PROMPTS]


def _section(name: str, lines: list[str]) -> str:
    return "\n".join([f"## {name}", *lines])


def _summary(facts: Facts) -> str:
    trigger = SOURCES.get(facts.source, "declared by hand" if facts.source == "declared" else facts.source)
    return (
        f"{facts.severity.name} incident on {facts.service}, {_lasting(facts)}, triggered by {trigger}: {facts.title}."
    )


def _lasting(facts: Facts) -> str:
    return "open again since it was reopened" if facts.resolved_at is None else f"lasting {spoken(duration(facts))}"


def _impact(facts: Facts) -> list[str]:
    start = stamp(facts.problem_started_at)
    if facts.resolved_at is None:
        lasted = f"- Duration: still open (reopened; from {start} UTC)"
    else:
        lasted = f"- Duration: {spoken(duration(facts))} (from {start} to {stamp(facts.resolved_at)} UTC)"
    return [
        lasted,
        f"- Alerts: {facts.alerts}",
        f"- Affected services: {', '.join(facts.affected or (facts.service,))}",
        "- Customers affected: [customers affected: ?]",
        "- Failed requests / error rate: [failed requests: ?]",
        "- Revenue or SLO budget lost: [SLO budget lost: ?]",
    ]


def _root_cause(facts: Facts) -> list[str]:
    found = [e.message for e in facts.entries if e.id in facts.pinned and e.kind == "note"]
    lines = ["[What failed, and how? Describe the system and the conditions, not the people.]"]
    return lines + ([f"Noted during the incident: {found[0]}"] if found else [])


def _factors(facts: Facts) -> list[str]:
    rollbacks = [f"{stamp(e.at)}: {_rollback(e)}" for e in facts.entries if e.kind == "rollback_decided"]
    lines = [f"- Rollback decisions: {'; '.join(rollbacks)}"] if rollbacks else []
    return lines + ["- [What made it more likely, larger or slower to find?]"]


def _rollback(entry) -> str:
    data = entry.data or {}
    return f"we roll back {data.get('summary') or data.get('change_id') or entry.message}"


def key_events(facts: Facts) -> list[tuple[datetime, str]]:
    """Alert triggered, acknowledged, root cause identified (the first pinned note), other pinned
    entries, rollback decisions, mitigation deployed (status Monitoring), full recovery (resolved)."""
    out, seen = [], set()
    for entry in facts.entries:
        text = _key_text(entry, facts, seen)
        if text:
            out.append((entry.at, text))
    return out


def _key_text(entry, facts: Facts, seen: set) -> str | None:
    kind, data = entry.kind, entry.data or {}
    if entry.id in facts.pinned:
        first = entry.kind == "note" and _once(seen, "root")
        return f"Root cause identified: {_found(entry.message)}" if first else f"Key event: {entry.message}"
    if kind == "opened" or kind == "declared":
        return _once(seen, "opened") and f"Alert triggered ({SOURCES.get(facts.source, facts.source)})"
    if kind == "acknowledged":
        return _once(seen, "ack") and "Acknowledged by on-call"
    if kind == "rollback_decided":
        return f"Rollback decided: {_rollback(entry)}"
    if kind in ("status", "update") and data.get("status") == "Monitoring":
        return _once(seen, "mitigated") and "Mitigation deployed (status: Monitoring)"
    if kind == "resolved":
        return _once(seen, "resolved") and "Full recovery (resolved)"
    return None


def _found(note: str) -> str:
    """The note without its own "Identified": "Identified DB pool exhaustion" is the cause "DB pool exhaustion"."""
    rest = re.sub(r"^\s*(root cause\s+)?identified\s*:?\s*", "", note, flags=re.IGNORECASE)
    return rest[:1].upper() + rest[1:] if rest else note


def _once(seen: set, key: str) -> bool:
    """True the first time `key` is seen."""
    if key in seen:
        return False
    seen.add(key)
    return True


_ITEM = re.compile(r"^\s*[-*+]\s+\[(?P<mark>[ xX])\]\s+(?P<rest>.+?)\s*$")
_TAIL = re.compile(r"\s*\((?P<fields>(?:owner|due)\s*:[^()]*)\)\s*$", re.IGNORECASE)


def action_items(text: str) -> tuple[list[ActionItem], list[str]]:
    """The task lines of the Action Items section, and the problems found in them (a date not YYYY-MM-DD).
    Placeholder items (text in brackets) are not action items."""
    items, problems = [], []
    for line in section(text, "Action Items").splitlines():
        found = _ITEM.match(line)
        if found and not found["rest"].startswith("["):
            item, problem = _item(found["mark"] != " ", found["rest"])
            items.append(item)
            problems += [problem] if problem else []
    return items, problems


def _item(done: bool, rest: str) -> tuple[ActionItem, str | None]:
    tail = _TAIL.search(rest)
    if tail is None:
        return ActionItem(rest, done), None
    fields = dict(_field(part) for part in tail["fields"].split(","))
    owner = fields.get("owner", "").lstrip("@") or None
    owner = None if owner and owner.startswith("[") else owner
    due, problem = _date(fields.get("due", ""))
    return ActionItem(rest[: tail.start()].strip(), done, owner, due), problem and f"{rest}: {problem}"


def _field(part: str) -> tuple[str, str]:
    name, _, value = part.partition(":")
    return name.strip().lower(), value.strip()


def _date(text: str) -> tuple[date | None, str | None]:
    if not text or text.startswith("["):
        return None, None
    try:
        return date.fromisoformat(text), None
    except ValueError:
        return None, f"due date {text!r} is not YYYY-MM-DD"


def section(text: str, name: str) -> str:
    """The body of `## name` (up to the next `## ` heading), '' if there is none."""
    found = re.search(rf"^##\s+{re.escape(name)}\s*$(?P<body>.*?)(?=^##\s|\Z)", text, re.MULTILINE | re.DOTALL)
    return found["body"].strip("\n") if found else ""


def may_skip(severity: Severity) -> bool:
    """SEV3 and SEV4 may skip the post-mortem with a reason; SEV1 and SEV2 never."""
    return severity in MAY_SKIP


def skipped(severity: Severity, reason: str, *, by: str) -> Entry:
    """The timeline entry of a skipped post-mortem; ValueError when it may not be skipped or says no reason."""
    if not may_skip(severity):
        raise ValueError(f"a {severity.name} incident always needs a post-mortem")
    if not reason.strip():
        raise ValueError("say why the post-mortem is skipped")
    return Entry("postmortem_skipped", f"Post-mortem skipped by {by}: {reason.strip()}", {"reason": reason.strip()})


def published(items: list[ActionItem], *, by: str) -> Entry:
    """The timeline entry of a published post-mortem."""
    return Entry("postmortem_published", f"Post-mortem published by {by} ({len(items)} action items)", {})


def reminder_times(due_at: datetime, resolved_at: datetime) -> tuple[datetime, ...]:
    """When to remind: before it is due (if that comes after the resolution), and when it is overdue."""
    early = due_at - REMIND_BEFORE
    return (early, due_at) if early > resolved_at else (due_at,)


def reminder(due_at: datetime, now: datetime, *, whom: str) -> Entry:
    """The timeline entry of a reminder: due soon, or overdue."""
    if now >= due_at:
        return Entry("postmortem_reminder", f"Post-mortem overdue since {stamp(due_at)} UTC: reminded {whom}", {})
    left = spoken(due_at - now)
    return Entry("postmortem_reminder", f"Post-mortem due in {left} ({stamp(due_at)} UTC): reminded {whom}", {})


def duration(facts: Facts) -> timedelta:
    return max(facts.resolved_at - facts.problem_started_at, timedelta(0))


def stamp(at: datetime) -> str:
    """`2024-01-15 14:02` in UTC (naive times are UTC)."""
    at = at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
    return at.strftime("%Y-%m-%d %H:%M")


def reminder_notice(person: str | None, due: datetime, now: datetime) -> Notice:
    """Whom a reminder pages: `person` (the commander, else the last person who acknowledged), else the
    current on-call level."""
    step = page_steps.notice("postmortem:overdue" if now >= due else "postmortem:due")
    reason = "post-mortem overdue" if now >= due else f"post-mortem due {stamp(due)} UTC"
    return Notice("commander", step, reason, person) if person else Notice("oncall", step, reason)
