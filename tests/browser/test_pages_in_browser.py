"""In a real browser, at 390 px and 1366 px: the 404 page and its way back, the navigation, the API docs
drawn by the vendored Swagger UI under the strict policy, and the built-in page sink's list of pages."""

import dataclasses
import secrets
import sys

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, set_password
from tests.browser.test_incident_in_browser import alert_arrives, sign_in
from tests.e2e.conftest import write_config
from tests.support import Process, free_port, process_env, stop_all, wait_http

pytestmark = pytest.mark.browser
DESK = {"width": 1366, "height": 900}


def watched(context):
    """A page of `context` whose policy refusals and script errors are collected in `page.problems`."""
    page = context.new_page()
    page.problems = []
    page.on("console", lambda m: page.problems.append(m.text) if "Content Security Policy" in m.text else None)
    page.on("pageerror", lambda error: page.problems.append(str(error)))
    return page


def test_a_wrong_address_shows_the_404_page_with_a_way_back_on_a_phone_and_a_desk(start_stack, browser, screenshot):
    stack = start_stack(worker=False, beat=False)
    set_password(stack)
    for name, viewport in (("phone", PHONE), ("desktop", DESK)):
        page = watched(browser.new_context(viewport=viewport))
        page.goto(f"{stack.web}/incidents")
        sign_in(page)
        answer = page.goto(f"{stack.web}/incidents/INC-77/nothing-here")
        assert answer.status == 404
        expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
        expect(page.get_by_text("/incidents/INC-77/nothing-here")).to_be_visible()
        nav = page.get_by_role("navigation", name="Areas")
        for area in ("Incidents", "On call", "Maintenance", "Status page", "API"):
            expect(nav.get_by_role("link", name=area, exact=True)).to_be_visible()
        screenshot(page, f"error-404-{name}")
        page.get_by_role("link", name="Back to incidents").click()
        expect(page).to_have_url(f"{stack.web}/incidents")
        assert page.problems == []
        page.context.close()


def test_the_api_docs_list_the_operations_from_openapi_json(start_stack, browser, screenshot):
    stack = start_stack(worker=False, beat=False)
    set_password(stack)
    for name, viewport in (("phone", PHONE), ("desktop", DESK)):
        page = watched(browser.new_context(viewport=viewport))
        page.goto(f"{stack.web}/incidents")
        sign_in(page)
        page.get_by_role("navigation", name="Areas").get_by_role("link", name="API", exact=True).click()
        expect(page).to_have_url(f"{stack.web}/api/docs")
        operation = page.locator(".opblock-summary-path", has_text="/webhooks/alertmanager")
        expect(operation.first).to_be_visible(timeout=15000)
        screenshot(page, f"api-docs-{name}")
        screenshot(page, f"api-docs-top-{name}", page.locator("main .opblock-tag-section").first)
        operation.first.click()  # unfolds: its parameters and answers
        expect(page.locator(".opblock-body").first).to_be_visible()
        screenshot(page, f"api-docs-operation-{name}", page.locator(".opblock").first)
        assert page.problems == []
        page.context.close()


@pytest.fixture
def sink_stack(settings, tmp_path):
    """web and a worker as `make run` has them: pages go to the built-in sink of the web itself."""
    folder = tmp_path / "config"
    folder.mkdir()
    write_config(folder, level_timeouts=(600, 600))
    stack_settings = dataclasses.replace(settings, config_dir=folder, broker_prefix=f"sink-{secrets.token_hex(4)}:")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = process_env(
        stack_settings,
        PUBLIC_URL=base,
        PAGERDUTY_EVENTS_URL=f"{base}/local-pagerduty",
        INCIDENTS_TICK_SECONDS="0.5",
        CELERY_WORKER_WITHOUT_MINGLE=1,
    )
    cli = [sys.executable, "-m", "cli.main"]
    processes = {
        "web": Process([*cli, "serve", "--port", str(port), "--workers", "2"], env=env, log_path=tmp_path / "web.log"),
        "worker": Process([*cli, "worker", "--concurrency", "2"], env=env, log_path=tmp_path / "worker.log"),
    }
    wait_http(f"{base}/healthz", processes["web"])
    yield dataclasses.make_dataclass("SinkStack", ["web", "settings", "processes"])(base, stack_settings, processes)
    stop_all(processes.values())


def test_the_page_sink_lists_what_pagerduty_would_have_got_and_its_link_acknowledges(sink_stack, browser, screenshot):
    set_password(sink_stack)
    alert_arrives(sink_stack)
    page = watched(browser.new_context(viewport=DESK))
    page.goto(f"{sink_stack.web}/incidents")
    sign_in(page)
    page.get_by_role("navigation", name="Areas").get_by_role("link", name="Pages sent").click()
    event = page.locator(".sink-event").first
    for _ in range(30):  # the worker delivers to the sink a moment after the alert is applied
        if page.locator(".sink-event").count():
            break
        page.wait_for_timeout(500)
        page.reload()
    expect(event).to_contain_text("[INC-1] ")
    expect(event).to_contain_text("page for user oncall-sre")
    screenshot(page, "page-sink-desktop")
    phone = watched(browser.new_context(viewport=PHONE))
    phone.goto(f"{sink_stack.web}/incidents")
    sign_in(phone)
    phone.goto(f"{sink_stack.web}/local-pagerduty")
    screenshot(phone, "page-sink-phone")

    event.get_by_role("link", name="Acknowledge INC-1").click()
    page.get_by_role("button", name="Acknowledge").click()
    expect(page.get_by_role("heading", name="Acknowledged")).to_be_visible()
    assert page.problems == [] and phone.problems == []
