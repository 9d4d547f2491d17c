"""Helpers for the tests of the people's pages: passwords, sign-in through the form, CSRF tokens."""

import re
from datetime import UTC, datetime

from store.credentials import save_password_hash
from web import passwords

PASSWORD = "correct horse battery"


def set_password(engine, name="oncall-sre", password=PASSWORD):
    with engine.begin() as conn:
        save_password_hash(conn, name, passwords.hashed(password), datetime.now(UTC))


def csrf_token(html: str) -> str:
    """The CSRF token of the first form on a page."""
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def sign_in(client, name="oncall-sre", password=PASSWORD, next_path=""):
    """Post the sign-in form as a browser would (token from the form); the response, not followed."""
    token = csrf_token(client.get("/sign-in").get_data(as_text=True))
    return client.post("/sign-in", data={"name": name, "password": password, "next": next_path, "csrf_token": token})


def signed_in(client, engine, name="oncall-sre"):
    """The client, signed in as `name` (whose password this sets)."""
    set_password(engine, name)
    assert sign_in(client, name).status_code == 302
    return client
