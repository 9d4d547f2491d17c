"""The one outcome of a command on an incident, decided here and handed to the store's one writer.

A command brings what it decided in the core (an escalation Step, a lifecycle Change, or both); this
adds the rules that tie them together: notices page the policy's targets unless paging is held, and
the lifecycle follows the escalation (the first acknowledgement starts Response, resolution starts the
post-mortem and its draft).
"""

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from incidents import escalation, lifecycle, noise, oncall, paging, updates
from incidents.lifecycle import Change, Lifecycle
from incidents.policy import Plan
from incidents.severity import Severity
from incidents.timeline import Entry


@dataclass(frozen=True)
class Outcome:
    """Everything one command writes, in one transaction.

    `step`: the escalation state after, its pages and its entries (a lifecycle change's first);
    `lifecycle`: the lifecycle after (None: not touched); `followed`: entries of the lifecycle
    following the escalation; `told`: entries written already (an incident's opening) that chat tells
    too; `draft`: open the post-mortem draft.
    """

    step: escalation.Step
    lifecycle: Lifecycle | None = None
    followed: tuple[Entry, ...] = ()
    told: tuple[Entry, ...] = ()
    draft: bool = False

    @property
    def chat(self) -> tuple[Entry, ...]:
        """The entries chat is told of."""
        return self.told + self.step.entries


def moves_lifecycle(before: escalation.Status, step: escalation.Step) -> bool:
    """Whether the step moves the incident to acknowledged or resolved, which the lifecycle follows."""
    status = step.state.status
    return status != before and status in (escalation.ACKNOWLEDGED, escalation.RESOLVED)


def changes_severity(before: Severity | None, step: escalation.Step) -> bool:
    """Whether the step leaves the incident at another severity than `before` (None: not known)."""
    return before is not None and step.state.severity != before


def decide(
    plan: Plan,
    before: escalation.Status,
    step: escalation.Step,
    *,
    change: Change | None = None,
    lc: Lifecycle | None = None,
    update_every: timedelta | None = None,
    now: datetime,
    told: tuple[Entry, ...] = (),
    who: Callable[[str], str | None] = lambda schedule: None,
    severity_before: Severity | None = None,
) -> Outcome:
    """The outcome of `step` (the escalation after the command; status `before` it) and `change` (a
    lifecycle change, whose lifecycle supersedes `lc`). `lc` is needed when the step moves the
    lifecycle (moves_lifecycle) or the severity (`severity_before` is not the step's: its cadence applies at
    once); `update_every` is the step's severity's update cadence; `who` says who is on call on a schedule now
    (incidents.oncall)."""
    if change is not None:
        step, lc = with_notices(plan, step, change, now), change.lifecycle
    step = oncall.resolve(plan, step, who, now)
    if lc is not None and changes_severity(severity_before, step):
        lc = updates.replan(lc, now, update_every)
    step = replace(step, pages=paging.one_per_target(step.pages))
    if not moves_lifecycle(before, step):
        return Outcome(step, lc, told=told)
    if step.state.status == escalation.RESOLVED:
        follow = lifecycle.resolved(lc, now)
        return Outcome(step, follow.lifecycle, follow.entries, told, draft=True)
    follow = lifecycle.acknowledged(lc, now)
    return Outcome(step, updates.first_due(follow.lifecycle, now, update_every), follow.entries, told)


def with_notices(plan: Plan, step: escalation.Step, change: Change, now: datetime) -> escalation.Step:
    """The step with the change's entries first and its notices paged; nobody is paged while the first
    page waits (a maintenance window, the flap hold): the timeline says so instead."""
    pages, held = escalation.notice_pages(plan, step.state, change.notices), ()
    if step.state.held:
        until = step.state.due_at or now
        reasons = dict.fromkeys(page.reason for page in pages)
        held = tuple(noise.notice_held(reason, step.state.held, until, now) for reason in reasons)
        pages = ()
    return replace(step, pages=step.pages + pages, entries=change.entries + held + step.entries)
