"""Who is on call in a real browser: /oncall, a schedule's 14 days, an override added through the form and
seen in the final row, on a desk (1366 px) and a phone (390 px)."""

import textwrap
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, set_password
from tests.browser.test_incident_in_browser import sign_in

pytestmark = pytest.mark.browser
DESK = {"width": 1366, "height": 900}


def schedules_yaml() -> str:
    """Three layers: a weekly rotation from three days ahead (nobody before it: a gap, but for business
    hours), business hours on weekdays, and nights from a week ahead."""
    ahead = (datetime.now(UTC) + timedelta(days=3)).strftime("%Y-%m-%dT09:00")
    week = (datetime.now(UTC) + timedelta(days=7)).strftime("%Y-%m-%dT20:00")
    return textwrap.dedent(f"""\
        schedules:
          - name: sre-primary
            time_zone: America/New_York
            layers:
              - {{name: weekly, start: {ahead}, rotation: 1 week, participants: [oncall-sre, sre-manager]}}
              - name: business-hours
                start: 2026-11-30T09:00
                rotation: 1 day
                participants: [sre-manager, oncall-sre]
                restrictions:
                  - {{days: [mon, tue, wed, thu, fri], from: "09:00", to: "18:00"}}
              - name: nights
                start: {week}
                rotation: 12 hours
                participants: [payments-expert]
                restrictions:
                  - {{days: [mon, tue, wed, thu, fri, sat, sun], from: "20:00", to: "23:00"}}
        """)


def add_override(page, person: str, hours_from_now: int, hours: int) -> None:
    """Fill the form in the viewer's zone (UTC: people.yaml gives these people none) and send it."""
    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(hours=hours_from_now)
    page.get_by_label("Person").select_option(person)
    page.get_by_label("Start (UTC)").fill(start.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("End (UTC)").fill((start + timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Add override").click()
    expect(page.get_by_role("status")).to_contain_text(f"Override added: {person} is on call for sre-primary")


def test_oncall_and_a_schedule_with_an_override_added_on_a_desk_and_a_phone(start_stack, browser, screenshot):
    stack = start_stack(worker=False, beat=False, schedules=schedules_yaml())
    set_password(stack)
    desk = browser.new_context(viewport=DESK)
    page = desk.new_page()
    page.goto(f"{stack.web}/oncall")
    sign_in(page)
    expect(page.get_by_role("heading", name="On call", exact=True)).to_be_visible()
    card = page.get_by_role("region", name="Schedule sre-primary")
    expect(card).to_contain_text("Next:")
    expect(page.get_by_role("region", name="Service production-api")).to_contain_text("Level 2")
    screenshot(page, "oncall-desktop")

    card.get_by_role("link", name="sre-primary").click()
    expect(page.get_by_role("heading", name="sre-primary")).to_be_visible()
    expect(page.locator(".rota-row")).to_have_count(6)  # days, 3 layers, overrides, final
    expect(page.locator(".rota-final .seg.gap").first).to_be_attached()  # nobody before the weekly layer
    add_override(page, "payments-expert", 2, 10)
    expect(page.locator(".rota-final .seg text", has_text="payments-expert").first).to_be_attached()
    expect(page.locator("ol.shifts")).to_contain_text("payments-expert")
    screenshot(page, "schedule-desktop")

    phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, storage_state=desk.storage_state())
    small = phone.new_page()
    small.goto(f"{stack.web}/oncall")
    expect(small.get_by_role("region", name="Schedule sre-primary")).to_be_visible()
    screenshot(small, "oncall-phone")
    assert small.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    small.goto(f"{stack.web}/schedules/sre-primary")
    add_override(small, "sre-manager", 30, 6)
    expect(small.locator(".rota-final .seg text", has_text="sre-manager").first).to_be_attached()
    expect(small.locator("ol.shifts")).to_contain_text("sre-manager")
    screenshot(small, "schedule-phone")
    screenshot(small, "schedule-phone-now", small.locator("section[aria-label=Now]"))
    screenshot(small, "schedule-phone-chart", small.locator(".rota-scroll"))
    screenshot(small, "schedule-phone-form", small.locator(".override-form"))
    assert small.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # the chart scrolls inside
    desk.close()
    phone.close()
