"""Forms that keep what people typed, reopening, the list's search and a password change (#14 §3, §4), in a
real browser on a desk (1366 px) and a phone (390 px)."""

import pytest
import requests
from playwright.sync_api import expect

from tests.browser.conftest import PASSWORD, PHONE, set_password
from tests.browser.test_incident_in_browser import alert_arrives, sign_in
from tests.e2e.conftest import READ

pytestmark = pytest.mark.browser
DESK = {"width": 1366, "height": 900}
TEXT = "Failing over to the replica in eu-west-2; writes paused for about 10 minutes."


def declare(stack, title, severity="SEV3", service="production-api"):
    body = {"title": title, "service": service, "severity": severity}
    answer = requests.post(f"{stack.web}/api/incidents", json=body, headers=READ, timeout=10)
    assert answer.status_code == 201, answer.text


def signed_in_page(browser, stack, viewport, path):
    page = browser.new_context(viewport=viewport).new_page()
    page.goto(f"{stack.web}{path}")
    sign_in(page)
    return page


def test_a_refused_update_keeps_what_was_typed_and_a_resolved_incident_is_reopened(start_stack, browser, screenshot):
    stack = start_stack(worker=False, beat=False)
    set_password(stack)
    alert_arrives(stack)
    for viewport, width in ((DESK, 1366), (PHONE, 390)):
        page = signed_in_page(browser, stack, viewport, "/incidents/INC-1")
        page.locator("#updates").get_by_label("Status", exact=True).select_option("Monitoring")
        page.locator("#update-eta").fill("when pigs fly")
        page.locator("#update-text").fill(TEXT)
        page.get_by_label("Publish to status page").check()
        page.get_by_role("button", name="Post update").click()
        expect(page.locator("#update-eta-error")).to_be_visible()
        expect(page.locator("#update-text")).to_have_value(TEXT)
        expect(page.locator("#update-eta")).to_have_value("when pigs fly")
        expect(page.locator("#update-status")).to_have_value("Monitoring")
        expect(page.get_by_label("Publish to status page")).to_be_checked()
        screenshot(page, f"refused-update-{width}", page.locator("#updates"))
        # A form folded in a side card comes back open, as typed, its error beside the field.
        card = page.locator("#state")
        card.get_by_text("Change severity").click()
        card.get_by_label("New severity").select_option("SEV1")
        card.get_by_role("button", name="Set severity").click()
        expect(page.locator("#severity-reason-error")).to_have_text("Say why the severity changes.")
        expect(card.locator("details.change", has=page.locator("#severity"))).to_have_attribute("open", "")
        expect(card.get_by_label("New severity")).to_have_value("SEV1")
        expect(card.get_by_label("Reason")).to_be_focused()
        expect(card.get_by_label("Impact")).to_be_hidden()  # the other folded forms stay folded
        screenshot(page, f"refused-severity-{width}", card)
        page.context.close()

    page = signed_in_page(browser, stack, DESK, "/incidents/INC-1")
    page.get_by_role("button", name="Resolve").click()
    page.locator("#state").get_by_role("button", name="Reopen").click()  # in the status card, once resolved
    expect(page.locator("#reopen-reason-error")).to_have_text("Say why the incident is reopened.")
    page.get_by_label("Reopen: why is it back?").fill("Disk filled up again after the cleanup")
    screenshot(page, "reopen-1366", page.locator("#state"))
    page.get_by_role("button", name="Reopen").click()
    expect(page.get_by_text("Reopened: you are on it")).to_be_visible()
    expect(page.locator("#timeline")).to_contain_text("Reopened by oncall-sre: Disk filled up again after the cleanup")
    expect(page.get_by_role("button", name="Resolve")).to_be_visible()
    page.context.close()
    phone = signed_in_page(browser, stack, PHONE, "/incidents/INC-1")
    phone.get_by_role("button", name="Resolve").click()
    expect(phone.locator("#state").get_by_role("button", name="Reopen")).to_be_visible()
    screenshot(phone, "reopen-390", phone.locator("#state"))


def test_the_list_is_searched_and_a_password_is_changed(start_stack, browser, screenshot):
    stack = start_stack(worker=False, beat=False)
    set_password(stack)
    alert_arrives(stack)  # INC-1: DiskFull on db-1:9100 and db-2:9100
    declare(stack, "Checkout returns 500 for EU customers", "SEV1")  # INC-2
    declare(stack, "Login page slow", "SEV2")  # INC-3
    for viewport, width in ((DESK, 1366), (PHONE, 390)):
        page = signed_in_page(browser, stack, viewport, "/incidents")
        expect(page.locator(".incident-row .ref").first).to_have_text("INC-2")  # the open SEV1 on top
        page.get_by_role("searchbox", name="Search").fill("db-2")
        page.get_by_role("button", name="Show").click()
        expect(page.locator(".incident-row .ref")).to_have_text(["INC-1"])
        expect(page.get_by_role("searchbox", name="Search")).to_have_value("db-2")
        screenshot(page, f"list-search-{width}")
        page.context.close()

    page = signed_in_page(browser, stack, DESK, "/me")
    page.get_by_label("Current password").fill("not my password")
    page.get_by_label("New password (at least 8 characters)").fill("short")
    page.get_by_label("New password again").fill("other")
    page.get_by_role("button", name="Change password").click()
    expect(page.locator("#password-current-error")).to_have_text("This is not your current password.")
    expect(page.locator("#password-new-error")).to_be_visible()
    expect(page.locator("#password-again-error")).to_be_visible()
    expect(page.get_by_label("Current password")).to_have_value("")  # nothing secret comes back
    screenshot(page, "password-refused-1366", page.locator("#password"))
    page.get_by_label("Current password").fill(PASSWORD)
    page.get_by_label("New password (at least 8 characters)").fill("a brand new passphrase")
    page.get_by_label("New password again").fill("a brand new passphrase")
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_text("Your password is changed")).to_be_visible()
    page.context.close()
    phone = browser.new_context(viewport=PHONE).new_page()
    phone.goto(f"{stack.web}/me")
    sign_in(phone, password="a brand new passphrase")
    expect(phone.locator("h1")).to_have_text("oncall-sre")
    phone.get_by_role("button", name="Change password").click()
    expect(phone.locator("#password-current-error")).to_be_visible()
    screenshot(phone, "password-refused-390", phone.locator("#password"))
