"""In a real browser, on a phone: the public status page shows an update its author published."""

import pytest
import requests
from playwright.sync_api import expect

from tests.browser.conftest import PHONE
from tests.support import READ, start_web

pytestmark = pytest.mark.browser


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
