"""Declaring an incident by hand from the web UI: the same path as the API, as the signed-in person."""

import pytest
import sqlalchemy as sa

from store.tables import incidents, pages, timeline
from tests.integration.signing_in import csrf_token, signed_in

pytestmark = pytest.mark.both_databases


def declared(client, **fields):
    token = csrf_token(client.get("/incidents/new").get_data(as_text=True))
    return client.post("/incidents/new", data={"csrf_token": token, **fields})


def test_a_declared_sev1_opens_an_incident_that_pages_like_an_alert_born_one(client, engine):
    signed_in(client, engine)
    answer = declared(
        client,
        title="Checkout returns 500 for every EU customer",
        service="payment-service",
        severity="SEV1",
        impact="EU checkouts failing",
        found_by="support escalation",
    )
    assert answer.status_code == 303 and answer.headers["Location"].endswith("/incidents/INC-1")
    with engine.connect() as conn:
        row = conn.execute(sa.select(incidents.c.title, incidents.c.severity, incidents.c.service)).one()
        paged = sorted(conn.execute(sa.select(pages.c.target_name).where(pages.c.action == "trigger")).scalars())
        actors = dict(conn.execute(sa.select(timeline.c.kind, timeline.c.actor)).all())
    assert tuple(row) == ("Checkout returns 500 for every EU customer", 1, "payment-service")
    assert paged == ["oncall-sre", "sre-manager"]  # SEV1: the first level and, at once, the last
    assert actors["opened"] == actors["declared"] == "oncall-sre"  # the person who declared it opened it
    page = client.get("/incidents/INC-1").get_data(as_text=True)
    assert "EU checkouts failing" in page


def test_a_wrong_declaration_is_shown_on_the_form_and_opens_nothing(client, engine):
    signed_in(client, engine)
    for fields, words in (
        ({"title": "", "service": "payment-service", "severity": "SEV2"}, "Give the incident a title."),
        ({"title": "x", "service": "nowhere", "severity": "SEV2"}, "no service called &#34;nowhere&#34;"),
        ({"title": "x", "service": "payment-service", "severity": "SEV9"}, "&#39;SEV9&#39; is not a severity"),
    ):
        answer = declared(client, **fields)
        assert answer.status_code == 400 and words in answer.get_data(as_text=True)
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(incidents)).scalar_one() == 0


def test_declaring_needs_sign_in_and_the_csrf_token(client, engine):
    assert client.get("/incidents/new").status_code == 302
    signed_in(client, engine)
    fields = {"title": "x", "service": "payment-service", "severity": "SEV2"}
    assert client.post("/incidents/new", data=fields).status_code == 400
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(incidents)).scalar_one() == 0
