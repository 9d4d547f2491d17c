"""Who is on call: schedules of layers, each a rotation of participants handing off at a wall-clock time.

Pure functions of the schedule and the times asked about (issue #16 §1):

- A layer's handoffs stay on its wall-clock time in the schedule's time zone, across daylight saving,
  for every rotation length: the k-th handoff is the local `start + k * rotation`, then placed in time.
- A local time that does not exist that day (02:30 when clocks go forward) happens at the first valid
  instant after it (03:00); an ambiguous one (01:30 when clocks go back) at its first occurrence.
- A restricted layer has someone on call only inside its windows, and counts turns per shift that
  actually happens (one that meets a window), so nobody is skipped because their turn fell outside.
- Before a layer's `start` that layer has nobody on call.
- A later layer wins wherever it has someone on call; an override wins over the layers, and of two
  overlapping overrides the later-created one.
"""

import functools
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class Window:
    """A restriction: on these weekdays (0 is Monday), from `start` to `end` local time; an `end` at or
    before `start` crosses midnight (22:00-06:00 ends the next morning)."""

    days: frozenset[int]
    start: time
    end: time

    def local_spans(self, day: datetime) -> list[tuple[datetime, datetime]]:
        """The window's local span beginning on `day` (a naive local midnight), if it is one of its days."""
        if day.weekday() not in self.days:
            return []
        begin = datetime.combine(day.date(), self.start)
        end = datetime.combine(day.date(), self.end)
        return [(begin, end if end > begin else end + timedelta(days=1))]


@dataclass(frozen=True)
class Layer:
    """A rotation: `start` is the local time of the first handoff (participants[0] takes it)."""

    name: str
    start: datetime  # naive, in the schedule's time zone
    rotation: timedelta
    participants: tuple[str, ...]
    windows: tuple[Window, ...] = ()


@dataclass(frozen=True)
class Schedule:
    """`team` is told of gaps and untaken cover requests; `chat` a webhook like a service's (ChatConfig);
    the incoming person is told `handoff_notice` before a shift."""

    name: str
    time_zone: str
    layers: tuple[Layer, ...]
    team: str | None = None
    chat: object = None
    handoff_notice: timedelta = timedelta(hours=1)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)


@dataclass(frozen=True)
class Override:
    """`person` is on call instead of whoever the layers say, from `start` to `end` (aware UTC);
    `created` orders overlapping overrides (the later wins)."""

    person: str
    start: datetime
    end: datetime
    created: datetime
    id: int = 0


@dataclass(frozen=True)
class Shift:
    """Someone on call (`person`; None: nobody, a gap) from `start` to `end`, aware UTC."""

    person: str | None
    start: datetime
    end: datetime
    layer: str = ""  # the layer it comes from; "override" for an override


def instant(local: datetime, zone: ZoneInfo) -> datetime:
    """The moment (aware UTC) a naive local time names in `zone`: its first occurrence when clocks go
    back; the first valid instant after it when it does not exist (clocks went forward over it)."""
    first = local.replace(tzinfo=zone, fold=0).astimezone(UTC)
    if first.astimezone(zone).replace(tzinfo=None) == local:
        return first
    # A gap: zoneinfo alone reads 02:30 with the offset before the change (03:30 after it). The change
    # itself, the first instant whose local time is past `local`, lies between the two readings.
    second = local.replace(tzinfo=zone, fold=1).astimezone(UTC)
    low, high = min(first, second), max(first, second)
    while high - low > timedelta(seconds=1):
        middle = low + (high - low) / 2
        if middle.astimezone(zone).replace(tzinfo=None) >= local:
            high = middle
        else:
            low = middle
    return high.replace(microsecond=0)


def handoff(layer: Layer, k: int, zone: ZoneInfo) -> datetime:
    """The k-th handoff of the layer (0: its start), on the layer's wall-clock time."""
    return instant(layer.start + k * layer.rotation, zone)


def layer_shifts(layer: Layer, zone: ZoneInfo, since: datetime, until: datetime) -> list[Shift]:
    """The layer's on-call shifts that meet [since, until), inside its windows if it has any. Computed a
    week (of UTC time) at a time and kept: pages and feeds ask about the same weeks again and again."""
    if not layer.participants or until <= since:
        return []
    out: list[Shift] = []
    for week in range(_week(since), _week(until - timedelta(microseconds=1)) + 1):
        for shift in _week_shifts(layer, zone.key, week):
            if shift.end > since and shift.start < until and (not out or shift.start > out[-1].start):
                out.append(shift)
    return out


_EPOCH, _WEEK = datetime(2000, 1, 3, tzinfo=UTC), timedelta(weeks=1)


def _week(at: datetime) -> int:
    return (at - _EPOCH) // _WEEK


@functools.lru_cache(maxsize=8192)
def _week_shifts(layer: Layer, zone_key: str, week: int) -> tuple[Shift, ...]:
    """The layer's shifts that meet one week (a shift over its edge belongs to both weeks, whole)."""
    zone, since = ZoneInfo(zone_key), _EPOCH + week * _WEEK
    until = since + _WEEK
    k, out = max(0, _shift_at(layer, zone, since)), []
    start = handoff(layer, k, zone)
    while start < until:
        end = handoff(layer, k + 1, zone)
        spans = _inside_windows(layer, zone, start, end) if layer.windows else [(start, end)]
        if spans:
            person = layer.participants[_turn(layer, zone, k) % len(layer.participants)]
            out += [Shift(person, a, b, layer.name) for a, b in spans if b > since]
        k, start = k + 1, end
    return tuple(out)


def final(schedule: Schedule, since: datetime, until: datetime, overrides=()) -> list[Shift]:
    """Who is on call from `since` to `until`: the layers (a later one wins where it has someone), then
    the overrides (a later-created one wins); nobody (person None) where none has anyone. Consecutive
    spans of one person are one shift; the first and last are clipped to [since, until)."""
    timeline = [Shift(None, since, until)]
    for layer in schedule.layers:
        timeline = _layer_over(timeline, layer_shifts(layer, schedule.zone, since, until))
    meeting = [o for o in overrides if o.end > since and o.start < until]
    for override in sorted(meeting, key=lambda o: (o.created, o.id)):
        timeline = _laid_over(timeline, Shift(override.person, override.start, override.end, "override"))
    return _merged([s for s in timeline if s.end > since and s.start < until], since, until)


def on_call(schedule: Schedule, at: datetime, overrides=()) -> str | None:
    """Who is on call at `at` (None: nobody)."""
    return final(schedule, at, at + timedelta(seconds=1), overrides)[0].person


def _shift_at(layer: Layer, zone: ZoneInfo, at: datetime) -> int:
    """The index of the shift under way at `at` (-1 before the layer starts)."""
    local = at.astimezone(zone).replace(tzinfo=None)
    k = max(int((local - layer.start) / layer.rotation) - 1, -1)
    while k >= 0 and handoff(layer, k, zone) > at:
        k -= 1
    while handoff(layer, k + 1, zone) <= at:
        k += 1
    return k


# The turns a restricted layer has given before each shift, per layer and zone: prefix sums grown on demand.
_TURNS: dict[tuple[Layer, str], list[int]] = {}


def _turn(layer: Layer, zone: ZoneInfo, k: int) -> int:
    """Whose turn shift k is: every shift counts without windows; with windows, those that happen."""
    if not layer.windows:
        return k
    counts = _TURNS.setdefault((layer, zone.key), [0])
    while len(counts) <= k:
        n = len(counts) - 1
        happens = bool(_inside_windows(layer, zone, handoff(layer, n, zone), handoff(layer, n + 1, zone)))
        counts.append(counts[-1] + happens)
    return counts[k]


def _inside_windows(layer: Layer, zone: ZoneInfo, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    """The parts of [start, end) inside the layer's windows, in order."""
    first = start.astimezone(zone).replace(tzinfo=None, hour=0, minute=0, second=0, microsecond=0)
    last = end.astimezone(zone).replace(tzinfo=None)
    spans, day = [], first - timedelta(days=1)  # a window that crosses midnight began the day before
    while day <= last:
        for window in layer.windows:
            for a, b in window.local_spans(day):
                a, b = max(instant(a, zone), start), min(instant(b, zone), end)
                if a < b:
                    spans.append((a, b))
        day += timedelta(days=1)
    return _union(sorted(spans))


def _union(spans: list) -> list:
    out = []
    for a, b in spans:
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def _laid_over(timeline: list[Shift], top: Shift) -> list[Shift]:
    """`top` laid over the timeline: it wins where it has someone."""
    out = []
    for shift in timeline:
        if shift.end <= top.start or shift.start >= top.end:
            out.append(shift)
            continue
        if shift.start < top.start:
            out.append(Shift(shift.person, shift.start, top.start, shift.layer))
        if shift.end > top.end:
            out.append(Shift(shift.person, top.end, shift.end, shift.layer))
    out.append(top)
    return sorted(out, key=lambda s: s.start)


def _layer_over(timeline: list[Shift], tops: list[Shift]) -> list[Shift]:
    """A layer's shifts (`tops`: in order, none overlapping) laid over the timeline (in order, none
    overlapping) in one pass: they win where they have someone."""
    out, i = [], 0
    for shift in timeline:
        start = shift.start
        while i < len(tops) and tops[i].end <= start:
            i += 1
        j = i
        while j < len(tops) and tops[j].start < shift.end:
            if tops[j].start > start:
                out.append(Shift(shift.person, start, tops[j].start, shift.layer))
            start = max(start, tops[j].end)
            j += 1
        if start < shift.end:
            out.append(Shift(shift.person, start, shift.end, shift.layer))
    return sorted(out + tops, key=lambda s: s.start)


def _merged(shifts: list[Shift], since: datetime, until: datetime) -> list[Shift]:
    out: list[Shift] = []
    for shift in shifts:
        shift = Shift(shift.person, max(shift.start, since), min(shift.end, until), shift.layer)
        if out and out[-1].person == shift.person and out[-1].end >= shift.start:
            out[-1] = Shift(shift.person, out[-1].start, max(out[-1].end, shift.end), out[-1].layer)
        else:
            out.append(shift)
    return out
