"""Changes (deploys, configuration changes) and the rollback candidates they make for an incident.

The playbook: recent changes are the first suspects; roll back if the change is less than an hour
old, the impact is wide, or the investigation will take time. The product answers the first
question; people answer the other two.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from incidents.utc import utc

RECENT = timedelta(hours=1)  # the playbook's "less than an hour old", whatever the window
DEFAULT_WINDOW = timedelta(hours=1)
# The playbook's rollback questions, in its order: a "yes" to any one is a reason to roll back.
QUESTIONS = {
    "recent": "Is the change recent (less than an hour before the problem started)?",
    "impact_wide": "Is the impact wide?",
    "investigation_long": "Will the investigation take time?",
}


@dataclass(frozen=True)
class Question:
    """A rollback question about one change, with its answer (None: nobody has answered yet)."""

    key: str
    text: str
    answer: bool | None
    answered_by: str  # "product" (known from the times) or "people"


@dataclass(frozen=True)
class Link:
    """A link a change carries: its build, pull request, release notes."""

    href: str
    text: str | None = None


@dataclass(frozen=True)
class Change:
    """A change to one service, as a deploy pipeline or PagerDuty's Change Events API reported it."""

    service: str
    summary: str
    changed_at: datetime
    source: str  # the intake that took it: "pagerduty_change" or "deploy"
    origin: str | None = None  # PagerDuty's payload.source: the tool that sent it
    version: str | None = None
    commit: str | None = None
    author: str | None = None
    links: tuple[Link, ...] = ()
    custom_details: dict | list | str | int | float | bool | None = None
    id: int | None = None
    received_at: datetime | None = None
    raw_request_id: int | None = None


@dataclass(frozen=True)
class RollbackCandidate:
    """A change made shortly before the problem started, with the playbook's questions beside it."""

    change: Change
    before_problem: timedelta  # how long before the problem started it was made
    age: timedelta  # how old it is now
    recent: bool  # the product's answer to "is the change recent (< 1 h)?"
    # Answered by people: None until someone does.
    impact_wide: bool | None = None
    investigation_long: bool | None = None

    def questions(self) -> tuple[Question, ...]:
        """The playbook's three questions about this change, answered where the product knows."""
        return (
            Question("recent", QUESTIONS["recent"], self.recent, "product"),
            Question("impact_wide", QUESTIONS["impact_wide"], self.impact_wide, "people"),
            Question("investigation_long", QUESTIONS["investigation_long"], self.investigation_long, "people"),
        )


def rollback_candidates(
    changes, problem_started_at: datetime, window: timedelta, now: datetime
) -> list[RollbackCandidate]:
    """The changes made in `window` before the problem started (both ends included), newest first."""
    start = utc(problem_started_at)
    inside = [c for c in changes if start - window <= utc(c.changed_at) <= start]
    inside.sort(key=lambda c: (utc(c.changed_at), c.id or 0), reverse=True)
    return [candidate(c, start, now) for c in inside]


def affected_services(service: str, affected) -> tuple[str, ...]:
    """Whose changes are candidates: the incident's service, then the others its lifecycle names as affected."""
    return tuple(dict.fromkeys((service, *affected)))


def candidate(change: Change, problem_started_at: datetime, now: datetime) -> RollbackCandidate:
    """One change as a rollback candidate: how long before the problem, and whether that is recent."""
    before = utc(problem_started_at) - utc(change.changed_at)
    return RollbackCandidate(change, before, utc(now) - utc(change.changed_at), before < RECENT)
