"""The report through its doors: the JSON API (API token), the page and its CSV (signed in), the CLI, /metrics.

The four incidents of tests/report_cases.py opened on 2026-05-01; judged at today's time, the two still
open are past every deadline they have.
"""

import csv
import io

import pytest
from click.testing import CliRunner

from cli.main import cli
from tests.integration.signing_in import signed_in
from tests.report_cases import store_cases
from tests.support import READ

RANGE = "since=2026-05-01&until=2026-05-02"


@pytest.fixture
def cases(engine):
    store_cases(engine)
    return engine


def test_the_api_answers_the_figures_by_severity_and_service(client, cases):
    answer = client.get(f"/api/reports?{RANGE}", headers=READ)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    body = answer.get_json()
    assert (body["since"], body["until"]) == ("2026-05-01T00:00:00Z", "2026-05-02T00:00:00Z")
    total = body["total"]
    assert (total["incidents"], total["open"], total["mtta_seconds"], total["mttr_seconds"]) == (4, 2, 1140.0, 2640.0)
    assert total["targets"]["mitigation"] == {"met": 1, "breached": 3, "pending": 0, "met_share": 0.25}
    assert total["targets"]["postmortem"] == {"met": 1, "breached": 1, "pending": 0, "met_share": 0.5}
    assert total["actions"] == {"total": 5, "done_in_time": 3, "share": 0.6}
    assert total["follow_ups"] == {"on_time": 1, "late": 2, "pending": 0, "on_time_share": 0.3333}
    assert [g["severity"] for g in body["by_severity"]] == ["SEV1", "SEV3"]
    assert [(g["service"], g["incidents"]) for g in body["by_service"]] == [("api", 2), ("db", 2)]
    assert body["by_service"][0]["phase_seconds"]["mitigation"] == 1200.0


def test_the_api_filters_and_names_a_wrong_parameter(client, cases):
    only = client.get(f"/api/reports?{RANGE}&service=db&severity=SEV3", headers=READ).get_json()
    assert only["total"]["incidents"] == 2 and [g["service"] for g in only["by_service"]] == ["db"]
    wrong = client.get("/api/reports?since=yesterday", headers=READ)
    assert wrong.status_code == 400 and "since:" in wrong.get_data(as_text=True)
    assert client.get(f"/api/reports?{RANGE}").status_code == 401


def test_the_page_shows_the_tables_to_a_signed_in_person(client, cases):
    assert client.get(f"/reports?{RANGE}").status_code == 302  # to the sign-in form
    html = signed_in(client, cases).get(f"/reports?{RANGE}").get_data(as_text=True)
    assert "<h1>Reports</h1>" in html and "chart.umd.min.js" in html
    assert '<th scope="row">api</th><td>2</td><td>1</td><td>8 min</td><td>58 min</td>' in html
    assert "25% (1/4)" in html  # mitigation, all incidents
    assert "no post-mortem documents yet" not in html and "no due date yet" not in html
    follow_ups = '<th scope="row">follow-ups</th><td>1</td><td>2</td><td>0</td><td>33% (1/3)</td>'
    assert follow_ups in html  # A's on time and late ones, C's open past its due date


def test_the_csv_has_a_row_for_all_then_each_severity_and_service(client, cases):
    answer = signed_in(client, cases).get(f"/reports.csv?{RANGE}")
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(answer.get_data(as_text=True))))
    assert [(r["group"], r["name"], r["incidents"]) for r in rows] == [
        ("all", "", "4"),
        ("severity", "SEV1", "2"),
        ("severity", "SEV3", "2"),
        ("service", "api", "2"),
        ("service", "db", "2"),
    ]
    assert (rows[0]["mtta_seconds"], rows[0]["response_met"], rows[0]["response_met_share"]) == (
        "1140.0",
        "2",
        "0.6667",
    )


def test_the_cli_prints_a_table(settings, cases):
    environ = {"DATABASE_URL": settings.database_url, "INCIDENTS_CONFIG": str(settings.config_dir)}
    result = CliRunner().invoke(
        cli, ["report", "--since", "2026-05-01", "--until", "2026-05-02"], env=environ, catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "Incidents opened 2026-05-01T00:00:00Z to 2026-05-02T00:00:00Z; targets met (met/decided)"
    assert (
        lines[1].split()
        == "incidents open MTTA MTTR response mitigation recovery post-mortem actions follow-ups".split()
    )
    assert lines[-1].split() == [
        "all",
        "4",
        "2",
        "19",
        "min",
        "44",
        "min",
        "67%",
        "(2/3)",
        "25%",
        "(1/4)",
        "50%",
        "(2/4)",
    ] + [
        "50%",
        "(1/2)",
        "3/5",
        "33%",
        "(1/3)",  # follow-ups: A's on time and late, C's open past its due date
    ]


def test_the_cli_names_a_wrong_option(settings, cases):
    environ = {"DATABASE_URL": settings.database_url, "INCIDENTS_CONFIG": str(settings.config_dir)}
    result = CliRunner().invoke(cli, ["report", "--severity", "SEV9"], env=environ)
    assert result.exit_code == 2 and "--severity:" in result.output


def test_metrics_carry_time_to_acknowledge_and_resolve_histograms(client, cases):
    text = client.get("/metrics").get_data(as_text=True)
    assert 'incidents_time_to_acknowledge_seconds_bucket{le="600.0",service="api",severity="SEV1"} 1.0' in text
    assert 'incidents_time_to_acknowledge_seconds_bucket{le="300.0",service="api",severity="SEV1"} 0.0' in text
    assert 'incidents_time_to_resolve_seconds_sum{service="db",severity="SEV3"} 1800.0' in text
    assert 'incidents_time_to_resolve_seconds_count{service="api",severity="SEV1"} 1.0' in text


def test_the_cli_names_the_known_services_for_an_unknown_one(settings, cases):
    environ = {"DATABASE_URL": settings.database_url, "INCIDENTS_CONFIG": str(settings.config_dir)}
    result = CliRunner().invoke(cli, ["report", "--service", "nope"], env=environ)
    assert result.exit_code == 2
    assert result.output.strip() == (
        "--service: no service nope (known: payment-service, production-api, api, db)"
    )  # configured, then those only stored incidents name
    known = CliRunner().invoke(
        cli, ["report", "--service", "db", "--since", "2026-05-01", "--until", "2026-05-02"], env=environ
    )
    assert known.exit_code == 0 and known.output.splitlines()[-1].split()[:2] == ["all", "2"]
