"""An incident's lifecycle: phases, status word, impact, commander and roles, decided by pure functions.

Each function takes the current Lifecycle, the request, who asks (`by`) and `now`, and returns a
Change: the new Lifecycle, its timeline entries and what to notify. The store persists it under the
incident's row lock, in the transaction that decided it.
"""

import enum
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from incidents.page_steps import PageStep
from incidents.severity import Severity
from incidents.timeline import Entry


class Phase(enum.StrEnum):
    """The playbook's phases, in order; `done` once the post-mortem is published."""

    DETECTION = "detection"
    RESPONSE = "response"
    MITIGATION = "mitigation"
    RECOVERY = "recovery"
    POSTMORTEM = "postmortem"
    DONE = "done"

    @property
    def order(self) -> int:
        return list(Phase).index(self)


class StatusWord(enum.StrEnum):
    """What the incident channel says the incident is doing."""

    INVESTIGATING = "Investigating"
    IDENTIFIED = "Identified"
    MONITORING = "Monitoring"
    RESOLVED = "Resolved"

    @classmethod
    def parse(cls, text: str) -> "StatusWord":
        """`investigating`, `Identified`...; ValueError for anything else."""
        for word in cls:
            if word.value.lower() == str(text).strip().lower():
                return word
        raise ValueError(f"{text!r} is not a status (one of {', '.join(w.value for w in cls)})")


# A status word moves the incident to its phase.
PHASE_OF_WORD = {
    StatusWord.INVESTIGATING: Phase.RESPONSE,
    StatusWord.IDENTIFIED: Phase.MITIGATION,
    StatusWord.MONITORING: Phase.RECOVERY,
    StatusWord.RESOLVED: Phase.POSTMORTEM,
}
ROLES = ("communications", "scribe")
# Phases only an acknowledgement opens: the first entry of any of them is the first acknowledgement.
ACK_PHASES = (Phase.RESPONSE, Phase.MITIGATION, Phase.RECOVERY)


@dataclass(frozen=True)
class Lifecycle:
    """Where an incident stands in the playbook. Times are UTC; tuples keep it immutable."""

    problem_started_at: datetime  # first alert's startsAt, the declared start, else opened_at
    detected_at: datetime  # when the incident opened
    phase: Phase = Phase.DETECTION
    phase_times: tuple[tuple[Phase, datetime], ...] = ()
    status_word: StatusWord = StatusWord.INVESTIGATING
    impact: str = ""
    affected: tuple[str, ...] = ()
    commander: str | None = None
    roles: tuple[tuple[str, str], ...] = ()  # (role, person), sorted by role
    pinned: tuple[int, ...] = ()  # timeline entry ids shown as key events
    next_update_due: datetime | None = None
    update_misses: int = 0  # reminders sent since the last update
    updates_posted: int = 0
    severity_set_by: str | None = None
    severity_set_at: datetime | None = None
    breaches: tuple[str, ...] = ()  # targets already breached (written once)
    found_by: str = ""
    published: bool | None = None  # on the status page by a person's choice (False: taken off); None: by rule

    def entered(self, phase: Phase) -> datetime | None:
        """When the incident first entered `phase`, or None."""
        return dict(self.phase_times).get(phase)

    def role(self, name: str) -> str | None:
        return dict(self.roles).get(name)

    @property
    def first_acknowledged(self) -> datetime | None:
        """When a person first acknowledged it (the first entry of a phase only that opens), or None."""
        times = [at for phase, at in self.phase_times if phase in ACK_PHASES]
        return min(times) if times else None


@dataclass(frozen=True)
class Notice:
    """Someone to tell: `to` is "commander" (named in `person`), "user" or "team" (a follow-up's owner, named in
    `person`), "oncall" or "last_level"; `step` makes it once. `headline`: its page's why (else `reason`)."""

    to: str
    step: PageStep
    reason: str
    person: str | None = None
    headline: str = ""


@dataclass(frozen=True)
class Change:
    lifecycle: Lifecycle
    entries: tuple[Entry, ...] = ()
    notices: tuple[Notice, ...] = ()


def begin(*, opened_at: datetime, problem_started_at: datetime | None, service: str, found_by: str = "") -> Lifecycle:
    """The lifecycle of a new incident: detection, started at its problem start (never after it opened)."""
    start = min(problem_started_at or opened_at, opened_at)
    return Lifecycle(start, opened_at, phase_times=((Phase.DETECTION, start),), affected=(service,), found_by=found_by)


def enter(lc: Lifecycle, phase: Phase, now: datetime, *, by: str, quiet: bool = False) -> Change:
    """Move to `phase` (forwards or back); the first entry time of each phase is kept.

    `quiet`: the entry that moved it (acknowledged, resolved, a status word) tells it already."""
    if phase == lc.phase:
        return Change(lc)
    times = lc.phase_times if lc.entered(phase) else lc.phase_times + ((phase, now),)
    entries = () if quiet else (Entry("phase", f"Phase: {phase.value}, set by {by}", {"phase": phase.value}),)
    return Change(replace(lc, phase=phase, phase_times=times), entries)


def acknowledged(lc: Lifecycle, now: datetime) -> Change:
    """The first acknowledgement, however it came, starts the Response phase, or the later one the status
    word posted before it names (Identified: Mitigation)."""
    if lc.first_acknowledged is not None or lc.phase.order >= Phase.POSTMORTEM.order:
        return Change(lc)
    phase = max(Phase.RESPONSE, PHASE_OF_WORD[lc.status_word], key=lambda p: p.order)
    return enter(lc, phase if phase in ACK_PHASES else Phase.RESPONSE, now, by="", quiet=True)


def resolved(lc: Lifecycle, now: datetime) -> Change:
    """Resolution enters the post-mortem phase; status updates are no longer due."""
    lc = replace(lc, status_word=StatusWord.RESOLVED, next_update_due=None, update_misses=0)
    if lc.phase.order >= Phase.POSTMORTEM.order:
        return Change(lc)
    return enter(lc, Phase.POSTMORTEM, now, by="", quiet=True)


def reopened(lc: Lifecycle, now: datetime, *, update_every: timedelta | None) -> Change:
    """A reopened incident is investigated again (back to Response) and owes its next update by the cadence."""
    due = now + update_every if update_every else None
    lc = replace(lc, status_word=StatusWord.INVESTIGATING, next_update_due=due, update_misses=0)
    return enter(lc, Phase.RESPONSE, now, by="", quiet=True)


def take_command(lc: Lifecycle, person: str, now: datetime, *, by: str) -> Change:
    """`person` becomes the incident commander."""
    if lc.commander == person:
        return Change(lc)
    text = f"{person} took command" if person == by else f"{by} made {person} commander"
    if lc.commander:
        text += f" (was {lc.commander})"
    return Change(replace(lc, commander=person), (Entry("commander", text, {"commander": person}),))


def hand_over(lc: Lifecycle, to: str, now: datetime, *, by: str) -> Change:
    """The commander hands command over to `to`."""
    if lc.commander == to:
        return Change(lc)
    before = lc.commander or "nobody"
    entry = Entry("commander", f"Command handed over from {before} to {to}", {"commander": to, "from": lc.commander})
    return Change(replace(lc, commander=to), (entry,))


def set_role(lc: Lifecycle, role: str, person: str | None, now: datetime, *, by: str) -> Change:
    """Give a role (communications, scribe) to `person`, or free it with None."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r} (one of {', '.join(ROLES)})")
    if lc.role(role) == person:
        return Change(lc)
    roles = tuple(sorted({**dict(lc.roles), role: person}.items()))
    roles = tuple((r, p) for r, p in roles if p)
    text = f"{by} gave the {role} role to {person}" if person else f"{by} freed the {role} role"
    return Change(replace(lc, roles=roles), (Entry("role", text, {"role": role, "person": person}),))


def set_status(
    lc: Lifecycle, word: StatusWord, now: datetime, *, by: str, impact: str | None = None, phase: Phase | None = None
) -> Change:
    """Set the status word (which moves the phase), the impact text, or an explicit phase.

    Before the first acknowledgement the incident stays where it is rather than enter Response, Mitigation
    or Recovery: those count as acknowledged (MTTA, the response target), and words are not an acknowledgement.
    ValueError for such an explicit `phase`."""
    to = phase or PHASE_OF_WORD[word]
    if to in ACK_PHASES and lc.first_acknowledged is None:
        if phase is not None:
            raise ValueError(f"{phase.value} starts at the first acknowledgement: acknowledge the incident first")
        to = lc.phase
    entries = []
    if word != lc.status_word:
        entries.append(Entry("status", f"Status: {word.value} (set by {by})", {"status": word.value}))
    if impact is not None and impact != lc.impact:
        entries.append(Entry("impact", f"Impact: {impact}", {"impact": impact}))
    lc = replace(lc, status_word=word, impact=lc.impact if impact is None else impact)
    moved = enter(lc, to, now, by=by, quiet=phase is None and bool(entries))
    return Change(moved.lifecycle, tuple(entries) + moved.entries)


def set_affected(lc: Lifecycle, services: tuple[str, ...], now: datetime, *, by: str) -> Change:
    """The services the incident affects."""
    if services == lc.affected:
        return Change(lc)
    entry = Entry("affected", f"Affected: {', '.join(services)} (set by {by})", {"affected": list(services)})
    return Change(replace(lc, affected=services), (entry,))


def severity_chosen(lc: Lifecycle, before: Severity, after: Severity, reason: str, now: datetime, *, by: str) -> Change:
    """A person set the severity: it stands until an alert of a higher severity arrives after `now`."""
    verb = "raised" if after < before else "lowered" if after > before else "confirmed"
    entry = Entry(
        f"severity_{verb}",
        f"Severity {verb} from {before.name} to {after.name} by {by}" + (f": {reason}" if reason else ""),
        {"from": before.name, "to": after.name, "reason": reason, "by": by},
    )
    return Change(replace(lc, severity_set_by=by, severity_set_at=now), (entry,))


def publish(lc: Lifecycle, now: datetime, *, by: str, with_update: bool = False) -> Change:
    """A person puts the incident on the public status page (`with_update`: by posting a public update)."""
    if lc.published is True:
        return Change(lc)
    how = " with a public update" if with_update else ""
    entry = Entry("published", f"Published on the status page by {by}{how}", {"published": True})
    return Change(replace(lc, published=True), (entry,))


def unpublish(lc: Lifecycle, now: datetime, *, by: str) -> Change:
    """A person takes the incident off the public status page; no rule brings it back, only a person."""
    if lc.published is False:
        return Change(lc)
    entry = Entry("unpublished", f"Taken off the status page by {by}", {"published": False})
    return Change(replace(lc, published=False), (entry,))


def add_note(lc: Lifecycle, text: str, now: datetime, *, by: str) -> Change:
    """A note written by a person: one timeline entry (pinned separately, once it has an id)."""
    return Change(lc, (Entry("note", text, {"by": by}),))


def pin(lc: Lifecycle, entry_id: int, now: datetime, *, by: str) -> Change:
    """Show a timeline entry among the key events of the incident channel."""
    if entry_id in lc.pinned:
        return Change(lc)
    entry = Entry("pinned", f"{by} pinned a key event", {"entry": entry_id})
    return Change(replace(lc, pinned=tuple(sorted(lc.pinned + (entry_id,)))), (entry,))


def unpin(lc: Lifecycle, entry_id: int, now: datetime, *, by: str) -> Change:
    """No longer a key event."""
    if entry_id not in lc.pinned:
        return Change(lc)
    entry = Entry("unpinned", f"{by} unpinned a key event", {"entry": entry_id})
    return Change(replace(lc, pinned=tuple(i for i in lc.pinned if i != entry_id)), (entry,))


def counts_after_choice(first_seen: datetime, starts_at: datetime | None, chosen_at: datetime | None) -> bool:
    """Whether a firing alert may raise the severity: always without a person's choice, else only one
    that joined or fired again after it."""
    if chosen_at is None:
        return True
    return first_seen > chosen_at or (starts_at is not None and starts_at > chosen_at)


def severity_after_choice(chosen_at: datetime, firing) -> Severity | None:
    """The severity a batch's alerts bring once a person chose one at `chosen_at`: the highest of the
    firing alerts (severity, first_seen, starts_at) that count after the choice; None if none does."""
    counted = [
        severity for severity, first_seen, starts_at in firing if counts_after_choice(first_seen, starts_at, chosen_at)
    ]
    return Severity(min(counted)) if counted else None
