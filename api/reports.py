"""`GET /api/reports`: the report for a date range as JSON, for an API token (README "Reports")."""

from datetime import UTC, datetime

from marshmallow import Schema, fields

from api.queries import LoadQuery, ReportQuery
from commands.oncall_load import load_report
from incidents import oncall_load_figures
from incidents.report_figures import as_json, scope_from
from ingest.documented import API_AUTH, LIST_ERRORS, api_blueprint, operation, state
from ingest.errors import Problem
from store.reports import build

bp = api_blueprint("report_api", __name__)
FIGURES = 'incidents, open, MTTA, MTTR, time in each phase, targets met, actions, follow-ups (README "Reports")'


class Report(Schema):
    since = fields.String(required=True, metadata={"format": "date-time"})
    until = fields.String(required=True, metadata={"format": "date-time"})
    now = fields.String(required=True, metadata={"format": "date-time"})
    total = fields.Dict(required=True, metadata={"description": FIGURES})
    by_severity = fields.List(fields.Dict(), required=True, metadata={"description": "`severity` and its figures"})
    by_service = fields.List(fields.Dict(), required=True, metadata={"description": "`service` and its figures"})


class PersonLoad(Schema):
    person = fields.String(required=True)
    time_zone = fields.String(required=True, metadata={"description": "IANA name: nights and weekends are its"})
    hours = fields.Float(required=True, metadata={"description": "hours on call (on any schedule, counted once)"})
    night_hours = fields.Float(required=True, metadata={"description": "of them, 22:00-08:00 local"})
    weekend_hours = fields.Float(required=True, metadata={"description": "of them, Saturday and Sunday local"})
    pages = fields.Integer(required=True, metadata={"description": "pages sent to this person"})
    night_pages = fields.Integer(required=True, metadata={"description": "of them, sent 22:00-08:00 local"})
    commanded = fields.Integer(required=True, metadata={"description": "incidents whose command they took"})


class OnCallLoad(Schema):
    since = fields.String(required=True, metadata={"format": "date-time"})
    until = fields.String(required=True, metadata={"format": "date-time"})
    now = fields.String(required=True, metadata={"format": "date-time"})
    people = fields.List(fields.Nested(PersonLoad), required=True, metadata={"description": "by name"})


@bp.get("/api/reports")
@bp.arguments(ReportQuery, location="query")
@bp.response(200, Report)
@operation(security=API_AUTH, errors=LIST_ERRORS)
def report(asked):
    """Incidents, MTTA, MTTR, time in each phase and targets met, by severity and service: `since`, `until`
    (30d, 12h, a date or RFC 3339; default the last 30 days), `service`, `severity`."""
    now = datetime.now(UTC)
    listed = {name: ",".join(asked[name]) for name in ("service", "severity")}
    try:
        scope = scope_from({"since": asked.get("since"), "until": asked.get("until")} | listed, now)
    except ValueError as error:
        raise Problem(400, str(error)) from None
    with state().engine.connect() as conn:
        return as_json(build(conn, scope, state().catalog, now))


@bp.get("/api/reports/oncall")
@bp.arguments(LoadQuery, location="query")
@bp.response(200, OnCallLoad)
@operation(security=API_AUTH, errors=LIST_ERRORS)
def oncall_load(asked):
    """Per person, from the recorded on-call history: hours on call, of which nights (22:00-08:00 in their time
    zone) and weekends, pages received, pages at night, incidents commanded: `since`, `until` as /api/reports."""
    now = datetime.now(UTC)
    try:
        since, until = oncall_load_figures.window(asked.get("since"), asked.get("until"), now)
    except ValueError as error:
        raise Problem(400, str(error)) from None
    found = load_report(state().engine, state().catalog, since=since, until=until, now=now)
    return oncall_load_figures.as_json(found)
