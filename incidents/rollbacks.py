"""Deciding to roll back a change: one timeline entry, on a rollback candidate of the incident, once.

The playbook: roll back if the change is recent, the impact wide or the investigation long. The decision
is people's; the product writes it down (kind `rollback_decided`) so the channel and the post-mortem
carry it.
"""

from dataclasses import dataclass
from datetime import datetime

from incidents.changes import Change, RollbackCandidate
from incidents.timeline import Entry

KIND = "rollback_decided"


class NotACandidate(ValueError):
    """The change is not a rollback candidate of this incident (400, naming `change_id`)."""


@dataclass(frozen=True)
class Rollback:
    """A decision to roll back a change: which change, who decided, when."""

    change_id: int
    decided_by: str
    decided_at: datetime


def decide(candidates: list[RollbackCandidate], decided: tuple[Rollback, ...], change_id: int) -> tuple[Entry, ...]:
    """The entry deciding to roll back change `change_id`; none when decided already. NotACandidate if it is not one."""
    found = [c.change for c in candidates if c.change.id == change_id]
    if not found:
        raise NotACandidate(f"change {change_id} is not a rollback candidate of this incident")
    if any(rollback.change_id == change_id for rollback in decided):
        return ()
    change = found[0]
    data = {"change_id": change.id, "summary": change.summary, "version": change.version}
    return (Entry(KIND, f"Decided to roll back {label(change)}", data),)


def label(change: Change) -> str:
    """`summary (version)`; the short commit when there is no version, the summary alone when neither."""
    named = change.version or (change.commit[:12] if change.commit else None)
    return f"{change.summary} ({named})" if named else change.summary


def decided_of(entries) -> tuple[Rollback, ...]:
    """The rollback decisions among timeline rows (objects with kind, data, actor, at), oldest first."""
    return tuple(Rollback(e.data["change_id"], e.actor, e.at) for e in entries if e.kind == KIND)
