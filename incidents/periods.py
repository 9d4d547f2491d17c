"""Each person's whole on-call periods (incidents.schedules.final's shifts of one person in a row, not cut at
the range asked): what /api/oncalls, `incidents oncall` and the calendars list."""

from datetime import datetime, timedelta

from incidents.schedules import Schedule, Shift, final


def periods(
    schedule: Schedule, since: datetime, until: datetime, overrides=(), reach=timedelta(days=90)
) -> list[Shift]:
    """Each person's whole on-call periods that meet [since, until): consecutive shifts of one person
    are one period, not clipped to the range (looked for up to `reach` beyond it); gaps are left out."""
    found = final(schedule, since, until, overrides)
    first, last = found[0], found[-1]
    if first.person is not None:
        began = _edge(schedule, first.person, since, overrides, reach, forward=False)
        found[0] = Shift(first.person, began, first.end, first.layer)
    if last.person is not None:
        ends = _edge(schedule, last.person, until, overrides, reach, forward=True)
        found[-1] = Shift(last.person, found[-1].start, ends, last.layer)
    return [s for s in found if s.person is not None]


def _edge(schedule: Schedule, person: str, at: datetime, overrides, reach: timedelta, *, forward: bool) -> datetime:
    """Where the period of `person` that reaches `at` ends (`forward`) or began: looked for a day away, then
    two, four ... up to `reach`."""
    span = timedelta(days=1)
    while True:
        span = min(span, reach)
        if forward:
            near, limit = final(schedule, at, at + span, overrides)[0], at + span
            edge = near.end
        else:
            near, limit = final(schedule, at - span, at, overrides)[-1], at - span
            edge = near.start
        if near.person != person:
            return at
        if edge != limit or span == reach:
            return edge
        span *= 2
