"""On-call load (issue #16 §6): per person, hours on call, of which nights and weekends, pages received and
pages at night, incidents commanded, over a window [since, until), from the recorded history.

Decisions (README "On-call load"):
- hours on call are the union of a person's recorded periods on every schedule, clipped to the window: an
  hour on call on two schedules at once is one hour of their life on call;
- a night is 22:00 to 08:00 and a weekend is Saturday 00:00 to Monday 00:00, on the wall clock of the
  person's time zone (`time_zone` in people.yaml, default UTC), so a night over a clock change lasts 9 or
  11 hours; a wall time that does not exist that day starts at the first valid instant after it
  (incidents.schedules.instant);
- a period still going (its person on call at the last look, and beat looking) counts up to `until` or
  now, whichever is earlier;
- a page is received by the person it was sent to (a level's user, or whoever a schedule level resolved
  to): pages sent to a team are nobody's in particular and are left out; it is at night by the local
  clock when it was sent;
- an incident is commanded by each person who took or was handed its command within the window.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from incidents.schedules import instant

NIGHT_FROM, NIGHT_TO = time(22), time(8)
WEEKEND = (5, 6)  # Saturday, Sunday (date.weekday)
# Beat records who is on call once a minute: a recorded end this recent is "still on call", not "went off".
STILL_LOOKING = timedelta(minutes=5)
_DAY = timedelta(days=1)


@dataclass(frozen=True)
class Period:
    """Someone on call from `start` to `end`; `end` None while they still are."""

    person: str
    start: datetime
    end: datetime | None


@dataclass(frozen=True)
class Load:
    """One person's figures over the window; times in seconds."""

    person: str
    time_zone: str
    on_call: float = 0.0
    nights: float = 0.0
    weekends: float = 0.0
    pages: int = 0
    night_pages: int = 0
    commanded: int = 0


@dataclass(frozen=True)
class LoadReport:
    since: datetime
    until: datetime
    now: datetime
    people: tuple[Load, ...]


def zone_name(person) -> str:
    """A person's time zone (people.yaml `time_zone`), UTC when none is set or the person is unknown."""
    return person.time_zone if person is not None else "UTC"


def recorded_end(end_at: datetime, recorded_until: datetime | None, now: datetime) -> datetime | None:
    """A recorded period's end, None while it is still going: it reaches the schedule's last look and
    beat is still looking (a beat down for an hour says nothing of that hour)."""
    if recorded_until is not None and end_at >= recorded_until and now - recorded_until <= STILL_LOOKING:
        return None
    return end_at


def report(
    periods: Iterable[Period],
    pages: Iterable[tuple[str, datetime]],
    commanded: Iterable[tuple[str, int]],
    zone_of: Callable[[str], str],
    *,
    since: datetime,
    until: datetime,
    now: datetime,
) -> LoadReport:
    """The load of everyone who was on call, paged or in command in [since, until), by name."""
    spans: dict[str, list] = {}
    for period in periods:
        start, end = max(period.start, since), min(period.end or min(until, now), until)
        if start < end:
            spans.setdefault(period.person, []).append((start, end))
    paged: dict[str, list[datetime]] = {}
    for person, at in pages:
        if since <= at < until:
            paged.setdefault(person, []).append(at)
    incidents: dict[str, set[int]] = {}
    for person, incident in commanded:
        incidents.setdefault(person, set()).add(incident)
    names = sorted(spans.keys() | paged.keys() | incidents.keys())
    loads = [_load(n, zone_of(n), spans.get(n, []), paged.get(n, []), len(incidents.get(n, ()))) for n in names]
    return LoadReport(since, until, now, tuple(loads))


def _load(person: str, zone_text: str, spans: list, paged: list[datetime], commanded: int) -> Load:
    zone = ZoneInfo(zone_text)
    merged = union(spans)
    return Load(
        person,
        zone_text,
        on_call=sum((end - start).total_seconds() for start, end in merged),
        nights=sum(night_seconds(start, end, zone) for start, end in merged),
        weekends=sum(weekend_seconds(start, end, zone) for start, end in merged),
        pages=len(paged),
        night_pages=sum(at_night(at, zone) for at in paged),
        commanded=commanded,
    )


def union(spans: list[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    """Overlapping or touching spans joined, by start."""
    out: list[tuple[datetime, datetime]] = []
    for start, end in sorted(spans):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def at_night(moment: datetime, zone: ZoneInfo) -> bool:
    """Whether the local clock at `moment` reads 22:00 to 08:00."""
    clock = moment.astimezone(zone).time()
    return clock >= NIGHT_FROM or clock < NIGHT_TO


def night_seconds(start: datetime, end: datetime, zone: ZoneInfo) -> float:
    """Seconds of [start, end) between 22:00 and 08:00 local."""
    return _within(
        start, end, [(_at(d, NIGHT_FROM, zone), _at(d + _DAY, NIGHT_TO, zone)) for d in _days(start, end, zone)]
    )


def day_seconds(start: datetime, end: datetime, zone: ZoneInfo) -> float:
    """Seconds of [start, end) between 08:00 and 22:00 local: the rest of `night_seconds`."""
    days = _days(start, end, zone)
    return _within(start, end, [(_at(d, NIGHT_TO, zone), _at(d, NIGHT_FROM, zone)) for d in days])


def weekend_seconds(start: datetime, end: datetime, zone: ZoneInfo) -> float:
    """Seconds of [start, end) on a local Saturday or Sunday."""
    days = [d for d in _days(start, end, zone) if d.weekday() in WEEKEND]
    return _within(start, end, [(_at(d, time(0), zone), _at(d + _DAY, time(0), zone)) for d in days])


def _days(start: datetime, end: datetime, zone: ZoneInfo) -> list[date]:
    """The local dates [start, end) touches, and the one before (its night reaches into the first)."""
    first, last = start.astimezone(zone).date() - _DAY, end.astimezone(zone).date()
    return [first + n * _DAY for n in range((last - first).days + 1)]


def _at(day: date, clock: time, zone: ZoneInfo) -> datetime:
    return instant(datetime.combine(day, clock), zone)


def _within(start: datetime, end: datetime, windows: list[tuple[datetime, datetime]]) -> float:
    return sum(max(0.0, (min(b, end) - max(a, start)).total_seconds()) for a, b in windows)
