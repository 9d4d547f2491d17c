"""The maintenance page for signed-in people: list, add and end windows by form, with CSRF."""

from tests.integration.signing_in import csrf_token, signed_in
from tests.support import READ


def test_a_signed_in_person_adds_and_ends_a_window_recorded_under_their_name(client, engine):
    signed_in(client, engine)
    page = client.get("/maintenance").get_data(as_text=True)
    assert "No maintenance window now or ahead." in page
    form = {"service": "production-api", "end": "2 hours", "reason": "kernel upgrade", "csrf_token": csrf_token(page)}
    added = client.post("/maintenance", data=form, follow_redirects=True).get_data(as_text=True)
    assert "Maintenance window 1 added" in added and "kernel upgrade" in added and "by oncall-sre" in added
    (window,) = client.get("/api/maintenance", headers=READ).get_json()["windows"]
    assert window["created_by"] == "oncall-sre"
    ended = client.post("/maintenance/1/end", data={"csrf_token": csrf_token(added)}, follow_redirects=True)
    assert "Maintenance window 1 ended." in ended.get_data(as_text=True)
    assert client.get("/api/maintenance", headers=READ).get_json()["windows"] == []


def test_a_wrong_window_is_not_added_and_says_why(client, engine):
    signed_in(client, engine)
    token = csrf_token(client.get("/maintenance").get_data(as_text=True))
    form = {"service": "production-api", "end": "whenever", "reason": "x", "csrf_token": token}
    page = client.post("/maintenance", data=form, follow_redirects=True).get_data(as_text=True)
    assert "Not added: end:" in page
    assert client.get("/api/maintenance", headers=READ).get_json()["windows"] == []


def test_the_page_asks_for_sign_in_and_forms_need_the_csrf_token(client, engine):
    assert client.get("/maintenance").status_code == 302
    signed_in(client, engine)
    assert (
        client.post("/maintenance", data={"service": "production-api", "end": "1h", "reason": "x"}).status_code == 400
    )
