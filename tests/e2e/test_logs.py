"""Logs an operator can read: no line per tick, a line per failed request, JSON for log shippers."""

import json

import pytest
import requests

from tests.e2e.conftest import WEBHOOK_TOKEN
from tests.e2e.outbox import LONG, TIMEOUT, post_alert, settle
from tests.support import eventually

pytestmark = pytest.mark.e2e


def json_lines(text: str) -> list[dict]:
    """Every line of a log, parsed: fails on the first line that is not a JSON object."""
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_with_log_format_json_every_process_writes_json_and_the_tick_stays_quiet(start_stack, monkeypatch):
    monkeypatch.setenv("LOG_FORMAT", "json")
    stack = start_stack(level_timeouts=LONG)
    eventually(lambda: "ready." in stack.processes["worker"].log(), timeout=TIMEOUT)
    post_alert(stack)
    eventually(lambda: stack.pagerduty.triggers(), timeout=TIMEOUT)
    refused = requests.post(
        f"{stack.web}/webhooks/alertmanager", json={}, headers={"X-Request-Id": "shipper-test-1"}, timeout=10
    )
    assert refused.status_code == 401 and refused.headers["X-Request-Id"] == "shipper-test-1"
    settle()  # several ticks, 0.5 s apart
    logs = {name: json_lines(process.log()) for name, process in stack.processes.items()}
    for name, lines in logs.items():
        assert lines, f"{name} logged nothing"
        assert all({"timestamp", "level", "logger", "message", "request_id", "incident"} <= set(line) for line in lines)
    everything = [line for lines in logs.values() for line in lines]
    assert not [line for line in everything if "tasks.tick" in line["message"] and line["level"] == "INFO"]
    [failed] = [line for line in logs["web"] if line["logger"] == "incidents.requests"]
    assert failed["request_id"] == "shipper-test-1" and failed["level"] == "WARNING"
    assert failed["message"].startswith("POST /webhooks/alertmanager 401: ")


def test_text_logs_have_no_line_per_tick_nor_per_successful_request(start_stack):
    stack = start_stack(level_timeouts=LONG)
    eventually(lambda: "ready." in stack.processes["worker"].log(), timeout=TIMEOUT)
    post_alert(stack)
    eventually(lambda: stack.pagerduty.triggers(), timeout=TIMEOUT)
    answer = requests.post(
        f"{stack.web}/webhooks/alertmanager", json={}, headers={"Authorization": f"Bearer {WEBHOOK_TOKEN}"}, timeout=10
    )
    assert answer.status_code == 400
    settle()
    assert "Sending due task tick" not in stack.processes["beat"].log()
    assert "tasks.tick[" not in stack.processes["worker"].log()  # neither received nor succeeded
    web = stack.processes["web"].log()
    assert web.count("POST /webhooks/alertmanager") == 1  # the 400 only, not the 200
    assert "POST /webhooks/alertmanager 400: invalid body {'alerts': 'Missing data" in web
    assert f"request_id={answer.headers['X-Request-Id']}" in web
