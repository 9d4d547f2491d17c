"""What the escalation state machine (incidents.escalation) works on: an incident's escalation status
and state, the pages a step asks for, and the step itself."""

import enum
from dataclasses import dataclass
from datetime import datetime

from incidents.page_steps import PageStep
from incidents.policy import Target
from incidents.severity import Severity
from incidents.timeline import Entry


class Status(enum.StrEnum):
    """An incident's escalation status; a str, stored as its value."""

    TRIGGERED = "triggered"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"


TRIGGERED, ACKNOWLEDGED, RESOLVED = Status.TRIGGERED, Status.ACKNOWLEDGED, Status.RESOLVED


@dataclass(frozen=True)
class State:
    """Where an incident's escalation stands. `level` -1: nobody paged yet (low urgency)."""

    status: Status
    severity: Severity
    opened_at: datetime
    level: int = -1
    loop: int = 0
    round: int = 0  # bumped when the same level is paged again (acknowledgement timeout)
    due_at: datetime | None = None  # next level (triggered) or acknowledgement timeout (acknowledged)
    unresolved_due_at: datetime | None = None  # the "still unresolved after N minutes" rule
    exhausted: bool = False
    last_level_loop: int = -1  # the loop in which the severity rule paged the last level at once
    held: str = ""  # "maintenance" or "flap": nobody paged yet, the first page waits until `due_at`

    @property
    def next_wake(self) -> datetime | None:
        """The earliest time something is due, or None."""
        times = [t for t in (self.due_at, self.unresolved_due_at) if t is not None]
        return min(times) if times else None


@dataclass(frozen=True)
class Page:
    """One target to page for one step; `step` makes it unique on its incident. `headline`: why it comes,
    said first in its summary ("update overdue", "still unacknowledged after 30 min"); empty for an
    incident's first pages, whose title is the news."""

    target: Target
    step: PageStep
    reason: str
    headline: str = ""


@dataclass(frozen=True)
class Step:
    state: State
    pages: tuple[Page, ...] = ()
    entries: tuple[Entry, ...] = ()
    notify: str | None = None  # "acknowledge" or "resolve": tell PagerDuty about pages sent
    why: str = ""  # why pages not yet sent are cancelled ("acknowledged by alice"), with `notify`


def merge(first: Step, second: Step) -> Step:
    """Two steps taken one after the other, as one: the second's state, both pages and entries."""
    return Step(
        second.state,
        first.pages + second.pages,
        first.entries + second.entries,
        second.notify or first.notify,
        second.why or first.why,
    )
