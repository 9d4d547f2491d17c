from incidents.page_steps import RESPONDER, PageStep, StepKind, level, notice
from incidents.paging import dedup_key, summary_dedup_key


def test_one_dedup_key_per_incident_and_target_for_the_first_loop():
    assert dedup_key(7, "user", "oncall-sre", level(0, 0)) == "incident-7-user-oncall-sre"
    assert dedup_key(7, "user", "oncall-sre", level(0, 1)) == dedup_key(7, "user", "oncall-sre", RESPONDER)


def test_later_loops_and_re_pages_get_keys_of_their_own_so_pagerduty_notifies_again():
    steps = (level(0, 0), level(1, 0), level(0, 0, 1), level(1, 0, 2))
    keys = {dedup_key(7, "user", "oncall-sre", step) for step in steps}
    assert keys == {
        "incident-7-user-oncall-sre",
        "incident-7-user-oncall-sre-l1",
        "incident-7-user-oncall-sre-r1",
        "incident-7-user-oncall-sre-l1-r2",
    }


def test_the_rules_pages_keep_the_keys_they_had_before_steps_were_typed():
    # An incident open across the upgrade acknowledges and resolves at PagerDuty by these keys.
    assert dedup_key(7, "user", "m", PageStep(StepKind.AT_ONCE, 0, 1)) == "incident-7-user-m-s"
    assert dedup_key(7, "user", "m", PageStep(StepKind.UNRESOLVED, 1, 1)) == "incident-7-user-m-l1-u"


def test_a_lifecycle_notice_is_an_alert_of_its_own():
    assert dedup_key(7, "user", "alice", notice("breach:response")) == "incident-7-user-alice-breach-response"
    reminder = PageStep(StepKind.REMINDER, name="fu7r0:due")
    assert dedup_key(7, "team", "sre", reminder) == "incident-7-team-sre-fu7r0-due"


def test_a_budget_summary_has_one_key_per_target_and_period_apart_from_incidents():
    assert summary_dedup_key("user", "alice", 1700000000) == "budget-user-alice-1700000000"
    assert len(summary_dedup_key("user", "a" * 300, 1700000000)) == 230 + len("-1700000000")
