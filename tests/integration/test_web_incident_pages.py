"""The incident list and page for signed-in people: filters, pages, alerts told apart, acting by form."""

import re
from urllib.parse import urlsplit

import pytest
from flask import url_for

from tests.integration.acting import ack_url, act, detail, mark_sent, messages, open_incident
from tests.integration.signing_in import csrf_token, signed_in
from tests.support import READ
from web import incident_pages

pytestmark = pytest.mark.both_databases


def alertmanager(client, status="firing", instances=("db-1:9100", "db-2:9100"), resolved=()):
    """One group of two alerts that differ only by instance (and fingerprint); those of `resolved` instances
    resolved."""
    body = {
        "version": "4",
        "groupKey": '{}:{alertname="DiskFull"}',
        "status": status,
        "receiver": "incidents",
        "alerts": [
            {
                "status": "resolved" if instance in resolved else status,
                "labels": {"alertname": "DiskFull", "severity": "warning", "instance": instance, "job": "node"},
                "annotations": {"summary": "Disk full"},
                "startsAt": "2026-11-26T03:00:00Z",
                "endsAt": "0001-01-01T00:00:00Z",
                "fingerprint": f"{n:016x}",
            }
            for n, instance in enumerate(instances, start=1)
        ],
    }
    response = client.post("/webhooks/alertmanager", json=body, headers={"Authorization": "Bearer example-token"})
    assert response.status_code == 200, response.get_json()


def numbers_listed(html: str) -> list[str]:
    return re.findall(r'<span class="ref">(INC-\d+)</span>', html)


def test_the_list_shows_open_incidents_first_then_newest(client, engine):
    for key in ("a", "b", "c"):
        open_incident(client, engine, dedup_key=key)
    assert act(client, 3, "resolve").status_code == 200
    signed_in(client, engine)
    assert numbers_listed(client.get("/incidents").get_data(as_text=True)) == ["INC-2", "INC-1", "INC-3"]


def test_the_list_filters_by_status_severity_and_service(client, engine):
    for key in ("a", "b"):
        open_incident(client, engine, dedup_key=key)
    act(client, 1, "acknowledge")
    signed_in(client, engine)
    assert numbers_listed(client.get("/incidents?status=acknowledged").get_data(as_text=True)) == ["INC-1"]
    assert numbers_listed(client.get("/incidents?severity=SEV3&status=triggered").get_data(as_text=True)) == ["INC-2"]
    assert numbers_listed(client.get("/incidents?service=payment-service").get_data(as_text=True)) == []
    assert numbers_listed(client.get("/incidents?severity=SEV1").get_data(as_text=True)) == []
    assert len(numbers_listed(client.get("/incidents?status=bogus").get_data(as_text=True))) == 2  # ignored


def test_the_list_has_pages_of_25_keeping_the_filters(client, engine):
    for n in range(27):
        open_incident(client, engine, dedup_key=f"k{n}")
    signed_in(client, engine)
    first = client.get("/incidents?status=triggered").get_data(as_text=True)
    assert len(numbers_listed(first)) == 25 and "Page 1 of 2" in first
    assert 'href="/incidents?status=triggered&amp;page=2"' in first
    second = client.get("/incidents?status=triggered&page=2").get_data(as_text=True)
    assert numbers_listed(second) == ["INC-2", "INC-1"]


def test_the_page_shows_alerts_told_apart_by_instance_and_the_timeline_in_utc(client, engine):
    alertmanager(client)
    signed_in(client, engine)
    html = client.get("/incidents/INC-1").get_data(as_text=True)
    assert "INC-1" in html and "production-api" in html and "SEV3" in html and "triggered" in html
    for instance in ("db-1:9100", "db-2:9100"):
        assert f'<span class="tag-name">instance</span>={instance}' in html
    assert '<span class="tag-name">job</span>' not in html.split("All labels")[0]  # equal labels are not tags
    assert re.search(r'<time datetime="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ" title="[^"]+ UTC">[^<]+ UTC</time>', html)
    assert html.count("Alert firing: Disk full") == 2


def test_an_unknown_incident_is_a_404_page(client, engine):
    signed_in(client, engine)
    assert client.get("/incidents/INC-99").status_code == 404
    assert client.get("/incidents/nonsense").status_code == 404


def test_acknowledging_by_form_is_recorded_with_the_signed_in_name(client, engine):
    incident = open_incident(client, engine)
    mark_sent(engine, incident.id)
    signed_in(client, engine, "sre-manager")
    page = client.get("/incidents/INC-1").get_data(as_text=True)
    response = client.post("/incidents/INC-1/acknowledge", data={"csrf_token": csrf_token(page)})
    assert response.status_code == 303 and response.headers["Location"] == "/incidents/INC-1"  # see other: PRG
    assert detail(client, 1)["status"] == "acknowledged"
    assert messages(client, 1, "acknowledged") == ["Acknowledged by sre-manager"]
    after = client.get("/incidents/INC-1").get_data(as_text=True)
    assert "Acknowledged: escalation has stopped." in after and ">Acknowledge</button>" not in after


def test_resolving_by_form_resolves(client, engine):
    open_incident(client, engine)
    signed_in(client, engine)
    page = client.get("/incidents/INC-1").get_data(as_text=True)
    client.post("/incidents/INC-1/resolve", data={"csrf_token": csrf_token(page)})
    assert detail(client, 1)["status"] == "resolved"
    assert messages(client, 1, "resolved") == ["Resolved by oncall-sre"]


def test_an_action_without_csrf_token_or_sign_in_changes_nothing(client, engine):
    open_incident(client, engine)
    assert client.post("/incidents/INC-1/acknowledge").status_code == 400  # CSRF is checked first
    signed_in(client, engine)
    assert client.post("/incidents/INC-1/acknowledge").status_code == 400
    assert client.get("/api/incidents/INC-1", headers=READ).get_json()["status"] == "triggered"


def test_the_ack_link_page_links_to_the_incident_and_says_who_acknowledged_when(client, engine):
    incident = open_incident(client, engine)
    url = ack_url(engine, incident)
    before = client.get(url).get_data(as_text=True)
    assert 'href="/incidents/INC-1"' in before
    act(client, 1, "acknowledge")  # someone else, through the API
    after = client.get(url)
    html = after.get_data(as_text=True)
    assert after.status_code == 200 and "Already acknowledged" in html
    assert "Acknowledged by example-operator (API)" in html and "<time datetime=" in html
    assert '<form method="post"' not in html and 'href="/incidents/INC-1"' in html


def test_the_page_lists_each_page_with_its_target_state_and_a_working_acknowledgement_link(client, engine):
    incident = open_incident(client, engine)
    signed_in(client, engine)
    html = client.get(f"/incidents/INC-{incident.number}").get_data(as_text=True)
    paged = html.split('id="paged-heading"')[1]
    assert "user oncall-sre" in paged and "sending" in paged
    link = re.search(r'<a href="(http://[^"]+/ack/[^"]+)">Acknowledgement link</a>', paged).group(1)
    assert client.post(urlsplit(link).path).status_code == 200
    assert detail(client, incident.number)["status"] == "acknowledged"


def shown_text(html: str) -> str:
    """What a person reads: the page without its tags (attributes, such as class names, are not read)."""
    return re.sub(r"<[^>]+>", " ", html)


def test_the_page_says_one_state_the_status_word_with_an_acknowledged_mark_and_the_phase_as_a_strip(client, engine):
    alertmanager(client)
    signed_in(client, engine)
    html = client.get("/incidents/INC-1").get_data(as_text=True)
    assert '<strong class="status-word">Investigating</strong>' in html
    assert '<span class="ack-mark mark-unacknowledged">unacknowledged</span>' in html
    strip = re.findall(r'<li class="phase-(\w+)"[^>]*><span class="step">([\w-]+)', html)
    assert strip == [
        ("current", "Detection"),
        ("todo", "Response"),
        ("todo", "Mitigation"),
        ("todo", "Recovery"),
        ("todo", "Post-mortem"),
    ]
    side = shown_text(html[: html.index('<div class="main-column">')])
    assert "triggered" not in side and "phase:" not in side  # the API's words stay in the API
    assert "status-triggered" not in html  # no `triggered` badge anywhere

    act(client, 1, "acknowledge")
    html = client.get("/incidents/INC-1").get_data(as_text=True)
    assert '<span class="ack-mark mark-acknowledged">acknowledged</span>' in html
    assert '<li class="phase-current" aria-current="step"><span class="step">Response' in html
    act(client, 1, "resolve")
    html = client.get("/incidents/INC-1").get_data(as_text=True)
    assert '<strong class="status-word">Resolved</strong>' in html and "ack-mark" not in html
    assert '<li class="phase-current" aria-current="step"><span class="step">Post-mortem' in html


def test_actions_sit_beside_what_they_change_and_every_form_stays_on_the_page(client, engine):
    alertmanager(client)
    signed_in(client, engine)
    html = client.get("/incidents/INC-1").get_data(as_text=True)
    state = html[html.index('<section id="state"') :]
    state = state[: state.index("</section>")]
    for action in ("acknowledge", "command", "resolve", "status", "severity"):
        assert f'action="/incidents/INC-1/{action}"' in state, action
    oncall = html[html.index('<section id="oncall"') :]
    assert 'action="/incidents/INC-1/escalate"' in oncall and 'action="/incidents/INC-1/responders"' in oncall
    people = html[html.index('<section id="people"') :]
    assert 'action="/incidents/INC-1/handover"' in people and 'action="/incidents/INC-1/roles"' in people
    for label in ("New severity", "Reason", "Hand over to", "Role", "Person", "Team to page now", "Impact"):
        assert f">{label}</label>" in html, label
    side, main = html.index('<aside class="side"'), html.index('<div class="main-column">')
    assert side < main < html.index('id="updates-heading"') < html.index('id="timeline-heading"')
    assert '<p class="next"><span class="next-label">Next</span> <a href="#state">Acknowledge' in html


def test_an_alert_card_shows_its_description_runbook_and_dashboards_with_its_labels_folded(client, engine):
    body = {
        "version": "4",
        "groupKey": '{}:{alertname="DiskFull"}',
        "status": "firing",
        "alerts": [
            {
                "status": "firing",
                "labels": {"alertname": "DiskFull", "instance": "db-1:9100"},
                "annotations": {
                    "summary": "Disk full on db-1",
                    "description": "Writes fail when /var is full.",
                    "runbook_url": "https://runbooks.example.com/disk",
                    "dashboard_url": "https://grafana.example.com/d/disks",
                },
                "panelURL": "https://grafana.example.com/d/disks?viewPanel=2",
                "generatorURL": "http://prometheus.example/graph",
                "startsAt": "2026-11-26T03:00:00Z",
            }
        ],
    }
    response = client.post("/webhooks/alertmanager", json=body, headers={"Authorization": "Bearer example-token"})
    assert response.status_code == 200
    signed_in(client, engine)
    html = client.get("/incidents/INC-1").get_data(as_text=True)
    card = html[html.index('<li class="alert">') :]
    card = card[: card.index("</li>\n")]
    assert (
        "<strong>Disk full on db-1</strong>" in card
        and '<p class="description">Writes fail when /var is full.</p>' in card
    )
    links = re.findall(r'<a href="([^"]+)" rel="noopener noreferrer">(\w+)</a>', card)
    assert links == [
        ("http://prometheus.example/graph", "Source"),
        ("https://runbooks.example.com/disk", "Runbook"),
        ("https://grafana.example.com/d/disks", "Dashboard"),
        ("https://grafana.example.com/d/disks?viewPanel=2", "Panel"),
    ]
    assert re.search(r"<details>\s*<summary>All labels", card) and "<dt>instance</dt>" in card


def test_timeline_lines_are_hh_mm_under_a_day_separator_with_the_full_utc_time_on_hover(client, engine):
    alertmanager(client)
    signed_in(client, engine)
    html = client.get("/incidents/INC-1").get_data(as_text=True)
    timeline = html[html.index('<ol class="timeline" data-days>') :]
    timeline = timeline[: timeline.index("</ol>")]
    days = re.findall(r'<li class="day">(\w{3} \d{1,2} \w{3} \d{4}) <span class="zone">UTC</span></li>', timeline)
    assert len(days) == 1 and timeline.index('<li class="day">') < timeline.index('<li class="entry')
    lines = re.findall(
        r'title="(\d{4}-\d\d-\d\d (\d\d:\d\d):\d\d UTC)" data-format="hm">(\d\d:\d\d) UTC</time>', timeline
    )
    assert len(lines) == timeline.count('<li class="entry') and all(hover == shown for _, hover, shown in lines)


def test_each_timeline_entry_has_a_pin_form_posting_to_its_own_entry(client, engine):
    alertmanager(client)
    signed_in(client, engine)
    html = client.get("/incidents/INC-1").get_data(as_text=True)
    timeline = html[html.index('<ol class="timeline" data-days>') :]
    forms = re.findall(
        r'<form method="post" action="([^"]+)" class="pin">.*?aria-label="Pin entry (\d+)"', timeline, re.S
    )
    assert len(forms) == timeline.count('<li class="entry') > 1
    with client.application.test_request_context():
        assert all(action == url_for("incident_forms.pin", ref="INC-1", entry_id=int(n)) for action, n in forms)
    action, entry_id = forms[-1]
    assert client.post(action, data={"csrf_token": csrf_token(html), "pinned": "1"}).status_code == 303
    assert f'aria-label="Unpin entry {entry_id}"' in client.get("/incidents/INC-1").get_data(as_text=True)


def test_a_long_incident_shows_its_first_alerts_firing_first_and_its_newest_entries(client, engine, monkeypatch):
    monkeypatch.setattr(incident_pages, "ALERTS_SHOWN", 1)
    monkeypatch.setattr(incident_pages, "TIMELINE_SHOWN", 3)
    alertmanager(client)
    alertmanager(client, resolved=("db-1:9100",))
    signed_in(client, engine)
    html = client.get("/incidents/INC-1").get_data(as_text=True)
    alerts = html[html.index('id="alerts-heading"') : html.index('id="paged-heading"')]
    assert "Showing 1 of 2 alerts, firing ones first." in alerts and alerts.count('<li class="alert">') == 1
    assert '<span class="tag-name">instance</span>=db-2:9100' in alerts and "db-1:9100" not in alerts
    timeline = html[html.index('id="timeline-heading"') :]
    total = int(re.search(r'Timeline <span class="count">(\d+)</span>', timeline).group(1))
    assert f"Showing the newest 3 of {total} entries." in timeline and timeline.count('<li class="entry') == 3
    everything = client.get("/incidents/INC-1?timeline=all&alerts=all").get_data(as_text=True)
    assert everything.count('<li class="alert">') == 2 and everything.count('<li class="entry') == total > 3
    # An alert without a card still tells its timeline entries apart.
    assert '<span class="tag-name">instance</span>=db-1:9100' in everything[everything.index('id="timeline-heading"') :]
