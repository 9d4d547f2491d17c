"""`/reports` for signed-in people (filters, tables, charts drawn by Chart.js from the page's data) and its CSV."""

import csv
import io
from datetime import UTC, datetime, timedelta

from flask import Blueprint, Response, current_app, render_template, request
from flask_login import login_required

from commands.oncall_load import load_report
from incidents import oncall_load_figures
from incidents.report_figures import (
    as_json,
    csv_header,
    csv_rows,
    duration_text,
    follow_ups_text,
    scope_from,
    share_text,
)
from incidents.reports import PHASES, TARGETS, Scope
from incidents.severity import Severity
from store.reports import build

bp = Blueprint("report_pages", __name__)


@bp.get("/reports")
@login_required
def report_page():
    """The report for the chosen range (default: the last 30 days), service and severity."""
    now = datetime.now(UTC)
    scope, error = _scope(now)
    report = _build(scope, now)
    return render_template(
        "reports.html",
        report=report,
        scope=scope,
        error=error,
        data=as_json(report) | {"target_names": list(TARGETS)},
        severity_groups=[(severity.name, tally) for severity, tally in report.by_severity.items()],
        services=_services(scope),
        severities=[s.name for s in Severity],
        phases=PHASES,
        targets=TARGETS,
        duration=duration_text,
        share=share_text,
        follow_ups=follow_ups_text,
        before=_day_after(scope.until),
    ), (400 if error else 200)


@bp.get("/reports.csv")
@login_required
def report_csv():
    """The same report as CSV: one row for all, then one per severity and per service."""
    now = datetime.now(UTC)
    scope, error = _scope(now)
    if error:
        return Response(error + "\n", status=400, mimetype="text/plain")
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(csv_header())
    writer.writerows(csv_rows(_build(scope, now)))
    name = f"incidents-report-{scope.since:%Y%m%d}-{scope.until:%Y%m%d}.csv"
    return Response(
        out.getvalue(), mimetype="text/csv", headers={"Content-Disposition": f"attachment; filename={name}"}
    )


@bp.get("/reports/oncall")
@login_required
def oncall_load_page():
    """Per person: hours on call (nights, weekends), pages (at night), incidents commanded; default 30 days."""
    now = datetime.now(UTC)
    since, until, error = _window(now)
    found = _load(since, until, now)
    page = render_template("oncall_load.html", report=found, error=error, before=_day_after(until), hours=_hours)
    return page, (400 if error else 200)


@bp.get("/reports/oncall.csv")
@login_required
def oncall_load_csv():
    """The same as CSV: a header, then one row per person."""
    now = datetime.now(UTC)
    since, until, error = _window(now)
    if error:
        return Response(error + "\n", status=400, mimetype="text/plain")
    out = io.StringIO()
    csv.writer(out).writerows(oncall_load_figures.csv_rows(_load(since, until, now)))
    name = f"oncall-load-{since:%Y%m%d}-{until:%Y%m%d}.csv"
    return Response(
        out.getvalue(), mimetype="text/csv", headers={"Content-Disposition": f"attachment; filename={name}"}
    )


def _window(now: datetime) -> tuple[datetime, datetime, str]:
    """The chosen range, or the last 30 days with the error to show."""
    try:
        return *oncall_load_figures.window(request.args.get("since"), request.args.get("until"), now), ""
    except ValueError as error:
        return *oncall_load_figures.window(None, None, now), str(error)


def _load(since: datetime, until: datetime, now: datetime):
    state = current_app.extensions["incidents"]
    return load_report(state.engine, state.catalog, since=since, until=until, now=now)


def _hours(seconds: float) -> str:
    return f"{oncall_load_figures.hours(seconds):.1f}"


def _scope(now: datetime) -> tuple[Scope, str]:
    """The chosen scope, or the default one with the error to show."""
    try:
        return scope_from(request.args, now), ""
    except ValueError as error:
        return scope_from({}, now), str(error)


def _services(scope: Scope) -> list[str]:
    """The configured services, and any other one asked for (a service no longer configured)."""
    names = [s.name for s in current_app.extensions["incidents"].catalog.services]
    return names + [name for name in scope.services if name not in names]


def _day_after(until: datetime):
    """The date the form's "before" field shows: the range's end, rounded up to a day."""
    midnight = until.replace(hour=0, minute=0, second=0, microsecond=0)
    return (midnight if midnight == until else midnight + timedelta(days=1)).date()


def _build(scope: Scope, now: datetime):
    state = current_app.extensions["incidents"]
    with state.engine.connect() as conn:
        return build(conn, scope, state.catalog, now)
