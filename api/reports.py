"""`GET /api/reports`: the report for a date range as JSON, for an API token (README "Reports")."""

from datetime import UTC, datetime

from marshmallow import Schema, fields

from api.queries import ReportQuery
from incidents.report_figures import as_json, scope_from
from ingest.documented import API_AUTH, LIST_ERRORS, api_blueprint, operation, state
from ingest.errors import Problem
from store.reports import build

bp = api_blueprint("report_api", __name__)
FIGURES = 'incidents, open, MTTA, MTTR, time in each phase, targets met, actions (README "Reports")'


class Report(Schema):
    since = fields.String(required=True, metadata={"format": "date-time"})
    until = fields.String(required=True, metadata={"format": "date-time"})
    now = fields.String(required=True, metadata={"format": "date-time"})
    total = fields.Dict(required=True, metadata={"description": FIGURES})
    by_severity = fields.List(fields.Dict(), required=True, metadata={"description": "`severity` and its figures"})
    by_service = fields.List(fields.Dict(), required=True, metadata={"description": "`service` and its figures"})


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
