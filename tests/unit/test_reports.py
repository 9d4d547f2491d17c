"""Report arithmetic on hand-computed incidents, two of them still open at the report's `now`."""

from datetime import timedelta

import pytest

from incidents.lifecycle import Phase
from incidents.reports import Outcome, outcome, phase_spans, report, tally
from incidents.severity import Severity
from incidents.targets import Targets
from tests.report_cases import DAY, NOW, A, B, C, D, at


@pytest.fixture
def result():
    groups = tally([A, B, C, D], lambda service: Targets(), NOW)
    return report(groups, since=DAY, until=DAY + timedelta(days=1), now=NOW)


def counts(tally_, target):
    return tuple(tally_.targets[target][o] for o in Outcome)  # (met, breached, pending)


def test_counts_mtta_from_opening_to_first_acknowledgement_and_mttr_to_resolution(result):
    total = result.total
    assert (total.incidents, total.open, total.acknowledged, total.resolved) == (4, 2, 2, 2)
    assert total.mtta == (8 * 60 + 30 * 60) / 2  # A 10:02 -> 10:10, D 11:00 -> 11:30
    assert total.mttr == (58 * 60 + 30 * 60) / 2  # A 10:02 -> 11:00, C 09:00 -> 09:30


def test_each_target_met_breached_or_pending_with_open_incidents_judged_at_now(result):
    total = result.total
    assert counts(total, "detection") == (3, 1, 0)  # B opened 10 minutes after its start
    # B unacknowledged past 12:15; C resolved unacknowledged within its 2 h: no response was owed, none came
    assert counts(total, "response") == (2, 1, 0)
    # SEV1 within 30 minutes, SEV3 within 4 hours: C at its resolution; A at 10:40 late; B, D not yet
    assert counts(total, "mitigation") == (1, 1, 2)
    assert counts(total, "recovery") == (2, 0, 2)
    assert counts(total, "postmortem") == (1, 0, 1)  # A done in 3 days; C due in 7; B, D not resolved
    assert total.met_share("mitigation") == pytest.approx(1 / 2)
    assert total.met_share("recovery") == 1.0


def test_follow_ups_with_a_due_date_count_as_closed_on_time_late_or_pending(result):
    # A: one closed on its due date, one two days after it; C: open, due tomorrow
    assert tuple(result.total.follow_ups.values()) == (1, 1, 1)
    assert result.total.follow_ups_share == 0.5
    late_at_now = tally([C], lambda service: Targets(), at("00:00", days=2))
    assert tuple(late_at_now[("db", Severity.SEV3)].follow_ups.values()) == (0, 1, 0)  # past its day: late


def test_by_severity_and_by_service(result):
    assert list(result.by_severity) == [Severity.SEV1, Severity.SEV3]
    sev1 = result.by_severity[Severity.SEV1]
    assert (sev1.incidents, counts(sev1, "response"), sev1.met_share("response")) == (2, (1, 1, 0), 0.5)
    assert result.by_service["db"].mttr == 30 * 60 and result.by_service["api"].mtta == 8 * 60
    assert result.by_service["api"].met_share("postmortem") == 1.0


def test_time_in_each_phase_counts_incidents_that_went_through_it(result):
    total = result.total
    assert total.phase_mean(Phase.DETECTION) == (10 + 30 + 30) * 60 / 3  # A, C (to resolution), D; B still in it
    assert total.phase_mean(Phase.RESPONSE) == 10 * 60  # A only: D is still in it
    assert total.phase_mean(Phase.MITIGATION) == total.phase_mean(Phase.RECOVERY) == 20 * 60
    assert total.phase_mean(Phase.POSTMORTEM) == 3 * 86400


def test_a_skipped_phase_is_not_counted_as_zero():
    assert phase_spans(C.lifecycle) == {Phase.DETECTION: 1800.0}


def test_actions_done_before_resolution(result):
    assert (result.total.actions, result.total.actions_done_in_time, result.total.actions_share) == (5, 3, 0.6)


def test_a_milestone_on_its_deadline_meets_it_and_an_open_one_breaches_at_its_deadline():
    due = at("10:30")
    assert outcome(due, due, NOW) == Outcome.MET
    assert outcome(None, due, due) == Outcome.BREACHED
    assert outcome(None, due, due - timedelta(seconds=1)) == Outcome.PENDING
    assert outcome(None, None, NOW) is None


def test_a_target_turned_off_is_neither_met_nor_breached():
    off = Targets(phases={"detection": timedelta(minutes=5)}, response={})
    groups = tally([A], lambda service: off, NOW)
    assert counts(groups[("api", Severity.SEV1)], "response") == (0, 0, 0)


def test_an_empty_range_has_no_means():
    empty = report({}, since=DAY, until=DAY, now=NOW)
    assert (empty.total.incidents, empty.total.mtta, empty.total.met_share("response")) == (0, None, None)


def test_a_range_reads_spans_dates_and_times_and_names_a_wrong_parameter():
    from werkzeug.datastructures import MultiDict

    from incidents.report_figures import scope_from

    args = MultiDict([("since", "2w"), ("service", "api,db"), ("service", "db"), ("severity", "sev1")])
    scope = scope_from(args, NOW)
    assert (scope.since, scope.until, scope.services, scope.severities) == (
        NOW - timedelta(weeks=2),
        NOW,
        ("api", "db"),
        (Severity.SEV1,),
    )
    dated = scope_from({"since": "2026-04-01", "until": "2026-05-01T02:00:00+02:00"}, NOW)
    assert (dated.since, dated.until) == (at("00:00", days=-30), DAY)
    for wrong, name in (({"since": "soon"}, "since:"), ({"since": "1d", "until": "2d"}, "until:")):
        with pytest.raises(ValueError, match=name):
            scope_from(wrong, NOW)


def test_durations_and_shares_read_as_people_write_them(result):
    from incidents.report_figures import duration_text, share_text

    texts = [duration_text(s) for s in (None, 45, 480, 490, 3480 + 3600, 3 * 86400 + 7200)]
    assert texts == ["-", "45 s", "8 min", "8 min 10 s", "1 h 58 min", "3 days 2 h"]
    assert (share_text(result.total, "mitigation"), share_text(result.total, "postmortem")) == (
        "50% (1/2)",
        "100% (1/1)",
    )
