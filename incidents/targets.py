"""Time targets of the playbook and the status-update cadence, and the breaches they find.

Each target is a deadline for a milestone: detection (the incident opened), response (acknowledged),
mitigation (impact contained: Monitoring), recovery (resolved), each measured from the start of the
problem; post-mortem (published) measured from the resolution.
"""

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from incidents import page_steps
from incidents.durations import spoken
from incidents.lifecycle import Change, Lifecycle, Notice, Phase
from incidents.policy import Plan
from incidents.severity import Severity
from incidents.timeline import Entry

# The milestone of each target: the phase whose entry reaches it.
MILESTONES = {
    "detection": None,  # reached when the incident opened (Lifecycle.detected_at)
    "response": Phase.RESPONSE,
    "mitigation": Phase.RECOVERY,
    "recovery": Phase.POSTMORTEM,
    "postmortem": Phase.DONE,
}


def _default_phases() -> dict[str, "timedelta | dict[Severity, timedelta]"]:
    return {
        "detection": timedelta(minutes=5),
        "mitigation": {
            Severity.SEV1: timedelta(minutes=30),
            Severity.SEV2: timedelta(hours=1),
            Severity.SEV3: timedelta(hours=4),
        },
        "recovery": {
            Severity.SEV1: timedelta(hours=4),
            Severity.SEV2: timedelta(hours=8),
            Severity.SEV3: timedelta(hours=24),
        },
        "postmortem": timedelta(days=7),
    }


def _default_response() -> dict[Severity, timedelta]:
    return {
        Severity.SEV1: timedelta(minutes=15),
        Severity.SEV2: timedelta(minutes=30),
        Severity.SEV3: timedelta(hours=2),
        Severity.SEV4: timedelta(hours=24),
    }


def _default_updates() -> dict[Severity, timedelta]:
    return {
        Severity.SEV1: timedelta(minutes=15),
        Severity.SEV2: timedelta(minutes=30),
        Severity.SEV3: timedelta(hours=2),
    }


@dataclass(frozen=True)
class Targets:
    """Phase targets (one for every severity, or by severity: mitigation and recovery), the response target by
    severity, and how often a status update is due (None: never)."""

    phases: dict[str, timedelta | dict[Severity, timedelta]] = field(default_factory=_default_phases)
    response: dict[Severity, timedelta] = field(default_factory=_default_response)
    update_every: dict[Severity, timedelta] = field(default_factory=_default_updates)

    def limit(self, name: str, severity: Severity) -> timedelta | None:
        """How long the target `name` allows an incident of this severity (None: off)."""
        limit = self.response if name == "response" else self.phases.get(name)
        return limit.get(severity) if isinstance(limit, dict) else limit


def reached_at(lc: Lifecycle, name: str) -> datetime | None:
    """When the target's milestone was reached (entering that phase or any later one), or None. Response is
    reached by the first acknowledgement only: a resolution nobody acknowledged did not respond."""
    phase = MILESTONES[name]
    if phase is None:
        return lc.detected_at
    if name == "response":
        return lc.first_acknowledged
    times = [at for entered, at in lc.phase_times if entered.order >= phase.order]
    return min(times) if times else None


def deadline(lc: Lifecycle, name: str, severity: Severity, targets: Targets) -> datetime | None:
    """When the target falls due; the post-mortem's counts from the resolution."""
    limit = targets.limit(name, severity)
    if limit is None:
        return None
    resolved = lc.entered(Phase.POSTMORTEM)
    if name == "postmortem":
        return resolved + limit if resolved else None
    due = lc.problem_started_at + limit
    if name == "response" and lc.first_acknowledged is None and resolved is not None and resolved <= due:
        return None  # resolved before a response was owed: neither met nor breached
    return due


def open_deadlines(lc: Lifecycle, severity: Severity, targets: Targets) -> dict[str, datetime]:
    """Targets not yet breached whose milestone is not reached, or was reached late."""
    out = {}
    for name in MILESTONES:
        due, reached = deadline(lc, name, severity, targets), reached_at(lc, name)
        if due is not None and name not in lc.breaches and (reached is None or reached > due):
            out[name] = due
    return out


def update_look(lc: Lifecycle, severity: Severity, targets: Targets) -> datetime | None:
    """When the sweep next looks at the status update: when it falls due (the first miss), one cadence later
    (the second), then not until an update is posted. `next_update_due` stays when it was due meanwhile."""
    if lc.next_update_due is None or lc.update_misses >= 2:
        return None
    if lc.update_misses == 0:
        return lc.next_update_due
    every = targets.update_every.get(severity)
    return lc.next_update_due + every if every else None


def next_due(lc: Lifecycle, severity: Severity, targets: Targets) -> datetime | None:
    """The earliest time the sweep has something to look at: a target or a status update."""
    times = list(open_deadlines(lc, severity, targets).values())
    look = update_look(lc, severity, targets)
    times += [look] if look is not None else []
    return min(times) if times else None


def sweep(lc: Lifecycle, severity: Severity, targets: Targets, now: datetime, *, notify: bool = True) -> Change:
    """Every breach due by `now`, each written once, and a missed status update.

    Breaches found together are told in one notice (an alert that started hours before it reached us
    breaches several targets at once: one page says so, not four). Detection is never paged: when it
    is breached, the incident is already open; nor is a target that was past before the incident
    opened (the first page, sent at that moment, is the news). `notify` False (a low-urgency severity)
    writes the entries and pages nobody."""
    change = Change(lc)
    due = sorted(open_deadlines(lc, severity, targets).items(), key=lambda item: item[1])
    breached = [name for name, at in due if at <= now]
    late = {name for name, at in due if at <= lc.detected_at}
    for name in breached:
        change = _then(change, _breach(change.lifecycle, name, severity, targets, notify=notify, late=name in late))
    told = [name for name in breached if name != "detection" and name not in late]
    if notify and told and lc.phase.order < Phase.POSTMORTEM.order:
        reason = "Target breached: " + ", ".join(told) + (f" ({severity.name})" if "response" in told else "")
        headline = _and(told) + (" targets" if len(told) > 1 else " target") + " breached"
        notice = _to_commander(lc, f"breach:{told[0]}", reason, headline)
        change = Change(change.lifecycle, change.entries, (notice,))
    look = update_look(lc, severity, targets)
    if look is not None and look <= now:
        change = _then(change, missed_update(change.lifecycle, severity, targets, now, notify=notify))
    return change


def missed_update(lc: Lifecycle, severity: Severity, targets: Targets, now: datetime, *, notify: bool = True) -> Change:
    """First miss: remind the commander (else on-call) once; second: notify the policy's last level. The update
    stays due (overdue) until one is posted."""
    misses, step = lc.update_misses + 1, f"update{lc.updates_posted}:miss"
    if misses == 1:
        notice = _to_commander(lc, f"{step}1", "status update overdue", "update overdue")
        told = f"reminded {_whom(lc)}" if notify else "low urgency: nobody paged"
        entry = Entry("update_overdue", f"Status update overdue: {told}", {"misses": 1})
        return Change(replace(lc, update_misses=1), (entry,), (notice,) if notify else ())
    notice = Notice(
        "last_level", page_steps.notice(f"{step}2"), "second status update missed", headline="update missed twice"
    )
    told = "notified the policy's last level" if notify else "low urgency: nobody paged"
    entry = Entry("update_overdue", f"Second status update missed: {told}", {"misses": 2})
    return Change(replace(lc, update_misses=misses), (entry,), (notice,) if notify else ())


def _breach(lc: Lifecycle, name: str, severity: Severity, targets: Targets, *, notify: bool, late: bool) -> Change:
    """The breach's entry, written once (`sweep` decides who is told). Nobody is paged once the incident
    is resolved: a trigger then would stay open in PagerDuty, with no resolution left to close it."""
    limit = targets.limit(name, severity)
    text = f"Target breached: {name} within {spoken(limit)}" + (f" ({severity.name})" if name == "response" else "")
    data = {"target": name, "severity": severity.name}
    lc = replace(lc, breaches=lc.breaches + (name,))
    if lc.phase.order >= Phase.POSTMORTEM.order:
        told = "resolved: nobody paged"
    elif name == "detection":
        told = "the incident was already open: nobody paged"
    elif late:
        told = "already past when the incident opened: its first page is the notice"
    elif not notify:
        told = "low urgency: nobody paged"
    else:
        told = f"notified {_whom(lc)}"
    quiet = "nobody" in told or late
    return Change(lc, (Entry("breach", f"{text} ({told})" if quiet else f"{text}; {told}", data),))


def _to_commander(lc: Lifecycle, step: str, reason: str, headline: str) -> Notice:
    """To the commander if there is one, else to the current on-call level."""
    return Notice("commander" if lc.commander else "oncall", page_steps.notice(step), reason, lc.commander, headline)


def _and(names: list[str]) -> str:
    """`response`, `response and mitigation`, `response, mitigation and recovery`."""
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _whom(lc: Lifecycle) -> str:
    return f"commander {lc.commander}" if lc.commander else "the current on-call level"


def _then(first: Change, second: Change) -> Change:
    return Change(second.lifecycle, first.entries + second.entries, first.notices + second.notices)


def pages(plan: Plan, severity: Severity) -> bool:
    """Whether breaches and missed updates page anyone: not for a low-urgency severity (SEV4), whose
    breaches are recorded only."""
    return severity not in plan.rules.low_urgency
