"""The escalation state machine, driven with plain objects and a controlled clock."""

from datetime import UTC, datetime, timedelta

import pytest

from incidents import escalation
from incidents.policy import EscalationPolicy, Level, Plan, Target
from incidents.severity import Severity

T0 = datetime(2026, 11, 26, 3, 0, tzinfo=UTC)
SRE, MANAGER = Target("user", "oncall-sre"), Target("user", "sre-manager")
SEED = EscalationPolicy((Level((SRE,), timedelta(minutes=30)), Level((MANAGER,), timedelta(minutes=15))))


def paged(step):
    return [(page.target.name, page.step.key) for page in step.pages]


def at(minutes):
    return T0 + timedelta(minutes=minutes)


def test_first_level_is_paged_and_the_next_after_its_timeout_without_acknowledgement():
    plan = Plan(SEED)
    opened = escalation.start(plan, Severity.SEV3, T0)
    assert paged(opened) == [("oncall-sre", "0.0")]
    assert opened.state.due_at == at(30)
    assert paged(escalation.wake(plan, opened.state, at(29))) == []
    climbed = escalation.wake(plan, opened.state, at(30))
    assert paged(climbed) == [("sre-manager", "0.1")]
    exhausted = escalation.wake(plan, climbed.state, at(45))
    assert paged(exhausted) == [] and exhausted.state.exhausted and exhausted.state.status == "triggered"
    assert [e.kind for e in exhausted.entries] == ["escalation_exhausted"]


def test_the_policy_repeats_as_many_times_as_configured():
    plan = Plan(EscalationPolicy(SEED.levels, repeat=1))
    state = escalation.start(plan, Severity.SEV3, T0).state
    state = escalation.wake(plan, state, at(30)).state
    again = escalation.wake(plan, state, at(45))
    assert paged(again) == [("oncall-sre", "1.0")]


def test_acknowledgement_stops_escalation_until_the_ack_timeout_pages_the_level_again():
    plan = Plan(SEED, ack_timeout=timedelta(minutes=20))
    state = escalation.start(plan, Severity.SEV3, T0).state
    acked = escalation.acknowledge(plan, state, at(5), by="link")
    assert acked.notify == "acknowledge" and acked.state.due_at == at(25)
    assert paged(escalation.wake(plan, acked.state, at(24))) == []
    timed_out = escalation.wake(plan, acked.state, at(25))
    assert timed_out.state.status == "triggered"
    assert paged(timed_out) == [("oncall-sre", "0.0.r1")]


def test_an_ack_timeout_of_zero_means_an_acknowledgement_holds():
    plan = Plan(SEED, ack_timeout=None)
    state = escalation.acknowledge(plan, escalation.start(plan, Severity.SEV3, T0).state, at(1), by="api").state
    assert state.next_wake is None


def test_sev1_pages_the_last_level_at_once_and_not_again_when_escalation_reaches_it():
    plan = Plan(SEED)
    opened = escalation.start(plan, Severity.SEV1, T0)
    assert paged(opened) == [("oncall-sre", "0.0"), ("sre-manager", "0.1.s")]
    reached = escalation.wake(plan, opened.state, at(30))
    assert paged(reached) == [] and [e.kind for e in reached.entries] == ["escalated"]
    assert paged(escalation.escalate_now(plan, opened.state, at(1), by="alice")) == []


def test_sev2_escalates_when_unresolved_after_its_window_even_if_acknowledged():
    plan = Plan(SEED, ack_timeout=timedelta(hours=4))
    opened = escalation.start(plan, Severity.SEV2, T0)
    assert opened.state.unresolved_due_at == at(30)
    acked = escalation.acknowledge(plan, opened.state, at(2), by="link").state
    woken = escalation.wake(plan, acked, at(30))
    assert paged(woken) == [("sre-manager", "0.1.u")]  # a step an acknowledgement does not cancel
    assert woken.state.status == "acknowledged" and woken.state.unresolved_due_at is None


def test_sev4_is_low_urgency_and_a_rise_to_sev1_starts_paging_with_the_manager():
    plan = Plan(SEED)
    opened = escalation.start(plan, Severity.SEV4, T0)
    assert paged(opened) == [] and opened.state.next_wake is None
    assert [e.kind for e in opened.entries] == ["low_urgency"]
    risen = escalation.raise_severity(plan, opened.state, Severity.SEV1, at(3))
    assert paged(risen) == [("oncall-sre", "0.0"), ("sre-manager", "0.1.s")]


def test_a_sev3_that_becomes_sev1_pages_the_manager_then():
    plan = Plan(SEED)
    state = escalation.start(plan, Severity.SEV3, T0).state
    assert paged(escalation.raise_severity(plan, state, Severity.SEV1, at(3))) == [("sre-manager", "0.1.s")]


def test_resolve_stops_everything_and_asks_to_resolve_pages():
    plan = Plan(SEED)
    state = escalation.start(plan, Severity.SEV2, T0).state
    resolved = escalation.resolve(state, at(4), reason="Resolved by alice")
    assert resolved.notify == "resolve" and resolved.state.next_wake is None
    assert paged(escalation.wake(plan, resolved.state, at(60))) == []
    assert escalation.resolve(resolved.state, at(5), reason="again").entries == ()


def test_manual_escalation_and_responders_page_now():
    plan = Plan(SEED)
    state = escalation.start(plan, Severity.SEV3, T0).state
    assert paged(escalation.escalate_now(plan, state, at(1), by="alice")) == [("sre-manager", "0.1")]
    expert = Target("user", "payments-expert")
    assert paged(escalation.add_responder(state, expert, by="alice")) == [("payments-expert", "responder")]


def test_plans_survive_the_round_trip_through_json():
    plan = Plan(SEED, ack_timeout=None)
    assert Plan.from_data(plan.as_data()) == plan


def test_a_request_by_name_maps_to_its_step_and_an_unknown_one_is_refused():
    plan = Plan(SEED)
    state = escalation.start(plan, Severity.SEV3, T0).state
    assert escalation.requested("acknowledge", plan, state, at(1), by="alice").state.status == "acknowledged"
    resolved = escalation.requested("resolve", plan, state, at(1), by="alice in PagerDuty")
    assert [e.message for e in resolved.entries] == ["Resolved by alice in PagerDuty"]
    assert paged(escalation.requested("escalate", plan, state, at(1), by="alice")) == [("sre-manager", "0.1")]
    with pytest.raises(ValueError):
        escalation.requested("snooze", plan, state, at(1), by="alice")


def test_a_reopened_incident_is_acknowledged_by_who_reopened_it_and_pages_nobody_now():
    plan = Plan(SEED)
    opened = escalation.start(plan, Severity.SEV3, T0)
    resolved = escalation.resolve(opened.state, at(10), reason="Resolved by alice").state
    step = escalation.reopen(plan, resolved, at(20), by="alice", reason="errors are back")
    assert step.state.status == "acknowledged" and paged(step) == [] and step.notify is None
    assert step.state.due_at == at(20) + plan.ack_timeout  # still unresolved then: the level is paged again
    assert [(e.kind, e.message, e.data) for e in step.entries] == [
        ("reopened", "Reopened by alice: errors are back", {"reason": "errors are back"})
    ]


def test_only_a_resolved_incident_can_be_reopened():
    plan = Plan(SEED)
    with pytest.raises(ValueError, match="Only a resolved incident"):
        escalation.reopen(plan, escalation.start(plan, Severity.SEV3, T0).state, at(1), by="alice", reason="x")
