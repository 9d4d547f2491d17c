"""A report as figures: JSON for the API, rows for CSV, a text table for the CLI; and report ranges."""

import re
from datetime import UTC, datetime, timedelta

from incidents.durations import spoken
from incidents.reports import PHASES, TARGETS, Outcome, Report, Scope, Tally
from incidents.severity import Severity

_AGO = re.compile(r"(\d+)\s*([dhw])")
_UNIT = {"h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1)}


def parse_moment(text: str, now: datetime) -> datetime:
    """`30d`, `12h`, `2w` (before `now`), a date `2026-11-01` (its midnight UTC) or an RFC 3339 time."""
    text = text.strip()
    if match := _AGO.fullmatch(text):
        try:
            return now - int(match.group(1)) * _UNIT[match.group(2)]
        except OverflowError:
            raise ValueError(f"{text!r} reaches back before the year 1") from None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"{text!r} is neither a span such as 30d or 12h nor a date or time (RFC 3339)") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def scope_from(args, now: datetime, *, days: int = 30) -> Scope:
    """The scope of `since`, `until` (default: the last `days` days), `service` and `severity` (repeatable or
    comma-separated); ValueError naming the parameter."""
    since = _moment(args.get("since") or f"{days}d", now, "since")
    until = _moment(args.get("until"), now, "until") if args.get("until") else now
    if until <= since:
        raise ValueError("until: must come after since")
    try:
        severities = tuple(Severity.parse(s) for s in _listed(args, "severity"))
    except ValueError as error:
        raise ValueError(f"severity: {error}") from None
    return Scope(since, until, _listed(args, "service"), severities)


def _moment(text: str, now: datetime, name: str) -> datetime:
    try:
        return parse_moment(text, now)
    except ValueError as error:
        raise ValueError(f"{name}: {error}") from None


def _listed(args, name: str) -> tuple[str, ...]:
    values = args.getlist(name) if hasattr(args, "getlist") else [args.get(name) or ""]
    return tuple(dict.fromkeys(v.strip() for value in values for v in value.split(",") if v.strip()))


def figures(tally: Tally) -> dict:
    """One group's figures; durations in seconds, shares between 0 and 1, null when nothing to measure."""
    return {
        "incidents": tally.incidents,
        "open": tally.open,
        "acknowledged": tally.acknowledged,
        "resolved": tally.resolved,
        "mtta_seconds": _round(tally.mtta),
        "mttr_seconds": _round(tally.mttr),
        "phase_seconds": {p.value: _round(tally.phase_mean(p)) for p in PHASES},
        "targets": {name: _target(tally, name) for name in TARGETS},
        "actions": {"total": tally.actions, "done_in_time": tally.actions_done_in_time, "share": tally.actions_share},
        "follow_ups": _follow_ups(tally),
    }


def as_json(report: Report) -> dict:
    """The API's document."""
    return {
        "since": _iso(report.since),
        "until": _iso(report.until),
        "now": _iso(report.now),
        "total": figures(report.total),
        "by_severity": [{"severity": sev.name} | figures(t) for sev, t in report.by_severity.items()],
        "by_service": [{"service": name} | figures(t) for name, t in report.by_service.items()],
    }


def csv_header() -> list[str]:
    head = ["group", "name", "incidents", "open", "acknowledged", "resolved", "mtta_seconds", "mttr_seconds"]
    head += [f"{p.value}_mean_seconds" for p in PHASES]
    head += [f"{name}_{o.value}" for name in TARGETS for o in Outcome] + [f"{name}_met_share" for name in TARGETS]
    return head + ["actions", "actions_done_in_time", "follow_ups_on_time", "follow_ups_late", "follow_ups_pending"]


def csv_rows(report: Report) -> list[list]:
    """One row for all, then one per severity, then one per service."""
    groups = [("all", "", report.total)]
    groups += [("severity", sev.name, t) for sev, t in report.by_severity.items()]
    groups += [("service", name, t) for name, t in report.by_service.items()]
    return [_csv_row(group, name, t) for group, name, t in groups]


def text_table(report: Report) -> str:
    """The CLI's table: one line per severity and service, then all."""
    head = ["", "incidents", "open", "MTTA", "MTTR", "response", "mitigation", "recovery", "post-mortem", "actions"]
    head += ["follow-ups"]
    lines = [[f"{sev.name}", *_cells(t)] for sev, t in report.by_severity.items()]
    lines += [[name, *_cells(t)] for name, t in report.by_service.items()]
    lines += [["all", *_cells(report.total)]]
    widths = [max(len(str(row[i])) for row in [head, *lines]) for i in range(len(head))]
    out = [f"Incidents opened {_iso(report.since)} to {_iso(report.until)}; targets met (met/decided)"]
    for row in [head, *lines]:
        out.append(
            "  ".join(
                str(cell).ljust(w) if i == 0 else str(cell).rjust(w)
                for i, (cell, w) in enumerate(zip(row, widths, strict=True))
            )
        )
    return "\n".join(out)


def duration_text(seconds: float | None) -> str:
    """A figure's length (durations.spoken); `-` for none."""
    return "-" if seconds is None else spoken(timedelta(seconds=seconds))


def share_text(tally: Tally, target: str) -> str:
    """`75% (3/4)`, or `-` when none is decided; pending ones are left out."""
    counts, share = tally.targets[target], tally.met_share(target)
    if share is None:
        return "-"
    return f"{share:.0%} ({counts[Outcome.MET]}/{counts[Outcome.MET] + counts[Outcome.BREACHED]})"


def follow_ups_text(tally: Tally) -> str:
    """Follow-ups closed on time, `50% (1/2)` of those decided (closed, or open past due); `-` for none."""
    on_time, share = tally.follow_ups[Outcome.MET], tally.follow_ups_share
    return "-" if share is None else f"{share:.0%} ({on_time}/{on_time + tally.follow_ups[Outcome.BREACHED]})"


def _cells(t: Tally) -> list[str]:
    actions = f"{t.actions_done_in_time}/{t.actions}" if t.actions else "-"
    shares = [share_text(t, name) for name in ("response", "mitigation", "recovery", "postmortem")]
    times = [duration_text(t.mtta), duration_text(t.mttr)]
    return [str(t.incidents), str(t.open), *times, *shares, actions, follow_ups_text(t)]


def _csv_row(group: str, name: str, t: Tally) -> list:
    row = [group, name, t.incidents, t.open, t.acknowledged, t.resolved, _round(t.mtta), _round(t.mttr)]
    row += [_round(t.phase_mean(p)) for p in PHASES]
    row += [t.targets[name][o] for name in TARGETS for o in Outcome]
    row += [_share(t.met_share(name)) for name in TARGETS]
    return row + [t.actions, t.actions_done_in_time] + [t.follow_ups[o] for o in Outcome]


def _follow_ups(t: Tally) -> dict:
    counts = t.follow_ups
    return {
        "on_time": counts[Outcome.MET],
        "late": counts[Outcome.BREACHED],
        "pending": counts[Outcome.PENDING],
        "on_time_share": _share(t.follow_ups_share),
    }


def _target(t: Tally, name: str) -> dict:
    return {o.value: t.targets[name][o] for o in Outcome} | {"met_share": _share(t.met_share(name))}


def _round(seconds: float | None) -> float | None:
    return round(seconds, 1) if seconds is not None else None


def _share(value: float | None) -> float | None:
    return round(value, 4) if value is not None else None


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
