"""Cover requests through the API and the real store: asked, told, taken by the first, refused to the rest,
withdrawn, and flagged to the team a day ahead when nobody took one."""

import dataclasses
import re
import threading
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from commands import cover, notices
from incidents.cover import Refused
from incidents.schedules import Layer, Schedule, final, on_call
from store import overrides
from store.tables import notices as outbox
from tests.integration.signing_in import csrf_token, signed_in
from tests.support import READ, applying_app

pytestmark = pytest.mark.both_databases


def with_rota(catalog):
    """Daily handoffs at 09:00 UTC since January 2026: alice, then oncall-sre (team sre)."""
    layer = Layer("daily", datetime(2026, 1, 5, 9), timedelta(days=1), ("alice", "oncall-sre"))
    return dataclasses.replace(catalog, schedules={"rota": Schedule("rota", "UTC", (layer,), team="sre")})


def next_shift(config, person):
    now = datetime.now(UTC)
    return next(
        s
        for s in final(config.schedules["rota"], now + timedelta(hours=1), now + timedelta(days=3))
        if s.person == person
    )


def iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def told(engine, prefix):
    with engine.connect() as conn:
        query = sa.select(outbox.c.key, outbox.c.recipients).where(outbox.c.key.startswith(prefix))
        return [tuple(row) for row in conn.execute(query.order_by(outbox.c.id))]


@pytest.fixture
def config(catalog):
    return with_rota(catalog)


@pytest.fixture
def api(settings, config, engine):
    return applying_app(settings, catalog=config, engine=engine).test_client()


def test_the_others_are_told_and_the_first_to_take_it_is_on_call_then(api, config, engine):
    shift = next_shift(config, "alice")
    body = {"user": "alice", "start": iso(shift.start), "end": iso(shift.end), "note": "dentist"}
    asked = api.post("/api/schedules/rota/cover-requests", json=body, headers=READ)
    assert asked.status_code == 201, asked.get_json()
    request = asked.get_json()
    assert (request["state"], request["user"], request["taken_by"]) == ("open", "alice", None)
    assert told(engine, "cover-asked:") == [(f"cover-asked:{request['id']}:email", ["oncall-sre"])]
    listed = api.get("/api/schedules/rota/cover-requests", headers=READ).get_json()["cover_requests"]
    assert [r["id"] for r in listed] == [request["id"]]

    took = api.post(
        f"/api/schedules/rota/cover-requests/{request['id']}/take", json={"user": "sre-manager"}, headers=READ
    )
    assert took.status_code == 200 and took.get_json()["state"] == "taken"
    with engine.connect() as conn:
        asked_overrides = overrides.meeting(conn, "rota", shift.start, shift.end)
    middle = shift.start + (shift.end - shift.start) / 2
    assert on_call(config.schedules["rota"], middle, asked_overrides) == "sre-manager"
    assert told(engine, "cover-taken:") == [(f"cover-taken:{request['id']}:email", ["alice"])]

    again = api.post(
        f"/api/schedules/rota/cover-requests/{request['id']}/take", json={"user": "oncall-sre"}, headers=READ
    )
    assert again.status_code == 409 and "taken" in again.get_json()["error"]
    gone = api.delete(f"/api/schedules/rota/cover-requests/{request['id']}", headers=READ)
    assert gone.status_code == 409


def test_only_the_person_on_call_can_ask_and_nobody_covers_their_own(api, config, engine):
    shift = next_shift(config, "alice")
    body = {"user": "oncall-sre", "start": iso(shift.start), "end": iso(shift.end)}
    refused = api.post("/api/schedules/rota/cover-requests", json=body, headers=READ)
    assert refused.status_code == 400
    assert refused.get_json()["fields"] == {"start": "oncall-sre is not on call for the whole of this time"}
    longer = {"user": "alice", "start": iso(shift.start), "end": iso(shift.end + timedelta(hours=1))}
    assert api.post("/api/schedules/rota/cover-requests", json=longer, headers=READ).status_code == 400
    unknown = {"user": "nobody", "start": iso(shift.start), "end": iso(shift.end)}
    assert "user" in api.post("/api/schedules/rota/cover-requests", json=unknown, headers=READ).get_json()["fields"]
    assert api.post("/api/schedules/nope/cover-requests", json=body, headers=READ).status_code == 404
    assert told(engine, "cover-") == []  # nothing refused was stored or told

    part = {
        "user": "alice",
        "start": iso(shift.start + timedelta(hours=2)),
        "end": iso(shift.start + timedelta(hours=4)),
    }
    request = api.post("/api/schedules/rota/cover-requests", json=part, headers=READ).get_json()
    own = api.post(f"/api/schedules/rota/cover-requests/{request['id']}/take", json={"user": "alice"}, headers=READ)
    assert own.status_code == 409
    assert api.delete(f"/api/schedules/rota/cover-requests/{request['id']}", headers=READ).status_code == 204
    assert api.get("/api/schedules/rota/cover-requests", headers=READ).get_json()["cover_requests"][0]["state"] == (
        "cancelled"
    )
    assert api.delete("/api/schedules/rota/cover-requests/999", headers=READ).status_code == 404
    assert api.post("/api/schedules/rota/cover-requests", json=body).status_code == 401


def test_an_untaken_request_is_flagged_to_the_team_a_day_before_it_starts(config, engine):
    shift = next_shift(config, "alice")
    asked_at = shift.start - timedelta(days=2)
    request = cover.ask(engine, "rota", "alice", shift.start, shift.end, catalog=config, now=asked_at, actor="alice")
    notices.look(engine, config, now=shift.start - timedelta(days=1, minutes=1))
    assert told(engine, "cover-untaken:") == []
    notices.look(engine, config, now=shift.start - timedelta(hours=23))
    assert told(engine, "cover-untaken:") == [
        (f"cover-untaken:{request.id}:email", ["oncall-sre", "sre-manager", "alice"])
    ]


@pytest.mark.postgresql_only
def test_two_people_taking_at_once_one_gets_it(config, engine):
    shift = next_shift(config, "alice")
    now = datetime.now(UTC)
    request = cover.ask(engine, "rota", "alice", shift.start, shift.end, catalog=config, now=now, actor="alice")
    outcomes, start = [], threading.Barrier(2)

    def taker(person):
        start.wait()
        try:
            cover.take(engine, "rota", request.id, person, catalog=config, now=now, actor=person)
            outcomes.append(person)
        except Refused:
            outcomes.append("refused")

    threads = [threading.Thread(target=taker, args=(p,)) for p in ("oncall-sre", "sre-manager")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("refused") == 1
    with engine.connect() as conn:
        assert len(overrides.meeting(conn, "rota", shift.start, shift.end)) == 1


def local_input(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M")  # in UTC, alice's zone in this test


def test_on_the_web_alice_asks_from_her_page_and_the_first_colleague_takes_it(settings, catalog, engine):
    config = dataclasses.replace(
        with_rota(catalog),
        people=catalog.people
        | {
            "alice": dataclasses.replace(catalog.people["alice"], time_zone="UTC"),
        },
    )
    app = applying_app(settings, catalog=config, engine=engine)
    alice, colleague = signed_in(app.test_client(), engine, "alice"), signed_in(app.test_client(), engine, "oncall-sre")
    shift = next_shift(config, "alice")
    page = alice.get("/me?cover=0").get_data(as_text=True)
    assert 'href="/me?cover=0#ask-cover">Ask for cover</a>' in page
    assert 'name="schedule"' in page and '<option value="rota" selected>' in page

    token = csrf_token(page)
    wrong = {
        "csrf_token": token,
        "schedule": "rota",
        "start": local_input(shift.start),
        "end": "tomorrow",
        "note": "train",
    }
    refused = alice.post("/me/cover-requests", data=wrong)
    assert refused.status_code == 400
    html = refused.get_data(as_text=True)
    assert 'id="cover-end-error">Give a date and time' in html and 'value="train"' in html  # kept
    assert told(engine, "cover-") == []

    form = wrong | {"end": local_input(shift.end)}
    asked = alice.post("/me/cover-requests", data=form, follow_redirects=True).get_data(as_text=True)
    assert "Cover asked on rota" in asked and "nobody has taken it yet" in asked

    theirs = colleague.get("/me").get_data(as_text=True)
    assert "Asked of you" in theirs and "<strong>alice</strong> asks for cover on rota" in theirs
    assert "<strong>alice</strong> asks for cover:" in colleague.get("/schedules/rota").get_data(as_text=True)
    [request_id] = re.findall(r"/schedules/rota/cover-requests/(\d+)/take", theirs)
    taken = colleague.post(
        f"/schedules/rota/cover-requests/{request_id}/take",
        data={"csrf_token": csrf_token(theirs)},
        follow_redirects=True,
    )
    assert "You cover alice on rota" in taken.get_data(as_text=True)
    assert "covered by oncall-sre" in alice.get("/me").get_data(as_text=True)
    again = colleague.post(f"/schedules/rota/cover-requests/{request_id}/take", data={"csrf_token": csrf_token(theirs)})
    assert "Not taken: cover request" in colleague.get(again.headers["Location"]).get_data(as_text=True)
