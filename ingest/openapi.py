"""`GET /openapi.json`: the machine-facing API, generated from the marshmallow schemas with apispec."""

import functools

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Blueprint, jsonify

from ingest import answers, pagerduty_webhooks
from ingest.actions import ResponderSchema
from ingest.sources import alertmanager, pagerduty
from ingest.sources.fields import StringMap, Timestamp

bp = Blueprint("openapi", __name__)

SECURITY_SCHEMES = {
    "webhookBearer": {"type": "http", "scheme": "bearer", "description": "a service's `intake.bearer_token`"},
    "webhookBasic": {"type": "http", "scheme": "basic", "description": "a service's `intake.basic_auth`"},
    "grafanaSignature": {
        "type": "apiKey",
        "in": "header",
        "name": "X-Grafana-Alerting-Signature",
        "description": "HMAC-SHA256 of the body with one of a service's `intake.grafana_hmac_secrets`",
    },
    "apiToken": {"type": "http", "scheme": "bearer", "description": "an API token (`api_tokens` in services.yaml)"},
    "pagerdutySignature": {
        "type": "apiKey",
        "in": "header",
        "name": "X-PagerDuty-Signature",
        "description": "`v1=` HMAC-SHA256 of the body with a `pagerduty.webhook_secrets` entry",
    },
}
WEBHOOK_AUTH = [{"webhookBearer": []}, {"webhookBasic": []}, {"grafanaSignature": []}]
API_AUTH = [{"apiToken": []}]
ERRORS = {
    "400": ("Bad request: the body or a parameter is wrong (`fields` names each)", "Error"),
    "401": ("Missing or unknown credentials", "Error"),
    "403": ("Credentials that do not open this service, or a signature that does not match", "Error"),
    "404": ("No such incident", "Error"),
    "413": ("Body larger than INCIDENTS_MAX_BODY_BYTES", "Error"),
    "415": ("Content-Type is not JSON", "Error"),
    "503": ("Database unavailable: nothing was stored, retry (see Retry-After)", "Error"),
    "InvalidEvent": ("The event is invalid, in the Events API's own shape", "InvalidEvent"),
}
INTAKE_ERRORS = ("400", "401", "403", "413", "415", "503")
API_ERRORS = ("401", "404", "503")
INCIDENT_REF = {
    "name": "incident_ref",
    "in": "path",
    "required": True,
    "schema": {"type": "string"},
    "description": "`INC-123` or `123`",
}


def _schema_name(schema) -> str:
    cls = schema if isinstance(schema, type) else type(schema)
    return f"{cls.__module__.rsplit('.', 1)[-1]}.{cls.__name__.removesuffix('Schema')}"


def _custom_fields(self, field, **kwargs) -> dict:
    # Our own marshmallow fields, which apispec cannot know.
    if isinstance(field, StringMap):
        return {"type": "object", "additionalProperties": {"type": "string"}}
    if isinstance(field, Timestamp):
        return {"type": "string", "format": "date-time"}
    return {}


def _json(schema) -> dict:
    return {"application/json": {"schema": schema}}


def _answers(success: tuple[str, str, object], errors=(), extra: dict | None = None) -> dict:
    status, description, schema = success
    out = {status: {"description": description, "content": _json(schema)}}
    out.update({code: {"$ref": f"#/components/responses/{code}"} for code in errors})
    return out | (extra or {})


def _operations() -> dict:
    """Path -> method -> operation."""
    invalid_event = {"400": {"$ref": "#/components/responses/InvalidEvent"}}
    intake_body = {"required": True, "content": _json(alertmanager.WebhookSchema)}
    acted = ("200", "The incident after the action", answers.IncidentActed)
    ops = {
        "/webhooks/alertmanager": {
            "post": {
                "summary": "Alertmanager webhook (v4), or Grafana's (v1, told apart by orgId)",
                "security": WEBHOOK_AUTH,
                "requestBody": intake_body,
                "responses": _answers(("200", "Stored", answers.WebhookAnswer), INTAKE_ERRORS),
            }
        },
        "/v2/enqueue": {
            "post": {
                "summary": "PagerDuty Events API v2: the routing_key is one of a service's integration_keys",
                "security": [],
                "requestBody": {"required": True, "content": _json(pagerduty.EventSchema)},
                "responses": _answers(("202", "Stored", answers.EventAnswer), ("413", "415", "503"), invalid_event),
            }
        },
        "/webhooks/pagerduty": {
            "post": {
                "summary": "PagerDuty V3 webhooks: acknowledged, unacknowledged, resolved in PagerDuty",
                "security": [{"pagerdutySignature": []}],
                "requestBody": {"required": True, "content": _json(pagerduty_webhooks.WebhookSchema)},
                "responses": _answers(
                    ("202", "Applied or ignored", answers.PagerDutyWebhookAnswer), ("400", "403", "413", "415", "503")
                ),
            }
        },
        "/api/incidents": {
            "get": {
                "summary": "Incidents, newest first",
                "security": API_AUTH,
                "parameters": _list_parameters(),
                "responses": _answers(("200", "A page of incidents", answers.IncidentList), ("400", "401", "503")),
            }
        },
        "/api/incidents/{incident_ref}": {
            "get": {
                "summary": "One incident with its alerts and timeline",
                "security": API_AUTH,
                "parameters": [INCIDENT_REF],
                "responses": _answers(("200", "The incident", answers.IncidentDetail), API_ERRORS),
            }
        },
        "/api/incidents/{incident_ref}/responders": {
            "post": {
                "summary": "Page a named person or team now",
                "security": API_AUTH,
                "parameters": [INCIDENT_REF],
                "requestBody": {"required": True, "content": _json(ResponderSchema)},
                "responses": _answers(acted, ("400", "401", "404", "413", "415", "503")),
            }
        },
        "/healthz": {
            "get": {"summary": "Liveness", "security": [], "responses": _answers(("200", "Answers", answers.Health))}
        },
        "/readyz": {
            "get": {
                "summary": "Readiness: database and broker reachable",
                "security": [],
                "responses": _answers(
                    ("200", "Ready", answers.Readiness),
                    extra={"503": {"description": "Not ready", "content": _json(answers.Readiness)}},
                ),
            }
        },
        "/metrics": {
            "get": {
                "summary": "Prometheus metrics",
                "security": [],
                "responses": {"200": {"description": "Text exposition format", "content": {"text/plain": {}}}},
            }
        },
    }
    for action, summary in (("acknowledge", "Stop escalation"), ("resolve", "Resolve"), ("escalate", "Next level now")):
        ops[f"/api/incidents/{{incident_ref}}/{action}"] = {
            "post": {
                "summary": summary,
                "security": API_AUTH,
                "parameters": [INCIDENT_REF],
                "responses": _answers(acted, API_ERRORS),
            }
        }
    return ops


def _list_parameters() -> list[dict]:
    def values(name, description, enum=None):
        items = {"type": "string"} | ({"enum": list(enum)} if enum else {})
        schema = {"type": "array", "items": items}
        return {
            "name": name,
            "in": "query",
            "schema": schema,
            "style": "form",
            "explode": True,
            "description": description,
        }

    return [
        values("status", "repeatable or comma-separated", ("triggered", "acknowledged", "resolved")),
        values("severity", "SEV1..SEV4, P1..P5; repeatable or comma-separated"),
        values("service", "repeatable or comma-separated"),
        {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 25}},
        {"name": "offset", "in": "query", "schema": {"type": "integer", "minimum": 0, "maximum": 10**9, "default": 0}},
    ]


@functools.cache
def spec() -> dict:
    """The OpenAPI 3.0 document, built once."""
    plugin = MarshmallowPlugin(schema_name_resolver=_schema_name)
    doc = APISpec("incident-ingest", "1.0", "3.0.3", plugins=[plugin])
    plugin.converter.add_attribute_function(_custom_fields)
    for name, scheme in SECURITY_SCHEMES.items():
        doc.components.security_scheme(name, scheme)
    doc.components.schema("Error", schema=answers.ErrorAnswer)
    doc.components.schema("InvalidEvent", schema=answers.InvalidEventAnswer)
    for code, (description, schema) in ERRORS.items():
        response = {"description": description, "content": _json(schema)}
        if code == "401":
            response["headers"] = {"WWW-Authenticate": {"schema": {"type": "string"}}}
        if code == "503":
            response["headers"] = {"Retry-After": {"schema": {"type": "string"}}}
        doc.components.response(code, response)
    for path, operations in _operations().items():
        doc.path(path=path, operations=operations)
    return doc.to_dict()


@bp.get("/openapi.json")
def openapi_json():
    """This API's OpenAPI document."""
    return jsonify(spec())
