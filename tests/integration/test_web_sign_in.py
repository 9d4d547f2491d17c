"""Signing in to the people's pages: passwords, sessions, `next`, sign-out, the trusted proxy header."""

import dataclasses
import ipaddress

import pytest
import sqlalchemy as sa

from store.tables import credentials
from tests.integration.signing_in import PASSWORD, csrf_token, set_password, sign_in, signed_in
from tests.support import applying_app


@pytest.mark.parametrize("path", ["/", "/incidents", "/incidents/INC-1", "/incidents?status=resolved"])
def test_every_page_for_people_asks_for_sign_in_first(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in?next=")


def test_a_person_with_a_password_signs_in_and_lands_where_they_were_going(client, engine):
    set_password(engine)
    response = sign_in(client, next_path="/incidents?status=triggered")
    assert response.status_code == 302 and response.headers["Location"] == "/incidents?status=triggered"
    page = client.get("/incidents")
    assert page.status_code == 200 and "oncall-sre" in page.get_data(as_text=True)


def test_home_redirects_to_the_incident_list_once_signed_in(client, engine):
    signed_in(client, engine)
    assert client.get("/").headers["Location"] == "/incidents"


@pytest.mark.parametrize(
    "next_path", ["https://evil.example/", "//evil.example/", "/\\evil.example", "/\t/evil.example", "javascript:x"]
)
def test_next_never_leaves_the_site(client, engine, next_path):
    set_password(engine)
    response = sign_in(client, next_path=next_path)
    assert response.status_code == 302 and response.headers["Location"] == "/incidents"


def test_a_wrong_password_and_an_unknown_name_get_the_same_answer(client, engine):
    set_password(engine)
    wrong = sign_in(client, password="not the password")
    unknown = sign_in(client, name="nobody-here")
    no_password_yet = sign_in(client, name="sre-manager")  # in people.yaml, no password set
    for response in (wrong, unknown, no_password_yet):
        assert response.status_code == 401
        assert "Name or password not accepted." in response.get_data(as_text=True)
    assert client.get("/incidents").status_code == 302


def test_signing_out_is_a_post_and_ends_the_session(client, engine):
    signed_in(client, engine)
    page = client.get("/incidents").get_data(as_text=True)
    assert client.get("/sign-out").status_code == 405  # no link or prefetch signs anyone out
    assert client.post("/sign-out", data={"csrf_token": csrf_token(page)}).status_code == 302
    assert client.get("/incidents").status_code == 302


def test_a_form_posted_without_its_csrf_token_is_refused(client, engine):
    set_password(engine)
    client.get("/sign-in")
    response = client.post("/sign-in", data={"name": "oncall-sre", "password": PASSWORD})
    assert response.status_code == 400 and "Form refused" in response.get_data(as_text=True)
    assert client.get("/incidents").status_code == 302
    signed_in(client, engine)
    assert client.post("/sign-out").status_code == 400
    assert client.get("/incidents").status_code == 200


def test_session_cookie_is_http_only_and_same_site_lax(client, engine):
    set_password(engine)
    cookie = sign_in(client).headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


def test_session_cookie_is_secure_when_the_public_url_is_https(settings, catalog, engine):

    app = applying_app(
        dataclasses.replace(settings, public_url="https://incidents.example"), catalog=catalog, engine=engine
    )
    set_password(engine)
    client = app.test_client()
    cookie = sign_in(client).headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie


def test_the_stored_password_is_a_scrypt_hash(engine):
    set_password(engine)
    with engine.connect() as conn:
        stored = conn.execute(sa.select(credentials.c.password_hash)).scalar_one()
    assert stored.startswith("scrypt:") and PASSWORD not in stored


@pytest.fixture
def proxied_client(settings, catalog, engine):
    """An app trusting `X-Forwarded-User` from 10.0.0.0/24 only."""

    trusting = dataclasses.replace(
        settings, web_auth_header="X-Forwarded-User", web_auth_proxies=(ipaddress.ip_network("10.0.0.0/24"),)
    )
    return applying_app(trusting, catalog=catalog, engine=engine).test_client()


def test_the_trusted_header_signs_in_from_a_configured_proxy(proxied_client):
    response = proxied_client.get(
        "/incidents", headers={"X-Forwarded-User": "sre-manager"}, environ_base={"REMOTE_ADDR": "10.0.0.7"}
    )
    assert response.status_code == 200 and "sre-manager" in response.get_data(as_text=True)


def test_the_trusted_header_accepts_an_email_of_people_yaml(proxied_client):
    response = proxied_client.get(
        "/incidents", headers={"X-Forwarded-User": "SRE-Manager@example.com"}, environ_base={"REMOTE_ADDR": "10.0.0.7"}
    )
    assert response.status_code == 200 and "sre-manager" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("address", "value"), [("192.168.1.9", "sre-manager"), ("10.0.0.7", "somebody-else"), ("10.0.1.7", "oncall-sre")]
)
def test_the_trusted_header_is_ignored_from_another_address_or_for_an_unknown_person(proxied_client, address, value):
    response = proxied_client.get(
        "/incidents", headers={"X-Forwarded-User": value}, environ_base={"REMOTE_ADDR": address}
    )
    assert response.status_code == 302 and response.headers["Location"].startswith("/sign-in")


def test_without_configuration_the_header_is_ignored_even_from_loopback(client):
    response = client.get("/incidents", headers={"X-Forwarded-User": "oncall-sre"})
    assert response.status_code == 302


def test_a_name_is_throttled_after_ten_failures_known_or_not(client, engine):
    set_password(engine)
    for name in ("oncall-sre", "nobody-here"):
        for _ in range(10):
            assert sign_in(client, name, "wrong password").status_code == 401
        throttled = sign_in(client, name, PASSWORD)
        assert throttled.status_code == 429 and "Too many failed sign-ins" in throttled.get_data(as_text=True)
    set_password(engine, "sre-manager")
    assert sign_in(client, "sre-manager").status_code == 302  # other names are not affected


def test_a_good_sign_in_forgets_earlier_failures(client, engine):
    set_password(engine)
    for _ in range(9):
        sign_in(client, password="wrong password")
    assert sign_in(client).status_code == 302
    client.post("/sign-out", data={"csrf_token": csrf_token(client.get("/incidents").get_data(as_text=True))})
    for _ in range(9):
        sign_in(client, password="wrong password")
    assert sign_in(client).status_code == 302
