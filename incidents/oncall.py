"""Paging a schedule: whoever is on call at the moment a level is paged (issue #16 §5).

A policy's target may be a schedule (`{schedule: sre-primary}`). The escalation decides pages as it
always does; this turns each schedule target into the person on call then, and names them on the
timeline ("Paging level 1 (schedule sre-primary: alice)"). A level whose targets all resolve to
nobody is skipped at once, with an entry naming the gap, and the next level is paged (GoAlert waits the
whole step out, #4548); when no level has anyone, the service's fallback routing key is paged.
"""

import re
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from incidents import escalation, page_steps
from incidents.escalation_state import Page, Step
from incidents.page_steps import StepKind
from incidents.policy import Plan, Target
from incidents.timeline import Entry

SCHEDULE = "schedule"
# Pages the service's `fallback_routing_key` (incidents.services.Catalog.routing_key).
FALLBACK = Target("fallback", "routing key")
# The pages of a level in turn; the others (a rule's page, a notice) skip nothing when nobody is on call.
LEVEL_KINDS = (StepKind.LEVEL,)


def resolve(plan: Plan, step: Step, who: Callable[[str], str | None], now: datetime) -> Step:
    """The step with each schedule target replaced by the person `who(name)` says is on call now."""
    if not any(page.target.kind == SCHEDULE for page in step.pages):
        return step
    return _resolved(plan, step, who, now, skipped=0)


def _resolved(plan: Plan, step: Step, who, now: datetime, *, skipped: int) -> Step:
    pages, found = [], {}
    for page in step.pages:
        if page.target.kind != SCHEDULE:
            pages.append(page)
            continue
        person = found.setdefault(page.target.name, who(page.target.name))
        if person is not None:
            pages.append(replace(page, target=Target("user", person)))
    gaps = [name for name, person in found.items() if person is None]
    entries = tuple(_named(entry, found) for entry in step.entries)
    entries += tuple(
        Entry("nobody_on_call", f"Nobody is on call on schedule {name}", {"schedule": name}) for name in gaps
    )
    resolved = replace(step, pages=tuple(pages), entries=entries)
    asked = any(page.step.kind in LEVEL_KINDS for page in step.pages)
    if not asked or any(page.step.kind in LEVEL_KINDS for page in pages):
        return resolved
    return _skip(plan, resolved, who, now, skipped=skipped)


def _skip(plan: Plan, step: Step, who, now: datetime, *, skipped: int) -> Step:
    """The level paged nobody: the next one at once, or the fallback once every level has been tried."""
    state, level = step.state, step.state.level + 1
    turns = len(plan.policy.levels) * (plan.policy.repeat + 1)
    following = escalation.escalate_now(plan, state, now, by="", reason=f"nobody on call at level {level}")
    if skipped + 1 < turns and following.pages:
        return escalation.merge(step, _resolved(plan, following, who, now, skipped=skipped + 1))
    reason = "nobody is on call on any level of the policy"
    fallback = Page(FALLBACK, page_steps.level(state.loop, max(state.level, 0)), reason)
    entry = Entry("paged", f"Paging the service's fallback routing key: {reason}", {"fallback": True})
    return replace(step, pages=step.pages + (fallback,), entries=step.entries + (entry,))


def _named(entry: Entry, found: dict[str, str | None]) -> Entry:
    """A paging entry naming who each schedule resolved to."""
    message = entry.message
    for name, person in found.items():
        message = re.sub(
            rf"schedule {re.escape(name)}(?=[,)])", f"schedule {name}: {person or 'nobody on call'}", message
        )
    return entry if message == entry.message else replace(entry, message=message)


def _nobody(schedule: str) -> Entry:
    return Entry("nobody_on_call", f"Nobody is on call on schedule {schedule}", {"schedule": schedule})
