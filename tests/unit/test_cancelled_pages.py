from incidents.page_steps import RESPONDER, PageStep, StepKind, level, notice
from incidents.paging import NOT_FOLLOWED_UP, cancels

SUMMARY = PageStep(StepKind.SUMMARY, name="1700000000")
UNRESOLVED = PageStep(StepKind.UNRESOLVED, 0, 1)
AT_ONCE = PageStep(StepKind.AT_ONCE, 0, 1)


def test_an_acknowledgement_cancels_unsent_policy_pages_and_re_pages():
    assert cancels("acknowledge", level(0, 1))
    assert cancels("acknowledge", level(1, 0, 2))
    assert cancels("acknowledge", notice("breach:response"))


def test_an_acknowledgement_spares_responder_pages_because_someone_asked_for_that_person():
    assert not cancels("acknowledge", RESPONDER)


def test_a_resolve_cancels_responder_pages_too():
    assert cancels("resolve", RESPONDER)
    assert cancels("resolve", level(0, 0))


def test_no_follow_up_touches_a_budget_summary_because_it_stands_for_other_incidents_too():
    assert not cancels("acknowledge", SUMMARY)
    assert not cancels("resolve", SUMMARY)
    assert SUMMARY.kind in NOT_FOLLOWED_UP
    assert StepKind.LEVEL not in NOT_FOLLOWED_UP and StepKind.RESPONDER not in NOT_FOLLOWED_UP


def test_an_acknowledgement_spares_the_still_unresolved_rules_page_and_a_resolve_does_not():
    # The SEV2 rule escalates acknowledged or not: its page outlives an acknowledgement.
    assert not cancels("acknowledge", UNRESOLVED)
    assert cancels("resolve", UNRESOLVED)


def test_an_acknowledgement_spares_the_sev1_page_to_the_last_level_at_once_and_a_resolve_does_not():
    # SEV1 tells the manager at once: an acknowledgement arriving before that page is sent must not
    # cancel it, or the manager never hears of the SEV1.
    assert not cancels("acknowledge", AT_ONCE)
    assert cancels("resolve", AT_ONCE)
    assert cancels("acknowledge", level(0, 1))


def test_each_step_is_written_as_the_key_pages_stored_before_steps_were_typed():
    # The keys are the pages table's unique key and continue the rows stored before: they must not change.
    steps = (level(0, 1), level(1, 0, 2), AT_ONCE, UNRESOLVED, RESPONDER, notice("update0:miss1"), SUMMARY)
    assert [step.key for step in steps] == [
        "0.1",
        "1.0.r2",
        "0.1.s",
        "0.1.u",
        "responder",
        "update0:miss1",
        "budget:1700000000",
    ]
