"""The on-call load as figures: JSON for the API, rows for CSV, a text table for the CLI."""

from datetime import datetime

from incidents.oncall_load import Load, LoadReport
from incidents.report_figures import scope_from
from incidents.utc import iso

CSV_HEADER = ["person", "time_zone", "hours", "night_hours", "weekend_hours", "pages", "night_pages", "commanded"]


def window(since: str | None, until: str | None, now: datetime) -> tuple[datetime, datetime]:
    """[since, until) read as the incident report reads it (30d, 12h, a date or RFC 3339; default the last 30
    days); ValueError naming the parameter."""
    scope = scope_from({"since": since, "until": until}, now)
    return scope.since, scope.until


def hours(seconds: float) -> float:
    """Seconds as hours, to the hundredth."""
    return round(seconds / 3600, 2)


def figures(load: Load) -> dict:
    """One person's figures."""
    return {
        "person": load.person,
        "time_zone": load.time_zone,
        "hours": hours(load.on_call),
        "night_hours": hours(load.nights),
        "weekend_hours": hours(load.weekends),
        "pages": load.pages,
        "night_pages": load.night_pages,
        "commanded": load.commanded,
    }


def as_json(report: LoadReport) -> dict:
    """The API's document."""
    return {
        "since": iso(report.since),
        "until": iso(report.until),
        "now": iso(report.now),
        "people": [figures(load) for load in report.people],
    }


def csv_rows(report: LoadReport) -> list[list]:
    """The header, then one row per person."""
    return [CSV_HEADER, *([figures(load)[name] for name in CSV_HEADER] for load in report.people)]


def text_table(report: LoadReport) -> str:
    """The CLI's table: one line per person."""
    head = ["person", "hours", "nights", "weekends", "pages", "at night", "commanded", "time zone"]
    lines = [head] + [_cells(load) for load in report.people]
    widths = [max(len(row[i]) for row in lines) for i in range(len(head))]
    since, until = (iso(at.replace(microsecond=0)) for at in (report.since, report.until))  # `--since 30d`: no µs
    out = [f"On-call load {since} to {until} (hours; nights 22:00-08:00 local)"]
    for row in lines:
        pairs = enumerate(zip(row, widths, strict=True))
        cells = [cell.ljust(w) if i in (0, 7) else cell.rjust(w) for i, (cell, w) in pairs]
        out.append("  ".join(cells).rstrip())
    if not report.people:
        out.append("Nobody was on call, paged or in command in this range.")
    return "\n".join(out)


def _cells(load: Load) -> list[str]:
    times = [f"{hours(s):.1f}" for s in (load.on_call, load.nights, load.weekends)]
    counts = [str(n) for n in (load.pages, load.night_pages, load.commanded)]
    return [load.person, *times, *counts, load.time_zone]
