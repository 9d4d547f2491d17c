"""What people on a schedule are told, and when: handoffs, changed shifts, gaps. Pure: the schedule's final
timeline (incidents.schedules.final) and `now` in, notices out; the store keeps each key once, so a notice
decided twice (two beats, a retried tick) is sent once.

- Before a shift: the incoming person, `handoff_notice` ahead (default 1 hour).
- At a handoff: the outgoing and the incoming person, with the incidents still open.
- Your shifts changed: a person whose shifts in the next 14 days differ from the last look (an override, a
  cover, a configuration change), with what was and what is.
- Gaps: nobody on call somewhere in the next 14 days, told to the schedule's team once a day until filled.
- Cover requests: the others on the schedule when one is asked, the requester when it is taken, the team
  a day before an untaken one starts.
Each goes by email to the people, and to the schedule's chat when it has one.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from incidents.cover import CoverRequest
from incidents.schedules import Schedule, Shift
from incidents.utc import iso

AHEAD = timedelta(days=14)  # how far shifts are watched for changes and gaps
# A notice whose moment passed longer ago than this (beat was down) is not sent late.
STALE = timedelta(minutes=15)
EMAIL, CHAT = "email", "chat"


@dataclass(frozen=True)
class Notice:
    """One message: `key` is unique for ever; `to` names people (email) or is empty (the schedule's chat)."""

    key: str
    schedule: str
    channel: str
    to: tuple[str, ...]
    subject: str
    body: str


def handoffs(schedule: Schedule, timeline: list[Shift], now: datetime, open_incidents=()) -> list[Notice]:
    """The notices due at `now` for the handoffs of `timeline`: `handoff_notice` before a shift to the
    incoming person, and at the handoff to both (with `open_incidents`, e.g. ["INC-4 Disk full"])."""
    out = []
    for before, after in zip(timeline, timeline[1:], strict=False):
        at = after.start
        if before.person == after.person or after.person is None and before.person is None:
            continue
        told = at - schedule.handoff_notice
        if after.person and told <= now < at and now - told <= STALE:
            when = _when(at, schedule)
            subject = f"You are on call for {schedule.name} from {when}"
            body = f"{subject}, after {before.person or 'nobody'}.\n"
            out += _both(f"before:{schedule.name}:{after.person}:{iso(at)}", schedule, (after.person,), subject, body)
        if at <= now and now - at <= STALE:
            going = [p for p in (before.person, after.person) if p]
            subject = f"Handoff on {schedule.name}: {after.person or 'nobody'} is on call now"
            body = f"{before.person or 'Nobody'} hands {schedule.name} over to {after.person or 'nobody'}"
            body += f" at {_when(at, schedule)}.\n"
            body += _open(open_incidents)
            out += _both(f"handoff:{schedule.name}:{iso(at)}", schedule, tuple(going), subject, body)
    return out


def changed(schedule: Schedule, was: list[Shift], now_is: list[Shift], since: datetime, until: datetime, seen: str):
    """A notice to each person whose shifts within [since, until) differ between `was` and `now_is` (the
    final timelines of the last look, `seen`, and of now)."""
    out = []
    people = {s.person for s in (*was, *now_is) if s.person}
    for person in sorted(people):
        old, new = _mine(was, person, since, until), _mine(now_is, person, since, until)
        if old == new:
            continue
        subject = f"Your shifts on {schedule.name} changed"
        body = f"Your on-call shifts on {schedule.name} in the next 14 days changed.\n\nNow:\n"
        body += _listed(new, schedule) + "\nBefore:\n" + _listed(old, schedule)
        out.append(Notice(f"changed:{schedule.name}:{person}:{seen}", schedule.name, EMAIL, (person,), subject, body))
    return out


def gaps(schedule: Schedule, timeline: list[Shift], now: datetime, members: tuple[str, ...]) -> list[Notice]:
    """Once a day while the next 14 days hold a gap: a notice to the schedule's team (its `members`) and chat."""
    found = [s for s in timeline if s.person is None and s.end > now and s.start < now + AHEAD]
    if not found or not schedule.team:
        return []
    subject = f"Nobody is on call on {schedule.name} for {len(found)} period{'s' if len(found) > 1 else ''}"
    body = f"Nobody is on call on {schedule.name} in the next 14 days:\n" + "".join(
        f"- {_when(max(g.start, now), schedule)} to {_when(g.end, schedule)}\n" for g in found
    )
    body += "Add an override on the schedule's page, or ask someone to cover.\n"
    return _both(f"gaps:{schedule.name}:{now.date().isoformat()}", schedule, members, subject, body)


def cover_asked(schedule: Schedule, request: CoverRequest, asked: tuple[str, ...]) -> list[Notice]:
    span = f"{_when(request.start, schedule)} to {_when(request.end, schedule)}"
    subject = f"{request.requester} asks for cover on {schedule.name}: {span}"
    body = f"{request.requester} asks someone to cover their on-call on {schedule.name} from {span}.\n"
    body += (
        f"Note: {request.note}\n" if request.note else ""
    ) + "Take it on your page (/me): the first to take it gets it.\n"
    return _both(f"cover-asked:{request.id}", schedule, asked, subject, body)


def cover_taken(schedule: Schedule, request: CoverRequest) -> list[Notice]:
    span = f"{_when(request.start, schedule)} to {_when(request.end, schedule)}"
    subject = f"{request.taken_by} covers you on {schedule.name}: {span}"
    body = f"{request.taken_by} took your cover request: they are on call on {schedule.name} from {span}.\n"
    return _both(f"cover-taken:{request.id}", schedule, (request.requester,), subject, body)


def cover_untaken(schedule: Schedule, request: CoverRequest, members: tuple[str, ...]) -> list[Notice]:
    span = f"{_when(request.start, schedule)} to {_when(request.end, schedule)}"
    subject = f"Nobody has taken {request.requester}'s cover request on {schedule.name}: {span}"
    body = f"{request.requester} asked for cover on {schedule.name} from {span} and nobody has taken it yet.\n"
    body += "Take it on /me, or add an override on the schedule's page.\n"
    return _both(f"cover-untaken:{request.id}", schedule, members, subject, body)


def _both(key: str, schedule: Schedule, people: tuple[str, ...], subject: str, body: str) -> list[Notice]:
    out = [Notice(f"{key}:email", schedule.name, EMAIL, people, subject, body)] if people else []
    if schedule.chat is not None:
        out.append(Notice(f"{key}:chat", schedule.name, CHAT, (), subject, body))
    return out


def _mine(timeline: list[Shift], person: str, since: datetime, until: datetime) -> list[tuple[datetime, datetime]]:
    spans = [(max(s.start, since), min(s.end, until)) for s in timeline if s.person == person]
    return [(a, b) for a, b in spans if a < b]


def _listed(spans, schedule: Schedule) -> str:
    if not spans:
        return "- none\n"
    return "".join(f"- {_when(a, schedule)} to {_when(b, schedule)}\n" for a, b in spans)


def _open(incidents) -> str:
    if not incidents:
        return "No incident is open.\n"
    return "Still open:\n" + "".join(f"- {line}\n" for line in incidents)


def _when(at: datetime, schedule: Schedule) -> str:
    """`Mon 1 Mar 09:00 EST (14:00 UTC)`: the schedule's wall clock, and UTC."""
    local = at.astimezone(ZoneInfo(schedule.time_zone))
    return f"{local:%a} {local.day} {local:%b %H:%M %Z} ({at:%H:%M} UTC)"


def retry_after(attempts: int) -> timedelta | None:
    """How long after a failed attempt to try again (doubling from 30 s up to an hour); None after 10
    attempts (about three hours of trying): the notice is given up."""
    if attempts >= 10:
        return None
    return min(timedelta(seconds=30) * 2 ** (attempts - 1), timedelta(hours=1))
