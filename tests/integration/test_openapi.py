"""/openapi.json documents every machine-facing route, with its credentials and its errors."""

from ingest.openapi import SECURITY_SCHEMES

PEOPLE_FACING = ("/ack/", "/incidents/", "/openapi.json", "/static/")


def test_every_machine_facing_route_is_documented(app, client):
    document = client.get("/openapi.json").get_json()
    documented = {(path, method.upper()) for path, ops in document["paths"].items() for method in ops}
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(PEOPLE_FACING):
            continue
        path = rule.rule.replace("<incident_ref>", "{incident_ref}")
        actions = ("acknowledge", "resolve", "escalate") if "<any(" in path else (None,)
        for action in actions:
            concrete = path.split("/<any(")[0] + f"/{action}" if action else path
            routes |= {(concrete, method) for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert routes - documented == set()


def test_the_document_names_its_security_schemes_and_error_answers(client):
    document = client.get("/openapi.json").get_json()
    assert document["openapi"].startswith("3.")
    assert set(document["components"]["securitySchemes"]) == set(SECURITY_SCHEMES)
    intake = document["paths"]["/webhooks/alertmanager"]["post"]
    assert {"webhookBearer": []} in intake["security"] and {"webhookBasic": []} in intake["security"]
    assert {"400", "401", "403", "413", "415", "503"} <= set(intake["responses"])
    assert document["paths"]["/api/incidents"]["get"]["security"] == [{"apiToken": []}]
    assert "groupKey" in document["components"]["schemas"]["alertmanager.Webhook"]["properties"]
