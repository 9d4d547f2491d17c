"""Helpers for the bad-input tests: bodies that are accepted as they are, and ways to spoil them.

Each case spoils one thing in a body that is otherwise accepted (test_bad_bodies proves it is),
so a refusal can only come from the thing spoiled.
"""

import base64
import json

import sqlalchemy as sa

from store.tables import alerts, incidents, raw_requests, timeline

ALERTMANAGER = "/webhooks/alertmanager"
PAGERDUTY = "/v2/enqueue"
ROUTING_KEY = "exampleintegrationkey00000000001"


def basic(user: str, password: str) -> dict:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


BEARER = {"Authorization": "Bearer example-token"}
BASIC = basic("alertmanager", "example-password")  # opens payment-service only (config/services.yaml)


def firing_alert(**labels) -> dict:
    return {
        "status": "firing",
        "labels": {"alertname": "HighErrorRate", "severity": "critical", **labels},
        "annotations": {"summary": "5xx ratio above 5%"},
        "startsAt": "2026-11-26T14:33:41.755554785Z",
        "endsAt": "0001-01-01T00:00:00Z",
        "generatorURL": "http://prometheus:9090/graph",
        "fingerprint": "3674736a37fc8008",
    }


def webhook(*alerts_sent: dict) -> dict:
    """An Alertmanager v4 payload as 0.25 sends it (fixtures/alertmanager-0.25)."""
    return {
        "receiver": "incidents",
        "status": "firing",
        "alerts": list(alerts_sent) or [firing_alert(service="checkout")],
        "groupLabels": {"alertname": "HighErrorRate"},
        "commonLabels": {"alertname": "HighErrorRate"},
        "commonAnnotations": {},
        "externalURL": "http://alertmanager:9093",
        "version": "4",
        "groupKey": '{}:{alertname="HighErrorRate"}',
        "truncatedAlerts": 0,
    }


def grafana() -> dict:
    return {**webhook(), "version": "1", "orgId": 1, "state": "alerting", "title": "[FIRING:1]", "message": ""}


def trigger() -> dict:
    return {
        "routing_key": ROUTING_KEY,
        "event_action": "trigger",
        "dedup_key": "disk-full-db-1",
        "payload": {
            "summary": "Disk full on db-1",
            "source": "db-1",
            "severity": "critical",
            "timestamp": "2026-11-26T14:33:41Z",
            "custom_details": {"free": "0%"},
        },
    }


def event(action: str) -> dict:
    return {"routing_key": ROUTING_KEY, "event_action": action, "dedup_key": "disk-full-db-1"}


def put(*path_and_value):
    """A spoiler that sets the value at a path (keys and list indexes) of a body."""
    *path, value = path_and_value

    def spoil(body):
        parent(body, path)[path[-1]] = value

    return spoil


def drop(*path):
    """A spoiler that removes the key at a path of a body."""

    def spoil(body):
        del parent(body, path)[path[-1]]

    return spoil


def parent(body, path):
    for key in path[:-1]:
        body = body[key]
    return body


def post(client, path, data: bytes, headers=None, content_type="application/json"):
    return client.post(path, data=data, headers=headers or {}, content_type=content_type)


def post_json(client, path, body, headers=None):
    # json.dumps escapes lone surrogates as \udXXX, which is what a sender of such JSON would send.
    return post(client, path, json.dumps(body).encode(), headers)


def assert_nothing_stored(engine):
    with engine.connect() as conn:
        counts = {
            table.name: conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
            for table in (raw_requests, incidents, alerts, timeline)
        }
    assert counts == {"raw_requests": 0, "incidents": 0, "alerts": 0, "timeline": 0}


def names(paths, field: str) -> bool:
    """Whether one of the error paths is `field` or lies inside it."""
    return any(path == field or path.startswith((field + ".", field + "[")) for path in paths)
