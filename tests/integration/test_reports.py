"""The report's SQL on PostgreSQL against hand-computed figures and against the pure tally of the same rows."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from incidents import reports
from incidents.reports import Outcome
from incidents.severity import Severity
from store import reports as stored_reports
from store.db import create_engine
from store.histograms import milestone_buckets
from store.migrate import upgrade
from tests.report_cases import DAY, LATE_UNACKNOWLEDGED, NOW, C, store_cases

WHOLE_DAY = reports.Scope(DAY, DAY + timedelta(days=1))


@pytest.fixture
def cases(engine):
    store_cases(engine)
    return engine


def build(engine, catalog, scope=WHOLE_DAY):
    with engine.connect() as conn:
        return stored_reports.build(conn, scope, catalog, NOW)


def test_the_sql_gives_the_hand_computed_figures(cases, catalog):
    total = build(cases, catalog).total
    assert (total.incidents, total.open, total.acknowledged, total.resolved) == (4, 2, 2, 2)
    assert (total.mtta, total.mttr) == ((8 + 30) * 60 / 2, (58 + 30) * 60 / 2)
    assert [tuple(total.targets[name].values()) for name in reports.TARGETS] == [
        (3, 1, 0),
        (2, 1, 0),
        (1, 1, 2),
        (2, 0, 2),
        (1, 0, 1),
    ]
    assert (total.actions, total.actions_done_in_time) == (5, 3)
    assert tuple(total.follow_ups.values()) == (1, 1, 1)  # on time, late, pending; an undated one counts nowhere


def test_the_sql_agrees_with_the_pure_tally_of_the_same_rows(cases, catalog):
    with cases.connect() as conn:
        in_sql = stored_reports.tallies(conn, WHOLE_DAY, catalog, NOW)
        in_python = reports.tally(stored_reports.facts(conn, WHOLE_DAY), catalog.targets_for, NOW)
    assert in_sql == in_python


def test_a_resolution_nobody_acknowledged_meets_no_response_target_in_sql_as_in_python(engine, catalog):
    store_cases(engine, (C, LATE_UNACKNOWLEDGED))
    with engine.connect() as conn:
        in_sql = stored_reports.tallies(conn, WHOLE_DAY, catalog, NOW)
        in_python = reports.tally(stored_reports.facts(conn, WHOLE_DAY), catalog.targets_for, NOW)
    assert in_sql == in_python
    response = {severity: dict(one.targets["response"]) for (_, severity), one in in_sql.items()}
    assert response[Severity.SEV3] == {Outcome.MET: 0, Outcome.BREACHED: 0, Outcome.PENDING: 0}
    assert response[Severity.SEV1] == {Outcome.MET: 0, Outcome.BREACHED: 1, Outcome.PENDING: 0}


def test_filters_by_service_and_severity_and_range(cases, catalog):
    db_only = build(cases, catalog, reports.Scope(DAY, DAY + timedelta(days=1), services=("db",)))
    assert (db_only.total.incidents, list(db_only.by_service)) == (2, ["db"])
    sev1 = build(cases, catalog, reports.Scope(DAY, DAY + timedelta(days=1), severities=(Severity.SEV1,)))
    assert sev1.total.targets["response"][Outcome.BREACHED] == 1 and sev1.total.incidents == 2
    morning = build(cases, catalog, reports.Scope(DAY, DAY + timedelta(hours=11)))
    assert morning.total.incidents == 2  # C at 09:00 and A at 10:02; D opened at 11:00, the range's end


def test_histograms_count_each_acknowledgement_and_resolution_by_service_and_severity(cases):
    with cases.connect() as conn:
        buckets = milestone_buckets(conn)
    acks = {(b.service, b.severity): b for b in buckets["acknowledge"]}
    assert acks[("api", 1)].count == 1 and acks[("api", 1)].total == 480
    assert acks[("api", 1)].cumulative[:5] == (0, 0, 0, 0, 1)  # 8 minutes: within 10 minutes, not 5
    resolved = {(b.service, b.severity): (b.count, b.total) for b in buckets["resolve"]}
    assert resolved == {("api", 1): (1, 3480), ("db", 3): (1, 1800)}


def test_on_sqlite_the_pure_tally_gives_the_same_figures(cases, catalog, tmp_path):
    url = f"sqlite:///{tmp_path / 'incidents.db'}"
    upgrade(url)
    embedded = create_engine(url)
    store_cases(embedded)
    try:
        assert build(embedded, catalog) == build(cases, catalog)
    finally:
        embedded.dispose()


def test_the_migration_fills_the_phase_columns_of_incidents_already_there(tmp_path):
    url = f"sqlite:///{tmp_path / 'older.db'}"
    upgrade(url, "0011")  # the revision before 0012_report_columns
    older = create_engine(url)
    with older.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO incidents (id, number, service, group_key, group_hash, status, severity, title, source,"
                " opened_at, last_alert_at, alert_events, open_token, policy) VALUES (1, 1, 'api', 'g', 'h',"
                " 'resolved', 1, 't', 'test', '2026-05-01 10:02:00', '2026-05-01 10:02:00', 1, 1, '{}')"
            )
        )
        conn.execute(
            sa.text(
                "INSERT INTO incident_lifecycle (incident_id, phase, phase_times, problem_started_at, detected_at,"
                " status_word, affected, roles, pinned, breaches) VALUES (1, 'postmortem', :times,"
                " '2026-05-01 10:00:00', '2026-05-01 10:02:00', 'Resolved', '[]', '{}', '[]', '[]')"
            ),
            {"times": '[["detection", "2026-05-01T10:00:00+00:00"], ["postmortem", "2026-05-01T11:00:00+00:00"]]'},
        )
    upgrade(url)
    with older.connect() as conn:
        row = conn.execute(
            sa.text("SELECT entered_detection, entered_response, entered_postmortem FROM incident_lifecycle")
        ).one()
    older.dispose()
    assert row[0].startswith("2026-05-01 10:00:00") and row[1] is None and row[2].startswith("2026-05-01 11:00:00")
