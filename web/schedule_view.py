"""The schedule page's timeline as the template draws it: 14 days from the viewer's midnight, one row per
layer, a row of overrides and the final result, each shift placed as a percentage of the row's width (x, width) (SVG
attributes: the strict CSP allows no style attribute), every time written in the viewer's zone."""

from datetime import datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from commands.oncall import Ahead
from incidents.schedules import Shift, instant
from incidents.shifts import HORIZON

COLOURS = 8  # .who-0 ... .who-7 in style.css
LABELLED = 2.5  # % of the width: a narrower shift shows its name on hover (its title) and in the list below


def window(now: datetime, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """From the viewer's midnight today to 14 local days later."""
    midnight = now.astimezone(zone).replace(tzinfo=None, hour=0, minute=0, second=0, microsecond=0)
    return instant(midnight, zone), instant(midnight + HORIZON, zone)


@lru_cache(maxsize=4096)  # a page writes each handoff several times (rows, titles, the list)
def local_text(moment: datetime, zone: ZoneInfo) -> str:
    """`Mon 3 Mar 09:00` in the viewer's zone."""
    at = moment.astimezone(zone)
    return f"{at:%a} {at.day} {at:%b %H:%M}"


def timeline(ahead: Ahead, since: datetime, until: datetime, now: datetime, zone: ZoneInfo) -> dict:
    """The days, the rows (layers, overrides, final: gaps marked), and where now is."""
    place = _placing(since, until)
    people = sorted({p for layer in ahead.schedule.layers for p in layer.participants} | _overriders(ahead))
    colours = {person: f"who-{n % COLOURS}" for n, person in enumerate(people)}

    def segments(found) -> list[dict]:
        return [_segment(shift, since, until, zone, place, colours) for shift in found]

    rows = [{"name": name, "kind": "layer", "segments": segments(found)} for name, found in ahead.layers]
    made = [Shift(o.person, o.start, o.end, f"override #{o.id}") for o in sorted(ahead.overrides, key=_created)]
    rows.append({"name": "Overrides", "kind": "overrides", "segments": segments(made)})
    rows.append({"name": "Final", "kind": "final", "segments": segments(ahead.final)})
    return {
        "days": _days(since, zone, place),
        "rows": rows,
        "now_x": _pct(place(min(max(now, since), until))),
        "listed": [shift for shift in ahead.final if shift.end > now],  # the list in words: from now on
    }


def _placing(since: datetime, until: datetime):
    width = (until - since).total_seconds()
    return lambda moment: 100 * (moment - since).total_seconds() / width


def _pct(value: float) -> str:
    """An SVG length: `12.345%` (written here, not in the template: a page has hundreds)."""
    return f"{value:.3f}%"


def _segment(shift: Shift, since: datetime, until: datetime, zone: ZoneInfo, place, colours) -> dict:
    start, end = max(shift.start, since), min(shift.end, until)
    who = shift.person or "nobody"
    source = f" ({shift.layer})" if shift.layer.startswith("override") else ""
    width = place(end) - place(start)
    return {
        "x": _pct(place(start)),
        "width": _pct(width),
        "labelled": width >= LABELLED,
        "person": who,
        "colour": colours.get(shift.person, "who-0") if shift.person else "gap",
        "title": f"{who}{source}: {local_text(shift.start, zone)} – {local_text(shift.end, zone)}",
    }


def _days(since: datetime, zone: ZoneInfo, place) -> list[dict]:
    midnight = since.astimezone(zone).replace(tzinfo=None)
    days = [midnight + timedelta(days=n) for n in range(HORIZON.days + 1)]
    edges = [place(instant(day, zone)) for day in days]
    return [
        {"x": _pct(x), "width": _pct(after - x), "label": f"{day:%a} {day.day}", "weekend": day.weekday() >= 5}
        for day, x, after in zip(days, edges, edges[1:], strict=False)
    ]


def _overriders(ahead: Ahead) -> set[str]:
    return {o.person for o in ahead.overrides}


def _created(override):
    return (override.created, override.id)
