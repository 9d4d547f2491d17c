"""A maintenance window end to end: web, worker and beat; the incident opens in the window, pages
nobody, and pages its first level once beat's tick finds the window over."""

from datetime import UTC, datetime

import pytest
import requests

from tests.e2e.conftest import READ, SRE_KEY
from tests.e2e.test_escalation_smoke import post_alert
from tests.support import eventually

pytestmark = pytest.mark.e2e


def timeline(stack, kind):
    detail = requests.get(f"{stack.web}/api/incidents/INC-1", headers=READ, timeout=10).json()
    return [entry["message"] for entry in detail["timeline"] if entry["kind"] == kind]


def test_an_incident_opened_in_a_window_is_paged_by_beat_when_the_window_ends(start_stack):
    stack = start_stack(level_timeouts=(30, 30))
    body = {"services": ["production-api"], "end": "8 seconds", "reason": "e2e maintenance"}
    window = requests.post(f"{stack.web}/api/maintenance", json=body, headers=READ, timeout=10)
    assert window.status_code == 201, window.text
    end = datetime.fromisoformat(window.json()["end"])
    post_alert(stack)
    (held,) = eventually(lambda: timeline(stack, "not_paged"), timeout=20)
    assert held.startswith("not paged: maintenance window 1 (e2e maintenance) until ")
    assert stack.pagerduty.triggers(SRE_KEY) == []  # the window is still on: nobody paged
    (page,) = eventually(lambda: stack.pagerduty.triggers(SRE_KEY), timeout=30)
    assert datetime.now(UTC) >= end and page["payload"]["summary"] == "[INC-1] Disk full on db-1"
    paged = eventually(lambda: timeline(stack, "paged"), timeout=10)
    assert paged == ["Paging level 1 (user oncall-sre): maintenance window over, still firing"]
