from store.escalation import dedup_key


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
