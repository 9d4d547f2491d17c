"""The escalation state machine: pure functions from (plan, state, event, now) to a Step.

A Step holds the new state, the pages to send, the timeline entries, and whether the pages
already sent must be acknowledged or resolved at PagerDuty. The store persists it, with a new
token, in the transaction that decided it; workers act on it after commit.
"""

from dataclasses import replace
from datetime import datetime

from incidents import noise, page_steps
from incidents.durations import spoken
from incidents.escalation_state import (  # noqa: F401 (the names callers know as escalation.*)
    ACKNOWLEDGED,
    RESOLVED,
    TRIGGERED,
    Page,
    State,
    Status,
    Step,
    merge,
)
from incidents.page_steps import PageStep, StepKind
from incidents.policy import Plan, Target
from incidents.severity import Severity
from incidents.timeline import Entry


def start(plan: Plan, severity: Severity, now: datetime, hold: noise.Hold | None = None) -> Step:
    """A new incident: page the first level, unless low urgency or held (a maintenance window, the
    flap hold: the first page waits until the hold ends); SEV1 also pages the last level."""
    state = State(TRIGGERED, severity, opened_at=now)
    if severity in plan.rules.low_urgency:
        return Step(state, entries=(Entry("low_urgency", f"Low urgency ({severity.name}): no page sent"),))
    if hold is not None:
        return Step(replace(state, held=hold.kind, due_at=hold.until), entries=(noise.held(hold),))
    return _first_page(plan, state, now, "first level")


def wake(plan: Plan, state: State, now: datetime, hold: noise.Hold | None = None) -> Step:
    """Whatever is due by `now`: the unresolved rule, the next level, or the acknowledgement timeout;
    for a held incident, the end of its hold (`hold`: the one that applies now, which holds it again)."""
    if state.status == RESOLVED:
        return Step(replace(state, due_at=None, unresolved_due_at=None))
    if state.held:
        return _release(plan, state, now, hold) if state.due_at is not None and state.due_at <= now else Step(state)
    step = Step(state)
    if state.unresolved_due_at is not None and state.unresolved_due_at <= now:
        step = merge(step, _escalate_unresolved(plan, state, now))
    if step.state.due_at is not None and step.state.due_at <= now:
        step = merge(step, _due(plan, step.state, now))
    return step


def acknowledge(plan: Plan, state: State, now: datetime, *, by: str) -> Step:
    """Stop paging; come back after the acknowledgement timeout if still unresolved."""
    if state.status != TRIGGERED:
        return Step(state)
    due = now + plan.ack_timeout if plan.ack_timeout and state.level >= 0 else None
    return Step(
        replace(state, status=ACKNOWLEDGED, due_at=due, held=""),
        entries=(Entry("acknowledged", f"Acknowledged by {by}"),),
        notify="acknowledge",
        why=f"acknowledged by {by}",
    )


def unacknowledge(plan: Plan, state: State, now: datetime, *, by: str) -> Step:
    """Back to triggered (PagerDuty's `incident.unacknowledged`): page the current level again."""
    if state.status != ACKNOWLEDGED:
        return Step(state)
    back = Step(replace(state, status=TRIGGERED), entries=(Entry("unacknowledged", f"Unacknowledged by {by}"),))
    return merge(back, _repage(plan, back.state, now, "unacknowledged", f"unacknowledged by {by}"))


def resolve(state: State, now: datetime, *, reason: str, why: str = "the incident was resolved") -> Step:
    """Stop everything and resolve every page sent; `reason` is the timeline's words, `why` a cancelled page's."""
    if state.status == RESOLVED:
        return Step(state)
    flapped = (noise.flapped(),) if state.held == noise.FLAP else ()
    return Step(
        replace(state, status=RESOLVED, due_at=None, unresolved_due_at=None, held=""),
        entries=(Entry("resolved", reason), *flapped),
        notify="resolve",
        why=why,
    )


def reopen(plan: Plan, state: State, now: datetime, *, by: str, reason: str) -> Step:
    """A resolved incident comes back, acknowledged by whoever reopened it (they are on it: nobody is paged
    now); the acknowledgement timeout runs again as after an acknowledgement. ValueError if not resolved."""
    if state.status != RESOLVED:
        raise ValueError("Only a resolved incident can be reopened.")
    due = now + plan.ack_timeout if plan.ack_timeout and state.level >= 0 else None
    entry = Entry("reopened", f"Reopened by {by}: {reason}", {"reason": reason})
    return Step(replace(state, status=ACKNOWLEDGED, due_at=due), entries=(entry,))


def raise_severity(plan: Plan, state: State, severity: Severity, now: datetime) -> Step:
    """Re-apply the severity rules after a rise (a SEV3 that becomes SEV1 pages the manager then)."""
    if state.status == RESOLVED or severity >= state.severity:
        return Step(state)
    state = replace(state, severity=severity)
    if severity in plan.rules.low_urgency or state.held:  # a held incident's rules apply at its release
        return Step(state)
    if state.level < 0:
        raised = f"severity raised to {severity.name}"
        return _apply_rules(plan, _page_level(plan, state, 0, 0, now, raised, raised), now)
    return _apply_rules(plan, Step(state), now)


def set_severity(plan: Plan, state: State, severity: Severity, now: datetime) -> Step:
    """A person sets the severity: a rise applies its urgency (raise_severity); a lowering is kept and
    disarms the "still unresolved" timer the lower severity does not have."""
    if state.status == RESOLVED or severity == state.severity:
        return Step(state)
    if severity < state.severity:
        return raise_severity(plan, state, severity, now)
    keep = severity in plan.rules.escalate_unresolved_after
    return Step(replace(state, severity=severity, unresolved_due_at=state.unresolved_due_at if keep else None))


def escalate_now(plan: Plan, state: State, now: datetime, *, by: str, reason: str = "") -> Step:
    """Manual escalation: page the next level now, whatever the timers say (`reason`: the page's words,
    else "escalated by <by>")."""
    if state.status == RESOLVED:
        return Step(state)
    level, loop = next_level(plan, state)
    if level is None:
        return Step(state, entries=(Entry("escalation_exhausted", f"{by} asked to escalate: no further level"),))
    reason = reason or f"escalated by {by}"
    return _page_level(plan, replace(state, status=TRIGGERED, held=""), level, loop, now, reason, reason)


def requested(action: str, plan: Plan, state: State, now: datetime, *, by: str) -> Step:
    """What someone asked for by name (API, PagerDuty): acknowledge, unacknowledge, resolve, escalate."""
    if action == "acknowledge":
        return acknowledge(plan, state, now, by=by)
    if action == "unacknowledge":
        return unacknowledge(plan, state, now, by=by)
    if action == "resolve":
        return resolve(state, now, reason=f"Resolved by {by}", why=f"resolved by {by}")
    if action == "escalate":
        return escalate_now(plan, state, now, by=by)
    raise ValueError(f"unknown action {action!r}")


def add_responder(state: State, target: Target, *, by: str) -> Step:
    """Page someone outside the policy now ("pull in the business expert")."""
    if state.status == RESOLVED:
        return Step(state)
    return Step(
        state,
        pages=(Page(target, page_steps.RESPONDER, f"added as responder by {by}", f"added as responder by {by}"),),
        entries=(Entry("responder_added", f"{by} paged {target.label} as a responder"),),
    )


def notice_pages(plan: Plan, state: State, notices) -> tuple[Page, ...]:
    """Pages for lifecycle notices: the commander (or a follow-up's owner, a user or a team), the current on-call
    level, or the policy's last level."""
    out = []
    for notice in notices:
        if notice.to in ("commander", "user", "team"):  # a person named in `person`, or a team (an owner)
            targets = (Target("team" if notice.to == "team" else "user", notice.person),)
        else:
            index = -1 if notice.to == "last_level" else max(state.level, 0)
            targets = plan.policy.levels[index].targets
        out += [Page(target, notice.step, notice.reason, notice.headline or notice.reason) for target in targets]
    return tuple(out)


def _first_page(plan: Plan, state: State, now: datetime, reason: str) -> Step:
    return _apply_rules(plan, _page_level(plan, state, 0, 0, now, reason), now, opening=True)


def _release(plan: Plan, state: State, now: datetime, hold: noise.Hold | None) -> Step:
    """A hold is over: held again by another (a window that began since), else paged as if it opened now."""
    if hold is not None:
        return Step(replace(state, held=hold.kind, due_at=hold.until), entries=(noise.held(hold),))
    free = replace(state, held="", due_at=None)
    if state.severity in plan.rules.low_urgency:  # lowered by a person while held
        return Step(free, entries=(Entry("low_urgency", f"Low urgency ({state.severity.name}): no page sent"),))
    step = _first_page(plan, free, now, noise.released(state.held))
    if step.state.unresolved_due_at is not None:  # "still unresolved after N": counted from the first page
        window = plan.rules.escalate_unresolved_after[state.severity]
        step = replace(step, state=replace(step.state, unresolved_due_at=now + window))
    return step


def _due(plan: Plan, state: State, now: datetime) -> Step:
    if state.status == ACKNOWLEDGED:
        back = Step(
            replace(state, status=TRIGGERED),
            entries=(Entry("ack_timeout", "Acknowledgement timed out: back to triggered"),),
        )
        why = f"acknowledgement timed out after {spoken(plan.ack_timeout)}" if plan.ack_timeout else ""
        return merge(back, _repage(plan, back.state, now, "acknowledgement timed out", why))
    level, loop = next_level(plan, state)
    if level is None:
        return Step(
            replace(state, due_at=None, exhausted=True),
            entries=(
                Entry("escalation_exhausted", "Escalation exhausted: nobody acknowledged; the incident stays open"),
            ),
        )
    why = f"still unacknowledged after {spoken(now - state.opened_at)}"
    return _page_level(plan, state, level, loop, now, "no acknowledgement", why)


def _escalate_unresolved(plan: Plan, state: State, now: datetime) -> Step:
    state = replace(state, unresolved_due_at=None)
    level, loop = next_level(plan, state)
    if level is None:
        return Step(state)
    window = plan.rules.escalate_unresolved_after.get(state.severity)
    reason = f"{state.severity.name} still unresolved after {spoken(window)}" if window else "still unresolved"
    step = _page_level(plan, state, level, loop, now, reason, reason)
    unresolved = tuple(replace(page, step=replace(page.step, kind=StepKind.UNRESOLVED)) for page in step.pages)
    step = replace(step, pages=unresolved)
    if state.status == ACKNOWLEDGED:  # paged, but the acknowledgement and its timeout stand
        step = replace(step, state=replace(step.state, status=ACKNOWLEDGED, due_at=state.due_at))
    return step


def _page_level(
    plan: Plan, state: State, level: int, loop: int, now: datetime, reason: str, headline: str = ""
) -> Step:
    """Page a level (`headline`: why, for its summary; none for the first page)."""
    targets = plan.policy.levels[level].targets
    new = replace(state, level=level, loop=loop, round=0, due_at=now + plan.policy.levels[level].timeout)
    if level == len(plan.policy.levels) - 1 and loop == state.last_level_loop:
        names = ", ".join(t.label for t in targets)
        return Step(
            new,
            entries=(
                Entry(
                    "escalated",
                    f"Escalated to level {level + 1} ({names}), already paged by the {state.severity.name} rule",
                    {"level": level + 1},
                ),
            ),
        )
    pages = tuple(Page(t, page_steps.level(loop, level), reason, headline) for t in targets)
    names = ", ".join(t.label for t in targets)
    entry = Entry(
        "paged",
        f"Paging level {level + 1} ({names}): {reason}",
        {"level": level + 1, "loop": loop + 1, "targets": [t.name for t in targets]},
    )
    return Step(new, pages, (entry,))


def _repage(plan: Plan, state: State, now: datetime, reason: str, headline: str) -> Step:
    level = max(state.level, 0)
    targets = plan.policy.levels[level].targets
    round_ = state.round + 1
    pages = tuple(Page(t, page_steps.level(state.loop, level, round_), reason, headline) for t in targets)
    entry = Entry(
        "paged",
        f"Paging level {level + 1} again ({', '.join(t.label for t in targets)}): {reason}",
        {"level": level + 1, "loop": state.loop + 1, "targets": [t.name for t in targets]},
    )
    return Step(
        replace(state, level=level, round=round_, due_at=now + plan.policy.levels[level].timeout), pages, (entry,)
    )


def _apply_rules(plan: Plan, step: Step, now: datetime, opening: bool = False) -> Step:
    """SEV1: page the last level at once. SEV2: arm the "still unresolved" timer."""
    state, rules = step.state, plan.rules
    last = len(plan.policy.levels) - 1
    if state.severity in rules.page_last_level_at_once and last > state.level:
        pages = tuple(
            Page(t, PageStep(StepKind.AT_ONCE, state.loop, last), f"{state.severity.name}: paged at once")
            for t in plan.policy.levels[last].targets
        )
        entry = Entry(
            "paged",
            f"{state.severity.name}: paging level {last + 1} ({', '.join(p.target.label for p in pages)}) at once",
            {"level": last + 1},
        )
        step = Step(
            replace(step.state, last_level_loop=state.loop), step.pages + pages, step.entries + (entry,), step.notify
        )
    window = rules.escalate_unresolved_after.get(state.severity)
    if window and state.unresolved_due_at is None and (opening or state.level < last):
        step = replace(step, state=replace(step.state, unresolved_due_at=state.opened_at + window))
    return step


def next_level(plan: Plan, state: State) -> tuple[int | None, int]:
    """The level (index) and loop the next escalation pages; level None: there is none."""
    if state.level + 1 < len(plan.policy.levels):
        return state.level + 1, state.loop
    if state.loop < plan.policy.repeat:
        return 0, state.loop + 1
    return None, state.loop
