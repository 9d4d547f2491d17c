"""The seed's policy end to end: page, escalate, acknowledge by link, resolve."""

import pytest
import requests

from tests.e2e.conftest import MANAGER_KEY, READ, SRE_KEY, WEBHOOK_TOKEN, applied
from tests.support import eventually

pytestmark = pytest.mark.e2e


def alert_body(status="firing", group='{}:{alertname="DiskFull"}', severity="warning"):
    return {
        "version": "4",
        "groupKey": group,
        "status": status,
        "receiver": "incidents",
        "alerts": [
            {
                "status": status,
                "labels": {"alertname": "DiskFull", "severity": severity},
                "annotations": {"summary": "Disk full on db-1"},
                "startsAt": "2026-11-26T03:00:00Z",
                "endsAt": "0001-01-01T00:00:00Z",
                "fingerprint": "aaaaaaaaaaaaaaaa",
            }
        ],
    }


def post_alert(stack, **kwargs):
    answer = requests.post(
        f"{stack.web}/webhooks/alertmanager",
        json=alert_body(**kwargs),
        headers={"Authorization": f"Bearer {WEBHOOK_TOKEN}"},
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    applied(stack.web, answer)  # the inbox's consumer applied it
    return answer.json()


def test_second_level_is_paged_when_first_does_not_acknowledge_and_the_link_stops_it(start_stack):
    stack = start_stack(level_timeouts=(2, 2))
    post_alert(stack)
    first = eventually(lambda: stack.pagerduty.triggers(SRE_KEY), timeout=20)
    assert len(first) == 1 and first[0]["payload"]["summary"] == "[INC-1] Disk full on db-1"
    eventually(lambda: stack.pagerduty.triggers(MANAGER_KEY), timeout=20)

    ack_url = next(link["href"] for link in first[0]["links"] if link["text"].startswith("Acknowledge"))
    page = requests.get(ack_url, timeout=10)
    assert page.status_code == 200 and "Acknowledge" in page.text
    detail = requests.get(f"{stack.web}/api/incidents/INC-1", headers=READ, timeout=10).json()
    assert detail["status"] == "triggered"  # GET changed nothing
    assert requests.post(ack_url, timeout=10).status_code == 200
    assert requests.post(ack_url, timeout=10).status_code == 409  # single use
    eventually(lambda: [e for e in stack.pagerduty.events if e["event_action"] == "acknowledge"], timeout=20)

    post_alert(stack, status="resolved")
    resolves = eventually(
        lambda: (
            len([e for e in stack.pagerduty.events if e["event_action"] == "resolve"]) == 2 and stack.pagerduty.events
        ),
        timeout=20,
    )
    assert {e["routing_key"] for e in resolves if e["event_action"] == "resolve"} == {SRE_KEY, MANAGER_KEY}
    assert len(stack.pagerduty.triggers()) == 2  # nobody paged twice
    timeline = requests.get(f"{stack.web}/api/incidents/INC-1", headers=READ, timeout=10).json()["timeline"]
    kinds = [e["kind"] for e in timeline]
    assert kinds.count("paged") == 2 and "acknowledged" in kinds and kinds[-1] == "resolved"


def test_metrics_of_every_gunicorn_worker_are_merged(start_stack):
    stack = start_stack(worker=False, beat=False)
    for _ in range(6):
        post_alert(stack)
    text = requests.get(f"{stack.web}/metrics", timeout=10).text
    accepted = 'incidents_intake_requests_total{outcome="accepted",source="alertmanager"} '
    line = next(line for line in text.splitlines() if line.startswith(accepted))
    assert float(line.rsplit(" ", 1)[1]) == 6.0
    assert "\nincidents_escalations_overdue " in text
