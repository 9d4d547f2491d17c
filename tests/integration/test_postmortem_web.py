"""The post-mortem editor, its export and API, and /action-items, through the Flask app on PostgreSQL."""

import re
from datetime import UTC, datetime

import pytest

from commands.escalation import act
from incidents import escalation
from tests.integration.acting import API_TOKEN, open_incident
from tests.integration.signing_in import csrf_token, signed_in

pytestmark = pytest.mark.both_databases

AUTH = {"Authorization": f"Bearer {API_TOKEN}"}


def resolved_and_signed_in(client, engine, catalog):
    incident = open_incident(client, engine)
    now = datetime.now(UTC)
    decide = lambda plan, state: escalation.resolve(state, now, reason="fixed")  # noqa: E731
    act(engine, decide, catalog=catalog, now=now, number=incident.number)
    signed_in(client, engine)
    return incident


def post(client, path, **form):
    token = csrf_token(client.get("/incidents/INC-1/postmortem").get_data(as_text=True))
    return client.post(path, data={"csrf_token": token, **form}, follow_redirects=True)


def test_the_editor_saves_versions_previews_without_raw_html_and_compares(client, engine, catalog):
    resolved_and_signed_in(client, engine, catalog)
    page = client.get("/incidents/INC-1/postmortem").get_data(as_text=True)
    # Seven days after the resolution, less the moments since: written to the second, rounded.
    assert "# Incident Post-Mortem: #inc-1" in page and re.search(r"draft, due in (7 days|6 days 23 h)<", page)
    preview = post(client, "/incidents/INC-1/postmortem", text="## Root Cause\n<script>x()</script> Bob", do="preview")
    html = preview.get_data(as_text=True)
    assert "&lt;script&gt;x()&lt;/script&gt;" in html and "<script>x()" not in html
    text = "## Root Cause\nalice forgot to renew the certificate.\n"
    saved = post(client, "/incidents/INC-1/postmortem", text=text, do="save").get_data(as_text=True)
    assert "Saved as a new version." in saved and "Wording to check" in saved and "forgot to" in saved
    versions = client.get("/api/incidents/INC-1/postmortem", headers=AUTH).get_json()["versions"]
    diff = client.get(f"/incidents/INC-1/postmortem/compare?a={versions[1]['id']}&b={versions[0]['id']}")
    assert "+alice forgot to renew the certificate." in diff.get_data(as_text=True)
    assert client.get("/incidents/INC-1").get_data(as_text=True).count("Post-mortem: draft, due in") == 1


def test_publishing_from_the_editor_lists_the_action_items(client, engine, catalog):
    resolved_and_signed_in(client, engine, catalog)
    text = "## Action Items\n- [ ] Renew certificates automatically (Owner: sre, Due: 2020-01-01)\n"
    done = post(client, "/incidents/INC-1/postmortem/publish", text=text).get_data(as_text=True)
    assert "Published." in done
    listed = client.get("/action-items?owner=sre").get_data(as_text=True)
    assert "Renew certificates automatically" in listed and "overdue" in listed
    assert "Renew certificates" not in client.get("/action-items?owner=alice").get_data(as_text=True)


def test_the_api_reads_saves_skips_and_exports(client, engine, catalog):
    resolved_and_signed_in(client, engine, catalog)
    client.get("/sign-out")
    assert client.get("/api/incidents/INC-1/postmortem").status_code == 401
    saved = client.put("/api/incidents/INC-1/postmortem", json={"text": "# mine\n"}, headers=AUTH).get_json()
    assert saved["text"] == "# mine\n" and saved["versions"][0]["author"].startswith("api:")
    assert client.get("/incidents/INC-1/postmortem.md", headers=AUTH).get_data(as_text=True) == "# mine\n"
    refused = client.post("/api/incidents/INC-1/postmortem/skip", json={"reason": ""}, headers=AUTH)
    assert refused.status_code == 400
    skipped = client.post("/api/incidents/INC-1/postmortem/skip", json={"reason": "noise"}, headers=AUTH)
    assert skipped.get_json()["state"] == "skipped"
    again = client.post("/api/incidents/INC-1/postmortem/publish", json={}, headers=AUTH)
    assert again.status_code == 409
    assert client.get("/api/incidents/INC-9/postmortem", headers=AUTH).status_code == 404


def test_the_version_list_and_the_diff_number_versions_alike_and_items_show_as_checkboxes(client, engine, catalog):
    open_incident(client, engine, dedup_key="another")  # its versions take ids too: numbers are per post-mortem
    now = datetime.now(UTC)
    act(engine, lambda plan, state: escalation.resolve(state, now, reason="fixed"), catalog=catalog, now=now, number=1)
    resolved_and_signed_in(client, engine, catalog)  # INC-2
    client.get("/incidents/INC-1/postmortem")  # INC-1's draft is written first
    for text in ("## Action Items\n- [ ] Add metrics\n- [x] Fix the pool\n", "## Action Items\n- [ ] Add metrics\n"):
        post(client, "/incidents/INC-2/postmortem", text=text, do="save")
    page = client.get("/incidents/INC-2/postmortem").get_data(as_text=True)
    assert [int(n) for n in re.findall(r"<strong>Version (\d+)</strong>", page)] == [3, 2, 1]
    assert '<li class="task"><input type="checkbox" disabled> Add metrics</li>' in page
    versions = client.get("/api/incidents/INC-2/postmortem", headers=AUTH).get_json()["versions"]
    diff = client.get(f"/incidents/INC-2/postmortem/compare?a={versions[1]['id']}&b={versions[0]['id']}")
    text = diff.get_data(as_text=True)
    assert "From version 2 (" in text and "to version 3 (" in text and "+++ version 3" in text
    preview = post(client, "/incidents/INC-2/postmortem", text="- [x] Fix the pool\n", do="preview")
    assert '<li class="task"><input type="checkbox" disabled checked> Fix the pool</li>' in preview.get_data(
        as_text=True
    )
