"""In a real browser: resolve an incident, open its post-mortem draft on a phone, edit the Root Cause, add an
action item with an owner and a due date, publish; the action item is on /action-items, and a new incident on
that service shows it as an open follow-up it may be the repeat of."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, set_password
from tests.browser.test_incident_in_browser import alert_arrives, sign_in

pytestmark = pytest.mark.browser


def test_an_engineer_writes_and_publishes_the_postmortem_on_a_phone(start_stack, browser, screenshot):
    stack = start_stack(beat=False, level_timeouts=(600, 600), lifecycle="{}")
    set_password(stack, "oncall-sre")
    alert_arrives(stack)
    page = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    page.goto(f"{stack.web}/incidents/INC-1")
    sign_in(page)
    page.get_by_role("button", name="Resolve").click()
    page.get_by_role("link", name=re.compile(r"^Post-mortem: draft, due in (7 days|6 days 23 h)$")).click()

    editor = page.get_by_label("Markdown")
    text = editor.input_value()
    assert text.startswith("# Incident Post-Mortem: #inc-1\n\n## Summary\n")
    text = text.replace(
        "[What failed, and how? Describe the system and the conditions, not the people.]",
        "oncall-sre should have noticed the disk filling up.",
    )
    text = text.replace(
        "- [ ] [action item] (Owner: [person or team], Due: [YYYY-MM-DD])",
        "- [ ] Alert on disk growth rate (Owner: alice, Due: 2030-01-22)",
    )
    editor.fill(text)
    page.get_by_role("button", name="Save version").click()
    expect(page.get_by_role("status")).to_have_text("Saved as a new version.")
    expect(page.locator(".blame")).to_contain_text("should have")
    expect(page.locator(".markdown h2").nth(3)).to_have_text("Root Cause")
    screenshot(page, "postmortem-editor-phone")

    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_role("status")).to_have_text("Published.")
    expect(page.locator(".badges .badge")).to_have_text("published")
    page.goto(f"{stack.web}/action-items")
    item = page.locator(".action-item")
    expect(item).to_contain_text("Alert on disk growth rate")
    expect(item).to_contain_text("owner alice")
    expect(item).to_contain_text("due 2030-01-22")
    screenshot(page, "action-items-phone")

    # The same alert fires again: a new incident on that service, whose page shows the open follow-up.
    alert_arrives(stack)
    page.goto(f"{stack.web}/incidents/INC-2")
    earlier = page.locator("#earlier")
    expect(earlier).to_contain_text("This may be the incident those follow-ups were meant to prevent.")
    expect(earlier.locator(".action-item")).to_contain_text("Alert on disk growth rate")
    expect(earlier.locator(".action-item")).to_contain_text("owner alice · due 2030-01-22")
    expect(earlier.get_by_role("link", name="INC-1")).to_have_attribute("href", "/incidents/INC-1")
    screenshot(page, "earlier-follow-ups-phone", part=earlier)

    # Closed from /action-items, it leaves the new incident's page.
    page.goto(f"{stack.web}/action-items")
    page.get_by_role("button", name="Close").click()
    expect(page.get_by_role("status")).to_have_text("Follow-up closed.")
    expect(page.locator(".action-item")).to_have_count(0)
    page.goto(f"{stack.web}/incidents/INC-2")
    expect(page.locator("#earlier")).not_to_contain_text("Alert on disk growth rate")
