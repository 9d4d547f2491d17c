"""Outside data is data: a URL from an alert, a Grafana panel, PagerDuty `links` or a change event is a
link only when it is http(s); every answer carries the security headers (CSP, framing, sniffing, referrer)."""

import re
from datetime import UTC, datetime

import pytest

from server.app import create_app
from settings import env
from tests.integration.acting import ack_url, act, open_incident
from tests.integration.signing_in import signed_in
from tests.support import READ

HOSTILE = "javascript:alert(document.cookie)"
SECURITY_HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def send_alertmanager(client, **alert_fields):
    body = {
        "version": "4",
        "groupKey": '{}:{alertname="Hostile"}',
        "status": "firing",
        "receiver": "incidents",
        "alerts": [
            {
                "status": "firing",
                "labels": {"alertname": "Hostile", "severity": "warning"},
                "annotations": {"summary": "Hostile links"},
                "startsAt": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "fingerprint": "00000000000000aa",
                **alert_fields,
            }
        ],
    }
    response = client.post("/webhooks/alertmanager", json=body, headers={"Authorization": "Bearer example-token"})
    assert response.status_code == 200, response.get_json()


def anchors(html: str) -> list[str]:
    return re.findall(r'<a [^>]*href="([^"]*)"', html)


def test_a_javascript_generator_url_is_shown_as_text_and_never_as_a_link(client, engine):
    send_alertmanager(
        client,
        generatorURL=HOSTILE,
        annotations={"summary": "Hostile links", "runbook_url": "https://runbooks.example.com/disk"},
        panelURL="JaVaScRiPt:alert(1)",
        dashboardURL="data:text/html,<script>alert(1)</script>",
    )
    signed_in(client, engine)
    html = client.get("/incidents/INC-1").get_data(as_text=True)
    hrefs = anchors(html)
    assert not [href for href in hrefs if ":" in href and not href.startswith(("http://", "https://"))], hrefs
    assert "https://runbooks.example.com/disk" in hrefs  # an http(s) runbook is a link
    assert "javascript:alert(document.cookie)" in html  # the hostile one is shown, as text
    assert "&lt;script&gt;" in html and "<script>alert" not in html


def test_pagerduty_links_are_links_only_when_http(client, engine):
    event = {
        "routing_key": "exampleintegrationkey00000000001",
        "event_action": "trigger",
        "dedup_key": "links",
        "payload": {"summary": "Links", "source": "db-1", "severity": "warning"},
        "links": [{"href": "vbscript:msgbox(1)", "text": "bad"}, {"href": "https://grafana.example.com/d/1"}],
    }
    assert client.post("/v2/enqueue", json=event).status_code == 202
    signed_in(client, engine)
    hrefs = anchors(client.get("/incidents/INC-1").get_data(as_text=True))
    assert "https://grafana.example.com/d/1" in hrefs
    assert not [href for href in hrefs if href.startswith("vbscript")]


def every_get_route(app, incident_ref: str, ack: str):
    """A URL for each GET route of the app, its parameters filled with things that exist."""
    values = {"incident_ref": incident_ref, "ref": incident_ref, "token": ack, "follow_up_id": 1, "request_id": "r"}
    values |= {"filename": "style.css", "name": "sre-primary"}  # name: a schedule of the example config
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods:
            yield rule.endpoint, rule.build({name: values[name] for name in rule.arguments})[1]


def test_every_answer_of_every_get_route_carries_the_security_headers(app, client, engine):
    incident = open_incident(client, engine)
    assert act(client, incident.number, "resolve").status_code == 200  # a post-mortem draft exists
    url = ack_url(engine, incident)
    signed_in(client, engine)
    html_pages = []
    for endpoint, path in every_get_route(app, f"INC-{incident.number}", url.rsplit("/", 1)[1]):
        response = client.get(path, headers=READ if path.startswith("/api/") else {})
        assert response.status_code < 500, (path, response.status_code)
        for name, value in SECURITY_HEADERS.items():
            assert response.headers.get(name) == value, (path, name)
        policy = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy, path
        assert "unsafe-inline" not in policy and "Strict-Transport-Security" not in response.headers
        if response.mimetype == "text/html":
            html_pages.append(endpoint)
            assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)", response.get_data(as_text=True))
    # The people's pages were among them (a rule that stopped answering HTML would drop out here).
    for page in (
        "incident_pages.incident_page",
        "incident_pages.incident_list",
        "ack_links.confirm",
        "status_page.page",
        "oncall_pages.oncall_page",
        "oncall_pages.schedule_page",
    ):
        assert page in html_pages
    assert client.get("/no-such-page").headers["X-Frame-Options"] == "DENY"  # errors too


@pytest.mark.parametrize(
    "public_url, hsts", [("https://incidents.example.com", True), ("http://127.0.0.1:5000", False)]
)
def test_hsts_is_sent_when_the_public_url_is_https(settings, catalog, engine, public_url, hsts):
    secure = env.load({**_environ(settings), "PUBLIC_URL": public_url})
    client = create_app(secure, catalog=catalog, engine=engine).test_client()
    response = client.get("/sign-in")  # plain http, as a TLS-terminating proxy forwards it
    assert response.status_code == 200  # no redirect to https: TLS is the proxy's job
    assert ("Strict-Transport-Security" in response.headers) is hsts
    assert ("Secure" in response.headers.get("Set-Cookie", "")) is hsts


def test_the_favicon_is_a_static_file(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    page = client.get("/sign-in").get_data(as_text=True)
    assert 'rel="icon" href="/assets/favicon.svg"' in page and "data:" not in page


def _environ(settings) -> dict:
    return {
        "DATABASE_URL": settings.database_url,
        "INCIDENTS_CONFIG": str(settings.config_dir),
        "SECRET_KEY": "test-secret",
        "CELERY_BROKER_URL": settings.broker_url,
    }


def test_a_postmortem_link_to_another_scheme_stays_text():
    from web.postmortem_pages import MARKDOWN

    html = MARKDOWN.render("[ok](https://example.com) [local](/incidents/INC-1) [bad](vbscript:x) [ftp](ftp://x)")
    assert re.findall(r'href="([^"]*)"', html) == ["https://example.com", "/incidents/INC-1"]
