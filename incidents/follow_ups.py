"""Follow-ups (action items) after the post-mortem: when to remind their owner, and what a change to one means.

Pure functions taking `now`: the store keeps the next reminder's time in a column (`follow_ups.remind_at`)
and asks here which reminder is due and when the next one falls.
"""

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta

from incidents.lifecycle import Notice
from incidents.page_steps import PageStep, StepKind
from incidents.timeline import Entry

OPEN, DONE = "open", "done"
STATES = (OPEN, DONE)
DUE, OVERDUE = "due", "overdue"
STEP_PREFIX = "fu"  # pages.step is 32 characters: `resolve:fu<id>r<round>:overdue` must fit


@dataclass(frozen=True)
class FollowUp:
    """What a change or a reminder needs to know of one follow-up; `round` counts its re-arms (a new owner,
    a new due date, a reopening), so that each round's reminders page once under steps of their own."""

    id: int
    text: str
    owner_kind: str | None
    owner_name: str | None
    due_on: date | None
    state: str
    round: int = 0
    reminded: str = ""  # "", DUE or OVERDUE: the last reminder of this round


def due_at(due_on: date) -> datetime:
    """A follow-up falls due at the start (00:00 UTC) of its due date."""
    return datetime.combine(due_on, time(0), UTC)


def overdue_at(due_on: date) -> datetime:
    """... and is overdue once its due date is over (as /action-items marks it: due before today)."""
    return due_at(due_on) + timedelta(days=1)


def first_reminder(item: FollowUp) -> datetime | None:
    """When the sweep should first look at an open follow-up with a due date (None: never)."""
    if item.state != OPEN or item.due_on is None or item.reminded == OVERDUE:
        return None
    return overdue_at(item.due_on) if item.reminded == DUE else due_at(item.due_on)


def reminder(item: FollowUp, now: datetime) -> tuple[str | None, datetime | None]:
    """The reminder due by `now` (DUE on the due date, OVERDUE after it, each once a round; a sweep that
    comes late past both sends only OVERDUE) and the time to look again (None: nothing more)."""
    start = first_reminder(item)
    if start is None or start > now:
        return None, start
    if now >= overdue_at(item.due_on):
        return OVERDUE, None
    return DUE, overdue_at(item.due_on)


def step(item: FollowUp, kind: str) -> str:
    """The page step of a reminder: a PagerDuty alert of its own per follow-up, round and kind."""
    return f"{step_prefix(item)}:{kind}"


def step_prefix(item: FollowUp) -> str:
    """What every step of this round's reminders starts with (`fu12r0`)."""
    return f"{STEP_PREFIX}{item.id}r{item.round}"


def owner_label(item: FollowUp) -> str:
    if item.owner_name is None:
        return "nobody"
    return f"team {item.owner_name}" if item.owner_kind == "team" else item.owner_name


def reminder_entry(item: FollowUp, kind: str, *, whom: str) -> Entry:
    """The timeline entry of a reminder (told in chat where the service has one)."""
    when = f"was due {item.due_on.isoformat()}" if kind == OVERDUE else f"is due today ({item.due_on.isoformat()})"
    return Entry(
        "follow_up_reminder",
        f'Follow-up "{_short(item.text)}" {when}: reminded {whom}',
        {"follow_up_id": item.id, "reminder": kind, "owner": item.owner_name},
    )


@dataclass(frozen=True)
class Changed:
    """A decided change: the follow-up after it, its timeline entries, whether the reminders sent for it so far
    are to be resolved at PagerDuty (and unsent ones cancelled), and whether its reminders start again."""

    item: FollowUp
    entries: tuple[Entry, ...]
    resolve_reminders: bool
    rearm: bool


UNCHANGED = object()


def change(item: FollowUp, *, state=UNCHANGED, owner=UNCHANGED, due_on=UNCHANGED, by: str) -> Changed:
    """Close (`done`), reopen (`open`), give to another owner (`owner`: (kind, name) or None) or another due date
    (a date or None). Values equal to the current ones change nothing. Closing resolves what was paged for it;
    a new owner or due date on an open one resolves the old round's reminders and arms a new round, as does
    reopening."""
    new, entries, data = item, [], {"follow_up_id": item.id}
    if owner is not UNCHANGED and (owner or (None, None)) != (item.owner_kind, item.owner_name):
        kind, name = owner or (None, None)
        new = replace(new, owner_kind=kind, owner_name=name)
        text = f'Follow-up "{_short(item.text)}" given to {owner_label(new)} by {by}'
        entries.append(Entry("follow_up_changed", text, data | {"owner": name, "owner_kind": kind}))
    if due_on is not UNCHANGED and due_on != item.due_on:
        new = replace(new, due_on=due_on)
        when = due_on.isoformat() if due_on else "no date"
        entries.append(Entry("follow_up_changed", f'Follow-up "{_short(item.text)}" due {when}, set by {by}', data))
    if state is not UNCHANGED and state != item.state:
        if state not in STATES:
            raise ValueError(f"{state!r} is not a state (open or done)")
        new = replace(new, state=state)
        word = "closed" if state == DONE else "reopened"
        entries.append(Entry("follow_up_changed", f'Follow-up "{_short(item.text)}" {word} by {by}', data))
    moved = new.owner_name != item.owner_name or new.owner_kind != item.owner_kind or new.due_on != item.due_on
    reopened = item.state == DONE and new.state == OPEN
    closed = item.state == OPEN and new.state == DONE
    rearm = new.state == OPEN and (reopened or moved)
    if rearm:
        new = replace(new, round=item.round + 1, reminded="")
    return Changed(new, tuple(entries), closed or (rearm and item.state == OPEN), rearm)


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def reminder_notice(item: FollowUp, kind: str) -> Notice | None:
    """Whom a reminder pages: the owner, a user or a team; None without one (the reminder is written and
    told in chat, nobody paged)."""
    if not item.owner_name:
        return None
    reason = f'follow-up "{item.text[:200]}" ' + ("overdue" if kind == OVERDUE else "due today")
    to = "team" if item.owner_kind == "team" else "user"
    return Notice(to, PageStep(StepKind.REMINDER, name=step(item, kind)), reason, item.owner_name)
