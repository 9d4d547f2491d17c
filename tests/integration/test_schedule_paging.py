"""A level that targets a schedule pages the person on call then, through the real intake and store."""

import dataclasses
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from cli.main import cli
from incidents.policy import EscalationPolicy, Level, Target
from incidents.schedules import Layer, Schedule, handoff
from store.tables import pages, schedule_overrides, timeline
from tests.integration.spoiling import BEARER, firing_alert, webhook
from tests.support import READ, applying_app

pytestmark = pytest.mark.both_databases


def with_schedule(catalog, participants: tuple[str, ...]):
    """The example config with production-api's first level paging schedule `rota` (`participants`)."""
    rota = Schedule(
        "rota", "Europe/Berlin", (Layer("weekly", datetime(2026, 1, 5, 9), timedelta(weeks=1), participants),)
    )
    service = catalog.service("production-api")
    levels = (Level((Target("schedule", "rota"),), timedelta(minutes=30)), *service.escalation_policy.levels[1:])
    service = dataclasses.replace(service, escalation_policy=EscalationPolicy(levels))
    services = tuple(service if s.name == service.name else s for s in catalog.services)
    return dataclasses.replace(catalog, services=services, schedules={"rota": rota})


def paged(engine):
    with engine.connect() as conn:
        query = sa.select(pages.c.target_kind, pages.c.target_name, pages.c.routing_key).where(
            pages.c.action == "trigger"
        )
        return [tuple(row) for row in conn.execute(query.order_by(pages.c.id))]


def said(engine, kind):
    with engine.connect() as conn:
        return conn.execute(sa.select(timeline.c.message).where(timeline.c.kind == kind)).scalars().all()


def test_the_person_on_call_is_paged_with_their_routing_key_and_named_on_the_timeline(settings, catalog, engine):
    client = applying_app(settings, catalog=with_schedule(catalog, ("alice",)), engine=engine).test_client()
    assert client.post("/webhooks/alertmanager", json=webhook(firing_alert()), headers=BEARER).status_code == 200
    assert paged(engine) == [("user", "alice", catalog.people["alice"].routing_key)]
    assert said(engine, "paged") == ["Paging level 1 (schedule rota: alice): first level"]


def test_nobody_on_call_skips_to_the_next_level_at_once(settings, catalog, engine):
    nobody = with_schedule(catalog, ("alice",))
    rota = nobody.schedules["rota"]
    later = dataclasses.replace(rota.layers[0], start=datetime(2100, 1, 4, 9))  # starts in 2100: nobody yet
    nobody = dataclasses.replace(nobody, schedules={"rota": dataclasses.replace(rota, layers=(later,))})
    client = applying_app(settings, catalog=nobody, engine=engine).test_client()
    assert client.post("/webhooks/alertmanager", json=webhook(firing_alert()), headers=BEARER).status_code == 200
    assert [name for _, name, _ in paged(engine)] == ["sre-manager"]
    assert said(engine, "nobody_on_call") == ["Nobody is on call on schedule rota"]


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def test_an_override_made_through_the_api_is_who_gets_the_page_and_deleting_it_ends_it(settings, catalog, engine):
    client = applying_app(settings, catalog=with_schedule(catalog, ("alice",)), engine=engine).test_client()
    now = datetime.now(UTC)
    body = {"user": "oncall-sre", "start": iso(now - timedelta(hours=1)), "end": iso(now + timedelta(hours=2))}
    created = client.post("/api/schedules/rota/overrides", json=body, headers=READ)
    assert created.status_code == 201
    assert client.post("/webhooks/alertmanager", json=webhook(firing_alert()), headers=BEARER).status_code == 200
    assert [name for _, name, _ in paged(engine)] == ["oncall-sre"]
    with engine.connect() as conn:
        start = conn.execute(sa.select(schedule_overrides.c.start_at)).scalar_one()
    assert start >= now  # begun in the past: it counts from when it was made
    override = f"/api/schedules/rota/overrides/{created.get_json()['id']}"
    assert client.delete(override, headers=READ).status_code == 204
    assert client.delete(override, headers=READ).status_code == 404


def test_a_wrong_override_is_refused_with_the_field_and_stores_nothing(settings, catalog, engine):
    client = applying_app(settings, catalog=with_schedule(catalog, ("alice",)), engine=engine).test_client()
    now = datetime.now(UTC)
    good = {"user": "alice", "start": iso(now), "end": iso(now + timedelta(hours=1))}
    wrong = [
        ("rota", good | {"user": "mallory"}, 400, "user"),
        ("rota", good | {"end": iso(now - timedelta(hours=1))}, 400, "end"),
        ("rota", good | {"start": "tomorrow"}, 400, "start"),
        ("nowhere", good, 404, None),
    ]
    for schedule, body, status, field in wrong:
        answer = client.post(f"/api/schedules/{schedule}/overrides", json=body, headers=READ)
        assert answer.status_code == status, (body, answer.get_json())
        assert field is None or field in answer.get_json()["fields"]
    assert client.post("/api/schedules/rota/overrides", json=good).status_code == 401
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(schedule_overrides)).scalar_one() == 0


def test_oncalls_lists_each_persons_whole_period_and_a_services_levels(settings, catalog, engine):
    rota = with_schedule(catalog, ("alice", "oncall-sre"))
    client = applying_app(settings, catalog=rota, engine=engine).test_client()
    layer, zone = rota.schedules["rota"].layers[0], ZoneInfo("Europe/Berlin")
    week = (datetime.now(UTC) - layer.start.replace(tzinfo=UTC)) // timedelta(weeks=1) - 2  # two weeks ago
    handoffs = [handoff(layer, week + n, zone) for n in range(3)]
    since, until = iso(handoffs[0] + timedelta(days=1)), iso(handoffs[1] + timedelta(days=1))
    answer = client.get(f"/api/oncalls?schedule=rota&since={since}&until={until}", headers=READ)
    assert answer.status_code == 200
    # Weekly from a Monday 09:00 in Berlin: whole periods, not cut at the range.
    first, second = ("alice", "oncall-sre") if week % 2 == 0 else ("oncall-sre", "alice")
    assert [(e["user"]["name"], e["start"], e["end"]) for e in answer.get_json()["oncalls"]] == [
        (first, iso(handoffs[0]), iso(handoffs[1])),
        (second, iso(handoffs[1]), iso(handoffs[2])),
    ]
    levels = client.get("/api/oncalls?service=production-api", headers=READ).get_json()["oncalls"]
    assert [(e["escalation_level"], e.get("schedule"), e["user"]["name"]) for e in levels][1:] == [
        (2, None, "sre-manager")
    ]
    assert levels[0]["schedule"] == {"name": "rota"} and levels[0]["user"]["name"] in ("alice", "oncall-sre")
    assert client.get("/api/oncalls?schedule=nowhere", headers=READ).status_code == 400
    # Rotations are computed, not stored: a range of centuries would take the web for minutes.
    too_long = client.get(f"/api/oncalls?since={since}&until=2426-09-29T17:27:22Z", headers=READ)
    assert too_long.status_code == 400 and "until" in too_long.get_json()["fields"]
    too_old = client.get("/api/oncalls?since=0741-08-02T05:31:06Z", headers=READ)
    assert too_old.status_code == 400 and "since" in too_old.get_json()["fields"]
    assert client.get("/api/oncalls").status_code == 401


def test_the_oncall_command_prints_who_is_on_call_and_until_when(settings, engine):
    environ = {"DATABASE_URL": settings.database_url, "INCIDENTS_CONFIG": str(settings.config_dir)}

    def run(*args):
        return CliRunner().invoke(cli, ["oncall", *args], env=environ, catch_exceptions=False)

    # The example schedule: weekly from Monday 30 November 2026 09:00 New York (14:00 UTC), oncall-sre
    # first; business hours on weekdays, alice first. Whole periods: the weekend's oncall-sre runs on
    # through Monday's business hours, which are oncall-sre's turn too.
    assert run("--at", "2026-11-30T15:00:00Z").output == (
        "sre-primary: alice from 2026-11-30T14:00:00Z until 2026-11-30T23:00:00Z\n"
    )
    assert run("--at", "2026-12-05T12:00:00Z").output == (
        "sre-primary: oncall-sre from 2026-12-04T23:00:00Z until 2026-12-07T23:00:00Z\n"
    )
    assert run("--at", "2026-11-01T12:00:00Z").output == "sre-primary: nobody\n"  # before the first handoff
    wrong = run("--schedule", "nowhere")
    assert wrong.exit_code != 0 and 'no schedule called "nowhere"' in wrong.output
