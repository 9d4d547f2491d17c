"""Follow-up reminders end to end: a post-mortem published with an action item whose due date is over, and beat's
tick pages its owner once, as `info`, through the real worker to (the fake) PagerDuty; closing it through the API
resolves that alert there."""

from datetime import UTC, datetime, timedelta

import pytest
import requests

from tests.e2e.conftest import EXPERT_KEY, READ, WEBHOOK_TOKEN, applied
from tests.e2e.test_target_breaches import firing
from tests.support import eventually

pytestmark = pytest.mark.e2e


def test_beat_reminds_the_owner_once_and_closing_the_follow_up_resolves_it_at_pagerduty(start_stack):
    stack = start_stack(level_timeouts=(600, 600))
    answer = requests.post(
        f"{stack.web}/webhooks/alertmanager",
        json=firing(datetime.now(UTC)),
        headers={"Authorization": f"Bearer {WEBHOOK_TOKEN}"},
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    applied(stack.web, answer)
    assert requests.post(f"{stack.web}/api/incidents/INC-1/resolve", headers=READ, timeout=10).status_code == 200
    yesterday = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()
    text = f"## Action Items\n- [ ] Alert on disk growth (Owner: payments-expert, Due: {yesterday})\n"
    published = requests.post(
        f"{stack.web}/api/incidents/INC-1/postmortem/publish", json={"text": text}, headers=READ, timeout=10
    )
    assert published.status_code == 200, published.text

    [reminder] = eventually(lambda: stack.pagerduty.triggers(EXPERT_KEY), timeout=30)
    assert reminder["payload"]["severity"] == "info"
    assert reminder["payload"]["summary"] == '[INC-1] follow-up "Alert on disk growth" overdue'
    assert reminder["dedup_key"].endswith("-overdue")
    timeline = requests.get(f"{stack.web}/api/incidents/INC-1", headers=READ, timeout=10).json()["timeline"]
    sent = [e["message"] for e in timeline if e["kind"] == "follow_up_reminder"]
    assert sent == [f'Follow-up "Alert on disk growth" was due {yesterday}: reminded payments-expert']
    metrics = requests.get(f"{stack.web}/metrics", timeout=10).text.splitlines()
    assert "incidents_follow_ups_overdue 1.0" in metrics

    follow_up = requests.get(f"{stack.web}/api/incidents/INC-1/postmortem", headers=READ, timeout=10).json()
    assert follow_up["state"] == "published"
    closed = requests.patch(f"{stack.web}/api/follow-ups/1", json={"state": "done"}, headers=READ, timeout=10)
    assert closed.status_code == 200 and closed.json()["state"] == "done"

    def resolved():
        return [e for e in stack.pagerduty.events if e["event_action"] == "resolve"]

    [resolve] = eventually(lambda: [e for e in resolved() if e["dedup_key"] == reminder["dedup_key"]], timeout=30)
    assert resolve["routing_key"] == EXPERT_KEY
    assert len(stack.pagerduty.triggers(EXPERT_KEY)) == 1  # ticks since sent nothing more
