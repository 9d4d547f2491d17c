"""`GET /api/reports`: the report for a date range as JSON, for an API token (README "Reports")."""

from datetime import UTC, datetime

from flask import Blueprint, current_app, jsonify, request

from incidents.report_figures import as_json, scope_from
from ingest import auth
from ingest.errors import Problem
from store.reports import build

bp = Blueprint("report_api", __name__)


@bp.get("/api/reports")
def report():
    """`since`, `until` (30d, 12h, a date or RFC 3339; default the last 30 days), `service`, `severity`."""
    state = current_app.extensions["incidents"]
    auth.api_caller(state.catalog, request.headers.get("Authorization"))
    now = datetime.now(UTC)
    try:
        scope = scope_from(request.args, now)
    except ValueError as error:
        raise Problem(400, str(error)) from None
    with state.engine.connect() as conn:
        return jsonify(as_json(build(conn, scope, state.catalog, now)))
