"""The actions checklist: add, tick, untick, assign, and start from the playbook's mitigation prompts."""

from dataclasses import dataclass, replace
from datetime import datetime

from incidents.timeline import Entry

# The mitigation steps the playbook prompts for.
PLAYBOOK = (
    "Fail over to a backup",
    "Disable the broken feature",
    "Roll back to the last good version",
    "Turn on rate limiting / circuit breaking",
)


@dataclass(frozen=True)
class Action:
    """One line of the checklist; `id` is None until stored."""

    text: str
    created_by: str
    created_at: datetime
    id: int | None = None
    done: bool = False
    done_by: str | None = None
    done_at: datetime | None = None
    assignee: str | None = None


def add(text: str, now: datetime, *, by: str) -> tuple[Action, Entry]:
    """A new open action."""
    return Action(text, by, now), Entry("action_added", f"{by} added action: {text}", {"action": text})


def tick(action: Action, now: datetime, *, by: str) -> tuple[Action, tuple[Entry, ...]]:
    """Mark done."""
    if action.done:
        return action, ()
    entry = Entry("action_done", f"{by} ticked: {action.text}", {"action": action.id})
    return replace(action, done=True, done_by=by, done_at=now), (entry,)


def untick(action: Action, now: datetime, *, by: str) -> tuple[Action, tuple[Entry, ...]]:
    """Mark not done again."""
    if not action.done:
        return action, ()
    entry = Entry("action_reopened", f"{by} unticked: {action.text}", {"action": action.id})
    return replace(action, done=False, done_by=None, done_at=None), (entry,)


def assign(action: Action, person: str | None, now: datetime, *, by: str) -> tuple[Action, tuple[Entry, ...]]:
    """Give the action to `person` (None: to nobody)."""
    if action.assignee == person:
        return action, ()
    text = f"{by} assigned {action.text!r} to {person}" if person else f"{by} unassigned {action.text!r}"
    return replace(action, assignee=person), (Entry("action_assigned", text, {"action": action.id, "to": person}),)


def from_playbook(existing: list[Action], now: datetime, *, by: str) -> tuple[list[Action], tuple[Entry, ...]]:
    """The playbook's mitigation prompts not already on the checklist."""
    have = {action.text.lower() for action in existing}
    new = [Action(text, by, now) for text in PLAYBOOK if text.lower() not in have]
    if not new:
        return [], ()
    entry = Entry("actions_from_playbook", f"{by} started the checklist from the playbook ({len(new)} actions)")
    return new, (entry,)
