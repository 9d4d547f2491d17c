"""/reports in a real browser: charts drawn by the app's own Chart.js, tables, CSV, on a desk and a phone."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PHONE, set_password
from tests.browser.test_incident_in_browser import sign_in
from tests.report_cases import store_cases

pytestmark = pytest.mark.browser
RANGE = "since=2026-05-01&until=2026-05-02"


def test_the_report_shows_charts_and_tables_on_a_desk_and_a_phone(start_stack, engine, browser, screenshot):
    stack = start_stack(worker=False, beat=False)
    set_password(stack)
    store_cases(engine)
    desk = browser.new_context(viewport=DESKTOP)
    page = desk.new_page()
    outside = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(stack.web) else None)
    page.goto(f"{stack.web}/reports?{RANGE}")
    sign_in(page)
    expect(page.get_by_role("heading", name="Reports")).to_be_visible()
    expect(page.locator("#charts")).to_be_visible()  # Chart.js loaded from the app and drew
    for chart in ("chart-times", "chart-targets", "chart-services"):
        assert page.evaluate(f"Chart.getChart('{chart}') !== undefined"), chart
    expect(page.locator("table.report").first.locator("tbody tr")).to_have_count(2)  # SEV1, SEV3
    expect(page.locator(".report-facts")).to_contain_text("4 (2 open)")
    expect(page.locator(".report-facts")).to_contain_text("33% (1/3)")  # follow-ups closed on time
    expect(page.locator("p.hint").last).not_to_contain_text("yet")  # no stale "no ... yet" help text
    expect(page.locator("table.report").nth(2).locator("tr", has_text="follow-ups")).to_contain_text("33% (1/3)")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    assert download.value.suggested_filename == "incidents-report-20260501-20260502.csv"
    assert outside == []  # no CDN: every request went to the app
    screenshot(page, "reports-desktop")
    page.set_viewport_size({"width": 1366, "height": 900})
    screenshot(page, "reports-1366")

    phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, storage_state=desk.storage_state())
    small = phone.new_page()
    small.goto(f"{stack.web}/reports?{RANGE}&service=api")
    expect(small.locator(".report-facts")).to_contain_text("2 (1 open)")
    expect(small.locator("#charts")).to_be_visible()
    screenshot(small, "reports-phone")
    assert small.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # tables scroll inside
    desk.close()
    phone.close()


def test_without_javascript_the_tables_say_it_all(start_stack, engine, browser):
    stack = start_stack(worker=False, beat=False)
    set_password(stack)
    store_cases(engine)
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{stack.web}/reports?{RANGE}")
    sign_in(page)
    expect(page.locator("#charts")).to_be_hidden()
    expect(page.locator("table.report")).to_have_count(4)
    expect(page.locator("table.report").nth(2)).to_contain_text("mitigation")
    context.close()
