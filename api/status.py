"""The status page through the API (an API token; the actor is `api:<token name>`): a component's state
set by hand and cleared, the overrides in force, maintenance announcements."""

from datetime import UTC, datetime

from flask import current_app, g
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from commands.fields import Text
from incidents.status_document import iso
from incidents.status_page import State
from ingest.documented import ACTION_ERRORS, API_AUTH, READ_ERRORS, api_blueprint, operation, state
from ingest.errors import Problem
from store import status_page as store

bp = api_blueprint("status_api", __name__, url_prefix="/api/status")


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


class SetByHand(Schema):
    status = fields.String(required=True, metadata={"enum": [s.value for s in State]})
    reason = fields.String(required=True)
    set_by = fields.String(required=True)
    set_at = fields.String(required=True, metadata={"format": "date-time"})


class ComponentOverride(Schema):
    service = fields.String(required=True)
    override = fields.Nested(SetByHand, required=True, allow_none=True)
    cleared = fields.Boolean(metadata={"description": "with `status: null`: whether an override was in force"})


class Component(Schema):
    service = fields.String(required=True)
    name = fields.String(required=True)
    override = fields.Nested(SetByHand, required=True, allow_none=True)


class Announcement(Schema):
    id = fields.String(required=True, metadata={"example": "MNT-3"})
    title = fields.String(required=True)
    services = fields.List(fields.String(), required=True)
    start = fields.String(required=True, metadata={"format": "date-time"})
    end = fields.String(required=True, metadata={"format": "date-time"})
    description = fields.String(required=True)


@bp.post("/components/<service>")
@bp.arguments(OverrideSchema)
@bp.response(200, ComponentOverride)
@operation(security=API_AUTH, errors=ACTION_ERRORS)
def set_component(body, service):
    """Set a public component's state by hand: `{"status": "major_outage", "reason": "..."}`;
    `{"status": null}` clears it."""
    _public(service)
    with state().engine.begin() as conn:
        if body["status"] is None:
            cleared = store.clear_override(conn, service)
            answer = {"service": service, "override": None, "cleared": cleared}
        else:
            override = store.set_override(
                conn, service, State(body["status"]), body["reason"], actor=g.actor.name, now=datetime.now(UTC)
            )
            answer = {"service": service, "override": _override_json(override)}
    _expire()
    return answer


@bp.get("/components")
@bp.response(200, Component(many=True))
@operation(security=API_AUTH, errors=READ_ERRORS)
def list_overrides():
    """Every public component with the state set by hand in force, if any (who, when, why)."""
    with state().engine.connect() as conn:
        found = {o.service: o for o in store.overrides(conn)}
    components = state().catalog.components
    return [
        {"service": c.service, "name": c.name, "override": _override_json(found.get(c.service))} for c in components
    ]


@bp.post("/maintenance")
@bp.arguments(MaintenanceSchema)
@bp.response(201, Announcement)
@operation(security=API_AUTH, errors=ACTION_ERRORS)
def announce(body):
    """Announce scheduled maintenance on the status page (it does not silence paging):
    `{"title", "services": [...], "start", "end", "description"}`."""
    for service in body["services"]:
        _public(service, field="services")
    with state().engine.begin() as conn:
        found = store.announce(
            conn, body["title"], body["services"], body["start"], body["end"], body["description"],
            actor=g.actor.name, now=datetime.now(UTC),
        )  # fmt: skip
    _expire()
    answer = {"id": f"MNT-{found.id}", "title": found.title, "services": list(found.services)}
    return answer | {"start": iso(found.starts_at), "end": iso(found.ends_at), "description": found.description}


def _override_json(override) -> dict | None:
    if override is None:
        return None
    return {"status": override.state.value, "reason": override.reason, "set_by": override.set_by} | {
        "set_at": iso(override.set_at)
    }


def _public(service: str, field: str = "service") -> None:
    if service not in {c.service for c in state().catalog.components}:
        raise Problem(400, "invalid body", {field: f'no public status page component "{service}"'})


def _expire() -> None:
    """This process shows the change at its next request; others within their refresh interval."""
    current_app.extensions["status_page"].expire()
