"""/me in a real browser, on a desk (1366 px) and a phone (390 px): my next shifts in my time zone, my
calendar link, "Reset link"; the feed behind the link answers a calendar."""

import pytest
import requests
import yaml
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, set_password
from tests.browser.test_incident_in_browser import sign_in
from tests.e2e import conftest as e2e

pytestmark = pytest.mark.browser
DESK = {"width": 1366, "height": 900}
# Two people a week each, handing off Mondays 09:00 New York, and a long-named one as an override would put.
SCHEDULES = """\
schedules:
  - name: sre-primary
    time_zone: America/New_York
    layers:
      - name: weekly
        start: 2026-11-02T09:00
        rotation: 1 week
        participants: [oncall-sre, sre-manager]
  - name: payments-secondary-rotation
    time_zone: Europe/Berlin
    layers:
      - name: daily
        start: 2026-11-02T08:00
        rotation: 1 day
        participants: [payments-expert, oncall-sre]
"""


@pytest.fixture
def with_schedules(monkeypatch):
    """start_stack's config, plus schedules and oncall-sre in Kolkata's time zone."""
    original = e2e.write_config

    def write(folder, **config):
        original(folder, **config)
        people = yaml.safe_load((folder / "people.yaml").read_text())
        people["people"][0]["time_zone"] = "Asia/Kolkata"
        (folder / "people.yaml").write_text(yaml.safe_dump(people))
        (folder / "schedules.yaml").write_text(SCHEDULES)
        return folder

    monkeypatch.setattr(e2e, "write_config", write)


def test_me_shows_my_shifts_and_calendar_link_on_a_desk_and_a_phone(with_schedules, start_stack, browser, screenshot):
    stack = start_stack(worker=False, beat=False)
    set_password(stack)
    desk = browser.new_context(viewport=DESK)
    page = desk.new_page()
    refused = []
    page.on("console", lambda message: refused.append(message.text) if "Content Security" in message.text else None)
    page.goto(f"{stack.web}/incidents")
    sign_in(page)
    page.locator("header").get_by_role("link", name="oncall-sre").click()
    expect(page.get_by_role("heading", name="My next shifts")).to_be_visible()
    expect(page.locator(".hint").first).to_contain_text("Asia/Kolkata")
    rows = page.locator("table.shifts tbody tr")
    expect(rows.first).to_contain_text("IST")
    assert rows.count() >= 7  # the weekly shift and every other day of the daily one, in 14 days
    link = page.get_by_label("Calendar link")
    old = link.input_value()
    assert old.startswith(f"{stack.web}/calendars/") and old.endswith(".ics")
    feed = requests.get(old, timeout=10)
    assert feed.status_code == 200 and feed.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert "SUMMARY:On call: sre-primary" in feed.text and "BEGIN:VALARM" in feed.text
    screenshot(page, "me-desktop")

    page.get_by_role("button", name="Reset link").click()
    expect(page.get_by_role("status")).to_contain_text("Your calendar link was reset")
    new = page.get_by_label("Calendar link").input_value()
    assert new != old
    assert requests.get(old, timeout=10).status_code == 404
    assert requests.get(new, timeout=10).status_code == 200
    screenshot(page, "me-desktop-reset")

    phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, storage_state=desk.storage_state())
    small = phone.new_page()
    small.goto(f"{stack.web}/me")
    expect(small.get_by_role("heading", name="My calendar")).to_be_visible()
    screenshot(small, "me-phone")
    assert small.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert refused == []
    desk.close()
    phone.close()


def test_a_cover_request_asked_on_one_phone_is_taken_on_another(with_schedules, start_stack, browser, screenshot):
    stack = start_stack(worker=False, beat=False)
    set_password(stack)
    set_password(stack, "payments-expert")
    asking = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    asking.goto(f"{stack.web}/me")
    sign_in(asking)
    row = asking.locator("table.shifts tbody tr", has_text="payments-secondary-rotation").first
    row.get_by_role("link", name="Ask for cover").click()
    expect(asking.get_by_label("Schedule")).to_have_value("payments-secondary-rotation")
    asking.get_by_label("Note (optional)").fill("<b>dentist</b>")
    asking.get_by_role("button", name="Ask for cover").click()
    expect(asking.get_by_role("status")).to_contain_text("Cover asked on payments-secondary-rotation")
    expect(asking.locator(".cover-request")).to_contain_text("nobody has taken it yet")
    screenshot(asking, "cover-asked-phone")

    taking = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    taking.goto(f"{stack.web}/me")
    sign_in(taking, "payments-expert")
    asked = taking.locator(".cover-request", has_text="oncall-sre asks for cover")
    expect(asked).to_contain_text("<b>dentist</b>")  # a note is text, never markup
    screenshot(taking, "cover-to-take-phone")
    asked.get_by_role("button", name="Take it").click()
    expect(taking.get_by_role("status")).to_contain_text("You cover oncall-sre on payments-secondary-rotation")

    asking.reload()
    expect(asking.locator(".cover-request")).to_contain_text("covered by payments-expert")
    asking.goto(f"{stack.web}/schedules/payments-secondary-rotation")
    expect(asking.locator("ul.overrides")).to_contain_text("payments-expert")
    screenshot(asking, "cover-taken-schedule-phone")
    assert asking.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
