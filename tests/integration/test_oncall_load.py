"""The on-call load report (#16 §6) through its doors: the API, the page and its CSV, the CLI; from periods
recorded by beat's look and rows seeded as the app writes them.

The week of Monday 1 June 2026 (UTC): oncall-sre on call until Friday 18:00, alice from then on into the
next week; alice lives in Berlin (UTC+2 in June), everyone else in UTC.
"""

import csv
import dataclasses
import io
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from cli.main import cli
from commands.notices import look
from commands.oncall_load import load_report
from incidents.schedules import Layer, Schedule
from store.tables import incidents, oncall_periods, pages, timeline
from tests.integration.signing_in import signed_in
from tests.support import READ, applying_app

pytestmark = pytest.mark.both_databases

RANGE = "since=2026-06-01&until=2026-06-08"


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def in_berlin(catalog, name="alice"):
    zoned = dataclasses.replace(catalog.people[name], time_zone="Europe/Berlin")
    return dataclasses.replace(catalog, people=catalog.people | {name: zoned})


def incident(conn, number: int) -> int:
    row = {"number": number, "service": "api", "group_key": f"g{number}", "group_hash": f"h{number}"}
    row |= {"status": "triggered", "severity": 2, "title": f"case {number}", "source": "test"}
    row |= {"opened_at": utc(2026, 6, 5), "last_alert_at": utc(2026, 6, 5), "alert_events": 1}
    row |= {"open_token": number, "policy": {}}
    return conn.execute(sa.insert(incidents).values(row).returning(incidents.c.id)).scalar_one()


def page(conn, incident_id: int, step: str, target: tuple[str, str], sent_at: datetime | None) -> None:
    kind, name = target
    row = {"incident_id": incident_id, "action": "trigger", "step": step, "target_kind": kind, "target_name": name}
    row |= {"routing_key": "key", "dedup_key": f"d-{step}-{name}", "reason": "test"}
    row |= {"status": "sent" if sent_at else "pending", "created_at": utc(2026, 6, 1), "due_at": utc(2026, 6, 1)}
    row |= {"next_attempt_at": utc(2026, 6, 1), "sent_at": sent_at}
    conn.execute(sa.insert(pages).values(row))


def commander(conn, incident_id: int, person: str, at: datetime) -> None:
    entry = {"incident_id": incident_id, "at": at, "kind": "commander", "message": f"{person} took command"}
    conn.execute(sa.insert(timeline).values(entry | {"data": {"commander": person}, "actor": person}))


@pytest.fixture
def week(engine):
    """Periods, pages and commands of the week, written as the app writes them."""
    with engine.begin() as conn:
        periods = [
            ("rota", "oncall-sre", utc(2026, 5, 31, 12), utc(2026, 6, 5, 18)),
            ("rota", "alice", utc(2026, 6, 5, 18), utc(2026, 6, 8, 6)),
            ("db", "alice", utc(2026, 6, 6, 0), utc(2026, 6, 6, 12)),  # a second schedule at once: counted once
        ]
        for schedule, person, start, end in periods:
            conn.execute(sa.insert(oncall_periods).values(schedule=schedule, person=person, start_at=start, end_at=end))
        first, second = incident(conn, 1), incident(conn, 2)
        page(conn, first, "l1", ("user", "alice"), utc(2026, 6, 6, 1))  # 03:00 in Berlin
        page(conn, first, "l2", ("user", "alice"), utc(2026, 6, 6, 12))
        page(conn, first, "l3", ("user", "alice"), None)  # not sent: not received
        page(conn, first, "l4", ("team", "sre"), utc(2026, 6, 6, 1))  # a team's: nobody's in particular
        page(conn, second, "l1", ("user", "oncall-sre"), utc(2026, 6, 2, 23, 30))
        page(conn, second, "l2", ("user", "oncall-sre"), utc(2026, 6, 8, 1))  # after the range
        commander(conn, first, "alice", utc(2026, 6, 6, 1, 10))
        commander(conn, first, "sre-manager", utc(2026, 6, 6, 2))
        commander(conn, second, "oncall-sre", utc(2026, 5, 30))  # before the range
    return engine


# person: hours, night hours, weekend hours, pages, pages at night, incidents commanded
EXPECTED = {
    # Fri 20:00 to Mon 02:00 in Berlin (the range ends Monday 00:00 UTC): nights 10 + 10 + 4, the weekend whole.
    "alice": ("Europe/Berlin", 54.0, 24.0, 48.0, 2, 1, 1),
    # Monday 00:00 to Friday 18:00 UTC: Monday's 00:00-08:00 and four nights.
    "oncall-sre": ("UTC", 114.0, 48.0, 0.0, 1, 1, 0),
    "sre-manager": ("UTC", 0.0, 0.0, 0.0, 0, 0, 1),
}
FIELDS = ("time_zone", "hours", "night_hours", "weekend_hours", "pages", "night_pages", "commanded")


def test_the_api_answers_each_persons_load_on_their_own_clock(settings, catalog, week):
    client = applying_app(settings, catalog=in_berlin(catalog), engine=week).test_client()
    answer = client.get(f"/api/reports/oncall?{RANGE}", headers=READ)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    body = answer.get_json()
    assert (body["since"], body["until"]) == ("2026-06-01T00:00:00Z", "2026-06-08T00:00:00Z")
    assert {p["person"]: tuple(p[f] for f in FIELDS) for p in body["people"]} == EXPECTED
    assert [p["person"] for p in body["people"]] == ["alice", "oncall-sre", "sre-manager"]


def test_the_api_names_a_wrong_range_and_wants_a_token(client, week):
    wrong = client.get("/api/reports/oncall?since=yesterday", headers=READ)
    assert wrong.status_code == 400 and "since:" in wrong.get_data(as_text=True)
    backwards = client.get("/api/reports/oncall?since=2026-06-08&until=2026-06-01", headers=READ)
    assert backwards.status_code == 400 and "until:" in backwards.get_data(as_text=True)
    assert client.get(f"/api/reports/oncall?{RANGE}").status_code == 401


def test_the_page_shows_the_table_and_the_reports_page_links_to_it(settings, catalog, week):
    client = applying_app(settings, catalog=in_berlin(catalog), engine=week).test_client()
    assert client.get(f"/reports/oncall?{RANGE}").status_code == 302  # to the sign-in form
    html = signed_in(client, week).get(f"/reports/oncall?{RANGE}").get_data(as_text=True)
    assert "<h1>On-call load</h1>" in html and "<script" not in html.split("</nav>", 1)[1].split("</main>")[0]
    assert '<th scope="row">alice</th><td>54.0</td><td>24.0</td>' in html
    assert "<td>48.0</td><td>2</td><td>1</td>" in html and "Europe/Berlin" in html
    assert 'href="/reports/oncall.csv?since=2026-06-01&amp;until=2026-06-08"' in html
    assert 'href="/reports/oncall"' in client.get(f"/reports?{RANGE}").get_data(as_text=True)


def test_the_page_shows_a_wrong_range_and_the_last_30_days_instead(client, week):
    answer = signed_in(client, week).get("/reports/oncall?since=someday")
    assert answer.status_code == 400 and "Showing the last 30 days instead" in answer.get_data(as_text=True)


def test_the_csv_has_a_row_per_person(settings, catalog, week):
    client = signed_in(applying_app(settings, catalog=in_berlin(catalog), engine=week).test_client(), week)
    answer = client.get(f"/reports/oncall.csv?{RANGE}")
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    assert "oncall-load-20260601-20260608.csv" in answer.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(answer.get_data(as_text=True))))
    got = {
        r["person"]: (r["time_zone"], *(float(r[f]) for f in FIELDS[1:4]), *(int(r[f]) for f in FIELDS[4:]))
        for r in rows
    }
    assert got == EXPECTED


def test_the_cli_prints_a_table_and_csv(settings, week):
    environ = {"DATABASE_URL": settings.database_url, "INCIDENTS_CONFIG": str(settings.config_dir)}
    args = ["report", "--oncall", "--since", "2026-06-01", "--until", "2026-06-08"]
    table = CliRunner().invoke(cli, args, env=environ, catch_exceptions=False)
    assert table.exit_code == 0, table.output
    lines = table.output.splitlines()
    assert lines[0].startswith("On-call load 2026-06-01T00:00:00Z to 2026-06-08T00:00:00Z")
    assert lines[1].split() == "person hours nights weekends pages at night commanded time zone".split()
    # The example people.yaml puts alice in Paris (UTC+2 in June, as Berlin): the figures of EXPECTED.
    assert lines[2].split() == ["alice", "54.0", "24.0", "48.0", "2", "1", "1", "Europe/Paris"]
    assert lines[3].split() == ["oncall-sre", "114.0", "48.0", "0.0", "1", "1", "0", "UTC"]
    as_csv = CliRunner().invoke(cli, [*args, "--csv"], env=environ, catch_exceptions=False)
    assert (
        as_csv.output.splitlines()[0] == "person,time_zone,hours,night_hours,weekend_hours,pages,night_pages,commanded"
    )
    wrong = CliRunner().invoke(cli, [*args, "--service", "api"], env=environ)
    assert wrong.exit_code == 2 and "--oncall" in wrong.output


def test_periods_recorded_by_beats_look_count_and_the_current_one_runs_to_now(catalog, engine):
    rota = Schedule("rota", "UTC", (Layer("daily", datetime(2026, 1, 5, 9), timedelta(days=1), ("alice", "bob")),))
    with_rota = dataclasses.replace(catalog, schedules={"rota": rota})
    first = utc(2026, 6, 3, 6)  # alice's turn: 2 June 09:00 to 3 June 09:00
    look(engine, with_rota, now=first)
    look(engine, with_rota, now=first + timedelta(hours=5))  # records 06:00 to 11:00: alice to 09:00, bob after
    now = first + timedelta(hours=5, minutes=1)  # a minute after the last look: bob is still on call
    found = load_report(engine, with_rota, since=utc(2026, 6, 1), until=utc(2026, 6, 8), now=now)
    assert [(p.person, p.on_call / 3600) for p in found.people] == [("alice", 3.0), ("bob", 2 + 1 / 60)]
    later = load_report(engine, with_rota, since=utc(2026, 6, 1), until=utc(2026, 6, 8), now=now + timedelta(hours=3))
    assert [p.on_call / 3600 for p in later.people] == [3.0, 2.0]  # beat stopped looking: only what is recorded


def test_the_api_is_documented_with_its_parameters_and_answer(client):
    document = client.get("/openapi.json").get_json()
    operation = document["paths"]["/api/reports/oncall"]["get"]
    assert operation["security"] == [{"apiToken": []}]
    assert {p["name"] for p in operation["parameters"]} == {"since", "until"}
    assert {"400", "401", "503"} <= set(operation["responses"])
    person = document["components"]["schemas"]["reports.PersonLoad"]["properties"]
    assert set(person) == {"person", "time_zone", *FIELDS}
