"""A schedule as people read it (issue #16 §2, §3): who is on call now and next, until when "I'll take it
from here" lasts, which of two overlapping overrides wins, who is on call on each level of a policy, and
what an incident's escalation does next. Pure: schedules, overrides, state and `now` are arguments."""

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from incidents import escalation
from incidents.escalation_state import ACKNOWLEDGED, RESOLVED, State
from incidents.policy import EscalationPolicy, Plan, Target
from incidents.schedules import Override, Schedule, Shift, final

# The schedule page shows this far ahead; "take it now" lasts at most this long.
HORIZON = timedelta(days=14)
# How far the current shift is followed to say until when it lasts.
REACH = timedelta(days=90)
# "Take it now" with nobody on call now and nobody in the next HORIZON: this long.
TAKE_WITHOUT_NEXT = timedelta(hours=12)


@dataclass(frozen=True)
class NowAndNext:
    """`now`: who is on call now (person None: nobody) until its end; `next`: the next person on call."""

    now: Shift
    next: Shift | None


def now_and_next(schedule: Schedule, now: datetime, overrides=(), reach: timedelta = REACH) -> NowAndNext:
    """Who is on call now and until when, and who is next from when: looked for in the next HORIZON, then
    (nobody next there) up to `reach`; 14 days cost a sixth of 90, and nearly every schedule hands off."""
    for horizon in (min(HORIZON, reach), reach):
        ahead = final(schedule, now, now + horizon, overrides)
        coming = next((s for s in ahead[1:] if s.person is not None), None)
        if coming is not None:
            break
    return NowAndNext(ahead[0], coming)


def now_and_next_in(timeline: list[Shift], now: datetime) -> NowAndNext | None:
    """Who is on call now and next, read from a final timeline that covers `now`; None when nobody is next
    within it (then the current shift may run on past its end: ask `now_and_next`)."""
    current = next((s for s in timeline if s.start <= now < s.end), None)
    coming = next((s for s in timeline if current and s.start >= current.end and s.person is not None), None)
    return NowAndNext(replace(current, start=now), coming) if coming is not None else None


def take_until(schedule: Schedule, now: datetime, overrides=()) -> datetime:
    """Until when "I'll take it from here" puts someone on call: the end of the current shift (at most
    HORIZON away); with nobody on call now, until the next person's shift starts, or TAKE_WITHOUT_NEXT
    when nobody is on call in the next HORIZON."""
    current = final(schedule, now, now + HORIZON, overrides)[0]
    if current.person is None and current.end >= now + HORIZON:
        return now + TAKE_WITHOUT_NEXT
    return current.end


@dataclass(frozen=True)
class Overlap:
    """Two overrides meet from `start` to `end`: `winner`, created later, counts there."""

    winner: Override
    loser: Override
    start: datetime
    end: datetime


def overlaps(overrides) -> list[Overlap]:
    """Every pair of overrides that meet, the later-created one winning (as `schedules.final` lays them)."""
    ordered = sorted(overrides, key=lambda o: (o.created, o.id))
    out = []
    for n, older in enumerate(ordered):
        for newer in ordered[n + 1 :]:
            start, end = max(older.start, newer.start), min(older.end, newer.end)
            if start < end:
                out.append(Overlap(newer, older, start, end))
    return sorted(out, key=lambda o: (o.start, o.winner.id))


@dataclass(frozen=True)
class OnLevel:
    """A target of a policy's level (`level` counted from 1) and the person it pages now: the one named,
    whoever is on call for a schedule (None: nobody), None for a team."""

    level: int
    target: Target
    person: str | None


def on_levels(policy: EscalationPolicy, who: Callable[[str], str | None]) -> list[OnLevel]:
    """Each level's targets with the person each pages now; `who(schedule)` is who is on call on it."""
    out = []
    for number, level in enumerate(policy.levels, 1):
        for target in level.targets:
            person = {"user": target.name, "schedule": who(target.name) if target.kind == "schedule" else None}
            out.append(OnLevel(number, target, person.get(target.kind)))
    return out


@dataclass(frozen=True)
class Pending:
    """What an incident's escalation does next: at `at`, page `level` (from 1; None: nothing, it ends)."""

    at: datetime
    level: int | None
    why: str


def next_escalation(plan: Plan, state: State) -> Pending | None:
    """The next escalation that fires by itself (None: none is pending, or the incident is resolved)."""
    if state.status == RESOLVED:
        return None
    coming = []
    level, _ = escalation.next_level(plan, state)
    following = None if level is None else level + 1
    if state.due_at is not None:
        if state.held:
            coming.append(Pending(state.due_at, 1, f"the first page, after the {state.held} hold"))
        elif state.status == ACKNOWLEDGED:
            coming.append(Pending(state.due_at, max(state.level, 0) + 1, "the acknowledgement times out"))
        else:
            why = "nobody acknowledged" if following else "nobody acknowledged: escalation ends, nobody more is paged"
            coming.append(Pending(state.due_at, following, why))
    if state.unresolved_due_at is not None and following and not state.held:
        coming.append(Pending(state.unresolved_due_at, following, f"{state.severity.name} still unresolved"))
    return min(coming, key=lambda p: p.at) if coming else None
