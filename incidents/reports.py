"""Reports over a date range: counts, MTTA, MTTR, time in each phase, targets met, by severity and service.

Decisions (README "Reports"):
- an incident belongs to the range in which it opened (`since` <= opened < `until`);
- MTTA runs from the opening (the trigger, as PagerDuty measures it) to the first acknowledgement, i.e.
  the first entry of Response, Mitigation or Recovery; an incident resolved unacknowledged has none;
- MTTR runs from the opening to the resolution; both are means over the incidents that reached them;
- a phase's time runs from its first entry to the first entry of a later phase, counted for incidents
  that went through it and left it (a skipped phase is not a zero); Post-mortem ends at `done`;
- each target is met when its milestone came by its deadline (incidents/targets.py), breached when it
  came later or has not come and the deadline is past at `now`, pending otherwise; the share met is
  met / (met + breached), pending ones are counted apart and decide nothing yet;
- the post-mortem target is the Post-mortem phase's: reaching `done` (the post-mortem published, or skipped
  with a reason), due from the resolution; not applicable before resolution;
- checklist actions (during the incident): "done in time" means done before the incident resolved (or
  done at all while it is open);
- follow-ups (the post-mortem's action items) with a due date: on time when closed by the end of their due
  date (incidents.follow_ups.overdue_at), late when closed after it or still open past it, pending while open
  before it; follow-ups without a due date count nowhere.
"""

import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from incidents.follow_ups import overdue_at
from incidents.lifecycle import ACK_PHASES, Lifecycle, Phase
from incidents.severity import Severity
from incidents.targets import MILESTONES, Targets, deadline, reached_at

PHASES = (Phase.DETECTION, Phase.RESPONSE, Phase.MITIGATION, Phase.RECOVERY, Phase.POSTMORTEM)
TARGETS = tuple(MILESTONES)
ACKNOWLEDGED = ACK_PHASES  # the first entry of one of these is the first acknowledgement (incidents.lifecycle)


class Outcome(enum.StrEnum):
    MET = "met"
    BREACHED = "breached"
    PENDING = "pending"


@dataclass(frozen=True)
class Facts:
    """What a report needs of one incident."""

    service: str
    severity: Severity
    opened_at: datetime
    lifecycle: Lifecycle
    resolved_at: datetime | None = None
    actions: int = 0
    actions_done_in_time: int = 0  # done before the resolution, or done at all while open
    follow_ups: tuple[tuple[date, datetime | None], ...] = ()  # (due date, closed at or None) of those with one


@dataclass
class Tally:
    """Sums and counts that add up across groups; the figures are derived from them."""

    incidents: int = 0
    open: int = 0
    acknowledged: int = 0
    ack_seconds: float = 0.0
    resolved: int = 0
    resolve_seconds: float = 0.0
    phase_count: dict[Phase, int] = field(default_factory=lambda: dict.fromkeys(PHASES, 0))
    phase_seconds: dict[Phase, float] = field(default_factory=lambda: dict.fromkeys(PHASES, 0.0))
    targets: dict[str, dict[Outcome, int]] = field(
        default_factory=lambda: {name: dict.fromkeys(Outcome, 0) for name in TARGETS}
    )
    actions: int = 0
    actions_done_in_time: int = 0
    follow_ups: dict[Outcome, int] = field(default_factory=lambda: dict.fromkeys(Outcome, 0))  # met: on time

    def add(self, other: "Tally") -> "Tally":
        """This tally and `other`, summed (a new Tally)."""
        out = Tally()
        for name in ("incidents", "open", "acknowledged", "ack_seconds", "resolved", "resolve_seconds"):
            setattr(out, name, getattr(self, name) + getattr(other, name))
        out.actions = self.actions + other.actions
        out.actions_done_in_time = self.actions_done_in_time + other.actions_done_in_time
        out.phase_count = {p: self.phase_count[p] + other.phase_count[p] for p in PHASES}
        out.phase_seconds = {p: self.phase_seconds[p] + other.phase_seconds[p] for p in PHASES}
        out.targets = {n: {o: self.targets[n][o] + other.targets[n][o] for o in Outcome} for n in TARGETS}
        out.follow_ups = {o: self.follow_ups[o] + other.follow_ups[o] for o in Outcome}
        return out

    @property
    def mtta(self) -> float | None:
        """Mean seconds from opening to the first acknowledgement."""
        return _mean(self.ack_seconds, self.acknowledged)

    @property
    def mttr(self) -> float | None:
        """Mean seconds from opening to resolution."""
        return _mean(self.resolve_seconds, self.resolved)

    def phase_mean(self, phase: Phase) -> float | None:
        return _mean(self.phase_seconds[phase], self.phase_count[phase])

    def met_share(self, target: str) -> float | None:
        """Met / (met + breached); None when none is decided yet."""
        counts = self.targets[target]
        decided = counts[Outcome.MET] + counts[Outcome.BREACHED]
        return counts[Outcome.MET] / decided if decided else None

    @property
    def actions_share(self) -> float | None:
        return self.actions_done_in_time / self.actions if self.actions else None

    @property
    def follow_ups_share(self) -> float | None:
        """Follow-ups closed on time / (on time + late); None when none is decided yet."""
        decided = self.follow_ups[Outcome.MET] + self.follow_ups[Outcome.BREACHED]
        return self.follow_ups[Outcome.MET] / decided if decided else None


@dataclass(frozen=True)
class Scope:
    """Incidents opened in [since, until), of these services and severities (empty: all)."""

    since: datetime
    until: datetime
    services: tuple[str, ...] = ()
    severities: tuple[Severity, ...] = ()


@dataclass(frozen=True)
class Report:
    since: datetime
    until: datetime
    now: datetime
    total: Tally
    by_severity: dict[Severity, Tally]
    by_service: dict[str, Tally]


def outcome(reached: datetime | None, due: datetime | None, now: datetime) -> Outcome | None:
    """Met, breached or pending; None when the target does not apply (off, or not started)."""
    if due is None:
        return None
    if reached is not None:
        return Outcome.MET if reached <= due else Outcome.BREACHED
    return Outcome.BREACHED if now >= due else Outcome.PENDING


def phase_spans(lc: Lifecycle) -> dict[Phase, float]:
    """Seconds spent in each phase the incident went through and has left: from its first entry to the
    first entry of a later phase after that (a skipped phase is not counted, rather than as zero)."""
    out = {}
    for phase, start in lc.phase_times:
        later = [at for entered, at in lc.phase_times if entered.order > phase.order and at >= start]
        if phase in PHASES and later:
            out[phase] = (min(later) - start).total_seconds()
    return out


def tally_one(facts: Facts, targets: Targets, now: datetime) -> Tally:
    """The tally of one incident."""
    out, lc = Tally(incidents=1, open=int(facts.resolved_at is None)), facts.lifecycle
    acked = lc.first_acknowledged
    if acked is not None:
        out.acknowledged, out.ack_seconds = 1, (acked - facts.opened_at).total_seconds()
    if facts.resolved_at is not None:
        out.resolved, out.resolve_seconds = 1, (facts.resolved_at - facts.opened_at).total_seconds()
    for phase, seconds in phase_spans(lc).items():
        out.phase_count[phase], out.phase_seconds[phase] = 1, seconds
    for name in TARGETS:
        result = outcome(reached_at(lc, name), deadline(lc, name, facts.severity, targets), now)
        if result is not None:
            out.targets[name][result] = 1
    out.actions, out.actions_done_in_time = facts.actions, facts.actions_done_in_time
    for due_on, closed_at in facts.follow_ups:
        out.follow_ups[outcome(closed_at, overdue_at(due_on), now)] += 1
    return out


def tally(facts: Iterable[Facts], targets_for: Callable[[str], Targets], now: datetime) -> dict:
    """Tallies by (service, severity): the unit the store's SQL aggregates to as well."""
    groups: dict[tuple[str, Severity], Tally] = {}
    for one in facts:
        key = (one.service, one.severity)
        groups[key] = groups.get(key, Tally()).add(tally_one(one, targets_for(one.service), now))
    return groups


def report(groups: dict, *, since: datetime, until: datetime, now: datetime) -> Report:
    """The report from tallies by (service, severity)."""
    total, by_severity, by_service = Tally(), {}, {}
    for (service, severity), one in sorted(groups.items()):
        total = total.add(one)
        by_severity[severity] = by_severity.get(severity, Tally()).add(one)
        by_service[service] = by_service.get(service, Tally()).add(one)
    return Report(since, until, now, total, dict(sorted(by_severity.items())), dict(sorted(by_service.items())))


def _mean(total: float, count: int) -> float | None:
    return total / count if count else None
