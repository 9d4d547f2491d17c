"""In a real browser: the incident page in two columns on a 1366 px screen, the side panel folded above the
main column on a 390 px phone; one state vocabulary, actions beside what they change, compact times, and
alert cards that say what the alert says."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, set_password
from tests.browser.test_incident_in_browser import alert_arrives, alert_group, sign_in

pytestmark = pytest.mark.browser
WIDE = {"width": 1366, "height": 900}


def annotated_alert() -> dict:
    """One alert with what Prometheus rules and Grafana put on it: summary, description, runbook, dashboards."""
    body = alert_group(instances=("db-1:9100",))
    body["alerts"][0]["annotations"] |= {
        "description": "Only 2% of /var/lib/postgresql is left on db-1; writes fail when it is full.",
        "runbook_url": "https://runbooks.example.com/disk-full",
        "dashboard_url": "https://grafana.example.com/d/disks",
    }
    body["alerts"][0]["panelURL"] = "javascript:alert(1)"  # shown, as text
    return body


def boxes(page) -> tuple[dict, dict]:
    return page.locator(".side").bounding_box(), page.locator(".main-column").bounding_box()


def test_the_incident_page_is_two_columns_on_a_wide_screen_with_actions_beside_the_state(
    start_stack, browser, screenshot
):
    stack = start_stack(beat=False, level_timeouts=(600, 600), lifecycle="{}")
    set_password(stack)
    alert_arrives(stack, annotated_alert())
    context = browser.new_context(viewport=WIDE, timezone_id="Asia/Kolkata")  # UTC+05:30: a zone that shows
    page = context.new_page()
    page.goto(f"{stack.web}/sign-in?next=/incidents/INC-1")
    sign_in(page)

    side, main = boxes(page)
    assert side["x"] + side["width"] <= main["x"] and abs(side["y"] - main["y"]) < 1, (side, main)  # side by side
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDE["width"]

    state = page.locator("#state")
    expect(state.locator(".status-word")).to_have_text("Investigating")
    expect(state.locator(".ack-mark")).to_have_text("unacknowledged")
    expect(state.locator(".phases li")).to_contain_text(
        ["Detection", "Response", "Mitigation", "Recovery", "Post-mortem"]
    )
    expect(state.locator('.phases [aria-current="step"]')).to_contain_text("Detection")
    expect(page.locator(".next")).to_contain_text("Acknowledge")
    # When the next escalation fires and whom it pages, in the viewer's zone and counted down.
    escalation = page.locator(".next-escalation")
    expect(escalation).to_contain_text(re.compile(r"level 2 paged: sre-manager\s+at \d\d:\d\d, in \d+:\d\d"))
    expect(page.locator("#targets .target")).not_to_have_count(0)

    # The alert card says what the alert says; only http(s) URLs are links; the labels are folded.
    card = page.locator(".alert").first
    expect(card.locator(".description")).to_have_text(re.compile("writes fail when it is full"))
    expect(card.get_by_role("link", name="Runbook")).to_have_attribute("href", "https://runbooks.example.com/disk-full")
    expect(card.get_by_role("link", name="Dashboard")).to_have_attribute("href", "https://grafana.example.com/d/disks")
    expect(card.get_by_role("link", name="Source")).to_have_attribute("href", re.compile("^http://prometheus"))
    expect(card.locator(".not-a-link")).to_contain_text("javascript:alert(1)")
    expect(card.locator("dl.labels")).to_be_hidden()

    # Timeline lines are HH:MM under a day separator, the UTC time on hover.
    first = page.locator(".timeline .entry time").first
    expect(first).to_have_text(re.compile(r"^\d\d:\d\d$"))
    expect(first).to_have_attribute("title", re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$"))
    expect(page.locator(".timeline > li").first).to_have_class("day")
    expect(page.locator(".timeline .day")).not_to_contain_text("UTC")
    screenshot(page, "incident-two-columns-1366")

    state.get_by_role("button", name="Acknowledge").click()
    expect(state.locator(".ack-mark")).to_have_text("acknowledged")
    expect(state.locator('.phases [aria-current="step"]')).to_contain_text("Response")
    expect(page.locator(".next")).to_contain_text("Take command")
    state.get_by_role("button", name="Take command").click()
    expect(page.locator("#people .commander")).to_have_text("@oncall-sre (sre)")
    state.get_by_text("Change severity").click()
    state.get_by_label("New severity").select_option("SEV2")
    state.get_by_label("Reason").fill("Writes fail for a quarter of the customers")
    state.get_by_role("button", name="Set severity").click()
    expect(state.locator(".severity-line .sev")).to_have_text("SEV2")
    expect(page.locator(".next")).to_contain_text("Post a status update")
    screenshot(page, "incident-two-columns-1366-acknowledged")
    context.close()


def test_on_a_phone_the_side_panel_folds_above_the_main_column_and_nothing_is_wider_than_the_screen(
    start_stack, browser, screenshot
):
    stack = start_stack(beat=False, level_timeouts=(600, 600), lifecycle="{}")
    set_password(stack)
    alert_arrives(stack, annotated_alert())
    phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, timezone_id="Europe/Paris")
    page = phone.new_page()
    page.goto(f"{stack.web}/sign-in?next=/incidents/INC-1")
    sign_in(page)

    side, main = boxes(page)
    assert side["y"] + side["height"] <= main["y"], (side, main)  # folded above
    assert side["width"] <= PHONE["width"] and main["width"] <= PHONE["width"]
    expect(page.get_by_role("button", name="Acknowledge")).to_be_in_viewport()  # the first thing to do, at the top
    page.get_by_text("Change severity").click()
    expect(page.get_by_label("New severity")).to_be_visible()
    page.locator(".alert details summary").first.click()  # the labels unfolded
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # no sideways scroll
    screenshot(page, "incident-folded-390")
    phone.close()
