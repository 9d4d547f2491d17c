"""In a real browser: the public status page shows an update its author published (on a phone); a person
publishes an incident from its page (on a desk and a phone)."""

import pytest
import requests
from playwright.sync_api import expect

from tests.browser.conftest import PHONE
from tests.browser.test_incident_in_browser import sign_in
from tests.integration.signing_in import PASSWORD, set_password
from tests.support import READ, start_web

pytestmark = pytest.mark.browser
DESK = {"width": 1366, "height": 900}


def declare_and_publish(base: str) -> None:
    """A SEV2 on payments, one private update and one published to the status page, through the API."""
    declared = requests.post(
        f"{base}/api/incidents",
        headers=READ,
        json={"title": "PaymentsDBDown on db-1", "service": "payment-service", "severity": "SEV2"},
        timeout=10,
    )
    assert declared.status_code == 201, declared.text
    number = declared.json()["number"]
    for text, public in (("Failing over db-1 to db-2", False), ("Some card payments fail. We are on it.", True)):
        body = {"status": "Identified", "text": text, "public": public}
        posted = requests.post(f"{base}/api/incidents/INC-{number}/updates", headers=READ, json=body, timeout=10)
        assert posted.status_code == 201, posted.text


def test_the_status_page_shows_a_published_update_on_a_phone(settings, engine, tmp_path, browser, screenshot):
    web, base = start_web(settings, tmp_path)
    try:
        declare_and_publish(base)
        phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
        page = phone.new_page()
        page.goto(f"{base}/status")
        expect(page.get_by_role("heading", name="Partial System Outage")).to_be_visible()
        expect(page.get_by_role("heading", name="Partial outage of Payments")).to_be_visible()
        expect(page.get_by_text("Some card payments fail. We are on it.")).to_be_visible()
        expect(page.get_by_text("Failing over db-1")).to_have_count(0)
        expect(page.locator(".components li", has_text="Payments")).to_contain_text("Partial outage")
        screenshot(page, "status-page-phone")
        # Nothing wider than the phone: no sideways scrolling.
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        phone.close()
    finally:
        web.stop()


def test_a_person_publishes_an_incident_from_its_page_on_a_desk_and_a_phone(
    settings, engine, tmp_path, browser, screenshot
):
    web, base = start_web(settings, tmp_path)
    try:
        publish_from_the_page(base, engine, browser, screenshot)
    finally:
        web.stop()


def publish_from_the_page(base, engine, browser, screenshot):
    """A SEV3 (no rule publishes it) published from its page; both sizes looked at."""
    set_password(engine)
    declared = requests.post(
        f"{base}/api/incidents",
        headers=READ,
        json={"title": "Checkout slow", "service": "payment-service", "severity": "SEV3"},
        timeout=10,
    )
    assert declared.status_code == 201, declared.text
    ref = f"INC-{declared.json()['number']}"
    desk = browser.new_context(viewport=DESK)
    page = desk.new_page()
    page.goto(f"{base}/incidents/{ref}")
    sign_in(page, password=PASSWORD)
    panel = page.get_by_role("region", name="Status page")
    expect(panel).to_contain_text("Not on the status page: publish it, or post a public update.")
    panel.get_by_role("button", name="Publish on the status page").click()
    expect(page.get_by_role("status")).to_contain_text("Published on the status page.")
    expect(panel).to_contain_text("On the status page: a person published it.")
    screenshot(page, "incident-publish-desktop", panel)
    phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, storage_state=desk.storage_state())
    small = phone.new_page()
    small.goto(f"{base}/incidents/{ref}")
    small_panel = small.get_by_role("region", name="Status page")
    expect(small_panel.get_by_role("button", name="Take off the status page")).to_be_visible()
    screenshot(small, "incident-publish-phone", small_panel)
    assert small.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    small.goto(f"{base}/status")
    expect(small.get_by_role("heading", name="Degraded performance of Payments")).to_be_visible()
    phone.close()
    desk.close()
