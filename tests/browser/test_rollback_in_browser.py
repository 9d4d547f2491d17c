"""In a real browser on a phone: a deploy made 10 minutes before the alert started is a rollback candidate on
the incident page, and "We roll back" works with JavaScript off."""

import copy
from datetime import UTC, datetime, timedelta

import pytest
import requests
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, set_password
from tests.browser.test_incident_in_browser import alert_group, sign_in
from tests.e2e.conftest import WEBHOOK_TOKEN, applied

pytestmark = pytest.mark.browser
AUTH = {"Authorization": f"Bearer {WEBHOOK_TOKEN}"}


def stamp(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%SZ")


def deploy_then_alert(stack, starts_at: datetime) -> None:
    """The deploy pipeline records v2.7.0 ten minutes before the alert's startsAt; then Alertmanager fires."""
    change = {
        "service": "production-api",
        "version": "v2.7.0",
        "summary": "Switch the checkout client to HTTP/2",
        "author": "dana",
        "link": "https://ci.example/builds/981",
        "time": stamp(starts_at - timedelta(minutes=10)),
    }
    answer = requests.post(f"{stack.web}/webhooks/deploy", json=change, headers=AUTH, timeout=10)
    assert answer.status_code == 201, answer.text
    group = copy.deepcopy(alert_group(instances=("api-1:9100",)))
    group["alerts"][0]["startsAt"] = stamp(starts_at)
    answer = requests.post(f"{stack.web}/webhooks/alertmanager", json=group, headers=AUTH, timeout=10)
    assert answer.status_code == 200, answer.text
    applied(stack.web, answer)


def test_a_recent_deploy_is_a_rollback_candidate_on_a_phone_and_we_roll_back_without_javascript(
    start_stack, browser, screenshot
):
    stack = start_stack(worker=False, beat=False)
    set_password(stack)
    deploy_then_alert(stack, datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=3))
    phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, java_script_enabled=False)
    page = phone.new_page()
    page.goto(f"{stack.web}/incidents/INC-1")
    sign_in(page)
    candidate = page.locator("#rollback .candidate")
    expect(candidate).to_have_count(1)
    expect(candidate).to_contain_text("Switch the checkout client to HTTP/2")
    expect(candidate).to_contain_text("10 min before the problem")
    expect(candidate.locator(".answer")).to_have_text("yes")
    screenshot(page, "rollback-candidate-phone")
    candidate.get_by_role("button", name="We roll back Switch the checkout client to HTTP/2 (v2.7.0)").click()
    expect(page.get_by_role("status")).to_contain_text("Rollback decided")
    expect(candidate).to_contain_text("Rolling back, decided by oncall-sre at")
    expect(candidate.get_by_role("button")).to_have_count(0)
    expect(page.locator(".events")).to_contain_text(
        "Decided to roll back Switch the checkout client to HTTP/2 (v2.7.0)"
    )
    lit = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, storage_state=phone.storage_state())
    seen = lit.new_page()
    seen.goto(f"{stack.web}/incidents/INC-1#rollback")
    assert seen.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # nothing wider than the phone
    screenshot(seen, "rollback-decided-phone")
    phone.close()
    lit.close()
