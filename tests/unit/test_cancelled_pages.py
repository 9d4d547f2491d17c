from incidents.paging import NOT_FOLLOWED_UP, cancels


def test_an_acknowledgement_cancels_unsent_policy_pages_and_re_pages():
    assert cancels("acknowledge", "0.1")
    assert cancels("acknowledge", "1.0.r2")
    assert cancels("acknowledge", "breach:response")


def test_an_acknowledgement_spares_responder_pages_because_someone_asked_for_that_person():
    assert not cancels("acknowledge", "responder")


def test_a_resolve_cancels_responder_pages_too():
    assert cancels("resolve", "responder")
    assert cancels("resolve", "0.0")


def test_no_follow_up_touches_a_budget_summary_because_it_stands_for_other_incidents_too():
    assert not cancels("acknowledge", "budget:1700000000")
    assert not cancels("resolve", "budget:1700000000")
    assert "budget:1700000000" in NOT_FOLLOWED_UP
    assert "0.0" not in NOT_FOLLOWED_UP and "responder" not in NOT_FOLLOWED_UP


def test_an_acknowledgement_spares_the_still_unresolved_rules_page_and_a_resolve_does_not():
    # The SEV2 rule escalates acknowledged or not: its page (step suffix .u) outlives an acknowledgement.
    assert not cancels("acknowledge", "0.1.u")
    assert cancels("resolve", "0.1.u")


def test_an_acknowledgement_spares_the_sev1_page_to_the_last_level_at_once_and_a_resolve_does_not():
    # SEV1 tells the manager at once: an acknowledgement arriving before that page is sent must not
    # cancel it (step suffix .s), or the manager never hears of the SEV1.
    assert not cancels("acknowledge", "0.1.s")
    assert cancels("resolve", "0.1.s")
    assert cancels("acknowledge", "0.1")
