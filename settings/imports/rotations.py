"""What the three importers share (issue #16 §7): a source's rotation as our layer, restriction spans as our
windows, and turns that follow the calendar.

PagerDuty, Opsgenie and Grafana OnCall hand off on the schedule's wall-clock time, as we do, and give turns
by the calendar: a restriction only hides time, so a turn that falls wholly outside it is lost to its person.
Our core counts only the turns that happen (GoAlert #55); `_calendar_order` lists the people in the order the
source puts them on call, so the same person is on call at the same time.
"""

import math
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from incidents.schedules import Layer, Window, instant
from settings.imports.imported import Notes

DAY = timedelta(days=1)
WEEK = timedelta(weeks=1)
SHORTEST_ROTATION = timedelta(hours=1)  # config/schedules.yaml's own lower bound
MOST_PARTICIPANTS = 400  # beyond this a calendar order is not written out (an hourly rotation of many people)


@dataclass(frozen=True)
class Rotation:
    """A source's layer, rotation or shift in our terms, before it becomes a Layer. Times are aware; `people`
    are our names, None where the source's user matches nobody in people.yaml."""

    where: str  # how the warnings name it: `schedule "Imported Primary", layer "Weekly"`
    name: str
    origin: datetime  # turn 0 begins here, people[0] takes it
    start: datetime  # nobody is on call on it before this
    end: datetime | None
    length: timedelta
    people: tuple[str | None, ...]
    windows: tuple[Window, ...] = ()


def local(moment: datetime, zone: ZoneInfo) -> datetime:
    """The naive wall-clock time of an aware moment in `zone`."""
    return moment.astimezone(zone).replace(tzinfo=None)


def windows(spans) -> tuple[Window, ...]:
    """Weekly spans `(weekday, local start, length)` (0 is Monday) as our restriction windows: each cut into
    pieces of at most a day from its start, pieces of the same hours joined into one window of several days."""
    days: dict[tuple[time, time], set[int]] = {}
    for day, start, length in spans:
        while length > timedelta(0):
            piece = min(length, DAY)
            end = (datetime.combine(date(2000, 1, 1), start) + piece).time()
            days.setdefault((start, end), set()).add(day % 7)
            day, length = day + 1, length - piece
    return tuple(Window(frozenset(d), a, b) for (a, b), d in days.items())


def rotation_text(length: timedelta) -> str:
    """A rotation length as config/schedules.yaml writes it: `1 week`, `12 hours`, `90 minutes`."""
    seconds = int(length.total_seconds())
    for unit, size in (("week", 604800), ("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds % size == 0:
            count = seconds // size
            return f"{count} {unit}" + ("" if count == 1 else "s")
    return f"{seconds} seconds"


def layer(rotation: Rotation, zone: ZoneInfo, now: datetime, notes: Notes) -> Layer | None:
    """The rotation as one of our layers, as faithful as our format allows; None (with a warning) when it has
    ended or has nobody we know. Every approximation is told in `notes`."""
    where = rotation.where
    if rotation.end is not None and rotation.end <= now:
        notes.warn(f"{where}: ended at {_shown(rotation.end)}: left out")
        return None
    if not any(rotation.people):
        notes.warn(f"{where}: nobody on it is in people.yaml: left out")
        return None
    if rotation.length < SHORTEST_ROTATION:
        notes.warn(
            f"{where}: turns of {rotation_text(rotation.length)} are shorter than our shortest, 1 hour: left out"
        )
        return None
    start, people = _from_start(rotation, zone)
    if instant(start, zone) < rotation.start and rotation.start > now:
        notes.warn(
            f"{where}: starts at {_shown(rotation.start)}, within a turn; here its person is on call from that "
            f"turn's handoff, {_shown(instant(start, zone))}"
        )
    built = _calendar_order(Layer(rotation.name[:64] or "layer", start, rotation.length, people, rotation.windows))
    if len(built.participants) > MOST_PARTICIPANTS:
        notes.warn(
            f"{where}: the order in which turns outside the restrictions are lost would take "
            f"{len(built.participants)} entries: kept in the source's order, so a turn here is not lost as there"
        )
        built = replace(built, participants=people)
    known = tuple(name for name in built.participants if name is not None)
    if len(known) < len(built.participants):
        notes.warn(f"{where}: the turns of people not in people.yaml go to the next in turn")
    if rotation.end is not None:
        notes.warn(f"{where}: ends at {_shown(rotation.end)} at the source; our layers do not end: remove it then")
    return replace(built, participants=_shortest(known))


def _shortest(people: tuple) -> tuple:
    """The shortest list whose repeats give `people` ([a, b, a, b] is [a, b])."""
    for n in range(1, len(people)):
        if len(people) % n == 0 and people == people[:n] * (len(people) // n):
            return people[:n]
    return people


def _from_start(rotation: Rotation, zone: ZoneInfo) -> tuple[datetime, tuple]:
    """The handoff at or before the rotation's start (local), and the people in turn from it: the turn under
    way at the start is the one the origin gives it."""
    origin, start = local(rotation.origin, zone), local(rotation.start, zone)
    k = (start - origin) // rotation.length
    n = k % len(rotation.people)
    return origin + k * rotation.length, rotation.people[n:] + rotation.people[:n]


def _calendar_order(layer: Layer) -> Layer:
    """The participants in the order the source puts them on call in the turns that happen (one cycle of it):
    the source gives turn k to people[k % n] whether it happens or not; our core gives the j-th turn that
    happens to participants[j % len]. Both repeat once the week's windows and the people have come round."""
    if not layer.windows:
        return layer
    step = int(layer.rotation.total_seconds())
    period = math.lcm(step, int(WEEK.total_seconds())) // step
    happens = [_meets(layer, k) for k in range(period)]
    if all(happens) or not any(happens):
        return layer
    people = layer.participants
    cycle = math.lcm(period, len(people))
    return replace(layer, participants=tuple(people[k % len(people)] for k in range(cycle) if happens[k % period]))


def _meets(layer: Layer, k: int) -> bool:
    """Whether turn k meets one of the layer's windows, in wall-clock time."""
    begin = layer.start + k * layer.rotation
    end = begin + layer.rotation
    day = datetime.combine(begin.date() - DAY, time())
    while day < end:
        if any(a < end and b > begin for window in layer.windows for a, b in window.local_spans(day)):
            return True
        day += DAY
    return False


def _shown(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ")
