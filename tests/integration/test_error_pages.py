"""Errors answer people's browsers with a page in the app's style and a way back; the API, the intake
routes and anything asking for JSON keep their JSON answers."""

import pytest

from tests.integration.acting import open_incident
from tests.integration.signing_in import signed_in
from tests.support import READ

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
CURL = {"Accept": "*/*"}


def test_a_browser_gets_a_404_page_with_a_way_back(client, engine):
    signed_in(client, engine)
    answer = client.get("/no-such-page", headers=BROWSER)
    html = answer.get_data(as_text=True)
    assert answer.status_code == 404 and answer.mimetype == "text/html"
    assert "Page not found" in html and "/no-such-page" in html
    assert 'href="/incidents"' in html and "Back to incidents" in html and 'href="/status"' in html
    assert "script-src 'self'" in answer.headers["Content-Security-Policy"]


def test_a_signed_out_browser_is_offered_the_sign_in_form(client):
    html = client.get("/incidents/nothing/here", headers=BROWSER).get_data(as_text=True)
    assert 'href="/sign-in"' in html and "Back to incidents" not in html


def test_a_views_own_words_are_shown(client, engine):
    incident = open_incident(client, engine)
    signed_in(client, engine)
    answer = client.get(f"/incidents/INC-{incident.number}/postmortem", headers=BROWSER)
    html = answer.get_data(as_text=True)
    assert answer.status_code == 404 and answer.mimetype == "text/html"
    assert "This incident has no post-mortem: it is written when the incident resolves." in html


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("get", "/api/nothing", 404),
        ("get", "/api/incidents/INC-999", 404),  # the read token: a 404, not a 401
        ("get", "/webhooks/alertmanager", 405),
        ("get", "/v2/enqueue", 405),
        ("get", "/api/incidents", 401),
    ],
)
def test_the_api_and_intake_answer_json_even_to_a_browser(client, method, path, status):
    answer = getattr(client, method)(path, headers=BROWSER | (READ if "INC-999" in path else {}))
    assert answer.status_code == status and answer.mimetype == "application/json"
    assert answer.get_json()["error"]


def test_anything_not_asking_for_html_gets_json(client):
    answer = client.get("/no-such-page", headers=CURL)
    assert answer.status_code == 404 and answer.get_json()["error"]
    assert client.get("/no-such-page", headers={"Accept": "application/json"}).mimetype == "application/json"


def test_a_wrong_method_is_a_405_page_for_people_and_names_the_allowed_ones_for_machines(client):
    page = client.get("/sign-out", headers=BROWSER)
    assert page.status_code == 405 and "Not here" in page.get_data(as_text=True)
    machine = client.get("/webhooks/alertmanager")
    assert machine.status_code == 405 and "POST" in machine.headers["Allow"]


def test_a_crash_is_a_500_page_for_people_and_json_for_machines(app):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    def broken():
        raise RuntimeError("boom")

    app.add_url_rule("/broken", "broken", broken)
    client = app.test_client()
    page = client.get("/broken", headers=BROWSER)
    html = page.get_data(as_text=True)
    assert page.status_code == 500 and "Something went wrong" in html and "boom" not in html
    machine = client.get("/broken", headers=CURL)
    assert machine.status_code == 500 and machine.mimetype == "application/json" and machine.get_json()["error"]
