"""Changing one's own password on /me (#14 §4): the current one and the new one twice, hashed as
`incidents user set-password` does; a refused form shows every error and sends back no password."""

import pytest
import sqlalchemy as sa

from store.credentials import password_hash
from store.tables import sign_in_failures
from tests.integration.signing_in import PASSWORD, csrf_token, sign_in, signed_in
from web import passwords

pytestmark = pytest.mark.both_databases
NEW = "a much longer new password"


def change(client, current, new, again):
    token = csrf_token(client.get("/me").get_data(as_text=True))
    return client.post("/me/password", data={"csrf_token": token, "current": current, "new": new, "again": again})


def test_my_new_password_is_the_one_that_signs_me_in(client, engine):
    signed_in(client, engine, "alice")
    answer = change(client, PASSWORD, NEW, NEW)
    assert answer.status_code == 303 and answer.headers["Location"].endswith("/me#password")
    with engine.connect() as conn:
        stored = password_hash(conn, "alice")
    assert stored.startswith("scrypt:") and passwords.matches(stored, NEW)
    fresh = client.application.test_client()
    assert sign_in(fresh, "alice", PASSWORD).status_code == 401
    assert sign_in(fresh, "alice", NEW).status_code == 302


def test_a_refused_change_names_every_wrong_field_and_echoes_no_password(client, engine):
    signed_in(client, engine, "alice")
    answer = change(client, "not my password", "short", "other")
    html = answer.get_data(as_text=True)
    assert answer.status_code == 400
    assert "This is not your current password." in html
    assert "A password needs at least 8 characters." in html
    assert "The two new passwords differ" in html
    assert "not my password" not in html and 'value="short"' not in html and 'value="other"' not in html
    with engine.connect() as conn:
        assert passwords.matches(password_hash(conn, "alice"), PASSWORD)
        assert conn.execute(sa.select(sa.func.count()).select_from(sign_in_failures)).scalar_one() == 1


def test_a_good_current_password_with_mismatched_new_ones_changes_nothing(client, engine):
    signed_in(client, engine, "alice")
    answer = change(client, PASSWORD, NEW, NEW + "!")
    html = answer.get_data(as_text=True)
    assert answer.status_code == 400 and "The two new passwords differ" in html
    assert "This is not your current password." not in html
    with engine.connect() as conn:
        assert passwords.matches(password_hash(conn, "alice"), PASSWORD)


def test_changing_needs_the_csrf_token_and_a_session(client, engine):
    assert client.post("/me/password", data={"current": PASSWORD, "new": NEW, "again": NEW}).status_code in (302, 400)
    signed_in(client, engine, "alice")
    assert client.post("/me/password", data={"current": PASSWORD, "new": NEW, "again": NEW}).status_code == 400
    with engine.connect() as conn:
        assert passwords.matches(password_hash(conn, "alice"), PASSWORD)
