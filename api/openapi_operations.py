"""The parts every operation of /openapi.json repeats: credentials, error answers, path parameters,
and `operation()`, which puts them together."""

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
ROUTING_KEY_IN_BODY: list = []
NONE: list = []

ERRORS = {
    "400": ("Bad request: the body or a parameter is wrong (`fields` names each)", "Error"),
    "401": ("Missing or unknown credentials", "Error"),
    "403": ("Credentials that do not open this service, or a signature that does not match", "Error"),
    "404": ("No such incident (or no such entry or action of it)", "Error"),
    "413": ("Body larger than INCIDENTS_MAX_BODY_BYTES", "Error"),
    "415": ("Content-Type is not JSON", "Error"),
    "503": ("Database unavailable: nothing was stored, retry (see Retry-After)", "Error"),
    "InvalidEvent": ("The event is invalid, in the Events API's own shape", "InvalidEvent"),
    "InvalidEvent415": ("Content-Type is not JSON, in the Events API's own shape", "InvalidEvent"),
}
HEADERS = {
    "401": {"WWW-Authenticate": {"schema": {"type": "string"}}},
    "503": {"Retry-After": {"schema": {"type": "string"}}},
}
INTAKE_ERRORS = ("400", "401", "403", "413", "415", "503")
READ_ERRORS = ("401", "404", "503")
# A list's or report's: a wrong filter, credentials, the database; there is nothing to be not found.
LIST_ERRORS = ("400", "401", "503")
ACTION_ERRORS = ("400", "401", "404", "413", "415", "503")
# The Events APIs answer a bad event and a wrong Content-Type in their own shape (ingest/errors.py).
EVENT_ERRORS = {"400": "InvalidEvent", "413": "413", "415": "InvalidEvent415", "503": "503"}


def path_parameter(name: str, description: str, schema: dict | None = None) -> dict:
    """A required path parameter."""
    return {
        "name": name,
        "in": "path",
        "required": True,
        "schema": schema or {"type": "string"},
        "description": description,
    }


def query_list(name: str, description: str, enum=None) -> dict:
    """A repeatable (or comma-separated) query parameter."""
    items = {"type": "string"} | ({"enum": list(enum)} if enum else {})
    schema = {"type": "array", "items": items}
    return {"name": name, "in": "query", "schema": schema, "style": "form", "explode": True, "description": description}


def query_integer(name: str, low: int, high: int, default: int) -> dict:
    """An integer query parameter with its bounds."""
    schema = {"type": "integer", "minimum": low, "maximum": high, "default": default}
    return {"name": name, "in": "query", "schema": schema}


INCIDENT_REF = path_parameter("incident_ref", "`INC-123` or `123`")
ROW_ID = {"type": "integer", "format": "int64", "minimum": 0, "maximum": 2**63 - 1}
ENTRY_ID = path_parameter("entry_id", "a timeline entry's `id`", ROW_ID)
ACTION_ID = path_parameter("action_id", "an action's `id`", ROW_ID)


def json_content(schema) -> dict:
    """A JSON body of this schema (a marshmallow schema class or a component name)."""
    return {"application/json": {"schema": schema}}


def operation(summary: str, ok: tuple, *, security: list, errors=(), body=None, parameters=(), extra=None) -> dict:
    """An operation: `ok` is (status, description, answer schema); `errors` names components/responses
    (a mapping picks the component per status); `extra` adds responses of its own."""
    status, description, schema = ok
    responses = {status: {"description": description, "content": json_content(schema)}}
    named = errors if isinstance(errors, dict) else {code: code for code in errors}
    responses |= {code: {"$ref": f"#/components/responses/{name}"} for code, name in named.items()}
    found = {"summary": summary, "security": security, "responses": responses | (extra or {})}
    if body is not None:
        found["requestBody"] = {"required": True, "content": json_content(body)}
    if parameters:
        found["parameters"] = list(parameters)
    return found


def api_operation(summary: str, ok: tuple, body=None, *, errors=None, parameters=(), extra=None) -> dict:
    """An operation of the API proper, under an API token: it answers `READ_ERRORS`, and `ACTION_ERRORS`
    (a body's errors too) when it takes a `body`, unless `errors` names others."""
    if errors is None:
        errors = ACTION_ERRORS if body is not None else READ_ERRORS
    return operation(summary, ok, security=API_AUTH, errors=errors, body=body, parameters=parameters, extra=extra)


def incident_operation(summary: str, ok: tuple, body=None, *, parameters=(), **options) -> dict:
    """An API operation under /api/incidents/{incident_ref}: `parameters` come after the incident's."""
    return api_operation(summary, ok, body, parameters=(INCIDENT_REF, *parameters), **options)


def events_api(summary: str, ok: tuple, body, errors=EVENT_ERRORS) -> dict:
    """An Events API operation: the credential is the body's `routing_key`, errors in the API's own shape."""
    return operation(summary, ok, security=ROUTING_KEY_IN_BODY, errors=errors, body=body)


def error_responses() -> dict:
    """components/responses: each error answer by name."""
    return {
        name: {"description": description, "content": json_content(schema)}
        | ({"headers": HEADERS[name]} if name in HEADERS else {})
        for name, (description, schema) in ERRORS.items()
    }
