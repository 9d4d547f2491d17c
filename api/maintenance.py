"""Maintenance windows through the API: list, add, end early. Every call presents an API token."""

from datetime import UTC, datetime

from flask import g
from marshmallow import Schema, fields, validate

from api.queries import WindowQuery
from commands.fields import Text
from incidents import noise
from incidents.references import MAX_ID
from incidents.utc import iso
from ingest.answers import Time
from ingest.documented import ACTION_ERRORS, API_AUTH, READ_ERRORS, api_blueprint, operation, state
from ingest.errors import Problem
from store import noise as windows

bp = api_blueprint("maintenance_api", __name__, url_prefix="/api/maintenance")


class WindowSchema(Schema):
    services = fields.List(Text(validate=validate.Length(1, 128)), required=True, validate=validate.Length(1))
    start = Text(load_default=None, validate=validate.Length(max=64))
    end = Text(required=True, validate=validate.Length(1, 64))
    reason = Text(required=True, validate=validate.Length(1, 1000))


class MaintenanceWindow(Schema):
    id = fields.Integer(required=True)
    services = fields.List(fields.String(), required=True)
    start = Time
    end = Time
    reason = fields.String(required=True)
    created_by = fields.String(required=True)
    ended_by = fields.String(required=True, allow_none=True)


class Windows(Schema):
    windows = fields.List(fields.Nested(MaintenanceWindow), required=True)


@bp.get("")
@bp.arguments(WindowQuery, location="query", as_kwargs=True)
@bp.response(200, Windows)
@operation(security=API_AUTH, errors=(400, 401, 503))
def window_list(all="0"):  # noqa: A002 (the parameter's name)
    """Windows not over yet, soonest end first; `all=1`: every window, newest first."""
    with state().engine.connect() as conn:
        found = windows.list_windows(conn, now=datetime.now(UTC), include_past=all == "1")
    return {"windows": [window_json(window) for window in found]}


@bp.post("")
@bp.arguments(WindowSchema)
@bp.response(201, MaintenanceWindow)
@operation(security=API_AUTH, errors=ACTION_ERRORS)
def add(body):
    """A window in which incidents open and nobody is paged: `services`, `start` (RFC 3339, default now),
    `end` (a time or a duration), `reason`."""
    now = datetime.now(UTC)
    unknown = noise.unknown_services(body["services"], {s.name for s in state().catalog.services})
    if unknown:
        raise Problem(400, "unknown service", {"services": f"no service called {', '.join(unknown)}"})
    try:
        start, end = noise.window_times(body["start"], body["end"], now)
    except ValueError as error:
        field, _, reason = str(error).partition(": ")
        raise Problem(400, "invalid window", {field: reason}) from None
    with state().engine.begin() as conn:
        window = windows.add_window(
            conn, body["services"], start=start, end=end, reason=body["reason"], by=g.actor.name, now=now
        )
    return window_json(window)


@bp.delete(f"/<int(max={MAX_ID}):window_id>")
@bp.response(200, MaintenanceWindow)
@operation(security=API_AUTH, errors=READ_ERRORS)
def end(window_id: int):
    """End a window now: incidents it held page at the next tick (unless another window holds them)."""
    try:
        with state().engine.begin() as conn:
            window = windows.end_window(conn, window_id, by=g.actor.name, now=datetime.now(UTC))
    except windows.NoSuchWindow as error:
        raise Problem(404, str(error)) from None
    return window_json(window)


def window_json(window: noise.Window) -> dict:
    return {
        "id": window.id,
        "services": list(window.services),
        "start": iso(window.start),
        "end": iso(window.end),
        "reason": window.reason,
        "created_by": window.created_by,
        "ended_by": window.ended_by,
    }
