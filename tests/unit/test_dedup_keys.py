from incidents.paging import dedup_key, summary_dedup_key


def test_one_dedup_key_per_incident_and_target_for_the_first_loop():
    assert dedup_key(7, "user", "oncall-sre", "0.0") == "incident-7-user-oncall-sre"
    assert dedup_key(7, "user", "oncall-sre", "0.1") == dedup_key(7, "user", "oncall-sre", "responder")


def test_later_loops_and_re_pages_get_keys_of_their_own_so_pagerduty_notifies_again():
    keys = {dedup_key(7, "user", "oncall-sre", step) for step in ("0.0", "1.0", "0.0.r1", "1.0.r2")}
    assert keys == {
        "incident-7-user-oncall-sre",
        "incident-7-user-oncall-sre-l1",
        "incident-7-user-oncall-sre-r1",
        "incident-7-user-oncall-sre-l1-r2",
    }


def test_a_lifecycle_notice_is_an_alert_of_its_own():
    assert dedup_key(7, "user", "alice", "breach:response") == "incident-7-user-alice-breach-response"


def test_a_budget_summary_has_one_key_per_target_and_period_apart_from_incidents():
    assert summary_dedup_key("user", "alice", 1700000000) == "budget-user-alice-1700000000"
    assert len(summary_dedup_key("user", "a" * 300, 1700000000)) == 230 + len("-1700000000")
