"""In a real browser: an alert whose URLs are script shows them as text; clicking runs nothing, and the
page's Content-Security-Policy would refuse inline script even if some got in."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PHONE, set_password
from tests.browser.test_incident_in_browser import alert_arrives, alert_group, sign_in

pytestmark = pytest.mark.browser
HOSTILE = "javascript:window.__pwned=1;alert(document.cookie)"


def hostile_alert() -> dict:
    body = alert_group(instances=("db-1:9100",))
    body["alerts"][0]["generatorURL"] = HOSTILE
    body["alerts"][0]["annotations"]["runbook_url"] = "https://runbooks.example.com/disk-full"
    return body


def test_clicking_a_hostile_source_link_runs_nothing(start_stack, browser, screenshot):
    stack = start_stack(beat=False, level_timeouts=(600, 600))
    set_password(stack)
    alert_arrives(stack, hostile_alert())

    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    dialogs, violations = [], []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on("console", lambda message: "Content Security Policy" in message.text and violations.append(message.text))
    page.goto(f"{stack.web}/sign-in?next=/incidents/INC-1")
    sign_in(page)
    card = page.locator(".alert").first
    source = card.get_by_text("source", exact=False).first
    expect(source).to_be_visible()
    expect(card.locator('a[href^="javascript"]')).to_have_count(0)
    expect(card.get_by_role("link", name="runbook")).to_have_attribute("href", "https://runbooks.example.com/disk-full")
    screenshot(page, "hostile-link-desktop", card)
    source.click()
    page.wait_for_timeout(300)
    assert dialogs == [] and page.evaluate("window.__pwned") is None
    assert page.url.endswith("/incidents/INC-1")

    # Defence in depth: script injected into the page is refused by the policy the server sent.
    page.evaluate(
        "() => { const s = document.createElement('script'); s.textContent = 'window.__pwned = 2';"
        " document.body.appendChild(s); }"
    )
    page.wait_for_timeout(200)
    assert page.evaluate("window.__pwned") is None
    assert violations, "chromium reported no CSP refusal"
    context.close()

    phone = browser.new_context(viewport=PHONE)
    page = phone.new_page()
    page.goto(f"{stack.web}/sign-in?next=/incidents/INC-1")
    sign_in(page)
    card = page.locator(".alert").first
    expect(card.get_by_role("link", name="runbook")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "the card overflows"
    screenshot(page, "hostile-link-phone", card)
    phone.close()
