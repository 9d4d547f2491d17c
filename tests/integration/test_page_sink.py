"""`/local-pagerduty`: the pages the built-in PagerDuty sink received, read from the outbox, newest first,
each with its acknowledgement link; only where the sink is served, and only for people signed in."""

import dataclasses
import re
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from incidents.links import verify
from store.tables import pages
from tests.integration.acting import SECRET, act, open_incident
from tests.integration.signing_in import signed_in
from tests.support import applying_app


@pytest.fixture
def local_client(settings, catalog, engine):
    local = dataclasses.replace(settings, pagerduty_events_url=f"{settings.public_url}/local-pagerduty")
    return applying_app(local, catalog=catalog, engine=engine).test_client()


def sent(engine, incident_id, at: str):
    with engine.begin() as conn:
        conn.execute(
            pages.update()
            .where(pages.c.incident_id == incident_id, pages.c.status == "pending")
            .values(status="sent", sent_at=datetime.fromisoformat(at).replace(tzinfo=UTC))
        )


def test_every_page_sent_is_listed_newest_first_with_its_acknowledgement_link(local_client, engine):
    first = open_incident(local_client, engine, dedup_key="disk-full")
    second = open_incident(local_client, engine, dedup_key="cpu-hot")
    sent(engine, first.id, "2026-12-01T10:00:00")
    sent(engine, second.id, "2026-12-01T10:05:00")
    open_incident(local_client, engine, dedup_key="not-sent-yet")
    signed_in(local_client, engine)

    html = local_client.get("/local-pagerduty").get_data(as_text=True)
    assert html.index(f"INC-{second.number}]") < html.index(f"INC-{first.number}]")
    assert "INC-3]" not in html  # pending: the sink has not received it
    assert "page for user oncall-sre" in html
    links = re.findall(r'href="(http://[^"]+/ack/[^"]+)"', html)
    assert len(links) == 2
    token = links[1].rsplit("/", 1)[1]
    link = verify(token, SECRET, max_age=86400, now=datetime(2026, 12, 1, 10, 1, tzinfo=UTC))
    assert link.incident_id == first.id and link.target == "user:oncall-sre"


def test_an_acknowledgement_the_sink_received_is_listed_too(local_client, engine):
    incident = open_incident(local_client, engine)
    sent(engine, incident.id, "2026-12-01T10:00:00")
    assert act(local_client, incident.number, "acknowledge").status_code == 200
    sent(engine, incident.id, "2026-12-01T10:02:00")
    signed_in(local_client, engine)
    html = local_client.get("/local-pagerduty").get_data(as_text=True)
    assert html.index("acknowledge for user oncall-sre") < html.index("page for user oncall-sre")


def test_the_page_asks_for_sign_in(local_client):
    assert local_client.get("/local-pagerduty").status_code == 302


def test_without_the_local_sink_there_is_no_such_page(client, engine):
    signed_in(client, engine)
    assert client.get("/local-pagerduty", headers={"Accept": "text/html"}).status_code == 404
    assert 'href="/local-pagerduty"' not in client.get("/incidents").get_data(as_text=True)


def test_the_navigation_names_every_area(local_client, engine):
    signed_in(local_client, engine)
    html = local_client.get("/incidents").get_data(as_text=True)
    nav = html[html.index('<nav class="areas"') : html.index("</nav>")]
    for path in ("/incidents", "/oncall", "/maintenance", "/status", "/api/docs", "/local-pagerduty", "/reports"):
        assert f'href="{path}"' in nav
    assert '<a href="/incidents" aria-current="page">' in nav


def test_pages_sent_ignore_rows_of_other_states(local_client, engine):
    incident = open_incident(local_client, engine)
    with engine.begin() as conn:
        conn.execute(pages.update().where(pages.c.incident_id == incident.id).values(status="failed"))
        assert conn.execute(sa.select(sa.func.count()).select_from(pages)).scalar_one() == 1
    signed_in(local_client, engine)
    assert "Nothing paged yet" in local_client.get("/local-pagerduty").get_data(as_text=True)
