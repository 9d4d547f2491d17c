"""/openapi.json documents every machine-facing route, with its credentials and its errors."""

import dataclasses
import re

import pytest

from ingest.documented import SECURITY_SCHEMES
from tests.support import applying_app

# People-facing: every blueprint of the `web` package, and these two of ingest/ that answer people
# (the acknowledgement link's page, the incident channel as Markdown). The document itself is not an operation.
PEOPLE_FACING_IN_INGEST = {"ack_links", "export"}
NOT_OPERATIONS = {"api-docs", "static"}
METHODS = {"get", "put", "post", "delete", "patch"}  # a path item's other keys: its `parameters`
PARAMETER = re.compile(r"<(?:[^:>]+:)?[a-z_]+>|\{[a-z_]+\}")
ACTIONS = re.compile(r"<any\(([^)]*)\):[a-z_]+>")


def people_facing(app, endpoint: str) -> bool:
    blueprint = endpoint.rpartition(".")[0] or endpoint
    if blueprint in PEOPLE_FACING_IN_INGEST | NOT_OPERATIONS:
        return True
    return app.blueprints[blueprint].import_name.partition(".")[0] == "web"


def machine_routes(app) -> set[tuple[str, str]]:
    """(path, method) of each machine-facing route; path parameters as `{}`, an `any(...)` one per value."""
    routes = set()
    for rule in app.url_map.iter_rules():
        if people_facing(app, rule.endpoint):
            continue
        choices = ACTIONS.search(rule.rule)
        paths = [ACTIONS.sub(value.strip(), rule.rule) for value in choices[1].split(",")] if choices else [rule.rule]
        routes |= {
            (PARAMETER.sub("{}", path), method) for path in paths for method in rule.methods - {"HEAD", "OPTIONS"}
        }
    return routes


def documented(client) -> set[tuple[str, str]]:
    document = client.get("/openapi.json").get_json()
    return {
        (PARAMETER.sub("{}", path), method.upper())
        for path, item in document["paths"].items()
        for method in item
        if method in METHODS
    }


def test_every_machine_facing_route_is_documented(app, client):
    routes = machine_routes(app)
    assert ("/api/incidents/{}/notes/{}/pin", "POST") in routes and ("/webhooks/deploy", "POST") in routes
    assert routes - documented(client) == set()


def test_only_routes_the_app_serves_are_documented(app, client):
    assert documented(client) - machine_routes(app) == set()


def test_the_local_pagerduty_sink_is_documented_when_served(settings, catalog, engine):
    local = dataclasses.replace(settings, pagerduty_events_url=f"{settings.public_url}/local-pagerduty")
    assert local.local_pagerduty
    app = applying_app(local, catalog=catalog, engine=engine)
    client = app.test_client()
    assert ("/local-pagerduty/v2/enqueue", "POST") in machine_routes(app) & documented(client)
    assert machine_routes(app) - documented(client) == set()


def test_people_facing_pages_are_not_in_the_document(client):
    paths = client.get("/openapi.json").get_json()["paths"]
    assert not [path for path in paths if path.startswith(("/incidents", "/ack/", "/sign-", "/local-pagerduty"))]
    assert "/" not in paths


def test_the_document_names_its_security_schemes_and_error_answers(client):
    document = client.get("/openapi.json").get_json()
    assert document["openapi"].startswith("3.")
    assert set(document["components"]["securitySchemes"]) == set(SECURITY_SCHEMES)
    intake = document["paths"]["/webhooks/alertmanager"]["post"]
    assert {"webhookBearer": []} in intake["security"] and {"webhookBasic": []} in intake["security"]
    assert {"400", "401", "403", "413", "415", "503"} <= set(intake["responses"])
    assert document["paths"]["/api/incidents"]["get"]["security"] == [{"apiToken": []}]
    assert "groupKey" in document["components"]["schemas"]["alertmanager.Webhook"]["properties"]


@pytest.mark.parametrize(
    ("path", "method", "security"),
    [
        ("/api/incidents", "post", [{"apiToken": []}]),
        ("/api/incidents/{incident_ref}/notes/{entry_id}/pin", "post", [{"apiToken": []}]),
        ("/api/changes", "get", [{"apiToken": []}]),
        ("/webhooks/deploy", "post", [{"webhookBearer": []}, {"webhookBasic": []}]),
        ("/v2/change/enqueue", "post", []),
    ],
)
def test_new_operations_name_their_credentials_and_reuse_the_request_schemas(client, path, method, security):
    document = client.get("/openapi.json").get_json()
    operation = document["paths"][path][method]
    assert operation["security"] == security
    assert "503" in operation["responses"]
    schemas = document["components"]["schemas"]
    assert {"schemas.Declare", "schemas.Pin", "changes.ChangeEvent", "changes.Deploy"} <= set(schemas)
    assert {"lifecycle", "actions", "updates", "pages"} <= set(schemas["answers.IncidentDetail"]["properties"])
