"""Time targets end to end: with a response target of seconds, beat's tick writes the breach on the
timeline and a page for it reaches (the fake) PagerDuty."""

from datetime import UTC, datetime

import pytest
import requests

from tests.e2e.conftest import NO_TARGETS, READ, SRE_KEY, WEBHOOK_TOKEN
from tests.support import eventually

pytestmark = pytest.mark.e2e

# Only the response target, 2 seconds for SEV3 (a `warning`); no status updates due.
LIFECYCLE = NO_TARGETS.replace("SEV3: 0,", "SEV3: 2s,", 1)


def firing(starts_at: datetime) -> dict:
    alert = {
        "status": "firing",
        "labels": {"alertname": "DiskFull", "severity": "warning"},
        "annotations": {"summary": "Disk full on db-1"},
        "startsAt": starts_at.isoformat().replace("+00:00", "Z"),
        "endsAt": "0001-01-01T00:00:00Z",
        "fingerprint": "aaaaaaaaaaaaaaaa",
    }
    return {"version": "4", "groupKey": '{}:{alertname="DiskFull"}', "status": "firing", "alerts": [alert]}


def test_an_unacknowledged_incident_breaches_its_response_target_once_and_pages_for_it(start_stack):
    stack = start_stack(level_timeouts=(600, 600), lifecycle=LIFECYCLE)
    answer = requests.post(
        f"{stack.web}/webhooks/alertmanager",
        json=firing(datetime.now(UTC)),
        headers={"Authorization": f"Bearer {WEBHOOK_TOKEN}"},
        timeout=10,
    )
    assert answer.status_code == 200, answer.text

    def breach_paged():
        return [e for e in stack.pagerduty.triggers(SRE_KEY) if e["dedup_key"].endswith("-breach-response")]

    paged = eventually(breach_paged, timeout=30)
    timeline = requests.get(f"{stack.web}/api/incidents/INC-1", headers=READ, timeout=10).json()["timeline"]
    breaches = [e for e in timeline if e["kind"] == "breach"]
    assert [(e["data"]["target"], e["data"]["severity"], e["actor"]) for e in breaches] == [
        ("response", "SEV3", "system")
    ]
    assert breaches[0]["message"].startswith("Target breached: response within 2 s (SEV3)")
    assert len(paged) == 1 and len(stack.pagerduty.triggers(SRE_KEY)) == 2  # the first page and the breach's
    metrics = requests.get(f"{stack.web}/metrics", timeout=10).text.splitlines()
    assert 'incidents_target_breaches_total{severity="SEV3",target="response"} 1.0' in metrics
