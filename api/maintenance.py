"""Maintenance windows through the API: list, add, end early. Every call presents an API token."""

from datetime import UTC, datetime

from flask import Blueprint, current_app, jsonify, request
from marshmallow import Schema, fields, validate

from commands.fields import Text
from incidents import noise
from incidents.references import MAX_ID
from incidents.utc import iso
from ingest import auth
from ingest.errors import Problem
from ingest.requests import json_body
from store import noise as windows

bp = Blueprint("maintenance_api", __name__, url_prefix="/api/maintenance")


class WindowSchema(Schema):
    services = fields.List(Text(validate=validate.Length(1, 128)), required=True, validate=validate.Length(1))
    start = Text(load_default=None, validate=validate.Length(max=64))
    end = Text(required=True, validate=validate.Length(1, 64))
    reason = Text(required=True, validate=validate.Length(1, 1000))


@bp.get("")
def window_list():
    """Windows not over yet, soonest end first; `all=1`: every window, newest first."""
    _caller()
    with _state().engine.connect() as conn:
        found = windows.list_windows(conn, now=datetime.now(UTC), include_past=request.args.get("all") == "1")
    return jsonify(windows=[window_json(window) for window in found])


@bp.post("")
def add():
    """A window: `services`, `start` (RFC 3339, default now), `end` (a time or a duration), `reason`; 201."""
    who, now = _caller(), datetime.now(UTC)
    body = WindowSchema().load(json_body()[0])
    unknown = noise.unknown_services(body["services"], {s.name for s in _state().catalog.services})
    if unknown:
        raise Problem(400, "unknown service", {"services": f"no service called {', '.join(unknown)}"})
    try:
        start, end = noise.window_times(body["start"], body["end"], now)
    except ValueError as error:
        field, _, reason = str(error).partition(": ")
        raise Problem(400, "invalid window", {field: reason}) from None
    with _state().engine.begin() as conn:
        window = windows.add_window(
            conn, body["services"], start=start, end=end, reason=body["reason"], by=who, now=now
        )
    return jsonify(window_json(window)), 201


@bp.delete(f"/<int(max={MAX_ID}):window_id>")
def end(window_id: int):
    """End a window now: incidents it held page at the next tick (unless another window holds them)."""
    who = _caller()
    try:
        with _state().engine.begin() as conn:
            window = windows.end_window(conn, window_id, by=who, now=datetime.now(UTC))
    except windows.NoSuchWindow as error:
        raise Problem(404, str(error)) from None
    return jsonify(window_json(window))


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


def _caller() -> str:
    return f"api:{auth.api_caller(_state().catalog, request.headers.get('Authorization'))}"


def _state():
    return current_app.extensions["incidents"]
