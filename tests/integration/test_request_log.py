"""One log line per failed request, none per success; the request id in the answer and the line."""

import logging

from settings.logs import TEXT, Context
from tests.support import READ, applied_to, recorded_requests


def failures(caplog) -> list[logging.LogRecord]:
    """The request log's lines, with the context our handler adds (caplog's handler may see them first)."""
    lines = [line for line in caplog.records if line.name == "incidents.requests"]
    return [line for line in lines if Context().filter(line)]


def test_a_failed_request_is_one_line_with_method_path_status_reason_and_sender(client, caplog):
    caplog.set_level(logging.INFO)
    answer = client.get("/api/incidents/INC-1", headers={"X-Request-Id": "abc-1", "User-Agent": "curl/8"})
    assert answer.status_code == 401 and answer.headers["X-Request-Id"] == "abc-1"
    [line] = failures(caplog)
    assert line.levelno == logging.WARNING
    assert line.getMessage().startswith("GET /api/incidents/INC-1 401: ")
    assert line.getMessage().endswith("(from 127.0.0.1, curl/8)")
    assert line.incident == "INC-1"
    assert "[request_id=abc-1 incident=INC-1]" in logging.Formatter(TEXT).format(line)


def test_a_successful_request_logs_nothing_and_gets_a_request_id_of_its_own(client, caplog):
    caplog.set_level(logging.INFO)
    answer = client.get("/api/incidents", headers=READ | {"X-Request-Id": "not a plain id"})
    assert answer.status_code == 200
    assert len(answer.headers["X-Request-Id"]) == 32
    assert failures(caplog) == []


def test_a_refused_body_names_the_wrong_fields_in_its_line(client, caplog):
    caplog.set_level(logging.INFO)
    client.post("/webhooks/alertmanager", json={"version": "4"}, headers={"Authorization": "Bearer example-token"})
    [line] = failures(caplog)
    assert "400: invalid body {" in line.getMessage() and "groupKey" in line.getMessage()


def timeline_request_ids(client, number) -> dict[str, set]:
    entries = client.get(f"/api/incidents/INC-{number}", headers=READ).get_json()["timeline"]
    ids: dict[str, set] = {}
    for entry in entries:
        ids.setdefault(entry["kind"], set()).add((entry["data"] or {}).get("request_id"))
    return ids


def test_the_timeline_entries_a_request_writes_carry_its_request_id(client):
    _, headers, body = recorded_requests()[0]
    first = client.post("/webhooks/alertmanager", json=body, headers=headers | {"X-Request-Id": "am-1"})
    assert first.status_code == 200 and first.headers["X-Request-Id"] == "am-1"
    [incident] = applied_to(client, first)
    number = int(incident.removeprefix("INC-"))
    _, headers, body = recorded_requests()[2]  # the same group, a new alert: the one-statement path
    client.post("/webhooks/alertmanager", json=body, headers=headers | {"X-Request-Id": "am-2"})
    client.post(f"/api/incidents/{incident}/acknowledge", headers=READ | {"X-Request-Id": "ack-1"})
    ids = timeline_request_ids(client, number)
    assert ids["opened"] == {"am-1"}
    assert ids["alert_firing"] == {"am-1", "am-2"}
    assert ids["acknowledged"] == {"ack-1"}
