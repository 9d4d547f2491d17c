"""The status page through the API (an API token; the actor is `api:<token name>`): a component's state
set by hand and cleared, the overrides in force, maintenance announcements."""

from datetime import UTC, datetime

from flask import Blueprint, current_app, jsonify, request
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from commands.fields import Text
from incidents.status_document import iso
from incidents.status_page import State
from ingest import auth
from ingest.errors import Problem
from ingest.requests import json_body
from store import status_page as store

bp = Blueprint("status_api", __name__, url_prefix="/api/status")


class OverrideSchema(Schema):
    # null clears the override: the component follows its incidents again.
    status = Text(required=True, allow_none=True, validate=validate.OneOf([s.value for s in State]))
    reason = Text(load_default="", validate=validate.Length(max=1000))

    @validates_schema
    def reason_given(self, data, **kwargs):
        if data.get("status") and not data.get("reason"):
            raise ValidationError("say why the state is set by hand", "reason")


class MaintenanceSchema(Schema):
    title = Text(required=True, validate=validate.Length(1, 300))
    services = fields.List(Text(), required=True, validate=validate.Length(1, 50))
    start = fields.AwareDateTime(required=True)
    end = fields.AwareDateTime(required=True)
    description = Text(load_default="", validate=validate.Length(max=10_000))

    @validates_schema
    def ends_after_start(self, data, **kwargs):
        if data.get("start") and data.get("end") and data["end"] <= data["start"]:
            raise ValidationError("must come after `start`", "end")


@bp.post("/components/<service>")
def set_component(service):
    """`{"status": "major_outage", "reason": "..."}` sets the state by hand; `{"status": null}` clears it."""
    actor, body = _caller(), _load(OverrideSchema)
    _public(service)
    with _state().engine.begin() as conn:
        if body["status"] is None:
            cleared = store.clear_override(conn, service)
            answer = {"service": service, "override": None, "cleared": cleared}
        else:
            override = store.set_override(
                conn, service, State(body["status"]), body["reason"], actor=actor, now=datetime.now(UTC)
            )
            answer = {"service": service, "override": _override_json(override)}
    _expire()
    return jsonify(answer)


@bp.get("/components")
def list_overrides():
    """Every public component with the override in force, if any (who, when, why)."""
    _caller()
    with _state().engine.connect() as conn:
        found = {o.service: o for o in store.overrides(conn)}
    components = _state().catalog.components
    return jsonify(
        [{"service": c.service, "name": c.name, "override": _override_json(found.get(c.service))} for c in components]
    )


@bp.post("/maintenance")
def announce():
    """`{"title", "services": [...], "start", "end", "description"}`; 201 with the announcement."""
    actor, body = _caller(), _load(MaintenanceSchema)
    for service in body["services"]:
        _public(service, field="services")
    with _state().engine.begin() as conn:
        found = store.announce(
            conn, body["title"], body["services"], body["start"], body["end"], body["description"],
            actor=actor, now=datetime.now(UTC),
        )  # fmt: skip
    _expire()
    answer = {"id": f"MNT-{found.id}", "title": found.title, "services": list(found.services)}
    answer |= {"start": iso(found.starts_at), "end": iso(found.ends_at), "description": found.description}
    return jsonify(answer), 201


def _override_json(override) -> dict | None:
    if override is None:
        return None
    return {"status": override.state.value, "reason": override.reason, "set_by": override.set_by} | {
        "set_at": iso(override.set_at)
    }


def _public(service: str, field: str = "service") -> None:
    if service not in {c.service for c in _state().catalog.components}:
        raise Problem(400, "invalid body", {field: f'no public status page component "{service}"'})


def _expire() -> None:
    """This process shows the change at its next request; others within their refresh interval."""
    current_app.extensions["status_page"].expire()


def _load(schema):
    body, _ = json_body()
    return schema().load(body or {})


def _state():
    return current_app.extensions["incidents"]


def _caller() -> str:
    return "api:" + auth.api_caller(_state().catalog, request.headers.get("Authorization"))
