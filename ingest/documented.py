"""The Blueprint of every machine-facing route: flask-smorest's, so the routes document themselves in
/openapi.json with the marshmallow schemas that load and dump them.

Bodies load through `json_body` (415, 413 and 400 for what is not JSON, as every endpoint answers) and a
wrong field is our 400 naming it (ingest/errors.py), not webargs' 422. A schema that checks names against
the configuration (commands.schemas.CatalogSchema) is given the running app's catalog.
`operation(security=, errors=)` documents an operation's credentials and error answers, which are the
components `ERRORS` names (registered by api/spec.py)."""

import http

import flask_smorest
from flask import current_app, g, request
from marshmallow import Schema, ValidationError
from webargs.flaskparser import FlaskParser

from commands.schemas import CatalogSchema
from incidents.actors import Actor
from ingest import answers, auth
from ingest.errors import Problem, invalid_fields
from ingest.requests import json_body

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
# The deploy webhook checks bearer and basic credentials; a Grafana signature signs alerts only.
DEPLOY_AUTH = [{"webhookBearer": []}, {"webhookBasic": []}]
API_AUTH = [{"apiToken": []}]
# The Events APIs carry their credential in the body: `routing_key`, one of a service's `integration_keys`.
NONE: list = []

# Error answers by component name (an HTTP status's name, as flask-smorest refers to them): description, schema.
ERRORS = {
    "BAD_REQUEST": ("Bad request: the body or a parameter is wrong (`fields` names each)", answers.ErrorAnswer),
    "UNAUTHORIZED": ("Missing or unknown credentials", answers.ErrorAnswer),
    "FORBIDDEN": ("Credentials that do not open this service, or a signature that does not match", answers.ErrorAnswer),
    "NOT_FOUND": ("No such incident, or no such thing of it", answers.ErrorAnswer),
    "CONFLICT": ("Not in a state that allows it (published or skipped already)", answers.ErrorAnswer),
    "REQUEST_ENTITY_TOO_LARGE": ("Body larger than INCIDENTS_MAX_BODY_BYTES", answers.ErrorAnswer),
    "UNSUPPORTED_MEDIA_TYPE": ("Content-Type is not JSON", answers.ErrorAnswer),
    "SERVICE_UNAVAILABLE": ("Database unavailable: nothing was stored, retry (see Retry-After)", answers.ErrorAnswer),
    "INVALID_EVENT": ("The event is invalid, in the Events API's own shape", answers.InvalidEventAnswer),
    "INVALID_EVENT_TYPE": ("Content-Type is not JSON, in the Events API's own shape", answers.InvalidEventAnswer),
}
HEADERS = {
    "UNAUTHORIZED": {"WWW-Authenticate": {"schema": {"type": "string"}}},
    "SERVICE_UNAVAILABLE": {"Retry-After": {"schema": {"type": "string"}}},
}
INTAKE_ERRORS = (400, 401, 403, 413, 415, 503)
# The API proper: a read's errors, a list's (nothing to be not found), a change's (a body too).
READ_ERRORS = (401, 404, 503)
LIST_ERRORS = (400, 401, 503)
ACTION_ERRORS = (400, 401, 404, 413, 415, 503)
# The Events APIs answer a bad event and a wrong Content-Type in their own shape (ingest/errors.py).
EVENT_ERRORS = {400: "INVALID_EVENT", 413: "REQUEST_ENTITY_TOO_LARGE", 415: "INVALID_EVENT_TYPE", 503: None}


def operation(*, security: list, errors=(), **more):
    """Document an operation's credentials and error answers: `errors` are statuses (their component is the
    status's name) or a mapping of status to component name (None: the status's name)."""
    named = errors if isinstance(errors, dict) else dict.fromkeys(errors)
    responses = {str(code): name or http.HTTPStatus(code).name for code, name in named.items()}
    return flask_smorest.Blueprint.doc(security=security, responses=responses, **more)


def body_doc(schema) -> dict:
    """`requestBody` of a route that loads its body itself (the intake: credentials come first, and the
    ledger keeps the bytes as received)."""
    return {"required": True, "content": {"application/json": {"schema": schema}}}


class Parser(FlaskParser):
    """webargs' Flask parser with our JSON reading and our 400."""

    DEFAULT_VALIDATION_STATUS = 400

    def load_json(self, req, schema):
        body, _ = json_body()
        return {} if body is None else body

    def handle_error(self, error, req, schema, *, error_status_code, error_headers):
        # webargs files the wrong fields under their location ({"json": {...}}): ours name the fields alone.
        ((location, messages),) = error.messages.items()
        wrong = "invalid parameter" if location == "query" else "invalid body"
        raise Problem(400, wrong, invalid_fields(ValidationError(messages))) from None

    def _get_schema(self, argmap, req):
        if isinstance(argmap, type) and issubclass(argmap, CatalogSchema):
            return argmap(catalog=current_app.extensions["incidents"].catalog)
        if isinstance(argmap, type) and issubclass(argmap, Schema):
            return argmap()
        return super()._get_schema(argmap, req)


class Blueprint(flask_smorest.Blueprint):
    ARGUMENTS_PARSER = Parser()


def api_blueprint(name: str, import_name: str, **options) -> Blueprint:
    """A blueprint of the API proper: every call presents an API token (`api_tokens`, as PagerDuty's API
    asks), checked before a body or a parameter is read; the caller is `flask.g.actor` (`api:<token name>`)."""
    bp = Blueprint(name, import_name, **options)
    bp.before_request(_api_caller)
    return bp


def _api_caller() -> None:
    catalog = current_app.extensions["incidents"].catalog
    g.actor = Actor.api(auth.api_caller(catalog, request.headers.get("Authorization")))


def state():
    """What the views need (server/app.AppState)."""
    return current_app.extensions["incidents"]
