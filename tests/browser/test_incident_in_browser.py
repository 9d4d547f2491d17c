"""In a real browser: from the page's acknowledgement link to the incident page, on a phone and on a desk."""

import re

import pytest
import requests
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PASSWORD, PHONE, set_password
from tests.e2e.conftest import SRE_KEY, WEBHOOK_TOKEN, applied
from tests.support import eventually

pytestmark = pytest.mark.browser


def alert_group(instances=("db-1:9100", "db-2:9100")) -> dict:
    """Alertmanager's webhook for one group of alerts that differ by instance."""
    return {
        "version": "4",
        "groupKey": '{}:{alertname="DiskFull"}',
        "status": "firing",
        "receiver": "incidents",
        "alerts": [
            {
                "status": "firing",
                "labels": {"alertname": "DiskFull", "severity": "warning", "instance": instance, "job": "node"},
                "annotations": {"summary": "Disk almost full on the primary database"},
                "startsAt": "2026-11-26T03:00:00Z",
                "endsAt": "0001-01-01T00:00:00Z",
                "generatorURL": "http://prometheus.example/graph?g0.expr=disk",
                "fingerprint": f"{n:016x}",
            }
            for n, instance in enumerate(instances, start=1)
        ],
    }


def alert_arrives(stack, body: dict | None = None) -> None:
    """Alertmanager's webhook (`body`, else `alert_group()`), answered and applied."""
    answer = requests.post(
        f"{stack.web}/webhooks/alertmanager",
        json=body or alert_group(),
        headers={"Authorization": f"Bearer {WEBHOOK_TOKEN}"},
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    applied(stack.web, answer)


def ack_link_paged(stack) -> str:
    """The acknowledgement link in the page the fake PagerDuty received for oncall-sre."""
    [page] = eventually(lambda: stack.pagerduty.triggers(SRE_KEY), timeout=30)
    return next(link["href"] for link in page["links"] if link["text"].startswith("Acknowledge"))


def sign_in(page, name="oncall-sre", password=PASSWORD) -> None:
    page.get_by_label("Name").fill(name)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_the_engineer_acknowledges_from_the_page_on_a_phone_and_sees_it_on_the_incident(
    start_stack, browser, screenshot
):
    stack = start_stack(beat=False, level_timeouts=(600, 600))
    set_password(stack)
    alert_arrives(stack)
    ack_url = ack_link_paged(stack)

    phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, timezone_id="Europe/Paris")
    page = phone.new_page()
    page.goto(ack_url)
    expect(page.get_by_role("heading", name="Acknowledge this incident?")).to_be_visible()
    screenshot(page, "ack-link-phone")
    page.get_by_role("button", name="Acknowledge").click()
    expect(page.get_by_role("heading", name="Acknowledged")).to_be_visible()

    page.get_by_role("link", name="Open INC-1").click()
    expect(page).to_have_url(re.compile(r"/sign-in\?next=/incidents/INC-1"))
    sign_in(page)
    expect(page).to_have_url(f"{stack.web}/incidents/INC-1")
    expect(page.locator(".status-word")).to_have_text("Investigating")
    expect(page.locator(".ack-mark")).to_have_text("acknowledged")
    acknowledged = "Acknowledged by user oncall-sre through the acknowledgement link"
    expect(page.locator(".timeline")).to_contain_text(acknowledged)
    expect(page.get_by_role("button", name="Acknowledge")).to_have_count(0)
    # The two alerts of the group are told apart by instance, the label that differs.
    expect(page.locator(".alerts .tags")).to_have_text(
        [re.compile("instance=db-1:9100"), re.compile("instance=db-2:9100")]
    )
    # Times in the viewer's zone (Paris), UTC on hover.
    first_time = page.locator(".timeline time").first
    expect(first_time).not_to_contain_text("UTC")
    expect(first_time).to_have_attribute("title", re.compile(r"UTC$"))
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # nothing wider than the phone
    screenshot(page, "incident-phone")
    page.goto(f"{stack.web}/incidents")
    expect(page.locator(".incident-row")).to_have_count(1)
    screenshot(page, "list-phone")

    desk = browser.new_context(viewport=DESKTOP, storage_state=phone.storage_state())
    wide = desk.new_page()
    wide.goto(f"{stack.web}/incidents/INC-1")
    expect(wide.locator(".ack-mark")).to_have_text("acknowledged")
    screenshot(wide, "incident-desktop")
    wide.goto(f"{stack.web}/incidents")
    screenshot(wide, "list-desktop")
    phone.close()
    desk.close()


def test_sign_in_and_the_acknowledge_form_work_without_javascript(start_stack, browser):
    stack = start_stack(beat=False, level_timeouts=(600, 600))
    set_password(stack)
    alert_arrives(stack)
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{stack.web}/incidents/INC-1")
    sign_in(page)
    expect(page.locator(".ack-mark")).to_have_text("unacknowledged")
    expect(page.locator(".timeline time").first).to_contain_text("UTC")  # the no-JS fallback
    page.get_by_role("button", name="Acknowledge").click()
    expect(page.get_by_role("status")).to_have_text("Acknowledged: escalation has stopped.")
    expect(page.locator(".ack-mark")).to_have_text("acknowledged")
    expect(page.locator(".timeline")).to_contain_text("Acknowledged by oncall-sre")
    context.close()


def test_a_post_without_the_csrf_token_is_refused_even_when_signed_in(start_stack, browser):
    stack = start_stack(worker=False, beat=False)
    set_password(stack)
    alert_arrives(stack)
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{stack.web}/sign-in")
    sign_in(page)
    refused = page.request.post(f"{stack.web}/incidents/INC-1/acknowledge", form={"x": "1"})
    assert refused.status == 400 and "Form refused" in refused.text()
    page.goto(f"{stack.web}/incidents/INC-1")
    expect(page.locator(".ack-mark")).to_have_text("unacknowledged")
    context.close()
