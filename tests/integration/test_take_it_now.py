""" "I'll take it from here": the command and POST /api/schedules/<name>/take, recorded under who acted."""

from datetime import UTC, datetime, timedelta

import pytest

from commands.schedules import take_now
from commands.work import NotFound
from incidents.actors import Actor
from incidents.schedules import on_call
from incidents.utc import iso, utc
from tests.integration.rotas import SHIFT, hour_ago, rota, stored_overrides, with_rota
from tests.support import READ, applying_app

pytestmark = pytest.mark.both_databases


def test_taking_it_makes_the_person_on_call_from_now_until_the_end_of_the_current_shift(catalog, engine):
    catalog, now = with_rota(catalog), datetime.now(UTC)
    taken = take_now(engine, "rota", "oncall-sre", catalog=catalog, now=now, actor=Actor.person("oncall-sre"))
    assert (taken.person, taken.start, taken.end) == ("oncall-sre", now, (hour_ago() + SHIFT).replace(tzinfo=UTC))
    (row,) = stored_overrides(engine)
    assert (row.person, row.created_by, row.id) == ("oncall-sre", "oncall-sre", taken.id)
    assert on_call(catalog.schedules["rota"], now + timedelta(minutes=1), [taken]) == "oncall-sre"


def test_taking_it_with_nobody_on_call_lasts_until_the_next_shift_or_12_hours(catalog, engine):
    now = datetime.now(UTC)
    soon = rota("soon", start=hour_ago() + timedelta(days=2))
    never = rota("never", start=hour_ago() + timedelta(days=30))
    catalog = with_rota(catalog, soon, never)
    taken = take_now(engine, "soon", "oncall-sre", catalog=catalog, now=now, actor="oncall-sre")
    assert taken.end == (hour_ago() + timedelta(days=2)).replace(tzinfo=UTC)
    taken = take_now(engine, "never", "oncall-sre", catalog=catalog, now=now, actor="oncall-sre")
    assert taken.end == now + timedelta(hours=12)


def test_the_person_on_call_cannot_take_it_again_and_an_unknown_schedule_is_not_found(catalog, engine):
    catalog, now = with_rota(catalog), datetime.now(UTC)
    with pytest.raises(Exception, match="alice is on call on rota already"):
        take_now(engine, "rota", "alice", catalog=catalog, now=now, actor="alice")
    with pytest.raises(NotFound):
        take_now(engine, "nowhere", "alice", catalog=catalog, now=now, actor="alice")
    assert stored_overrides(engine) == []


def test_the_api_takes_it_for_the_user_named_and_records_the_token_that_acted(settings, catalog, engine):
    client = applying_app(settings, catalog=with_rota(catalog), engine=engine).test_client()
    answer = client.post("/api/schedules/rota/take", json={"user": "oncall-sre"}, headers=READ)
    assert answer.status_code == 201, answer.get_json()
    body = answer.get_json()
    assert set(body) == {"id", "user", "start", "end"} and body["user"] == "oncall-sre"
    assert body["end"] == iso(utc(hour_ago() + SHIFT))
    (row,) = stored_overrides(engine)
    assert row.id == body["id"] and "example-operator" in row.created_by
    levels = client.get("/api/oncalls?service=production-api", headers=READ).get_json()["oncalls"]
    assert levels[0]["user"]["name"] == "oncall-sre"


@pytest.mark.parametrize(
    ("schedule", "body", "status", "field"),
    [
        ("rota", {"user": "nobody-we-know"}, 400, "user"),
        ("rota", {}, 400, "user"),
        ("rota", {"user": "alice"}, 400, "user"),  # on call already
        ("nowhere", {"user": "alice"}, 404, None),
    ],
)
def test_the_api_refuses_a_wrong_take_and_stores_nothing(settings, catalog, engine, schedule, body, status, field):
    client = applying_app(settings, catalog=with_rota(catalog), engine=engine).test_client()
    answer = client.post(f"/api/schedules/{schedule}/take", json=body, headers=READ)
    assert answer.status_code == status, answer.get_json()
    assert field is None or field in answer.get_json()["fields"]
    assert client.post("/api/schedules/rota/take", json={"user": "oncall-sre"}).status_code == 401
    assert stored_overrides(engine) == []


def test_the_take_route_is_documented_with_its_schemas(client):
    document = client.get("/openapi.json").get_json()
    operation = document["paths"]["/api/schedules/{name}/take"]["post"]
    assert operation["security"] == [{"apiToken": []}]
    assert {"201", "400", "401", "404"} <= set(operation["responses"])
    assert {"schemas.Take", "answers.Taken"} <= set(document["components"]["schemas"])
