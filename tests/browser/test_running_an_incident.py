"""In a real browser, the issue's scenario: from the page's ack link on a phone to a resolved incident, run
from its page, while a second person's browser sees every change appear without reload; and the same
forms with JavaScript off."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PHONE, set_password
from tests.browser.test_incident_in_browser import ack_link_paged, alert_arrives, sign_in

pytestmark = pytest.mark.browser
LIVE = 20_000  # ms: the page polls every 5 s; a loaded machine may take a few polls


def test_an_engineer_runs_the_incident_from_a_phone_while_a_colleague_watches_it_live(start_stack, browser, screenshot):
    # The default time targets (`lifecycle: {}`), so that the page counts down to one; no beat sweeps them.
    stack = start_stack(beat=False, level_timeouts=(600, 600), lifecycle="{}")
    set_password(stack, "oncall-sre")
    set_password(stack, "sre-manager")
    alert_arrives(stack)
    ack_url = ack_link_paged(stack)

    phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, timezone_id="Europe/Paris")
    page = phone.new_page()
    page.goto(ack_url)
    page.get_by_role("button", name="Acknowledge").click()
    page.get_by_role("link", name="Open INC-1").click()
    sign_in(page)
    expect(page).to_have_url(f"{stack.web}/incidents/INC-1")

    desk = browser.new_context(viewport=DESKTOP, timezone_id="America/New_York")
    watcher = desk.new_page()
    watcher.goto(f"{stack.web}/incidents/INC-1")
    sign_in(watcher, "sre-manager")
    expect(watcher.locator(".ack-mark")).to_have_text("acknowledged")
    expect(watcher.locator(".commander")).to_contain_text("nobody yet")

    page.get_by_role("button", name="Take command").click()
    expect(page.get_by_role("status")).to_have_text("You have command.")
    expect(watcher.locator(".commander")).to_have_text("@oncall-sre (sre)", timeout=LIVE)

    page.get_by_text("Change severity").click()  # the form beside the severity, folded until asked for
    page.get_by_label("New severity").select_option("SEV1")
    page.get_by_label("Reason").fill("Every payment fails")
    page.get_by_role("button", name="Set severity").click()
    expect(page.locator(".severity-line .sev")).to_have_text("SEV1")
    expect(watcher.locator(".severity-line .sev")).to_have_text("SEV1", timeout=LIVE)

    page.locator("#update-status").select_option("Identified")
    page.get_by_label("ETA").fill("15 minutes")
    page.get_by_label("Update", exact=True).fill("Mitigation in progress: failing over the primary")
    page.get_by_role("button", name="Post update").click()
    expect(page.locator(".update").first).to_contain_text("ETA: 15 minutes")
    expect(watcher.locator(".updates")).to_contain_text("failing over the primary", timeout=LIVE)

    page.get_by_role("button", name="Start from the playbook").click()
    page.get_by_role("button", name="Tick: Fail over to a backup").click()
    expect(page.locator(".action.done")).to_contain_text("Fail over to a backup")
    expect(watcher.locator(".action.done")).to_contain_text("Fail over to a backup", timeout=LIVE)

    page.get_by_label("Note").fill("Identified DB connection pool exhaustion")
    page.get_by_label("Pin as key event").check()
    page.get_by_role("button", name="Add note").click()
    expect(page.locator(".events")).to_contain_text("Identified DB connection pool exhaustion")
    expect(watcher.locator(".events")).to_contain_text("Identified DB connection pool exhaustion", timeout=LIVE)

    expect(page.locator("#targets .most-urgent .countdown")).to_have_text(re.compile(r"^(in|overdue by) \d"))
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # nothing wider than the phone
    screenshot(page, "running-incident-phone")
    screenshot(watcher, "running-incident-desktop")

    page.get_by_role("button", name="Resolve").click()
    expect(page.locator(".status-word")).to_have_text("Resolved")
    expect(page.locator(".ack-mark")).to_have_count(0)
    expect(watcher.locator(".status-word")).to_have_text("Resolved", timeout=LIVE)
    page.goto(f"{stack.web}/incidents")
    screenshot(page, "running-list-phone")
    watcher.goto(f"{stack.web}/incidents")
    screenshot(watcher, "running-list-desktop")
    phone.close()
    desk.close()


def test_the_incident_page_forms_work_with_javascript_off(start_stack, browser):
    stack = start_stack(worker=False, beat=False, lifecycle="{}")  # default targets: a countdown to show
    set_password(stack)
    alert_arrives(stack)
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{stack.web}/incidents/INC-1")
    sign_in(page)
    expect(page.locator("#targets .most-urgent .countdown")).to_contain_text(
        "UTC"
    )  # the absolute time, without JavaScript

    page.get_by_role("button", name="Take command").click()
    expect(page.locator(".commander")).to_have_text("@oncall-sre (sre)")
    page.get_by_label("Update", exact=True).fill("Looking at the disks")
    page.get_by_label("ETA").fill("30 minutes")
    page.get_by_role("button", name="Post update").click()
    expect(page.locator(".update").first).to_contain_text("ETA: 30 minutes")
    page.get_by_label("Note").fill("db-1 is at 99%")
    page.get_by_role("button", name="Add note").click()
    expect(page.locator(".timeline")).to_contain_text("db-1 is at 99%")
    page.get_by_role("button", name="Start from the playbook").click()
    page.get_by_role("button", name="Tick: Disable the broken feature").click()
    expect(page.locator(".action.done")).to_contain_text("Disable the broken feature")
    page.get_by_role("button", name="Resolve").click()
    expect(page.locator(".status-word")).to_have_text("Resolved")
    expect(page.locator(".timeline")).to_contain_text("Resolved by oncall-sre")
    context.close()
