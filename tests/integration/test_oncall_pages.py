"""/oncall and a schedule's page for signed-in people: who is on call now and next, the 14 days ahead in
the viewer's zone, overrides added and deleted by form (a wrong field said next to it, nothing stored),
"I'll take it from here", on the API's schemas and commands."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from store.tables import incidents
from tests.integration.rotas import SHIFT, hour_ago, in_zone, rota, stored_overrides, with_rota
from tests.integration.signing_in import csrf_token, signed_in
from tests.integration.spoiling import BEARER, firing_alert, webhook
from tests.support import READ, applying_app

pytestmark = pytest.mark.both_databases


def signed_in_client(settings, engine, catalog):
    return signed_in(applying_app(settings, catalog=catalog, engine=engine).test_client(), engine)


def text(answer) -> str:
    return answer.get_data(as_text=True)


def form(page: str, **values) -> dict:
    return {"csrf_token": csrf_token(page)} | values


def local(moment: datetime, zone="UTC") -> str:
    """A time as the datetime-local field takes it."""
    from zoneinfo import ZoneInfo

    return moment.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%dT%H:%M")


def test_the_oncall_page_says_who_is_on_call_now_and_next_on_each_schedule_and_service_level(settings, catalog, engine):
    client = signed_in_client(settings, engine, with_rota(catalog))
    assert client.get("/oncall").status_code == 200
    page = text(client.get("/oncall"))
    card = page[page.index('aria-label="Schedule rota"') :]
    assert re.search(r"Now:\s*<strong>alice</strong> until <time", card)
    assert re.search(r"Next:\s*<strong>sre-manager</strong> from <time", card)
    end = (hour_ago() + SHIFT).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert f'datetime="{end}"' in card and "I'll take it from here" in card
    service = page[page.index('aria-label="Service production-api"') :]
    assert re.search(r"Level 1</span>\s*<a href=\"/schedules/rota\">rota</a>:\s*<strong>alice</strong>", service)
    assert re.search(r"Level 2</span>\s*<strong>sre-manager</strong>", service)
    assert '<a href="/oncall" aria-current="page">On call</a>' in page  # the nav link, marked as the current area


def test_the_pages_ask_for_sign_in_and_an_unknown_schedule_is_a_404_page(settings, catalog, engine, client):
    assert client.get("/oncall").status_code == 302
    assert client.get("/schedules/rota").status_code == 302
    signed = signed_in_client(settings, engine, with_rota(catalog))
    missing = signed.get("/schedules/%3Cscript%3Ealert(1)")
    assert missing.status_code == 404 and "<h1>Not found</h1>" in text(missing)
    assert "<script>alert" not in text(missing) and "&lt;script&gt;alert(1)" in text(missing)


def test_the_schedule_page_draws_each_layer_the_overrides_and_the_final_result_with_gaps_in_red(
    settings, catalog, engine
):
    later = rota("later", start=hour_ago() + timedelta(days=2))  # nobody on call for two days
    client = signed_in_client(settings, engine, with_rota(catalog, later))
    page = text(client.get("/schedules/later"))
    rows = re.findall(r'<div class="rota-row rota-(\w+)">\s*<span class="rota-name">([^<]*)</span>', page)
    assert rows == [("layer", "eights"), ("layer", "nights"), ("overrides", "Overrides"), ("final", "Final")]
    final = page[page.index('class="rota-row rota-final"') :]
    assert '<svg class="seg gap"' in final and ">nobody</text>" in final
    assert re.search(r'<li class="gap">.*?<strong class="nobody">nobody on call</strong>', page, re.S)
    assert 'Now:\n    <strong class="nobody">nobody on call</strong>' in page


def test_times_are_written_in_the_viewers_time_zone(settings, catalog, engine):
    client = signed_in_client(settings, engine, in_zone(with_rota(catalog), "oncall-sre", "Asia/Kolkata"))
    page = text(client.get("/schedules/rota"))
    assert "shown in Asia/Kolkata" in page and "Start (Asia/Kolkata)" in page
    end = (hour_ago() + SHIFT).replace(tzinfo=UTC)
    kolkata = end + timedelta(hours=5, minutes=30)
    written = f"{kolkata:%a} {kolkata.day} {kolkata:%b %H:%M}"
    assert f'datetime="{end:%Y-%m-%dT%H:%M:%SZ}" data-zone title="{end:%Y-%m-%d %H:%M:%S} UTC">{written}</time>' in page


def test_an_override_added_by_form_in_the_viewers_zone_is_stored_in_utc_and_shown_in_the_final_row(
    settings, catalog, engine
):
    client = signed_in_client(settings, engine, in_zone(with_rota(catalog), "oncall-sre", "Asia/Kolkata"))
    start = datetime.now(UTC).replace(microsecond=0, second=0) + timedelta(hours=2)
    values = {"user": "oncall-sre", "start": local(start, "Asia/Kolkata"), "end": local(start + SHIFT, "Asia/Kolkata")}
    page = text(client.get("/schedules/rota"))
    added = client.post("/schedules/rota/overrides", data=form(page, **values))
    assert added.status_code == 303 and added.headers["Location"].endswith("/schedules/rota")
    (row,) = stored_overrides(engine)
    assert (row.person, row.created_by) == ("oncall-sre", "oncall-sre")
    assert row.start_at.replace(tzinfo=UTC) == start and row.end_at.replace(tzinfo=UTC) == start + SHIFT
    page = text(client.get("/schedules/rota"))
    assert "Override added: oncall-sre is on call for rota" in page
    final = page[page.index('class="rota-row rota-final"') :]
    assert "<title>oncall-sre (override): " in final[: final.index("</div>")]
    assert f"#{row.id}:" in page and "Delete override" in page


def test_deleting_an_override_by_form_ends_it(settings, catalog, engine):
    client = signed_in_client(settings, engine, with_rota(catalog))
    now = datetime.now(UTC)
    body = {"user": "oncall-sre", "start": now.isoformat(), "end": (now + timedelta(hours=2)).isoformat()}
    made = client.post("/api/schedules/rota/overrides", json=body, headers=READ).get_json()["id"]
    page = text(client.get("/schedules/rota"))
    deleted = client.post(f"/schedules/rota/overrides/{made}/delete", data=form(page), follow_redirects=True)
    assert f"Override #{made} deleted." in text(deleted)
    (row,) = stored_overrides(engine)
    assert row.deleted_by == "oncall-sre"
    assert client.post(f"/schedules/rota/overrides/{made}/delete", data=form(page)).status_code == 404


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"start": "next tuesday"}, "start", "Give a date and time"),
        ({"end": ""}, "end", "Give a date and time"),
        ({"user": ""}, "user", "Choose a person."),
        ({"user": "mallory"}, "user", 'no person called "mallory" in people.yaml'),
        ({"end": "2020-01-01T00:00"}, "end", "must be after `start` and after now"),
    ],
)
def test_a_wrong_field_is_said_next_to_it_the_values_are_kept_and_nothing_is_stored(
    settings, catalog, engine, change, field, message
):
    client = signed_in_client(settings, engine, with_rota(catalog))
    start = datetime.now(UTC) + timedelta(hours=2)
    values = {"user": "oncall-sre", "start": local(start), "end": local(start + SHIFT)} | change
    answer = client.post("/schedules/rota/overrides", data=form(text(client.get("/schedules/rota")), **values))
    assert answer.status_code == 400
    page = text(answer)
    said = re.search(rf'<p class="error-text" id="override-{field}-error">([^<]*)</p>', page)
    assert said and message in said.group(1).replace("&#34;", '"').replace("&quot;", '"')
    for name in ("start", "end"):
        assert f'name="{name}" type="datetime-local" value="{values[name]}"' in page
    assert stored_overrides(engine) == []


def test_the_page_says_which_of_two_overlapping_overrides_wins(settings, catalog, engine):
    client = signed_in_client(settings, engine, with_rota(catalog))
    start = datetime.now(UTC) + timedelta(hours=1)
    ids = []
    for person, hours in (("oncall-sre", (0, 4)), ("sre-manager", (2, 6))):
        body = {"user": person, "start": (start + timedelta(hours=hours[0])).isoformat()}
        body["end"] = (start + timedelta(hours=hours[1])).isoformat()
        ids.append(client.post("/api/schedules/rota/overrides", json=body, headers=READ).get_json()["id"])
    page = text(client.get("/schedules/rota"))
    assert re.search(
        rf"Override #{ids[1]} \(sre-manager\) wins over #{ids[0]} \(oncall-sre\) from <time[^>]*>[^<]*</time> "
        r"to <time[^>]*>[^<]*</time>: it was created later.",
        page,
    )


def test_ill_take_it_from_here_on_the_schedule_page_and_on_oncall(settings, catalog, engine):
    client = signed_in_client(settings, engine, with_rota(catalog, rota(), rota("other")))
    page = text(client.get("/schedules/rota"))
    taken = client.post("/schedules/rota/take", data=form(page), follow_redirects=True)
    assert "You are on call for rota until" in text(taken)
    assert re.search(r"Now:\s*<strong>oncall-sre</strong>", text(taken)) and "You are on call." in text(taken)
    again = client.post("/schedules/rota/take", data=form(page), follow_redirects=True)
    assert "Not taken: oncall-sre is on call on rota already." in text(again)
    from_oncall = client.post("/schedules/other/take", data=form(page, back="oncall"))
    assert from_oncall.status_code == 303 and from_oncall.headers["Location"].endswith("/oncall")
    rows = stored_overrides(engine)
    assert [(r.schedule, r.person, r.created_by) for r in rows] == [("rota", "oncall-sre", "oncall-sre")] + [
        ("other", "oncall-sre", "oncall-sre")
    ]
    assert rows[0].end_at.replace(tzinfo=UTC) == (hour_ago() + SHIFT).replace(tzinfo=UTC)
    assert client.post("/schedules/rota/take", data={}).status_code == 400  # no CSRF token


def test_the_pages_keep_the_strict_csp_no_inline_script_or_style(settings, catalog, engine):
    client = signed_in_client(settings, engine, with_rota(catalog))
    for path in ("/oncall", "/schedules/rota"):
        answer = client.get(path)
        assert "script-src 'self'" in answer.headers["Content-Security-Policy"]
        page = text(answer)
        assert " style=" not in page and "<style" not in page
        assert not re.search(r"<script(?![^>]*\bsrc=)", page)


def test_the_incident_page_shows_who_is_on_call_on_each_level_and_when_the_next_escalation_fires(
    settings, catalog, engine
):
    client = signed_in_client(settings, engine, with_rota(catalog))
    assert client.post("/webhooks/alertmanager", json=webhook(firing_alert()), headers=BEARER).status_code == 200
    with engine.connect() as conn:
        due = conn.execute(sa.select(incidents.c.esc_due_at)).scalar_one().replace(tzinfo=UTC)
    page = text(client.get("/incidents/INC-1"))
    section = page[page.index('<section id="oncall"') :]
    section = section[: section.index("</section>")]
    assert re.search(r"Level 1</span>\s*<a href=\"/schedules/rota\">rota</a>:\s*<strong>alice</strong>", section)
    assert re.search(r"Level 2</span>\s*<strong>sre-manager</strong>", section)
    assert "Next escalation:\n    level 2 paged" in section
    # Whom it pages and at what time (HH:MM: the viewer's zone with JavaScript, UTC without), counted down.
    said = (
        r'level 2 paged: <span class="paged-next"><strong>sre-manager</strong></span>\s+at <time [^>]*data-format="hm">'
    )
    assert re.search(said + f"{due:%H:%M} UTC</time>", section)
    assert f'data-countdown datetime="{due:%Y-%m-%dT%H:%M:%SZ}"' in section
    acknowledged = client.post("/api/incidents/INC-1/acknowledge", headers=READ)
    assert acknowledged.status_code == 200
    client.post("/api/incidents/INC-1/resolve", headers=READ)
    assert "No escalation pending." in text(client.get("/incidents/INC-1"))
