"""Severity set by a person: a rise applies its urgency, a lowering is kept."""

from datetime import UTC, datetime, timedelta

from incidents import escalation, lifecycle
from incidents.policy import EscalationPolicy, Level, Plan, Target
from incidents.severity import Severity

T0 = datetime(2026, 5, 1, 10, 30, tzinfo=UTC)
PLAN = Plan(
    EscalationPolicy(
        (
            Level((Target("user", "oncall"),), timedelta(minutes=30)),
            Level((Target("user", "manager"),), timedelta(minutes=15)),
        )
    )
)


def test_raising_to_sev1_pages_the_last_level_at_once():
    state = escalation.start(PLAN, Severity.SEV3, T0).state
    step = escalation.set_severity(PLAN, state, Severity.SEV1, T0 + timedelta(minutes=1))
    assert step.state.severity == Severity.SEV1
    assert [(p.target.name, p.step.key) for p in step.pages] == [("manager", "0.1.s")]


def test_lowering_keeps_the_choice_and_disarms_the_unresolved_timer():
    state = escalation.start(PLAN, Severity.SEV2, T0).state
    assert state.unresolved_due_at is not None
    step = escalation.set_severity(PLAN, state, Severity.SEV3, T0 + timedelta(minutes=1))
    assert (step.state.severity, step.state.unresolved_due_at, step.pages) == (Severity.SEV3, None, ())


def test_a_resolved_incident_keeps_its_severity():
    state = escalation.resolve(escalation.start(PLAN, Severity.SEV2, T0).state, T0, reason="done").state
    assert escalation.set_severity(PLAN, state, Severity.SEV1, T0) == escalation.Step(state)


def test_the_choice_is_recorded_with_who_and_why():
    lc = lifecycle.begin(opened_at=T0, problem_started_at=None, service="api")
    change = lifecycle.severity_chosen(lc, Severity.SEV2, Severity.SEV3, "one region only", T0, by="alice")
    assert (change.lifecycle.severity_set_by, change.lifecycle.severity_set_at) == ("alice", T0)
    assert change.entries[0].kind == "severity_lowered"
    assert change.entries[0].message == "Severity lowered from SEV2 to SEV3 by alice: one region only"
